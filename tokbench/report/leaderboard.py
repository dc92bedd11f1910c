"""The leaderboard: one row per tokenizer, one column per registered Column whose metric has results.

Ranked by the absolute cost on the primary corpus (ranking.py), aliases folded into one row
(identity.py). `Leaderboard.display()` renders values with CIs for Markdown/CSV/HTML.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tokbench.report.columns import Column, all_columns, summarise
from tokbench.report.columns_builtin import RANK_KEY
from tokbench.report.identity import Identity, find_identity
from tokbench.report.ranking import Screen, build_screen, rank_order


@dataclass
class LbColumn:
    """A registered Column evaluated on one corpus."""

    col: Column
    corpus: str
    header: str

    @property
    def key(self) -> str:
        return f"{self.col.key}@{self.corpus}"


@dataclass
class Leaderboard:
    values: pd.DataFrame  # index: tokenizer (ranked); columns: LbColumn.key, key+":lo", key+":hi"
    columns: list[LbColumn]
    rank: LbColumn | None
    primary: str
    screens: dict[str, Screen]
    identity: Identity
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def tokenizers(self) -> list[str]:
        return list(self.values.index)

    def value(self, tok: str, key: str) -> float:
        v = self.values.at[tok, key] if key in self.values.columns else np.nan
        return float(v)

    def column(self, col_key: str, corpus: str | None = None) -> LbColumn | None:
        for c in self.columns:
            if c.col.key == col_key and (corpus is None or c.corpus == corpus):
                return c
        return None

    def note(self, tok: str) -> str:
        """Aliases / identical encodings, and a coverage warning when the tokenizer misses languages."""
        parts = [self.identity.note(tok)] if self.identity.note(tok) else []
        s = self.screens.get(self.primary)
        if s is not None and s.screened and s.coverage(tok) < len(s.languages):
            parts.append(f"represents {s.coverage(tok)} of {len(s.languages)} languages (UNK chars > "
                         f"{100 * s.threshold:g}% on the others): ranked on the {len(s.common)} all represent")
        return "; ".join(parts)

    def display(self, headline_only: bool = False, with_ci: bool = True) -> pd.DataFrame:
        """Strings for printing: rank, tokenizer, one formatted column per LbColumn, notes."""
        cols = [c for c in self.columns if c.col.headline or not headline_only]
        rows = []
        for i, tok in enumerate(self.tokenizers, 1):
            row: dict[str, Any] = {"#": i, "tokenizer": tok}
            for c in cols:
                row[c.header] = fmt_value(
                    self.values.at[tok, c.key], self.values.at[tok, c.key + ":lo"], self.values.at[tok, c.key + ":hi"],
                    c.col.digits, with_ci and c.col.ci,
                )
            row["notes"] = self.note(tok)
            rows.append(row)
        return pd.DataFrame(rows)

    def numbers(self) -> pd.DataFrame:
        """Machine-readable form (CSV): rank, tokenizer, aliases, and value/ci_low/ci_high per column."""
        out = pd.DataFrame({"rank": range(1, len(self.tokenizers) + 1), "tokenizer": self.tokenizers})
        out["aliases"] = [" ".join(self.identity.aliases.get(t, [])) for t in self.tokenizers]
        out["encodes_like"] = [" ".join(self.identity.same_encoding.get(t, [])) for t in self.tokenizers]
        for c in self.columns:
            base = c.key
            out[base] = self.values[c.key].to_numpy()
            out[base + ":ci_low"] = self.values[c.key + ":lo"].to_numpy()
            out[base + ":ci_high"] = self.values[c.key + ":hi"].to_numpy()
        return out


def fmt_value(v: Any, lo: Any = np.nan, hi: Any = np.nan, digits: int = 3, ci: bool = True) -> str:
    """'2.488 [2.47, 2.50]', or '–' for a missing value; the same convention in every table."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    s = f"{float(v):,.{digits}f}"
    if ci and lo is not None and hi is not None and not (math.isnan(float(lo)) or math.isnan(float(hi))):
        s += f" [{float(lo):,.{digits}f}, {float(hi):,.{digits}f}]"
    return s


def primary_corpus(table: pd.DataFrame) -> str:
    """The corpus the ranking is on: the one with token counts over the most languages."""
    cand = table[table["metric"].isin(["ctc", "premium"])]
    if cand.empty:
        cand = table
    counts = cand.groupby("corpus")["language"].nunique()
    return str(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0])


def build_leaderboard(table: pd.DataFrame, provenance: dict[str, Any]) -> Leaderboard:
    """Evaluate every applicable column on every corpus, fold aliases, rank on the primary corpus."""
    measured = table[table["corpus"] != "mixture"]
    identity = find_identity(measured if not measured.empty else table)
    # one row per tokenizer: rows of other registrations (e.g. a mixture result under an alias) join it
    table = table.assign(tokenizer=table["tokenizer"].map(lambda t: identity.representative.get(t, t)))
    table = table.drop_duplicates(["tokenizer", "corpus", "split", "language", "metric"])
    names = set(measured["tokenizer"]) if not measured.empty else set(table["tokenizer"])
    shown = sorted({identity.representative.get(t, t) for t in names})
    table = table[table["tokenizer"].isin(shown)]
    corpora = sorted(table["corpus"].unique())
    primary = primary_corpus(table)
    screens = {c: build_screen(table, c, provenance) for c in corpora}
    lb_cols: list[LbColumn] = []
    data: dict[str, pd.Series] = {}
    order = [primary] + [c for c in corpora if c != primary]
    for col in all_columns():
        for corpus in order:
            t = table[table["corpus"] == corpus]
            if not (t["metric"] == col.metric).any():
                continue
            s = summarise(col, t, screens[corpus])
            if s.empty or s["value"].isna().all():
                continue
            lbc = LbColumn(col, corpus, col.header(screens[corpus], None if corpus == primary else corpus))
            lb_cols.append(lbc)
            s = s.reindex(shown)
            data[lbc.key] = s["value"]
            data[lbc.key + ":lo"] = s["ci_low"]
            data[lbc.key + ":hi"] = s["ci_high"]
    values = pd.DataFrame(data, index=shown)
    rank = next((c for c in lb_cols if c.col.key == RANK_KEY and c.corpus == primary), None)
    if rank is None:
        rank = next((c for c in lb_cols if c.corpus == primary and c.col.higher_is_better is not None), None)
    if rank is not None:
        values = values.loc[rank_order(values[rank.key], rank.col.higher_is_better)]
    return Leaderboard(values, lb_cols, rank, primary, screens, identity)
