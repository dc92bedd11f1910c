"""The mixture linear program of Hayase et al. (2024), solved with lazy constraint generation.

    min  sum_t v_t + sum_p v_p
    s.t. sum_i alpha_i (c_{i,t}(m_t) - c_{i,t}(p)) / N_i + v_t + v_p [+ u_t] >= 0   for all t, p
         sum_i alpha_i [+ alpha_other] = 1,  all variables >= 0
         [sum_t u_t <= alpha_other]   (optional "other" category, see below)

The T x |pairs| rows are never built: we solve with the rows found so far, scan all steps for
the most violated competitor of each (``history.find_violations``), add those rows and
re-solve warm (HiGHS keeps its basis across ``addRows``) until nothing is violated by more than
``tol``. By default we stop earlier, once the weights have moved less than ``alpha_tol``
(root-mean-square change over the categories) for ``patience`` consecutive rounds. On FLORES-size
samples the exact optimum is out of reach and not worth reaching: it needs hundreds of thousands of
(degenerate) binding rows that shift slack between v_t and v_p, not alpha. Measured on a BPE
trained on a known mixture of 30 languages (30k merges): log10 MSE reaches its plateau
(-5.47 to -5.61) by round 23 and stays there through round 150; the stop triggers at round ~29.
``alpha_tol=0`` runs to the exact optimum.

Proximal anchor: two columns per category, d+_i - d-_i = alpha_i - a_i, cost rho per unit, with a_i
the previous round's weights. Early relaxations hold too few rows to pin the weights, so the
plain LP jumps between far-apart corners of a flat optimum (gpt2, 30k x 112: the English share
swung between 0.04 and 0.94 for 100+ rounds) and the ties stall the dual simplex (HiGHS 1.16
spent > 8 min on one re-solve). The anchor picks, among near-equal optima, the one nearest the
last estimate. rho starts at ``prox`` x S and is divided by 4 each time the weights settle, down
to ``prox_min`` x S; when no row is violated the anchor is dropped and the plain LP re-solved, so
an exact run returns the LP optimum. Measured on 30k x 112 (same histories, LP only, CPU
seconds): trained 127 s / 51 rounds / log10 MSE -5.88 -> 36 s / 15 rounds / -6.14; gpt2
> 8 min stalled -> 37 s / 60 rounds, byte weights within 0.0034 of the un-anchored answer.

Coefficients are multiplied by S = mean_i N_i, so one unit is one pair occurrence in an
average-size category; the tolerance then means "a fraction of one occurrence" for early and
late merges alike instead of being swamped by 1e-7-sized late-merge frequencies.

"Other" category: a weight alpha_other whose pair counts are unknown. Its most favourable
behaviour is to add to the chosen pair of each step (u_t >= 0) and to no competitor; its
normalised merged-pair counts sum to at most 1 (each merge occurrence removes one pair), hence
the budget sum_t u_t <= alpha_other (in scaled units). It absorbs merges no listed category
explains, and is zero when the listed categories explain the list.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tokbench.errors import TokbenchError
from tokbench.mixture import SOLVERS
from tokbench.mixture.history import History, counts_at, find_violations, worst_rows
from tokbench.native import c_stdout_silenced, new_highs

_DEBUG = bool(os.environ.get("TOKBENCH_LP_DEBUG"))
FIXED, PRUNABLE = -1, -2  # row tags: kept for good / may be pruned but is not a merge competitor row
NEW_WEIGHT = 1e-4  # a warm start's categories below this weight are "new" to it (see solve_lp's trust_new)


@dataclass
class LPResult:
    alpha: np.ndarray  # pair-space weights of the listed categories (sum with other = 1)
    alpha_other: float | None
    objective: float  # in scaled units
    rounds: int
    n_rows: int
    n_pair_vars: int
    max_violation: float
    converged: str = "exact"  # "exact": no violated row left; "alpha": weights stable (see solve_lp)
    skipped_steps: int = 0  # merges whose pair no sample contains at that step (no rows, see solve_lp)
    timings: dict[str, float] = field(default_factory=dict)
    # competitor rows live at the end (merge step, pair key): a warm start for a related LP (bootstrap)
    active_steps: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    active_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


@dataclass
class WarmStart:
    """Where to start a related LP (a bootstrap replicate of the same samples): weights and rows."""

    alpha: np.ndarray
    steps: np.ndarray  # merge steps of the rows
    keys: np.ndarray  # pair keys (left * n_tokens + right) of the rows' competitors

    @classmethod
    def of(cls, r: LPResult) -> WarmStart:
        return cls(r.alpha, r.active_steps, r.active_keys)


def _rows_in(h: History, steps: np.ndarray, keys: np.ndarray, unseen: np.ndarray) -> np.ndarray:
    """Row tags t * P + gid of the given (step, pair key) rows that exist in ``h``."""
    steps = np.asarray(steps, np.int64)
    pos = np.searchsorted(h.keys, keys)
    ok = (pos < len(h.keys)) & (steps < h.n_steps)
    pos, steps = pos[ok], steps[ok]
    ok = (h.keys[pos] == np.asarray(keys)[ok]) & ~unseen[steps] & (h.merged_gid[steps] != pos)
    return np.unique(steps[ok] * h.n_gids + pos[ok])


class _HighsBackend:
    """highspy directly: rows and columns are appended and the solve restarts from the basis."""

    def __init__(self, n_cols: int, costs: np.ndarray, time_limit: float, threads: int,
                 first_dse: bool = True) -> None:
        import highspy

        self.inf = highspy.kHighsInf
        self.h = new_highs()  # silent: highspy >= 1.16 prints a banner to fd 1 at construction
        self.h.setOptionValue("time_limit", float(time_limit))
        self.h.setOptionValue("threads", int(threads))
        # Devex pricing instead of dual steepest edge: every round appends tens of thousands of rows
        # and DSE must (re)compute a weight per row; measured 3.2x faster over a whole solve
        # (30k merges x 10 languages: LP 119 s -> 35 s, same estimate to log10 MSE 0.02). The first
        # solve, from no basis, is the exception (see solve)
        self.h.setOptionValue("simplex_dual_edge_weight_strategy", 1)
        self._first = first_dse
        self.h.addCols(n_cols, costs.astype(np.float64), np.zeros(n_cols), np.full(n_cols, self.inf),
                       0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
        self.n_cols = n_cols
        self._ms = highspy.HighsModelStatus
        # per live row: FIXED, PRUNABLE (no identity) or a competitor row's tag t * n_pairs + gid
        self.tags = np.zeros(0, np.int64)

    def add_cols(self, k: int, cost: float | np.ndarray) -> None:
        self.h.addCols(k, np.full(k, cost, np.float64), np.zeros(k), np.full(k, self.inf),
                       0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
        self.n_cols += k

    def add_rows(
        self,
        lower: np.ndarray,
        upper: np.ndarray,
        starts: np.ndarray,
        idx: np.ndarray,
        vals: np.ndarray,
        tags: np.ndarray | int = FIXED,
    ) -> None:
        lo = np.where(np.isinf(lower), -self.inf, lower)
        up = np.where(np.isinf(upper), self.inf, upper)
        self.h.addRows(
            len(lower), lo, up, len(idx), starts.astype(np.int32), idx.astype(np.int32), vals.astype(np.float64)
        )
        self.tags = np.concatenate([self.tags, np.broadcast_to(np.asarray(tags, np.int64), len(lower))])

    def set_row_bounds(self, first: int, lower: np.ndarray, upper: np.ndarray) -> None:
        """New bounds for rows ``first .. first + len(lower) - 1``; the basis stays dual feasible."""
        rows = np.arange(first, first + len(lower), dtype=np.int32)
        self.h.changeRowsBounds(len(rows), rows, lower.astype(np.float64), upper.astype(np.float64))

    def set_costs(self, first: int, k: int, cost: float) -> None:
        cols = np.arange(first, first + k, dtype=np.int32)
        self.h.changeColsCost(k, cols, np.full(k, float(cost)))

    def set_col_upper(self, cols: np.ndarray, upper: float) -> None:
        if len(cols):
            up = self.inf if np.isinf(upper) else float(upper)
            self.h.changeColsBounds(len(cols), cols.astype(np.int32), np.zeros(len(cols)), np.full(len(cols), up))

    def prune(self, min_slack: float) -> int:
        """Delete competitor rows whose slack exceeds `min_slack`: they are basic, so the basis stays
        valid, and the violation search re-adds any that bind again. Keeps re-solves small: with
        devex pricing, dropping every non-binding row (1e-6) beat keeping those within 0.5 of
        binding by 3x (30k merges x 30 languages: 75.7 s -> 25.5 s, same estimate). Dropping every
        row whose slack is basic, degenerate binding ones included, was slower: 119 rounds, 68 s."""
        rv = np.asarray(self.h.getSolution().row_value)
        drop = np.flatnonzero((self.tags != FIXED) & (rv > min_slack))
        if len(drop):
            self.h.deleteRows(len(drop), drop.astype(np.int32))
            self.tags = np.delete(self.tags, drop)
        return len(drop)

    def live_tags(self) -> np.ndarray:
        return self.tags[self.tags >= 0]

    def solve(self) -> np.ndarray:
        if self._first:
            # from no basis, DSE's better pivots pay for its weights: a gpt2 bootstrap replicate's
            # first solve (30k x 112, 59k rows) took 9,101 iterations instead of 15,350. Not for a warm
            # start, whose first solve has only the start's rows: llama2 30k x 112 replicates (15k rows),
            # Devex 3.7-5.3 s against DSE 5.7-6.4 s (first_dse=False)
            self.h.setOptionValue("simplex_dual_edge_weight_strategy", 2)
        if _DEBUG:
            t0, it0 = time.perf_counter(), self.h.getInfo().simplex_iteration_count
        self.h.run()
        if _DEBUG:
            print(f"  highs: {self.h.getNumRow()} rows, {self.h.getInfo().simplex_iteration_count - it0} iterations,"
                  f" {time.perf_counter() - t0:.2f}s")
        if self._first:
            self.h.setOptionValue("simplex_dual_edge_weight_strategy", 1)
            self._first = False
        st = self.h.getModelStatus()
        if st == self._ms.kTimeLimit:
            raise TokbenchError("the LP solver hit its time limit: raise --time-limit or use fewer --merges")
        if st != self._ms.kOptimal:
            raise TokbenchError(f"the LP solver failed ({self.h.modelStatusToString(st)}); try --solver pulp-cbc")
        return np.asarray(self.h.getSolution().col_value)


class _PulpBackend:
    """PuLP modelling layer (the design card's default) over HiGHS or CBC; rebuilt every round."""

    def __init__(self, n_cols: int, costs: np.ndarray, time_limit: float, threads: int, which: str) -> None:
        self.costs = list(map(float, costs))
        self.upper: dict[int, float] = {}  # column -> upper bound (default: none)
        self.rows: list[tuple[float, float, np.ndarray, np.ndarray]] = []
        self.tags: list[int] = []
        self.time_limit = time_limit
        self.threads = threads
        self.which = which

    @property
    def n_cols(self) -> int:
        return len(self.costs)

    def add_cols(self, k: int, cost: float | np.ndarray) -> None:
        self.costs.extend(np.broadcast_to(np.asarray(cost, np.float64), k).tolist())

    def add_rows(
        self,
        lower: np.ndarray,
        upper: np.ndarray,
        starts: np.ndarray,
        idx: np.ndarray,
        vals: np.ndarray,
        tags: np.ndarray | int = FIXED,
    ) -> None:
        self.tags.extend(np.broadcast_to(np.asarray(tags, np.int64), len(lower)).tolist())
        ends = np.append(starts[1:], len(idx))
        for r in range(len(lower)):
            a, b = starts[r], ends[r]
            self.rows.append((float(lower[r]), float(upper[r]), idx[a:b].copy(), vals[a:b].copy()))

    def set_row_bounds(self, first: int, lower: np.ndarray, upper: np.ndarray) -> None:
        for r, (lo, up) in enumerate(zip(lower, upper, strict=True)):
            _, _, idx, vals = self.rows[first + r]
            self.rows[first + r] = (float(lo), float(up), idx, vals)

    def set_costs(self, first: int, k: int, cost: float) -> None:
        self.costs[first:first + k] = [float(cost)] * k

    def set_col_upper(self, cols: np.ndarray, upper: float) -> None:
        for c in cols:
            self.upper[int(c)] = float(upper)

    def _up(self, j: int) -> float | None:
        u = self.upper.get(j)
        return None if u is None or np.isinf(u) else u

    def live_tags(self) -> np.ndarray:
        t = np.asarray(self.tags, np.int64)
        return t[t >= 0]

    def solve(self) -> np.ndarray:
        import pulp

        prob = pulp.LpProblem("mixture", pulp.LpMinimize)
        if hasattr(prob, "add_variable"):  # PuLP >= 3.3 attaches variables to the model
            x = [prob.add_variable(f"x{j}", lowBound=0, upBound=self._up(j)) for j in range(len(self.costs))]
        else:  # pragma: no cover - older PuLP
            x = [pulp.LpVariable(f"x{j}", lowBound=0, upBound=self._up(j)) for j in range(len(self.costs))]
        prob += pulp.LpAffineExpression([(x[j], c) for j, c in enumerate(self.costs) if c])
        for r, (lo, up, idx, vals) in enumerate(self.rows):
            e = pulp.LpAffineExpression([(x[j], float(v)) for j, v in zip(idx, vals, strict=True)])
            if lo == up:
                prob += (e == lo, f"r{r}")
            else:
                if np.isfinite(lo):
                    prob += (e >= lo, f"l{r}")
                if np.isfinite(up):
                    prob += (e <= up, f"u{r}")
        if self.which == "pulp-cbc":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=self.time_limit, threads=self.threads)
        else:
            solver = pulp.HiGHS(msg=False, timeLimit=self.time_limit, threads=self.threads)
        try:
            with warnings.catch_warnings(), c_stdout_silenced():  # PuLP's HiGHS/CBC print to fd 1 too
                warnings.simplefilter("ignore", DeprecationWarning)
                prob.solve(solver)
        except pulp.PulpSolverError as e:
            raise TokbenchError(f"the LP solver {self.which} failed: {e}") from None
        status = pulp.LpStatus[prob.status]
        if status != "Optimal":
            raise TokbenchError(
                f"the LP solver {self.which} returned {status} (time limit or failure); "
                "raise --time-limit or try --solver highs"
            )
        return np.array([v.value() or 0.0 for v in x])


@dataclass
class RankedCounts:
    """Items a trainer ordered by their training frequency, with each category's sample counts.

    SentencePiece appends the characters it keeps after the merged pieces, most frequent first
    (``Sorted(required_chars_)``), and drops the rest as unknown: the order is a second, unigram
    "merge list". ``counts[:, :n_ranked]`` are the ranked items in that order, the remaining
    columns items ranked below all of them (characters the model does not know).
    """

    counts: np.ndarray  # int64 [n_cat, n_ranked + n_below]
    n_ranked: int


def _rank_violations(f: np.ndarray, wr: np.ndarray, wi: np.ndarray, K: int,
                     tol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each ranked item k, the item j ranked below it that beats it most: f_j - w_j > f_k + w_k."""
    score = f - wi
    KU = len(f)
    below_best = np.max(score[K:]) if KU > K else -np.inf
    below_arg = K + int(np.argmax(score[K:])) if KU > K else -1
    # best competitor strictly after k among ranked items, via a reversed running max
    rev = score[:K][::-1]
    run = np.maximum.accumulate(rev)
    arg_rev = np.zeros(K, np.int64)
    cur = 0
    for i in range(K):  # index of the running max (K is a few thousand characters)
        if rev[i] >= rev[cur]:
            cur = i
        arg_rev[i] = cur
    best = np.full(K, -np.inf)
    arg = np.full(K, -1, np.int64)
    best[:-1] = run[::-1][1:]
    arg[:-1] = (K - 1 - arg_rev[::-1])[1:]
    use_below = below_best > best
    best = np.where(use_below, below_best, best)
    arg = np.where(use_below, below_arg, arg)
    viol = best - f[:K] - wr
    k = np.flatnonzero(viol > tol)
    return k, arg[k], viol[k]


def _defining_rows(lead: np.ndarray, M: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR rows ``x_lead[r] - sum_i M[r, i] alpha_i`` (= 0 when added with zero bounds)."""
    rr, cc = np.nonzero(M)
    cnt = np.bincount(rr, minlength=len(lead))
    starts = np.concatenate(([0], np.cumsum(cnt + 1)[:-1]))
    idx = np.empty(len(rr) + len(lead), np.int64)
    val = np.empty(len(rr) + len(lead))
    pos = starts[rr] + 1 + (np.arange(len(rr)) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    idx[starts] = lead
    val[starts] = 1.0
    idx[pos] = cc
    val[pos] = -M[rr, cc]
    return starts, idx, val


def solve_lp(
    h: History,
    *,
    solver: str = "highs",
    tol: float = 1e-2,
    other: bool = False,
    max_rounds: int = 500,
    time_limit: float = 600.0,
    threads: int = 1,
    topk: int = 30,
    sparse: bool = True,
    alpha_tol: float = 3e-4,
    patience: int = 3,
    prune_slack: float | None = 1e-6,
    skip_unseen: bool | None = None,
    on_round: Callable[[int, np.ndarray, float], None] | None = None,
    ranks: RankedCounts | None = None,
    prox: float = 0.01,
    prox_min: float = 2.5e-3,
    start: WarmStart | None = None,
    trust: float = 0.02,
    trust_new: float = 5e-4,
    step_costs: np.ndarray | None = None,
    pair_costs: np.ndarray | None = None,
) -> LPResult:
    """Solve the mixture LP on ``h`` with lazy rows; see the module docstring.

    ``ranks``: items the trainer ordered by training frequency (SentencePiece's characters, see
    ``RankedCounts``); their order gives rows of the same form as the merges'.
    ``prox``, ``prox_min``: the proximal weight's start and floor, as a fraction of an average
    category's pair count per unit of L1 change of the weights (see the module docstring); 0 turns
    it off, and ``alpha_tol=0`` (exact) runs without it.
    ``start``: initial weights and rows (e.g. the point estimate's, for a bootstrap replicate); the
    anchor then starts at ``prox_min``, and each round may move the weights by at most ``trust`` (L1)
    until no row is violated (a round that hits the bound does not count as stable). Why: the start's
    rows are only the binding ones; the rows that had ruled out weakly merged categories were pruned.
    llama2, 30k x 112: the first re-solve of a replicate put all weight on bod_Tibt (no kept row
    mentions a Tibetan pair, so every row held at no cost), the next on uig_Arab, mya_Mymr, tha_Thai,
    ... (L1 move 2.0 every round, never stable, 27k rows added per round: stopped after 60 min).
    With ``trust=0.02`` it stays at the point estimate's corner and converges in ~40 rounds.
    ``trust_new``: each category the start leaves at zero (weight < NEW_WEIGHT) may gain at most this
    much per round. Why: those are where the relaxation is loosest. Under ``trust`` alone, llama2
    replicates spent their first ~18 rounds moving 0.01 into one such script per round (amh_Ethi,
    zho_Hans, tha_Thai, bod_Tibt, ...) and back once that round's rows ruled it out; capped, many scripts
    take a little weight at once and are ruled out together while the other weights converge. llama2
    30k x 112, three replicates: 36-48 -> 23-26 rounds, L1 (byte shares) to a cold solve of the same
    replicate 0.069-0.108 against 0.077-0.100. One cap shared by all of them (tried) was faster (14-18
    rounds) but starved a category the cold solve does give weight to (nob_Latn 0.0005 vs 0.0058).
    ``step_costs``: cost of each step's slack v_t (positive, length ``h.n_steps``) in place of 1, e.g.
    to make steps whose counts are noisy cheaper to violate; ``objective`` is then the weighted sum.
    ``pair_costs``: the same for each pair's slack v_p, indexed by the pair's id in ``h`` (``h.keys``).
    """
    if solver not in SOLVERS:
        raise TokbenchError(f"unknown solver {solver!r}: choose one of {', '.join(SOLVERS)}")
    n, T = h.n_cat, h.n_steps
    if n == 0:
        raise TokbenchError("no categories given")
    if np.any(h.n_pairs <= 0):
        bad = int(np.flatnonzero(h.n_pairs <= 0)[0])
        raise TokbenchError(f"category #{bad} has no byte pairs at the start merge (sample too small or empty)")
    if step_costs is not None:
        step_costs = np.asarray(step_costs, np.float64)
        if step_costs.shape != (T,) or not np.all(np.isfinite(step_costs)) or np.any(step_costs <= 0):
            raise TokbenchError(f"step_costs must hold {T} positive finite numbers, one per merge step")
    if pair_costs is not None:
        pair_costs = np.asarray(pair_costs, np.float64)
        if pair_costs.shape != (h.n_gids,) or not np.all(np.isfinite(pair_costs)) or np.any(pair_costs <= 0):
            raise TokbenchError(f"pair_costs must hold {h.n_gids} positive finite numbers, one per pair")
    S = float(h.n_pairs.mean())
    scale = S / h.n_pairs  # per-category multiplier of raw counts
    # columns: alpha[0:n], (alpha_other), v_t[T], (u_t[T]), then v_p added lazily
    c_alpha = 0
    c_other = n if other else -1
    c_vt = n + (1 if other else 0)
    c_ut = c_vt + T if other else -1
    c_y = c_vt + T + (T if other else 0)  # y_t (sparse form only; unused columns are free of rows)
    n0 = c_y + T
    costs = np.zeros(n0)
    costs[c_vt:c_vt + T] = 1.0 if step_costs is None else step_costs
    t_start = time.perf_counter()
    deadline = t_start + time_limit
    if solver == "highs":
        be: _HighsBackend | _PulpBackend = _HighsBackend(n0, costs, time_limit, threads, first_dse=start is None)
    else:
        be = _PulpBackend(n0, costs, time_limit, threads, solver)
    # simplex row and optional other budget
    idx = list(range(n)) + ([c_other] if other else [])
    be.add_rows(np.array([1.0]), np.array([1.0]), np.array([0]), np.array(idx), np.ones(len(idx)))
    if alpha_tol <= 0:
        prox = 0.0
    elif start is not None:
        prox = min(prox, prox_min)  # a warm start is already near its answer: loosest anchor from the start
    if prox > 0:  # alpha_i - d+_i + d-_i = center_i (rows 1..n, before any prunable row); d+, d- cost rho
        rho = prox * S
        c_prox = be.n_cols
        be.add_cols(2 * n, rho)
        pidx = np.stack([np.arange(n), c_prox + np.arange(n), c_prox + n + np.arange(n)], axis=1).ravel()
        # bounds (the anchor) are set to the current weights before every solve
        be.add_rows(np.zeros(n), np.zeros(n), np.arange(n) * 3, pidx, np.tile([1.0, -1.0, 1.0], n))
    radius = trust if start is not None and prox > 0 and trust > 0 else 0.0
    if radius:  # trust region of a warm start: sum_i d+_i + d-_i <= radius (L1 move per round)
        be.add_rows(np.array([-np.inf]), np.array([radius]), np.array([0]), c_prox + np.arange(2 * n), np.ones(2 * n))
    new_cols = np.zeros(0, np.int64)
    if radius and trust_new > 0:  # increase d+_i <= trust_new for each category new to the start
        new_cols = c_prox + np.flatnonzero(np.asarray(start.alpha) < NEW_WEIGHT)  # type: ignore[union-attr]
        be.set_col_upper(new_cols, trust_new)
    if other:
        ui = np.arange(c_ut, c_ut + T)
        be.add_rows(np.array([-np.inf]), np.array([0.0]), np.array([0]),
                    np.append(ui, c_other), np.append(np.ones(T), -S))
    if ranks is not None:  # slack per rank position (like v_t) and per item (like v_p), then g_j lazily
        rk = ranks.counts.astype(np.float64) * scale[:, None]  # [n, K + U] scaled counts
        K, KU = ranks.n_ranked, rk.shape[1]
        c_wr = be.n_cols
        be.add_cols(K, 1.0)
        c_wi = be.n_cols
        be.add_cols(KU, 1.0)
        g_col = np.full(KU, -1, np.int64)
        wr, wi = np.zeros(K), np.zeros(KU)
    P = h.n_gids
    col_of = np.full(P, -1, np.int64)
    has_y = np.zeros(T, bool)
    z_of: dict[bytes, int] = {}  # (pair gid, its count vector) -> column of z_q
    alpha = np.full(n, 1.0 / n)
    a_other = 0.0
    vt = np.zeros(T)
    # a merge whose pair occurs in no sample at its step is unexplained by every category; its rows
    # would only say "every competitor beats it" and push alpha away from pair-rich categories.
    # Like the reference implementation (which skips merges absent from the data) we drop them,
    # unless the "other" category is on: explaining such merges is what it is for.
    if skip_unseen is None:
        skip_unseen = not other
    unseen = (h.merged.sum(axis=0) == 0) if skip_unseen else np.zeros(T, bool)
    if unseen.all():
        raise TokbenchError("no merge pair occurs in any category sample: the samples cannot explain this "
                            "merge list (check --start-merge and the categories)")
    start_rows = None
    if start is not None:
        alpha = np.asarray(start.alpha, np.float64).copy()
        start_rows = _rows_in(h, start.steps, start.keys, unseen)
    ut = np.zeros(T)
    vp = np.zeros(h.n_gids)
    n_rows = 0
    t_search = t_solve = 0.0
    rounds = 0
    last_max = 0.0
    x = None
    stable = 0
    change = moved = 0.0
    prev_alpha, prev_other = alpha.copy(), 0.0
    converged = "exact"
    while True:
        t0 = time.perf_counter()
        steps, gids, viol = find_violations(h, alpha * scale, np.where(unseen, np.inf, vt), vp, ut, tol, topk)
        t_search += time.perf_counter() - t0
        last_max = float(viol.max()) if len(viol) else 0.0
        rank_k = rank_j = np.zeros(0, np.int64)
        if ranks is not None:
            rank_k, rank_j, rviol = _rank_violations(alpha @ rk, wr, wi, K, tol)
            if len(rviol):
                last_max = max(last_max, float(rviol.max()))
        if _DEBUG:
            print(f"round {rounds}: {len(steps)} violated, max {last_max:.3g}, rows {n_rows}, "
                  f"alpha change {change if rounds else 0:.2g}, moved {moved if rounds else 0:.3g}/{radius:.3g}, "
                  f"obj {vt.sum() + vp.sum():.4g}, search {t_search:.1f}s solve {t_solve:.1f}s")
        done = len(steps) == 0 and len(rank_k) == 0 and start_rows is None
        if done and prox > 0:
            # nothing violated at the anchored optimum: drop the anchor so the plain LP's optimum is returned
            prox = 0.0
            be.set_costs(c_prox, 2 * n, 0.0)
            if radius:  # and the trust region, so the plain LP's optimum is not cut off
                be.set_row_bounds(n + 1, np.array([-np.inf]), np.array([np.inf]))
                be.set_col_upper(new_cols, np.inf)
                radius = 0.0
            done = False
        if done or rounds >= max_rounds:
            converged = "exact" if len(steps) == 0 and len(rank_k) == 0 else "max_rounds"
            break
        if alpha_tol > 0 and stable >= patience:
            if prox <= prox_min:
                converged = "alpha"
                break
            prox = max(prox / 4, prox_min)  # settled at this weight: loosen the anchor, go on
            be.set_costs(c_prox, 2 * n, prox * S)
            stable = 0
        if time.perf_counter() > deadline:
            raise TokbenchError("the LP did not converge within --time-limit; raise it or use fewer --merges")
        keep = worst_rows(steps, gids, viol, h.n_gids)
        steps, gids = steps[keep].astype(np.int64), gids[keep].astype(np.int64)
        row_tags = steps * P + gids
        if start_rows is not None:
            # first round of a warm start: the given rows alone. From no basis HiGHS solves their ~15k rows
            # in a few seconds, and the scan's rows (~60k) join the warm basis a round later for about one
            # more; solving both at once from no basis took 3-4x longer (llama2 30k x 112: 17 s vs 4 + 1 s)
            row_tags = start_rows
            steps, gids = row_tags // P, row_tags % P
            start_rows = None
        rounds += 1
        new = np.unique(gids[col_of[gids] < 0])
        if len(new):
            col_of[new] = np.arange(be.n_cols, be.n_cols + len(new))
            be.add_cols(len(new), 1.0 if pair_costs is None else pair_costs[new])
        cnt_raw = counts_at(h, steps, gids)  # int64 [k, n]
        cp = cnt_raw.astype(np.float64) * scale
        k = len(steps)
        extra = [c_vt + steps, col_of[gids]] + ([c_ut + steps] if other else [])
        if sparse:
            # y_t = sum_i alpha_i c_{i,t}(m_t)/N_i once per step, and z_q = sum_i alpha_i c_i(p)/N_i once
            # per distinct (pair, count vector) q: a frequent competitor beats many steps with the same
            # counts (30k x 30 languages: 765k rows, 5,550 distinct q). Competitor rows are then
            # y_t + v_t + v_p [+ u_t] - z_q >= 0, and the weights stay out of all but a few rows,
            # which keeps HiGHS's factors sparse.
            new_t = np.unique(steps[~has_y[steps]])
            if len(new_t):
                has_y[new_t] = True
                lo = np.zeros(len(new_t))
                be.add_rows(lo, lo, *_defining_rows(c_y + new_t, h.merged[:, new_t].T.astype(np.float64) * scale))
                n_rows += len(new_t)
            keyrows = np.ascontiguousarray(np.concatenate([gids[:, None].astype(np.int64), cnt_raw], axis=1))
            _, first, inv = np.unique(keyrows.view(np.dtype((np.void, keyrows.shape[1] * 8))).ravel(),
                                      return_index=True, return_inverse=True)
            ucol = np.empty(len(first), np.int64)
            fresh: list[int] = []
            for u, r in enumerate(first):
                key = keyrows[r].tobytes()
                col = z_of.get(key)
                if col is None:
                    col = z_of[key] = be.n_cols + len(fresh)
                    fresh.append(int(r))
                ucol[u] = col
            zc = ucol[inv.ravel()]
            if fresh:
                fr = np.array(fresh)
                be.add_cols(len(fr), 0.0)
                lo = np.zeros(len(fr))
                be.add_rows(lo, lo, *_defining_rows(zc[fr], cp[fr]))
                n_rows += len(fr)
            cols = np.stack([c_y + steps, *extra, zc], axis=1)
            vals = np.ones(cols.shape)
            vals[:, -1] = -1.0
            width = cols.shape[1]
            be.add_rows(np.zeros(k), np.full(k, np.inf), np.arange(k) * width, cols.ravel(), vals.ravel(),
                        tags=row_tags)
        else:
            coef = h.merged[:, steps].T.astype(np.float64) * scale - cp  # [k, n]
            width = n + len(extra)
            idx = np.empty((k, width), np.int64)
            vals = np.ones((k, width))
            idx[:, :n] = np.arange(n)
            vals[:, :n] = coef
            for j, col in enumerate(extra):
                idx[:, n + j] = col
            be.add_rows(
                np.zeros(k), np.full(k, np.inf), np.arange(k) * width, idx.ravel(), vals.ravel(), tags=row_tags
            )
        n_rows += k
        if len(rank_k):
            items = np.unique(np.concatenate([rank_k, rank_j]))
            fresh_g = items[g_col[items] < 0]
            if len(fresh_g):
                g_col[fresh_g] = np.arange(be.n_cols, be.n_cols + len(fresh_g))
                be.add_cols(len(fresh_g), 0.0)
                lo = np.zeros(len(fresh_g))
                be.add_rows(lo, lo, *_defining_rows(g_col[fresh_g], rk[:, fresh_g].T))
                n_rows += len(fresh_g)
            m = len(rank_k)
            cols = np.stack([g_col[rank_k], g_col[rank_j], c_wr + rank_k, c_wi + rank_j], axis=1)
            vals = np.tile(np.array([1.0, -1.0, 1.0, 1.0]), (m, 1))
            be.add_rows(np.zeros(m), np.full(m, np.inf), np.arange(m) * 4, cols.ravel(), vals.ravel(),
                        tags=PRUNABLE)
            n_rows += m
        t0 = time.perf_counter()
        if prox > 0:
            be.set_row_bounds(1, alpha, alpha)  # anchor: this round's weights
        x = be.solve()
        if prune_slack is not None and isinstance(be, _HighsBackend):
            be.prune(prune_slack)  # non-binding rows: re-found by the scan if they bind again
        t_solve += time.perf_counter() - t0
        alpha = np.clip(x[c_alpha:c_alpha + n], 0.0, None)
        a_other = max(float(x[c_other]), 0.0) if other else 0.0
        tot = alpha.sum() + a_other
        if tot <= 0:
            raise TokbenchError("the LP solver returned a degenerate solution (all weights zero)")
        new_alpha = np.append(alpha / tot, a_other / tot)
        change = float(np.sqrt(np.mean((new_alpha - np.append(prev_alpha, prev_other)) ** 2)))
        moved = float(np.abs(new_alpha - np.append(prev_alpha, prev_other)).sum())
        stable = stable + 1 if change < alpha_tol and not (radius and moved >= 0.999 * radius) else 0
        prev_alpha, prev_other = new_alpha[:n].copy(), float(new_alpha[n])
        alpha, a_other = new_alpha[:n], float(new_alpha[n])
        if on_round is not None:  # progress: round, current weights, largest violation found before it
            on_round(rounds, alpha, last_max)
        vt = np.asarray(x[c_vt:c_vt + T], np.float64).copy()
        ut = np.asarray(x[c_ut:c_ut + T], np.float64).copy() if other else np.zeros(T)
        has = col_of >= 0
        vp[has] = x[col_of[has]]
        if ranks is not None:
            wr = np.asarray(x[c_wr:c_wr + K], np.float64).copy()
            wi = np.asarray(x[c_wi:c_wi + KU], np.float64).copy()
    if _DEBUG and isinstance(be, _HighsBackend):
        rv = np.asarray(be.h.getSolution().row_value)
        print("binding rows", int((rv < 1e-6).sum()), "of", len(rv),
              "v_t>0:", int((vt > 1e-9).sum()), "v_p>0:", int((vp > 1e-9).sum()))
    vt_cost = vt.sum() if step_costs is None else float(step_costs @ vt)
    vp_cost = vp.sum() if pair_costs is None else float(pair_costs @ vp)
    objective = float(vt_cost + vp_cost + (wr.sum() + wi.sum() if ranks is not None else 0.0))
    live = be.live_tags()
    return LPResult(
        alpha=alpha, alpha_other=a_other if other else None, objective=objective, rounds=rounds,
        n_rows=n_rows, n_pair_vars=int((col_of >= 0).sum()), max_violation=last_max, converged=converged,
        skipped_steps=int(unseen.sum()), timings={"search": t_search, "solve": t_solve},
        active_steps=(live // P).astype(np.int32), active_keys=h.keys[live % P],
    )
