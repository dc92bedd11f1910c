"""The digits report section: summary table, figure, and registration through the entry point."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tokbench.runner import RunConfig, run_grid


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    cfg = RunConfig(
        out=tmp_path_factory.mktemp("digits_report"),
        tokenizers=["cl100k_base", "mistral_v1"],
        metrics=["digits"],
        options={"digit_samples": "4", "digit_integers": "200", "digit_problems": "5"},
    )
    return run_grid(cfg, log=lambda s: None).table


def test_summary_table(table: pd.DataFrame) -> None:
    from tokbench.digits.report import summary_table

    s = summary_table(table).set_index("tokenizer")
    assert s.loc["cl100k_base", "class"] == "left-to-right-3" and s.loc["mistral_v1", "class"] == "single-digit"
    assert s.loc["cl100k_base", "7 digits"] == "3-3-1" and s.loc["cl100k_base", "10 digits"] == "3-3-3-1"
    assert s.loc["mistral_v1", "8 digits"] == "1-1-1-1-1-1-1-1"
    assert s.loc["cl100k_base", "number tokens"] == "1,110" and s.loc["mistral_v1", "number tokens"] == "10"
    assert s.loc["cl100k_base", "misaligned, longer answer"] == "100.0%"
    assert s.loc["mistral_v1", "place-value aligned"] == "100.0%"
    raw = summary_table(table, formatted=False).set_index("tokenizer")
    assert raw.loc["cl100k_base", "000-999 one token"] == 1.0


def test_section_and_report(table: pd.DataFrame, tmp_path: Path) -> None:
    from tokbench.digits.report import digit_probes
    from tokbench.report.base import REPORT_SECTIONS, ReportContext

    section = digit_probes(ReportContext(table, {}, {}))
    assert section is not None and section.figures["digit_probes"]["png"].startswith(b"\x89PNG")
    assert list(section.tables["digit_probes"].tokenizer) == ["cl100k_base", "mistral_v1"]
    assert digit_probes(ReportContext(table[~table.metric.str.startswith("digits.")], {}, {})) is None
    assert "digit_probes" in REPORT_SECTIONS  # the pyproject entry point (reinstall after editing pyproject)
