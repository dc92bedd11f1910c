"""Section protocol, the report context and the writer (atomic Markdown + PNG files)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from tokbench.errors import TokbenchError
from tokbench.io import atomic_write_bytes, atomic_write_text
from tokbench.registry import Registry


@dataclass
class Section:
    """One part of a report: a title, Markdown body and the figures it refers to."""

    title: str
    markdown: str
    figures: dict[str, bytes] = field(default_factory=dict)  # file name → PNG bytes
    order: int = 50


@dataclass
class ReportContext:
    """What sections read: the tidy results table, its provenance, and the metric cards."""

    table: pd.DataFrame
    provenance: dict[str, Any]
    cards: dict[str, dict[str, Any]]

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


def figure_png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buf.getvalue()


def write_report(
    table: pd.DataFrame, provenance: dict[str, Any], out_dir: Path, title: str = "tokbench report"
) -> Path:
    """Run every registered section and write `report.md` plus its figures into `out_dir`."""
    import tokbench.report.sections  # noqa: F401  (registers the built-in sections)
    from tokbench.metrics import metric_cards

    if table.empty:
        raise TokbenchError("the results table is empty; run `tokbench run` with some tokenizers and corpora first")
    ctx = ReportContext(table, provenance, {c["name"]: c for c in metric_cards()})
    sections = [s for _, fn in REPORT_SECTIONS.items() if (s := fn(ctx)) is not None]
    sections.sort(key=lambda s: s.order)
    out_dir.mkdir(parents=True, exist_ok=True)
    parts = [f"# {title}\n"]
    prov = provenance or {}
    if prov:
        parts.append(f"tokbench {prov.get('tokbench_version', '?')}; generated from `results.parquet`.\n")
    for s in sections:
        parts.append(f"## {s.title}\n\n{s.markdown.strip()}\n")
        for fname, png in s.figures.items():
            atomic_write_bytes(out_dir / fname, png)
    path = out_dir / "report.md"
    atomic_write_text(path, "\n".join(parts))
    return path
