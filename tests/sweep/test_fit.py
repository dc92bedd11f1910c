"""The power-law fit of token count on vocabulary size, and the optimal size it gives."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tokbench.errors import TokbenchError
from tokbench.sweep.fit import fit_power_law, optimal_vocab, spread


def test_fit_recovers_a_synthetic_power_law() -> None:
    v = np.array([1000, 1500, 2000, 2500, 3000])
    ctc = 5e5 * v**-0.4
    f = fit_power_law(v, ctc)
    assert f.a == pytest.approx(5e5, rel=1e-9) and f.b == pytest.approx(0.4, rel=1e-9) and f.r2 == pytest.approx(1)
    # the size at which this language reaches a target count is the curve's inverse
    assert f.vocab_for(5e5 * 4000**-0.4) == pytest.approx(4000, rel=1e-9)


def test_noisy_curves_rank_languages_by_their_optimal_size() -> None:
    rng = np.random.default_rng(0)
    v = np.array([1000, 1500, 2000, 2500, 3000], dtype=float)
    target = 20_000.0
    sizes = {}
    for name, a in (("cheap", 1.5e5), ("middle", 2.0e5), ("costly", 2.6e5)):
        ctc = a * v**-0.3 * np.exp(rng.normal(0, 0.005, len(v)))
        f = fit_power_law(v, ctc)
        assert f.r2 > 0.95
        sizes[name] = optimal_vocab(f, target, floor=500, cap=10**9, grid_max=3000).vocab
    assert sizes["cheap"] < sizes["middle"] < sizes["costly"]


def test_optimal_size_is_capped_and_flagged() -> None:
    f = fit_power_law([1000, 2000], [2000.0, 1000.0])  # b = 1: ctc = 2e6 / V
    assert optimal_vocab(f, 1000.0, floor=500, cap=5000, grid_max=2000).flag == ""
    ext = optimal_vocab(f, 500.0, floor=500, cap=5000, grid_max=2000)
    assert (ext.vocab, ext.flag) == (4000, "extrapolated")
    cap = optimal_vocab(f, 100.0, floor=500, cap=5000, grid_max=2000)
    assert (cap.vocab, cap.flag, round(cap.raw)) == (5000, "capped", 20000)
    low = optimal_vocab(f, 10_000.0, floor=500, cap=5000, grid_max=2000)
    assert (low.vocab, low.flag) == (500, "capped")
    flat = fit_power_law([1000, 2000], [1000.0, 1000.0])  # never falls: no finite size reaches a lower count
    assert math.isinf(flat.vocab_for(900.0))


def test_a_fit_needs_two_sizes() -> None:
    with pytest.raises(TokbenchError, match="two or more"):
        fit_power_law([1000, 1000], [5.0, 6.0])


def test_spread_matches_hand_computed_values() -> None:
    s = spread([1.0, 1.0, 2.0, 4.0])
    assert s["mean"] == 2.0 and s["max"] == 4.0 and s["min"] == 1.0
    assert s["cv"] == pytest.approx(np.std([1, 1, 2, 4]) / 2.0)
    # Gini = sum |xi - xj| / (2 n^2 mean) = 20 / 64
    assert s["gini"] == pytest.approx(20 / 64)
