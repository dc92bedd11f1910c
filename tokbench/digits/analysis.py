"""All model-free digit probes of one tokenizer, computed together and memoised.

The `digits.*` metrics each read one number from this result, so a `tokbench run --metrics digits`
cell costs one batched encode of every probe per tokenizer, not one per metric.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from tokbench.digits import chunks, context, inventory, misalignment, place_value
from tokbench.digits.probeset import FORMATS, Problem, sample_problems
from tokbench.digits.sampling import numbers_by_length, numbers_uniform_length
from tokbench.digits.segment import DigitSurfaces, Probe, ProbeBatch, number_probe, segment

SIGNATURE_LENGTHS = range(1, 31)
ALIGNMENT_MAX_LENGTH = 12
EQUATION_FORMATS = {"plain": FORMATS["plain"], "comma": FORMATS["comma_r2l"]}
OPTIONS: dict[str, Any] = {
    "digit_seed": 0,  # seeds every sample of the family
    "digit_samples": 10,  # digit strings per length (1..30) for signatures and contexts
    "digit_integers": 1000,  # integers of uniform length 1..12 for place-value alignment
    "digit_problems": 50,  # a+b=c problems per addend-length pair (7-9 digits) for misalignment
}


@dataclass(frozen=True)
class DigitProbes:
    chunk_class: chunks.ChunkClass
    signature: dict[int, list[tuple[str, int]]]  # length -> (pattern, count), most frequent first
    pattern_consistency: float
    n_signature: int  # bare strings behind the signature (sampled 1..30 + exhaustive 0-99, 000-999)
    n_strings: int  # sampled digit strings (lengths 1..30), the base of the context probes
    alignment: float
    alignment_comma: float
    n_integers: int
    context_change: dict[str, float]
    space_merged: float
    misalignment: dict[str, misalignment.MisalignmentRates]
    inventory: inventory.Inventory
    options: dict[str, Any] = field(default_factory=dict)


def wilson(k: float, n: int) -> tuple[float, float]:
    """Wilson score 95% interval of k successes in n (scipy); k may be a share times n (rounded)."""
    if n == 0:
        return math.nan, math.nan
    from scipy.stats import binomtest  # imported here: scipy.stats costs ~1 s, paid by every `tokbench` command

    ci = binomtest(int(round(k)), n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


@dataclass(frozen=True)
class ProbePlan:
    """Every probe text of the family for given options, in named groups (tokenizer-independent)."""

    strings: list[str]  # digit strings by length 1..30 (signature and contexts)
    problems: list[Problem]  # a+b=c for misalignment
    groups: dict[str, slice]  # group name -> its probes in batch
    batch: ProbeBatch


@lru_cache(maxsize=4)
def probe_plan(seed: int, samples: int, integers: int, problems_per_pair: int) -> ProbePlan:
    by_len = numbers_by_length(seed, SIGNATURE_LENGTHS, samples)
    strings = [s for n in SIGNATURE_LENGTHS for s in by_len[n]]
    ints = numbers_uniform_length(seed + 1, ALIGNMENT_MAX_LENGTH, integers)
    problems = [q for q, _ in sample_problems(seed + 2, problems_per_pair, shots=False)]
    named: dict[str, list[Probe]] = {c: [context.context_probe(c, s) for s in strings] for c in context.CONTEXTS}
    named["int"] = [number_probe("", s) for s in ints]
    named["int_comma"] = [number_probe("", s, sep=",") for s in ints]
    for name, fmt in EQUATION_FORMATS.items():
        named[f"eq_{name}"] = [misalignment.equation_probe(p, fmt) for p in problems]
    named["single"] = inventory.single_token_probes(space=False)
    named["single_space"] = inventory.single_token_probes(space=True)
    groups, flat = {}, []
    for name, ps in named.items():
        groups[name] = slice(len(flat), len(flat) + len(ps))
        flat += ps
    return ProbePlan(strings, problems, groups, ProbeBatch(flat))


def analyse(tokenizer: Any, options: dict[str, Any] | None = None) -> DigitProbes:
    """Every model-free probe of the digits family for one tokenizer (one batched encode)."""
    opts = {**OPTIONS, **(options or {})}
    plan = probe_plan(
        int(opts["digit_seed"]), int(opts["digit_samples"]), int(opts["digit_integers"]), int(opts["digit_problems"])
    )
    flat = segment(tokenizer, plan.batch, DigitSurfaces(tokenizer))
    segs = {name: flat[sl] for name, sl in plan.groups.items()}
    one = {name: [s[0] for s in ss] for name, ss in segs.items() if not name.startswith("eq_")}

    # lengths 1-3 exhaustively (000-999 and 0-99 from the single-token probes), 4-30 sampled: a vocabulary
    # missing a few 3-digit groups (falcon: 097, 957) is caught whatever the sample
    bare_groups = [s.groups for s in one["bare"] + one["single"]]
    patterns = chunks.patterns_by_length(bare_groups)
    longer = [p.answer_longer for p in plan.problems]
    n_int = len(one["int"])
    bare = inventory.single_token_shares(one["single"], space=False)
    spaced = inventory.single_token_shares(one["single_space"], space=True)
    return DigitProbes(
        chunk_class=chunks.classify(patterns),
        signature=chunks.signature(bare_groups),
        pattern_consistency=chunks.pattern_consistency(patterns),
        n_signature=len(one["bare"]) + len(one["single"]),
        n_strings=len(plan.strings),
        alignment=sum(map(place_value.is_aligned, one["int"])) / n_int,
        alignment_comma=sum(map(place_value.is_aligned, one["int_comma"])) / n_int,
        n_integers=n_int,
        context_change={c: context.change_share(one["bare"], one[c]) for c in context.CONTEXTS if c != "bare"},
        space_merged=context.space_merged_share(one["space"]),
        misalignment={
            name: misalignment.rates([misalignment.misaligned(s) for s in segs[f"eq_{name}"]], longer)
            for name in EQUATION_FORMATS
        },
        inventory=inventory.Inventory(*inventory.vocab_counts(tokenizer), bare[0], spaced[0], bare[1], spaced[1]),
        options=opts,
    )


_MEMO: dict[tuple[str, tuple[tuple[str, Any], ...]], DigitProbes] = {}


def cached_analysis(tokenizer: Any, options: dict[str, Any] | None = None) -> DigitProbes:
    """`analyse`, memoised on the tokenizer's content key and the options (the last 4 kept)."""
    opts = {**OPTIONS, **{k: v for k, v in (options or {}).items() if k in OPTIONS}}
    key = (str(getattr(tokenizer, "cache_key", id(tokenizer))), tuple(sorted(opts.items())))
    if key not in _MEMO:
        while len(_MEMO) >= 4:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = analyse(tokenizer, opts)
    return _MEMO[key]
