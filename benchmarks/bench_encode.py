"""Benchmark: encoding all of FLORES-200 (dev + devtest, 204 languages, one document per sentence).

For each tokenizer, in one process, the same 408 (split, language) cells are encoded by:
  raw      the library's own batch call per cell (tiktoken `encode_ordinary_batch(texts,
           num_threads=cpus)`, sentencepiece `encode(texts, num_threads=cpus)`); no tokbench code
  cold     `tokbench.encode.encode_cells(tok, cells)` into an empty TOKBENCH_CACHE (hashing the
           texts, encoding, writing one npz per cell)
  warm     the same call again over the filled cache, with the in-process memo cleared (what a new
           process sees): hashing the texts and reading 408 npz files
  jobs2    cold again into another empty cache with `jobs=2` (a process pool; the tokenizer
           loaded by name in each worker, the parent reads the workers' cache files)
Phases are interleaved and repeated (`--repeat`), since other jobs may share the machine; the
table gives the median and the min-max spread, ratios use medians. Corpus and tokenizer loading
are timed apart and not included. Targets: cold <= 1.15x raw, warm < 5% of cold.

Usage:
  python benchmarks/bench_encode.py [--tokenizers cl100k_base llama2] [--repeat 3] [--langs ...]
      [--data-dir ../shared/assets] [--json out.json] [--profile cold|warm]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PHASES = ("raw", "cold", "warm", "jobs2")


def raw_encoder(tok: Any):
    """The library's own batch encode, bypassing the adapter."""
    threads = os.cpu_count() or 1
    if hasattr(tok, "encoding"):  # tiktoken
        enc = tok.encoding
        return lambda texts: enc.encode_ordinary_batch(texts, num_threads=threads)
    if hasattr(tok, "processor"):  # sentencepiece
        sp = tok.processor
        return lambda texts: sp.encode(texts, num_threads=threads)
    if hasattr(tok, "backend"):  # HF tokenizers
        be = tok.backend
        return lambda texts: [e.ids for e in be.encode_batch_fast(texts, add_special_tokens=False)]
    raise SystemExit(f"no raw library path for {tok!r}")


def run_phase(phase: str, tok: Any, name: str, cells: dict[str, list[str]], root: Path) -> tuple[float, int]:
    """Seconds and total tokens of one phase."""
    from tokbench import encode as encode_mod

    if phase == "raw":
        enc = raw_encoder(tok)
        t = time.perf_counter()
        n = sum(sum(map(len, enc(texts))) for texts in cells.values())
        return time.perf_counter() - t, n
    cache = root / ("cache_jobs2" if phase == "jobs2" else "cache")
    if phase in ("cold", "jobs2"):
        shutil.rmtree(cache, ignore_errors=True)
    os.environ["TOKBENCH_CACHE"] = str(cache)
    encode_mod._memo.clear()  # a fresh process: nothing in memory
    t = time.perf_counter()
    out = encode_mod.encode_cells(tok, cells, jobs=2 if phase == "jobs2" else 1, tokenizer_ref=name, quiet=True)
    dt = time.perf_counter() - t
    encode_mod._memo.clear()
    return dt, sum(e.n_tokens for e in out.values())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokenizers", nargs="+", default=["cl100k_base", "llama2"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--langs", nargs="+", help="subset of FLORES languages (default: all 204)")
    ap.add_argument("--phases", nargs="+", default=list(PHASES), choices=PHASES)
    ap.add_argument("--data-dir", help="folder with corpora/flores200 and the tokenizers (else TOKBENCH_DATA)")
    ap.add_argument("--json", help="also write the measurements here")
    ap.add_argument("--profile", choices=["cold", "warm"], help="cProfile one extra run of this phase")
    args = ap.parse_args(argv)

    if args.data_dir:
        os.environ["TOKBENCH_DATA"] = os.pathsep.join(p for p in (args.data_dir, os.environ.get("TOKBENCH_DATA")) if p)
    os.environ["TQDM_DISABLE"] = "1"
    from tokbench.corpora import load_corpus
    from tokbench.tokenizers import load_tokenizer

    t = time.perf_counter()
    corpus = load_corpus("flores200")
    cells: dict[str, list[str]] = {}
    for split in corpus.splits:
        for lang in args.langs or corpus.languages(split):
            cells[f"{split}\t{lang}"] = corpus.texts(split, lang)
    load_corpus_s = time.perf_counter() - t
    n_docs = sum(map(len, cells.values()))
    n_bytes = sum(len(s.encode("utf-8")) for texts in cells.values() for s in texts)
    print(
        f"FLORES-200: {len(cells)} cells, {n_docs:,} sentences, {n_bytes / 1e6:.1f} MB UTF-8 "
        f"(corpus load {load_corpus_s:.1f}s); {os.cpu_count()} CPUs; load average at start "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    root = Path(tempfile.mkdtemp(prefix="tokbench_bench_encode_"))
    results: dict[str, dict[str, Any]] = {}
    try:
        for name in args.tokenizers:
            t = time.perf_counter()
            tok = load_tokenizer(name)
            load_s = time.perf_counter() - t
            times: dict[str, list[float]] = {p: [] for p in args.phases}
            tokens: dict[str, int] = {}
            for r in range(args.repeat):
                for phase in args.phases:
                    if phase == "warm" and not (root / "cache").is_dir():
                        run_phase("cold", tok, name, cells, root)  # warm needs a filled cache
                    dt, n = run_phase(phase, tok, name, cells, root)
                    times[phase].append(dt)
                    tokens.setdefault(phase, n)
                    if tokens[phase] != n or n != next(iter(tokens.values())):
                        raise SystemExit(f"{name} {phase}: {n} tokens, other phases {tokens}")
                    print(f"  {name} run {r + 1} {phase:6s} {dt:7.2f}s", flush=True)
            if args.profile:
                prof = cProfile.Profile()
                if args.profile == "warm" and not (root / "cache").is_dir():
                    run_phase("cold", tok, name, cells, root)
                prof.enable()
                run_phase(args.profile, tok, name, cells, root)
                prof.disable()
                print(f"--- cProfile {name} {args.profile} (cumulative, top 25)")
                pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(25)
            shutil.rmtree(root / "cache", ignore_errors=True)
            results[name] = {"load_seconds": load_s, "tokens": next(iter(tokens.values())), "seconds": times}
    finally:
        shutil.rmtree(root, ignore_errors=True)

    def med(name: str, phase: str) -> float:
        return statistics.median(results[name]["seconds"][phase])

    print()
    print(f"{'tokenizer':12s} {'tokens':>12s} " + " ".join(f"{p + ' s (min-max)':>22s}" for p in args.phases), end="")
    ratios = [("cold/raw", "cold", "raw"), ("warm/cold", "warm", "cold"), ("jobs2/cold", "jobs2", "cold")]
    ratios = [r for r in ratios if r[1] in args.phases and r[2] in args.phases]
    print("".join(f" {label:>10s}" for label, _, _ in ratios))
    for name, res in results.items():
        row = f"{name:12s} {res['tokens']:12,d} "
        for p in args.phases:
            xs = res["seconds"][p]
            row += f"{statistics.median(xs):8.2f} ({min(xs):5.2f}-{max(xs):5.2f}) "
        for _, a, b in ratios:
            row += f" {med(name, a) / med(name, b):10.3f}"
        print(row)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at end {load}; targets: cold/raw <= 1.15, warm/cold < 0.05")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"n_cells": len(cells), "n_docs": n_docs, "n_bytes": n_bytes, "results": results}, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
