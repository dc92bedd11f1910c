"""Report generator: results table -> leaderboard, per-metric tables, plots, Markdown and a static site.

Two hooks let a metric family extend the report without touching this package:
LEADERBOARD_COLUMNS (columns.py; `tokbench.report_columns` entry points) for headline columns and
REPORT_SECTIONS (base.py; `tokbench.report_sections` entry points) for its own section.
"""

from tokbench.report.base import REPORT_SECTIONS, ReportContext, Section, register_section
from tokbench.report.columns import LEADERBOARD_COLUMNS, Column, register_column
from tokbench.report.writer import write_report, write_site

__all__ = [
    "LEADERBOARD_COLUMNS",
    "REPORT_SECTIONS",
    "Column",
    "ReportContext",
    "Section",
    "register_column",
    "register_section",
    "write_report",
    "write_site",
]
