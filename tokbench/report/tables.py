"""Table writers: one DataFrame -> CSV, Markdown (tabulate, pipes escaped) and LaTeX (booktabs).

Formatting comes from pandas (`to_csv`, `to_markdown`, `Styler.to_latex`); all files are written
atomically and byte-identically for the same frame.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tokbench.io import atomic_write_text


def to_markdown(df: pd.DataFrame) -> str:
    """GitHub Markdown table; a `|` inside a cell (e.g. a unit 'log|V|') is escaped so it cannot split the row."""
    esc = df.copy()
    esc.columns = [str(c).replace("|", "\\|") for c in esc.columns]
    for c in esc.columns:
        if esc[c].dtype == object or pd.api.types.is_string_dtype(esc[c]):
            esc[c] = esc[c].astype(str).str.replace("|", "\\|", regex=False)
    return esc.to_markdown(index=False, disable_numparse=True)


def to_latex(df: pd.DataFrame, caption: str | None = None) -> str:
    """booktabs table (\\toprule/\\midrule/\\bottomrule), LaTeX special characters escaped."""
    sty = df.style.hide(axis="index").format(escape="latex", precision=4).format_index(escape="latex", axis=1)
    kw = {"caption": caption.replace("_", "\\_")} if caption else {}
    tex = sty.to_latex(hrules=True, column_format="l" * len(df.columns), **kw)
    return tex.replace("|", "\\textbar{}").replace("↑", "$\\uparrow$").replace("↓", "$\\downarrow$")


def to_csv(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, lineterminator="\n")


def write_table(df: pd.DataFrame, out_dir: Path, stem: str, caption: str | None = None) -> list[Path]:
    """Write stem.csv, stem.md and stem.tex into out_dir; returns the paths."""
    paths = [out_dir / f"{stem}.csv", out_dir / f"{stem}.md", out_dir / f"{stem}.tex"]
    atomic_write_text(paths[0], to_csv(df))
    atomic_write_text(paths[1], to_markdown(df) + "\n")
    atomic_write_text(paths[2], to_latex(df, caption))
    return paths
