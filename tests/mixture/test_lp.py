from __future__ import annotations

import numpy as np
import pytest

from tokbench.errors import TokbenchError
from tokbench.mixture.history import build_history, find_violations, worst_rows
from tokbench.mixture.infer import _replay_all, infer_mixture, prepare_table
from tokbench.mixture.lp import WarmStart, solve_lp
from tokbench.mixture.words import count_words


@pytest.fixture(scope="module")
def history(synthetic):
    src = synthetic["src"]
    words = [count_words(k, v, src.pre_tokenize) for k, v in synthetic["samples"].items()]
    table = prepare_table(src, words)
    return build_history(_replay_all(words, table, 0, 150, 1), table, 0)


def test_z_rows_solve_the_same_lp_as_dense_rows(history):
    # the sparse form (y_t and shared z_q rows) is a reformulation: same optimum as the rows that
    # carry every weight's coefficient directly
    sparse = solve_lp(history, alpha_tol=0, sparse=True)
    dense = solve_lp(history, alpha_tol=0, sparse=False)
    assert sparse.converged == dense.converged == "exact"
    assert sparse.objective == pytest.approx(dense.objective, rel=1e-6)
    assert sparse.objective > 0  # the sample does not explain every merge: a real LP, not a trivial one
    np.testing.assert_allclose(sparse.alpha, dense.alpha, atol=1e-4)


def test_worst_rows_keeps_each_steps_and_each_pairs_worst(history):
    w = np.full(history.n_cat, 1.0)
    steps, gids, viol = find_violations(history, w, np.zeros(history.n_steps), np.zeros(history.n_gids),
                                        np.zeros(history.n_steps), 1e-2, 5)
    assert len(steps) > 0
    keep = set(worst_rows(steps, gids, viol, history.n_gids).tolist())
    for t in np.unique(steps):
        rows = np.flatnonzero(steps == t)
        assert rows[np.argmax(viol[rows])] in keep
    for g in np.unique(gids):
        rows = np.flatnonzero(gids == g)
        assert any(r in keep and viol[r] == viol[rows].max() for r in rows)
    expected = {int(np.flatnonzero(steps == t)[0]) for t in np.unique(steps)}
    expected |= {int(np.flatnonzero(gids == g)[np.argmax(viol[gids == g])]) for g in np.unique(gids)}
    assert len(keep) == len(expected)


def test_on_round_reports_progress(history):
    seen: list[tuple[int, float]] = []
    r = solve_lp(history, on_round=lambda k, a, mv: seen.append((k, float(a.sum()))))
    assert [k for k, _ in seen] == list(range(1, r.rounds + 1))
    assert all(s == pytest.approx(1.0) for _, s in seen)


def test_samples_that_explain_no_merge_are_a_clear_error(synthetic):
    with pytest.raises(TokbenchError, match="no merge pair occurs in any category sample"):
        infer_mixture(synthetic["src"], {"digits": ["0 1 2 3 4 5 6 7 8 9"] * 10}, merges=50)


def test_proximal_anchor_reaches_the_plain_lp_optimum_when_run_exactly(history):
    # the anchor only chooses among optima on the way: once nothing is violated it is dropped and the
    # plain LP re-solved, so the objective equals an unanchored exact run's
    plain = solve_lp(history, alpha_tol=0, prox=0)
    anchored = solve_lp(history, tol=1e-2, alpha_tol=1e-12, patience=10_000, prox=0.01, max_rounds=500)
    assert plain.converged == anchored.converged == "exact"
    assert anchored.objective == pytest.approx(plain.objective, rel=1e-6)


def test_default_anchored_estimate_is_close_to_the_exact_one(history):
    exact = solve_lp(history, alpha_tol=0)
    fast = solve_lp(history)
    assert np.abs(fast.alpha - exact.alpha).max() < 0.02, (fast.alpha, exact.alpha)


def test_warm_start_from_own_solution_needs_fewer_rounds(history):
    cold = solve_lp(history)
    assert len(cold.active_steps) == len(cold.active_keys) > 0
    # every live row is a (step, competitor pair) the history knows
    assert np.isin(cold.active_keys, history.keys).all()
    warm = solve_lp(history, start=WarmStart.of(cold), prox=2.5e-3, patience=2)
    assert warm.rounds < cold.rounds
    assert np.abs(warm.alpha - cold.alpha).max() < 0.02
