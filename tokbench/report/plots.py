"""Report figures (matplotlib, Agg), each saved as PNG and SVG with no timestamp, so the same results
give byte-identical files. Colour-blind-safe choices: the Okabe-Ito palette for categories and
cividis for the heatmap."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

# Okabe & Ito (2008) colour-universal-design palette, then greys for the remainder
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
GREYS = ("#999999", "#BBBBBB", "#DDDDDD", "#666666")
PALETTE = OKABE_ITO + GREYS

RC = {
    "svg.hashsalt": "tokbench",  # fixed ids in the SVG instead of random ones
    "svg.fonttype": "none",  # text stays text (smaller, searchable, no embedded glyph paths)
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig: Any) -> dict[str, bytes]:
    """{'png': ..., 'svg': ...} without Date/Creation metadata (deterministic)."""
    plt = _plt()
    out = {}
    with plt.rc_context(RC):
        for fmt, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
            buf = io.BytesIO()
            fig.savefig(buf, format=fmt, dpi=110, bbox_inches="tight", metadata=meta)
            out[fmt] = buf.getvalue()
    plt.close(fig)
    return out


def script_of(lang: str) -> str:
    return lang.split("_", 1)[1] if "_" in lang else "?"


def premium_heatmap(matrix: pd.DataFrame, pivot: str, corpus: str) -> dict[str, bytes]:
    """Tokenizers (rows, leaderboard order) x languages grouped by script (columns); log colour scale."""
    plt = _plt()
    from matplotlib.colors import LogNorm

    langs = sorted(matrix.columns, key=lambda lang: (script_of(lang), lang))
    m = matrix[langs]
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(max(8.0, 0.075 * len(langs) + 3), 0.32 * len(m) + 2.2))
        vals = m.to_numpy(dtype=float)
        finite = vals[np.isfinite(vals) & (vals > 0)]
        vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.5, 2.0)
        im = ax.imshow(np.ma.masked_invalid(vals), aspect="auto", cmap="cividis",
                       norm=LogNorm(vmin=min(vmin, 0.99), vmax=max(vmax, 1.01)), interpolation="nearest")
        ax.set_yticks(range(len(m)), list(m.index))
        scripts = [script_of(lang) for lang in langs]
        starts = [i for i in range(len(scripts)) if i == 0 or scripts[i] != scripts[i - 1]]
        for s in starts[1:]:
            ax.axvline(s - 0.5, color="white", lw=0.6)
        ends = starts[1:] + [len(scripts)]
        ax.set_xticks([(a + b - 1) / 2 for a, b in zip(starts, ends, strict=True)], [scripts[a] for a in starts],
                      rotation=90, fontsize=6)
        ax.set_xlabel(f"language, grouped by script ({len(langs)} languages)")
        ax.set_ylabel("tokenizer (leaderboard order)")
        ax.set_title(f"Token premium vs {pivot} on {corpus} (log colour scale)")
        cb = fig.colorbar(im, ax=ax, fraction=0.025, pad=0.01)
        cb.set_label(f"premium (tokens / tokens of {pivot})")
        return save(fig)


def premium_distribution(matrix: pd.DataFrame, pivot: str, corpus: str) -> dict[str, bytes]:
    """Box plot of premiums over represented languages per tokenizer (leaderboard order), mean marked."""
    plt = _plt()
    with plt.rc_context(RC):
        order = list(matrix.index)
        fig, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(order) + 2), 4.6))
        data = [matrix.loc[t].dropna().to_numpy() for t in order]
        ax.boxplot(data, showfliers=True, showmeans=True, meanprops={"marker": "D", "markerfacecolor": PALETTE[5],
                   "markeredgecolor": PALETTE[5], "markersize": 4},
                   flierprops={"markersize": 2, "markeredgecolor": PALETTE[8]},
                   medianprops={"color": PALETTE[4]})
        ax.set_xticks(range(1, len(order) + 1), order, rotation=45, ha="right")
        ax.axhline(1.0, color=PALETTE[8], lw=0.8, ls="--")
        ax.set_yscale("log")
        ax.set_ylabel(f"premium vs {pivot} (tokens / tokens of {pivot}, log)")
        ax.set_xlabel("tokenizer (leaderboard order; diamond = mean, line = median)")
        ax.set_title(f"Token premium over represented languages on {corpus}")
        return save(fig)


def bpt_vs_vocab(df: pd.DataFrame, corpus: str) -> dict[str, bytes]:
    """Scatter: vocabulary size (log) against bytes/token (mean over represented languages, and English)."""
    plt = _plt()
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(7.5, 4.8))
        d = df.dropna(subset=["vocab_size", "bpt_mean"]).sort_values("vocab_size")
        ax.scatter(d["vocab_size"], d["bpt_mean"], color=PALETTE[4], label="mean over represented languages", zorder=3)
        if "bpt_eng" in d and d["bpt_eng"].notna().any():
            ax.scatter(d["vocab_size"], d["bpt_eng"], facecolors="none", edgecolors=PALETTE[5], label="English",
                       zorder=3)
        # tokenizers at (nearly) the same point share one label instead of overprinting
        groups: dict[tuple[float, float], list[str]] = {}
        for tok, r in d.iterrows():
            key = (round(float(np.log10(r["vocab_size"])), 2), round(float(r["bpt_mean"]), 2))
            groups.setdefault(key, []).append(str(tok))
        for i, names in enumerate(groups.values()):
            r = d.loc[names[0]]
            ax.annotate(" = ".join(names), (r["vocab_size"], r["bpt_mean"]), fontsize=7,
                        xytext=(3, 3 if i % 2 == 0 else -9), textcoords="offset points")
        ax.set_xscale("log")
        ax.set_xlabel("vocabulary size (ids, log scale)")
        ax.set_ylabel("UTF-8 bytes per token")
        ax.set_title(f"Compression against vocabulary size on {corpus}")
        ax.legend(frameon=False, fontsize=8)
        return save(fig)


def stacked_shares(shares: pd.DataFrame, title: str, ylabel: str, xlabel: str) -> dict[str, bytes]:
    """Stacked bars: rows = bars (tokenizers), columns = categories (shares summing to <= 1)."""
    plt = _plt()
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(max(6.0, 0.55 * len(shares) + 3), 4.6))
        bottom = np.zeros(len(shares))
        x = np.arange(len(shares))
        for i, cat in enumerate(shares.columns):
            v = shares[cat].fillna(0.0).to_numpy()
            ax.bar(x, v, bottom=bottom, color=PALETTE[i % len(PALETTE)], label=str(cat), width=0.75,
                   edgecolor="white", linewidth=0.3)
            bottom += v
        ax.set_xticks(x, list(shares.index), rotation=45, ha="right")
        ax.set_ylabel(ylabel)
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        ax.legend(loc="center left", bbox_to_anchor=(1, 0.5), fontsize=7, frameon=False)
        return save(fig)


def top_categories(shares: pd.DataFrame, k: int, rest: str = "rest") -> pd.DataFrame:
    """Keep the k categories with the largest mean share, sorted; sum the others into `rest`."""
    order: Sequence[str] = list(shares.mean().sort_values(ascending=False, kind="stable").index)
    keep = list(order[:k])
    out = shares[keep].copy()
    if len(order) > k:
        out[rest] = shares[list(order[k:])].sum(axis=1)
    return out
