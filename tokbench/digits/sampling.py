"""Seeded digit strings: the numbers every model-free digit probe is built from."""

from __future__ import annotations

import numpy as np


def random_number(rng: np.random.Generator, length: int) -> str:
    """A `length`-digit integer without a leading zero (uniform over those integers)."""
    if length < 1:
        raise ValueError("length must be >= 1")
    first = str(int(rng.integers(1, 10)))
    rest = rng.integers(0, 10, size=length - 1)
    return first + "".join(map(str, rest.tolist()))


def numbers_by_length(seed: int, lengths: range, per_length: int) -> dict[int, list[str]]:
    """`per_length` seeded integers of every length (length 1 holds at most the 9 distinct ones)."""
    rng = np.random.default_rng(seed)
    return {n: [random_number(rng, n) for _ in range(per_length)] for n in lengths}


def numbers_uniform_length(seed: int, max_length: int, count: int) -> list[str]:
    """`count` integers whose length is uniform on 1..max_length, then uniform given the length."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, max_length + 1, size=count)
    return [random_number(rng, int(n)) for n in lengths]
