"""Place-value alignment: the definition on hand-made cuts and the expected shares per class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tokbench.digits.analysis import analyse, wilson
from tokbench.digits.place_value import is_aligned, thousands_places
from tokbench.digits.segment import Segmentation


def test_thousands_places() -> None:
    assert thousands_places(7) == {3, 6}
    assert thousands_places(3) == frozenset()
    assert thousands_places(6) == {3}


@pytest.mark.parametrize(
    "groups, aligned",
    [
        ((1, 3, 3), True),  # 1|234|567: right-to-left threes
        ((3, 3, 1), False),  # 123|456|7: left-to-right, cuts at places 4 and 1
        ((1,) * 7, True),  # single digits hold every boundary
        ((1, 2, 1, 3), True),  # extra cuts inside a group are allowed
        ((4, 3), False),  # 4 digits in one token
        ((3, 3), True),
        ((2,), True),
    ],
)
def test_is_aligned(groups: tuple[int, ...], aligned: bool) -> None:
    assert is_aligned(Segmentation(groups, False)) is aligned


def test_left_to_right_threes_align_only_lengths_1_to_3_and_multiples_of_3(tok: Callable[[str], Any]) -> None:
    r = analyse(tok("cl100k_base"), {"digit_integers": 3000, "digit_samples": 2, "digit_problems": 2})
    # aligned lengths: 1, 2, 3, 6, 9, 12 of the uniform 1..12 -> 1/2 up to sampling
    lo, hi = wilson(r.alignment * r.n_integers, r.n_integers)
    assert lo < 0.5 < hi
    assert r.alignment_comma == 1.0


def test_single_digits_are_always_aligned(tok: Callable[[str], Any]) -> None:
    r = analyse(tok("mistral_v1"), {"digit_integers": 300, "digit_samples": 2, "digit_problems": 2})
    assert r.alignment == r.alignment_comma == 1.0


def test_wilson_interval() -> None:
    lo, hi = wilson(50, 100)
    assert lo == pytest.approx(0.4038, abs=1e-4) and hi == pytest.approx(0.5962, abs=1e-4)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0 and wilson(0.5 * 7, 7) == wilson(4, 7)
