"""`tokbench check TOKENIZER`: sanity checks with CI exit codes (0 pass, 1 warn, 2 fail)."""

from __future__ import annotations

import argparse

from tokbench.output import print_json

NAME = "check"
HELP = ("sanity-check a tokenizer before training with it: round trip on UDHR, UTF-8 integrity, special tokens in "
        "text, shipped padding/truncation, NFC, unreachable vocabulary, superword tokens, digit chunking; "
        "exit 0 pass / 1 warn / 2 fail")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tokenizer", help="registered name or path to a tokenizer file/folder")


def run(args: argparse.Namespace) -> int:
    from tokbench.check import as_json, exit_code, run_checks

    results = run_checks(args.tokenizer)
    if args.json:
        print_json(as_json(args.tokenizer, results))
    else:
        width = max(len(r.name) for r in results)
        for r in results:
            print(f"{r.status.upper():4s}  {r.name.ljust(width)}  {r.line}")
    return exit_code(results)
