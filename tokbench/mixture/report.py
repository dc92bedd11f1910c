"""The mixture part of a report: inferred training-data shares per tokenizer (Hayase et al. 2024).

Registered as the report section `mixture` through the `tokbench.report_sections` entry point
(pyproject); its rows come from `tokbench report --mixture JSON` (tokbench.mixture.report_rows).
Shares are shown in percent of training bytes, as in the leaderboard columns (tokbench.mixture.columns),
with 95% bootstrap intervals where the result has them. Each row says whose data it describes: a
tokenizer solved on its extension over another list (llama3 over cl100k) describes only what it
added; one whose solved merges are mostly another list's merges (qwen3 and cl100k) restates that
list's answer. The threshold is lineage's own (MIN_OVERLAP).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tokbench.inspection.lineage import MIN_OVERLAP
from tokbench.mixture.report_rows import Solve, category_group, parse_solve
from tokbench.report.base import ReportContext, Section, register_section
from tokbench.report.plots import stacked_shares

GROUPS = (("English", "english_share"), ("code", "code_share"), ("other languages", "non_english_share"))


def _order(ctx: ReportContext, names: list[str]) -> list[str]:
    """Leaderboard order (one ranking everywhere), then tokenizers the leaderboard does not rank."""
    ranked = ctx.leaderboard.tokenizers if ctx.leaderboard is not None else []
    return [t for t in ranked if t in names] + sorted(t for t in names if t not in ranked)


def _fmt(x: float, lo: float = float("nan"), hi: float = float("nan"), digits: int = 1) -> str:
    """A fraction as percent text, with its interval in brackets when there is one."""
    text = f"{100 * x:.{digits}f}"
    return text + (f" [{100 * lo:.{digits}f}, {100 * hi:.{digits}f}]" if pd.notna(lo) and pd.notna(hi) else "")


def solved_on(solve: Solve) -> str:
    """Which merges were solved on, 1-based and inclusive as in a merges file."""
    if solve.merges_used <= 0:
        return "not recorded"
    first = solve.start_merge + 1
    return f"{first:,}-{solve.start_merge + solve.merges_used:,}"


def inherited(solve: Solve) -> tuple[str, str] | None:
    """(relative, sentence) when the row describes another list's data: the skipped parent of an extension,
    or a relative whose solved merges create at least MIN_OVERLAP of the tokens ours do."""
    if (p := solve.parent) is not None:
        return p.tokenizer, (f"extension over {p.tokenizer}: its first {p.shared:,} merges are {p.tokenizer}'s, "
                             f"so they were skipped and the shares describe only the data of the merges it added")
    if solve.start_merge > 0:  # a result of `tokbench mixture --start-merge N` that names no lineage
        return "an inherited list", (f"solved from merge {solve.start_merge + 1:,} on: the merges before were "
                                     "skipped as inherited, so the shares describe only the merges after them")
    close = [r for r in solve.lineage if r.window_overlap is not None and r.window_overlap >= MIN_OVERLAP]
    if close:
        r = max(close, key=lambda r: r.window_overlap or 0.0)
        return r.tokenizer, (
            f"holds {100 * r.token_overlap:.1f}% of {r.tokenizer}'s tokens in another merge order (no common prefix "
            f"to skip), and {100 * (r.window_overlap or 0):.1f}% of the tokens its solved merges create are "
            f"{r.tokenizer}'s solved ones: the shares restate {r.tokenizer}'s, not the data of what it added")
    return None


def _bar_label(tok: str, solve: Solve) -> str:
    """The figure's tick label: says when a bar is an extension's data or restates another list's."""
    inh = inherited(solve)
    if inh is None:
        return tok
    return f"{tok} (extension)" if solve.start_merge > 0 else f"{tok} (≈ {inh[0]})"


def _lineage_text(solves: dict[str, Solve]) -> list[str]:
    out = []
    for tok, s in solves.items():
        if (inh := inherited(s)) is not None:
            out.append(f"{tok} (merges {solved_on(s)}): {inh[1]}.")
    return out


def _outside_intervals(totals: dict[str, pd.DataFrame], tokenizers: list[str]) -> list[str]:
    """'tokenizer group' for each group share whose point estimate is not inside its bootstrap interval."""
    out = []
    for tok in tokenizers:
        for col, _ in GROUPS:
            t = totals[col].loc[tok]
            if pd.notna(t["ci_low"]) and pd.notna(t["ci_high"]) and not t["ci_low"] <= t["value"] <= t["ci_high"]:
                out.append(f"{tok} {col}")
    return out


@register_section("mixture")
def mixture(ctx: ReportContext, n_langs: int = 8) -> Section | None:
    d = ctx.metric("mixture.byte_share")
    if d.empty:
        return None
    shares = d.pivot_table(index="tokenizer", columns="language", values="value", aggfunc="first").fillna(0.0)
    shares = shares.loc[_order(ctx, list(shares.index))]
    # per-category intervals (the result's ci95), NaN where it has none
    ci_low, ci_high = (d.pivot_table(index="tokenizer", columns="language", values=v, aggfunc="first", dropna=False)
                       .reindex(index=shares.index, columns=shares.columns) for v in ("ci_low", "ci_high"))
    group = {c: category_group(c) for c in shares.columns}
    langs = [c for c in shares.columns if group[c] == "non-English"]
    shown = list(shares[langs].sum().sort_values(ascending=False, kind="stable").index[:n_langs])
    # the group totals (and their intervals) are load_mixture's rows, not summed again here
    totals = {col: ctx.metric(f"mixture.{m}").set_index("tokenizer").reindex(shares.index) for col, m in GROUPS}
    parts = pd.DataFrame({col: totals[col]["value"] for col in ("English", "code")})
    for c in shown:
        parts[c] = shares[c]
    parts["other languages, rest"] = totals["other languages"]["value"] - shares[shown].sum(axis=1)
    other = shares[[c for c in shares.columns if group[c] == "other"]].sum(axis=1)
    if (other > 0).any():  # categories named without a group prefix (e.g. a folder of samples)
        parts["other categories"] = other
    solves = {t: parse_solve(f) for t, f in totals["English"]["flags"].fillna("").items()}
    labels = {t: _bar_label(t, solves[t]) for t in parts.index}
    fig = stacked_shares((parts * 100).rename(index=labels), "Inferred training-data mixture (Hayase et al. 2024)",
                         "% of training bytes", "tokenizer (leaderboard order)")

    rows: list[dict[str, Any]] = []
    for tok in parts.index:
        s = solves[tok]
        inh = inherited(s)
        row: dict[str, Any] = {"tokenizer": tok, "merges solved": solved_on(s)}
        for col, _ in GROUPS:
            t = totals[col].loc[tok]
            row[f"{col} %"] = _fmt(t["value"], t["ci_low"], t["ci_high"])
        for c in shown:
            row[f"{c} %"] = _fmt(parts.at[tok, c], ci_low.at[tok, c], ci_high.at[tok, c], digits=2)
        if inh is None:
            row["describes"] = ""
        else:
            row["describes"] = f"the extension over {inh[0]}" if s.start_merge > 0 else f"restates {inh[0]}"
        rows.append(row)
    table = pd.DataFrame(rows)
    if not table["describes"].any():
        table = table.drop(columns="describes")
    has_ci = totals["English"]["ci_low"].notna().any() or totals["code"]["ci_low"].notna().any()
    text = [
        "Shares of each tokenizer's training data in percent of bytes, inferred from its merge list by a linear "
        "program (Hayase et al. 2024), on the merges named in `merges solved`: English (eng_* and the English "
        "domain samples), code, other languages (their sum; the leaderboard's 'inferred' columns are the same "
        f"numbers), and the {len(shown)} languages with the largest summed share. "
        + ("95% bootstrap intervals in brackets where the result has them (they reflect resampling of the "
           "inference samples only, reports/mixture/README.md)." if has_ci else
           "The result carries no bootstrap intervals (run the inference with --bootstrap for them)."),
    ]
    lo, hi, val = ci_low[shown], ci_high[shown], shares[shown]
    with_ci = int((lo.notna() & hi.notna()).to_numpy().sum())
    cells_out = int(((val < lo) | (val > hi)).to_numpy().sum())  # NaN bounds compare False
    where = [f"for {', '.join(groups_out)}"] if (groups_out := _outside_intervals(totals, list(parts.index))) else []
    if cells_out:
        where.append(f"in {cells_out} of the {with_ci} language cells that have one")
    if where:
        text.append(
            f"The point estimate lies outside its own interval {'; and '.join(where)}: the estimator moves on "
            "resampled documents (and the LP's answer within a few hundredths with its start), so an interval "
            "shows how far the replicates spread, not bounds on the error (reports/mixture/README.md, 'Bootstrap')."
        )
    text += _lineage_text(solves)
    return Section("Inferred data mixture", text="\n\n".join(text), figures={"mixture_shares": fig},
                   tables={"mixture_shares": table}, order=60, key="mixture")
