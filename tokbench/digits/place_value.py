"""Place-value alignment: do a number's tokens respect its thousands groups counted from the right?

A number is aligned when every thousands boundary (3, 6, 9, ... digits from the right) is a
token boundary and no token holds more than 3 digits, so each token is one digit group of one
place-value block, as in right-to-left grouping. Single-digit tokenization is aligned by this
definition; left-to-right grouping in threes is aligned only for lengths 1-3 and multiples of 3.
"""

from __future__ import annotations

from tokbench.digits.segment import Segmentation

GROUP = 3


def thousands_places(length: int, group: int = GROUP) -> frozenset[int]:
    """Place values of the thousands boundaries inside a number of `length` digits."""
    return frozenset(range(group, length, group))


def is_aligned(seg: Segmentation, group: int = GROUP) -> bool:
    return max(seg.groups) <= group and thousands_places(seg.length, group) <= seg.boundary_places()
