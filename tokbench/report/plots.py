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


# one colour per token class on every tokenizer page (matplotlib's tab20 by position gave Latin a different
# colour on each page); scripts not listed get a fixed colour from their name
CLASS_COLOURS = {
    "Latin": "#0072B2", "Cyrillic": "#56B4E9", "Han": "#E69F00", "Arabic": "#009E73", "Hangul": "#CC79A7",
    "Devanagari": "#F0E442", "Greek": "#882255", "Hebrew": "#44AA99", "Thai": "#999933", "Hiragana": "#DDCC77",
    "Katakana": "#AA4499", "Bengali": "#117733", "Tamil": "#332288", "Georgian": "#88CCEE", "Armenian": "#661100",
    "Ethiopic": "#6699CC", "bytes": "#D55E00", "digit": "#000000", "punctuation": "#777777",
    "whitespace": "#BBBBBB", "other": "#E5E5E5",
}
_EXTRA = ("#AA3377", "#228833", "#CCBB44", "#4477AA", "#EE6677", "#66CCEE", "#BBCC33", "#EE8866", "#99DDFF")


def class_colour(cls: str) -> str:
    """The colour of a token class (script name, 'bytes', 'digit', ...), the same on every page."""
    if cls in CLASS_COLOURS:
        return CLASS_COLOURS[cls]
    import hashlib

    return _EXTRA[int(hashlib.sha256(cls.encode("utf-8")).hexdigest(), 16) % len(_EXTRA)]


def token_class_plot(info: dict[str, Any]) -> bytes:
    """Stacked token-class shares by merge rank (or id) with fixed class colours (PNG bytes)."""
    plt = _plt()
    br = info["by_rank"]
    edges = np.asarray(br["edges"], dtype=float)
    mids = (edges[:-1] + edges[1:]) / 2
    shares = np.asarray(br["shares"], dtype=float)
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(8.0, 3.8))
        ax.stackplot(mids, shares.T, labels=br["classes"], colors=[class_colour(c) for c in br["classes"]])
        ax.set_xlabel("merge rank" if info.get("algorithm") == "bpe" else "token id")
        ax.set_ylabel("share of tokens in the bin")
        by = "merge rank" if info.get("algorithm") == "bpe" else "id"
        ax.set_title(f"{info.get('name', '')}: token classes by {by}")
        ax.set_ylim(0, 1)
        ax.set_xlim(float(edges[0]), float(edges[-1]))
        ax.legend(loc="center left", bbox_to_anchor=(1, 0.5), fontsize=7, frameon=False)
        return save(fig)["png"]


def script_of(lang: str) -> str:
    return lang.split("_", 1)[1] if "_" in lang else "?"


def _text_colour(rgba: Any) -> str:
    """Black or white, whichever reads on a cell of this colour (relative luminance)."""
    r, g, b = rgba[:3]
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"


def _heat_panel(ax: Any, vals: np.ndarray, screened: np.ndarray, partly: np.ndarray | None, cmap: Any, norm: Any,
                fmt: str) -> Any:
    """One heatmap panel: values coloured, screened cells hatched grey with 'UNK', each value written."""
    im = ax.imshow(np.ma.masked_invalid(np.where(screened, np.nan, vals)), aspect="auto", cmap=cmap, norm=norm,
                   interpolation="nearest")
    ax.set_facecolor("#f2f2f2")
    for (i, j), v in np.ndenumerate(vals):
        if screened[i, j]:
            ax.add_patch(_rect(j, i, hatch="////"))
            ax.text(j, i, "UNK", ha="center", va="center", fontsize=5, color="#555555")
        elif np.isfinite(v):
            mark = "*" if partly is not None and partly[i, j] else ""
            ax.text(j, i, format(v, fmt) + mark, ha="center", va="center", fontsize=5.5,
                    color=_text_colour(cmap(norm(v))))
    ax.set_xticks(np.arange(vals.shape[1] + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(vals.shape[0] + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=0.6)
    ax.tick_params(which="minor", length=0)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    return im


def _rect(x: float, y: float, hatch: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor="#e6e6e6", edgecolor="#9a9a9a", hatch=hatch, lw=0)


def premium_heatmap(matrix: pd.DataFrame, pivot: str, corpus: str,
                    represented: dict[str, set[str]] | None = None, threshold: float | None = None,
                    n_named: int = 16) -> dict[str, bytes]:
    """Token premium for a paper: tokenizers (rows, leaderboard order) x scripts (median over the languages of
    the script the tokenizer represents), and beside it the `n_named` languages with the highest median premium,
    named. Log colour scale (viridis: perceptually uniform, colour-blind safe) with a labelled colourbar;
    UNK-screened cells hatched, script cells with some screened languages starred."""
    plt = _plt()
    from matplotlib.colors import LogNorm

    from tokbench.report.languages import language_label, script_name

    toks = list(matrix.index)
    langs = sorted(matrix.columns, key=lambda lang: (script_of(lang), lang))
    m = matrix[langs].astype(float)
    rep = represented or {}
    unk = pd.DataFrame([[lang not in rep.get(t, set(langs)) for lang in langs] for t in toks], index=toks,
                       columns=langs)
    scripts = sorted({script_of(lang) for lang in langs}, key=lambda sc: (-sum(script_of(x) == sc for x in langs), sc))
    sv = np.full((len(toks), len(scripts)), np.nan)
    s_screened = np.zeros_like(sv, dtype=bool)
    s_partly = np.zeros_like(sv, dtype=bool)
    for j, sc in enumerate(scripts):
        cols = [x for x in langs if script_of(x) == sc]
        for i, t in enumerate(toks):
            ok = [x for x in cols if not unk.at[t, x]]
            s_screened[i, j] = not ok
            s_partly[i, j] = bool(ok) and len(ok) < len(cols)
            if ok:
                sv[i, j] = float(np.nanmedian(m.loc[t, ok].to_numpy()))
    med = m.where(~unk).median(axis=0, skipna=True)
    named = list(med.sort_values(ascending=False, kind="stable").dropna().index[:n_named])
    lv = m[named].to_numpy()
    l_screened = unk[named].to_numpy()
    finite = np.concatenate([sv[np.isfinite(sv)], lv[np.isfinite(lv) & ~l_screened]])
    finite = finite[finite > 0]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.5, 2.0)
    norm = LogNorm(vmin=min(vmin, 0.9), vmax=max(vmax, 1.1))
    cmap = plt.get_cmap("viridis_r")
    with plt.rc_context(RC):
        w = 0.36 * (len(scripts) + len(named)) + 3.5
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(max(9.0, w), 0.26 * len(toks) + 3.2), sharey=True,
                                     gridspec_kw={"width_ratios": [max(len(scripts), 1), max(len(named), 1)],
                                                  "wspace": 0.04})
        im = _heat_panel(a1, sv, s_screened, s_partly, cmap, norm, ".2g")
        _heat_panel(a2, lv, l_screened, None, cmap, norm, ".2g")
        n_of = {sc: sum(script_of(x) == sc for x in langs) for sc in scripts}
        a1.set_xticks(range(len(scripts)), [f"{script_name(sc)} ({n_of[sc]})" for sc in scripts], rotation=60,
                      ha="right", rotation_mode="anchor", fontsize=7)
        a2.set_xticks(range(len(named)), [language_label(x) for x in named], rotation=60, ha="right",
                      rotation_mode="anchor", fontsize=7)
        a1.set_yticks(range(len(toks)), toks, fontsize=7.5)
        a1.set_ylabel("tokenizer (leaderboard order)")
        a1.set_title("median over each script's languages (count)", fontsize=8.5)
        a2.set_title(f"the {len(named)} languages with the highest median premium", fontsize=8.5)
        fig.suptitle(f"Token premium vs {language_label(pivot)} on {corpus}: tokens / tokens of the same text in "
                     f"{pivot}", fontsize=10, y=1.03)
        cb = fig.colorbar(im, ax=[a1, a2], fraction=0.02, pad=0.01)
        cb.set_label(f"premium vs {pivot} (log scale; 1 = as many tokens as {pivot})")
        ticks = [t for t in (0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 10, 15, 20) if norm.vmin <= t <= norm.vmax]
        cb.set_ticks(ticks, labels=[f"{t:g}" for t in ticks])
        cb.minorticks_off()
        share = f"{100 * threshold:g}%" if threshold is not None else "the screen's share"
        fig.text(0.5, 0.985, f"UNK hatched: the tokenizer maps over {share} of the language's characters to UNK "
                 "(screened out, not in the medians); * some of the script's languages screened out.", fontsize=7,
                 color="#444444", ha="center")
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
        ax.set_xscale("log")
        points = [(float(d.loc[n[0], "vocab_size"]), float(d.loc[n[0], "bpt_mean"]), " = ".join(n))
                  for n in groups.values()]
        others = [(float(x), float(y)) for x, y in zip(d["vocab_size"], d.get("bpt_eng", d["bpt_mean"]), strict=True)
                  if np.isfinite(y)]
        place_labels(ax, points, others)
        ax.set_xlabel("vocabulary size (ids, log scale)")
        ax.set_ylabel("UTF-8 bytes per token")
        ax.set_title(f"Compression against vocabulary size on {corpus}")
        ax.legend(frameon=False, fontsize=8)
        return save(fig)


def place_labels(ax: Any, points: list[tuple[float, float, str]], avoid: list[tuple[float, float]],
                 fontsize: float = 7) -> None:
    """Label each point without overlaps, deterministically: try positions around the point at growing
    distances (in points), keep the first whose box clears every placed label and every marker; a label
    placed away from its point gets a thin leader line."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    to_px = ax.transData.transform
    markers = [to_px((x, y)) for x, y in list(avoid) + [(p[0], p[1]) for p in points]]
    placed: list[tuple[float, float, float, float]] = []
    scale = fig.dpi / 72.0
    dirs = [(1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1)]
    box_ax = ax.get_window_extent(renderer)
    for x, y, text in sorted(points, key=lambda p: (p[0], p[1], p[2])):
        px, py = to_px((x, y))
        probe = ax.text(0, 0, text, fontsize=fontsize)
        bb = probe.get_window_extent(renderer)
        probe.remove()
        w, h = bb.width, bb.height
        best = None
        for dist in (4, 10, 18, 28, 40, 55):
            for dx, dy in dirs:
                ox, oy = dx * dist * scale, dy * dist * scale
                x0 = px + ox if dx > 0 else (px + ox - w if dx < 0 else px - w / 2)
                y0 = py + oy if dy > 0 else (py + oy - h if dy < 0 else py - h / 2)
                rect = (x0, y0, x0 + w, y0 + h)
                inside = (box_ax.x0 <= rect[0] and rect[2] <= box_ax.x1 + 60 and box_ax.y0 <= rect[1]
                          and rect[3] <= box_ax.y1)
                clear = all(rect[2] < a or rect[0] > c or rect[3] < b or rect[1] > e for a, b, c, e in placed)
                free = all(not (rect[0] - 3 <= mx <= rect[2] + 3 and rect[1] - 3 <= my <= rect[3] + 3)
                           for mx, my in markers)
                if inside and clear and free:
                    best = (rect, ox, oy, dist)
                    break
            if best is not None:
                break
        if best is None:  # nowhere free: the nearest spot up-right, still labelled
            best = ((px, py, px + w, py + h), 4 * scale, 4 * scale, 4)
        rect, ox, oy, dist = best
        placed.append(rect)
        ha = "left" if ox > 0 else ("right" if ox < 0 else "center")
        va = "bottom" if oy > 0 else ("top" if oy < 0 else "center")
        ax.annotate(text, (x, y), xytext=(ox / scale, oy / scale), textcoords="offset points", fontsize=fontsize,
                    ha=ha, va=va, arrowprops={"arrowstyle": "-", "lw": 0.4, "color": "#777777"} if dist > 10 else None)


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
