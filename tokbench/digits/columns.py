"""Leaderboard columns of the digit-probe family (registered by metric name ahead of the metrics).

Registered through the `tokbench.report_columns` entry point (pyproject).
`digits.place_value_alignment` (a share, higher is better) and `digits.pattern_consistency`
(distinct chunk patterns per length, lower is better) become columns as soon as results hold them;
chunk classes and patterns are plotted by the family's own section (tokbench.digits.report).
"""

from __future__ import annotations

from tokbench.report.columns import AUTO, Column, as_percent, register_column

register_column(Column("digits.place_value_alignment", "digits.place_value_alignment",
                       "digit place-value alignment", "% of integers", True, summary=AUTO, family="digits",
                       order=60, compute=as_percent("digits.place_value_alignment"), digits=1))
# distinct chunk patterns per digit length (1 = the length alone decides the cut): a count, not a share
register_column(Column("digits.pattern_consistency", "digits.pattern_consistency", "digit chunk patterns per length",
                       "patterns", False, summary=AUTO, family="digits", order=61, digits=2))
