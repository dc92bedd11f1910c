"""Benchmark: the same FLORES-200 grid on the local executor and on a 2-worker local Dask cluster.

On 2 cores no speed-up is expected: the point is the overhead of the cluster path (task
submission, workers loading corpus and tokenizer by name, rows travelling back), target <= 10%
over local. Each run starts from an empty encode cache and output folder, in its own subprocess.
From the measured per-group costs it also estimates the wall time of a large grid on N workers.

Usage:
  python benchmarks/bench_executors.py [--tokenizers a b ...] [--langs ...] [--metrics ...]
      [--workers 2] [--json out.json]
Estimate: --estimate-tokenizers 100 --estimate-langs 200 --estimate-mb 10 --estimate-workers 32
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def phase(args: argparse.Namespace) -> dict[str, Any]:
    from tokbench.runner import RunConfig, run_grid

    opts = {"address": None, "workers": args.workers} if args.executor == "dask" else {}
    cfg = RunConfig(out=Path(args.out), tokenizers=args.tokenizers, corpora=["flores200"], metrics=args.metrics,
                    langs=args.langs, executor=args.executor, executor_options=opts)  # fmt: skip
    t = time.perf_counter()
    summary = run_grid(cfg, log=lambda s: None)
    seconds = time.perf_counter() - t
    cells = json.loads((Path(args.out) / "results.json").read_text())["provenance"]["cells"]
    per_tok: dict[str, float] = {}
    for c in cells:
        per_tok[c["tokenizer"]] = per_tok.get(c["tokenizer"], 0.0) + (c.get("seconds") or 0.0)
    from tokbench.corpora import load_corpus
    from tokbench.metrics import CorpusView

    view = CorpusView(load_corpus("flores200"))
    langs = args.langs or view.languages("devtest")
    encoded = 0  # the Petrov protocol's joined dev+devtest text plus the devtest sentences
    for lang in langs:
        encoded += len(view.joined(("dev", "devtest"), lang)[0].encode())
        encoded += sum(len(t.encode()) for t in view.docs("devtest", lang)[1])
    return {"seconds": seconds, "computed": summary.computed, "rows": len(summary.table), "metric_seconds": per_tok,
            "encoded_mb": encoded / 1e6}  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tokenizers", nargs="+", default=["cl100k_base", "o200k_base", "llama2", "gpt2", "qwen3", "phi3"])
    p.add_argument("--langs", nargs="+")
    p.add_argument("--metrics", nargs="+", help="default: the default suite")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--json", type=Path)
    p.add_argument("--estimate-tokenizers", type=int, default=100)
    p.add_argument("--estimate-langs", type=int, default=200)
    p.add_argument("--estimate-mb", type=float, default=10.0, help="MB of text per language")
    p.add_argument("--estimate-workers", type=int, default=32)
    p.add_argument("--phase", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--executor", default="local", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.phase:
        print(json.dumps(phase(args)))
        return
    out: dict[str, Any] = {"tokenizers": args.tokenizers, "n_langs": len(args.langs) if args.langs else 204}
    with tempfile.TemporaryDirectory(prefix="tokbench-exec-") as tmp:
        for executor in ("local", "dask"):
            env = {**os.environ, "TOKBENCH_CACHE": str(Path(tmp) / f"cache-{executor}"), "TQDM_DISABLE": "1"}
            cmd = [sys.executable, __file__, "--phase", "--executor", executor, "--out", str(Path(tmp) / executor),
                   "--workers", str(args.workers), "--tokenizers", *args.tokenizers]  # fmt: skip
            if args.langs:
                cmd += ["--langs", *args.langs]
            if args.metrics:
                cmd += ["--metrics", *args.metrics]
            t = time.perf_counter()
            res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
            if res.returncode != 0:
                raise SystemExit(f"{executor} failed:\n{res.stderr[-3000:]}")
            out[executor] = {**json.loads(res.stdout.strip().splitlines()[-1]),
                             "process_seconds": time.perf_counter() - t}  # fmt: skip
        parquet = {e: (Path(tmp) / e / "results.parquet").read_bytes() for e in ("local", "dask")}
        same = parquet["local"] == parquet["dask"]
    out["identical_results"] = same
    out["dask_over_local"] = out["dask"]["process_seconds"] / out["local"]["process_seconds"]
    # estimate: a group's time scales with the text it encodes; measured here per MB of encoded text
    per_group = statistics.median(out["local"]["metric_seconds"].values())
    mb_per_lang = out["local"]["encoded_mb"] / out["n_langs"]
    scale = args.estimate_mb / mb_per_lang * args.estimate_langs / out["n_langs"]
    group_seconds = per_group * scale + out["local"]["process_seconds"] / len(args.tokenizers) - per_group
    waves = -(-args.estimate_tokenizers // args.estimate_workers)
    out["estimate"] = {
        "grid": f"{args.estimate_tokenizers} tokenizers x {args.estimate_langs} languages x {args.estimate_mb} MB",
        "workers": args.estimate_workers,
        "seconds_per_tokenizer_group": group_seconds,
        "wall_hours": waves * group_seconds / 3600,
        "one_machine_hours": args.estimate_tokenizers * group_seconds / 3600,
    }
    print(json.dumps(out, indent=1))
    local_s = out["local"]["process_seconds"]
    print(
        f"{len(args.tokenizers)} tokenizers x {out['n_langs']} FLORES languages: local {local_s:.1f}s,"
        f" dask ({args.workers} workers) {out['dask']['process_seconds']:.1f}s = {out['dask_over_local']:.2f}x local; "
        f"identical results: {same}. Estimate {out['estimate']['grid']} on {args.estimate_workers} workers: "
        f"{out['estimate']['wall_hours']:.1f} h ({out['estimate']['one_machine_hours']:.1f} h on one)"
    )
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
