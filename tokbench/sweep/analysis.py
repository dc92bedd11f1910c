"""Derived rows of a sweep (premiums per setting, fits, optimal sizes) and the paper's four findings.

Everything here reads the tidy results table, so the report section can recompute it from a results
folder alone. A sweep premium is Arnett et al.'s notion for monolingual tokenizers: a language's
token count under its own tokenizer over the pivot's under the pivot's own tokenizer of the same
algorithm and size (`premium` in `tokbench run` divides two languages under one tokenizer instead).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tokbench.metrics.base import ALL_LANGUAGES, make_row
from tokbench.sweep.fit import Optimal, PowerFit, fit_power_law, optimal_vocab, spread
from tokbench.sweep.specs import parse_label, set_label

PREMIUM_UNIT = "ratio of the language's tokens (own tokenizer) to the pivot's (own tokenizer)"
FEATURES_TOKENIZER = "data"  # tokenizer label of the per-language data features (overlap, whitespace)


def measurements(table: pd.DataFrame) -> pd.DataFrame:
    """One row per trained tokenizer: algo, vocab (requested), lang, ctc, n, bytes_per_token, actual vocab."""
    d = table[table["language"] != ALL_LANGUAGES]
    recs: dict[str, dict[str, Any]] = {}
    for row in d.itertuples(index=False):
        parsed = parse_label(str(row.tokenizer))
        if parsed is None or row.language != parsed[2]:
            continue
        rec = recs.setdefault(row.tokenizer, {"label": row.tokenizer, "algo": parsed[0], "vocab": parsed[1],
                                              "lang": parsed[2]})  # fmt: skip
        if row.metric == "ctc":
            rec["ctc"], rec["n"] = float(row.value), int(row.n)
        elif row.metric == "bytes_per_token":
            rec["bytes_per_token"] = float(row.value)
        elif row.metric == "sweep.vocab_size":
            rec["actual"] = int(row.value)
    cols = ["label", "algo", "vocab", "lang", "ctc", "n", "bytes_per_token", "actual"]
    df = pd.DataFrame(list(recs.values()), columns=cols)
    df["actual"] = df["actual"].fillna(df["vocab"]).astype(int)
    return df.dropna(subset=["ctc"]).sort_values(["algo", "lang", "vocab"]).reset_index(drop=True)


@dataclass(frozen=True)
class LanguageFit:
    algo: str
    lang: str
    fit: PowerFit
    optimal: Optimal
    target: float
    target_name: str


def fit_languages(
    m: pd.DataFrame, grid: list[int], pivot: str, shared: int, target: str
) -> dict[tuple[str, str], LanguageFit]:
    """Per (algorithm, language): the power-law fit over the grid and the size reaching the target."""
    out: dict[tuple[str, str], LanguageFit] = {}
    g = m[m["vocab"].isin(grid)]
    for algo, ga in g.groupby("algo"):
        at_shared = ga[ga["vocab"] == shared].set_index("lang")["ctc"]
        if target == "pivot":
            if pivot not in at_shared.index:
                continue
            goal, name = float(at_shared[pivot]), f"{pivot} at {shared}"
        else:
            goal, name = float(at_shared.median()), f"median language at {shared}"
        for lang, gl in ga.groupby("lang"):
            pts = gl.drop_duplicates("actual").sort_values("actual")
            if len(pts) < 2:
                continue
            fit = fit_power_law(pts["actual"].to_numpy(), pts["ctc"].to_numpy())
            saturated = bool((gl["actual"] < gl["vocab"]).any())
            cap = int(gl["actual"].max()) if saturated else 2 * max(grid)
            opt = optimal_vocab(fit, goal, floor=max(min(grid) // 2, 300), cap=cap, grid_max=max(grid))
            out[(str(algo), str(lang))] = LanguageFit(str(algo), str(lang), fit, opt, goal, name)
    return out


def _sha(*parts: Any) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def premium_rows(ctc: dict[str, float], n: dict[str, int], denominator: float, split: str) -> list[dict[str, Any]]:
    """Per-language premiums over one denominator, plus the aggregates over languages (ALL rows)."""
    rows = [make_row("sweep.premium", lang, split, c / denominator, PREMIUM_UNIT, n[lang]) for lang, c in ctc.items()]
    if len(ctc) >= 2:
        agg = spread([c / denominator for c in ctc.values()])
        for k, v in agg.items():
            unit = "ratio" if k in ("gini", "cv") else PREMIUM_UNIT
            rows.append(make_row(f"sweep.premium_{k}", ALL_LANGUAGES, split, v, unit, len(ctc)))
    return rows


def derived_groups(
    m: pd.DataFrame,
    fits: dict[tuple[str, str], LanguageFit],
    grid: list[int],
    pivot: str,
    shared: int,
    split: str,
) -> list[tuple[str, str, str, list[dict[str, Any]]]]:
    """(tokenizer label, content sha, metric family, rows) of every derived cell."""
    groups: list[tuple[str, str, str, list[dict[str, Any]]]] = []
    for algo, ga in m.groupby("algo"):
        for v in grid:
            gv = ga[ga["vocab"] == v].set_index("lang")
            if pivot not in gv.index:
                continue
            ctc = gv["ctc"].to_dict()
            rows = premium_rows(ctc, gv["n"].to_dict(), float(gv.at[pivot, "ctc"]), split)
            groups.append((set_label(algo, v), _sha(sorted(ctc.items())), "sweep.premium", rows))
        opt = {lang: f for (a, lang), f in fits.items() if a == algo}
        if not opt:
            continue
        fit_rows = []
        for lang, f in sorted(opt.items()):
            note = f"a={f.fit.a:.6g}; n={f.fit.n}"
            fit_rows.append(make_row("sweep.fit_exponent", lang, split, f.fit.b, "b in ctc = a * V^-b", f.fit.n,
                                     flags=note))  # fmt: skip
            fit_rows.append(make_row("sweep.fit_r2", lang, split, f.fit.r2, "R^2 of log ctc on log V", f.fit.n))
            flags = "; ".join(x for x in (f.optimal.flag, f"fitted={f.optimal.raw:.0f}",
                                          f"target={f.target:.0f} tokens ({f.target_name})") if x)  # fmt: skip
            fit_rows.append(make_row("sweep.optimal_vocab", lang, split, f.optimal.vocab, "tokens in the vocabulary",
                                     f.fit.n, flags=flags))  # fmt: skip
        groups.append((str(algo), _sha(fit_rows), "sweep.fit", fit_rows))
        # the optimal set: each language at its own size, against the pivot's count at the shared size
        chosen = {lang: f.optimal.vocab for lang, f in opt.items()}
        sel = ga[[chosen.get(lang) == v for lang, v in zip(ga["lang"], ga["vocab"], strict=True)]].set_index("lang")
        base = ga[(ga["vocab"] == shared) & (ga["lang"] == pivot)]
        if len(sel) >= 2 and len(base):
            rows = premium_rows(sel["ctc"].to_dict(), sel["n"].to_dict(), float(base["ctc"].iloc[0]), split)
            groups.append((set_label(algo, "optimal"), _sha(sorted(chosen.items())), "sweep.premium", rows))
    return groups


def feature_rows(overlap: dict[str, float], whitespace: dict[str, float], split: str) -> list[dict[str, Any]]:
    rows = [make_row("sweep.train_eval_overlap", lang, split, v, "share of eval char 3-grams seen in training", 0)
            for lang, v in overlap.items()]  # fmt: skip
    rows += [make_row("sweep.whitespace_share", lang, split, v, "share of eval characters that are whitespace", 0)
             for lang, v in whitespace.items()]  # fmt: skip
    return rows


# --- the paper's findings, from the table ---------------------------------------------------------


def premiums(table: pd.DataFrame) -> pd.DataFrame:
    """Per-language sweep premiums: columns set, algo, vocab ('optimal' or a size), lang, premium."""
    from tokbench.sweep.specs import parse_set_label

    d = table[(table["metric"] == "sweep.premium") & (table["language"] != ALL_LANGUAGES)]
    recs = []
    for row in d.itertuples(index=False):
        p = parse_set_label(str(row.tokenizer))
        if p:
            recs.append({"set": row.tokenizer, "algo": p[0], "vocab": p[1], "lang": row.language,
                         "premium": float(row.value)})  # fmt: skip
    return pd.DataFrame(recs, columns=["set", "algo", "vocab", "lang", "premium"])


def spread_table(p: pd.DataFrame) -> pd.DataFrame:
    """Finding 1: premium spread per algorithm and vocabulary size (and the optimal set)."""
    rows = []
    for (algo, vocab), g in p.groupby(["algo", "vocab"], sort=False):
        s = spread(g["premium"].to_numpy())
        rows.append({"algorithm": algo, "vocab": vocab, "languages": len(g), "mean": s["mean"], "min": s["min"],
                     "max": s["max"], "max/min": s["max"] / s["min"], "cv": s["cv"], "gini": s["gini"]})  # fmt: skip
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    df["_order"] = [math.inf if v == "optimal" else int(v) for v in df["vocab"]]
    return df.sort_values(["algorithm", "_order"]).drop(columns="_order").reset_index(drop=True)


def spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from scipy.stats import spearmanr

    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 3 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:  # a constant has no rank correlation
        return math.nan, math.nan
    r = spearmanr(x[ok], y[ok])
    return float(r.statistic), float(r.pvalue)


def explanatory_table(table: pd.DataFrame, shared: str) -> pd.DataFrame:
    """Finding 2: does train/eval similarity explain premiums, next to whitespace share (pre-tokenization)
    and vocabulary size? Spearman correlations across languages at the shared size, and how much token
    counts fall from the smallest to the largest vocabulary and from BPE to superword BPE."""
    p = premiums(table)
    feats = table[table["tokenizer"] == FEATURES_TOKENIZER].pivot_table(index="language", columns="metric",
                                                                         values="value")  # fmt: skip
    rows = []
    for algo, g in p[p["vocab"] == shared].groupby("algo"):
        s = g.set_index("lang")["premium"]
        for feat, name in (("sweep.train_eval_overlap", "train/eval char 3-gram overlap"),
                           ("sweep.whitespace_share", "whitespace share of the text")):  # fmt: skip
            if feat not in feats.columns:
                continue
            f = feats[feat].reindex(s.index).to_numpy(dtype=float)
            rho, pv = spearman(f, s.to_numpy(dtype=float))
            rows.append({"algorithm": algo, "factor": name, "spearman_rho": rho, "p_value": pv, "languages": len(s)})
    return pd.DataFrame(rows, columns=["algorithm", "factor", "spearman_rho", "p_value", "languages"])


def vocab_effect_table(m: pd.DataFrame, grid: list[int]) -> pd.DataFrame:
    """Finding 2 (continued): the token-count change each manipulated factor causes, per language, summarised."""
    rows = []
    lo, hi = min(grid), max(grid)
    for algo, g in m[m["vocab"].isin(grid)].groupby("algo"):
        piv = g.pivot_table(index="lang", columns="vocab", values="ctc")
        if lo in piv.columns and hi in piv.columns:
            r = (piv[hi] / piv[lo]).dropna()
            rows.append({"factor": f"vocabulary {lo} -> {hi}", "algorithm": algo, "median_ctc_ratio": r.median(),
                         "min": r.min(), "max": r.max(), "languages": len(r)})  # fmt: skip
    b = m[(m["algo"] == "bpe") & m["vocab"].isin(grid)].set_index(["lang", "vocab"])["ctc"]
    s = m[(m["algo"] == "superbpe") & m["vocab"].isin(grid)].set_index(["lang", "vocab"])["ctc"]
    r = (s / b).dropna()
    if len(r):
        rows.append({"factor": "pre-tokenization: superword / whitespace-bounded BPE", "algorithm": "superbpe/bpe",
                     "median_ctc_ratio": r.median(), "min": r.min(), "max": r.max(),
                     "languages": r.index.get_level_values(0).nunique()})  # fmt: skip
    return pd.DataFrame(rows, columns=["factor", "algorithm", "median_ctc_ratio", "min", "max", "languages"])


def superword_table(m: pd.DataFrame, p: pd.DataFrame, grid: list[int]) -> pd.DataFrame:
    """Finding 4: superword vs whitespace-bounded BPE at each size: premiums and compression."""
    rows = []
    for v in grid:
        row: dict[str, Any] = {"vocab": v}
        for algo in ("bpe", "superbpe"):
            pv = p[(p["algo"] == algo) & (p["vocab"] == str(v))]["premium"].to_numpy()
            mv = m[(m["algo"] == algo) & (m["vocab"] == v)]
            if not len(pv) or mv.empty:
                break
            s = spread(pv)
            row[f"{algo}_premium_mean"] = s["mean"]
            row[f"{algo}_premium_cv"] = s["cv"]
            row[f"{algo}_premium_max"] = s["max"]
            row[f"{algo}_bytes_per_token"] = float(mv["bytes_per_token"].mean())
        else:
            b = m[(m["algo"] == "bpe") & (m["vocab"] == v)].set_index("lang")["ctc"]
            s = m[(m["algo"] == "superbpe") & (m["vocab"] == v)].set_index("lang")["ctc"]
            common = b.index.intersection(s.index)
            row["languages_fewer_tokens"] = int((s[common] < b[common]).sum())
            row["languages"] = len(common)
            rows.append(row)
    return pd.DataFrame(rows)


def compare_training_sources(a: pd.DataFrame, b: pd.DataFrame, name_a: str, name_b: str) -> pd.DataFrame:
    """Finding 2 as a manipulation: the same languages, trainers and budgets on two training sources (say
    in-domain FLORES dev and out-of-domain man pages), evaluated on the same text. If similarity drove
    premiums, the languages whose overlap falls most would change premium most; the table gives, per
    algorithm and size, the mean overlap under each source, the Spearman correlation of the premium
    vectors, the mean absolute premium change, and the correlation of premium change with overlap change."""
    pa_, pb = premiums(a), premiums(b)

    def feats(t: pd.DataFrame) -> pd.Series:
        d = t[(t["tokenizer"] == FEATURES_TOKENIZER) & (t["metric"] == "sweep.train_eval_overlap")]
        return d.set_index("language")["value"]

    oa, ob = feats(a), feats(b)
    rows = []
    for (algo, vocab), ga in pa_[pa_["vocab"] != "optimal"].groupby(["algo", "vocab"]):
        gb = pb[(pb["algo"] == algo) & (pb["vocab"] == vocab)]
        m = ga.set_index("lang")["premium"].to_frame("a").join(gb.set_index("lang")["premium"].to_frame("b"),
                                                                how="inner")  # fmt: skip
        if len(m) < 3:
            continue
        d_prem = (m["b"] - m["a"]).to_numpy()
        d_over = (ob.reindex(m.index) - oa.reindex(m.index)).to_numpy(dtype=float)
        rho, p = spearman(m["a"].to_numpy(), m["b"].to_numpy())
        rho_d, p_d = spearman(d_over, d_prem)
        rows.append({"algorithm": algo, "vocab": int(vocab), "languages": len(m),
                     f"overlap_{name_a}": float(oa.reindex(m.index).mean()),
                     f"overlap_{name_b}": float(ob.reindex(m.index).mean()),
                     "premium_rank_rho": rho, "premium_rank_p": p,
                     "mean_abs_premium_change": float(np.abs(d_prem).mean()),
                     "rho_overlap_change_vs_premium_change": rho_d, "p_change": p_d})  # fmt: skip
    return pd.DataFrame(rows).sort_values(["algorithm", "vocab"]).reset_index(drop=True) if rows else pd.DataFrame()
