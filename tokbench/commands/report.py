"""`tokbench report`: turn a results folder into a Markdown report with a leaderboard and plots."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "report"
HELP = "write report.md (leaderboard, premium plots, glossary) from a `tokbench run` results folder"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", type=Path, help="folder (or results.parquet/json) written by `tokbench run`")
    parser.add_argument("--out", type=Path, help="output folder (default: the results folder)")
    parser.add_argument("--title", default="tokbench report")


def run(args: argparse.Namespace) -> int:
    from tokbench.output import print_json
    from tokbench.report import write_report
    from tokbench.results import read_results

    table, prov = read_results(args.results)
    out = args.out or (args.results if args.results.is_dir() else args.results.parent)
    path = write_report(table, prov, out, args.title)
    if args.json:
        print_json({"report": str(path), "figures": sorted(str(p) for p in out.glob("*.png"))})
    else:
        print(f"report written to {path}")
    return 0
