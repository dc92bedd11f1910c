"""Compression metrics for cl100k_base on FLORES devtest English, checked against independent code.

The independent side encodes with tiktoken directly (rank file + cl100k regex, not tokbench's adapter
or cache), counts with plain Python, and scores Rényi efficiency with `tokenization-scorer`.
"""

from __future__ import annotations

import base64
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tokbench.metrics import CorpusView, MetricContext, get_metric

CL100K_PATTERN = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+"""
    r"""|\s+(?!\S)|\s+"""
)
LANG = "eng_Latn"


def compute(ctx: MetricContext, metric: str, **opts: Any) -> dict[str, dict[str, Any]]:
    cls = get_metric(metric)
    return {r["language"]: r for r in cls().compute(ctx, cls.resolve_options(opts))}


@pytest.fixture(scope="module")
def independent(assets: Path, flores: Any) -> dict[str, Any]:
    tiktoken = pytest.importorskip("tiktoken")
    ranks = {}
    for line in open(assets / "tokenizers" / "cl100k_base" / "cl100k_base.tiktoken", "rb"):
        tok, rank = line.split()
        ranks[base64.b64decode(tok)] = int(rank)
    enc = tiktoken.Encoding("cl100k_independent", pat_str=CL100K_PATTERN, mergeable_ranks=ranks, special_tokens={})
    texts = flores.docs("devtest", LANG)[1]
    ids = [enc.encode_ordinary(t) for t in texts]
    return {"texts": texts, "ids": ids, "enc": enc, "vocab": 100277}


@pytest.fixture(scope="module")
def ctx(flores: CorpusView) -> MetricContext:
    """One language, shared by the module's tests (make_ctx's contexts last one test)."""
    from tokbench.tokenizers import load_tokenizer

    return MetricContext(load_tokenizer("cl100k_base"), flores, [LANG])


def test_bytes_chars_fertility(ctx: MetricContext, independent: dict[str, Any]) -> None:
    texts, ids = independent["texts"], independent["ids"]
    n_tok = sum(len(x) for x in ids)
    assert compute(ctx, "bytes_per_token")[LANG]["value"] == pytest.approx(sum(len(t.encode()) for t in texts) / n_tok)
    assert compute(ctx, "chars_per_token")[LANG]["value"] == pytest.approx(sum(len(t) for t in texts) / n_tok)
    fert = compute(ctx, "fertility")[LANG]
    assert fert["value"] == pytest.approx(n_tok / sum(len(t.split()) for t in texts))
    assert fert["n"] == 1012 and fert["ci_low"] < fert["value"] < fert["ci_high"]
    mean = compute(ctx, "fertility_sentence_mean")[LANG]["value"]
    assert mean == pytest.approx(np.mean([len(i) / len(t.split()) for i, t in zip(ids, texts, strict=True)]))


def test_renyi_against_tokenization_scorer(ctx: MetricContext, independent: dict[str, Any]) -> None:
    scorer = pytest.importorskip("tokenization_scorer")
    lines = "\n".join(" ".join(f"t{i}" for i in x) for x in independent["ids"])
    observed = scorer.score(lines, metric="renyi", power=2.5)
    full = scorer.score(lines, metric="renyi", power=2.5, vocab=independent["vocab"])
    assert compute(ctx, "renyi_efficiency_observed")[LANG]["value"] == pytest.approx(observed, rel=1e-9)
    assert compute(ctx, "renyi_efficiency")[LANG]["value"] == pytest.approx(full, rel=1e-9)


def test_vocab_utilisation_and_unk_rate(ctx: MetricContext, independent: dict[str, Any]) -> None:
    used = {i for x in independent["ids"] for i in x}
    got = compute(ctx, "vocab_utilisation")
    assert got[LANG]["value"] == pytest.approx(len(used) / independent["vocab"]) and got[LANG]["n"] == len(used)
    assert got["ALL"]["n"] == len(used)
    assert compute(ctx, "unk_rate")[LANG]["value"] == 0.0  # byte-level BPE has no UNK


def _words_with_spans(text: str) -> list[tuple[int, int]]:
    """Reference word rule in plain Python: whitespace runs, punctuation/symbol characters alone (Latin text)."""
    spans, start, pos = [], None, 0
    for ch in text:
        n = len(ch.encode())
        if ch.isspace() or ch == "\u200b":  # ZERO WIDTH SPACE separates words too (documented rule)
            if start is not None:
                spans.append((start, pos))
            start = None
        elif unicodedata.category(ch)[0] in "PS":
            if start is not None:
                spans.append((start, pos))
            spans.append((pos, pos + n))
            start = None
        elif start is None:
            start = pos
        pos += n
    if start is not None:
        spans.append((start, pos))
    return spans


def test_continued_words_in_context(ctx: MetricContext, independent: dict[str, Any]) -> None:
    enc = independent["enc"]
    words = cont = 0
    for text, ids in zip(independent["texts"], independent["ids"], strict=True):
        ends = np.cumsum([len(b) for b in enc.decode_tokens_bytes(ids)])
        starts = ends - np.array([len(b) for b in enc.decode_tokens_bytes(ids)])
        for a, b in _words_with_spans(text):
            overlapping = int(((starts < b) & (ends > a)).sum())
            words += 1
            cont += overlapping >= 2
    got = compute(ctx, "continued_words")[LANG]
    assert got["value"] == pytest.approx(cont / words)
    assert 0.01 < got["value"] < 0.2  # English under cl100k: most words are single tokens


def test_nsl_against_reference_counts(make_ctx: Callable[..., MetricContext], independent: dict[str, Any]) -> None:
    ctx = make_ctx("o200k_base", [LANG])
    mine = sum(len(x) for x in ctx.tokenizer.encode_batch(independent["texts"]))
    ref = sum(len(x) for x in independent["ids"])
    got = compute(ctx, "nsl")[LANG]
    assert got["value"] == pytest.approx(mine / ref)
    assert compute(ctx, "nsl", reference="o200k_base")[LANG]["value"] == 1.0
