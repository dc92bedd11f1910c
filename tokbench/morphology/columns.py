"""Leaderboard columns of the morphology family: %TR / %Pure / lexicon-aligned share.

Registered by metric name ahead of the metrics themselves: a column appears as soon as results
hold rows named `tr.unique`, `tr.weighted`, `pure.unique`, `pure.weighted`, `lex.unique`,
`lex.weighted` (share of tokens that are valid Turkish words / pure morphemes / lexicon entries,
over unique types or weighted by frequency; higher is better).
"""

from __future__ import annotations

import pandas as pd

from tokbench.report.columns import AUTO, Column, register_column, summarise


def as_percent(metric: str) -> object:
    """compute(): the metric's AUTO summary in percent, whether its rows are in percent or a 0-1 share."""

    def compute(table: pd.DataFrame, screen: object) -> pd.DataFrame:
        rows = table[table["metric"] == metric]
        plain = Column(metric, metric, metric, "", True, summary=AUTO)
        out = summarise(plain, table, screen)
        unit = str(rows["unit"].iloc[0]).lower() if len(rows) else ""
        if not ("percent" in unit or "%" in unit):
            out[["value", "ci_low", "ci_high"]] *= 100.0
        return out

    return compute


_LABELS = {"tr": "%TR", "pure": "%Pure", "lex": "%lexicon"}
for _i, (_fam, _label) in enumerate(_LABELS.items()):
    for _j, _kind in enumerate(("unique", "weighted")):
        _m = f"{_fam}.{_kind}"
        register_column(Column(
            _m, _m, f"{_label} ({_kind})", "%", True, family="morphology", order=40 + 2 * _i + _j,
            compute=as_percent(_m), digits=1, headline=_kind == "weighted" or _fam == "tr",
        ))
