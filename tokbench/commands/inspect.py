"""`tokbench inspect`: vocabulary, merge-order, lineage and under-trained-token report for a tokenizer."""

from __future__ import annotations

import argparse
from pathlib import Path

from tokbench.output import print_json

NAME = "inspect"
HELP = "describe a tokenizer: sizes, scripts by merge rank, longest tokens, lineage, never-produced tokens, mixture"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tokenizer", help="registered name or path to a tokenizer file/folder")
    parser.add_argument("--out", default="reports/inspect", help="folder for the Markdown and PNG")
    parser.add_argument("--corpora", nargs="*", default=None,
                        help="corpora for never-produced tokens (default: flores200:devtest code_samples "
                             "domain_samples; none to skip)")
    parser.add_argument("--no-lineage", action="store_true", help="skip comparing with registered tokenizers")
    parser.add_argument("--categories", nargs="+", help="also estimate the mixture (see tokbench mixture)")
    parser.add_argument("--merges", type=int, default=30000, help="merges for the mixture estimate")


def run(args: argparse.Namespace) -> int:
    from tokbench.inspection import DEFAULT_CORPORA, inspect_tokenizer, write_report
    from tokbench.mixture.categories import load_categories
    from tokbench.tokenizers import load_tokenizer

    tok = load_tokenizer(args.tokenizer)
    corpora = DEFAULT_CORPORA if args.corpora is None else tuple(args.corpora)
    cats = load_categories(args.categories) if args.categories else None
    info = inspect_tokenizer(tok, corpora=corpora, lineage=not args.no_lineage, categories=cats,
                             mixture_kwargs={"merges": args.merges})
    md, png = write_report(info, Path(args.out))
    if args.json:
        print_json(info | {"markdown": str(md), "png": str(png)})
    else:
        print(md.read_text())
        print(f"wrote {md} and {png}")
    return 0
