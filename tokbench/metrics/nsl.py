"""Normalised sequence length: tokens of this tokenizer / tokens of a reference tokenizer."""

from __future__ import annotations

from typing import Any

from tokbench.metrics._ratio import SENTENCE_OPTIONS, pooled_ratio_rows
from tokbench.metrics.base import Metric, MetricCard, register_metric
from tokbench.metrics.context import MetricContext

UNIT = "tokens per reference-tokenizer token"


@register_metric
class NormalizedSequenceLength(Metric):
    card = MetricCard(
        name="nsl",
        definition=(
            "Total tokens / total tokens of the reference tokenizer (--option reference=NAME, default "
            "cl100k_base) on the same sentences, per-sentence encodings, no special tokens. < 1 = shorter "
            "sequences than the reference. 95% CI: bootstrap over sentences."
        ),
        unit=UNIT,
        higher_is_better=False,
        needs=("reference tokenizer",),
        citation="Dagan, Synnaeve, Rozière (2024) Getting the most out of your tokenizer for pre-training",
        options={**SENTENCE_OPTIONS, "reference": "cl100k_base"},
    )

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        ref = ctx.reference(str(opts["reference"]))
        return pooled_ratio_rows(
            ctx,
            opts,
            "nsl",
            UNIT,
            lambda c, s, lang: (c.sentences(s, lang).tokens, ref.sentences(s, lang).tokens),
        )
