"""Helper for per-language pooled-ratio metrics over per-sentence encodings, with bootstrap CIs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tokbench.metrics.base import make_row
from tokbench.metrics.context import MetricContext
from tokbench.metrics.stats import bootstrap_weights, ratio_ci, ratio_of_sums

SENTENCE_OPTIONS: dict[str, Any] = {
    "split": "",  # '' = devtest when the corpus has it, else its last split
    "bootstrap": 1000,  # resamples of sentences for the 95% CI; 0 = no CI
    "seed": 0,
}

PerDoc = Callable[[MetricContext, str, str], tuple[np.ndarray, np.ndarray]]


def weights(n: int, opts: dict[str, Any]) -> np.ndarray | None:
    b = int(opts.get("bootstrap", 0))
    return bootstrap_weights(n, b, int(opts.get("seed", 0))) if b > 0 and n > 1 else None


def pooled_ratio_rows(
    ctx: MetricContext, opts: dict[str, Any], metric: str, unit: str, per_doc: PerDoc
) -> list[dict[str, Any]]:
    """sum(num) / sum(den) per language, where per_doc gives (num, den) arrays per sentence."""
    split = ctx.split_option(opts)
    rows = []
    for lang in ctx.languages(split):
        num, den = per_doc(ctx, split, lang)
        ci = ratio_ci(num, den, weights(len(num), opts))
        rows.append(make_row(metric, lang, split, ratio_of_sums(num, den), unit, len(num), ci))
    return rows
