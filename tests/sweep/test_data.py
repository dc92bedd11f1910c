"""Equal training budgets per language (the paper's control) and the `datasets` training source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tokbench.errors import TokbenchError
from tokbench.sweep.data import corpus_training_text, hub_training_text, measure, overlap, take_budget

LANGS = ("eng_Latn", "tur_Latn", "rus_Cyrl", "arb_Arab", "hin_Deva", "kor_Hang")


@pytest.mark.parametrize("unit", ["bytes", "chars"])
def test_every_language_gets_the_same_budget(unit: str) -> None:
    budget = 6000 if unit == "bytes" else 3000  # Korean's UDHR has ~4,000 characters
    sizes = {}
    for lang in LANGS:
        t = corpus_training_text("udhr", "articles", lang, budget, unit)
        sizes[lang] = sum(measure(x, unit) for x in t.lines)
        assert sizes[lang] == t.size
    if unit == "chars":
        assert set(sizes.values()) == {budget}
    else:  # a byte budget ends at a character boundary: at most one partial character short
        assert all(budget - 3 <= s <= budget for s in sizes.values()), sizes
    # the same bytes of Hindi hold fewer characters than of English: the budget is in bytes, not content
    if unit == "bytes":
        hin = corpus_training_text("udhr", "articles", "hin_Deva", budget, unit)
        eng = corpus_training_text("udhr", "articles", "eng_Latn", budget, unit)
        assert sum(map(len, hin.lines)) < sum(map(len, eng.lines))


def test_the_cut_keeps_documents_in_order_and_whole_until_the_last() -> None:
    docs = ["aaaa", "ğğ", "bbbb"]  # 4, 4 (two 2-byte letters), 4 bytes
    t = take_budget(docs, 9, "bytes", "x")
    assert t.lines == ("aaaa", "ğğ", "b") and t.size == 9
    t = take_budget(docs, 7, "bytes", "x")
    assert t.lines == ("aaaa", "ğ") and t.size == 6  # the second 'ğ' does not fit whole


def test_a_language_with_too_little_text_is_an_error_not_a_smaller_budget() -> None:
    with pytest.raises(TokbenchError, match="less than the training budget"):
        corpus_training_text("udhr", "articles", "eng_Latn", 10_000_000, "bytes")


def test_overlap_is_one_for_identical_text_and_lower_for_other_text() -> None:
    assert overlap(["the cat sat"], ["the cat sat"]) == 1.0
    assert overlap(["the cat sat"], ["xyz qrs"]) == 0.0


def test_datasets_source_reads_local_files(tmp_path: Path) -> None:
    """The hub path is `datasets.load_dataset(id, config, revision=...)`; here on a local folder."""
    folder = tmp_path / "mono"
    folder.mkdir()
    rows = [{"text": f"document number {i} with some words"} for i in range(200)]
    (folder / "train.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    t = hub_training_text(str(folder), "eng_Latn", 1000, "bytes", revision=None)
    assert t.size == 1000 and t.lines[0] == "document number 0 with some words"
    with pytest.raises(TokbenchError, match="no column 'body'"):
        hub_training_text(str(folder), "eng_Latn", 1000, "bytes", revision=None, column="body")


def test_a_hub_source_must_be_pinned_and_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOKBENCH_ALLOW_HUB", raising=False)
    with pytest.raises(TokbenchError, match="pin --train-revision"):
        hub_training_text("HuggingFaceFW/fineweb-2", "tur_Latn", 1000, "bytes", revision=None, config="{lang}")
    with pytest.raises(TokbenchError, match="TOKBENCH_ALLOW_HUB=1"):
        hub_training_text("HuggingFaceFW/fineweb-2", "tur_Latn", 1000, "bytes", revision="abc123", config="{lang}")
