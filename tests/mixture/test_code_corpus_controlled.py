"""A small real controlled case of benchmarks/mixture_code_corpus.py: a byte-level BPE trained on a known mixture
of four languages from code_corpus half a, inferred from half b (other projects).

Tolerances measured on this configuration (1 MB training text, 1,500 merges, 300 KB per language, seeds 0-3):
log10 MSE -2.82 / -2.57 / -2.44 / -2.43 against a uniform guess of -1.90; seed 0 is asserted with 0.3 of margin.
The in-sample run (the training text as the samples) recovers the mixture to rounding error, so the rest is the
projects of half b not matching those of half a (reports/mixture/code_corpus_controlled.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from mixture_code_corpus import sample_order  # noqa: E402
from mixture_code_curve import cap_docs  # noqa: E402
from mixture_controlled import byte_shares, draw_tagged, log_mse, train_tokenizer  # noqa: E402

from tokbench.mixture.infer import infer_mixture  # noqa: E402
from tokbench.tokenizers.hf import from_rust  # noqa: E402

LANGS = ["go", "php", "python", "rust"]
WEIGHTS = np.array([0.4, 0.3, 0.2, 0.1])


@pytest.fixture(scope="module")
def corpus(shared_assets: Path):
    if not (shared_assets / "corpora" / "code_corpus").is_dir():
        pytest.skip(f"needs corpora/code_corpus in the data directory ({shared_assets})")
    from tokbench.corpora import load_corpus

    return load_corpus("code_corpus")


def test_sample_order_spans_projects() -> None:
    projects = ["p"] * 6 + ["q"] * 3 + ["r"]
    order = sample_order(projects, "projects", 7)
    assert sorted(order.tolist()) == list(range(10))
    assert {projects[i] for i in order[:3]} == {"p", "q", "r"}  # the first round takes one file of each
    assert [projects[i] for i in order[3:5]].count("r") == 0 and order[-1] < 6  # p outlasts the others
    assert sample_order(projects, "corpus", 7).tolist() == list(range(10))
    assert sorted(sample_order(projects, "shuffle", 7).tolist()) == list(range(10))


def test_known_mixture_from_other_projects(corpus) -> None:
    rng = np.random.default_rng(0)
    tagged = draw_tagged({x: corpus.texts("a", x) for x in LANGS}, WEIGHTS, 1_000_000, rng, "cycle")
    truth = byte_shares(tagged, LANGS)
    tok = from_rust(train_tokenizer([d for _, d in tagged], 1500), "code4")
    samples = {}
    for x in LANGS:
        docs = corpus.texts("b", x)
        order = sample_order(corpus._column("b", x, "project"), "projects", 7)
        samples[x] = cap_docs([docs[i] for i in order], 300_000)
    assert not set(corpus._column("b", "go", "project")) & set(corpus._column("a", "go", "project"))
    r = infer_mixture(tok, samples, merges=1500, threads=2)
    est = np.array([r.byte_weights[x] for x in LANGS])
    err = log_mse(est, truth)
    assert err <= -2.5, (err, est.round(3).tolist(), truth.round(3).tolist())
    assert err <= log_mse(np.full(4, 0.25), truth) - 0.6
    # in-sample: the training text itself as the samples recovers the mixture exactly
    own = {x: [d for t, d in tagged if t == x] for x in LANGS}
    r = infer_mixture(tok, own, merges=1500, threads=2)
    assert log_mse(np.array([r.byte_weights[x] for x in LANGS]), truth) < -8
