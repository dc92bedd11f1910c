"""Vocabulary utilisation: the share of the vocabulary the corpus actually uses."""

from __future__ import annotations

from typing import Any

import numpy as np

from tokbench.metrics.base import ALL_LANGUAGES, Metric, MetricCard, make_row, register_metric
from tokbench.metrics.context import MetricContext

UNIT = "fraction of vocabulary ids"


@register_metric
class VocabUtilisation(Metric):
    card = MetricCard(
        name="vocab_utilisation",
        definition=(
            "Distinct token ids occurring in the split's per-sentence encodings / vocabulary size (all ids); "
            "per language and pooled over the requested languages (language=ALL). n = distinct ids used."
        ),
        unit=UNIT,
        higher_is_better=None,
        citation="e.g. Gowda & May (2020) Finding the Optimal Vocabulary Size for NMT",
        options={"split": ""},
    )

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        split = ctx.split_option(opts)
        v = ctx.tokenizer.vocab_size
        used_all = np.zeros(v, dtype=bool)
        rows = []
        for lang in ctx.languages(split):
            types, _ = ctx.type_counts(split, lang)
            used_all[types[types < v]] = True
            k = len(types)
            rows.append(make_row("vocab_utilisation", lang, split, k / v, UNIT, k))
        k = int(used_all.sum())
        rows.append(make_row("vocab_utilisation", ALL_LANGUAGES, split, k / v, UNIT, k))
        return rows
