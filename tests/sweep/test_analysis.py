"""Derived rows from synthetic token counts: premiums over the pivot, optimal sizes, source comparison."""

from __future__ import annotations

import pandas as pd
import pytest

from tokbench.metrics.base import make_row
from tokbench.sweep import analysis

GRID = [1000, 2000, 4000]
# ctc = a * V^-b per language: 'xxx' costs 1.5x the pivot at every size
A = {"eng_Latn": 1.0e5, "deu_Latn": 1.2e5, "xxx_Latn": 1.5e5}


def _table(scale: dict[str, float] | None = None, overlap: float = 0.9) -> pd.DataFrame:
    rows = []
    for lang, a in A.items():
        for v in GRID:
            ctc = a * (scale or {}).get(lang, 1.0) * v**-0.3
            row = make_row("ctc", lang, "t", ctc, "tokens", 10)
            rows.append({"tokenizer": f"bpe-{v}-{lang}", "corpus": "c", **row})
        rows.append({"tokenizer": analysis.FEATURES_TOKENIZER, "corpus": "c",
                     **make_row("sweep.train_eval_overlap", lang, "t", overlap, "", 0)})  # fmt: skip
    return pd.DataFrame(rows)


def _derive(table: pd.DataFrame) -> pd.DataFrame:
    m = analysis.measurements(table)
    fits = analysis.fit_languages(m, GRID, "eng_Latn", 2000, "pivot")
    groups = analysis.derived_groups(m, fits, GRID, "eng_Latn", 2000, "t")
    rows = [{"tokenizer": label, "corpus": "c", **r} for label, _, _, rs in groups for r in rs]
    return pd.concat([table, pd.DataFrame(rows)], ignore_index=True)


def test_premiums_are_over_the_pivot_under_its_own_tokenizer() -> None:
    t = _derive(_table())
    p = analysis.premiums(t)
    at = p[p["vocab"] == "2000"].set_index("lang")["premium"]
    assert at["eng_Latn"] == 1.0 and at["xxx_Latn"] == pytest.approx(1.5) and at["deu_Latn"] == pytest.approx(1.2)


def test_optimal_sizes_bring_each_language_to_the_pivot() -> None:
    t = _derive(_table())
    opt = t[t["metric"] == "sweep.optimal_vocab"].set_index("language")["value"]
    # a * V^-0.3 = 1e5 * 2000^-0.3  =>  V = 2000 * (a / 1e5)^(1 / 0.3)
    assert opt["eng_Latn"] == 2000
    assert opt["xxx_Latn"] == round(2000 * 1.5 ** (1 / 0.3))  # 7,703: beyond the grid, flagged
    flags = t[t["metric"] == "sweep.optimal_vocab"].set_index("language")["flags"]
    assert flags["xxx_Latn"].startswith("extrapolated") and flags["deu_Latn"].startswith("fitted=3673")


def test_comparing_sources_sees_stable_premiums_under_changed_overlap() -> None:
    a = _derive(_table(overlap=0.9))
    b = _derive(_table(scale={"deu_Latn": 1.1}, overlap=0.5))
    cmp = analysis.compare_training_sources(a, b, "in", "out")
    row = cmp[cmp["vocab"] == 2000].iloc[0]
    assert row["overlap_in"] == pytest.approx(0.9) and row["overlap_out"] == pytest.approx(0.5)
    assert row["premium_rank_rho"] == pytest.approx(1.0)  # German costs 10% more, the order is unchanged
    assert row["mean_abs_premium_change"] == pytest.approx(0.12 / 3)
