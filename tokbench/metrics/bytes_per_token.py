"""Bytes per token: UTF-8 bytes of the text per token (higher = more compression)."""

from __future__ import annotations

from typing import Any

from tokbench.metrics._ratio import SENTENCE_OPTIONS, pooled_ratio_rows
from tokbench.metrics.base import Metric, MetricCard, register_metric
from tokbench.metrics.context import MetricContext

UNIT = "UTF-8 bytes per token"


@register_metric
class BytesPerToken(Metric):
    card = MetricCard(
        name="bytes_per_token",
        definition=(
            "Total UTF-8 bytes of the original (unnormalised) sentences / total tokens of their per-sentence "
            "encodings, no special tokens; pooled over the split. 95% CI: bootstrap over sentences."
        ),
        unit=UNIT,
        higher_is_better=True,
        citation="e.g. Dagan, Synnaeve, Rozière (2024) Getting the most out of your tokenizer",
        options=dict(SENTENCE_OPTIONS),
    )

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        return pooled_ratio_rows(
            ctx,
            opts,
            "bytes_per_token",
            UNIT,
            lambda c, s, lang: (c.view.sentence_counts(s, lang)["bytes"], c.sentences(s, lang).tokens),
        )
