"""Aggregates and bootstrap helpers against direct (slow, textbook) computations."""

from __future__ import annotations

import numpy as np

from tokbench.metrics.stats import (
    bootstrap_weights,
    coefficient_of_variation,
    cross_language_aggregates,
    gini,
    percentile_ci,
    ratio_ci,
)


def gini_pairwise(x: np.ndarray) -> float:
    """Textbook definition: mean absolute difference over all pairs / (2 * mean)."""
    x = np.asarray(x, dtype=float)
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean()))


def test_gini_matches_pairwise_definition() -> None:
    rng = np.random.default_rng(1)
    for x in ([1.0, 1.0, 1.0], [0.0, 0.0, 1.0], rng.gamma(2.0, size=57)):
        assert np.isclose(gini(np.asarray(x)), gini_pairwise(np.asarray(x)))
    assert np.isclose(gini(np.array([0.0, 0.0, 1.0])), 2 / 3)


def test_gini_vectorised_over_resamples() -> None:
    rng = np.random.default_rng(2)
    m = rng.gamma(2.0, size=(30, 5))  # languages x resamples
    got = gini(m, axis=0)
    assert np.allclose(got, [gini_pairwise(m[:, j]) for j in range(5)])


def test_cv_and_aggregates() -> None:
    v = np.array([1.0, 1.5, 2.5, 5.0])
    agg = cross_language_aggregates(v)
    assert agg["mean"] == 2.5 and agg["max"] == 5.0
    assert agg["n_above_2x"] == 2 and agg["n_above_4x"] == 1
    assert np.isclose(coefficient_of_variation(v), np.std(v) / np.mean(v))


def test_bootstrap_weights_seeded_and_multinomial() -> None:
    w1 = bootstrap_weights(50, 200, 0)
    w2 = bootstrap_weights(50, 200, 0)
    assert w1 is w2 or np.array_equal(w1, w2)
    assert w1.shape == (200, 50) and np.all(w1.sum(axis=1) == 50)
    assert not np.array_equal(w1, bootstrap_weights(50, 200, 1))


def test_ratio_ci_brackets_the_estimate_and_matches_explicit_resampling() -> None:
    rng = np.random.default_rng(3)
    den = rng.integers(5, 40, size=300).astype(float)
    num = den * rng.normal(1.8, 0.3, size=300)
    w = bootstrap_weights(300, 500, 7)
    lo, hi = ratio_ci(num, den, w)
    est = num.sum() / den.sum()
    assert lo < est < hi
    # the same resample drawn explicitly: index lists reproduce the weight-matrix sums
    explicit = np.array(
        [np.repeat(num, w[b].astype(int)).sum() / np.repeat(den, w[b].astype(int)).sum() for b in range(500)]
    )
    e_lo, e_hi = percentile_ci(explicit)
    assert np.isclose(lo, e_lo) and np.isclose(hi, e_hi)
