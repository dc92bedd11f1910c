"""Report generation from a real (small) run on vendored data: UDHR x two vendored tokenizers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tokbench.cli import main
from tokbench.errors import TokbenchError
from tokbench.report import REPORT_SECTIONS, Section, write_report
from tokbench.results import read_results

LANGS = ["eng_Latn", "tur_Latn", "mya_Mymr", "shn_Mymr", "deu_Latn"]


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    rc = main(
        ["run", "--quiet", "--corpora", "udhr", "--tokenizers", "cl100k_base", "o200k_base",
         "--metrics", "premium", "bytes_per_token", "--langs", *LANGS, "--out", str(out)]
    )  # fmt: skip
    assert rc == 0
    return out


def test_report_ranks_tokenizers_by_premium_mean(results_dir: Path) -> None:
    assert main(["report", str(results_dir), "--quiet"]) == 0
    text = (results_dir / "report.md").read_text(encoding="utf-8")
    table, _ = read_results(results_dir)
    means = table[(table.metric == "premium_mean") & (table.language == "ALL")].set_index("tokenizer")["value"]
    best, worst = means.idxmin(), means.idxmax()
    rows = [ln for ln in text.splitlines() if ln.startswith("| 1 |") or ln.startswith("| 2 |")]
    assert rows[0].split("|")[2].strip() == best and rows[1].split("|")[2].strip() == worst
    assert f"{means[best]:.3f}" in rows[0]
    # o200k has many more non-Latin tokens than cl100k: Burmese is cheaper for it
    prem = table[(table.metric == "premium") & (table.language == "mya_Mymr")].set_index("tokenizer")["value"]
    assert prem["o200k_base"] < prem["cl100k_base"]


def test_report_writes_a_png_per_corpus(results_dir: Path) -> None:
    write_report(*read_results(results_dir), results_dir)
    png = results_dir / "premium_udhr.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "![premium by language](premium_udhr.png)" in (results_dir / "report.md").read_text(encoding="utf-8")


def test_third_party_section_is_included(results_dir: Path, tmp_path: Path) -> None:
    REPORT_SECTIONS.add("test_extra", lambda ctx: Section("Extra", f"{len(ctx.table)} rows", order=99))
    try:
        path = write_report(*read_results(results_dir), tmp_path)
        assert "## Extra" in path.read_text(encoding="utf-8")
    finally:
        REPORT_SECTIONS._items.pop("test_extra")


def test_empty_results_are_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TokbenchError, match="empty"):
        write_report(pd.DataFrame(columns=["tokenizer", "corpus", "metric", "language", "value"]), {}, tmp_path)
    assert main(["report", str(tmp_path / "nothing")]) == 2
