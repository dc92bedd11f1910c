"""Corpus token count: the raw number of tokens per language (the numerator of the premium)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tokbench.metrics.base import ALL_LANGUAGES, Metric, MetricCard, make_row, register_metric
from tokbench.metrics.context import MetricContext
from tokbench.metrics.parallel import PARALLEL_OPTIONS, protocol_languages, protocol_splits, weights_for
from tokbench.metrics.stats import percentile_ci

RESAMPLE_METRIC = "ctc.resample"  # rows of the bootstrap totals over all languages, one per resample


@register_metric
class CorpusTokenCount(Metric):
    card = MetricCard(
        name="ctc",
        definition=(
            "Total tokens of each language's text under the premium protocol (default Petrov et al. 2023: "
            "dev + devtest lines with the final empty line, joined with single spaces, encoded once, no special "
            "tokens; --option protocol=sentence sums per-sentence encodings of one split). 95% CI: bootstrap "
            "over the language's sentences. Works on any corpus, parallel or not. A row with language 'ALL' holds "
            "the total over every language of the cell; its CI comes from one resample of aligned units shared by "
            "all languages (and, with the same seed, by every tokenizer), so totals of tokenizers are comparable; "
            "the resampled totals are kept as 'ctc.resample' rows (split '<splits>#b<k>') for paired rank ranges."
        ),
        unit="tokens",
        higher_is_better=False,
        needs=(),
        citation="Petrov et al. (2023); Arnett et al. (2025) 'corpus token count'",
        options={k: v for k, v in PARALLEL_OPTIONS.items() if k != "pivot"},
        revision=2,  # 1: the ALL row (total over the cell's languages, shared-resample CI); 2: ctc.resample rows
    )

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        protocol, splits = protocol_splits(ctx, opts, "ctc")
        langs = protocol_languages(ctx, splits)
        units = [ctx.unit_counts(protocol, splits, lang) for lang in langs]
        cis: dict[int, tuple[float, float]] = {}
        by_n: dict[int, list[int]] = {}
        for i, (_, c, _) in enumerate(units):
            by_n.setdefault(len(c), []).append(i)
        total_reps: np.ndarray | None = np.zeros(1)  # resampled totals over every language; None: no CI
        for n, idx in by_n.items():  # one matrix product per unit count (one in all on a parallel corpus)
            w = weights_for(n, opts)
            if w is None:
                total_reps = None
                continue
            reps = w @ np.column_stack([units[i][1] for i in idx]).astype(float)  # (B, languages)
            lo, hi = percentile_ci(reps.T)
            cis.update({i: (float(lo[j]), float(hi[j])) for j, i in enumerate(idx)})
            if total_reps is not None:
                total_reps = total_reps + reps.sum(axis=1)
        rows = [
            make_row("ctc", lang, label, float(c.sum()), "tokens", len(c), cis.get(i))
            for i, (lang, (_, c, label)) in enumerate(zip(langs, units, strict=True))
        ]
        if len(units) > 1:
            ci = None
            if total_reps is not None:
                lo, hi = percentile_ci(total_reps)
                ci = (float(lo), float(hi))
            label = "+".join(sorted({u[2] for u in units}))
            total = float(sum(float(c.sum()) for _, c, _ in units))
            n_units = sum(len(c) for _, c, _ in units)
            rows.append(make_row("ctc", ALL_LANGUAGES, label, total, "tokens", n_units, ci,
                                 flags=f"languages={len(units)}"))
            # the resampled totals themselves: with the same seed every tokenizer sees the same resamples, so
            # the report can rank tokenizers replicate by replicate (paired) instead of comparing intervals
            if total_reps is not None:
                rows += [make_row(RESAMPLE_METRIC, ALL_LANGUAGES, f"{label}#b{k:04d}", float(v), "tokens", n_units)
                         for k, v in enumerate(total_reps)]
        return rows
