"""Leaderboard columns of the morphology family: %TR / %Pure (Bayram et al. 2025) and %L.

Registered through the `tokbench.report_columns` entry point (pyproject), by metric name ahead of
the metrics: a column appears as soon as results hold rows named `tr.*`, `pure.*`, `lex.*` or
`lex_pure.*` (`unique` over token types, `weighted` over token occurrences; percent, higher is better).
LEADERBOARD.md shows %TR and the weighted %Pure and %L; every column goes to the CSV and the site.
"""

from __future__ import annotations

from tokbench.report.columns import Column, as_percent, register_column

LABELS = {"tr": "%TR", "pure": "%Pure", "lex": "%L", "lex_pure": "%L pure"}
HEADLINE_WEIGHTED = ("pure", "lex")  # LEADERBOARD.md: both %TR forms and these weighted ones
for _i, (_fam, _label) in enumerate(LABELS.items()):
    for _j, _kind in enumerate(("unique", "weighted")):
        _m = f"{_fam}.{_kind}"
        _headline = _fam == "tr" or (_kind == "weighted" and _fam in HEADLINE_WEIGHTED)
        register_column(Column(_m, _m, f"{_label} ({_kind})", "%", True, family="morphology", order=40 + 2 * _i + _j,
                               compute=as_percent(_m), digits=1, headline=_headline))
