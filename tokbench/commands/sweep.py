"""`tokbench sweep`: comparable monolingual tokenizers per language, their token premiums, each
language's optimal vocabulary size, and superword vs whitespace-bounded BPE (Arnett et al. 2025)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tokbench.argtypes import non_negative_int, positive_float, positive_int

NAME = "sweep"
HELP = ("train comparable BPE / Unigram / superword tokenizers per language on equal budgets, find each "
        "language's optimal vocabulary size, report premiums (Arnett et al. 2025)")  # fmt: skip


def _split_list(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v for item in values for v in item.split(",") if v]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from tokbench.sweep.specs import ALGORITHMS, DEFAULT_BUDGET, DEFAULT_TRANSITION, DEFAULT_VOCAB_SIZES

    parser.add_argument("--out", required=True, type=Path, help="output folder (re-running skips finished work)")
    parser.add_argument("--langs", nargs="+", help="languages (default: 20 FLORES-200 languages in 15 scripts)")
    parser.add_argument("--algorithms", nargs="+", help=f"of {', '.join(ALGORITHMS)} (default: all three)")
    parser.add_argument("--vocab-sizes", nargs="+", type=positive_int, metavar="V",
                        help=f"vocabulary grid (default: {' '.join(map(str, DEFAULT_VOCAB_SIZES))})")  # fmt: skip
    parser.add_argument("--budget", type=positive_int, default=DEFAULT_BUDGET,
                        help=f"training text per language, equal for all (default {DEFAULT_BUDGET:,})")  # fmt: skip
    parser.add_argument("--budget-unit", default="bytes", help="bytes (default) or chars")
    parser.add_argument("--train", metavar="CORPUS[:SPLIT]",
                        help="training text: a registered corpus (default flores200:dev with the data dir, else udhr)")
    parser.add_argument("--eval", dest="evaluation", metavar="CORPUS[:SPLIT]",
                        help="parallel evaluation text (default flores200:devtest, else the training corpus)")
    parser.add_argument("--train-hub", metavar="DATASET", help="train on a `datasets` source instead (a local folder, "
                        "or a hub id with TOKBENCH_ALLOW_HUB=1 and --train-revision)")  # fmt: skip
    parser.add_argument("--train-revision", help="the hub commit to pin --train-hub to")
    parser.add_argument("--train-config", help="dataset config; {lang} is replaced by the language (FineWeb-2: {lang})")
    parser.add_argument("--train-split", default="train", help="dataset split of --train-hub (default train)")
    parser.add_argument("--train-column", default="text", help="text column of --train-hub (default text)")
    parser.add_argument("--pivot", default="eng_Latn", help="premium denominator language (default eng_Latn)")
    parser.add_argument("--shared-size", type=positive_int, help="the single shared vocabulary size compared against "
                        "(default: the grid's median)")  # fmt: skip
    parser.add_argument("--target", default="pivot", help="optimal size reaches the pivot's token count at the shared "
                        "size (pivot, default) or the median language's (median)")  # fmt: skip
    parser.add_argument("--transition", type=positive_float, default=DEFAULT_TRANSITION,
                        help=f"superword stage-1 share of the vocabulary (default {DEFAULT_TRANSITION})")  # fmt: skip
    parser.add_argument("--no-optimal", action="store_true", help="skip the fit and the retraining at optimal sizes")
    parser.add_argument("--bootstrap", type=non_negative_int, default=1000, help="CI resamples (0 = no CIs)")
    parser.add_argument("--force", action="store_true", help="recompute finished metric cells")
    parser.add_argument("--executor", default="local", help="local (default) or dask")
    parser.add_argument("--address", help="Dask scheduler address (--executor dask)")
    parser.add_argument("--workers", type=positive_int, help="workers of a local Dask cluster")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="copy every trained tokenizer.json to DIR/<label>/")
    parser.add_argument("--register", action="store_true", help="register every trained tokenizer under its label")
    parser.add_argument("--no-report", action="store_true", help="skip writing report.md, tables/ and plots/")


def run(args: argparse.Namespace) -> int:
    from tokbench.output import print_json
    from tokbench.sweep.runner import SweepConfig, run_sweep
    from tokbench.sweep.specs import ALGORITHMS, DEFAULT_LANGUAGES, DEFAULT_VOCAB_SIZES

    hub = None
    if args.train_hub:
        hub = {"dataset": args.train_hub, "revision": args.train_revision, "config": args.train_config,
               "split": args.train_split, "column": args.train_column}  # fmt: skip
    cfg = SweepConfig(
        out=args.out,
        languages=_split_list(args.langs) or list(DEFAULT_LANGUAGES),
        algorithms=_split_list(args.algorithms) or list(ALGORITHMS),
        vocab_sizes=args.vocab_sizes or list(DEFAULT_VOCAB_SIZES),
        budget=args.budget,
        unit=args.budget_unit,
        train=args.train,
        evaluation=args.evaluation,
        hub=hub,
        pivot=args.pivot,
        shared=args.shared_size,
        target=args.target,
        transition=args.transition,
        optimal=not args.no_optimal,
        bootstrap=args.bootstrap,
        force=args.force,
        executor=args.executor,
        executor_options={k: v for k in ("address", "workers") if (v := getattr(args, k, None)) is not None},
        keep=args.keep,
        register=args.register,
    )
    quiet = getattr(args, "quiet", False)
    log = (lambda s: None) if quiet else (lambda s: print(s, file=sys.stderr))
    summary = run_sweep(cfg, log=log)
    files = {"parquet": str(args.out / "results.parquet"), "json": str(args.out / "results.json"), **summary.files}
    if not args.no_report:
        from tokbench.sweep.report import write_sweep_report

        files.update(write_sweep_report(summary.table, args.out))
    if getattr(args, "json", False):
        print_json({"out": str(args.out), "files": files, "tokenizers": len(summary.trained),
                    "trained_now": sum(not t.cached for t in summary.trained),
                    "cells_computed": summary.computed, "cells_already_finished": summary.skipped,
                    "held_out": summary.held_out, "seconds": round(summary.seconds, 3),
                    "train_seconds": round(summary.train_seconds, 3)})  # fmt: skip
    else:
        print(f"{len(summary.trained)} tokenizers ({sum(not t.cached for t in summary.trained)} trained now), "
              f"{summary.computed} cells computed, {summary.skipped} already finished in {summary.seconds:.1f}s "
              f"-> {files.get('report', files['parquet'])}")  # fmt: skip
    return 0
