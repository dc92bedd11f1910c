"""How a tokenizer cuts the digits of numbers embedded in a text: the base of every digit probe.

A probe is a text plus the positions of each number's digits (separators such as the commas of
`1,234` are not digits). A number's *groups* are the runs of consecutive digits held by the same
token (`2024` under cl100k: `202|4` -> (3, 1)).

Digits are assigned to tokens through the tokens' surfaces rather than offsets: every adapter's
`token_bytes()` gives each token's surface, and no tokenizer adds, drops or reorders ASCII digits
(a SentencePiece dummy prefix adds a space, WordPiece drops spaces), so the k-th digit of a text
is the k-th digit of its tokens' surfaces. That makes one `encode_flat` call and a few numpy
operations enough for tens of thousands of probes; the digit count of every text is checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tokbench.errors import TokbenchError


@dataclass(frozen=True)
class Probe:
    """One probe text and, per number in it, the character positions of its digits (left to right)."""

    text: str
    numbers: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Segmentation:
    """A number as the tokenizer cut it."""

    groups: tuple[int, ...]  # digits per token, left to right (sums to the number's length)
    space_merged: bool  # the token holding the first digit also holds a space (a preceding one)

    @property
    def length(self) -> int:
        return sum(self.groups)

    def boundary_places(self) -> frozenset[int]:
        """Token boundaries inside the number as place values: a cut with p digits to its right -> p."""
        places, right = set(), self.length
        for g in self.groups[:-1]:
            right -= g
            places.add(right)
        return frozenset(places)


def with_separators(digits: str, sep: str, group: int = 3, right_to_left: bool = True) -> str:
    """`1234567` -> `1,234,567` (groups counted from the right) or `123,456,7` (from the left)."""
    if not sep:
        return digits
    if right_to_left:
        head = len(digits) % group or group
        parts = [digits[:head]] + [digits[i : i + group] for i in range(head, len(digits), group)]
    else:
        parts = [digits[i : i + group] for i in range(0, len(digits), group)]
    return sep.join(parts)


def number_probe(prefix: str, digits: str, suffix: str = "", sep: str = "", group: int = 3) -> Probe:
    """`prefix + digits + suffix`, digits optionally grouped from the right with `sep` (thousands)."""
    shown = with_separators(digits, sep, group)
    start = len(prefix)
    positions = tuple(start + i for i, ch in enumerate(shown) if "0" <= ch <= "9")
    return Probe(prefix + shown + suffix, (positions,))


class ProbeBatch:
    """Probes laid out flat for vectorised segmentation; tokenizer-independent, so build it once."""

    def __init__(self, probes: Sequence[Probe]) -> None:
        self.probes = list(probes)
        self.texts = [p.text for p in self.probes]
        ordinals: list[int] = []
        number_of: list[int] = []
        first_digit: list[int] = []
        n_digits: list[int] = []
        number = 0
        for p in self.probes:
            ordinal_at = {}  # position of each digit -> its index among the text's digits
            for i, ch in enumerate(p.text):
                if "0" <= ch <= "9":
                    ordinal_at[i] = len(ordinal_at)
            n_digits.append(len(ordinal_at))
            for positions in p.numbers:
                try:
                    ords = [ordinal_at[i] for i in positions]
                except KeyError:
                    ords = []
                if not ords:
                    raise ValueError(f"probe {p.text!r}: number positions {positions} are not all digits")
                first_digit.append(len(ordinals))
                ordinals.extend(ords)
                number_of.extend([number] * len(ords))
                number += 1
        self.text_of_number = np.repeat(
            np.arange(len(self.probes)), [len(p.numbers) for p in self.probes]
        )  # number -> its text
        self.ordinal = np.asarray(ordinals, dtype=np.int64)  # digit -> its index among its text's digits
        self.number_of = np.asarray(number_of, dtype=np.int64)  # digit -> its number
        self.first_digit = np.asarray(first_digit, dtype=np.int64)  # number -> index of its first digit
        self.n_digits = np.asarray(n_digits, dtype=np.int64)  # text -> ASCII digits in it
        self.n_numbers = number

    def __len__(self) -> int:
        return len(self.probes)


class DigitSurfaces:
    """Per token id of one tokenizer: ASCII digits in its surface, and whether the surface starts with a space."""

    def __init__(self, tokenizer: Any) -> None:
        table = tokenizer.token_bytes()
        parts = [b or b"" for b in table]
        off = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in parts], out=off[1:])
        blob = np.frombuffer(b"".join(parts), dtype=np.uint8)
        cum = np.concatenate([[0], np.cumsum((blob >= 48) & (blob <= 57))])
        self.digits = cum[off[1:]] - cum[off[:-1]]
        lead = np.zeros(len(parts), dtype=bool)
        nonempty = off[1:] > off[:-1]
        lead[nonempty] = blob[off[:-1][nonempty]] == 0x20
        self.space_start = lead  # byte-level `Ġ`, SentencePiece `▁`, tiktoken ` `; never WordPiece


def segment(
    tokenizer: Any, probes: Sequence[Probe] | ProbeBatch, surfaces: DigitSurfaces | None = None
) -> list[list[Segmentation]]:
    """Every number of every probe as the tokenizer cuts it (one batched encode)."""
    batch = probes if isinstance(probes, ProbeBatch) else ProbeBatch(probes)
    if not len(batch):
        return []
    surf = surfaces or DigitSurfaces(tokenizer)
    ids, doc_off = tokenizer.encode_flat(batch.texts)
    ids = np.asarray(ids, dtype=np.int64)
    dig = surf.digits[ids] if len(ids) else np.zeros(0, dtype=np.int64)
    cum = np.cumsum(dig)  # cum[j]: digits in tokens 0..j (all texts)
    before_text = np.concatenate([[0], cum])[np.asarray(doc_off, dtype=np.int64)]  # digits before each text
    got = np.diff(before_text)
    bad = np.flatnonzero(got != batch.n_digits)
    if len(bad):
        i = int(bad[0])
        raise TokbenchError(
            f"tokenizer {getattr(tokenizer, 'name', '?')!r} encodes {batch.texts[i]!r} into tokens holding "
            f"{got[i]} digits instead of {batch.n_digits[i]}; its digits cannot be probed"
        )
    global_digit = before_text[batch.text_of_number[batch.number_of]] + batch.ordinal
    owner = np.searchsorted(cum, global_digit, side="right")  # token holding each digit
    # a group ends where the next digit of the same number lies in another token
    ends = np.flatnonzero(
        np.concatenate([(owner[1:] != owner[:-1]) | (batch.number_of[1:] != batch.number_of[:-1]), [True]])
    )
    lengths = np.diff(np.concatenate([[-1], ends]))
    group_number = batch.number_of[ends]
    merged = surf.space_start[ids[owner[batch.first_digit]]] if batch.n_numbers else np.zeros(0, dtype=bool)
    per_number: list[list[int]] = [[] for _ in range(batch.n_numbers)]
    for n, length in zip(group_number.tolist(), lengths.tolist(), strict=True):
        per_number[n].append(length)
    out: list[list[Segmentation]] = [[] for _ in range(len(batch))]
    for n, groups in enumerate(per_number):
        out[int(batch.text_of_number[n])].append(Segmentation(tuple(groups), bool(merged[n])))
    return out


__all__ = ["DigitSurfaces", "Probe", "ProbeBatch", "Segmentation", "number_probe", "segment", "with_separators"]
