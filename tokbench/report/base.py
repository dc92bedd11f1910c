"""Section hook, the report context, and what a section returns.

A section is a function `ctx -> Section | None` registered in REPORT_SECTIONS (the
`register_section` decorator here, or the `tokbench.report_sections` entry-point group for
third-party packages). It returns plain text, tables (DataFrames) and figures; the report core
renders them to Markdown, to CSV/Markdown/LaTeX files and to the static site, so a metric family
brings its own part of the report without touching the core. Leaderboard columns use the
separate LEADERBOARD_COLUMNS hook (columns.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from tokbench.registry import Registry

if TYPE_CHECKING:
    from tokbench.report.leaderboard import Leaderboard


@dataclass
class Section:
    """One part of a report.

    `text`: plain paragraphs (blank-line separated); `tables`: name -> DataFrame, written as
    tables/<name>.{csv,md,tex} and shown; `detail`: the same, linked only; `figures`: name ->
    {'png': bytes, 'svg': bytes} (or PNG bytes), written as plots/<name>.<ext>; `markdown`: extra
    Markdown (report.md; shown preformatted on the site)."""

    title: str
    markdown: str = ""
    figures: dict[str, Any] = field(default_factory=dict)
    order: int = 50
    text: str = ""
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    detail: dict[str, pd.DataFrame] = field(default_factory=dict)  # written and linked, not shown inline
    key: str = ""
    # tokenizer -> {caption: table} shown on that tokenizer's page (e.g. its `tokbench check` verdicts)
    per_tokenizer: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)


@dataclass
class ReportContext:
    """What sections read: the tidy results table, its provenance, the metric cards, the leaderboard."""

    table: pd.DataFrame
    provenance: dict[str, Any]
    cards: dict[str, dict[str, Any]]
    leaderboard: Leaderboard | None = None
    load_tokenizers: bool = False  # sections may load tokenizers (report --inspect); else cached results only
    quiet: bool = False  # no progress bars (report --quiet / --json)

    def metric(self, name: str, language: str | None = None) -> pd.DataFrame:
        df = self.table[self.table["metric"] == name]
        if language is not None:
            df = df[df["language"] == language]
        return df

    def per_language(self, name: str) -> pd.DataFrame:
        """Rows of one metric for real languages (aggregate rows excluded)."""
        df = self.metric(name)
        return df[df["language"] != "ALL"]

    def higher_is_better(self, name: str) -> bool | None:
        base = name.split("_", 1)[0] if name not in self.cards else name
        return self.cards.get(name, self.cards.get(base, {})).get("higher_is_better")


SectionFn = Callable[[ReportContext], Section | None]
REPORT_SECTIONS: Registry[SectionFn] = Registry("report section", entry_point_group="tokbench.report_sections")


def register_section(name: str) -> Callable[[SectionFn], SectionFn]:
    return REPORT_SECTIONS.register(name)


def collect_sections(ctx: ReportContext) -> list[Section]:
    """Run every registered section (built-in ones imported first), in order."""
    import tokbench.report.sections  # noqa: F401  (registers the built-in sections)

    out = []
    for name, fn in REPORT_SECTIONS.items():
        s = fn(ctx)
        if s is not None:
            s.key = s.key or name
            out.append(s)
    return sorted(out, key=lambda s: (s.order, s.key))
