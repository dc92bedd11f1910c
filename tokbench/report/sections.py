"""Built-in report sections: premium by language, compression, mixture, digit probes, metric glossary.

Every section orders tokenizers as the leaderboard does (one ranking everywhere) and names the
pivot wherever a premium is shown.
"""

from __future__ import annotations

import pandas as pd

from tokbench.report import plots
from tokbench.report.base import ReportContext, Section, register_section
from tokbench.report.mixture import category_group

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
        figures[f"premium_heatmap_{corpus}"] = plots.premium_heatmap(m, pivot, corpus)
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
                          ", ".join(f"{lang} {v:.1f}" for lang, v in top.items())})
        tables[f"premium_highest_{corpus}"] = pd.DataFrame(worst)
        for metric in PER_LANGUAGE_DETAIL["premium"]:
            d = _detail(ctx, metric, corpus)
            if not d.empty:
                detail[f"{metric}_by_language_{corpus}"] = d
        text.append(
            f"{corpus}: premium = tokens of a language / tokens of the same text in {pivot}. Tokenizers in "
            f"leaderboard order; the heatmap shows every language (UNK-heavy ones included, languages grouped by "
            f"script), the distribution only the languages each tokenizer represents (UNK characters <= "
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


@register_section("mixture")
def mixture(ctx: ReportContext, n_langs: int = 8) -> Section | None:
    d = ctx.metric("mixture.byte_share")
    if d.empty:
        return None
    shares = d.pivot_table(index="tokenizer", columns="language", values="value", aggfunc="first").fillna(0.0)
    shares = shares.loc[_order(ctx, list(shares.index))]
    group = {c: category_group(c) for c in shares.columns}
    langs = [c for c in shares.columns if group[c] == "non-English"]
    shown = list(shares[langs].sum().sort_values(ascending=False, kind="stable").index[:n_langs])
    # the group totals (and their intervals) are load_mixture's rows, not summed again here
    totals = {col: ctx.metric(f"mixture.{m}").set_index("tokenizer").reindex(shares.index)
              for col, m in (("English", "english_share"), ("code", "code_share"), ("languages", "non_english_share"))}
    parts = pd.DataFrame({"English": totals["English"]["value"], "code": totals["code"]["value"]})
    for c in shown:
        parts[c] = shares[c]
    parts["other languages"] = totals["languages"]["value"] - shares[shown].sum(axis=1)
    other = shares[[c for c in shares.columns if group[c] == "other"]].sum(axis=1)
    if (other > 0).any():  # categories named without a group prefix (e.g. a folder of samples)
        parts["other categories"] = other
    fig = plots.stacked_shares(parts, "Inferred training-data mixture (Hayase et al. 2024)",
                               "share of training bytes", "tokenizer (leaderboard order)")
    table = parts.map(lambda v: f"{v:.3f}")
    for col in ("English", "code"):
        for tok, lo, hi in zip(table.index, totals[col]["ci_low"], totals[col]["ci_high"], strict=True):
            if pd.notna(lo):
                table.at[tok, col] += f" [{lo:.3f}, {hi:.3f}]"
    table = table.reset_index()
    table.columns.name = None
    return Section(
        "Inferred data mixture",
        text="Byte shares of the tokenizer's training data, inferred from its merge list by a linear program "
        "(Hayase et al. 2024): English (eng_* and English domains), code, the "
        f"{len(shown)} languages with the largest summed share, and the other languages; 95% bootstrap "
        "intervals in brackets where the result has them (they reflect resampling of the inference "
        "samples only, reports/mixture/README.md).",
        figures={"mixture_shares": fig}, tables={"mixture_shares": table}, order=60,
    )


@register_section("digits")
def digits(ctx: ReportContext) -> Section | None:
    """Categorical digit-probe rows (e.g. digits.chunk_class: one row per chunk pattern) as stacked bars."""
    from tokbench.report.base import REPORT_SECTIONS

    if "digit_probes" in REPORT_SECTIONS:  # the digit family brings its own section: no generic duplicate
        return None
    d = ctx.table[ctx.table["metric"].str.startswith("digits.") & (ctx.table["language"] != "ALL")]
    if d.empty:
        return None
    figures = {}
    tables = {}
    for metric, rows in d.groupby("metric", sort=True):
        if rows["language"].nunique() < 2:
            continue
        shares = rows.pivot_table(index="tokenizer", columns="language", values="value", aggfunc="first").fillna(0)
        shares = shares.loc[_order(ctx, list(shares.index))]
        name = str(metric).replace(".", "_")
        unit = str(rows["unit"].iloc[0])
        figures[name] = plots.stacked_shares(plots.top_categories(shares, 11), f"{metric} per tokenizer", unit,
                                             "tokenizer (leaderboard order)")
        t = shares.reset_index()
        t.columns.name = None
        tables[name] = t
    if not figures:
        return None
    return Section("Digit probes", text="Distribution of digit chunk patterns per tokenizer.", figures=figures,
                   tables=tables, order=50)


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


