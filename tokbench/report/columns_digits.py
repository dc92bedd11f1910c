"""Leaderboard columns of the digit-probe family (registered by metric name ahead of the metrics).

`digits.place_value_alignment` and `digits.pattern_consistency` are shares (higher is better) and
become columns as soon as results hold them; `digits.chunk_class` and other categorical digit
rows are plotted by the digit section instead (see sections.py).
"""

from __future__ import annotations

from tokbench.report.columns import AUTO, Column, register_column
from tokbench.report.columns_morph import as_percent

for _order, (_m, _label) in enumerate((
    ("digits.place_value_alignment", "digit place-value alignment"),
    ("digits.pattern_consistency", "digit pattern consistency"),
)):
    register_column(Column(_m, _m, _label, "%", True, summary=AUTO, family="digits", order=60 + _order,
                           compute=as_percent(_m), digits=1))
