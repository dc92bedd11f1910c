"""How a language's token count falls with vocabulary size, and the size that reaches a target.

Corpus token count against vocabulary size is close to a power law over the sizes a sweep covers,
CTC(V) = a * V^-b, fitted by least squares on log CTC against log V. A language's optimal
vocabulary size (Arnett et al. 2025, the vocabulary-size intervention) is the size at which its
fitted curve reaches a common target token count, so that every language costs about as many tokens
as the target; here the target is the pivot language's measured count at the shared size
(`target="pivot"`, premium 1) or the median language's (`target="median"`). Sizes beyond what the
training text supports (a trainer that ran out of pairs) are capped there and flagged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tokbench.errors import TokbenchError
from tokbench.metrics.stats import cross_language_aggregates

TARGETS = ("pivot", "median")


@dataclass(frozen=True)
class PowerFit:
    a: float
    b: float  # CTC(V) = a * V ** -b
    r2: float  # on the log scale
    n: int

    def ctc(self, vocab: float) -> float:
        return self.a * vocab ** (-self.b)

    def vocab_for(self, target_ctc: float) -> float:
        """The vocabulary size whose fitted count is `target_ctc` (inf when the curve never falls)."""
        if self.b <= 1e-9 or target_ctc <= 0:
            return math.inf
        try:
            return (self.a / target_ctc) ** (1.0 / self.b)
        except OverflowError:
            return math.inf


def fit_power_law(vocab: list[float] | np.ndarray, ctc: list[float] | np.ndarray) -> PowerFit:
    """Least-squares fit of log CTC = log a - b log V over distinct vocabulary sizes (>= 2 needed)."""
    v = np.asarray(vocab, dtype=np.float64)
    c = np.asarray(ctc, dtype=np.float64)
    ok = (v > 0) & (c > 0) & np.isfinite(v) & np.isfinite(c)
    v, c = v[ok], c[ok]
    if len(np.unique(v)) < 2:
        raise TokbenchError("a power-law fit needs token counts at two or more distinct vocabulary sizes")
    x, y = np.log(v), np.log(c)
    slope, intercept = np.polyfit(x, y, 1)
    pred = intercept + slope * x
    ss_res = float(((y - pred) ** 2).sum())
    ss_tot = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else 1.0
    return PowerFit(float(math.exp(intercept)), float(-slope), r2, int(len(v)))


@dataclass(frozen=True)
class Optimal:
    vocab: int  # the size to train at
    raw: float  # the fitted size before capping
    flag: str  # "" | "capped" (beyond what the training text supports) | "extrapolated" (beyond the grid)


def optimal_vocab(fit: PowerFit, target_ctc: float, floor: int, cap: int, grid_max: int) -> Optimal:
    """The fitted size for `target_ctc`, kept within [floor, cap]; flagged when capped or extrapolated."""
    raw = fit.vocab_for(target_ctc)
    flag = ""
    size = raw
    if not math.isfinite(size) or size > cap:
        size, flag = cap, "capped"
    elif size < floor:
        size, flag = floor, "capped"
    elif round(size) > grid_max:
        flag = "extrapolated"
    return Optimal(int(round(size)), raw, flag)


def spread(premiums: list[float] | np.ndarray) -> dict[str, float]:
    """Mean, max, min, Gini and CV of premiums over languages: the same aggregates as `premium`'s."""
    v = np.asarray(premiums, dtype=np.float64)
    agg = {k: float(x) for k, x in cross_language_aggregates(v).items() if not k.startswith("n_")}
    agg["min"] = float(v.min())
    return agg
