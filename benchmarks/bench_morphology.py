"""Benchmark: the whole Turkish %TR/%Pure suite (FLORES-200 + UDHR + TurkishMMLU, tur_Latn) for every
available tokenizer, cold and warm. Each phase is one `tokbench run --metrics tr,pure` subprocess:

  cold            empty TOKBENCH_CACHE: every encoding and every per-type decision computed
  decisions-cold  encodings cached, decision cache removed: the analyzer decides every type again
  warm            both caches warm, fresh output folder: metrics recomputed from cached encodings/decisions

Usage: python benchmarks/bench_morphology.py [--tokenizers a b ...] [--json out.json]
Targets (issue 9): whole suite < 5 min cold and < 1 min warm on the 2-core machine. Needs the data dir.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CORPORA = ["flores200", "udhr", "turkish_mmlu_lines"]


def run_phase(name: str, cache: Path, out: Path, tokenizers: list[str] | None, in_process: bool) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "tokbench.cli", "run", "--metrics", "tr,pure", "--corpora", *CORPORA,
           "--langs", "tur_Latn", "--out", str(out), "--quiet"]  # fmt: skip
    if tokenizers:
        cmd += ["--tokenizers", *tokenizers]
    if in_process:
        cmd.append("--in-process")
    env = {**os.environ, "TOKBENCH_CACHE": str(cache)}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"{name}: tokbench run failed: {proc.stderr.strip().splitlines()[-1:]}")
    decisions = sum(
        len(json.loads(p.read_text(encoding="utf-8"))["decisions"]) for p in (cache / "morphology").glob("*.json")
    )
    return {"phase": name, "seconds": round(seconds, 1), "cached_decisions": decisions}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenizers", nargs="+", help="default: every available tokenizer")
    ap.add_argument("--in-process", action="store_true", help="pass --in-process (default: a child per tokenizer)")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_morphology_"))
    cache = work / "cache"
    try:
        rows = [run_phase("cold", cache, work / "out1", args.tokenizers, args.in_process)]
        shutil.rmtree(cache / "morphology")
        rows.append(run_phase("decisions-cold", cache, work / "out2", args.tokenizers, args.in_process))
        rows.append(run_phase("warm", cache, work / "out3", args.tokenizers, args.in_process))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    n_tok = len(args.tokenizers) if args.tokenizers else "all available"
    mode = "--in-process" if args.in_process else "a child process per tokenizer (default)"
    print(f"Turkish suite ({', '.join(CORPORA)}; tur_Latn) x {n_tok} tokenizers, metrics tr.*, pure.*, {mode}\n")
    print("| phase | seconds | unique types decided (cache entries) |\n|---|---:|---:|")
    for r in rows:
        print(f"| {r['phase']} | {r['seconds']} | {r['cached_decisions']:,} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
