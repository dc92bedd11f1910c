"""ngram_bpb's report part: the Spearman it reports, and the committed leaderboard against its raw numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from tokbench.metrics.ngram_bpb_report import spearman

SITE = Path(__file__).resolve().parents[2] / "reports" / "leaderboard"


def test_spearman_monotone_and_ci() -> None:
    x = np.arange(10.0)
    s = spearman(x, -x**3)
    assert s["rho"] == pytest.approx(-1.0) and s["n"] == 10 and s["p"] < 1e-6
    assert s["ci_low"] == pytest.approx(-1.0) and s["ci_high"] == pytest.approx(-1.0)
    rng = np.random.default_rng(1)
    y = x + rng.normal(0, 3, 10)
    s = spearman(x, y)
    assert s["ci_low"] <= s["rho"] <= s["ci_high"]
    assert s["rho"] == pytest.approx(spearmanr(x, y).statistic)


def test_committed_site_matches_the_results() -> None:
    """The leaderboard's n-gram column is the results' pooled row, and the Spearman the site reports is
    recomputed here from the leaderboard's numbers (aliases with identical values counted once)."""
    csv, corr_path, parquet = (SITE / "tables" / "leaderboard.csv", SITE / "tables" / "ngram_bpb_spearman.csv",
                               SITE / "results.parquet")
    if not corr_path.is_file():
        pytest.skip("the committed leaderboard has no ngram_bpb section")
    lb = pd.read_csv(csv).set_index("tokenizer")
    res = pd.read_parquet(parquet)
    pooled = res[(res["metric"] == "ngram_bpb.2") & (res["language"] == "ALL")].set_index("tokenizer")["value"]
    col, bpt = "ngram_bpb_2@flores200", "bpt_mean@flores200"
    got = lb[col].dropna()
    assert len(got) >= 10
    assert np.allclose(got.to_numpy(), pooled.loc[got.index].to_numpy(), rtol=1e-9)
    corr = pd.read_csv(corr_path)
    row = corr[corr["n-gram column"].str.startswith("2-gram bits/byte, pooled")
               & (corr["tokenizers"] == "all listed")].iloc[0]
    d = lb[[bpt, col]].dropna().drop_duplicates()
    assert row["n"] == len(d)
    assert row["Spearman rho"] == pytest.approx(spearmanr(d[col], d[bpt]).statistic, abs=5e-4)
    lo, hi = (float(x) for x in row["95% CI (bootstrap over tokenizers)"].strip("[]").split(","))
    assert lo <= row["Spearman rho"] <= hi
