"""`tokbench list metrics`: a table a terminal can show (first sentences), the whole cards in --json."""

from __future__ import annotations

import json

import pytest

from tokbench.cli import main
from tokbench.commands.list import _first_sentence
from tokbench.metrics import metric_cards


def test_first_sentence_skips_abbreviations_and_brackets() -> None:
    assert _first_sentence("Tokens per word (see Rust et al. 2021. Sec. 3). Second.") == (
        "Tokens per word (see Rust et al. 2021. Sec. 3).")
    sentence = "Premium per Petrov et al. 2023 on FLORES."
    assert _first_sentence(sentence + " More.") == sentence
    cut = _first_sentence("word " * 60)
    assert cut.endswith("…") and len(cut) <= 110 and not cut.endswith(" …")


def test_table_shows_first_sentences_and_json_the_whole_cards(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "metrics"]) == 0
    out = capsys.readouterr().out
    cards = {c["name"]: c for c in metric_cards()}
    ctc = next(line for line in out.splitlines() if line.startswith("ctc "))
    assert "Petrov et al. 2023" in ctc and cards["ctc"]["definition"] not in ctc  # not cut at "et al."
    assert max(len(line) for line in out.splitlines()) < 400
    assert out.rstrip().endswith("tokbench list metrics --json")
    assert main(["list", "metrics", "--json"]) == 0
    whole = {c["name"]: c for c in json.loads(capsys.readouterr().out)}
    assert whole["ctc"]["definition"] == cards["ctc"]["definition"]
