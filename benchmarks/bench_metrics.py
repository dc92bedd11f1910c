"""Benchmark: the FLORES premium + compression grid, cold and warm, against the raw batch encode.

One run measures, each phase in its own subprocess (so peak RSS is per phase):
  raw       the tokenizer library's batch encode of exactly the texts tokbench encodes
            (per language: the Petrov joined dev+devtest string, and the devtest sentences)
  cold      `tokbench run` of the default metric suite with an empty encode cache and output dir
  warm      the same command again (finished cells are skipped: the resume path)
  warmcache a fresh output dir over the warm encode cache (metrics recomputed, nothing encoded)

Every phase reports wall and CPU seconds (user+sys of the phase's whole process tree) and the load
average: on a shared machine quote the CPU figures, or the wall ones only from a quiet machine. The
temporary encode cache starts with a copy of your cache's accelerator certificates (earned once per
tokenizer file; `--no-certificates` makes the cold run certify too).

Usage:
  python benchmarks/bench_metrics.py [--tokenizers a b ...] [--langs ...] [--metrics ...] [--raw joined]
      [--json out.json]
Targets (issue 3): cold <= 1.3x raw, peak RSS < 1 GB, warm <= 5% of cold. Issue 21: with --metrics ctc
--raw joined (the raw call encodes exactly what ctc encodes), cold <= 0.25x raw.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def phase_raw(args: argparse.Namespace) -> dict[str, Any]:
    """Raw batch encode of the same texts; tokenizer loading timed apart."""
    from tokbench.corpora import load_corpus
    from tokbench.metrics import CorpusView
    from tokbench.tokenizers import load_tokenizer

    view = CorpusView(load_corpus("flores200"))
    langs = args.langs or view.languages("devtest")
    joined = [view.joined(("dev", "devtest"), lang)[0] for lang in langs]
    sentences = [view.docs("devtest", lang)[1] for lang in langs]
    load = encode = encode_cpu = 0.0
    tokens = 0
    joined_counts: dict[str, dict[str, int]] = {}  # tokenizer -> language -> tokens of the joined text
    for name in args.tokenizers:
        t = time.perf_counter()
        tok = load_tokenizer(name)
        load += time.perf_counter() - t
        t, c = time.perf_counter(), time.process_time()
        per_lang = joined_counts.setdefault(name, {})
        for lang, text, sents in zip(langs, joined, sentences, strict=True):
            per_lang[lang] = sum(map(len, tok.encode_batch([text])))
            tokens += per_lang[lang]
            if args.raw != "joined":
                tokens += sum(map(len, tok.encode_batch(sents)))
        encode += time.perf_counter() - t
        encode_cpu += time.process_time() - c
    return {"seconds": encode, "encode_cpu_s": round(encode_cpu, 2), "load_seconds": load, "tokens": tokens,
            "peak_rss_mb": _peak_rss_mb(), "joined_counts": joined_counts}


def ctc_differences(raw_counts: dict[str, dict[str, int]], results: Path) -> list[tuple[str, str, int, float]]:
    """(tokenizer, language, raw count, run's ctc) wherever the cold run's corpus token count is not the raw
    library's count of the same joined text: the accelerated run must give the library's numbers."""
    import pandas as pd

    df = pd.read_parquet(results)
    ctc = df[(df.metric == "ctc") & (df.language != "ALL")].set_index(["tokenizer", "language"])["value"]
    return [(tok, lang, n, float(ctc.get((tok, lang), float("nan"))))
            for tok, langs in raw_counts.items() for lang, n in langs.items()
            if ctc.get((tok, lang)) != n]


def phase_run(args: argparse.Namespace) -> dict[str, Any]:
    from tokbench.runner import RunConfig, run_grid

    cfg = RunConfig(out=Path(args.out), tokenizers=args.tokenizers, corpora=["flores200"], metrics=args.metrics,
                    langs=args.langs, options={}, isolate=not args.in_process)  # fmt: skip
    t = time.perf_counter()
    summary = run_grid(cfg, log=lambda s: None)
    return {
        "seconds": time.perf_counter() - t,
        "computed": summary.computed,
        "skipped": summary.skipped,
        "rows": len(summary.table),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _pss_kb(pid: int) -> int:
    """Proportional set size: pages shared with the forkserver (preloaded modules) count once overall."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            return next((int(line.split()[1]) for line in fh if line.startswith("Pss:")), 0)
    except (OSError, ValueError):
        return 0


def _tree_rss_kb(root: int) -> tuple[int, int]:
    """(PSS sum, max RSS) over `root` and all its descendants, from /proc (Linux)."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/status") as fh:
                fields = dict(line.split(":", 1) for line in fh if ":" in line)
            parent[int(d)] = int(fields["PPid"])
            rss[int(d)] = int(fields.get("VmRSS", "0 kB").split()[0])
        except (OSError, KeyError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        kids = [p for p, pp in parent.items() if pp in frontier and p not in tree]
        tree.update(kids)
        frontier = kids
    return sum(_pss_kb(p) for p in tree), max((rss.get(p, 0) for p in tree), default=0)


def _child(phase: str, args: argparse.Namespace, out: str, env: dict[str, str]) -> dict[str, Any]:
    """Run one phase in a subprocess; sample the RSS of its whole process tree (the runner's child
    processes and forkserver included) every 0.2 s, since ru_maxrss sees one process only."""
    cmd = [sys.executable, __file__, "--phase", phase, "--out", out, "--raw", args.raw,
           "--tokenizers", *args.tokenizers]
    if args.langs:
        cmd += ["--langs", *args.langs]
    if args.metrics:
        cmd += ["--metrics", *args.metrics]
    if args.in_process:
        cmd += ["--in-process"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_sum = peak_one = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_sum, peak_one
        while not stop.wait(0.2):
            total, one = _tree_rss_kb(proc.pid)
            peak_sum, peak_one = max(peak_sum, total), max(peak_one, one)

    sampler = threading.Thread(target=sample, daemon=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load0 = os.getloadavg()[0]
    wall = time.perf_counter()
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - wall
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the phase and every descendant it waited for
    if proc.returncode != 0:
        raise SystemExit(f"phase {phase} failed:\n{stderr[-3000:]}")
    res = json.loads(stdout.strip().splitlines()[-1])
    res["peak_tree_rss_mb"] = peak_sum / 1024.0  # all processes of the phase at once (PSS: shared pages once)
    res["peak_process_rss_mb"] = max(peak_one / 1024.0, res["peak_rss_mb"])  # the largest single process
    res["process_wall_s"] = round(wall, 2)  # the phase's whole process, interpreter start and imports included
    res["cpu_s"] = round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2)
    res["load"] = [round(load0, 1), round(os.getloadavg()[0], 1)]
    return res


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tokenizers", nargs="+", help="default: every available registered tokenizer")
    p.add_argument("--langs", nargs="+")
    p.add_argument("--metrics", nargs="+", help="default: the default suite (premium, ctc, compression set)")
    p.add_argument("--json", type=Path, help="also write the figures here")
    p.add_argument("--keep", type=Path, help="copy the cold run's results folder here")
    p.add_argument("--in-process", action="store_true", help="all tokenizers in one process (the pre-isolation runner)")
    p.add_argument("--raw", choices=["joined", "joined+sentences"], default="joined+sentences",
                   help="what the raw phase encodes per language (joined: the Petrov text only, what ctc encodes)")
    p.add_argument("--no-certificates", action="store_true",
                   help="do not copy your cache's accelerator certificates into the temporary cache")
    p.add_argument("--phase", choices=["raw", "run"], help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.phase:
        print(json.dumps(phase_raw(args) if args.phase == "raw" else phase_run(args)))
        return
    if not args.tokenizers:
        from tokbench.runner import available_tokenizers

        args.tokenizers = available_tokenizers()
    with tempfile.TemporaryDirectory(prefix="tokbench-bench-") as tmp:
        env = {**os.environ, "TOKBENCH_CACHE": str(Path(tmp) / "cache")}
        if not args.no_certificates:
            from tokbench.datadirs import cache_dir

            if (cache_dir() / "certificates").is_dir():
                shutil.copytree(cache_dir() / "certificates", Path(tmp) / "cache" / "certificates")
        out = {"tokenizers": args.tokenizers, "n_langs": len(args.langs) if args.langs else 204}
        out["raw"] = _child("raw", args, str(Path(tmp) / "unused"), env)
        out["cold"] = _child("run", args, str(Path(tmp) / "out"), env)
        out["warm"] = _child("run", args, str(Path(tmp) / "out"), env)
        out["warmcache"] = _child("run", args, str(Path(tmp) / "out2"), env)
        raw_counts = out["raw"].pop("joined_counts")  # not printed: one number per tokenizer and language
        if "ctc" in (args.metrics or ["ctc"]):  # the default suite includes ctc
            diff = ctc_differences(raw_counts, Path(tmp) / "out" / "results.parquet")
            out["ctc_counts_compared"] = sum(map(len, raw_counts.values()))
            out["ctc_counts_identical_to_raw"] = not diff
            out["ctc_differences"] = diff[:20]
        if args.keep:
            shutil.copytree(Path(tmp) / "out", args.keep, dirs_exist_ok=True)
    raw, cold, warm = out["raw"]["seconds"], out["cold"]["seconds"], out["warm"]["seconds"]
    out["cold_over_raw_encode"] = cold / raw
    out["cold_over_raw_encode_plus_load"] = cold / (raw + out["raw"]["load_seconds"])
    out["warm_over_cold"] = warm / cold
    out["warmcache_over_cold"] = out["warmcache"]["seconds"] / cold
    out["peak_rss_mb"] = max(out[k]["peak_process_rss_mb"] for k in ("cold", "warm", "warmcache"))
    out["peak_tree_rss_mb"] = max(out[k]["peak_tree_rss_mb"] for k in ("cold", "warm", "warmcache"))
    out["cold_cpu_over_raw_cpu"] = out["cold"]["cpu_s"] / out["raw"]["encode_cpu_s"]
    out["cold_process_over_raw_encode"] = out["cold"]["process_wall_s"] / raw
    print(json.dumps(out, indent=1))
    print(
        f"{len(args.tokenizers)} tokenizers x {out['n_langs']} languages: raw encode {raw:.1f}s "
        f"(+{out['raw']['load_seconds']:.1f}s load), cold {cold:.1f}s = {out['cold_over_raw_encode']:.2f}x raw "
        f"({out['cold_over_raw_encode_plus_load']:.2f}x raw+load), warm re-run {warm:.2f}s = "
        f"{100 * out['warm_over_cold']:.1f}% of cold, warm cache/new out {out['warmcache']['seconds']:.1f}s, "
        f"peak RSS {out['peak_rss_mb']:.0f} MB per process, {out['peak_tree_rss_mb']:.0f} MB all processes at once"
    )
    print(
        f"whole cold process {out['cold']['process_wall_s']:.1f}s = {out['cold_process_over_raw_encode']:.2f}x raw "
        f"encode; CPU: raw encode {out['raw']['encode_cpu_s']:.1f}s, cold process {out['cold']['cpu_s']:.1f}s "
        f"({out['cold_cpu_over_raw_cpu']:.2f}x); load {out['raw']['load']} -> {out['cold']['load']}"
    )
    if "ctc_counts_identical_to_raw" in out:
        print(f"ctc counts identical to the raw library's: {'yes' if out['ctc_counts_identical_to_raw'] else 'NO'} "
              f"({out['ctc_counts_compared']} tokenizer x language counts; differences: {out['ctc_differences'][:5]})")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
