"""Digit segmentation: hand-checked cuts of real tokenizers, and the digit-count guard."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tokbench.digits.segment import Probe, Segmentation, number_probe, segment, with_separators
from tokbench.errors import TokbenchError


def cut(tokenizer: Any, prefix: str, digits: str, sep: str = "") -> Segmentation:
    ((s,),) = segment(tokenizer, [number_probe(prefix, digits, sep=sep)])
    return s


def test_with_separators_both_directions() -> None:
    assert with_separators("1234567", ",") == "1,234,567"
    assert with_separators("1234567", ",", right_to_left=False) == "123,456,7"
    assert with_separators("123456", " ") == "123 456"
    assert with_separators("12", ",") == "12"
    assert with_separators("1234", "") == "1234"


def test_boundary_places() -> None:
    s = Segmentation((3, 3, 1), False)  # 123|456|7
    assert s.length == 7 and s.boundary_places() == {4, 1}
    assert Segmentation((7,), False).boundary_places() == frozenset()


def test_cl100k_groups_left_to_right_and_keeps_the_space_apart(tok: Any) -> None:
    t = tok("cl100k_base")
    assert cut(t, "", "2024") == Segmentation((3, 1), False)
    assert cut(t, "", "1234567") == Segmentation((3, 3, 1), False)
    assert cut(t, " ", "2024") == Segmentation((3, 1), False)  # ` ` stays its own token
    assert cut(t, "", "1234567", sep=",") == Segmentation((1, 3, 3), False)
    assert cut(t, "3.", "14159") == Segmentation((3, 2), False)


def test_r50k_merges_the_space_into_the_number(tok: Any) -> None:
    t = tok("r50k_base")
    assert cut(t, " ", "2024") == Segmentation((4,), True)  # ` 2024` is one token
    assert cut(t, "", "1234567") == Segmentation((3, 2, 2), False)  # 123|45|67


def test_sentencepiece_single_digits_behind_the_dummy_prefix(tok: Any) -> None:
    t = tok("mistral_v1")
    assert cut(t, "", "2024") == Segmentation((1, 1, 1, 1), False)
    assert cut(t, "$", "12345", sep=",") == Segmentation((1, 1, 1, 1, 1), False)


def test_xlm_roberta_token_crosses_the_comma(tok: Any) -> None:
    t = tok("xlm_roberta")
    # ▁$1 | 2,3 | 45: a token holds digits from both sides of the separator
    assert cut(t, "$", "12345", sep=",") == Segmentation((1, 2, 2), True)


def test_several_numbers_in_one_text(tok: Any) -> None:
    t = tok("cl100k_base")
    text = "1234567+7654321=8888888"
    probe = Probe(text, (tuple(range(0, 7)), tuple(range(8, 15)), tuple(range(16, 23))))
    assert [s.groups for s in segment(t, [probe])[0]] == [(3, 3, 1)] * 3


def test_a_digit_outside_any_number_is_skipped(tok: Any) -> None:
    # `3.` holds a digit that is not part of the probed number: ordinals must skip it
    assert cut(tok("mistral_v1"), "3.", "1234").groups == (1, 1, 1, 1)


class DropsDigits:
    """A tokenizer whose tokens lose a digit (as a lossy normalizer would)."""

    name = "lossy"

    def token_bytes(self) -> list[bytes | None]:
        return [b"1", b"2", None]

    def encode_flat(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        return np.array([0], dtype=np.uint32), np.array([0, 1], dtype=np.int64)


def test_lost_digits_are_an_error() -> None:
    with pytest.raises(TokbenchError, match="holding 1 digits instead of 2"):
        segment(DropsDigits(), [number_probe("", "12")])


def test_probe_positions_must_be_digits() -> None:
    with pytest.raises(ValueError, match="not all digits"):
        segment(DropsDigits(), [Probe("a1", ((0,),))])
