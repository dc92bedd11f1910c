"""Solver comparison on the same mixture LP: highspy (warm rows) vs PuLP+HiGHS vs PuLP+CBC.

Usage: TOKBENCH_DATA=../shared/assets python benchmarks/mixture_solvers.py [--merges 500] [--langs 5]
"""

from __future__ import annotations

import argparse
import json
import time

from tokbench.corpora import load_corpus
from tokbench.mixture.history import build_history
from tokbench.mixture.infer import _replay_all, prepare_table
from tokbench.mixture.lp import SOLVERS, solve_lp
from tokbench.mixture.words import count_words
from tokbench.tokenizers import load_tokenizer


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer", default="gpt2")
    ap.add_argument("--merges", type=int, default=500)
    ap.add_argument("--langs", default="eng_Latn,fra_Latn,deu_Latn,rus_Cyrl,zho_Hans")
    a = ap.parse_args()
    tok = load_tokenizer(a.tokenizer)
    fl = load_corpus("flores200")
    words = [count_words(x, fl.texts("devtest", x), tok.pre_tokenize) for x in a.langs.split(",")]
    table = prepare_table(tok, words)
    hist = build_history(_replay_all(words, table, 0, a.merges, 2), table, 0)
    for s in SOLVERS:
        t0 = time.perf_counter()
        r = solve_lp(hist, solver=s)
        print(json.dumps({"solver": s, "seconds": round(time.perf_counter() - t0, 2), "rounds": r.rounds,
                          "rows": r.n_rows, "objective": r.objective,
                          "alpha": [round(float(x), 4) for x in r.alpha]}), flush=True)


if __name__ == "__main__":
    main()
