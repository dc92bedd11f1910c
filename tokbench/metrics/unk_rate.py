"""UNK rate: the share of tokens that are the unknown token (0 for lossless byte-level tokenizers)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tokbench.metrics._ratio import SENTENCE_OPTIONS, pooled_ratio_rows
from tokbench.metrics.base import Metric, MetricCard, register_metric
from tokbench.metrics.context import MetricContext

UNIT = "fraction of tokens"


@register_metric
class UnkRate(Metric):
    card = MetricCard(
        name="unk_rate",
        definition=(
            "UNK tokens / all tokens of the split's per-sentence encodings (0 when the tokenizer has no UNK id). "
            "The premium metric also reports unk_char_frac, the share of characters mapped to UNK. "
            "95% CI: bootstrap over sentences."
        ),
        unit=UNIT,
        higher_is_better=False,
        citation="Petrov et al. (2023) (UNK screening); Rust et al. (2021)",
        options=dict(SENTENCE_OPTIONS),
    )

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        def per_doc(c: MetricContext, split: str, lang: str) -> tuple[np.ndarray, np.ndarray]:
            st = c.sentences(split, lang)
            return st.unk, st.tokens

        return pooled_ratio_rows(ctx, opts, "unk_rate", UNIT, per_doc)
