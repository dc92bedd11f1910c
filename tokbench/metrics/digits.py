"""The `digits` metric family: digit-direction arithmetic probes from the tokenizer alone.

Singh & Strouse (2024) show that how a tokenizer groups digits (left-to-right threes as in
cl100k, right-to-left as forced by thousands separators, single digits as in Llama-2, or GPT-2's
irregular merges) changes arithmetic accuracy. These metrics read no corpus: every probe is a
seeded synthetic number or `a+b=c` problem (tokbench.digits), all encoded in one batch per
tokenizer and shared by the family. Rows carry corpus "-" and split "-"; one row per metric with
language ALL, except digits.chunk_signature (one row per digit length, language len01..len30, the
patterns in `flags`); digits.chunk_class has its class label in `flags`. `tokbench run --metrics
digits` selects the whole family. (`tokbench probe-arithmetic` writes digits.arith.* rows for a
model: split = number format, language = `<k>shot`; see tokbench.digits.scoring.)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from tokbench.digits.analysis import OPTIONS, DigitProbes, cached_analysis, wilson
from tokbench.digits.context import CONTEXTS
from tokbench.metrics.base import ALL_LANGUAGES, Metric, MetricCard, make_row, register_metric
from tokbench.metrics.context import MetricContext

CITATION = "Singh & Strouse (2024) Tokenization counts: the impact of tokenization on arithmetic in frontier LLMs"
SPLIT = "-"  # no corpus split: the probes are synthetic
SHARE = "fraction of numbers"
PROBLEMS = "fraction of problems"
TOKENS = "vocabulary entries"

# (value, n, ci or None, flags)
Reading = tuple[float, int, tuple[float, float] | None, str]


def _share(value: float, n: int) -> Reading:
    return value, n, wilson(value * n, n) if n and not math.isnan(value) else None, ""


def _misalignment(fmt: str, part: str) -> Callable[[DigitProbes], Reading]:
    def read(r: DigitProbes) -> Reading:
        m = r.misalignment[fmt]
        n = {"all": m.n, "longer": m.n_longer, "not_longer": m.n - m.n_longer}[part]
        value = {"all": m.overall, "longer": m.longer, "not_longer": m.not_longer}[part]
        return _share(value, n)

    return read


def _context(c: str) -> Callable[[DigitProbes], Reading]:
    return lambda r: _share(r.context_change[c], r.n_strings)


def _inv(field: str) -> Callable[[DigitProbes], Reading]:
    return lambda r: _share(getattr(r.inventory, field), 1000)


_CONTEXT_TEXT = {
    "space": "after a space (` 1234`)",
    "dollar": "after `$`",
    "minus": "after `-`",
    "letter": "after a letter (`x1234`)",
    "decimal": "as the fractional part of a decimal (`3.1234`)",
    "thousands": "with thousands separators (`1,234`)",
}
_MIS_PART = {
    "all": "all problems",
    "longer": "problems whose answer is longer than both addends (the paper's length-mismatch case)",
    "not_longer": "problems whose answer is as long as the longer addend",
}
_FMT_TEXT = {"plain": "plain digits (`a+b=c`)", "comma": "thousands separators (`1,234+5,678=6,912`)"}

# name -> (definition, unit, higher_is_better, reader)
SPECS: dict[str, tuple[str, str, bool | None, Callable[[DigitProbes], Reading]]] = {
    "digits.chunk_class": (
        "Chunk class of bare digit strings of length 1..30 (every 3-digit string 000-999 and 0-99, "
        "digit_samples seeded strings per length from 4 on): "
        "single-digit, left-to-right-k (k, k, ..., n mod k), right-to-left-k (n mod k, k, ..., k) or irregular "
        "(any other pattern, or one length cut two ways). value = k, the group size (1 for single-digit, the "
        "largest digits-per-token for irregular); the class label is in `flags`. n = digit strings probed.",
        "digits per token",
        None,
        lambda r: (float(r.chunk_class.k), r.n_signature, None, r.chunk_class.label),
    ),
    "digits.pattern_consistency": (
        "Distinct chunk patterns (digits per token, left to right) per digit length, averaged over lengths "
        "1..30 of bare digit strings (lengths 1-3 exhaustive: 0-99 and 000-999; from 4 on digit_samples seeded "
        "strings each); 1 = the length alone decides how a number is cut. n = digit strings probed.",
        "patterns per length",
        False,
        lambda r: (r.pattern_consistency, r.n_signature, None, ""),
    ),
    "digits.place_value_alignment": (
        "Share of seeded integers (length uniform on 1..12, then uniform digits, no leading zero) written "
        "bare whose token boundaries include every thousands boundary counted from the right and whose "
        "tokens hold at most 3 digits. 95% Wilson interval. n = integers.",
        SHARE,
        True,
        lambda r: _share(r.alignment, r.n_integers),
    ),
    "digits.place_value_alignment.comma": (
        "digits.place_value_alignment for the same integers written with thousands separators (`1,234,567`): "
        "1 unless a token crosses a comma or holds more than 3 digits. 95% Wilson interval. n = integers.",
        SHARE,
        True,
        lambda r: _share(r.alignment_comma, r.n_integers),
    ),
    "digits.space_merged": (
        "Share of seeded digit strings (lengths 1..30) written after a space whose first digit token also "
        "holds a space (GPT-2's ` 2024`; cl100k keeps ` ` apart; SentencePiece `▁12`). Always 0 for WordPiece, "
        "which drops spaces. n = digit strings.",
        SHARE,
        None,
        lambda r: _share(r.space_merged, r.n_strings),
    ),
    **{
        f"digits.context_change.{c}": (
            f"Share of seeded digit strings (lengths 1..30) whose digit grouping {_CONTEXT_TEXT[c]} differs "
            "from the same digits written bare (a context-free cut scores 0). n = digit strings.",
            SHARE,
            False,
            _context(c),
        )
        for c in CONTEXTS
        if c != "bare"
    },
    **{
        f"digits.misalignment.{fmt}" + ("" if part == "all" else f".{part}"): (
            f"Share of seeded a+b=c problems (addends of 7-9 digits, every length pair cycled; "
            f"digit_problems per pair) written in {_FMT_TEXT[fmt]}, among {_MIS_PART[part]}, whose answer's "
            "token boundaries (as place values) differ from the longer addend's over the places both have. "
            "The equation is encoded as one text. 95% Wilson interval. n = problems.",
            PROBLEMS,
            False,
            _misalignment(fmt, part),
        )
        for fmt in ("plain", "comma")
        for part in ("all", "longer", "not_longer")
    },
    "digits.inventory": (
        "Vocabulary entries whose surface is only ASCII digits, with or without one leading space "
        "(Singh & Strouse's pure-number token count: r50k/p50k 1,691; cl100k 1,110; legacy Claude 2,380); "
        "SentencePiece byte-fallback pieces <0x30>-<0x39> are not counted (they would count the digits twice). "
        "n = vocabulary size.",
        TOKENS,
        None,
        lambda r: (float(r.inventory.total), -1, None, ""),
    ),
    "digits.inventory.bare": (
        "Vocabulary entries whose surface is only ASCII digits (no leading space). n = vocabulary size.",
        TOKENS,
        None,
        lambda r: (float(r.inventory.bare), -1, None, ""),
    ),
    "digits.inventory.space": (
        "Vocabulary entries whose surface is one space followed by ASCII digits (`Ġ123`, `▁123`). n = vocabulary size.",
        TOKENS,
        None,
        lambda r: (float(r.inventory.spaced), -1, None, ""),
    ),
    "digits.single_token.three_digit": (
        "Share of the 1,000 strings 000-999 whose digits the tokenizer puts in one token when encoded alone "
        "(a separate SentencePiece dummy-prefix token is ignored); p50k 77.7%, cl100k 100% in the paper.",
        SHARE,
        None,
        _inv("three_digit_single"),
    ),
    "digits.single_token.three_digit.space": (
        "Share of ` 000`-` 999` (leading space) encoded as one token holding the space and the digits; "
        "p50k 40.6%, cl100k 0% (the space stays its own token) in the paper.",
        SHARE,
        None,
        _inv("three_digit_single_space"),
    ),
    "digits.single_token.0_999": (
        "Share of the integers 0-999 (no leading zeros) whose digits are one token when encoded alone; "
        "1 when every one of them is a single token.",
        SHARE,
        None,
        _inv("single_0_999"),
    ),
    "digits.single_token.0_999.space": (
        "Share of the integers 0-999 after a space encoded as one token holding the space and the digits.",
        SHARE,
        None,
        _inv("single_0_999_space"),
    ),
}


class DigitMetric(Metric):
    """One number of the digits family; the probes are computed once per tokenizer and options."""

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        name = self.card.name
        result = cached_analysis(ctx.tokenizer, opts)
        value, n, ci, flags = SPECS[name][3](result)
        if n < 0:  # inventory counts: n is the vocabulary they were counted in
            n = int(ctx.tokenizer.vocab_size)
        return [make_row(name, ALL_LANGUAGES, SPLIT, value, self.card.unit, n, ci, flags)]


SIGNATURE = "digits.chunk_signature"
SIGNATURE_PATTERNS_SHOWN = 5


class ChunkSignature(Metric):
    """One row per digit length: the chunk patterns themselves, for tables and plots."""

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        result = cached_analysis(ctx.tokenizer, opts)
        rows = []
        for length, patterns in result.signature.items():
            shown = ";".join(f"{p}:{c}" for p, c in patterns[:SIGNATURE_PATTERNS_SHOWN])
            more = (
                f";+{len(patterns) - SIGNATURE_PATTERNS_SHOWN} more" if len(patterns) > SIGNATURE_PATTERNS_SHOWN else ""
            )
            n = sum(c for _, c in patterns)
            rows.append(
                make_row(SIGNATURE, f"len{length:02d}", SPLIT, len(patterns), self.card.unit, n, None, shown + more)
            )
        return rows


def _register(name: str, definition: str, unit: str, higher_is_better: bool | None) -> type[Metric]:
    card = MetricCard(
        name=name,
        definition=definition,
        unit=unit,
        higher_is_better=higher_is_better,
        needs=("tokenizer only",),
        citation=CITATION,
        options=dict(OPTIONS),
        corpus=False,
    )
    cls = type(f"Digits_{name.replace('.', '_')}", (DigitMetric,), {"card": card, "__doc__": definition})
    return register_metric(cls)


for _name, (_definition, _unit, _hib, _) in SPECS.items():
    _register(_name, _definition, _unit, _hib)

ChunkSignature.card = MetricCard(
    name=SIGNATURE,
    definition=(
        "The chunk signature itself: one row per digit length (language = len01..len30) of bare digit strings "
        "(lengths 1-3 exhaustive, then digit_samples seeded strings per length). value = distinct patterns at "
        "that length; flags = the patterns, most frequent first, as `digits-per-token:count` separated by `;` "
        "(e.g. `3-3-1:10` for cl100k at 7 digits; at most 5 shown). n = strings of that length."
    ),
    unit="patterns",
    higher_is_better=False,
    needs=("tokenizer only",),
    citation=CITATION,
    options=dict(OPTIONS),
    corpus=False,
)
register_metric(ChunkSignature)

FAMILY = "digits"
NAMES = (*SPECS, SIGNATURE)
