"""Digit-token inventory against the counts Singh & Strouse (2024) publish."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tokbench.digits.inventory import inventory


@pytest.mark.parametrize("name", ["r50k_base", "p50k_base"])
def test_gpt3_vocabularies_have_1691_number_tokens(tok: Callable[[str], Any], name: str) -> None:
    inv = inventory(tok(name))
    assert inv.total == 1691  # the paper's count for r50k/p50k
    assert (inv.bare, inv.spaced) == (994, 697)
    # the paper: 77.7% of 3-digit strings are one token without a leading space, 40.6% with one
    assert inv.three_digit_single == pytest.approx(0.777)
    assert inv.three_digit_single_space == pytest.approx(0.406)


def test_cl100k_has_every_1_to_3_digit_string(tok: Callable[[str], Any]) -> None:
    inv = inventory(tok("cl100k_base"))
    assert (inv.total, inv.bare, inv.spaced) == (1110, 1110, 0)  # 10 + 100 + 1000
    assert inv.three_digit_single == 1.0 and inv.single_0_999 == 1.0
    assert inv.three_digit_single_space == 0.0  # the space stays its own token


def test_legacy_claude_has_2380_number_tokens(tok: Callable[[str], Any]) -> None:
    inv = inventory(tok("claude_legacy"))
    assert inv.total == 2380 and (inv.bare, inv.spaced) == (1646, 734)


def test_single_digit_tokenizer(tok: Callable[[str], Any]) -> None:
    inv = inventory(tok("mistral_v1"))
    assert inv.three_digit_single == 0.0 and inv.single_0_999 == pytest.approx(0.01)  # only 0-9


def test_gpt2_json_matches_r50k(shared_tok: Callable[[str], Any]) -> None:
    inv = inventory(shared_tok("gpt2"))
    assert (inv.bare, inv.spaced, inv.three_digit_single) == (994, 697, pytest.approx(0.777))


def test_byte_fallback_pieces_do_not_count_digits_twice(tok: Callable[[str], Any]) -> None:
    t = tok("mistral_v1")  # has both `0`..`9` pieces and byte-fallback pieces <0x30>..<0x39>
    assert sum(1 for b in t.token_bytes() if b is not None and b.isdigit() and len(b) == 1) == 20
    assert inventory(t).bare == 10
