"""Diagnostics behind reports/mixture/gemma3.md: what holds a SentencePiece tokenizer's Chinese weight.

Usage: TOKBENCH_DATA=../shared/assets python benchmarks/mixture_real_diag.py MODE [--tokenizer gemma3]
       [--merges 5000] [--min-counts 50,200,1000,none] [--extra-langs ...]
MODE:
  scripts  kana-containing and Han-only merges among the first 30k, and where the Han-only ones occur
           (FLORES devtest zho_Hans / jpn_Jpan)
  ranks    zho byte share by the character-rank threshold (RankedCounts over characters seen
           >= N times; none: no rank rows)
  order    zho byte share for three category orders, weights-stable stop vs the exact LP
  dropzho  exact LP objective with and without the zho category
Categories are `mixture_real.categories(16)` (36), words counted once per run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mixture_real import categories  # noqa: E402

from tokbench.mixture.history import build_history  # noqa: E402
from tokbench.mixture.infer import _replay_all, byte_space, prepare_table  # noqa: E402
from tokbench.mixture.lp import RankedCounts, solve_lp  # noqa: E402
from tokbench.mixture.trainer_view import char_ranks, trainer_view  # noqa: E402
from tokbench.mixture.words import count_words  # noqa: E402
from tokbench.tokenizers import load_tokenizer  # noqa: E402


def scripts(name: str) -> dict[str, int]:
    from fontTools.unicodedata import script

    from tokbench.corpora import load_corpus

    fl = load_corpus("flores200")
    zho = "\n".join(fl.texts("devtest", "zho_Hans"))
    jpn = "\n".join(fl.texts("devtest", "jpn_Jpan"))
    out = {"kana": 0, "han_only": 0, "zho_only": 0, "jpn_only": 0, "both": 0, "neither": 0}
    for a, b in load_tokenizer(name).training_merges()[:30000]:
        s = (a + b).decode("utf-8", "replace").replace(" ", "")
        sc = {script(c) for c in s}
        if sc & {"Hira", "Kana"}:
            out["kana"] += 1
        elif sc == {"Hani"}:
            out["han_only"] += 1
            iz, ij = s in zho, s in jpn
            out["both" if iz and ij else "zho_only" if iz else "jpn_only" if ij else "neither"] += 1
    return out


class Setup:
    """Words, merge table, rank counts and byte counts of one tokenizer over the categories."""

    def __init__(self, name: str, extra: tuple[str, ...]) -> None:
        self.tok = load_tokenizer(name)
        self.cats = categories(16, extra)
        self.view = trainer_view(self.tok)
        assert self.view is not None, f"{name} is not a SentencePiece-family BPE"
        pre = self.view.words(self.tok.pre_tokenize)
        self.words = [count_words(n, d, pre) for n, d in self.cats.items()]
        self.names = [w.name for w in self.words]
        self.table = prepare_table(self.tok, self.words)
        self.dummy = self.tok.pre_tokenize("a")[:1] == [b" a"]

    def solve(self, merges: int, min_count: int | None, order: np.ndarray | None = None,
              drop: tuple[str, ...] = (), exact: bool = False) -> dict[str, Any]:
        idx = [i for i in (order if order is not None else range(len(self.words))) if self.names[i] not in drop]
        words = [self.words[i] for i in idx]
        reps = _replay_all(words, self.table, 0, min(merges, self.table.n_merges), 2, None,
                           self.view.pair_ok(self.table))
        hist = build_history(reps, self.table, 0)
        ranks = None
        if min_count is not None:
            got = char_ranks(self.view, [self.cats[self.names[i]] for i in idx], self.dummy, min_count=min_count)
            if got is not None:
                mats, k = got
                ranks = RankedCounts(np.stack([np.asarray(m.sum(axis=0)).ravel() for m in mats]), k)
        kw: dict[str, Any] = {"alpha_tol": 0.0, "max_rounds": 3000} if exact else {}
        t0 = time.perf_counter()
        r = solve_lp(hist, ranks=ranks, time_limit=3000, **kw)
        nb = np.array([w.n_bytes() for w in words], np.float64)
        bw = byte_space(r.alpha, nb, hist.n_pairs)
        names = [self.names[i] for i in idx]
        return {"zho": float(bw[names.index("zho_Hans")]) if "zho_Hans" in names else None,
                "objective": r.objective, "rounds": r.rounds, "stop": r.converged,
                "max_violation": r.max_violation, "unexplained": r.skipped_steps,
                "ranked": None if ranks is None else ranks.n_ranked,
                "seconds": round(time.perf_counter() - t0, 1),
                "top": sorted(zip(names, np.round(bw, 4).tolist(), strict=True), key=lambda x: -x[1])[:6]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("scripts", "ranks", "order", "dropzho"))
    ap.add_argument("--tokenizer", default="gemma3")
    ap.add_argument("--merges", type=int, default=5000)
    ap.add_argument("--min-counts", default="50,200,1000,none")
    ap.add_argument("--extra-langs", default="")
    a = ap.parse_args()
    if a.mode == "scripts":
        print(json.dumps({"tokenizer": a.tokenizer, **scripts(a.tokenizer)}))
        return
    s = Setup(a.tokenizer, tuple(x for x in a.extra_langs.split(",") if x))
    n = len(s.words)
    if a.mode == "ranks":
        for mc in a.min_counts.split(","):
            got = s.solve(a.merges, None if mc == "none" else int(mc))
            print(json.dumps({"merges": a.merges, "min_count": mc, **got}), flush=True)
    elif a.mode == "order":
        orders = {"given": np.arange(n), "reversed": np.arange(n)[::-1],
                  "random1": np.random.default_rng(1).permutation(n)}
        for exact in (False, True):
            for label, order in orders.items():
                got = s.solve(a.merges, 200, order=order, exact=exact)
                print(json.dumps({"merges": a.merges, "order": label, "exact": exact, **got}), flush=True)
    else:
        for drop in ((), ("zho_Hans",)):
            got = s.solve(a.merges, 200, drop=drop, exact=True)
            print(json.dumps({"merges": a.merges, "drop": list(drop), **got}), flush=True)


if __name__ == "__main__":
    main()
