"""Built-in report sections: premium by language, compression, metric glossary.

Metric families (digits, morphology, mixture) bring their own sections from their own packages
(`tokbench.report_sections` entry points); nothing here names them.

Every section orders tokenizers as the leaderboard does (one ranking everywhere) and names the
pivot wherever a premium is shown.
"""

from __future__ import annotations

import pandas as pd

from tokbench.report import plots
from tokbench.report.base import ReportContext, Section, register_section
from tokbench.report.languages import language_label

PER_LANGUAGE_DETAIL = {
    "premium": ("premium", "ctc", "unk_char_frac"),
    "compression": ("bytes_per_token", "chars_per_token", "fertility", "continued_words", "renyi_efficiency", "nsl"),
}


def _order(ctx: ReportContext, names: list[str]) -> list[str]:
    lb = ctx.leaderboard
    ranked = lb.tokenizers if lb is not None else sorted(names)
    return [t for t in ranked if t in names] + sorted(t for t in names if t not in ranked)


def _matrix(ctx: ReportContext, metric: str, corpus: str) -> pd.DataFrame:
    """tokenizer x language matrix (leaderboard order)."""
    d = ctx.per_language(metric)
    d = d[d["corpus"] == corpus]
    if d.empty:
        return pd.DataFrame()
    m = d.pivot_table(index="tokenizer", columns="language", values="value", aggfunc="first")
    return m.loc[_order(ctx, list(m.index))]


def _detail(ctx: ReportContext, metric: str, corpus: str) -> pd.DataFrame:
    """language x tokenizer table of one per-language metric, for download."""
    m = _matrix(ctx, metric, corpus)
    if m.empty:
        return m
    out = m.T.reset_index()
    out.columns.name = None
    return out


@register_section("premium_by_language")
def premium_by_language(ctx: ReportContext) -> Section | None:
    lb = ctx.leaderboard
    if lb is None or ctx.per_language("premium").empty:
        return None
    figures: dict[str, dict[str, bytes]] = {}
    tables: dict[str, pd.DataFrame] = {}
    detail: dict[str, pd.DataFrame] = {}
    text = []
    for corpus in sorted(ctx.per_language("premium")["corpus"].unique()):
        screen = lb.screens[corpus]
        pivot = screen.pivot or "pivot"
        m = _matrix(ctx, "premium", corpus)
        m = m.loc[[t for t in m.index if t in lb.tokenizers]]
        figures[f"premium_heatmap_{corpus}"] = plots.premium_heatmap(m, pivot, corpus, screen.represented,
                                                                     threshold=screen.threshold)
        screened = m.copy()
        for tok in screened.index:
            rep = screen.represented.get(tok, set(screened.columns))
            screened.loc[tok, [c for c in screened.columns if c not in rep]] = float("nan")
        figures[f"premium_distribution_{corpus}"] = plots.premium_distribution(screened, pivot, corpus)
        worst = []
        for tok in screened.index:
            top = screened.loc[tok].dropna().sort_values(ascending=False, kind="stable").head(5)
            worst.append({"tokenizer": tok,
                          f"highest premiums vs {pivot} (represented languages)":
                          ", ".join(f"{language_label(lang)} {v:.1f}" for lang, v in top.items())})
        tables[f"premium_highest_{corpus}"] = pd.DataFrame(worst)
        for metric in PER_LANGUAGE_DETAIL["premium"]:
            d = _detail(ctx, metric, corpus)
            if not d.empty:
                detail[f"{metric}_by_language_{corpus}"] = d
        text.append(
            f"{corpus}: premium = tokens of a language / tokens of the same text in {pivot}. Tokenizers in "
            f"leaderboard order; the heatmap shows the median premium per script and the languages with the highest "
            f"median premium by name (UNK-screened cells hatched), the distribution only the languages each "
            f"tokenizer represents (UNK characters <= "
            f"{100 * screen.threshold:g}%)."
        )
    return Section("Token premium by language", text="\n\n".join(text), figures=figures, tables=tables,
                   detail=detail, order=20)


@register_section("compression")
def compression(ctx: ReportContext) -> Section | None:
    lb = ctx.leaderboard
    if lb is None or ctx.per_language("bytes_per_token").empty:
        return None
    figures = {}
    detail: dict[str, pd.DataFrame] = {}
    for corpus in sorted(ctx.per_language("bytes_per_token")["corpus"].unique()):
        cols = {k: lb.column(k, corpus) for k in ("vocab_size", "bpt_mean", "bpt_eng")}
        if cols["vocab_size"] is not None and cols["bpt_mean"] is not None:
            df = pd.DataFrame({k: lb.values[c.key] for k, c in cols.items() if c is not None})
            figures[f"bpt_vs_vocab_{corpus}"] = plots.bpt_vs_vocab(df, corpus)
        for metric in PER_LANGUAGE_DETAIL["compression"]:
            d = _detail(ctx, metric, corpus)
            if not d.empty:
                detail[f"{metric}_by_language_{corpus}"] = d
    return Section(
        "Compression",
        text="Bytes per token against vocabulary size (mean over the languages each tokenizer represents, and "
        "English). Per-language tables of every compression metric are linked below.",
        figures=figures, detail=detail, order=30,
    )


@register_section("glossary")
def glossary(ctx: ReportContext) -> Section | None:
    used = sorted({m for m in ctx.table["metric"].unique() if m in ctx.cards})
    if not used:
        return None
    rows = [{"metric": m, "unit": ctx.cards[m]["unit"],
             "better": {True: "higher ↑", False: "lower ↓"}.get(ctx.cards[m].get("higher_is_better"), ""),
             "citation": ctx.cards[m].get("citation", "")} for m in used]
    return Section("Metrics", text="Full definitions: `tokbench list metrics`.", tables={"metrics": pd.DataFrame(rows)},
                   order=90)


