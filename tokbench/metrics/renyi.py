"""Rényi efficiency of the unigram token distribution (Zouhar et al. 2023), vectorised via bincount."""

from __future__ import annotations

from typing import Any

import numpy as np

from tokbench.metrics.base import Metric, MetricCard, make_row, register_metric
from tokbench.metrics.context import MetricContext

CITATION = (
    "Zouhar, Meister, Gastaldi, Du, Sachan, Cotterell (2023) Tokenization and the Noiseless Channel, ACL; "
    "tokenization-scorer (PyPI)"
)
OPTIONS = {"split": "", "alpha": 2.5}


def renyi_entropy(counts: np.ndarray, alpha: float) -> float:
    """H_alpha(p) = log(sum p_i^alpha) / (1 - alpha) in nats; alpha = 1 is the Shannon limit."""
    c = counts[counts > 0].astype(np.float64)
    p = c / c.sum()
    if alpha == 1.0:
        return float(-(p * np.log(p)).sum())
    return float(np.log(np.sum(p**alpha)) / (1.0 - alpha))


class _Renyi(Metric):
    observed: bool = False

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        split = ctx.split_option(opts)
        alpha = float(opts["alpha"])
        rows = []
        for lang in ctx.languages(split):
            _, counts = ctx.type_counts(split, lang)
            n_types = len(counts)
            size = n_types if self.observed else ctx.tokenizer.vocab_size
            value = renyi_entropy(counts, alpha) / np.log(size) if n_types and size > 1 else float("nan")
            rows.append(make_row(self.card.name, lang, split, value, self.card.unit, int(counts.sum())))
        return rows


@register_metric
class RenyiEfficiency(_Renyi):
    card = MetricCard(
        name="renyi_efficiency",
        definition=(
            "Rényi entropy H_alpha (alpha=2.5) of the unigram distribution of tokens over the split's "
            "per-sentence encodings, divided by log(vocabulary size) (all ids, specials included). n = tokens. "
            "No CI (a distribution statistic)."
        ),
        unit="fraction of the maximum entropy (log |V|)",
        higher_is_better=True,
        citation=CITATION,
        options=dict(OPTIONS),
    )


@register_metric
class RenyiEfficiencyObserved(_Renyi):
    observed = True
    card = MetricCard(
        name="renyi_efficiency_observed",
        definition=(
            "As renyi_efficiency but divided by log(number of distinct token types observed on the split): the "
            "variant tokenization-scorer computes by default (its `renyi` metric, power=2.5)."
        ),
        unit="fraction of the maximum entropy (log of observed types)",
        higher_is_better=True,
        citation=CITATION,
        options=dict(OPTIONS),
    )
