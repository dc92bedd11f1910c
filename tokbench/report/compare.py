"""Comparing runs: per-tokenizer differences of every leaderboard column between two results sets
(`tokbench report A --results B`): a changed protocol option, tokenizer version or corpus shows up
as a column of differences instead of two tables to eyeball."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tokbench.report.leaderboard import build_leaderboard

if TYPE_CHECKING:
    from tokbench.report.writer import ReportInput


def compare_runs(base: ReportInput, other: ReportInput) -> pd.DataFrame:
    """tokenizer x (column: this, other, difference, relative %) for headline columns present in both runs."""
    a = build_leaderboard(base.table, base.provenance)
    b = build_leaderboard(other.table, other.provenance)
    toks = a.tokenizers + [t for t in b.tokenizers if t not in a.tokenizers]
    out = pd.DataFrame({"tokenizer": toks})
    for ca in a.columns:
        if not ca.col.headline:
            continue
        cb = b.column(ca.col.key, ca.corpus)
        if cb is None:
            continue
        va = a.values[ca.key].reindex(toks).to_numpy(dtype=float)
        vb = b.values[cb.key].reindex(toks).to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = 100.0 * (vb - va) / np.abs(va)
        d = ca.col.digits
        out[f"{ca.header}: this"] = [_f(x, d) for x in va]
        out[f"{ca.header}: {other.label}"] = [_f(x, d) for x in vb]
        out[f"{ca.header}: difference"] = [_f(x, d, signed=True) for x in vb - va]
        out[f"{ca.header}: change %"] = [_f(x, 1, signed=True) for x in rel]
    return out


def _f(x: float, digits: int, signed: bool = False) -> str:
    if not np.isfinite(x):
        return "–"
    return f"{x:+,.{digits}f}" if signed else f"{x:,.{digits}f}"
