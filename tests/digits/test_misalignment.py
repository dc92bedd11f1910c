"""Operand-answer misalignment: hand-made cuts, and real equations under cl100k and Mistral."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tokbench.digits.misalignment import aligned, equation_probe, misaligned, rates
from tokbench.digits.probeset import FORMATS, Problem
from tokbench.digits.segment import Segmentation, segment


def S(*groups: int) -> Segmentation:
    return Segmentation(groups, False)


def test_aligned_compares_shared_places() -> None:
    assert aligned(S(3, 3, 1), S(3, 3, 1))
    assert not aligned(S(3, 3, 1), S(3, 3, 2))  # places {4,1} vs {5,2}
    assert aligned(S(1, 3, 3), S(2, 3, 3))  # right-to-left: same places {3,6} over the shared 7
    assert aligned(S(*(1,) * 8), S(*(1,) * 7))


def test_misaligned_uses_the_longer_addend() -> None:
    # 8-digit + 7-digit = 8-digit under left-to-right threes: the answer copies the 8-digit addend's cut
    assert not misaligned([S(3, 3, 2), S(3, 3, 1), S(3, 3, 2)])
    # answer longer than both: shifted
    assert misaligned([S(3, 3, 1), S(3, 3, 1), S(3, 3, 2)])
    assert not misaligned([S(1, 3, 3), S(1, 3, 3), S(2, 3, 3)])


def test_equation_probe_positions() -> None:
    p = equation_probe(Problem("1234567", "9999999"), FORMATS["comma_r2l"])
    assert p.text == "1,234,567+9,999,999=11,234,566"
    assert [len(n) for n in p.numbers] == [7, 7, 8]
    assert all(p.text[i].isdigit() for n in p.numbers for i in n)


@pytest.mark.parametrize(
    "fmt, long_answer_misaligned",
    [("plain", True), ("comma_r2l", False)],
)
def test_cl100k_equations(tok: Callable[[str], Any], fmt: str, long_answer_misaligned: bool) -> None:
    t = tok("cl100k_base")
    same = Problem("1234567", "7654321")  # = 8888888, same length
    longer = Problem("9999999", "1000001")  # = 11000000, one digit longer
    assert same.answer_longer is False and longer.answer_longer is True
    segs = segment(t, [equation_probe(same, FORMATS[fmt]), equation_probe(longer, FORMATS[fmt])])
    assert misaligned(segs[0]) is False
    assert misaligned(segs[1]) is long_answer_misaligned


def test_rates_split_by_answer_length() -> None:
    r = rates([True, False, True, False], [True, True, False, False])
    assert (r.overall, r.longer, r.not_longer, r.n, r.n_longer) == (0.5, 0.5, 0.5, 4, 2)
    assert rates([True], [False]).longer != rates([True], [False]).longer  # NaN when no such problem
