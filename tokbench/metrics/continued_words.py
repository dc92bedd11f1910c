"""Proportion of continued words: words split into two or more tokens, measured in context."""

from __future__ import annotations

from typing import Any

from tokbench.metrics._ratio import SENTENCE_OPTIONS, pooled_ratio_rows
from tokbench.metrics.base import Metric, MetricCard, register_metric
from tokbench.metrics.context import MetricContext

UNIT = "fraction of words"


@register_metric
class ContinuedWords(Metric):
    card = MetricCard(
        name="continued_words",
        definition=(
            "Share of words whose bytes span 2+ tokens of the sentence's own encoding (in context, not words "
            "encoded in isolation). Words are found on the tokens' surface stream (the tokenizer's normalised "
            "view) by the fertility word rule, except that punctuation and symbols are words of their own (as in UD "
            "treebanks, so 'world,' is two words); a word's token count is the number of tokens its bytes overlap, "
            "so a leading-space token ' word' counts once. 95% CI: bootstrap over sentences."
        ),
        unit=UNIT,
        higher_is_better=False,
        citation="Rust et al. (2021) How Good is Your Tokenizer? ('proportion of continued words')",
        options=dict(SENTENCE_OPTIONS),
    )

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        def per_doc(c: MetricContext, split: str, lang: str) -> tuple[Any, Any]:
            words, cont = c.continued_words(split, lang)
            return cont, words

        return pooled_ratio_rows(ctx, opts, "continued_words", UNIT, per_doc)
