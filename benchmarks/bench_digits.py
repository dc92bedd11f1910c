"""Benchmark: the whole model-free `digits` family for every available tokenizer.

Two measurements in one run:
  stages    in this process, per tokenizer: load, surface table (`token_bytes`), probe analysis
            (one batched encode of every probe + scoring), with the probe plan built once
  grid      `tokbench run --metrics digits` into an empty folder (the real command: child process
            per tokenizer, 25 cells each) and the same --in-process: wall time, and for --in-process the
            CPU time (user + sys), on a machine shared with other jobs the better estimate of idle wall

Usage:
  TOKBENCH_DATA=../shared/assets python benchmarks/bench_digits.py [--tokenizers a b ...] [--skip-grid]
Target (issue 10): the grid under 30 s on this 2-core machine.
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


def stages(names: list[str]) -> list[dict[str, object]]:
    from tokbench.digits.analysis import OPTIONS, analyse, probe_plan
    from tokbench.tokenizers import load_tokenizer

    t = time.perf_counter()
    plan = probe_plan(*(int(OPTIONS[k]) for k in ("digit_seed", "digit_samples", "digit_integers", "digit_problems")))
    rows: list[dict[str, object]] = [
        {"tokenizer": "(probe plan)", "texts": len(plan.batch), "probes_s": time.perf_counter() - t}
    ]
    for name in names:
        c0 = time.process_time()
        t0 = time.perf_counter()
        tok = load_tokenizer(name)
        t1 = time.perf_counter()
        tok.token_bytes()
        t2 = time.perf_counter()
        r = analyse(tok)
        t3 = time.perf_counter()
        rows.append(
            {
                "tokenizer": name,
                "load_s": t1 - t0,
                "surfaces_s": t2 - t1,
                "probes_s": t3 - t2,
                "class": r.chunk_class.label,
                "cpu_s": time.process_time() - c0,
            }
        )
        if hasattr(load_tokenizer, "cache_clear"):
            load_tokenizer.cache_clear()
    return rows


def grid(names: list[str] | None, in_process: bool) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command; with the default child process per tokenizer the
    forkserver's grandchildren are not counted, so CPU is measured --in-process)."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "tokbench.cli", "run", "--metrics", "digits", "--out", tmp, "--quiet"]
        cmd += ["--in-process"] if in_process else []
        if names:
            cmd += ["--tokenizers", *names]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=os.environ.copy())
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenizers", nargs="+", help="default: every available tokenizer")
    ap.add_argument("--skip-grid", action="store_true", help="only the in-process stage timings")
    args = ap.parse_args()
    from tokbench.runner import available_tokenizers

    names = args.tokenizers or available_tokenizers()
    rows = stages(names)
    print(f"{'tokenizer':24s} {'load s':>7s} {'surf s':>7s} {'probe s':>7s}  class")
    for r in rows:
        print(
            f"{r['tokenizer']:24s} {r.get('load_s', 0):7.2f} {r.get('surfaces_s', 0):7.2f} "
            f"{r['probes_s']:7.2f}  {r.get('class', str(r.get('texts', '')) + ' texts')}"
        )
    tot = {k: sum(float(r.get(k, 0)) for r in rows) for k in ("load_s", "surfaces_s", "probes_s")}  # type: ignore[arg-type]
    print(
        f"{'total (' + str(len(names)) + ' tokenizers)':24s} {tot['load_s']:7.2f} {tot['surfaces_s']:7.2f} "
        f"{tot['probes_s']:7.2f}  in-process sum {sum(tot.values()):.1f} s wall, "
        f"{sum(float(r.get('cpu_s', 0)) for r in rows):.1f} s CPU"  # type: ignore[arg-type]
    )
    if not args.skip_grid:
        for in_process in (False, True):
            wall, cpu = grid(args.tokenizers, in_process)
            how = "--in-process" if in_process else "child process per tokenizer (default)"
            print(
                f"`tokbench run --metrics digits` {how} ({len(names)} tokenizers, {len(names) * 25} cells): "
                f"{wall:.1f} s wall" + (f", {cpu:.1f} s CPU" if in_process else "")
            )
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
