"""Honest ranking: who is ranked, by what, and how sure we are.

The rule (stated at the top of every leaderboard): the headline ranks, by total tokens on ALL
languages of the corpus (fewer is better), only tokenizers that represent every language and
reproduce the text; every other tokenizer is listed in a second table with its coverage and what
it loses, never interleaved. Eligibility is a property of the tokenizer alone, so the ranked set
never depends on which other tokenizers are in the pool.

- Represents a language: at most 10% of its characters are mapped to UNK (the screen of Petrov et
  al. 2023, Sec. 3); a tokenizer that maps a language to UNK would otherwise look cheap on it.
- Reproduces the text: decode(encode(text)) equals the text, up to the normalisation the tokenizer
  documents (e.g. NFC in its tokenizer.json), for every sentence (`roundtrip.exact_normalized`);
  a lowercasing or accent-stripping tokenizer would otherwise be rewarded for dropping information.
- An absolute cost, not a premium: a premium is relative to the pivot, so a tokenizer poor at
  English would look fair. On fixed text, total tokens orders tokenizers as pooled bytes/token does.
- The total's 95% interval comes from one bootstrap resample of aligned sentences shared by every
  language and tokenizer (the `ctc` ALL row). Equal totals share a rank; a rank range is the central
  95% of a tokenizer's rank over those shared resamples (`ctc.resample` rows: paired, so two tokenizers
  are always compared on the same text); without replicates, ranges come from overlapping intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tokbench.metrics.stats import cross_language_aggregates

DEFAULT_UNK_THRESHOLD = 0.1
DEFAULT_PIVOT = "eng_Latn"
# share of sentences that must round-trip exactly (after the tokenizer's documented normalisation)
LOSSLESS_MIN_EXACT = 1.0
ROUNDTRIP_METRICS = ("roundtrip.exact_normalized", "roundtrip.exact")


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
    """Corpus token count summed over the common valid set (or over all languages).

    Over all languages the `ctc` ALL row supplies the 95% interval (one resample of aligned sentences shared
    by every language and tokenizer) when the run wrote one for exactly that total."""
    m = _per_language(table, "ctc")
    if m.empty:
        return pd.DataFrame(columns=["value", "ci_low", "ci_high", "n"])
    if common:
        m = m.reindex(screen.common)
    complete = m.notna().all()  # a tokenizer missing a language has no comparable total
    v = m.sum(min_count=1).where(complete)
    out = pd.DataFrame({"value": v, "ci_low": np.nan, "ci_high": np.nan, "n": float(len(m))})
    if not common:
        agg = table[(table["metric"] == "ctc") & (table["language"] == "ALL")].groupby("tokenizer").first()
        same = [t for t in agg.index if t in v.index and agg.at[t, "value"] == v[t]]  # the same total
        if same:
            out.loc[same, ["ci_low", "ci_high"]] = agg.loc[same, ["ci_low", "ci_high"]].to_numpy()
    return out


@dataclass(frozen=True)
class Eligibility:
    """Whether a tokenizer may be ranked: it represents every language and reproduces the text."""

    full_coverage: bool
    lossless: bool | None  # None: the round trip was not measured
    coverage: int
    n_languages: int
    unk_languages: tuple[str, ...] = ()
    exact_share: float = float("nan")  # share of sentences that round-trip (after documented normalisation)
    changes: tuple[tuple[str, float], ...] = ()  # (kind, share of sentences) of what the round trip changes
    normalisation: str = ""  # what the tokenizer documents (e.g. NFC): named, never hidden

    @property
    def ranked(self) -> bool:
        return self.full_coverage and self.lossless is not False

    def reason(self, threshold: float) -> str:
        """Why a tokenizer is not ranked, in words a reader can check against the table."""
        parts = []
        if not self.full_coverage:
            shown = ", ".join(self.unk_languages[:6]) + (", ..." if len(self.unk_languages) > 6 else "")
            parts.append(f"represents {self.coverage} of {self.n_languages} languages (UNK characters > "
                         f"{100 * threshold:g}% on {shown})")
        if self.lossless is False:
            what = ", ".join(f"{k} {100 * v:.0f}%" if v >= 0.005 else f"{k} <1%" for k, v in self.changes if v > 0)
            what = what or "see roundtrip.*"
            parts.append(f"does not reproduce the text: {100 * self.exact_share:.1f}% of sentences round-trip "
                         f"exactly (sentences changed by {what})")
        return "; ".join(parts)


def _roundtrip_rows(table: pd.DataFrame) -> pd.DataFrame:
    for metric in ROUNDTRIP_METRICS:
        d = table[(table["metric"] == metric) & (table["language"] == "ALL")]
        if not d.empty:
            return d.groupby("tokenizer").first()
    return pd.DataFrame()


def eligibility(table: pd.DataFrame, screen: Screen) -> dict[str, Eligibility]:
    """Per tokenizer: coverage under the corpus' UNK screen and the round-trip verdict (from `table`)."""
    rt = _roundtrip_rows(table)
    changes = table[table["metric"].str.startswith("roundtrip.changes.") & (table["language"] == "ALL")]
    out: dict[str, Eligibility] = {}
    n = len(screen.languages)
    for tok in sorted(table["tokenizer"].unique()):
        rep = screen.represented.get(tok, set(screen.languages))
        unk = tuple(sorted(set(screen.languages) - rep))
        lossless: bool | None = None
        exact = float("nan")
        norm = ""
        if tok in rt.index and pd.notna(rt.at[tok, "value"]):
            exact = float(rt.at[tok, "value"])
            lossless = exact >= LOSSLESS_MIN_EXACT
            norm = str(rt.at[tok, "flags"] or "") if "flags" in rt.columns else ""
        ch = changes[changes["tokenizer"] == tok]
        kinds = tuple(sorted(((str(m).removeprefix("roundtrip.changes."), float(v))
                              for m, v in zip(ch["metric"], ch["value"], strict=True)), key=lambda kv: -kv[1]))
        out[tok] = Eligibility(not unk, lossless, len(rep), n, unk, exact, kinds, norm)
    return out


def rank_ranges(values: pd.Series, lo: pd.Series, hi: pd.Series, higher_is_better: bool) -> dict[str, tuple[int, int]]:
    """(best, worst) rank each tokenizer could hold given the values' 95% intervals.

    Equal values share a rank (competition ranking: 1, 2, 2, 4); without an interval a value is a point. j
    surely beats i when j's value is better and the intervals do not overlap; i's best rank counts those, its
    worst rank counts every j of another value that does not surely lose to i (marginal intervals, so the
    range is conservative)."""
    v = values.astype(float)
    has = lo.notna() & hi.notna()
    low, high = lo.astype(float).where(has, v), hi.astype(float).where(has, v)
    if higher_is_better:  # flip so that lower is better below
        v, low, high = -v, -high, -low
    names = [t for t in v.index if pd.notna(v[t])]

    def beats(j: str, i: str) -> bool:
        return bool(v[j] < v[i] and (high[j] < low[i] or (high[j] == v[j] == low[j] and low[i] == v[i] == high[i])))

    return {i: (1 + sum(beats(j, i) for j in names if j != i),
                1 + sum(not beats(i, j) for j in names if j != i and v[j] != v[i]))
            for i in names}


def rank_label(best: int, worst: int) -> str:
    return str(best) if best == worst else f"{best}–{worst}"


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


def paired_rank_ranges(table: pd.DataFrame, totals: pd.Series, higher_is_better: bool = False,
                       level: float = 0.95) -> dict[str, tuple[int, int]] | None:
    """Rank ranges from the shared resample: rank the tokenizers within every bootstrap replicate of their
    totals (`ctc.resample` rows), then take the central `level` range of each one's rank.

    Every tokenizer's replicate k resamples the same sentences, so this compares tokenizers pairwise on the
    same text, far tighter than overlapping marginal intervals when sentence lengths vary (UDHR articles).
    None when a tokenizer lacks replicates or they do not belong to the totals shown."""
    from tokbench.metrics.ctc import RESAMPLE_METRIC

    names = [t for t in totals.index if pd.notna(totals[t])]
    rows = table[(table["metric"] == RESAMPLE_METRIC) & table["tokenizer"].isin(names)]
    if rows.empty:
        return None
    reps = rows.pivot_table(index="split", columns="tokenizer", values="value", aggfunc="first")
    agg = table[(table["metric"] == "ctc") & (table["language"] == "ALL")].groupby("tokenizer")["value"].first()
    if set(reps.columns) != set(names) or reps.isna().any().any() or len(reps) < 20:
        return None
    if any(agg.get(t) != totals[t] for t in names):  # replicates of another total (e.g. a --langs subset)
        return None
    m = reps[names].to_numpy()
    if higher_is_better:
        m = -m
    # competition rank within each replicate: 1 + how many tokenizers have a strictly smaller total
    ranks = 1 + (m[:, None, :] < m[:, :, None]).sum(axis=2)
    a = (1.0 - level) / 2.0
    lo = np.floor(np.quantile(ranks, a, axis=0, method="lower")).astype(int)
    hi = np.ceil(np.quantile(ranks, 1.0 - a, axis=0, method="higher")).astype(int)
    point = 1 + (totals[names].to_numpy()[None, :] < totals[names].to_numpy()[:, None]).sum(axis=1)
    if higher_is_better:
        point = 1 + (totals[names].to_numpy()[None, :] > totals[names].to_numpy()[:, None]).sum(axis=1)
    # the range always holds the rank of the totals themselves
    return {t: (int(min(lo[i], point[i])), int(max(hi[i], point[i]))) for i, t in enumerate(names)}
