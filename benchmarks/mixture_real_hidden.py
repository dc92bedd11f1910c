"""Controlled: what unlisted languages do to a small Chinese share on a SentencePiece BPE.

A SentencePiece BPE (the library's trainer, `spm.train_bpe`) is trained on FLORES dev text of 8
"listed" languages, Chinese at a small known share, plus "hidden" languages that get no category
at inference (as Gemma 3's many languages do in `mixture_real.py`). Inference runs on FLORES
devtest of the listed languages only; truth is the listed languages' shares renormalised. Three
variants per seed: Japanese hidden (it shares Han characters and Han merges with Chinese), no
Japanese at all, Japanese listed.

Usage: TOKBENCH_DATA=../shared/assets python benchmarks/mixture_real_hidden.py [--seeds 0,1,2]
       [--zho 0.002] [--vocab 8000] [--out reports/mixture/gemma3_hidden.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from mixture_controlled import draw_docs  # noqa: E402

from tokbench.corpora import load_corpus  # noqa: E402
from tokbench.mixture.infer import infer_mixture  # noqa: E402
from tokbench.tokenizers.spm import train_bpe  # noqa: E402

LISTED = {"eng_Latn": 0.35, "spa_Latn": 0.08, "rus_Cyrl": 0.06, "ben_Beng": 0.04, "heb_Hebr": 0.03,
          "cym_Latn": 0.02, "kir_Cyrl": 0.02}
HIDDEN = {"hin_Deva": 0.08, "deu_Latn": 0.08, "vie_Latn": 0.05, "fra_Latn": 0.05, "kor_Hang": 0.03,
          "tam_Taml": 0.03, "tha_Thai": 0.03}
JPN = 0.05
VARIANTS = ("jpn_hidden", "no_jpn", "jpn_listed")


def mixture(variant: str, zho: float) -> tuple[dict[str, float], list[str]]:
    """Training weights (sum 1) and the listed categories of one variant."""
    w = {**LISTED, "zho_Hans": zho, **HIDDEN}
    listed = [*LISTED, "zho_Hans"]
    if variant != "no_jpn":
        w["jpn_Jpan"] = JPN
    if variant == "jpn_listed":
        listed.append("jpn_Jpan")
    tot = sum(w.values())
    return {k: v / tot for k, v in w.items()}, listed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--zho", type=float, default=0.002, help="Chinese share of the whole training text")
    ap.add_argument("--vocab", type=int, default=8000)
    ap.add_argument("--budget-mb", type=float, default=3.0)
    ap.add_argument("--out", default="reports/mixture/gemma3_hidden.json")
    a = ap.parse_args()
    fl = load_corpus("flores200")
    rows = []
    for seed in map(int, a.seeds.split(",")):
        for variant in VARIANTS:
            w, listed = mixture(variant, a.zho)
            # with replacement, as the controlled experiments draw
            docs = draw_docs({x: fl.texts("dev", x) for x in w}, np.array(list(w.values())), int(a.budget_mb * 1e6),
                             np.random.default_rng(seed))
            tok = train_bpe(docs, a.vocab, f"hidden-{variant}-{seed}")
            t0 = time.perf_counter()
            r = infer_mixture(tok, {x: fl.texts("devtest", x) for x in listed}, merges=None, time_limit=900)
            tot = sum(w[x] for x in listed)
            row = {"seed": seed, "variant": variant, "merges": r.merges_used,
                   "zho_true": w["zho_Hans"] / tot, "zho_est": r.byte_weights["zho_Hans"],
                   "truth": {x: w[x] / tot for x in listed}, "est": r.byte_weights,
                   "unexplained": r.lp.skipped_steps, "lp_rounds": r.lp.rounds,
                   "seconds": time.perf_counter() - t0}
            rows.append(row)
            print(json.dumps({k: row[k] for k in ("seed", "variant", "merges", "zho_true", "zho_est", "unexplained")}),
                  flush=True)
    Path(a.out).write_text(json.dumps({"args": vars(a), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
