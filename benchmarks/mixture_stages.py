"""Stage timings of mixture inference: pre-tokenize+count, replay, index, LP (search/solve).

Usage: TOKBENCH_DATA=../shared/assets python benchmarks/mixture_stages.py [--tokenizer gpt2]
       [--merges 30000] [--langs 112] [--solver highs] [--big-mb 10] [--out reports/mixture/stages.json]
Runs (a) `--langs` FLORES devtest languages x `--merges` merges and (b) one ~10 MB category
(the English domain samples repeated to size) and writes the timings as JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

from tokbench.corpora.base import load_corpus
from tokbench.errors import TokbenchError
from tokbench.mixture.words import count_words, split_documents
from tokbench.tokenizers.loader import load_tokenizer

sys.path.insert(0, str(Path(__file__).parent))


def spread(items: list[str], k: int) -> list[str]:
    """k items spread evenly over a sorted list (deterministic language subset)."""
    if k >= len(items):
        return items
    idx = np.linspace(0, len(items) - 1, k).round().astype(int)
    return [items[i] for i in idx]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer", default="gpt2", help="registered tokenizer, or 'trained' (see below)")
    ap.add_argument("--merges", type=int, default=30000)
    ap.add_argument("--langs", type=int, default=112)
    ap.add_argument("--solver", default="highs")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--big-mb", type=float, default=10.0)
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--lp-time-limit", type=float, default=600.0)
    ap.add_argument("--train-mb", type=float, default=20.0, help="training text for --tokenizer trained")
    ap.add_argument("--bootstrap", type=int, default=0,
                    help="then run infer_mixture end to end with this many bootstrap replicates")
    ap.add_argument("--out", default="reports/mixture/stages.json")
    a = ap.parse_args()
    flores = load_corpus("flores200")
    langs = spread(sorted(flores.languages("devtest")), a.langs)
    if a.tokenizer == "trained":
        # a byte-level BPE trained on a random mixture of the same languages' FLORES dev text:
        # the regime of the controlled experiments, where the samples explain the merges
        from mixture_controlled import byte_shares, draw_tagged, log_mse, train_tokenizer

        from tokbench.tokenizers.hf import from_rust

        rng = np.random.default_rng(0)
        w = rng.dirichlet(np.ones(len(langs)))
        t0 = time.perf_counter()
        tagged = draw_tagged({x: flores.texts("dev", x) for x in langs}, w, a.train_mb * 1e6, rng)
        hf_tok = train_tokenizer([d for _, d in tagged], a.merges)
        truth = dict(zip(langs, byte_shares(tagged, langs), strict=True))  # the training text's byte shares
        print(f"trained {a.merges} merges in {time.perf_counter() - t0:.1f}s", flush=True)
        tok = from_rust(hf_tok, f"trained-{len(langs)}")
    else:
        tok = load_tokenizer(a.tokenizer)
        truth = None
    cats = {lang: flores.texts("devtest", lang) for lang in langs}
    out: dict = {"tokenizer": a.tokenizer, "merges": a.merges, "categories": len(langs), "solver": a.solver,
                 "threads": a.threads, "sample_bytes": int(sum(len(t.encode()) for v in cats.values() for t in v))}
    from tokbench.mixture.history import build_history
    from tokbench.mixture.infer import _replay_all, prepare_table
    from tokbench.mixture.lp import solve_lp

    st: dict = {}
    t0 = time.perf_counter()
    words = [count_words(k, v, tok.pre_tokenize) for k, v in cats.items()]
    st["pretokenize"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    table = prepare_table(tok, words)
    st["compile"] = time.perf_counter() - t0
    for threads in sorted({1, a.threads}):
        t0 = time.perf_counter()
        reps = _replay_all(words, table, 0, a.merges, threads)
        st[f"replay_threads{threads}"] = time.perf_counter() - t0
    st["events"] = int(sum(len(r.times) for r in reps))
    t0 = time.perf_counter()
    hist = build_history(reps, table, 0)
    st["index"] = time.perf_counter() - t0
    st["pairs"] = hist.n_gids
    del reps
    print(json.dumps(st), flush=True)
    t0 = time.perf_counter()
    try:
        lp = solve_lp(hist, solver=a.solver, time_limit=a.lp_time_limit)
        st |= {"solve": time.perf_counter() - t0, "lp_rounds": lp.rounds, "lp_rows": lp.n_rows,
               "lp_converged": lp.converged,
               "lp_search": lp.timings["search"], "lp_solver": lp.timings["solve"]}
    except TokbenchError as e:
        st |= {"solve": time.perf_counter() - t0, "solve_error": str(e)}
    out["flores"] = st
    print(json.dumps(st, indent=1), flush=True)
    if a.bootstrap:
        from tokbench.mixture.infer import infer_mixture

        t0 = time.perf_counter()
        r = infer_mixture(tok, cats, merges=a.merges, bootstrap=a.bootstrap, threads=a.threads, seed=0)
        out["infer"] = {"wall": time.perf_counter() - t0, "timings": r.timings, "lp_rounds": r.lp.rounds,
                        "byte_weights": r.byte_weights, "ci95_bytes": r.ci.get("byte_weights", {})}
        if truth is not None:  # where the truth is known: the estimate's error and the intervals' coverage
            est, ci = r.byte_weights, r.ci["byte_weights"]
            out["infer"]["log10_mse_bytes"] = log_mse(np.array([est[x] for x in langs]),
                                                      np.array([truth[x] for x in langs]))
            out["infer"]["ci95_covers_truth"] = float(np.mean([ci[x][0] <= truth[x] <= ci[x][1] for x in langs]))
            # the "basic" bootstrap interval: the percentile one reflected about the estimate
            out["infer"]["basic_ci95_covers_truth"] = float(np.mean(
                [2 * est[x] - ci[x][1] <= truth[x] <= 2 * est[x] - ci[x][0] for x in langs]))
            out["infer"]["ci95_covers_estimate"] = float(np.mean([ci[x][0] <= est[x] <= ci[x][1] for x in langs]))
        print(json.dumps({k: v for k, v in out["infer"].items() if k != "ci95_bytes"}), flush=True)
    if not a.skip_big:
        ds = load_corpus("domain_samples")
        text = "\n".join(ds.texts(ds.splits[0], "books") + ds.texts(ds.splits[0], "docs"))
        reps = int(np.ceil(a.big_mb * 1e6 / len(text.encode())))
        docs = split_documents(text * reps)
        t0 = time.perf_counter()
        cw = count_words("big", docs, tok.pre_tokenize)
        t_count = time.perf_counter() - t0
        table = prepare_table(tok, [cw])
        t0 = time.perf_counter()
        rep = _replay_all([cw], table, 0, a.merges, 1)[0]
        out["big"] = {"bytes": cw.n_bytes(), "pretokenize": t_count, "replay": time.perf_counter() - t0,
                      "events": int(len(rep.times))}
        print(json.dumps(out["big"]), flush=True)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
