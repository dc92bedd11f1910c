"""The digits metric family through the runner: corpus-free cells, family selection, cards, resume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tokbench.metrics import get_metric, metric_cards
from tokbench.metrics.digits import NAMES
from tokbench.metrics.families import expand_metric_families
from tokbench.runner import NO_CORPUS, RunConfig, run_grid

SMALL = {"digit_samples": "6", "digit_integers": "300", "digit_problems": "10"}


def _no_corpus(name: str) -> Any:
    raise AssertionError(f"a corpus-free metric must not load corpus {name}")


def test_family_name_selects_every_digit_metric() -> None:
    names = expand_metric_families(["digits"])
    assert set(names) == set(NAMES) and len(names) == 25
    for card in (c for c in metric_cards() if c["name"].startswith("digits.")):
        assert card["corpus"] is False and card["citation"].startswith("Singh & Strouse (2024)")
        assert card["definition"] and card["unit"]
    assert get_metric("digits.place_value_alignment").card.higher_is_better is True
    assert get_metric("digits.pattern_consistency").card.higher_is_better is False


def test_run_digits_without_any_corpus(tmp_path: Path) -> None:
    cfg = RunConfig(
        out=tmp_path / "out",
        tokenizers=["cl100k_base", "mistral_v1", "p50k_base"],
        corpora=["udhr", "flores200"],  # ignored by corpus-free metrics
        metrics=["digits"],
        options=SMALL,
    )
    first = run_grid(cfg, log=lambda s: None, load_corpus=_no_corpus)
    t = first.table
    assert first.computed == 3 * len(NAMES)
    assert set(t.corpus) == {NO_CORPUS} and set(t.split) == {"-"}
    sig = t[t.metric == "digits.chunk_signature"].set_index(["tokenizer", "language"])
    assert set(t[t.metric != "digits.chunk_signature"].language) == {"ALL"}
    assert len(sig) == 3 * 30 and sig.loc[("cl100k_base", "len07"), "flags"] == "3-3-1:6"
    assert sig.loc[("cl100k_base", "len03"), "flags"] == "3:1006" and sig.loc[("cl100k_base", "len03"), "n"] == 1006
    assert sig.loc[("mistral_v1", "len04"), "flags"] == "1-1-1-1:6"
    assert sig.loc[("p50k_base", "len04"), "value"] > 1 and ":" in sig.loc[("p50k_base", "len04"), "flags"]
    v = t[t.language == "ALL"].set_index(["tokenizer", "metric"])
    assert v.loc[("cl100k_base", "digits.chunk_class"), "flags"] == "left-to-right-3"
    assert v.loc[("cl100k_base", "digits.chunk_class"), "value"] == 3
    assert v.loc[("mistral_v1", "digits.chunk_class"), "flags"] == "single-digit"
    assert v.loc[("p50k_base", "digits.chunk_class"), "flags"] == "irregular"
    assert v.loc[("p50k_base", "digits.inventory"), "value"] == 1691
    assert v.loc[("p50k_base", "digits.inventory"), "n"] == 50281  # counted in the whole vocabulary
    assert v.loc[("cl100k_base", "digits.inventory"), "value"] == 1110
    assert v.loc[("p50k_base", "digits.single_token.three_digit"), "value"] == pytest.approx(0.777)
    assert v.loc[("p50k_base", "digits.single_token.three_digit.space"), "value"] == pytest.approx(0.406)
    assert v.loc[("mistral_v1", "digits.place_value_alignment"), "value"] == 1.0
    pva = v.loc[("cl100k_base", "digits.place_value_alignment")]
    assert 0.4 < pva.value < 0.6 and pva.ci_low < pva.value < pva.ci_high and pva.n == 300
    assert v.loc[("cl100k_base", "digits.misalignment.plain.longer"), "value"] == 1.0
    assert v.loc[("cl100k_base", "digits.misalignment.plain.not_longer"), "value"] == 0.0
    assert v.loc[("cl100k_base", "digits.misalignment.comma"), "value"] == 0.0
    assert v.loc[("cl100k_base", "digits.context_change.thousands"), "value"] > 0.3
    assert v.loc[("p50k_base", "digits.space_merged"), "value"] == 1.0

    again = run_grid(cfg, log=lambda s: None, load_corpus=_no_corpus, load_tokenizer=_no_load)
    assert (again.computed, again.skipped) == (0, 3 * len(NAMES))


def _no_load(name: str) -> Any:
    raise AssertionError(f"a finished cell must not load tokenizer {name}")


def test_mixed_grid_runs_digits_once_and_corpus_metrics_per_corpus(tmp_path: Path) -> None:
    cfg = RunConfig(
        out=tmp_path / "out",
        tokenizers=["cl100k_base"],
        corpora=["udhr"],
        metrics=["bytes_per_token", "digits.chunk_class"],
        langs=["eng_Latn"],
        options={"digit_samples": "4", "bootstrap": "50"},
    )
    t = run_grid(cfg, log=lambda s: None).table
    assert set(t[t.metric == "digits.chunk_class"].corpus) == {NO_CORPUS}
    assert set(t[t.metric == "bytes_per_token"].corpus) == {"udhr"}


def test_bad_option_is_one_line_error(tmp_path: Path) -> None:
    from tokbench.errors import TokbenchError

    cfg = RunConfig(out=tmp_path, tokenizers=["cl100k_base"], metrics=["digits"], options={"digit_samples": "x"})
    with pytest.raises(TokbenchError, match="digit_samples"):
        run_grid(cfg, log=lambda s: None)
