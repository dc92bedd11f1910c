"""The code-mixture protocol of benchmarks/mixture_code_curve.py on real code samples.

The in-sample check is the one that separates method from data in reports/mixture/code.md:
inferring from the very text the tokenizer was trained on recovers the mixture to rounding
error, so what remains on disjoint files is sample mismatch, not the pipeline.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from mixture_code_curve import cap_docs  # noqa: E402
from mixture_controlled import byte_shares, draw_tagged, log_mse, setup_data, train_tokenizer  # noqa: E402

from tokbench.mixture.infer import infer_mixture  # noqa: E402
from tokbench.tokenizers.hf import from_rust  # noqa: E402

LANGS = ("go", "python", "rust")


@pytest.fixture(scope="module")
def code(shared_assets):
    train, test = setup_data("code", np.random.default_rng(0))
    return {x: train[x] for x in LANGS}, {x: test[x] for x in LANGS}


def test_cap_docs_caps_bytes_at_a_line_end(code):
    docs = code[1]["python"]
    for cap in (10_000, 30_000):
        got = cap_docs(docs, cap)
        n = sum(len(d.encode()) for d in got)
        assert cap - max(len(ln.encode()) + 1 for d in docs for ln in d.split("\n")) <= n <= cap
        assert got[-1].endswith("\n") or got[-1] == docs[len(got) - 1]
        assert all(a == b for a, b in zip(got[:-1], docs, strict=False))
    assert cap_docs(docs, 0) == docs


def test_replace_draw_is_the_old_draw_docs(code):
    """draw_tagged('replace') must consume the generator as the old draw_docs did (same tokenizers)."""
    train = code[0]
    w = np.array([0.5, 0.3, 0.2])
    rng_old, rng_new = np.random.default_rng(3), np.random.default_rng(3)
    old: list[str] = []
    for pool, wi in zip(train.values(), w, strict=True):
        lens = np.array([len(d.encode()) for d in pool])
        got = 0.0
        while got < wi * 300_000:
            j = int(rng_old.integers(len(pool)))
            old.append(pool[j])
            got += lens[j]
    rng_old.shuffle(old)
    assert [d for _, d in draw_tagged(train, w, 300_000, rng_new)] == old


def test_cycle_draw_hits_the_shares(code):
    w = np.array([0.6, 0.3, 0.1])
    tagged = draw_tagged(code[0], w, 600_000, np.random.default_rng(1), "cycle")
    # the last file of each language is truncated: shares exact up to a UTF-8 character
    assert np.abs(byte_shares(tagged, list(LANGS)) - w).max() < 1e-5
    # the pool is cycled, not sampled: 360 KB of Go from a 265 KB pool holds every file once or twice
    pool = code[0]["go"]
    seen = Counter(d for t, d in tagged if t == "go")
    times = [seen[d] for d in pool]
    assert min(times) == 1 and max(times) == 2


def test_in_sample_inference_is_exact_on_code(code):
    w = np.array([0.55, 0.3, 0.15])
    tagged = draw_tagged(code[0], w, 400_000, np.random.default_rng(2))
    truth = byte_shares(tagged, list(LANGS))
    src = from_rust(train_tokenizer([d for _, d in tagged], 300), "code3")
    same = infer_mixture(src, {x: [d for t, d in tagged if t == x] for x in LANGS}, merges=300, threads=1)
    est = np.array([same.byte_weights[x] for x in LANGS])
    assert log_mse(est, truth) < -8
    # disjoint files: the same pipeline, an error orders of magnitude larger (sample mismatch)
    other = infer_mixture(src, code[1], merges=300, threads=1)
    est2 = np.array([other.byte_weights[x] for x in LANGS])
    assert log_mse(est2, truth) > -6
