"""Context sensitivity: what precedes the digits changes the cut for some tokenizers only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tokbench.digits.analysis import analyse
from tokbench.digits.context import CONTEXTS, change_share, context_probe, space_merged_share
from tokbench.digits.segment import Segmentation

SMALL = {"digit_samples": 6, "digit_integers": 20, "digit_problems": 2}


def test_context_probes() -> None:
    assert [context_probe(c, "1234").text for c in CONTEXTS] == [
        "1234",
        " 1234",
        "$1234",
        "-1234",
        "x1234",
        "3.1234",
        "1,234",
    ]
    assert context_probe("decimal", "1234").numbers == ((2, 3, 4, 5),)  # the `3` before the point is not probed


def test_shares() -> None:
    a, b = Segmentation((3, 1), False), Segmentation((1, 3), True)
    assert change_share([a, a], [a, b]) == 0.5 and space_merged_share([a, b]) == 0.5


def test_cl100k_changes_only_with_separators(tok: Callable[[str], Any]) -> None:
    r = analyse(tok("cl100k_base"), SMALL)
    # with commas the groups come from the right: lengths 4-30 not divisible by 3 change, 18 of 30 lengths
    assert r.context_change["thousands"] == pytest.approx(18 / 30)
    assert all(r.context_change[c] == 0 for c in ("space", "dollar", "minus", "letter", "decimal"))
    assert r.space_merged == 0.0


def test_gpt3_merges_the_space_and_cuts_differently_after_it(tok: Callable[[str], Any]) -> None:
    r = analyse(tok("p50k_base"), SMALL)
    assert r.space_merged == 1.0 and r.context_change["space"] > 0.1
    assert r.context_change["dollar"] == r.context_change["letter"] == 0.0  # the pre-tokenizer isolates digits


def test_unigram_xlm_roberta_depends_on_the_preceding_symbol(tok: Callable[[str], Any]) -> None:
    r = analyse(tok("xlm_roberta"), SMALL)
    assert r.context_change["dollar"] > 0.1 and r.context_change["letter"] > 0.1
    assert r.alignment_comma < 0.8  # tokens such as `2,3` cross the separator


def test_single_digits_never_change(tok: Callable[[str], Any]) -> None:
    r = analyse(tok("mistral_v1"), SMALL)
    assert set(r.context_change.values()) == {0.0}
