from __future__ import annotations

import numpy as np
import pytest

from tokbench.errors import TokbenchError
from tokbench.mixture.infer import byte_space, infer_mixture

TRUE = {"aa": 0.5, "bb": 0.3, "cc": 0.2}  # as in conftest.py


def mse(est: dict[str, float]) -> float:
    return float(np.mean([(est[k] - v) ** 2 for k, v in TRUE.items()]))


def test_recovers_known_mixture_in_sample(synthetic):
    # inference on the training distribution itself: the LP must find the true byte shares
    r = infer_mixture(synthetic["src"], synthetic["samples"], merges=300, threads=2)
    assert set(r.byte_weights) == set(TRUE)
    assert abs(sum(r.weights.values()) - 1) < 1e-9
    assert np.log10(mse(r.byte_weights)) < -3.0, r.byte_weights
    assert r.merges_used == 300 and r.lp.rounds >= 1


@pytest.mark.parametrize("solver", ["pulp-highs", "pulp-cbc"])
def test_solvers_agree(synthetic, solver):
    ref = infer_mixture(synthetic["src"], synthetic["samples"], merges=80, solver="highs", threads=1)
    other = infer_mixture(synthetic["src"], synthetic["samples"], merges=80, solver=solver, threads=1)
    assert other.lp.objective == pytest.approx(ref.lp.objective, rel=1e-4, abs=1e-3)
    for k in TRUE:
        assert other.weights[k] == pytest.approx(ref.weights[k], abs=0.02)


def test_other_category_absorbs_missing_language(synthetic):
    cats = {k: v for k, v in synthetic["samples"].items() if k != "cc"}
    r = infer_mixture(synthetic["src"], cats, merges=300, other=True)
    assert "other" in r.weights
    assert r.weights["other"] > 0.05
    assert abs(sum(r.weights.values()) - 1) < 1e-9


def test_bootstrap_intervals_cover_estimate(synthetic):
    r = infer_mixture(synthetic["src"], synthetic["samples"], merges=100, bootstrap=3, seed=1)
    for lo, hi in r.ci["byte_weights"].values():
        assert 0 <= lo <= hi <= 1
    assert r.to_json()["ci95"]["byte_weights"]["aa"]
    # the replicates' mean sits inside their own interval, and the JSON carries it
    for name, m in r.boot_mean["byte_weights"].items():
        lo, hi = r.ci["byte_weights"][name]
        assert lo - 1e-12 <= m <= hi + 1e-12
    assert set(r.to_json()["bootstrap_mean"]["byte_weights"]) == set(r.categories)
    # the replicate matrix behind both: its rows sum to 1 and its percentiles are the intervals
    M = r.replicates["byte_weights"]
    assert M.shape == (3, len(r.categories)) and np.allclose(M.sum(axis=1), 1.0)
    lo, hi = np.percentile(M, [2.5, 97.5], axis=0)
    assert [tuple(x) for x in zip(lo, hi, strict=True)] == [r.ci["byte_weights"][c] for c in r.categories]
    assert "replicates" not in r.to_json()
    # where the replicates spent their time, per stage and summed over the 3 (benchmarks read these)
    t = r.timings
    assert t["bootstrap_rounds"] >= 3 and t["bootstrap_solve"] >= t["bootstrap_lp_solver"] > 0
    assert {"bootstrap_replay", "bootstrap_index", "bootstrap_lp_search"} <= set(t)


def test_byte_space_conversion():
    b = byte_space(np.array([0.5, 0.5]), np.array([100.0, 300.0]), np.array([50.0, 50.0]))
    assert b == pytest.approx([0.25, 0.75])


def test_bad_inputs(synthetic):
    src = synthetic["src"]
    with pytest.raises(TokbenchError, match="empty"):
        infer_mixture(src, {"x": ["", ""]}, merges=10)
    with pytest.raises(TokbenchError, match="no categories"):
        infer_mixture(src, {}, merges=10)
    with pytest.raises(TokbenchError, match="start-merge"):
        infer_mixture(src, synthetic["samples"], merges=10, start_merge=10_000)
    with pytest.raises(TokbenchError, match="unknown solver"):
        infer_mixture(src, synthetic["samples"], merges=10, solver="gurobi")

    class Uni:
        name, algorithm, symbol_unit = "u", "unigram", "char"

        def pre_tokenize(self, text: str) -> list[bytes]:
            return [text.encode()]

        def merges(self):  # pragma: no cover - never reached
            raise AssertionError

    with pytest.raises(TokbenchError, match="BPE"):
        infer_mixture(Uni(), synthetic["samples"], merges=10)


def test_start_merge_solves_extension_only(synthetic):
    r = infer_mixture(synthetic["src"], synthetic["samples"], merges=100, start_merge=100)
    assert r.start_merge == 100 and r.merges_used == 100
    assert np.log10(mse(r.byte_weights)) < -2.0


def test_alpha_stable_stop_matches_exact_optimum(synthetic):
    fast = infer_mixture(synthetic["src"], synthetic["samples"], merges=200)
    exact = infer_mixture(synthetic["src"], synthetic["samples"], merges=200, exact=True)
    assert exact.lp.converged == "exact"
    for k in TRUE:
        assert fast.weights[k] == pytest.approx(exact.weights[k], abs=5e-3)


def test_merges_no_sample_contains_are_skipped_unless_other(synthetic):
    # without "cc", its merges occur in no sample: they get no rows (as in the reference
    # implementation), so they cannot push the estimate towards pair-poor categories
    cats = {k: v for k, v in synthetic["samples"].items() if k != "cc"}
    r = infer_mixture(synthetic["src"], cats, merges=300)
    assert r.lp.skipped_steps > 20
    assert r.to_json()["unexplained_merges"] == r.lp.skipped_steps
    share = r.byte_weights["aa"] / (r.byte_weights["aa"] + r.byte_weights["bb"])
    assert share == pytest.approx(0.5 / 0.8, abs=0.01)
    # with "other", those merges are what the other category is for
    o = infer_mixture(synthetic["src"], cats, merges=300, other=True)
    assert o.lp.skipped_steps == 0 and o.weights["other"] > 0.05


def test_bootstrap_is_the_same_with_replicates_in_parallel(synthetic):
    # replicates run two at a time in threads; results are gathered in draw order, so a seed fixes them
    one = infer_mixture(synthetic["src"], synthetic["samples"], merges=100, bootstrap=4, seed=3, threads=1)
    two = infer_mixture(synthetic["src"], synthetic["samples"], merges=100, bootstrap=4, seed=3, threads=2)
    for k in TRUE:
        assert one.ci["byte_weights"][k] == pytest.approx(two.ci["byte_weights"][k], abs=1e-9)
