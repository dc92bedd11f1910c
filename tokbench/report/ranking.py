"""Honest ranking: UNK screening, coverage, and an absolute cost that a premium cannot game.

Two traps in ranking tokenizers by mean token premium (Petrov et al. 2023, Sec. 3):
- a tokenizer that maps a language to UNK looks cheap on it; Petrov et al. drop a
  language/tokenizer pair above 10% UNK characters. We screen the same way, report coverage
  (languages represented) and keep the unscreened number beside the screened one;
- a premium is relative to the pivot, so a tokenizer that is poor at English looks fair. The
  default order is therefore an absolute cost: total tokens over the *common valid set* (the
  languages every tokenizer in the report represents), which on fixed text orders tokenizers
  exactly as pooled bytes per token does. Premium and its spread stand beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tokbench.metrics.stats import cross_language_aggregates

DEFAULT_UNK_THRESHOLD = 0.1
DEFAULT_PIVOT = "eng_Latn"


@dataclass
class Screen:
    """Which languages each tokenizer represents on one corpus (UNK characters <= threshold)."""

    corpus: str
    threshold: float
    pivot: str | None
    languages: list[str]
    represented: dict[str, set[str]] = field(default_factory=dict)
    screened: bool = False  # False when the results hold no UNK measurement (nothing could be screened)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)  # derived tables of this corpus

    @property
    def common(self) -> list[str]:
        """Languages every tokenizer represents: the set the ranking cost is summed over."""
        if not self.represented:
            return list(self.languages)
        sets = list(self.represented.values())
        return [lang for lang in self.languages if all(lang in s for s in sets)]

    def coverage(self, tokenizer: str) -> int:
        return len(self.represented.get(tokenizer, self.languages))


def cell_option(provenance: dict[str, Any], corpus: str, metric: str, key: str, default: Any) -> Any:
    """A protocol option of the run (e.g. the premium pivot), read from the cells' provenance."""
    for c in provenance.get("cells", []) or []:
        if c.get("corpus") == corpus and c.get("metric") == metric and key in (c.get("options") or {}):
            return c["options"][key]
    return default


def build_screen(table: pd.DataFrame, corpus: str, provenance: dict[str, Any]) -> Screen:
    """The UNK screen of one corpus from its `unk_char_frac` rows (written by the premium metric)."""
    t = table[(table["corpus"] == corpus) & (table["language"] != "ALL")]
    thr = float(cell_option(provenance, corpus, "premium", "unk_threshold", DEFAULT_UNK_THRESHOLD))
    has_premium = (t["metric"] == "premium").any()
    pivot = str(cell_option(provenance, corpus, "premium", "pivot", DEFAULT_PIVOT)) if has_premium else None
    base = t[t["metric"].isin(["premium", "ctc"])]
    if base.empty:
        base = t
    languages = sorted(base["language"].unique())
    tokenizers = sorted(t["tokenizer"].unique())
    unk = t[t["metric"] == "unk_char_frac"]
    if unk.empty:
        return Screen(corpus, thr, pivot, languages, {tok: set(languages) for tok in tokenizers}, False)
    represented: dict[str, set[str]] = {}
    for tok in tokenizers:
        bad = set(unk[(unk["tokenizer"] == tok) & (unk["value"] > thr)]["language"])
        represented[tok] = {lang for lang in languages if lang not in bad}
    return Screen(corpus, thr, pivot, languages, represented, True)


def _per_language(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """language x tokenizer matrix of one per-language metric."""
    d = table[(table["metric"] == metric) & (table["language"] != "ALL")]
    return d.pivot_table(index="language", columns="tokenizer", values="value", aggfunc="first")


def total_tokens(table: pd.DataFrame, screen: Screen, common: bool = True) -> pd.DataFrame:
    """Corpus token count summed over the common valid set (or over all languages): the absolute cost."""
    m = _per_language(table, "ctc")
    if m.empty:
        return pd.DataFrame(columns=["value", "ci_low", "ci_high", "n"])
    if common:
        m = m.reindex(screen.common)
    complete = m.notna().all()  # a tokenizer missing a language has no comparable total
    v = m.sum(min_count=1).where(complete)
    return pd.DataFrame({"value": v, "ci_low": np.nan, "ci_high": np.nan, "n": float(len(m))})


def coverage(table: pd.DataFrame, screen: Screen) -> pd.DataFrame:
    toks = sorted(table["tokenizer"].unique())
    v = pd.Series({t: float(screen.coverage(t)) for t in toks})
    return pd.DataFrame({"value": v, "ci_low": np.nan, "ci_high": np.nan, "n": float(len(screen.languages))})


def premium_aggregates(table: pd.DataFrame, screen: Screen) -> pd.DataFrame:
    """Per tokenizer: premium mean/median/max/Gini over the languages it represents, with the metric's
    bootstrap CI where its own aggregate covers exactly that set, plus the unscreened mean."""
    m = _per_language(table, "premium")
    agg_rows = table[(table["metric"].str.startswith("premium_")) & (table["language"] == "ALL")]
    out: dict[str, dict[str, float]] = {}
    for tok in m.columns:
        col = m[tok].dropna()
        keep = col[[lang in screen.represented.get(tok, set(col.index)) for lang in col.index]]
        rec: dict[str, float] = {"n": float(len(keep)), "mean_all": float(col.mean()) if len(col) else np.nan}
        if len(keep):
            a = cross_language_aggregates(keep.to_numpy())
            rec.update(mean=float(a["mean"]), max=float(a["max"]), gini=float(a["gini"]),
                       median=float(np.median(keep.to_numpy())), n_above_4x=float(a["n_above_4x"]))
        own = agg_rows[agg_rows["tokenizer"] == tok].set_index("metric")
        # the metric's aggregate (with its CI) is over the same languages when it screened them too,
        # or when nothing was screened out for this tokenizer
        if not own.empty and int(own["n"].iloc[0]) == len(keep):
            for k in ("mean", "max", "gini"):
                if f"premium_{k}" in own.index:
                    rec[f"{k}_ci_low"] = float(own.loc[f"premium_{k}", "ci_low"])
                    rec[f"{k}_ci_high"] = float(own.loc[f"premium_{k}", "ci_high"])
        out[tok] = rec
    return pd.DataFrame.from_dict(out, orient="index")


def premium_stat(stat: str) -> Any:
    """compute() for a premium column: one statistic of premium_aggregates (cached per table)."""

    def compute(table: pd.DataFrame, screen: Screen) -> pd.DataFrame:
        if "premium" not in screen.cache:
            screen.cache["premium"] = premium_aggregates(table, screen)
        a = screen.cache["premium"]
        if stat not in a:
            return pd.DataFrame(columns=["value", "ci_low", "ci_high", "n"])
        return pd.DataFrame({
            "value": a[stat],
            "ci_low": a.get(f"{stat}_ci_low", np.nan),
            "ci_high": a.get(f"{stat}_ci_high", np.nan),
            "n": a["n"],
        })

    return compute


def rank_order(values: pd.Series, higher_is_better: bool | None) -> list[str]:
    """Tokenizers best first; ties broken by name, missing values last."""
    df = pd.DataFrame({"v": values, "name": values.index})
    df = df.sort_values(["v", "name"], ascending=[not higher_is_better, True], na_position="last", kind="stable")
    return list(df["name"])
