"""The trainers: superword tokens may span whitespace, whitespace-bounded ones cannot; the cache."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tokbench.sweep.data import corpus_training_text
from tokbench.sweep.specs import TrainSpec
from tokbench.sweep.train import ensure_trained, train_bpe, train_superbpe, train_unigram

SPANS_SPACE = re.compile(r"\S\s+\S")


@pytest.fixture(scope="module")
def english() -> list[str]:
    return list(corpus_training_text("udhr", "articles", "eng_Latn", 8000, "bytes").lines)


def _surfaces(tok) -> list[str]:  # noqa: ANN001
    """Every vocabulary entry as text (byte-level symbols decoded)."""
    return [tok.decoder.decode([t]) for t in tok.get_vocab()]


def test_superword_tokens_span_whitespace_and_whitespace_bounded_ones_cannot(english: list[str]) -> None:
    sup = train_superbpe(english, 500, transition=0.6)
    spanning = [s for s in _surfaces(sup) if SPANS_SPACE.search(s)]
    assert spanning, "stage 2 learned no superword"
    for tok in (train_bpe(english, 500), train_unigram(english, 500)):
        assert not [s for s in _surfaces(tok) if SPANS_SPACE.search(s)]
    # and encoding uses them: some token of an English sentence covers two words
    text = "Everyone has the right to life, liberty and security of person."
    enc = sup.encode(text)
    assert any(SPANS_SPACE.search(sup.decode([i])) for i in enc.ids)
    assert sup.decode(enc.ids) == text  # byte-level: the text comes back exactly


def test_superword_stage_one_is_the_bpe_of_the_transition_size(english: list[str]) -> None:
    """Stage-1 merges come first and reproduce BPE's segmentation of every word; superword merges only
    join words, so each superword segmentation is BPE(t)'s with some word boundaries closed."""
    sup = train_superbpe(english, 500, transition=0.6)
    bpe = train_bpe(english, 300)
    merges = json.loads(sup.to_str())["model"]["merges"]
    stage1 = json.loads(bpe.to_str())["model"]["merges"]
    assert merges[: len(stage1)] == stage1 and len(merges) > len(stage1)
    text = " ".join(english[:3])
    joined = "".join(sup.encode(text).tokens)
    assert joined == "".join(bpe.encode(text).tokens)
    assert len(sup.encode(text).ids) <= len(bpe.encode(text).ids)


def test_vocabulary_sizes_are_met_and_byte_level(english: list[str]) -> None:
    for tok in (train_bpe(english, 400), train_unigram(english, 400), train_superbpe(english, 400, 0.9)):
        assert tok.get_vocab_size() == 400
        assert len(tok.encode("ĞŞ ✓ 中").ids) > 0  # unseen characters fall back to bytes, never UNK
        assert tok.decode(tok.encode("ĞŞ ✓ 中").ids) == "ĞŞ ✓ 中"


def test_trained_tokenizers_are_cached_by_spec_and_text(english: list[str], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path))
    text = corpus_training_text("udhr", "articles", "eng_Latn", 4000, "bytes")
    spec = TrainSpec("bpe", 320, "eng_Latn", "udhr:articles", 4000, "bytes")
    first = ensure_trained(spec, text)
    again = ensure_trained(spec, text)
    assert not first.cached and again.cached and again.path == first.path and again.vocab_size == 320
    other = ensure_trained(spec, corpus_training_text("udhr", "articles", "eng_Latn", 3000, "bytes"))
    assert other.path != first.path  # other training text, other tokenizer
