"""`tokbench probe-arithmetic`: addition probes (Singh & Strouse 2024) on a local causal LM.

Builds (or reads) a seeded probe set, runs it greedily through the model and writes the scores
into a results folder as tidy rows (tokenizer = the model folder's name, corpus = `arith_probe`,
split = number format, language = `<k>shot`), beside the per-prompt predictions.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tokbench.argtypes import non_negative_int, positive_int
from tokbench.errors import TokbenchError

NAME = "probe-arithmetic"
HELP = "run 7-9 digit addition probes (plain vs comma right-to-left, k-shot) through a local causal LM"
CORPUS = "arith_probe"
METRIC_CELL = "digits.arith"


def _list(text: str) -> list[str]:
    return [x for x in text.split(",") if x]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", nargs="?", type=Path, help="local transformers model folder (config.json, weights)")
    parser.add_argument("--out", type=Path, help="results folder (results.parquet/json + predictions)")
    parser.add_argument("--probes", type=Path, help="probe set JSONL to run (default: generate one from the options)")
    parser.add_argument("--write-probes", type=Path, metavar="FILE", help="write the generated probe set as JSONL")
    parser.add_argument("--seed", type=non_negative_int, default=0)
    parser.add_argument(
        "--per-pair",
        type=positive_int,
        default=100,
        help="problems per addend-length pair (9 pairs of 7-9 digits; default 100, the paper's 900)",
    )
    parser.add_argument(
        "--formats",
        type=_list,
        default=["plain", "comma_r2l"],
        help="comma-separated: plain, comma_r2l, comma_l2r, space_r2l, ... dot, dollar, hash (default plain,comma_r2l)",
    )
    parser.add_argument("--shots", type=_list, default=["8"], help="comma-separated shot counts 0-8 (default 8)")
    parser.add_argument("--batch-size", type=positive_int, default=16)
    parser.add_argument("--device", help="torch device (default: cuda when available, else cpu)")
    parser.add_argument("--force", action="store_true", help="recompute a finished model x probe-set cell")


def _shots(values: list[str]) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        raise TokbenchError(f"--shots must be whole numbers such as 1,2,4,8, got {','.join(values)}") from None


def run(args: argparse.Namespace) -> int:
    from tokbench.digits import probeset
    from tokbench.digits.scoring import summarise
    from tokbench.io import atomic_write_text, check_writable, sha256_bytes
    from tokbench.output import print_json, print_table
    from tokbench.progress import progress
    from tokbench.results import Cell, ResultStore

    if args.out is not None:
        check_writable(args.out, "--out")
    if args.write_probes is not None:
        check_writable(args.write_probes, "--write-probes", folder=False)
    if args.probes:
        records = probeset.read_jsonl(args.probes)
    else:
        records = probeset.build_probe_set(args.seed, args.per_pair, args.formats, _shots(args.shots))
    if args.write_probes:
        probeset.write_jsonl(records, args.write_probes)
    if args.model is None:
        if not args.write_probes:
            raise TokbenchError("give a model folder to run, or --write-probes FILE to only write the probe set")
        if args.json:
            print_json({"probes": str(args.write_probes), "records": len(records)})
        else:
            print(f"{len(records)} probes written to {args.write_probes}")
        return 0
    if args.out is None:
        raise TokbenchError("--out DIR is required to run a model (results and predictions go there)")

    from tokbench.digits.model import HFCausalLM, check_model_dir, model_sha256, resolve_device, run_probes

    check_model_dir(args.model)
    if args.device is not None:
        resolve_device(args.device)  # a bad --device fails now, not after the probe set and the lock
    probes_blob = "".join(r.as_json() + "\n" for r in records).encode()
    cell = Cell(
        args.model.name,
        model_sha256(args.model),
        CORPUS,
        sha256_bytes(probes_blob),
        METRIC_CELL,
        {"max_new_tokens": 20, "decoding": "greedy"},
    )
    store = ResultStore(args.out)
    with store.writing(on_wait=lambda s: print(s, file=sys.stderr)):
        if store.has(cell) and not args.force:
            table = store.table()
        else:
            t0 = time.perf_counter()
            model = HFCausalLM(args.model, device=args.device, batch_size=args.batch_size)
            with progress(total=len(records), unit="prompt", desc=model.name) as bar:
                scored = run_probes(model, records, args.batch_size, on_batch=bar.update)
            rows = summarise(scored)
            atomic_write_text(
                args.out / f"predictions__{args.model.name}__{cell.key}.jsonl",
                "".join(json.dumps(s.as_dict(), ensure_ascii=False) + "\n" for s in scored),
            )
            store.save_cell(cell, rows, time.perf_counter() - t0)
            table = store.write()
    mine = table[(table.tokenizer == args.model.name) & (table.corpus == CORPUS)]
    head = mine[mine.metric.isin(["digits.arith.accuracy", "digits.arith.accuracy.answer_longer"])]
    rows = [
        {
            "format": r.split,
            "shots": r.language,
            "metric": r.metric.removeprefix("digits.arith."),
            "value": r.value,
            "n": int(r.n),
        }
        for r in head.itertuples()
    ]
    if args.json:
        print_json({"out": str(args.out), "rows": rows})
    else:
        print_table(rows)
        print(f"-> {args.out / 'results.parquet'}")
    return 0
