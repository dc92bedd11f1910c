"""Operand-answer misalignment in `a+b=c` (Singh & Strouse 2024, section on length mismatch).

With left-to-right grouping, `1234567+7654321=8888888` cuts all three numbers at the same place
values, but when the answer is longer than both addends (`9999999+1=10000000`) its groups are
shifted by a digit against the operands'; the paper finds gpt-3.5's left-to-right errors
concentrate there. A problem is *misaligned* when the answer's token boundaries, as place values,
differ from those of the longer addend (of each addend when both have the answer's reference
length) over the places both numbers have. The longer addend is the reference because an answer
as long as it can copy its cut place by place; with unequal addends the shorter one is offset
from both whatever the answer. Measured on the whole equation as one text, in the plain and the
comma (right-to-left) formats.
"""

from __future__ import annotations

from dataclasses import dataclass

from tokbench.digits.probeset import NumberFormat, Problem
from tokbench.digits.segment import Probe, Segmentation


def equation_probe(problem: Problem, fmt: NumberFormat) -> Probe:
    """`a+b=c` in `fmt`, with the digit positions of a, b and c."""
    text, numbers = "", []
    for i, digits in enumerate((problem.a, problem.b, problem.answer)):
        shown = fmt.write(digits)
        numbers.append(tuple(len(text) + j for j, ch in enumerate(shown) if ch.isdigit()))
        text += shown + ("+", "=", "")[i]
    return Probe(text, tuple(numbers))


def aligned(x: Segmentation, y: Segmentation) -> bool:
    """Same token boundaries over the place values both numbers have."""
    shared = min(x.length, y.length)
    return {p for p in x.boundary_places() if p < shared} == {p for p in y.boundary_places() if p < shared}


def misaligned(segs: list[Segmentation]) -> bool:
    a, b, c = segs
    longest = max(a.length, b.length)
    return not all(aligned(c, x) for x in (a, b) if x.length == longest)


@dataclass(frozen=True)
class MisalignmentRates:
    overall: float
    longer: float  # answers longer than both addends
    not_longer: float
    n: int
    n_longer: int


def rates(flags: list[bool], longer: list[bool]) -> MisalignmentRates:
    def share(sel: list[bool]) -> float:
        k = [f for f, s in zip(flags, sel, strict=True) if s]
        return sum(k) / len(k) if k else float("nan")

    return MisalignmentRates(
        overall=sum(flags) / len(flags),
        longer=share(longer),
        not_longer=share([not x for x in longer]),
        n=len(flags),
        n_longer=sum(longer),
    )
