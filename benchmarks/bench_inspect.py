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
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `tokbench` call in its own process (os.wait4's rusage)."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "tokbench.cli", *args], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    dt = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"tokbench {' '.join(args)} failed with exit code {proc.returncode}")
    return dt, usage.ru_maxrss / 1024


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
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (other jobs slow every mode alike)\n")
    print("| mode | wall s | peak RSS MB |\n|---|---:|---:|")
    for name, s, mb in rows:
        print(f"| {name} | {s:.1f} | {mb:,.0f} |")


if __name__ == "__main__":
    main()
