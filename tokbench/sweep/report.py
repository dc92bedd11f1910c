"""The sweep part of a report: token-count curves per language and script, each language's optimal
vocabulary size, the premium spread at one shared size and at the optimal sizes, superword against
whitespace-bounded BPE, and the four findings of Arnett et al. (2025) checked with numbers.

Registered as the report section `sweep` through the `tokbench.report_sections` entry point, so
`tokbench report DIR` renders it for any results folder with sweep rows; `tokbench sweep` writes the
same section on its own as DIR/report.md with tables/ and plots/.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tokbench.report.base import ReportContext, Section, register_section
from tokbench.report.plots import PALETTE, RC, _plt, save, script_of
from tokbench.sweep import analysis

SCRIPT_NAMES = {
    "Latn": "Latin", "Cyrl": "Cyrillic", "Grek": "Greek", "Arab": "Arabic", "Hebr": "Hebrew", "Deva": "Devanagari",
    "Beng": "Bengali", "Taml": "Tamil", "Telu": "Telugu", "Geor": "Georgian", "Armn": "Armenian", "Ethi": "Ethiopic",
    "Thai": "Thai", "Mymr": "Myanmar", "Khmr": "Khmer", "Hang": "Hangul", "Jpan": "Japanese", "Hans": "Han (simpl.)",
    "Hant": "Han (trad.)",
}  # fmt: skip
ALGO_MARK = {"bpe": "o", "unigram": "s", "superbpe": "^"}


def _setting(ctx: ReportContext, grid: list[int]) -> tuple[str, int, str]:
    """(pivot, shared size, target) recorded in the derived cells' options."""
    for c in ctx.provenance.get("cells", []) or []:
        if isinstance(c, dict) and c.get("metric") == "sweep.premium":
            o = c.get("options") or {}
            if "shared" in o:
                return str(o.get("pivot", "eng_Latn")), int(o["shared"]), str(o.get("target", "pivot"))
    return "eng_Latn", grid[len(grid) // 2], "pivot"


def _script_colours(langs: list[str]) -> dict[str, Any]:
    """One distinct colour per script (tab20 holds 20; more scripts than that reuse them)."""
    from matplotlib import colormaps

    tab = colormaps["tab20"].colors
    scripts = sorted({script_of(x) for x in langs})
    return {s: tab[(2 * i) % 20 + (2 * i) // 20 % 2] for i, s in enumerate(scripts)}


def _fits(table: pd.DataFrame) -> pd.DataFrame:
    d = table[table["metric"].isin(["sweep.fit_exponent", "sweep.fit_r2", "sweep.optimal_vocab"])]
    if d.empty:
        return pd.DataFrame(columns=["algorithm", "language", "b", "a", "r2", "optimal", "flags"])
    recs: dict[tuple[str, str], dict[str, Any]] = {}
    for r in d.itertuples(index=False):
        rec = recs.setdefault((r.tokenizer, r.language), {"algorithm": r.tokenizer, "language": r.language})
        if r.metric == "sweep.fit_exponent":
            rec["b"] = r.value
            rec["a"] = float(str(r.flags).split("a=", 1)[1].split(";", 1)[0]) if "a=" in str(r.flags) else math.nan
        elif r.metric == "sweep.fit_r2":
            rec["r2"] = r.value
        else:
            rec["optimal"] = int(r.value)
            rec["flags"] = r.flags
    return pd.DataFrame(list(recs.values()))


def curves_figure(m: pd.DataFrame, fits: pd.DataFrame, grid: list[int]) -> dict[str, bytes]:
    plt = _plt()
    algos = [a for a in ("bpe", "unigram", "superbpe") if a in set(m["algo"])]
    colours = _script_colours(list(m["lang"].unique()))
    with plt.rc_context(RC):
        fig, axes = plt.subplots(1, len(algos), figsize=(4.2 * len(algos), 4.0), sharey=True, squeeze=False)
        for ax, algo in zip(axes[0], algos, strict=True):
            g = m[m["algo"] == algo]
            for lang, gl in g.groupby("lang"):
                col = colours[script_of(str(lang))]
                on_grid = gl[gl["vocab"].isin(grid)].sort_values("actual")
                ax.plot(on_grid["actual"], on_grid["ctc"], "o", ms=3, color=col, alpha=0.85)
                f = fits[(fits["algorithm"] == algo) & (fits["language"] == lang)] if len(fits) else fits
                if len(f) and np.isfinite(f["a"].iloc[0]):
                    xs = np.geomspace(on_grid["actual"].min(), max(on_grid["actual"].max(), f["optimal"].iloc[0]), 30)
                    ax.plot(xs, f["a"].iloc[0] * xs ** (-f["b"].iloc[0]), "-", lw=0.8, color=col, alpha=0.7)
                    opt = gl[gl["vocab"] == f["optimal"].iloc[0]]
                    if len(opt):
                        ax.plot(opt["actual"], opt["ctc"], "*", ms=8, color=col, mec="black", mew=0.4)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(algo)
            ax.set_xlabel("vocabulary size (actual)")
        axes[0][0].set_ylabel("corpus token count (held-out parallel text)")
        handles = [plt.Line2D([], [], marker="o", ls="", color=c, label=SCRIPT_NAMES.get(s, s))
                   for s, c in colours.items()]  # fmt: skip
        handles.append(plt.Line2D([], [], marker="*", ls="", color="grey", mec="black", label="retrained at optimum"))
        axes[0][-1].legend(handles=handles, loc="center left", bbox_to_anchor=(1, 0.5), fontsize=7, frameon=False)
        fig.suptitle("Token count against vocabulary size, one comparable tokenizer per language "
                     "(lines: power-law fits)")
        return save(fig)


def optimal_figure(fits: pd.DataFrame, shared: int) -> dict[str, bytes]:
    plt = _plt()
    order = fits.groupby("language")["optimal"].median().sort_values().index.tolist()
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(7.5, 0.22 * len(order) + 1.2))
        for i, algo in enumerate(a for a in ("bpe", "unigram", "superbpe") if a in set(fits["algorithm"])):
            f = fits[fits["algorithm"] == algo].set_index("language").reindex(order)
            y = np.arange(len(order)) + (i - 1) * 0.22
            capped = f["flags"].fillna("").str.contains("capped")
            ax.scatter(f["optimal"][~capped], y[~capped.to_numpy()], marker=ALGO_MARK[algo], s=18,
                       color=PALETTE[i], label=algo)  # fmt: skip
            ax.scatter(f["optimal"][capped], y[capped.to_numpy()], marker=ALGO_MARK[algo], s=18,
                       facecolors="none", edgecolors=PALETTE[i])  # fmt: skip
        ax.axvline(shared, color="black", lw=0.8, ls="--", label=f"shared size {shared}")
        ax.set_yticks(np.arange(len(order)), order, fontsize=7)
        ax.set_xscale("log")
        ax.set_xlabel("optimal vocabulary size (open marker: capped where the training text ran out or at 2x the grid)")
        ax.legend(fontsize=7, frameon=False, loc="lower right")
        ax.set_title("Per-language vocabulary size that reaches the target token count")
        return save(fig)


def spread_figure(p: pd.DataFrame, shared: int) -> dict[str, bytes]:
    plt = _plt()
    algos = [a for a in ("bpe", "unigram", "superbpe") if a in set(p["algo"])]
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(6.5, 3.6))
        pos, labels = [], []
        for i, algo in enumerate(algos):
            for j, (vocab, name) in enumerate(((str(shared), f"{algo}\n{shared}"), ("optimal", f"{algo}\noptimal"))):
                v = p[(p["algo"] == algo) & (p["vocab"] == vocab)]["premium"].to_numpy()
                if not len(v):
                    continue
                x = i * 2.6 + j
                ax.boxplot([v], positions=[x], widths=0.6, showfliers=False)
                jitter = np.linspace(-0.18, 0.18, len(v))
                ax.scatter(x + jitter, v, s=8, color=PALETTE[i], alpha=0.8, zorder=3)
                pos.append(x)
                labels.append(name)
        ax.axhline(1.0, color="grey", lw=0.6, ls=":")
        ax.set_xticks(pos, labels, fontsize=7)
        ax.set_ylabel("premium vs pivot (own tokenizers)")
        ax.set_title("Premium spread: one shared vocabulary size vs each language's optimal size")
        return save(fig)


def superword_figure(m: pd.DataFrame, grid: list[int]) -> dict[str, bytes]:
    plt = _plt()
    b = m[(m["algo"] == "bpe") & m["vocab"].isin(grid)].set_index(["lang", "vocab"])["ctc"]
    s = m[(m["algo"] == "superbpe") & m["vocab"].isin(grid)].set_index(["lang", "vocab"])["ctc"]
    r = (s / b).dropna().rename("ratio").reset_index()
    colours = _script_colours(list(r["lang"].unique()))
    order = r.groupby("lang")["ratio"].mean().sort_values().index.tolist()
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(7.5, 3.4))
        for i, lang in enumerate(order):
            g = r[r["lang"] == lang]
            ax.scatter(np.full(len(g), i), g["ratio"], s=10, color=colours[script_of(lang)])
        ax.axhline(1.0, color="grey", lw=0.6, ls=":")
        ax.set_xticks(np.arange(len(order)), order, rotation=90, fontsize=7)
        ax.set_ylabel("tokens: superword / BPE (same size)")
        ax.set_title("Superword BPE against whitespace-bounded BPE, each grid size (below 1: fewer tokens)")
        return save(fig)


def _fmt(df: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].map(lambda x: "–" if x != x else f"{x:.{digits}g}" if abs(x) >= 1000 else f"{x:.{digits}f}")
    return out


def findings_text(spread_df: pd.DataFrame, factors: pd.DataFrame, effects: pd.DataFrame, sw: pd.DataFrame,
                  shared: int, grid: list[int]) -> str:  # fmt: skip
    """The paper's four findings, each with our numbers and whether it reproduces (criterion stated)."""
    out = []
    s = spread_df[spread_df["vocab"] == str(shared)]
    if len(s):
        parts = [f"{r.algorithm}: {r['min']:.2f}-{r['max']:.2f} (max/min {r['max/min']:.2f}, CV {r.cv:.3f})"
                 for _, r in s.iterrows()]  # fmt: skip
        verdict = "reproduces" if (s["max/min"] > 1.25).all() else "does not reproduce"
        out.append(f"Finding 1 (premiums vary widely between comparable monolingual tokenizers): {verdict} "
                   f"(criterion: max/min premium above 1.25 for every algorithm). At the shared size {shared}, "
                   f"premiums range {'; '.join(parts)}.")  # fmt: skip
        lo, hi = str(min(grid)), str(max(grid))
        cv = spread_df.set_index(["algorithm", "vocab"])["cv"]
        moves = [f"{a}: CV {cv[(a, lo)]:.3f} at {lo} -> {cv[(a, hi)]:.3f} at {hi}"
                 for a in s["algorithm"] if (a, lo) in cv.index and (a, hi) in cv.index]  # fmt: skip
        if moves:
            out.append("Vocabulary size alone: " + "; ".join(moves) + ". The paper finds that larger shared "
                       "vocabularies alone do not remove the disparity.")  # fmt: skip
    if len(factors):
        ov = factors[factors["factor"].str.startswith("train/eval")]
        ws = factors[factors["factor"].str.startswith("whitespace")]
        sig = (ov["p_value"] < 0.05).any()
        verdict = "does not reproduce" if sig else "reproduces"
        txt = "; ".join(f"{r.algorithm}: rho {r.spearman_rho:+.2f} (p {r.p_value:.2g})" for r in ov.itertuples())
        wtxt = "; ".join(f"{r.algorithm}: rho {r.spearman_rho:+.2f} (p {r.p_value:.2g})" for r in ws.itertuples())
        eff = "; ".join(f"{r.factor} ({r.algorithm}): median token-count ratio {r.median_ctc_ratio:.3f}"
                        for r in effects.itertuples())  # fmt: skip
        out.append(f"Finding 2 (train/eval similarity does not explain premiums; vocabulary size and "
                   f"pre-tokenization do): {verdict} for similarity (criterion: no significant Spearman "
                   f"correlation, p < 0.05, between train/eval character 3-gram overlap and premium at size "
                   f"{shared}): {txt}. Whitespace share of the text (what a whitespace pre-tokenizer acts on) "
                   f"against premium: {wtxt}. Manipulated factors: {eff}.")  # fmt: skip
    before = spread_df[spread_df["vocab"] == str(shared)].set_index("algorithm")
    after = spread_df[spread_df["vocab"] == "optimal"].set_index("algorithm")
    common = before.index.intersection(after.index)
    if len(common):
        parts = [f"{a}: CV {before.at[a, 'cv']:.3f} -> {after.at[a, 'cv']:.3f}, Gini {before.at[a, 'gini']:.3f} "
                 f"-> {after.at[a, 'gini']:.3f}, max {before.at[a, 'max']:.2f} -> {after.at[a, 'max']:.2f}"
                 for a in common]  # fmt: skip
        ok = all(after.at[a, "cv"] < before.at[a, "cv"] for a in common)
        out.append(f"Finding 3 (a per-language optimal vocabulary size reduces premium disparities): "
                   f"{'reproduces' if ok else 'does not reproduce'} (criterion: lower CV at the optimal sizes than "
                   f"at the shared size {shared} for every algorithm): {'; '.join(parts)}.")  # fmt: skip
    if len(sw) and "superbpe_premium_mean" in sw.columns:
        lower_p = (sw["superbpe_premium_cv"] < sw["bpe_premium_cv"]).sum()
        better_c = (sw["superbpe_bytes_per_token"] > sw["bpe_bytes_per_token"]).sum()
        ok = lower_p == len(sw) and better_c == len(sw)
        gain = (sw["superbpe_bytes_per_token"] / sw["bpe_bytes_per_token"] - 1).mean() * 100
        out.append(f"Finding 4 (superword tokenizers reduce premiums and improve compression): "
                   f"{'reproduces' if ok else 'partly reproduces' if lower_p or better_c else 'does not reproduce'} "
                   f"(criterion: lower premium CV and more bytes per token than BPE at every grid size): lower CV at "
                   f"{lower_p}/{len(sw)} sizes, more bytes/token at {better_c}/{len(sw)} sizes (mean "
                   f"{gain:+.1f}%); fewer tokens than BPE for {int(sw['languages_fewer_tokens'].sum())}/"
                   f"{int(sw['languages'].sum())} language-size pairs.")  # fmt: skip
    return "\n\n".join(out)


@register_section("sweep")
def sweep_section(ctx: ReportContext) -> Section | None:
    table = ctx.table
    if not (table["metric"] == "sweep.premium").any():
        return None
    m = analysis.measurements(table)
    p = analysis.premiums(table)
    grid = sorted({int(v) for v in p["vocab"] if v != "optimal"})
    pivot, shared, target = _setting(ctx, grid)
    fits = _fits(table)
    spread_df = analysis.spread_table(p)
    factors = analysis.explanatory_table(table, str(shared))
    effects = analysis.vocab_effect_table(m, grid)
    sw = analysis.superword_table(m, p, grid)
    tables: dict[str, pd.DataFrame] = {"sweep_spread": _fmt(spread_df)}
    if len(fits):
        opt = fits.pivot_table(index="language", columns="algorithm", values="optimal", aggfunc="first")
        opt.insert(0, "script", [SCRIPT_NAMES.get(script_of(x), script_of(x)) for x in opt.index])
        tables["sweep_optimal_sizes"] = opt.reset_index()
        means = {a: float(fits[fits["algorithm"] == a]["optimal"].mean()) for a in set(fits["algorithm"])}
        ba = spread_df[spread_df["vocab"].isin([str(shared), "optimal"])].copy()
        ba["mean_vocab"] = [means.get(a, math.nan) if v == "optimal" else float(shared)
                            for a, v in zip(ba["algorithm"], ba["vocab"], strict=True)]  # fmt: skip
        tables["sweep_before_after"] = _fmt(ba)
    if len(factors) or len(effects):
        tables["sweep_factors"] = _fmt(factors)
        tables["sweep_effects"] = _fmt(effects)
    if len(sw):
        tables["sweep_superword"] = _fmt(sw)
    figures = {"sweep_curves": curves_figure(m, fits, grid)}
    if len(fits):
        figures["sweep_optimal_sizes"] = optimal_figure(fits, shared)
    if (p["vocab"] == "optimal").any():
        figures["sweep_spread"] = spread_figure(p, shared)
    if {"bpe", "superbpe"} <= set(m["algo"]):
        figures["sweep_superword"] = superword_figure(m, grid)
    langs = sorted(m["lang"].unique())
    scripts = sorted({script_of(x) for x in langs})
    intro = (f"{len(m)} comparable monolingual tokenizers ({', '.join(sorted(m['algo'].unique()))}) for "
             f"{len(langs)} languages in {len(scripts)} scripts, vocabulary grid {', '.join(map(str, grid))}; "
             f"premium = a language's token count under its own tokenizer over {pivot}'s under its own "
             f"(same algorithm and size). Optimal size: where the language's fitted power law reaches the "
             f"target token count ({'the pivot' if target == 'pivot' else 'the median language'} at the shared "
             f"size {shared}); star markers are tokenizers retrained there.")  # fmt: skip
    text = intro + "\n\n" + findings_text(spread_df, factors, effects, sw, shared, grid)
    detail = {"sweep_tokenizers": _fmt(m), "sweep_fits": _fmt(fits)}
    return Section(title="Comparable monolingual tokenizers (Arnett et al. 2025)", text=text, tables=tables,
                   detail=detail, figures=figures, order=45)  # fmt: skip


def _md_table(df: pd.DataFrame) -> str:
    return df.to_markdown(index=False) if len(df) else "(empty)"


def write_sweep_report(table: pd.DataFrame, out: Path) -> dict[str, str]:
    """DIR/report.md with the section's text, tables (tables/*.csv, *.md) and figures (plots/*.png, *.svg)."""
    from tokbench.io import atomic_write_bytes, atomic_write_text
    from tokbench.results import read_results

    _, prov = read_results(out)
    section = sweep_section(ReportContext(table, prov, {}))
    if section is None:
        return {}
    (out / "tables").mkdir(parents=True, exist_ok=True)
    (out / "plots").mkdir(parents=True, exist_ok=True)
    lines = [f"# {section.title}", "", *section.text.split("\n"), ""]
    for name, fig in section.figures.items():
        for ext, data in fig.items():
            atomic_write_bytes(out / "plots" / f"{name}.{ext}", data)
        lines += [f"![{name}](plots/{name}.png)", ""]
    for name, df in {**section.tables, **section.detail}.items():
        atomic_write_text(out / "tables" / f"{name}.csv", df.to_csv(index=False))
        atomic_write_text(out / "tables" / f"{name}.md", _md_table(df) + "\n")
        if name in section.tables:
            lines += [f"## {name}", "", _md_table(df), ""]
        else:
            lines += [f"Detail: [tables/{name}.csv](tables/{name}.csv)", ""]
    path = out / "report.md"
    atomic_write_text(path, "\n".join(lines))
    return {"report": str(path)}
