"""Leaderboard columns of the built-in metrics: absolute cost, coverage, round trip, premium, compression.

The first column is the ranking key: total tokens on every language (ranking.py says why an absolute
cost, and who is eligible to be ranked on it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tokbench.report.columns import ALL, MEAN, Column, register_column
from tokbench.report.ranking import Screen, coverage, premium_stat, total_tokens

RANK_KEY = "tokens_all"


def _vocab_size(table: pd.DataFrame, screen: Screen) -> pd.DataFrame:
    """|V| recovered from vocab_utilisation's pooled row (value = used / |V|, n = used)."""
    d = table[(table["metric"] == "vocab_utilisation") & (table["language"] == "ALL")].groupby("tokenizer").first()
    with np.errstate(divide="ignore", invalid="ignore"):
        v = (d["n"] / d["value"]).round()
    return pd.DataFrame({"value": v, "ci_low": np.nan, "ci_high": np.nan, "n": np.nan})


for _col in (
    Column(RANK_KEY, "ctc", "corpus tokens, all {n_languages} languages", "", False, family="cost", order=10,
           compute=lambda t, s: total_tokens(t, s, common=False), digits=0),
    Column("coverage", "premium", "languages represented", "of {n_languages}, UNK chars <= {threshold}", True,
           family="cost", order=12, compute=coverage, digits=0),
    Column("roundtrip", "roundtrip.exact_normalized", "text reproduced", "% of sentences, decode(encode(x)) = x",
           True, summary=ALL, family="cost", order=13, scale=100.0, digits=1, ci=False),
    Column("premium_mean", "premium", "premium vs {pivot}, mean over represented", "ratio", False, family="premium",
           order=20, compute=premium_stat("mean")),
    Column("premium_mean_all", "premium", "premium vs {pivot}, mean unscreened", "ratio", False, family="premium",
           order=21, compute=premium_stat("mean_all")),
    Column("premium_median", "premium", "premium vs {pivot}, median", "ratio", False, family="premium", order=22,
           compute=premium_stat("median"), headline=False),
    Column("premium_max", "premium", "premium vs {pivot}, max", "ratio", False, family="premium", order=23,
           compute=premium_stat("max")),
    Column("premium_gini", "premium", "premium vs {pivot}, Gini", "", False, family="premium", order=24,
           compute=premium_stat("gini")),
    Column("premium_n_above_4x", "premium", "languages with premium > 4x", "languages", False, family="premium",
           order=25, compute=premium_stat("n_above_4x"), digits=0, headline=False),
    Column("bpt_eng", "bytes_per_token", "bytes/token, English", "UTF-8 bytes/token", True, summary="lang:eng_Latn",
           family="compression", order=30),
    Column("bpt_mean", "bytes_per_token", "bytes/token, mean over represented", "UTF-8 bytes/token", True,
           summary=MEAN, family="compression", order=31),
    Column("renyi", "renyi_efficiency", "Rényi efficiency (alpha 2.5), mean", "share of log|V|", True, summary=MEAN,
           family="compression", order=32),
    Column("fertility", "fertility", "fertility, mean", "tokens/word", False, summary=MEAN, family="compression",
           order=33, headline=False),
    Column("continued_words", "continued_words", "continued words, mean", "share of words", False, summary=MEAN,
           family="compression", order=34, headline=False),
    Column("vocab_used", "vocab_utilisation", "vocabulary used", "share of ids", None, summary=ALL,
           family="compression", order=35, headline=False),
    Column("vocab_size", "vocab_utilisation", "vocabulary size", "ids", None, family="compression", order=36,
           compute=_vocab_size, digits=0),
):
    register_column(_col)
