"""Context sensitivity: does the cut of the same digits change with what precedes them?

Each sampled digit string is also written after a space, `$`, `-`, a letter, as the fractional
part of a decimal and with thousands separators; a context *changes* a number when its digit
groups differ from the bare number's. After a space we also record whether the space is merged
into the first digit token (GPT-2's ` 2024` is one token; cl100k keeps ` ` apart).
"""

from __future__ import annotations

from collections.abc import Sequence

from tokbench.digits.segment import Probe, Segmentation, number_probe

# name -> (prefix, separator); the bare number is the reference
CONTEXTS: dict[str, tuple[str, str]] = {
    "bare": ("", ""),
    "space": (" ", ""),
    "dollar": ("$", ""),
    "minus": ("-", ""),
    "letter": ("x", ""),
    "decimal": ("3.", ""),
    "thousands": ("", ","),
}


def context_probe(context: str, digits: str) -> Probe:
    prefix, sep = CONTEXTS[context]
    return number_probe(prefix, digits, sep=sep)


def change_share(bare: Sequence[Segmentation], other: Sequence[Segmentation]) -> float:
    """Share of numbers whose digit groups differ from the bare number's."""
    return sum(a.groups != b.groups for a, b in zip(bare, other, strict=True)) / len(bare)


def space_merged_share(after_space: Sequence[Segmentation]) -> float:
    return sum(s.space_merged for s in after_space) / len(after_space)
