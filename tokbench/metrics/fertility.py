"""Fertility: tokens per word, pooled (total tokens / total words); the per-sentence mean as a variant."""

from __future__ import annotations

from typing import Any

import numpy as np

from tokbench.metrics._ratio import SENTENCE_OPTIONS, pooled_ratio_rows, weights
from tokbench.metrics.base import Metric, MetricCard, make_row, register_metric
from tokbench.metrics.context import MetricContext
from tokbench.metrics.stats import mean_ci

UNIT = "tokens per word"
WORD_RULE = (
    "Words: whitespace-separated for spaced scripts; for scripts without spaces a documented rule "
    "(tokbench.metrics.text): every Han/kana character is a word (Hani, Hans, Hant, Jpan); every base "
    "character with its combining marks is a word (Thai, Khmr, Laoo, Mymr); tsheg-delimited syllables (Tibt). "
    "Values for those scripts are tokens per character cluster or syllable, not comparable with spaced scripts."
)
CITATION = "Rust, Pfeiffer, Vulić, Ruder, Gurevych (2021) How Good is Your Tokenizer? ACL"


@register_metric
class Fertility(Metric):
    card = MetricCard(
        name="fertility",
        definition=(
            "Pooled fertility: total tokens / total words over the split's sentences (per-sentence encodings, "
            "no special tokens). " + WORD_RULE + " 95% CI: bootstrap over sentences."
        ),
        unit=UNIT,
        higher_is_better=False,
        citation=CITATION,
        options=dict(SENTENCE_OPTIONS),
    )

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        return pooled_ratio_rows(
            ctx,
            opts,
            "fertility",
            UNIT,
            lambda c, s, lang: (c.sentences(s, lang).tokens, c.view.sentence_counts(s, lang)["words"]),
        )


@register_metric
class FertilitySentenceMean(Metric):
    card = MetricCard(
        name="fertility_sentence_mean",
        definition=(
            "Mean over sentences of (tokens / words) per sentence, as some tools report it; weights short "
            "sentences more than the pooled `fertility`. Sentences without words are skipped. "
            + WORD_RULE
            + " 95% CI: bootstrap over sentences."
        ),
        unit="mean per-sentence tokens per word",
        higher_is_better=False,
        citation=CITATION,
        options=dict(SENTENCE_OPTIONS),
    )

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        split = ctx.split_option(opts)
        rows = []
        for lang in ctx.languages(split):
            tokens = ctx.sentences(split, lang).tokens.astype(np.float64)
            words = ctx.view.sentence_counts(split, lang)["words"]
            per = np.where(words > 0, tokens / np.maximum(words, 1), np.nan)
            n = int(np.count_nonzero(~np.isnan(per)))
            value = float(np.nanmean(per)) if n else float("nan")
            ci = mean_ci(per, weights(len(per), opts))
            rows.append(make_row(self.card.name, lang, split, value, self.card.unit, n, ci))
        return rows
