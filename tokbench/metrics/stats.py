"""Aggregates and bootstrap confidence intervals, vectorised over languages and resamples.

The bootstrap resamples aligned units (sentences) with one seeded multinomial weight matrix
W (B x n): every language and every tokenizer sees the same resample, so the intervals of
premiums (ratios against the pivot) and of cross-language aggregates are coherent.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import numpy as np

CI_LEVEL = 0.95


@lru_cache(maxsize=8)
def bootstrap_weights(n_units: int, n_resamples: int, seed: int) -> np.ndarray:
    """W[b, i] = how often unit i is drawn in resample b (rows sum to n_units); read-only, cached."""
    rng = np.random.default_rng(seed)
    w = rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=n_resamples).astype(np.float64)
    w.setflags(write=False)
    return w


def percentile_ci(samples: np.ndarray, level: float = CI_LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval along the last axis (NaN-aware: a resample that divides by zero is skipped)."""
    a = (1.0 - level) / 2.0
    with warnings.catch_warnings():  # every resample NaN (e.g. BERT's continued words): the CI is NaN, no noise
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanpercentile(samples, [100 * a, 100 * (1 - a)], axis=-1)
    return lo, hi


def ratio_of_sums(num: np.ndarray, den: np.ndarray) -> float:
    d = float(np.sum(den))
    return float(np.sum(num)) / d if d else float("nan")


def ratio_ci(num: np.ndarray, den: np.ndarray, w: np.ndarray | None) -> tuple[float, float]:
    """CI of sum(num)/sum(den) under unit resampling (pooled ratio, e.g. tokens per word)."""
    if w is None:
        return float("nan"), float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (w @ np.asarray(num, dtype=np.float64)) / (w @ np.asarray(den, dtype=np.float64))
    lo, hi = percentile_ci(s)
    return float(lo), float(hi)


def mean_ci(x: np.ndarray, w: np.ndarray | None) -> tuple[float, float]:
    """CI of the mean of per-unit values (units with NaN values are excluded from each resample)."""
    if w is None:
        return float("nan"), float("nan")
    x = np.asarray(x, dtype=np.float64)
    ok = ~np.isnan(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (w @ np.where(ok, x, 0.0)) / (w @ ok.astype(np.float64))
    lo, hi = percentile_ci(s)
    return float(lo), float(hi)


def gini(x: np.ndarray, axis: int = 0) -> np.ndarray:
    """Gini coefficient along `axis` (0 = all equal, -> 1 = one value holds everything), sorted-sum form."""
    x = np.sort(np.asarray(x, dtype=np.float64), axis=axis)
    n = x.shape[axis]
    shape = [1] * x.ndim
    shape[axis] = n
    i = np.arange(1, n + 1, dtype=np.float64).reshape(shape)
    total = x.sum(axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (2.0 * (i * x).sum(axis=axis)) / (n * total) - (n + 1.0) / n


def coefficient_of_variation(x: np.ndarray, axis: int = 0) -> np.ndarray:
    """Population standard deviation over the mean (ddof=0: the languages are the population)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return x.std(axis=axis) / x.mean(axis=axis)


def cross_language_aggregates(values: np.ndarray, axis: int = 0) -> dict[str, np.ndarray]:
    """Aggregates over languages (axis) used for premiums: mean, max, gini, cv, #>2x, #>4x."""
    v = np.asarray(values, dtype=np.float64)
    return {
        "mean": v.mean(axis=axis),
        "max": v.max(axis=axis),
        "gini": gini(v, axis=axis),
        "cv": coefficient_of_variation(v, axis=axis),
        "n_above_2x": (v > 2.0).sum(axis=axis).astype(np.float64),
        "n_above_4x": (v > 4.0).sum(axis=axis).astype(np.float64),
    }
