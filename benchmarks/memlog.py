"""Summarize a TOKBENCH_MEMLOG file: where a run's cell-seconds and its processes' memory went.

    TOKBENCH_MEMLOG=/tmp/mem.jsonl tokbench run ...
    python benchmarks/memlog.py /tmp/mem.jsonl

Prints cell-seconds per metric family (the name before the first '.') and per tokenizer, and for each
process (one per tokenizer in a run's children) its RSS at its first line (its start), its peak, and the cell
after which the peak (VmHWM) first rose most.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("log", type=Path)
    ap.add_argument("--top", type=int, default=30, help="rows per table")
    args = ap.parse_args()
    rows = load(args.log)
    if not rows:
        raise SystemExit(f"{args.log} has no lines")
    total = sum(r["seconds"] for r in rows)
    by_family: dict[str, float] = defaultdict(float)
    by_tok: dict[str, float] = defaultdict(float)
    for r in rows:
        by_family[r["metric"].split(".")[0]] += r["seconds"]
        by_tok[r["tokenizer"]] += r["seconds"]
    print(f"{len(rows)} cells, {total:,.0f} cell-seconds\n")
    for title, table in (("metric family", by_family), ("tokenizer", by_tok)):
        print(f"| {title} | cell-seconds | share |\n|---|---:|---:|")
        for k, v in sorted(table.items(), key=lambda kv: -kv[1])[: args.top]:
            print(f"| {k} | {v:,.1f} | {v / total:.0%} |")
        print()
    per_pid: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        per_pid[r["pid"]].append(r)
    print("| process (tokenizer) | lines | RSS at its first line MB | peak MB | largest peak rise (after cell) |")
    print("|---|---:|---:|---:|---|")
    procs = sorted(per_pid.values(), key=lambda rs: -max(x.get("vmhwm", 0) for x in rs))
    for rs in procs[: args.top]:
        toks = sorted({x["tokenizer"] for x in rs})
        rise, where, prev = 0.0, "-", rs[0].get("vmhwm", 0)
        for x in rs[1:]:
            if x.get("vmhwm", 0) - prev > rise:
                rise, where = x["vmhwm"] - prev, x["metric"]
            prev = x.get("vmhwm", 0)
        name = toks[0] if len(toks) == 1 else f"{len(toks)} tokenizers"
        first = rs[0].get("vmrss", 0)
        peak = max(x.get("vmhwm", 0) for x in rs)
        print(f"| {name} | {len(rs)} | {first:,.0f} | {peak:,.0f} | +{rise:,.0f} ({where}) |")


if __name__ == "__main__":
    main()
