"""The leaderboard: one row per tokenizer, one column per registered Column whose metric has results.

Two tables, never interleaved: the ranked tokenizers (every language represented, text reproduced),
ordered by the absolute cost on the primary corpus with rank ranges from its interval, then the others
with the reason they are not ranked (ranking.py has the rule). Aliases fold into one row (identity.py).
`Leaderboard.display()` renders values with CIs for Markdown/CSV/HTML.
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
from tokbench.report.ranking import (
    Eligibility,
    Screen,
    build_screen,
    eligibility,
    paired_rank_ranges,
    rank_label,
    rank_order,
    rank_ranges,
)


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
    eligible: dict[str, Eligibility] = field(default_factory=dict)
    ranks: dict[str, tuple[int, int]] = field(default_factory=dict)  # ranked tokenizers: (best, worst) rank
    paired_ranks: bool = False  # ranges from ranking within each shared resample (else: interval overlap)

    @property
    def tokenizers(self) -> list[str]:
        """Every tokenizer: the ranked ones in rank order, then the others."""
        return list(self.values.index)

    @property
    def ranked(self) -> list[str]:
        return [t for t in self.tokenizers if t in self.ranks]

    @property
    def others(self) -> list[str]:
        """Tokenizers listed but not ranked (partial coverage or lossy)."""
        return [t for t in self.tokenizers if t not in self.ranks]

    def rank_text(self, tok: str) -> str:
        return rank_label(*self.ranks[tok]) if tok in self.ranks else "–"

    def rule(self) -> str:
        """The ranking rule in one sentence (the first thing a reader sees)."""
        s = self.screens.get(self.primary)
        if self.rank is None or s is None:
            return "Not ranked: the results hold no token counts."
        what = (f"total tokens on all {len(s.languages)} languages of {self.primary} (fewer is better)"
                if self.rank.col.key == RANK_KEY else f"{self.rank.header} on {self.primary}")
        rule = (f"Ranked by {what}, only among tokenizers that represent every language (at most "
                f"{100 * s.threshold:g}% of its characters mapped to UNK) and reproduce the text (decode(encode(x)) "
                "= x for every sentence, up to a normalisation the tokenizer documents); the others are listed "
                "in a second table with their coverage and what they lose.")
        if not any(e.lossless is not None for e in self.eligible.values()):
            rule += " In these results the round trip was not measured (no roundtrip.* rows): only coverage is checked."
        return rule

    def value(self, tok: str, key: str) -> float:
        v = self.values.at[tok, key] if key in self.values.columns else np.nan
        return float(v)

    def column(self, col_key: str, corpus: str | None = None) -> LbColumn | None:
        for c in self.columns:
            if c.col.key == col_key and (corpus is None or c.corpus == corpus):
                return c
        return None

    def note(self, tok: str) -> str:
        """Why a tokenizer is not ranked, aliases / identical encodings, and caveats a reader needs."""
        s = self.screens.get(self.primary)
        parts = []
        e = self.eligible.get(tok)
        if e is not None and not e.ranked and s is not None:
            parts.append(e.reason(s.threshold))
        if e is not None and e.lossless is None and any(x.lossless is not None for x in self.eligible.values()):
            parts.append("round trip not measured")
        if e is not None and e.normalisation:
            parts.append(f"documents {e.normalisation}")
        if self.identity.note(tok):
            parts.append(self.identity.note(tok))
        best, worst = self.ranks.get(tok, (0, 0))
        tied = [t for t, r in self.ranks.items() if t != tok and r[0] == best and self.rank is not None
                and self.values.at[t, self.rank.key] == self.values.at[tok, self.rank.key]]
        if tied:
            parts.append("equal total, shares its rank with " + ", ".join(tied))
        if worst > best:
            how = "in 95% of the shared resamples" if self.paired_ranks else "95% intervals overlap"
            parts.append(f"rank {best} to {worst} ({how})")
        return "; ".join(parts)

    def display(self, headline_only: bool = False, with_ci: bool = True, group: str | None = None) -> pd.DataFrame:
        """Strings for printing: rank, tokenizer, one formatted column per LbColumn, notes.

        group: "ranked" or "others" for one of the two tables, None for both (ranked first)."""
        cols = [c for c in self.columns if c.col.headline or not headline_only]
        toks = {"ranked": self.ranked, "others": self.others, None: self.tokenizers}[group]
        rows = []
        for tok in toks:
            row: dict[str, Any] = {"#": self.rank_text(tok), "tokenizer": tok}
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
        out = pd.DataFrame({
            "rank": [self.ranks[t][0] if t in self.ranks else None for t in self.tokenizers],
            "rank_worst": [self.ranks[t][1] if t in self.ranks else None for t in self.tokenizers],
            "ranked": [t in self.ranks for t in self.tokenizers],
            "tokenizer": self.tokenizers,
        })
        out["not_ranked_because"] = [
            self.eligible[t].reason(self.screens[self.primary].threshold) if t in self.eligible else ""
            for t in self.tokenizers]
        out["aliases"] = [" ".join(self.identity.aliases.get(t, [])) for t in self.tokenizers]
        out["encodes_like"] = [" ".join(self.identity.same_encoding.get(t, [])) for t in self.tokenizers]
        values: dict[str, np.ndarray] = {}  # joined at once: one insert per column fragments the frame
        for c in self.columns:
            values[c.key] = self.values[c.key].to_numpy()
            values[c.key + ":ci_low"] = self.values[c.key + ":lo"].to_numpy()
            values[c.key + ":ci_high"] = self.values[c.key + ":hi"].to_numpy()
        return pd.concat([out, pd.DataFrame(values, index=out.index)], axis=1)


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
            # rows from the tokenizer alone (corpus "-", e.g. digit probes) need no corpus in their header
            where = None if corpus in (primary, "-") else corpus
            lbc = LbColumn(col, corpus, col.header(screens[corpus], where))
            lb_cols.append(lbc)
            s = s.reindex(shown)
            data[lbc.key] = s["value"]
            data[lbc.key + ":lo"] = s["ci_low"]
            data[lbc.key + ":hi"] = s["ci_high"]
    values = pd.DataFrame(data, index=shown)
    prim = table[table["corpus"] == primary]
    has_rt = prim["metric"].str.startswith("roundtrip.").any()
    elig = eligibility(prim if has_rt else table, screens[primary])
    rank = next((c for c in lb_cols if c.col.key == RANK_KEY and c.corpus == primary), None)
    if rank is None:
        rank = next((c for c in lb_cols if c.corpus == primary and c.col.higher_is_better is not None), None)
    ranks: dict[str, tuple[int, int]] = {}
    paired_ranks = False
    if rank is not None:
        order = rank_order(values[rank.key], rank.col.higher_is_better)
        ranked = [t for t in order if t in elig and elig[t].ranked and pd.notna(values.at[t, rank.key])]
        others = [t for t in order if t not in ranked]
        values = values.loc[ranked + others]
        r = values.loc[ranked]
        hib = bool(rank.col.higher_is_better)
        paired = paired_rank_ranges(prim, r[rank.key], hib) if rank.col.key == RANK_KEY else None
        ranks = paired or rank_ranges(r[rank.key], r[rank.key + ":lo"], r[rank.key + ":hi"], hib)
        paired_ranks = paired is not None
    return Leaderboard(values, lb_cols, rank, primary, screens, identity, eligible=elig, ranks=ranks,
                       paired_ranks=paired_ranks)
