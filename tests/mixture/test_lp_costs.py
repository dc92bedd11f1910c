"""solve_lp's optional slack costs (step_costs, pair_costs): off by default, and unit costs are the
plain LP bit for bit, so weighting experiments cannot shift the default estimate."""

from __future__ import annotations

import numpy as np
import pytest

from tokbench.errors import TokbenchError
from tokbench.mixture.history import History, build_history
from tokbench.mixture.infer import _replay_all, infer_mixture, prepare_table
from tokbench.mixture.lp import solve_lp
from tokbench.mixture.words import count_words


@pytest.fixture(scope="module")
def history(synthetic: dict) -> History:
    src = synthetic["src"]
    words = [count_words(k, v, src.pre_tokenize) for k, v in synthetic["samples"].items()]
    table = prepare_table(src, words)
    return build_history(_replay_all(words, table, 0, 150, 1), table, 0)


def test_default_costs_give_the_inferred_weights(synthetic: dict, history: History) -> None:
    # infer_mixture never passes costs: the default solve is what it reports
    r = infer_mixture(synthetic["src"], synthetic["samples"], merges=150, threads=1)
    plain = solve_lp(history)
    assert np.array_equal(plain.alpha, np.array(list(r.weights.values())))
    assert solve_lp(history, step_costs=None, pair_costs=None).alpha.tolist() == plain.alpha.tolist()


def test_unit_costs_are_the_plain_lp_bit_for_bit(history: History) -> None:
    plain = solve_lp(history)
    unit = solve_lp(history, step_costs=np.ones(history.n_steps), pair_costs=np.ones(history.n_gids))
    assert np.array_equal(unit.alpha, plain.alpha)
    assert unit.objective == plain.objective
    assert (unit.rounds, unit.n_rows, unit.n_pair_vars) == (plain.rounds, plain.n_rows, plain.n_pair_vars)
    only_steps = solve_lp(history, step_costs=np.ones(history.n_steps))
    assert np.array_equal(only_steps.alpha, plain.alpha)


def test_costs_reach_the_solver(history: History) -> None:
    # doubling every slack's cost leaves the feasible set alone: the exact optimum doubles
    plain = solve_lp(history, alpha_tol=0)
    assert plain.objective > 0
    double = solve_lp(history, alpha_tol=0, step_costs=np.full(history.n_steps, 2.0),
                      pair_costs=np.full(history.n_gids, 2.0))
    assert double.objective == pytest.approx(2 * plain.objective, rel=1e-6)
    # doubling only the steps' costs: dearer than before, cheaper than doubling everything
    steps = solve_lp(history, alpha_tol=0, step_costs=np.full(history.n_steps, 2.0))
    assert plain.objective * (1 - 1e-9) <= steps.objective <= double.objective * (1 + 1e-9)


@pytest.mark.parametrize("bad", [np.ones(3), np.zeros(150), np.full(150, np.nan)])
def test_bad_step_costs_are_a_clear_error(history: History, bad: np.ndarray) -> None:
    with pytest.raises(TokbenchError, match="step_costs must hold"):
        solve_lp(history, step_costs=bad)
