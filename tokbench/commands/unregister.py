"""`tokbench unregister`: the way back from `tokbench register`, without deleting files by hand."""

from __future__ import annotations

import argparse

from tokbench.output import print_json

NAME = "unregister"
HELP = "remove a tokenizer you registered: its manifest and the files register copied (never vendored ones)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the registered name (as shown by `tokbench list tokenizers`)")
    parser.epilog = ("Removes $TOKBENCH_HOME/manifests/tokenizers/NAME.yaml and $TOKBENCH_HOME/tokenizers/NAME/; "
                     "files register used in place from a TOKBENCH_DATA folder are left there.")


def run(args: argparse.Namespace) -> int:
    from tokbench.registration import unregister_tokenizer

    res = unregister_tokenizer(args.name)
    if args.json:
        print_json(res.to_json())
        return 0
    print(f"unregistered {res.name}")
    for p in res.removed:
        print(f"  removed   {p}")
    for p in res.kept:
        print(f"  kept      {p} (not copied by register; delete it yourself if you want)")
    return 0
