"""Leaderboard column hook: a metric family declares its headline columns here, not in the report core.

A `Column` names the results-table metric it reads, how per-language rows are summarised, its
unit and direction. Columns are registered in LEADERBOARD_COLUMNS (the `register_column` call
at import, from a module named in the `tokbench.report_columns` entry-point group, as every metric family
does from its own package; an entry point may also name a `Column` object) and appear in
a leaderboard only when the results hold rows for their metric, so a family's columns can be
registered before its metric lands. Report sections (tables, plots) use REPORT_SECTIONS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tokbench.registry import Registry

# summary rules: how rows of one metric on one corpus become one number per tokenizer
ALL = "ALL"  # the row with language == "ALL" (an aggregate the metric computed, with its CI)
MEAN = "mean"  # mean over languages the tokenizer represents (UNK screen), no CI
AUTO = "auto"  # ALL row if there is one, else the single language, else MEAN

# compute(corpus_table, screen) -> DataFrame indexed by tokenizer with value, ci_low, ci_high, n
ComputeFn = Callable[[pd.DataFrame, Any], pd.DataFrame]


@dataclass(frozen=True)
class Column:
    """One leaderboard column. `label` may contain `{pivot}`; `scale` converts units (100 for percent)."""

    key: str
    metric: str
    label: str
    unit: str
    higher_is_better: bool | None
    summary: str = AUTO  # ALL | MEAN | AUTO | "lang:<code>"
    family: str = ""
    order: int = 50
    digits: int = 3
    scale: float = 1.0
    headline: bool = True  # shown in LEADERBOARD.md (all columns go to the CSV and the site)
    compute: ComputeFn | None = None  # custom summary over the corpus' whole table (overrides `summary`)
    ci: bool = True  # print the CI beside the value where there is one

    @property
    def arrow(self) -> str:
        return {True: "↑", False: "↓"}.get(self.higher_is_better, "")

    def header(self, screen: Any = None, corpus: str | None = None) -> str:
        """Header text: label, unit, direction arrow (and the corpus when a report spans several).

        Labels may use {pivot}, {threshold}, {n_languages}, {n_common} from the corpus' UNK screen."""
        fields = {
            "pivot": getattr(screen, "pivot", None) or "pivot",
            "threshold": f"{100 * getattr(screen, 'threshold', 0.1):g}%",
            "n_languages": len(getattr(screen, "languages", []) or []),
            "n_common": len(screen.common) if screen is not None else 0,
        }
        label = self.label.format(**fields)
        unit = f" ({self.unit.format(**fields)})" if self.unit else ""
        where = f" @{corpus}" if corpus else ""
        return f"{label}{unit}{where} {self.arrow}".rstrip()


LEADERBOARD_COLUMNS: Registry[Column] = Registry("leaderboard column", entry_point_group="tokbench.report_columns")


def register_column(col: Column) -> Column:
    """Add a column spec under its key (a family module calls this at import)."""
    LEADERBOARD_COLUMNS.add(col.key, col)
    return col


def all_columns() -> list[Column]:
    """Every registered column, in display order: the core's own (columns_builtin) and every family's,
    which come through the `tokbench.report_columns` entry points (loaded by LEADERBOARD_COLUMNS.items())."""
    import tokbench.report.columns_builtin  # noqa: F401

    cols = [c for _, c in LEADERBOARD_COLUMNS.items() if isinstance(c, Column)]
    return sorted(cols, key=lambda c: (c.order, c.key))


def as_percent(metric: str) -> ComputeFn:
    """compute(): the metric's AUTO summary in percent, whether its rows are in percent or a 0-1 share
    (read from the rows' unit), so a family's share columns print alike."""

    def compute(table: pd.DataFrame, screen: Any) -> pd.DataFrame:
        rows = table[table["metric"] == metric]
        plain = Column(metric, metric, metric, "", True, summary=AUTO)
        out = summarise(plain, table, screen)
        unit = str(rows["unit"].iloc[0]).lower() if len(rows) else ""
        if not ("percent" in unit or "%" in unit):
            out[["value", "ci_low", "ci_high"]] *= 100.0
        return out

    return compute


def summarise(col: Column, table: pd.DataFrame, screen: Any = None) -> pd.DataFrame:
    """tokenizer -> value, ci_low, ci_high, n for one column from one corpus' rows.

    `screen.represented` (tokenizer -> languages under the UNK threshold) restricts MEAN summaries
    to the languages a tokenizer can encode (Petrov et al. 2023 drop pairs above 10% UNK)."""
    out_cols = ["value", "ci_low", "ci_high", "n"]
    rows = table[table["metric"] == col.metric]
    if rows.empty:
        return pd.DataFrame(columns=out_cols, dtype=float)
    if col.compute is not None:
        out = col.compute(table, screen).reindex(columns=out_cols).astype(float)
        out[["value", "ci_low", "ci_high"]] *= col.scale
        return out
    represented = getattr(screen, "represented", None)
    how = col.summary
    agg = rows[rows["language"] == ALL]
    langs = rows[rows["language"] != ALL]
    if how == AUTO:
        if not agg.empty:
            how = ALL
        elif langs["language"].nunique() == 1:
            how = f"lang:{langs['language'].iloc[0]}"
        else:
            how = MEAN
    if how == ALL:
        out = agg.groupby("tokenizer")[out_cols].first()
    elif how.startswith("lang:"):
        out = langs[langs["language"] == how[5:]].groupby("tokenizer")[out_cols].first()
    elif how == MEAN:
        if represented is not None:
            pairs = zip(langs["tokenizer"], langs["language"], strict=True)
            keep = [lang in represented.get(t, set()) for t, lang in pairs]
            langs = langs[np.asarray(keep, dtype=bool)] if len(langs) else langs
        g = langs.dropna(subset=["value"]).groupby("tokenizer")["value"]
        out = pd.DataFrame({"value": g.mean(), "ci_low": np.nan, "ci_high": np.nan, "n": g.size()})
    else:
        raise ValueError(f"column {col.key}: unknown summary {col.summary!r}")
    out = out.astype(float)
    out[["value", "ci_low", "ci_high"]] *= col.scale
    return out
