"""Report generator: results table → Markdown report with a leaderboard, tables and plots.

A report is a sequence of sections. Sections are plugins registered in REPORT_SECTIONS (a
decorator here, or the `tokbench.report_sections` entry-point group for third parties), so a
new metric can bring its own table or plot without touching this package.
"""

from tokbench.report.base import REPORT_SECTIONS, ReportContext, Section, register_section, write_report

__all__ = ["REPORT_SECTIONS", "ReportContext", "Section", "register_section", "write_report"]
