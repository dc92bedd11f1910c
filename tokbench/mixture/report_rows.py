"""Mixture results (`tokbench mixture --json`, or a {categories, results: {tokenizer: ...}} collection
as in reports/mixture/real.json) as tidy rows, so the leaderboard and plots treat them like any metric.

Rows: corpus "mixture", metric `mixture.byte_share` per category (language = category), and per
tokenizer the derived `mixture.code_share` (categories `code:*`), `mixture.english_share`
(`eng_*` and English domains `en:*`) and `mixture.non_english_share` (other language codes), with
the intervals of `group_ci95` ({group: [low, high]}, from `group_shares`) when the result has them.
Values are fractions, as in the JSON; the leaderboard columns and the family's section show percent.
Every row of a tokenizer carries in `flags` which merges were solved on and the result's `lineage`
(see `solve_flags`), so the section can say whose data a share describes (llama3: the extension
over cl100k). Registered report parts: tokbench.mixture.columns and tokbench.mixture.report.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tokbench.errors import TokbenchError
from tokbench.results import COLUMNS

LANG_CODE = re.compile(r"^[a-z]{3}_[A-Z][a-z]{3}$")
UNIT = "share of training bytes"


def category_group(cat: str) -> str:
    """code / English / non-English / other, from the category naming of `tokbench mixture`."""
    if cat.startswith("code:"):
        return "code"
    if cat.startswith("en:") or cat.startswith("eng_"):
        return "English"
    if LANG_CODE.match(cat):
        return "non-English"
    return "other"


GROUP_METRICS = (("code", "code_share"), ("English", "english_share"), ("non-English", "non_english_share"))


def group_shares(byte_weights: dict[str, float], replicates: np.ndarray | None = None,
                 names: list[str] | None = None) -> dict[str, tuple[float, float, float]]:
    """Each group's (share, 2.5th, 97.5th percentile): the groups of `category_group`, summed.

    ``replicates`` ([replicate, category] byte shares in ``names`` order, `MixtureResult.replicates`)
    gives the group's own interval: summing the categories' interval ends would overstate it, since
    the categories of one replicate trade weight with each other. Without replicates the ends are NaN.
    """
    groups = ("code", "English", "non-English", "other")
    out = {}
    for g in groups:
        value = sum(w for c, w in byte_weights.items() if category_group(c) == g)
        lo = hi = float("nan")
        if replicates is not None and names is not None:
            mask = np.array([category_group(c) == g for c in names])
            lo, hi = np.percentile(np.asarray(replicates)[:, mask].sum(axis=1), [2.5, 97.5])
        out[g] = (float(value), float(lo), float(hi))
    return out


def _results(doc: Any, path: Path) -> dict[str, dict[str, Any]]:
    if isinstance(doc, dict) and isinstance(doc.get("results"), dict):
        return doc["results"]
    if isinstance(doc, dict) and "byte_weights" in doc and "tokenizer" in doc:
        return {str(doc["tokenizer"]): doc}
    raise TokbenchError(
        f"{path} is not a mixture result: expected the JSON of `tokbench mixture --json` "
        "or {\"results\": {tokenizer: {\"byte_weights\": ...}}}"
    )


@dataclass(frozen=True)
class Relative:
    """One entry of a result's `lineage`: another tokenizer whose merges ours shares.

    shared: leading merges in common; their_merges: its list's length (shared == their_merges: ours extends
    it); token_overlap: share of its tokens ours also creates; window_overlap: share of the tokens of our
    solved merges that its solved merges also create (None when it was not solved alongside)."""

    tokenizer: str
    shared: int
    their_merges: int
    token_overlap: float
    window_overlap: float | None = None

    @property
    def extends(self) -> bool:
        return self.shared == self.their_merges


@dataclass(frozen=True)
class Solve:
    """Which merges a mixture was solved on, and the result's lineage (parsed back from `flags`)."""

    start_merge: int
    merges_used: int
    lineage: tuple[Relative, ...] = field(default_factory=tuple)

    @property
    def parent(self) -> Relative | None:
        """The list whose merges were skipped: the one ours extends, ending where the solve starts."""
        return next((r for r in self.lineage if r.extends and r.shared == self.start_merge > 0), None)


def solve_flags(result: dict[str, Any]) -> str:
    """`solved=START+N;lineage=NAME,SHARED,THEIRS,TOKEN_OVERLAP,WINDOW_OVERLAP;...` for a result's rows."""
    parts = [f"solved={int(result.get('start_merge', 0) or 0)}+{int(float(result.get('merges_used', 0) or 0))}"]
    for r in result.get("lineage") or []:
        w = r.get("window_overlap")
        parts.append(f"lineage={r['tokenizer']},{int(r['shared_merges'])},{int(r['their_merges'])},"
                     f"{float(r['token_overlap']):.4f},{'' if w is None else f'{float(w):.4f}'}")
    return ";".join(parts)


def parse_solve(flags: str) -> Solve:
    """The inverse of `solve_flags`."""
    start, used, rels = 0, 0, []
    for part in str(flags or "").split(";"):
        key, _, value = part.partition("=")
        if key == "solved":
            a, _, b = value.partition("+")
            start, used = int(a), int(b)
        elif key == "lineage":
            name, shared, theirs, tok, win = value.split(",")
            rels.append(Relative(name, int(shared), int(theirs), float(tok), float(win) if win else None))
    return Solve(start, used, tuple(rels))


def _row(tok: str, lang: str, metric: str, value: float, ci: Any = None, n: int = 0,
         flags: str = "") -> dict[str, Any]:
    lo, hi = (float(ci[0]), float(ci[1])) if ci else (float("nan"), float("nan"))
    return {"tokenizer": tok, "corpus": "mixture", "split": "", "language": lang, "metric": metric,
            "value": float(value), "unit": UNIT, "ci_low": lo, "ci_high": hi, "n": n, "flags": flags}


def load_mixture(paths: list[Path]) -> pd.DataFrame:
    """Tidy rows of every mixture result in `paths` (later files win for the same tokenizer); a result
    without byte weights (a failed solve, `{"error": ...}`) adds no rows."""
    found: dict[str, dict[str, Any]] = {}
    for p in paths:
        try:
            doc = json.loads(Path(p).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise TokbenchError(f"cannot read mixture result {p}: {e}") from None
        found.update(_results(doc, Path(p)))
    rows = []
    for tok in sorted(found):
        r = found[tok]
        if not r.get("byte_weights"):
            continue
        bw = {str(k): float(v) for k, v in r["byte_weights"].items()}
        ci = ((r.get("ci95") or {}).get("byte_weights")) or {}
        merges = int(float(r.get("merges_used", 0) or 0))
        flags = solve_flags(r)
        for cat in sorted(bw):
            rows.append(_row(tok, cat, "mixture.byte_share", bw[cat], ci.get(cat), merges, flags))
        groups = group_shares(bw)
        group_ci = r.get("group_ci95") or {}
        for g, metric in GROUP_METRICS:
            rows.append(_row(tok, "ALL", f"mixture.{metric}", groups[g][0], group_ci.get(g), merges, flags))
    return pd.DataFrame(rows, columns=list(COLUMNS))
