"""Characters per token: Unicode code points of the text per token (higher = more compression)."""

from __future__ import annotations

from typing import Any

from tokbench.metrics._ratio import SENTENCE_OPTIONS, pooled_ratio_rows
from tokbench.metrics.base import Metric, MetricCard, register_metric
from tokbench.metrics.context import MetricContext

UNIT = "Unicode code points per token"


@register_metric
class CharsPerToken(Metric):
    card = MetricCard(
        name="chars_per_token",
        definition=(
            "Total Unicode code points of the original (unnormalised) sentences / total tokens of their "
            "per-sentence encodings, no special tokens; pooled over the split. 95% CI: bootstrap over sentences."
        ),
        unit=UNIT,
        higher_is_better=True,
        citation="e.g. Rust et al. (2021) How Good is Your Tokenizer?",
        options=dict(SENTENCE_OPTIONS),
    )

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        return pooled_ratio_rows(
            ctx,
            opts,
            "chars_per_token",
            UNIT,
            lambda c, s, lang: (c.view.sentence_counts(s, lang)["chars"], c.sentences(s, lang).tokens),
        )
