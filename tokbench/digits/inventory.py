"""Digit-token inventory: which numbers the vocabulary holds as single tokens.

Singh & Strouse (2024) count the pure-number tokens of a vocabulary: tokens whose surface is
only ASCII digits, with or without one leading space (r50k/p50k 1,691 = 994 + 697; cl100k
1,110 = every 1-, 2- and 3-digit string, none with a space; the legacy Claude tokenizer 2,380 =
1,646 + 734), and the share of the 1,000 three-digit strings `000`-`999` that encode to one token
(p50k 77.7% bare, 40.6% after a space; cl100k 100% bare, 0% after a space, where the space
stays a token of its own). We also report how many of the integers 0-999 encode to one token.

"One token" is read from real encodings (a vocabulary entry the merges never produce does not
count): bare, all digits fall in one token (a SentencePiece dummy-prefix `▁` token of its own is
ignored); after a space, that one token also holds the space, as the paper counts ` 123`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tokbench.digits.segment import DigitSurfaces, Probe, Segmentation, number_probe, segment

_BARE = re.compile(rb"[0-9]+")
_SPACED = re.compile(rb" [0-9]+")


@dataclass(frozen=True)
class Inventory:
    bare: int  # vocabulary entries that are 1+ ASCII digits
    spaced: int  # ... preceded by one space (byte-level `Ġ`, SentencePiece `▁`)
    three_digit_single: float  # share of `000`-`999` that encode to one token
    three_digit_single_space: float  # ... written after a space
    single_0_999: float  # share of the integers 0-999 (no leading zeros) that encode to one token
    single_0_999_space: float

    @property
    def total(self) -> int:
        return self.bare + self.spaced


THREE_DIGIT = tuple(f"{i:03d}" for i in range(1000))
ZERO_TO_999 = tuple(str(i) for i in range(1000))


def single_token_probes(numbers: tuple[str, ...], space: bool) -> list[Probe]:
    return [number_probe(" " if space else "", n) for n in numbers]


def single_token_share(segs: list[Segmentation], space: bool) -> float:
    """Share of numbers held by one token (after a space: one token that also holds the space)."""
    return sum(len(s.groups) == 1 and (s.space_merged or not space) for s in segs) / len(segs)


def vocab_counts(tokenizer: Any) -> tuple[int, int]:
    """(entries that are 1+ ASCII digits, entries that are one space then 1+ ASCII digits)."""
    bare = spaced = 0
    for surface in tokenizer.token_bytes():
        if not surface or not (48 <= surface[-1] <= 57):
            continue
        if _BARE.fullmatch(surface):
            bare += 1
        elif _SPACED.fullmatch(surface):
            spaced += 1
    return bare, spaced


def inventory(tokenizer: Any, surfaces: DigitSurfaces | None = None) -> Inventory:
    """Counts from the vocabulary's surfaces, single-token shares from encodings."""
    sets = [(THREE_DIGIT, False), (THREE_DIGIT, True), (ZERO_TO_999, False), (ZERO_TO_999, True)]
    probes = [p for numbers, space in sets for p in single_token_probes(numbers, space)]
    segs = [s for (s,) in segment(tokenizer, probes, surfaces)]
    shares = [single_token_share(segs[i * 1000 : (i + 1) * 1000], space) for i, (_, space) in enumerate(sets)]
    return Inventory(*vocab_counts(tokenizer), *shares)
