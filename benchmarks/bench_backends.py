"""Benchmark: the reference library's batch encode against each accelerator, on the same texts, in one run.

For each tokenizer, the texts are encoded one language at a time (as `tokbench run` does): by the
reference adapter's batch call (`Tokenizer.encode_batch`: the library's own multi-threaded batch
path, ids as lists) and by every registered accelerator that loads the file (`FastEncoder.encode_flat`,
ids as arrays), phases interleaved per repetition; ids are compared document by document. Texts:
FLORES-200 dev, every language (203,388 sentences), when a data directory has it, else the vendored
UDHR. Load times (for an accelerator: loading plus its first one-word call, where gigatoken builds
its tables, ~1 s) are reported apart and not included. `ids identical` is this benchmark's own
comparison on these texts; with --certify the gate's certificate (tokbench.backends: earned on
first use, stored in TOKBENCH_CACHE) is shown too.

Each phase reports wall time and CPU time (user+sys of this process, all its threads): on a shared
machine the wall ratio moves with the load, the CPU one much less (say which one you quote). The
accelerator is re-loaded before each repetition, so its caches are as cold as in a `tokbench run`
child (gigatoken keeps a pretoken cache across calls: a second pass over the same texts costs about
half). `--batch all` encodes every document in one call (how tokbench run now batches: several
languages per call) instead of one call per language.

Usage:
  python benchmarks/bench_backends.py [--tokenizers gpt2 llama3 ...] [--repeat 1] [--langs ...] [--certify]
      [--batch lang|all] [--data-dir ../shared/assets] [--json out.json] [--markdown out.md]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_TOKENIZERS = ["gpt2", "r50k_base", "cl100k_base", "o200k_base", "llama3", "qwen3", "gemma3", "llama2",
                      "mistral_v1", "mistral_v3", "phi3", "mistral_tekken", "bert_base_uncased", "xlm_roberta",
                      "deepseek_coder", "deepseek_llm", "command_r", "falcon", "starcoder"]  # the last five: fastokens


def corpus_cells(langs: list[str] | None) -> tuple[str, dict[str, list[str]]]:
    from tokbench.corpora import load_corpus
    from tokbench.manifests import corpus_manifests

    m = corpus_manifests().get("flores200")
    name, split = ("flores200", "dev") if m is not None and m.availability() != "missing" else ("udhr", "articles")
    corpus = load_corpus(name)
    have = corpus.languages(split)
    return f"{name} {split}", {lang: list(corpus.texts(split, lang)) for lang in (langs or have) if lang in have}


def first_diff(ref: list[list[int]], ids: np.ndarray, off: np.ndarray) -> int | None:
    if len(off) != len(ref) + 1:
        return 0
    for i, r in enumerate(ref):
        if not np.array_equal(ids[off[i] : off[i + 1]], np.asarray(r, dtype=np.uint32)):
            return i
    return None


def certificate(tok: Any, accelerator: str) -> str:
    """The gate's verdict for this tokenizer file and accelerator (certifying it now if needed)."""
    from tokbench.backends import certify, gate

    gate.configure(backend="auto")
    gate.describe(tok)
    docs = [c for c in certify.certificates_for(tok.sha256) if c["accelerator"] == accelerator]
    if not docs:
        return "none"
    c = docs[-1]
    return c["status"] + (f" ({c['seconds']} s)" if c["status"] == "certified" else f": {c['reason']}")


def _timed(fn: Any) -> tuple[Any, float, float]:
    """(result, wall s, CPU s of this process: user+sys of all its threads)."""
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t, time.process_time() - c


def bench_tokenizer(
    name: str, cells: dict[str, list[str]], repeat: int, certify: bool, batch: str = "lang"
) -> list[dict[str, Any]]:
    from tokbench.backends import ACCELERATORS
    from tokbench.tokenizers import load_tokenizer

    t = time.perf_counter()
    tok = load_tokenizer(name)
    ref_load = time.perf_counter() - t
    library = _library_batch(tok, cells, repeat, batch)
    rows = []
    for acc_name, acc in sorted(ACCELERATORS.items(), key=lambda item: (item[1].order, item[0])):  # as auto tries
        row: dict[str, Any] = {"tokenizer": name, "algorithm": tok.algorithm, "reference": type(tok).__name__,
                               "accelerator": f"{acc_name} {acc.version}", "reference_load_s": round(ref_load, 2)}
        t = time.perf_counter()
        fast = acc.load(tok)
        if isinstance(fast, str):
            rows.append({**row, "note": fast})
            continue
        fast.encode_flat(["warm-up"])  # gigatoken builds its tables on the first call (~1 s): a load cost
        row["accelerator_load_s"] = round(time.perf_counter() - t, 2)
        if certify:
            row["certificate"] = certificate(tok, acc_name)
        ref_times, fast_times, ref_cpu, fast_cpu, bad = [], [], [], [], None
        everything = [t for texts in cells.values() for t in texts]
        for k in range(repeat):
            if batch == "all":
                batch_ref, w, c = _timed(lambda e=everything: tok.encode_batch(e))
                ref, i = {}, 0
                for lang, texts in cells.items():
                    ref[lang], i = batch_ref[i : i + len(texts)], i + len(texts)
                del batch_ref
            else:
                ref, w, c = _timed(lambda: {lang: tok.encode_batch(texts) for lang, texts in cells.items()})
            ref_times.append(w)
            ref_cpu.append(c)
            if k:  # cold caches each time, as in a run's child process
                del fast
                fast = acc.load(tok)
                assert not isinstance(fast, str)
                fast.encode_flat(["warm-up"])
            if batch == "all":
                (ids_all, off_all), w, c = _timed(lambda f=fast, e=everything: f.encode_flat(e))
                out, i = {}, 0
                for lang, texts in cells.items():
                    o = off_all[i : i + len(texts) + 1]
                    out[lang], i = (ids_all[o[0] : o[-1]], o - o[0]), i + len(texts)
            else:
                out, w, c = _timed(lambda f=fast: {lang: f.encode_flat(texts) for lang, texts in cells.items()})
            fast_times.append(w)
            fast_cpu.append(c)
            if bad is None:
                for lang, (ids, off) in out.items():
                    if (i := first_diff(ref[lang], ids, off)) is not None:
                        bad = f"{lang} document {i}"
                        break
            n_tokens = sum(int(off[-1]) for _, off in out.values())
            del ref, out
        r, f = statistics.median(ref_times), statistics.median(fast_times)
        rc, fc = statistics.median(ref_cpu), statistics.median(fast_cpu)
        rows.append({**row, "reference_s": round(r, 2), "accelerator_s": round(f, 2), "speedup": round(r / f, 1),
                     "reference_cpu_s": round(rc, 2), "accelerator_cpu_s": round(fc, 2),
                     "cpu_speedup": round(rc / fc, 1), "load": round(os.getloadavg()[0], 1),
                     "ids_identical": "yes" if bad is None else f"no ({bad})", "tokens": n_tokens})
        if library:
            lw, lc = library
            rows[-1].update(library_batch_s=round(lw, 2), library_batch_cpu_s=round(lc, 2),
                            speedup_vs_library=round(lw / f, 1), cpu_speedup_vs_library=round(lc / fc, 1))
    return rows


def _library_batch(tok: Any, cells: dict[str, list[str]], repeat: int, batch: str) -> tuple[float, float] | None:
    """For a tiktoken tokenizer, (wall s, CPU s) of tiktoken's own batch call, `encode_ordinary_batch`, on the
    same texts (medians over `repeat`): the reference adapter splits a batch into one chunk per thread instead,
    which is faster than the library's call (a thread-pool future per text), so the two are reported apart.
    Its ids are checked against the adapter's. None for the other libraries, whose batch call the adapter is."""
    from tokbench.tokenizers.tiktoken_ import TiktokenTokenizer

    if not isinstance(tok, TiktokenTokenizer) or tok.encode_batch(["a b"]) != [tok.encoding.encode_ordinary("a b")]:
        return None  # another library, or ids shifted by an offset (tekken)
    enc = tok.encoding
    walls, cpus = [], []
    for _ in range(repeat):
        if batch == "all":
            everything = [t for texts in cells.values() for t in texts]
            out, w, c = _timed(lambda e=everything: enc.encode_ordinary_batch(e))
            assert out == tok.encode_batch(everything), "tiktoken's batch call and the adapter disagree"
        else:
            out, w, c = _timed(lambda: {lang: enc.encode_ordinary_batch(texts) for lang, texts in cells.items()})
            assert out == {lang: tok.encode_batch(texts) for lang, texts in cells.items()}, \
                "tiktoken's batch call and the adapter disagree"
        del out
        walls.append(w)
        cpus.append(c)
    return statistics.median(walls), statistics.median(cpus)


def markdown(rows: list[dict[str, Any]], texts: str, n_docs: int, batch: str = "lang") -> str:
    how = "one batch per language" if batch == "lang" else "all documents in one batch"
    out = [f"Texts: {texts}, {n_docs:,} documents, {how}; medians; load times not included; CPU = user+sys "
           "of all threads. For tiktoken tokenizers, `library batch` is tiktoken's own encode_ordinary_batch "
           "(the reference adapter chunks per thread instead), with the accelerator's speedup against it.", "",
           "| tokenizer | algorithm | accelerator | reference s (CPU s) | accelerator s (CPU s) | speedup wall | "
           "speedup CPU | library batch s (CPU s) | speedup vs library wall / CPU | load avg | ids identical | "
           "load s (ref / accel) | certificate / note |",
           "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|"]
    for r in rows:
        ref = f"{r['reference_s']} ({r['reference_cpu_s']})" if "reference_s" in r else ""
        acc = f"{r['accelerator_s']} ({r['accelerator_cpu_s']})" if "accelerator_s" in r else ""
        lib = f"{r['library_batch_s']} ({r['library_batch_cpu_s']})" if "library_batch_s" in r else ""
        vs_lib = f"{r['speedup_vs_library']}x / {r['cpu_speedup_vs_library']}x" if "library_batch_s" in r else ""
        out.append(f"| {r['tokenizer']} | {r['algorithm']} | {r['accelerator']} | {ref} | {acc} | "
                   f"{str(r['speedup']) + 'x' if 'speedup' in r else ''} | "
                   f"{str(r['cpu_speedup']) + 'x' if 'cpu_speedup' in r else ''} | {lib} | {vs_lib} | "
                   f"{r.get('load', '')} | "
                   f"{r.get('ids_identical', '')} | {r['reference_load_s']} / {r.get('accelerator_load_s', '')} | "
                   f"{r.get('certificate') or r.get('note', '')} |")
    return "\n".join(out)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tokenizers", nargs="+", default=DEFAULT_TOKENIZERS)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--langs", nargs="+")
    p.add_argument("--data-dir", action="append")
    p.add_argument("--certify", action="store_true", help="show (and earn, if missing) the gate's certificates")
    p.add_argument("--batch", choices=["lang", "all"], default="lang",
                   help="one encoder call per language (default) or one for all documents")
    p.add_argument("--json")
    p.add_argument("--markdown")
    args = p.parse_args()
    from tokbench.datadirs import set_cli_data_dirs
    from tokbench.errors import TokbenchError

    set_cli_data_dirs(args.data_dir)
    texts, cells = corpus_cells(args.langs)
    n_docs = sum(map(len, cells.values()))
    print(f"{texts}: {len(cells)} languages, {n_docs:,} documents; {os.cpu_count()} cpus, load {os.getloadavg()}",
          file=sys.stderr)
    rows = []
    for name in args.tokenizers:
        try:
            got = bench_tokenizer(name, cells, args.repeat, args.certify, args.batch)
        except TokbenchError as e:
            print(f"{name}: skipped ({e})", file=sys.stderr)
            continue
        for r in got:
            print(json.dumps(r), file=sys.stderr)
        rows += got
    table = markdown(rows, texts, n_docs, args.batch)
    print(table)
    if args.markdown:
        Path(args.markdown).write_text(table + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps({"texts": texts, "documents": n_docs, "rows": rows}, indent=1) + "\n",
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
