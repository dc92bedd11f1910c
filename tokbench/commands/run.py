"""`tokbench run`: compute metrics over a tokenizer x corpus grid into a tidy results table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tokbench.argtypes import positive_int
from tokbench.errors import TokbenchError
from tokbench.stopping import terminate_as_interrupt

NAME = "run"
HELP = "run metrics over tokenizers x corpora (cached, resumable) into DIR/results.{parquet,json}"


def _split_list(values: list[str] | None, flag: str = "") -> list[str] | None:
    """Accept both `--x a b` and `--x a,b`; a flag given with only commas or blanks names nothing, which is
    an error (not the default: `--tokenizers ,` must not run every tokenizer)."""
    if values is None:
        return None
    out = [v.strip() for item in values for v in item.split(",") if v.strip()]
    if not out:
        raise TokbenchError(f"{flag or 'the list'} {' '.join(values)!r} names nothing; give at least one name")
    return out


def parse_options(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise TokbenchError(f"--option {item!r} must look like key=value, e.g. --option pivot=eng_Latn")
        out[key.strip()] = value.strip()
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tokenizers", nargs="+", help="names or paths (default: every available tokenizer)")
    parser.add_argument("--corpora", nargs="+", help="corpus names (default: flores200)")
    parser.add_argument("--metrics", nargs="+", help="metric names (default: premium, ctc and the compression set)")
    parser.add_argument("--langs", nargs="+", help="language codes, e.g. eng_Latn mya_Mymr (default: all)")
    parser.add_argument(
        "--option",
        action="append",
        metavar="KEY=VALUE",
        help="protocol option (repeatable): protocol=petrov|sentence, pivot=eng_Latn, split=devtest, "
        "bootstrap=1000, seed=0, unk_threshold=0.1, drop_unk=false, reference=cl100k_base, alpha=2.5",
    )
    parser.add_argument("--out", required=True, type=Path, help="output folder (re-running skips finished cells)")
    parser.add_argument("--force", action="store_true", help="recompute cells that are already finished")
    parser.add_argument(
        "--executor",
        default="local",
        help="where the work runs: local (this machine, default) or dask (a Dask cluster; with no --address a "
        "local one with --workers processes); plugins add more",
    )
    parser.add_argument("--address", help="Dask scheduler address, e.g. tcp://login-node:8786 (--executor dask)")
    parser.add_argument(
        "--workers",
        type=positive_int,
        help="processes working at once: tokenizers computed in parallel by the local executor (default 2 on a "
        "machine with 2 cores or more; each holds one tokenizer, ~0.2-0.7 GB), or workers of a local Dask "
        "cluster (default 2)",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="compute every tokenizer in this process (default: each in a child process, which keeps "
        "peak memory to one tokenizer's)",
    )


def run(args: argparse.Namespace) -> int:
    from tokbench.io import check_writable
    from tokbench.output import print_json
    from tokbench.runner import DEFAULT_CORPORA, RunConfig, run_grid

    check_writable(args.out, "--out")
    cfg = RunConfig(
        out=args.out,
        tokenizers=_split_list(args.tokenizers, "--tokenizers"),
        corpora=_split_list(args.corpora, "--corpora") or list(DEFAULT_CORPORA),
        metrics=_split_list(args.metrics, "--metrics"),
        langs=_split_list(args.langs, "--langs"),
        options=parse_options(args.option),
        force=args.force,
        isolate=not getattr(args, "in_process", False),
        executor=getattr(args, "executor", "local"),
        executor_options={k: v for k in ("address", "workers") if (v := getattr(args, k, None)) is not None},
    )
    log = (lambda s: None) if getattr(args, "quiet", False) else (lambda s: print(s, file=sys.stderr))
    with terminate_as_interrupt():
        summary = run_grid(cfg, log=log)
    files = {"parquet": str(args.out / "results.parquet"), "json": str(args.out / "results.json")}
    if getattr(args, "json", False):
        print_json(
            {
                "out": str(args.out),
                "files": files,
                "cells_computed": summary.computed,
                "cells_already_finished": summary.skipped,
                "rows": len(summary.table),
                "seconds": round(summary.seconds, 3),
                "tokenizers": sorted(summary.table["tokenizer"].unique().tolist()) if len(summary.table) else [],
                "metrics": sorted(summary.table["metric"].unique().tolist()) if len(summary.table) else [],
            }
        )
    else:
        print(
            f"{summary.computed} cells computed, {summary.skipped} already finished, {len(summary.table)} rows "
            f"in {summary.seconds:.1f}s -> {files['parquet']}, {files['json']}"
        )
    return 0
