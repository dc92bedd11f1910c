"""Controlled experiments: train byte-level BPE on known random mixtures, infer, score log10 MSE.

Weights are uniform on the simplex (seeded). Training text for category i is drawn (with
replacement, or with --draw cycle as in the paper's code) from its *training* documents until it
holds w_i x budget bytes; inference uses *disjoint* documents (FLORES dev -> devtest; code:
alternate files). Estimates are scored against the exact byte shares of the training text, as the
paper's score_solution does (with replacement the draw overshoots w_i by up to one document, up to
50 KB for code; `log10_mse_bytes_vs_dirichlet` keeps the old score against w). Baselines: uniform
guess, random simplex guess, and encoding efficiency (share proportional to the tokenizer's bytes/token).

Usage: TOKBENCH_DATA=../shared/assets python benchmarks/mixture_controlled.py
       [--setups lang5,lang10,code15] [--trials 3] [--merges 3000] [--budget-mb 3]
       [--sample-fracs 1.0] [--out reports/mixture/controlled.json]
       [--trainers bytelevel,spm] [--spm-vocab 8000] [--include zho_Hans,jpn_Jpan,tha_Thai]

With `--trainers bytelevel,spm` each trial trains both a byte-level BPE (HF) and a SentencePiece BPE
(byte fallback, vocab --spm-vocab) on the same mixture; the byte-level one gets as many merges as the
SentencePiece model has, so the two rows of a trial differ only in the trainer. `--include` forces
languages into every language mixture (the rest drawn at random).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from tokbench.corpora import load_corpus
from tokbench.mixture.infer import infer_mixture
from tokbench.tokenizers.hf import from_rust
from tokbench.tokenizers.spm import train_bpe


def spread(items: list[str], k: int, rng: np.random.Generator) -> list[str]:
    return sorted(rng.choice(items, size=min(k, len(items)), replace=False).tolist())


def setup_data(name: str, rng: np.random.Generator,
               include: tuple[str, ...] = ()) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    if name.startswith("lang"):
        n = int(name[4:])
        fl = load_corpus("flores200")
        rest = [x for x in fl.languages("dev") if x not in include]
        langs = sorted([*include[:n], *spread(rest, max(0, n - len(include)), rng)])
        return {x: fl.texts("dev", x) for x in langs}, {x: fl.texts("devtest", x) for x in langs}
    cs = load_corpus("code_samples")
    split = cs.splits[0]
    train, test = {}, {}
    for x in cs.languages(split):
        docs = [d for d in cs.texts(split, x) if d.strip()]
        train[x], test[x] = docs[0::2], docs[1::2]
    return train, test


def draw_tagged(train: dict[str, list[str]], w: np.ndarray, budget: float, rng: np.random.Generator,
                how: str = "replace") -> list[tuple[str, str]]:
    """Training documents with their category, shuffled, category i holding about w_i x budget bytes.

    ``replace``: documents drawn with replacement until the share is reached (overshoots by up to
    one document). ``cycle``: the protocol of the paper's code (Hayase et al. 2024,
    train_mixed_tokenizer.py): the pool shuffled once and cycled, the last document truncated so
    the share is exact."""
    docs: list[tuple[str, str]] = []
    for (name, pool), wi in zip(train.items(), w, strict=True):
        lens = np.array([len(d.encode()) for d in pool])
        target = wi * budget
        got = 0.0
        if how == "replace":
            while got < target:
                j = int(rng.integers(len(pool)))
                docs.append((name, pool[j]))
                got += lens[j]
            continue
        order = rng.permutation(len(pool))
        k = 0
        while got < target:
            j = int(order[k % len(pool)])
            d = pool[j]
            if got + lens[j] > target:
                d = d.encode()[: int(target - got)].decode("utf-8", errors="ignore")
                if not d:
                    break
            docs.append((name, d))
            got += len(d.encode())
            k += 1
    idx = list(range(len(docs)))
    rng.shuffle(idx)
    return [docs[i] for i in idx]


def byte_shares(tagged: list[tuple[str, str]], names: list[str]) -> np.ndarray:
    """The exact byte share of each category in the training text (what the paper scores against)."""
    pos = {x: i for i, x in enumerate(names)}
    b = np.zeros(len(names))
    for t, d in tagged:  # one pass: each document is encoded once, not once per category
        b[pos[t]] += len(d.encode())
    return b / b.sum()


def draw_docs(train: dict[str, list[str]], w: np.ndarray, budget: float, rng: np.random.Generator) -> list[str]:
    return [d for _, d in draw_tagged(train, w, budget, rng)]


def train_tokenizer(docs: list[str], merges: int) -> Tokenizer:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tr = trainers.BpeTrainer(vocab_size=256 + merges, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                             show_progress=False)
    tok.train_from_iterator(docs, tr)
    return tok


def log_mse(est: np.ndarray, w: np.ndarray) -> float:
    return float(np.log10(np.mean((est - w) ** 2)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--setups", default="lang5,lang10,code15")
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--merges", type=int, default=3000)
    ap.add_argument("--budget-mb", type=float, default=3.0)
    ap.add_argument("--sample-fracs", default="1.0")
    ap.add_argument("--solver", default="highs")
    ap.add_argument("--out", default="reports/mixture/controlled.json")
    ap.add_argument("--trainers", default="bytelevel", help="bytelevel, spm or bytelevel,spm")
    ap.add_argument("--spm-vocab", type=int, default=8000)
    ap.add_argument("--include", default="", help="languages forced into every lang mixture")
    ap.add_argument("--draw", choices=("replace", "cycle"), default="replace",
                    help="training text: documents drawn with replacement, or cycled as in the paper's code")
    ap.add_argument("--quiet", action="store_true", help="no LP progress (rows are still printed)")
    a = ap.parse_args()
    include = tuple(x for x in a.include.split(",") if x)
    trainers = a.trainers.split(",")
    fracs = [float(x) for x in a.sample_fracs.split(",")]
    rows = []
    for setup in a.setups.split(","):
        for trial in range(a.trials):
            rng = np.random.default_rng(1000 * trial + len(setup))
            train, test = setup_data(setup if setup.startswith("lang") else "code", rng, include)
            n = len(train)
            w = rng.dirichlet(np.ones(n))
            tagged = draw_tagged(train, w, a.budget_mb * 1e6, rng, a.draw)
            docs = [d for _, d in tagged]
            names = list(test)
            truth = byte_shares(tagged, names)
            merges = a.merges
            for trainer in (["spm"] if "spm" in trainers else []) + (["bytelevel"] if "bytelevel" in trainers else []):
                t0 = time.perf_counter()
                if trainer == "spm":
                    src = train_bpe(docs, a.spm_vocab, f"{setup}-t{trial}-spm")
                    merges = len(src.merges())  # the byte-level run of this trial gets as many
                    encode = src.encode_batch
                else:
                    tok = train_tokenizer(docs, merges)
                    src = from_rust(tok, f"{setup}-t{trial}")
                    encode = src.encode_batch
                t_train = time.perf_counter() - t0
                eff = np.array([
                    sum(len(d.encode()) for d in test[x]) / max(1, sum(len(e) for e in encode(test[x])))
                    for x in names
                ])
                base = {
                    "uniform": log_mse(np.full(n, 1 / n), truth),
                    "random_simplex": float(np.mean([log_mse(rng.dirichlet(np.ones(n)), truth) for _ in range(100)])),
                    "encoding_efficiency": log_mse(eff / eff.sum(), truth),
                }
                for frac in fracs:
                    sub = {x: test[x][: max(1, int(len(test[x]) * frac))] for x in names}
                    t0 = time.perf_counter()
                    r = infer_mixture(src, sub, merges=merges, solver=a.solver, threads=2)
                    est_b = np.array([r.byte_weights[x] for x in names])
                    est_p = np.array([r.weights[x] for x in names])
                    row = {"setup": setup, "trial": trial, "trainer": trainer, "n": n, "langs": names,
                           "sample_frac": frac,
                           "sample_bytes": int(sum(len(d.encode()) for v in sub.values() for d in v)),
                           "merges": merges, "draw": a.draw, "truth": "training byte shares",
                           "log10_mse_bytes": log_mse(est_b, truth),
                           "log10_mse_pairs": log_mse(est_p, truth),
                           "log10_mse_bytes_vs_dirichlet": log_mse(est_b, w),
                           **{f"baseline_{k}": v for k, v in base.items()},
                           "train_s": t_train, "infer_s": time.perf_counter() - t0, "lp_rounds": r.lp.rounds}
                    rows.append(row)
                    print(json.dumps(row), flush=True)
                    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
                    Path(a.out).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
