"""Scoring model answers to addition probes: exact match, format adherence, first wrong digit.

The answer is read from the first line of the continuation: the leading number written with the
probe's delimiter between digits only (so `12,345,678\n...` -> `12,345,678`, `12 345 is` -> `12 345`).
It is correct when its digits equal the true sum's (exact match on the number); `format_exact` also
requires the delimiters to sit where the format puts them. The first error is the 1-based position,
counted from the left (most significant digit), of the first digit that differs from the true sum's;
an answer that stops early or runs on errs at the first missing or extra digit (Singh & Strouse
2024 find left-to-right failures concentrated at the 4th digit).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from tokbench.digits.probeset import ProbeRecord, get_format
from tokbench.metrics.base import make_row

UNIT_SHARE = "fraction of problems"
MAX_ERROR_POSITION = 11  # 9-digit addends give at most 10-digit sums; beyond that is "runs on"


@dataclass(frozen=True)
class Scored:
    id: str
    format: str
    shots: int
    answer_longer: bool
    output: str  # the raw continuation
    parsed: str  # the number read from it, as written ("" if none)
    correct: bool
    format_exact: bool
    first_error: int | None  # 1-based digit position from the left; None when correct

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_answer(output: str, delimiter: str) -> str:
    """The leading number of the first line, delimiters allowed only between digits."""
    line = output.lstrip(" \t").split("\n", 1)[0]
    sep = re.escape(delimiter) if delimiter else ""
    pattern = rf"[0-9](?:{sep}(?=[0-9])|[0-9])*" if sep else r"[0-9]+"
    m = re.match(pattern, line)
    return m.group(0) if m else ""


def first_error(predicted: str, truth: str) -> int | None:
    """1-based position of the first digit where `predicted` departs from `truth` (None if equal)."""
    for i, (p, t) in enumerate(zip(predicted, truth, strict=False)):
        if p != t:
            return i + 1
    return None if len(predicted) == len(truth) else min(len(predicted), len(truth)) + 1


def score(record: ProbeRecord, output: str) -> Scored:
    fmt = get_format(record.format)
    parsed = parse_answer(output, fmt.delimiter)
    digits = fmt.read(parsed)
    err = first_error(digits, record.answer)
    return Scored(
        id=record.id,
        format=record.format,
        shots=record.shots,
        answer_longer=record.answer_longer,
        output=output,
        parsed=parsed,
        correct=err is None,
        format_exact=parsed == record.target,
        first_error=err,
    )


def _rate(xs: Sequence[bool]) -> tuple[float, int]:
    return (sum(xs) / len(xs), len(xs)) if xs else (math.nan, 0)


def summarise(scored: Sequence[Scored]) -> list[dict[str, Any]]:
    """Tidy rows per (format, shots): split = format, language = `<k>shot`.

    digits.arith.accuracy (+ .answer_longer / .answer_not_longer), digits.arith.format_exact, and
    digits.arith.first_error.<i>: share of wrong answers whose first wrong digit is at position i
    (i = 1..MAX_ERROR_POSITION, `none` = no number in the output). 95% Wilson intervals."""
    from tokbench.digits.analysis import wilson

    groups: dict[tuple[str, int], list[Scored]] = defaultdict(list)
    for s in scored:
        groups[(s.format, s.shots)].append(s)
    rows = []
    for (fmt, shots), items in sorted(groups.items()):
        lang = f"{shots}shot"

        def row(metric: str, xs: Sequence[bool], unit: str = UNIT_SHARE) -> dict[str, Any]:
            value, n = _rate(xs)
            ci = wilson(value * n, n) if n else None
            return make_row(metric, lang, fmt, value, unit, n, ci)  # noqa: B023

        rows.append(row("digits.arith.accuracy", [s.correct for s in items]))
        rows.append(row("digits.arith.accuracy.answer_longer", [s.correct for s in items if s.answer_longer]))
        rows.append(row("digits.arith.accuracy.answer_not_longer", [s.correct for s in items if not s.answer_longer]))
        rows.append(row("digits.arith.format_exact", [s.format_exact for s in items]))
        wrong = [s for s in items if not s.correct]
        if wrong:
            for pos in [*range(1, MAX_ERROR_POSITION + 1), "none"]:
                hits = [(_position_label(s) == str(pos)) for s in wrong]
                rows.append(row(f"digits.arith.first_error.{pos}", hits, "fraction of wrong answers"))
    return rows


def _position_label(s: Scored) -> str:
    if not s.parsed:
        return "none"
    return str(min(s.first_error or 0, MAX_ERROR_POSITION))
