"""Shared machinery of the parallel-text metrics (premium, ctc): aligned unit-count matrices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tokbench.errors import TokbenchError
from tokbench.metrics.context import MetricContext
from tokbench.metrics.stats import bootstrap_weights

PROTOCOLS = ("petrov", "sentence")
PARALLEL_OPTIONS: dict[str, Any] = {
    "protocol": "petrov",  # petrov: one joined string per language over `splits`; sentence: sum over `split`
    "splits": (),  # petrov protocol splits, in order; () = all corpus splits (FLORES: dev, devtest)
    "split": "",  # sentence protocol split; '' = devtest when present, else the last split
    "pivot": "eng_Latn",
    "bootstrap": 1000,  # resamples of aligned units for the 95% CI; 0 = no CI
    "seed": 0,
}


@dataclass
class Aligned:
    """Token counts of every language on the pivot's units (NaN where a language lacks a unit)."""

    langs: list[str]
    counts: np.ndarray  # (n_langs, n_units) float64
    present: np.ndarray  # (n_langs, n_units) bool
    pivot_row: int
    split_label: str
    weights: np.ndarray | None  # bootstrap W (B, n_units) or None


def protocol_splits(ctx: MetricContext, opts: dict[str, Any], metric: str) -> tuple[str, tuple[str, ...]]:
    """Validated (protocol, splits) of the options."""
    protocol = opts["protocol"]
    if protocol not in PROTOCOLS:
        raise TokbenchError(f"unknown protocol {protocol!r} for {metric}; use --option protocol=petrov or sentence")
    if protocol == "petrov":
        splits = tuple(opts["splits"]) or tuple(ctx.view.splits)
        for s in splits:
            ctx.view.check_split(s)
        return protocol, splits
    return protocol, (ctx.split_option(opts),)


def protocol_languages(ctx: MetricContext, splits: tuple[str, ...]) -> list[str]:
    """Requested languages present in every split of the protocol."""
    langs = ctx.languages(splits[0])
    for s in splits[1:]:
        have = set(ctx.view.languages(s))
        langs = [x for x in langs if x in have]
    return langs


def aligned_counts(ctx: MetricContext, opts: dict[str, Any], metric: str) -> Aligned:
    """Encode (cached) and align all languages to the pivot's units; validates parallelism and pivot."""
    view = ctx.view
    protocol, splits = protocol_splits(ctx, opts, metric)
    if not view.parallel:
        raise TokbenchError(
            f"{metric} needs a parallel corpus and {view.name!r} is not one; use e.g. --corpora flores200 or udhr"
        )
    langs = protocol_languages(ctx, splits)
    pivot = opts["pivot"]
    all_langs = set(view.languages(splits[0]))
    if pivot not in all_langs:
        raise TokbenchError(
            f"pivot language {pivot!r} is not in corpus {view.name!r}; pass --option pivot=<lang code> "
            f"(e.g. {sorted(all_langs)[0]})"
        )
    if pivot not in langs:
        langs = [pivot, *langs]
    pivot_keys, _, label = ctx.unit_counts(protocol, splits, pivot)
    index = {k: i for i, k in enumerate(pivot_keys)}
    counts = np.zeros((len(langs), len(pivot_keys)), dtype=np.float64)
    present = np.zeros_like(counts, dtype=bool)
    for r, lang in enumerate(langs):
        keys, c, _ = ctx.unit_counts(protocol, splits, lang)
        if keys == pivot_keys:
            counts[r] = c
            present[r] = True
        else:  # partially translated (e.g. UDHR): keep the units shared with the pivot
            cols = np.fromiter((index.get(k, -1) for k in keys), dtype=np.int64, count=len(keys))
            ok = cols >= 0
            counts[r, cols[ok]] = np.asarray(c)[ok]
            present[r, cols[ok]] = True
    return Aligned(langs, counts, present, langs.index(pivot), label, weights_for(len(pivot_keys), opts))


def weights_for(n_units: int, opts: dict[str, Any]) -> np.ndarray | None:
    b = int(opts["bootstrap"])
    return bootstrap_weights(n_units, b, int(opts["seed"])) if b > 0 and n_units > 1 else None
