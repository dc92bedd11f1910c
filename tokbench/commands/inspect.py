"""`tokbench inspect`: vocabulary, merge-order, lineage and under-trained-token report for a tokenizer."""

from __future__ import annotations

import argparse
from pathlib import Path

from tokbench.argtypes import positive_int
from tokbench.output import print_json

NAME = "inspect"
HELP = "describe a tokenizer: sizes, scripts by merge rank, longest tokens, lineage, never-produced tokens, mixture"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tokenizer", help="registered name or path to a tokenizer file/folder")
    parser.add_argument("--name", help="name for a tokenizer given by path (default: its file or folder name)")
    parser.add_argument("--out", type=Path,
                        help="folder for NAME.md and NAME_by_rank.png (default: $TOKBENCH_HOME/inspect, "
                             "i.e. ~/.local/share/tokbench/inspect)")
    parser.add_argument("--never-produced", action="store_true",
                        help="also list tokens never produced on flores200:devtest, code_samples, domain_samples "
                             "(encodes ~225k documents: minutes for a large vocabulary)")
    parser.add_argument("--corpora", nargs="*", metavar="CORPUS[:SPLIT][:LANGS]",
                        help="never-produced tokens on these corpora instead (implies --never-produced)")
    parser.add_argument("--lineage", choices=("cached", "all", "off"), default="cached",
                        help="compare merges with registered tokenizers: cached = those already fingerprinted "
                             "(default, fast), all = load every registered BPE tokenizer once and cache it "
                             "(~2 min the first time), off")
    parser.add_argument("--no-lineage", action="store_const", dest="lineage", const="off", help="same as --lineage off")
    parser.add_argument("--categories", nargs="+", help="also estimate the mixture (see tokbench mixture)")
    parser.add_argument("--merges", type=positive_int, default=30000, help="merges for the mixture estimate")


def run(args: argparse.Namespace) -> int:
    from tokbench.inspection.never_produced import DEFAULT_CORPORA
    from tokbench.inspection.report import write_report
    from tokbench.inspection.summary import default_out_dir, inspect_tokenizer
    from tokbench.io import check_writable
    from tokbench.mixture.categories import load_categories
    from tokbench.tokenizers import load_tokenizer

    out = check_writable(args.out, "--out") if args.out else check_writable(default_out_dir(), "$TOKBENCH_HOME/inspect")
    if args.corpora:  # named explicitly: each must load (the defaults skip what is not available here)
        from tokbench.mixture.categories import load_category_spec

        for spec in args.corpora:
            load_category_spec(spec)
    tok = load_tokenizer(args.tokenizer, name=args.name)
    corpora = tuple(args.corpora) if args.corpora else DEFAULT_CORPORA if args.never_produced else ()
    cats = load_categories(args.categories) if args.categories else None
    info = inspect_tokenizer(tok, corpora=corpora, lineage=args.lineage, categories=cats,
                             mixture_kwargs={"merges": args.merges})
    md, png = write_report(info, out)
    if args.json:
        print_json(info | {"markdown": str(md), "png": str(png)})
    else:
        print(md.read_text())
        print(f"wrote {md} and {png}")
    return 0
