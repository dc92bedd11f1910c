"""argparse value types that refuse nonsense at parse time (a negative replicate count, zero merges),
so a bad number is a one-line usage error instead of a silent default or a crash deep in a run."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def _number(kind: type, low: float, inclusive: bool, what: str) -> Callable[[str], int | float]:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        if value < low or (value == low and not inclusive):
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return value

    parse.__name__ = what  # argparse names the type in its message
    return parse


non_negative_int = _number(int, 0, True, "a whole number >= 0")
positive_int = _number(int, 1, True, "a whole number >= 1")
positive_float = _number(float, 0.0, False, "a number > 0")
