"""Leaderboard columns from data-mixture inference (Hayase et al. 2024): inferred code and
non-English shares of the training bytes, present when a mixture result is passed to the report."""

from __future__ import annotations

from tokbench.report.columns import ALL, Column, register_column

for _order, (_m, _label) in enumerate((
    ("mixture.code_share", "inferred code share"),
    ("mixture.non_english_share", "inferred non-English share"),
    ("mixture.english_share", "inferred English share"),
)):
    register_column(Column(_m, _m, _label, "% of training bytes", None, summary=ALL, family="mixture",
                           order=80 + _order, scale=100.0, digits=1, headline=_order < 2))
