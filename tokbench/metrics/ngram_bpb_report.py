"""The `ngram_bpb` family in a report: leaderboard columns beside bytes/token, and how the two rank tokenizers.

Registered through the `tokbench.report_columns` and `tokbench.report_sections` entry points (pyproject), so
the report core does not name the family. Columns: the pooled bits per byte of each order (language ALL:
total bits / total bytes, with its bootstrap CI) and the bigram's mean over the languages each tokenizer
represents (the same UNK screen and the same mean as the leaderboard's `bytes/token, mean over represented`).
The section computes, from the leaderboard's own numbers, Spearman's rank correlation between each n-gram
column and bytes/token across the report's tokenizers: rho, a percentile bootstrap CI over tokenizers, the
two-sided p-value (scipy.stats.spearmanr) and n. Tokenizers with identical values on both columns (aliases
that encode the text alike) count once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tokbench.metrics.ngram_bpb import FAMILY, ORDERS
from tokbench.report.base import ReportContext, Section, register_section
from tokbench.report.columns import ALL, MEAN, Column, register_column

BPT_KEY = "bpt_mean"  # the leaderboard's bytes/token column the n-gram columns are compared with
UNIT = "bits per UTF-8 byte"
RESAMPLES = 2000
SEED = 0
MEAN_KEY = "ngram_bpb_2_mean"

for _n in ORDERS:
    register_column(Column(f"ngram_bpb_{_n}", f"{FAMILY}.{_n}", f"{_n}-gram bits/byte, pooled", UNIT, False,
                           summary=ALL, family=FAMILY, order=31, headline=False))
register_column(Column(MEAN_KEY, f"{FAMILY}.2", "2-gram bits/byte, mean over represented", UNIT, False,
                       summary=MEAN, family=FAMILY, order=31))


def spearman(x: np.ndarray, y: np.ndarray, resamples: int = RESAMPLES, seed: int = SEED) -> dict[str, float]:
    """rho, two-sided p (scipy) and a 95% percentile bootstrap CI over the pairs (resamples with fewer than
    three distinct values on either side are skipped: rho is undefined there)."""
    from scipy.stats import spearmanr

    res = spearmanr(x, y)
    rng = np.random.default_rng(seed)
    boots = []
    n = len(x)
    for _ in range(resamples):
        k = rng.integers(0, n, n)
        if len(np.unique(x[k])) < 3 or len(np.unique(y[k])) < 3:
            continue
        boots.append(spearmanr(x[k], y[k]).statistic)
    lo, hi = (np.percentile(boots, [2.5, 97.5]) if boots else (np.nan, np.nan))
    return {"rho": float(res.statistic), "p": float(res.pvalue), "ci_low": float(lo), "ci_high": float(hi),
            "n": n}


def correlations(ctx: ReportContext) -> pd.DataFrame:
    """One row per n-gram column and tokenizer group: Spearman vs bytes/token on the leaderboard's values."""
    lb = ctx.leaderboard
    rows: list[dict[str, Any]] = []
    if lb is None:
        return pd.DataFrame()
    for corpus in lb.screens:
        bpt = lb.column(BPT_KEY, corpus)
        if bpt is None:
            continue
        for key in [MEAN_KEY, *[f"ngram_bpb_{n}" for n in ORDERS]]:
            col = lb.column(key, corpus)
            if col is None:
                continue
            for group, toks in (("all listed", lb.tokenizers), ("ranked only", lb.ranked)):
                d = lb.values.loc[toks, [bpt.key, col.key]].dropna().drop_duplicates()
                if len(d) < 4:
                    continue
                s = spearman(d[col.key].to_numpy(float), d[bpt.key].to_numpy(float))
                rows.append({"corpus": corpus, "n-gram column": col.header, "vs": bpt.header, "tokenizers": group,
                             "n": s["n"], "Spearman rho": round(s["rho"], 3),
                             "95% CI (bootstrap over tokenizers)": f"[{s['ci_low']:.3f}, {s['ci_high']:.3f}]",
                             "p (two-sided)": f"{s['p']:.2g}"})
    return pd.DataFrame(rows)


def _figure(ctx: ReportContext, corpus: str) -> Any:
    """Bigram bits/byte (mean over represented) against bytes/token, one labelled point per tokenizer."""
    from tokbench.report.plots import RC, _plt

    lb = ctx.leaderboard
    assert lb is not None
    bpt, ng = lb.column(BPT_KEY, corpus), lb.column(MEAN_KEY, corpus)
    if bpt is None or ng is None:
        return None
    d = lb.values[[bpt.key, ng.key]].dropna()
    if d.empty:
        return None
    plt = _plt()
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(6.4, 4.4))
        ranked = [t in lb.ranks for t in d.index]
        ax.scatter(d[bpt.key], d[ng.key], s=18, c=["#0072B2" if r else "#999999" for r in ranked], zorder=3)
        for tok, (x, y) in d.iterrows():
            ax.annotate(str(tok), (x, y), fontsize=6, xytext=(3, 2), textcoords="offset points")
        ax.set_xlabel(bpt.header)
        ax.set_ylabel(ng.header)
        ax.set_title(f"{corpus}: predictability vs compression (grey: not ranked)")
        fig.tight_layout()
    return fig


@register_section(FAMILY)
def ngram_section(ctx: ReportContext) -> Section | None:
    rows = ctx.table[ctx.table["metric"].str.startswith(f"{FAMILY}.")]
    if rows.empty or ctx.leaderboard is None:
        return None
    from tokbench.report.plots import save

    corr = correlations(ctx)
    figures = {}
    for corpus in sorted(rows["corpus"].unique()):
        fig = _figure(ctx, str(corpus))
        if fig is not None:
            figures[f"ngram_bpb_vs_bpt_{corpus}"] = save(fig)
    detail = {}
    for n in ORDERS:
        d = rows[(rows["metric"] == f"{FAMILY}.{n}") & (rows["language"] != ALL)]
        if not d.empty:
            m = d.pivot_table(index="language", columns="tokenizer", values="value", aggfunc="first").round(4)
            m = m[[t for t in ctx.leaderboard.tokenizers if t in m.columns]].reset_index()
            m.columns.name = None
            detail[f"ngram_bpb_{n}_by_language"] = m
    splits = sorted(set(rows["split"]))
    flags = sorted(set(rows["flags"].fillna("")) - {""})
    text = [
        "How predictable the token stream is: an interpolated Kneser-Ney n-gram model over token ids, trained on "
        f"one split and scored on another ({', '.join(splits)}; {', '.join(flags) or 'protocol in the cards'}), "
        "in bits per UTF-8 byte of the text, so tokenizers of any granularity compare (lower is better). On "
        "TokEval's 48-tokenizer panel a token bigram model's bits per byte tracks the validation loss of models "
        "trained with the tokenizer (Spearman about 0.8) where compression does not (0.3-0.5; "
        "sanderland/script_tok, tokeval_panel). `tokbench list metrics` has the definition and smoothing.",
        "Below: Spearman's rank correlation between each n-gram column and bytes/token across this report's "
        "tokenizers, computed from the leaderboard's values (aliases with identical values count once; CI: "
        f"percentile bootstrap over tokenizers, {RESAMPLES} resamples; p from scipy.stats.spearmanr). A strong "
        "negative rho means the n-gram metric mostly restates compression; where it departs, it adds information.",
    ]
    return Section("Predictability: n-gram bits per byte", text="\n\n".join(text),
                   tables={"ngram_bpb_spearman": corr} if not corr.empty else {}, figures=figures, detail=detail,
                   order=32, key=FAMILY)
