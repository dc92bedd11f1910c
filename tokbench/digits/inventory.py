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
    bare: int  # vocabulary entries whose surface is 1+ ASCII digits (byte-fallback pieces excluded)
    spaced: int  # ... one space then 1+ ASCII digits (byte-level `Ġ`, SentencePiece `▁`)
    three_digit_single: float  # share of `000`-`999` that encode to one token
    three_digit_single_space: float  # ... written after a space
    single_0_999: float  # share of the integers 0-999 (no leading zeros) that encode to one token
    single_0_999_space: float

    @property
    def total(self) -> int:
        return self.bare + self.spaced


THREE_DIGIT = tuple(f"{i:03d}" for i in range(1000))
# every string probed for single tokens: 000-999, then 0-99 without leading zeros (0-999 = these + 100-999)
NUMBERS = THREE_DIGIT + tuple(str(i) for i in range(100))


def single_token_probes(space: bool) -> list[Probe]:
    return [number_probe(" " if space else "", n) for n in NUMBERS]


def _one_token(s: Segmentation, space: bool) -> bool:
    """Held by one token (after a space: one token that also holds the space)."""
    return len(s.groups) == 1 and (s.space_merged or not space)


def single_token_shares(segs: list[Segmentation], space: bool) -> tuple[float, float]:
    """(share of 000-999, share of the integers 0-999) held by one token; `segs` follow NUMBERS."""
    one = [_one_token(s, space) for s in segs]
    return sum(one[:1000]) / 1000, (sum(one[1000:]) + sum(one[100:1000])) / 1000


_BYTE_PIECE = re.compile(r"<0x[0-9A-Fa-f]{2}>")


def vocab_counts(tokenizer: Any) -> tuple[int, int]:
    """(ids whose surface is 1+ ASCII digits, ids whose surface is one space then 1+ ASCII digits).

    SentencePiece byte-fallback pieces `<0x30>`-`<0x39>` are not counted: they have the same surfaces
    as the pieces `0`-`9` and would count every digit twice (WordPiece `12` and `##12` are distinct
    tokens and both count)."""
    bare: list[int] = []
    spaced: list[int] = []
    for i, surface in enumerate(tokenizer.token_bytes()):
        if not surface or not (48 <= surface[-1] <= 57):
            continue
        if _BARE.fullmatch(surface):
            bare.append(i)
        elif _SPACED.fullmatch(surface):
            spaced.append(i)

    def real(ids: list[int]) -> int:
        return sum(not _BYTE_PIECE.fullmatch(t) for t in tokenizer.tokens(ids)) if ids else 0

    return real(bare), real(spaced)


def inventory(tokenizer: Any, surfaces: DigitSurfaces | None = None) -> Inventory:
    """Counts from the vocabulary's surfaces, single-token shares from encodings."""
    segs = [s for (s,) in segment(tokenizer, single_token_probes(False) + single_token_probes(True), surfaces)]
    bare = single_token_shares(segs[: len(NUMBERS)], space=False)
    spaced = single_token_shares(segs[len(NUMBERS) :], space=True)
    return Inventory(*vocab_counts(tokenizer), bare[0], spaced[0], bare[1], spaced[1])
