"""Benchmark: `tokbench inspect` wall time and peak memory, default vs the opt-in heavy parts.

Each mode runs the real CLI in a fresh process (what a user waits for, imports included), with
its own empty TOKBENCH_CACHE unless noted:
  default       `tokbench inspect TOK`: merge anatomy, longest tokens, lineage against cached
                fingerprints (none yet: a first run)
  warm          the same again after `lineage_all` filled the fingerprint cache (lineage against
                every registered BPE tokenizer, from the cache)
  lineage_all   `--lineage all`: loads every available registered BPE tokenizer once, caching
                its fingerprint (the old default's lineage cost)
  full          `--lineage all --never-produced` in a fresh cache: the old default (the corpus
                pass encodes flores200:devtest, code_samples, domain_samples); only with --full
Target: default < 15 s for llama3 (128k vocabulary).

Usage:
  python benchmarks/bench_inspect.py [--tokenizer llama3] [--data-dir ../shared/assets] [--full]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and the child's peak RSS (MB) of one `tokbench` call."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tokbench.cli", *args], env=env, check=True, stdout=subprocess.DEVNULL)
    dt = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return dt, (peak if peak > before else float("nan")) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenizer", default="llama3")
    ap.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "assets"))
    ap.add_argument("--full", action="store_true", help="also time the old default (minutes)")
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, TOKBENCH_DATA=a.data_dir, TOKBENCH_HOME=f"{tmp}/home", TQDM_DISABLE="1")
        base = ["inspect", a.tokenizer, "--out", f"{tmp}/out", "--quiet"]
        cache1 = dict(env, TOKBENCH_CACHE=f"{tmp}/cache1")
        rows.append(("default (first run)", *run_cli(base, cache1)))
        rows.append(("lineage_all (fills the cache)", *run_cli([*base, "--lineage", "all"], cache1)))
        rows.append(("warm (default, cached lineage)", *run_cli(base, cache1)))
        if a.full:
            cache2 = dict(env, TOKBENCH_CACHE=f"{tmp}/cache2")
            rows.append(("full (old default)", *run_cli([*base, "--lineage", "all", "--never-produced"], cache2)))
    print(f"tokbench inspect {a.tokenizer}, {os.cpu_count()} CPUs\n")
    print("| mode | wall s | peak RSS MB* |\n|---|---:|---:|")
    for name, s, mb in rows:
        print(f"| {name} | {s:.1f} | {mb:,.0f} |")
    print("\n*peak over this and earlier child processes (nan: not above an earlier one)")


if __name__ == "__main__":
    main()
