"""Seeded digit strings: the numbers every digit probe is built from (vectorised: one draw per batch)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def random_numbers(rng: np.random.Generator, lengths: Sequence[int] | np.ndarray) -> list[str]:
    """One integer per requested length, no leading zero, uniform over the integers of that length."""
    lengths = np.asarray(lengths, dtype=np.int64)
    if len(lengths) == 0:
        return []
    if lengths.min() < 1:
        raise ValueError("lengths must be >= 1")
    width = int(lengths.max())
    digits = rng.integers(0, 10, size=(len(lengths), width), dtype=np.uint8)
    digits[:, 0] = rng.integers(1, 10, size=len(lengths), dtype=np.uint8)
    rows = (digits + 48).tobytes()
    return [rows[i * width : i * width + n].decode("ascii") for i, n in enumerate(lengths.tolist())]


def random_number(rng: np.random.Generator, length: int) -> str:
    return random_numbers(rng, [length])[0]


def numbers_by_length(seed: int, lengths: range, per_length: int) -> dict[int, list[str]]:
    """`per_length` seeded integers of every length (length 1 holds at most the 9 distinct ones)."""
    rng = np.random.default_rng(seed)
    flat = random_numbers(rng, np.repeat(np.asarray(list(lengths)), per_length))
    return {n: flat[i * per_length : (i + 1) * per_length] for i, n in enumerate(lengths)}


def numbers_uniform_length(seed: int, max_length: int, count: int) -> list[str]:
    """`count` integers whose length is uniform on 1..max_length, then uniform given the length."""
    rng = np.random.default_rng(seed)
    return random_numbers(rng, rng.integers(1, max_length + 1, size=count))
