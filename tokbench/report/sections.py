"""Built-in report sections: leaderboard, premium by language (plot + hardest languages), metric glossary."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tokbench.report.base import ReportContext, Section, figure_png, register_section

# Leaderboard columns: (metric, label, how per-language values are summarised)
LEADERBOARD = (
    ("premium_mean", "premium mean", "ALL"),
    ("premium_max", "premium max", "ALL"),
    ("premium_gini", "premium Gini", "ALL"),
    ("premium_n_above_4x", "langs > 4x", "ALL"),
    ("bytes_per_token", "bytes/token", "mean"),
    ("fertility", "fertility", "mean"),
    ("continued_words", "continued words", "mean"),
    ("renyi_efficiency", "Rényi eff.", "mean"),
    ("vocab_utilisation", "vocab used", "ALL"),
)


def _fmt(v: float, ci: tuple[float, float] | None = None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    s = f"{v:.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:.3f}"
    if ci and not any(math.isnan(c) for c in ci):
        lo, hi = ci
        s += f" [{lo:.3g}, {hi:.3g}]" if not float(v).is_integer() else ""
    return s


def _md_table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def _summary(ctx: ReportContext, metric: str, how: str) -> pd.DataFrame:
    """tokenizer, corpus → (value, ci_low, ci_high) for one leaderboard column."""
    if how == "ALL":
        df = ctx.metric(metric, "ALL")
        return df.groupby(["tokenizer", "corpus"])[["value", "ci_low", "ci_high"]].first()
    df = ctx.per_language(metric)
    out = df.groupby(["tokenizer", "corpus"])["value"].mean().to_frame()
    out["ci_low"] = np.nan
    out["ci_high"] = np.nan
    return out


@register_section("leaderboard")
def leaderboard(ctx: ReportContext) -> Section | None:
    cols = [(m, label, how) for m, label, how in LEADERBOARD if (ctx.table["metric"] == m).any()]
    if not cols:
        return None
    unk = ctx.per_language("unk_char_frac")
    # Petrov et al. flag languages with over 10% of characters mapped to UNK: their premiums look
    # low only because the tokenizer cannot represent the text, so the leaderboard shows the count
    unk_flagged = (unk[unk["value"] > 0.1].groupby(["tokenizer", "corpus"]).size().to_dict()) if not unk.empty else {}
    blocks = []
    for corpus in sorted(ctx.table["corpus"].unique()):
        frames = {}
        for m, label, how in cols:
            s = _summary(ctx, m, how)
            s = s[s.index.get_level_values("corpus") == corpus]
            if not s.empty:
                frames[(m, label)] = s.droplevel("corpus")
        if not frames:
            continue
        tokenizers = sorted(set().union(*(f.index for f in frames.values())))
        rank_key = next(iter(frames))
        rank_vals = frames[rank_key]["value"].reindex(tokenizers)
        hib = ctx.higher_is_better(rank_key[0])
        order = rank_vals.sort_values(ascending=not hib, na_position="last").index
        rows = []
        for rank, tok in enumerate(order, 1):
            row = {"#": rank, "tokenizer": tok}
            for (m, label), f in frames.items():
                arrow = {True: " ↑", False: " ↓"}.get(ctx.higher_is_better(m), "")
                if tok in f.index:
                    r = f.loc[tok]
                    row[label + arrow] = _fmt(float(r["value"]), (float(r["ci_low"]), float(r["ci_high"])))
                else:
                    row[label + arrow] = "–"
            row["langs >10% UNK"] = unk_flagged.get((tok, corpus), 0) if unk_flagged else "–"
            rows.append(row)
        blocks.append(
            f"### {corpus}\n\nRanked by {rank_key[1]} ({'higher' if hib else 'lower'} is better). "
            "Premium aggregates carry 95% bootstrap CIs over aligned sentences; per-language metrics are "
            "averaged over languages. A tokenizer with many languages over 10% UNK characters looks cheap "
            "only because it drops what it cannot represent.\n\n" + _md_table(pd.DataFrame(rows))
        )
    return Section("Leaderboard", "\n\n".join(blocks), order=10)


@register_section("premium_by_language")
def premium_by_language(ctx: ReportContext) -> Section | None:
    df = ctx.per_language("premium")
    if df.empty:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures: dict[str, bytes] = {}
    parts = []
    for corpus, d in df.groupby("corpus"):
        pivot = d.pivot_table(index="language", columns="tokenizer", values="value")
        order = pivot.median().sort_values().index
        fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(order) + 2), 4.5))
        ax.boxplot([pivot[t].dropna().to_numpy() for t in order], showfliers=True)
        ax.set_xticks(range(1, len(order) + 1), list(order), rotation=45, ha="right")
        ax.axhline(1.0, color="grey", lw=0.8, ls="--")
        ax.set_yscale("log")
        ax.set_ylabel("token premium vs pivot (log scale)")
        ax.set_title(f"Token premium per language on {corpus} ({pivot.shape[0]} languages)")
        fname = f"premium_{corpus}.png"
        figures[fname] = figure_png(fig)
        worst = []
        for t in order:
            top = pivot[t].dropna().sort_values(ascending=False).head(5)
            worst.append({"tokenizer": t, "highest premiums": ", ".join(f"{lang} {v:.1f}" for lang, v in top.items())})
        parts.append(f"### {corpus}\n\n![premium by language]({fname})\n\n" + _md_table(pd.DataFrame(worst)))
    return Section("Token premium by language", "\n\n".join(parts), figures, order=20)


@register_section("glossary")
def glossary(ctx: ReportContext) -> Section | None:
    used = sorted({m for m in ctx.table["metric"].unique() if m in ctx.cards})
    if not used:
        return None
    rows = [{"metric": m, "unit": ctx.cards[m]["unit"], "citation": ctx.cards[m].get("citation", "")} for m in used]
    return Section(
        "Metrics", "Full definitions: `tokbench list metrics`.\n\n" + _md_table(pd.DataFrame(rows)), order=90
    )
