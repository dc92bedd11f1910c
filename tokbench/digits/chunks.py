"""Chunk signatures and chunk classes: how a tokenizer groups the digits of a bare number.

Singh & Strouse (2024) contrast left-to-right grouping in threes (cl100k: `\\p{N}{1,3}`, so
`1234567` -> `123|456|7`), single-digit tokenization (Llama-2, Mistral) and the irregular merges
of GPT-2-era BPE. The signature is the token-length pattern of digit strings of length 1..30; the
class follows from it:

- ``single-digit``: every digit is its own token;
- ``left-to-right-k``: full groups of k from the left, the remainder last (`k, k, ..., n mod k`);
- ``right-to-left-k``: the remainder first, then full groups of k (thousands-aligned when k = 3);
- ``irregular``: anything else, including one length cut in two different ways.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SINGLE, L2R, R2L, IRREGULAR = "single-digit", "left-to-right", "right-to-left", "irregular"


@dataclass(frozen=True)
class ChunkClass:
    kind: str  # SINGLE, L2R, R2L or IRREGULAR
    k: int  # group size (1 for single-digit; the largest group seen for irregular)

    @property
    def label(self) -> str:
        return f"{self.kind}-{self.k}" if self.kind in (L2R, R2L) else self.kind


def left_to_right(n: int, k: int) -> tuple[int, ...]:
    return (k,) * (n // k) + ((n % k,) if n % k else ())


def right_to_left(n: int, k: int) -> tuple[int, ...]:
    return tuple(reversed(left_to_right(n, k)))


def patterns_by_length(groups: Sequence[tuple[int, ...]]) -> dict[int, set[tuple[int, ...]]]:
    """Distinct chunk patterns per digit length."""
    out: dict[int, set[tuple[int, ...]]] = {}
    for g in groups:
        out.setdefault(sum(g), set()).add(tuple(g))
    return out


def classify(patterns: Mapping[int, set[tuple[int, ...]]]) -> ChunkClass:
    """The chunk class of a signature (patterns of bare digit strings per length)."""
    if not patterns:
        raise ValueError("no digit patterns to classify")
    k = max(max(p) for ps in patterns.values() for p in ps)
    if any(len(ps) != 1 for ps in patterns.values()):
        return ChunkClass(IRREGULAR, k)
    one = {n: next(iter(ps)) for n, ps in patterns.items()}
    if k == 1:
        return ChunkClass(SINGLE, 1)
    if all(p == left_to_right(n, k) for n, p in one.items()):
        return ChunkClass(L2R, k)
    if all(p == right_to_left(n, k) for n, p in one.items()):
        return ChunkClass(R2L, k)
    return ChunkClass(IRREGULAR, k)


def pattern_consistency(patterns: Mapping[int, set[tuple[int, ...]]]) -> float:
    """Mean number of distinct chunk patterns per digit length (1 = the length alone decides the cut)."""
    return sum(len(ps) for ps in patterns.values()) / len(patterns)


def signature(groups: Sequence[tuple[int, ...]]) -> dict[int, list[tuple[str, int]]]:
    """Readable signature: per length, its patterns as (`3-3-1`, count), most frequent first."""
    counts: dict[int, Counter[str]] = {}
    for g in groups:
        counts.setdefault(sum(g), Counter())["-".join(map(str, g))] += 1
    return {n: sorted(c.items(), key=lambda kv: (-kv[1], kv[0])) for n, c in sorted(counts.items())}
