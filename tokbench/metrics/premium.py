"""Token premium: tokens(L) / tokens(pivot) on parallel text (Petrov et al. 2023; Arnett et al. 2025)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tokbench.metrics.base import ALL_LANGUAGES, Metric, MetricCard, make_row, register_metric
from tokbench.metrics.context import MetricContext
from tokbench.metrics.parallel import PARALLEL_OPTIONS, aligned_counts
from tokbench.metrics.stats import cross_language_aggregates, percentile_ci

UNIT = "ratio of tokens to the pivot's tokens"


@register_metric
class Premium(Metric):
    card = MetricCard(
        name="premium",
        definition=(
            "tokens(L) / tokens(pivot) on the same parallel text. Default protocol = Petrov et al. 2023 exactly: "
            "FLORES-200 dev + devtest, each split read as its file's lines plus the final empty line, all joined "
            "with single spaces into one string per language, encoded once, no special tokens "
            "(--option protocol=sentence: sum over per-sentence encodings of one split). Units the pivot and L "
            "share only. Also reports unk_char_frac per language (share of the normalized text's non-space characters "
            "that no token but UNK covers: a WordPiece [UNK]'s whole word, a SentencePiece <unk>'s unknown run; "
            "flagged above unk_threshold, dropped from the aggregates with drop_unk=true) and aggregates over "
            "languages (language=ALL; pivot included): premium_mean, _max, _gini, _cv (population std / mean), "
            "_n_above_2x, _n_above_4x. 95% CIs: percentile bootstrap over aligned sentences, one seeded "
            "resample shared by all languages."
        ),
        unit=UNIT,
        higher_is_better=False,
        needs=("parallel corpus",),
        citation=(
            "Petrov, La Malfa, Torr, Bibi (2023) Language Model Tokenizers Introduce Unfairness Between "
            "Languages, NeurIPS; Arnett, Chang, Bergen et al. (2025) Explaining and Mitigating Crosslingual "
            "Tokenizer Inequities"
        ),
        options={**PARALLEL_OPTIONS, "unk_threshold": 0.1, "drop_unk": False},
        revision=1,  # 1: unk_char_frac no longer counts SentencePiece's '▁' (each space) as UNK characters
    )

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        al = aligned_counts(ctx, opts, metric="premium")
        piv = al.counts[al.pivot_row]
        num = al.counts
        den = np.where(al.present, piv[None, :], 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = num.sum(axis=1) / den.sum(axis=1)
            boot = (num @ al.weights.T) / (den @ al.weights.T) if al.weights is not None else None
        if boot is not None:
            lo, hi = percentile_ci(boot)
        n = al.present.sum(axis=1)
        protocol = opts["protocol"]
        splits = tuple(al.split_label.split("+"))
        thr = float(opts["unk_threshold"])
        rows: list[dict[str, Any]] = []
        keep = np.ones(len(al.langs), dtype=bool)
        for r, lang in enumerate(al.langs):
            unk = ctx.unk_char_fraction(protocol, splits, lang)
            flag = f"unk_chars>{thr:g}" if unk > thr else ""
            if flag and opts["drop_unk"]:
                keep[r] = False
            ci = (lo[r], hi[r]) if boot is not None else None
            rows.append(make_row("premium", lang, al.split_label, value[r], UNIT, n[r], ci, flag))
            rows.append(make_row("unk_char_frac", lang, al.split_label, unk, "fraction of non-space characters", n[r]))
        if keep.sum() >= 2:
            agg = cross_language_aggregates(value[keep])
            agg_b = cross_language_aggregates(boot[keep], axis=0) if boot is not None else None
            note = f"dropped {int((~keep).sum())} languages with unk_chars>{thr:g}" if (~keep).any() else ""
            for key, v in agg.items():
                ci = None
                if agg_b is not None:
                    a, b = percentile_ci(agg_b[key])
                    ci = (float(a), float(b))
                unit = "languages" if key.startswith("n_") else ("ratio" if key in ("gini", "cv") else UNIT)
                rows.append(
                    make_row(f"premium_{key}", ALL_LANGUAGES, al.split_label, v, unit, int(keep.sum()), ci, note)
                )
        return rows
