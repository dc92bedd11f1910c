"""All categories' sparse pair histories in one structure, with the two scans the LP needs.

* ``find_violations``: for given weights and slacks, walk the merges in order, keep the
  weighted pair frequencies s_t(p) = sum_i w_i c_{i,t}(p) up to date from the deltas, and
  take the most violated competitor of every step from a max segment tree over pairs
  (keyed s_t(p) - v_p), so a full pass costs O(deltas x log pairs), never T x pairs.
* ``counts_at``: exact c_{i,t}(p) of chosen (t, p) for every category, from a pair-major
  copy of the deltas with per-(pair, category) running sums and a binary search on time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from tokbench.mixture.replay import MergeTable, Replay


@dataclass
class History:
    n_cat: int
    n_steps: int
    merged: np.ndarray  # int64[n_cat, T]: count of the chosen pair before each merge
    n_pairs: np.ndarray  # float64[n_cat]: N_i
    merged_gid: np.ndarray  # int32[T]: global pair id of the chosen pair (-1: never seen)
    keys: np.ndarray  # int64[P], sorted unique pair keys
    # time-major, per category contiguous
    ev_gid: np.ndarray
    ev_time: np.ndarray
    ev_delta: np.ndarray
    cat_off: np.ndarray
    # pair-major
    s_time: np.ndarray
    s_cum: np.ndarray
    grp_cat: np.ndarray
    grp_off: np.ndarray
    gid_grp: np.ndarray

    @property
    def n_gids(self) -> int:
        return len(self.keys)


def build_history(replays: list[Replay], table: MergeTable, start: int) -> History:
    """Concatenate category replays and give pairs dense global ids."""
    n = len(replays)
    T = len(replays[0].merged) if replays else 0
    lens = np.array([len(r.times) for r in replays], np.int64)
    cat_off = np.concatenate(([0], np.cumsum(lens)))
    keys_all = np.concatenate([r.keys for r in replays])
    times = np.concatenate([r.times for r in replays])
    deltas = np.concatenate([r.deltas for r in replays])
    cats = np.repeat(np.arange(n, dtype=np.int32), lens)
    order = np.argsort(keys_all, kind="stable")  # -> (key, category, time) order
    sk = keys_all[order]
    new_key = np.empty(len(sk), bool)
    if len(sk):
        new_key[0] = True
        np.not_equal(sk[1:], sk[:-1], out=new_key[1:])
    gid_sorted = np.cumsum(new_key, dtype=np.int64) - 1
    keys = sk[new_key]
    ev_gid = np.empty(len(sk), np.int32)
    ev_gid[order] = gid_sorted
    del keys_all
    s_time = times[order]
    s_cat = cats[order]
    s_delta = deltas[order]
    new_grp = new_key.copy()
    if len(sk):
        new_grp[1:] |= s_cat[1:] != s_cat[:-1]
    grp_start = np.flatnonzero(new_grp)
    grp_off = np.concatenate((grp_start, [len(sk)])).astype(np.int64)
    grp_cat = s_cat[grp_start].astype(np.int32)
    cs = np.cumsum(s_delta)
    # running sum restarted at each (pair, category) group
    base = np.repeat(cs[grp_start] - s_delta[grp_start], np.diff(grp_off))
    s_cum = cs - base
    gid_grp = np.searchsorted(gid_sorted[grp_start], np.arange(len(keys) + 1)).astype(np.int64)
    mkeys = table.left[start:start + T].astype(np.int64) * table.n_tokens + table.right[start:start + T]
    pos = np.searchsorted(keys, mkeys)
    pos_c = np.minimum(pos, max(len(keys) - 1, 0))
    found = (pos < len(keys)) & (keys[pos_c] == mkeys) if len(keys) else np.zeros(T, bool)
    merged_gid = np.where(found, pos_c, -1).astype(np.int32)
    merged = np.stack([r.merged for r in replays]) if replays else np.zeros((0, T), np.int64)
    return History(
        n_cat=n, n_steps=T, merged=merged,
        n_pairs=np.array([r.n_pairs for r in replays], np.float64),
        merged_gid=merged_gid, keys=keys,
        ev_gid=ev_gid, ev_time=times, ev_delta=deltas, cat_off=cat_off,
        s_time=s_time, s_cum=s_cum, grp_cat=grp_cat, grp_off=grp_off, gid_grp=gid_grp,
    )


@nb.njit(cache=True, nogil=True, inline="always")
def _tree_set(tree, size, g, value):
    k = size + g
    tree[k] = value
    k //= 2
    while k >= 1:
        tree[k] = max(tree[2 * k], tree[2 * k + 1])
        k //= 2


@nb.njit(cache=True, nogil=True)
def _violations_kernel(ev_gid, ev_time, ev_delta, cat_off, w, merged, merged_gid, vt, vp, ut, tol, topk, t_max):
    n = len(w)
    T = merged.shape[1]
    P = len(vp)
    size = 1
    while size < max(P, 1):
        size *= 2
    tree = np.full(2 * size, -np.inf)
    for g in range(P):
        tree[size + g] = -vp[g]
    for k in range(size - 1, 0, -1):
        tree[k] = max(tree[2 * k], tree[2 * k + 1])
    s = np.zeros(P)
    ptr = cat_off[:-1].copy()
    mark = np.zeros(P, np.uint8)
    touched = np.empty(1024, np.int32)
    out_t = np.empty(max(T, 16), np.int32)
    out_g = np.empty(max(T, 16), np.int32)
    out_v = np.empty(max(T, 16))
    masked = np.full(topk, -1, np.int64)
    nout = 0
    for t in range(min(T, t_max)):
        nt = 0
        for i in range(n):
            wi = w[i]
            e = ptr[i]
            end = cat_off[i + 1]
            while e < end and ev_time[e] <= t:
                g = ev_gid[e]
                s[g] += wi * ev_delta[e]
                if mark[g] == 0:
                    mark[g] = 1
                    if nt == len(touched):
                        nt2 = np.empty(2 * len(touched), np.int32)
                        nt2[:nt] = touched
                        touched = nt2
                    touched[nt] = g
                    nt += 1
                e += 1
            ptr[i] = e
        for j in range(nt):
            g = touched[j]
            mark[g] = 0
            _tree_set(tree, size, g, s[g] - vp[g])
        sm = 0.0
        for i in range(n):
            sm += w[i] * merged[i, t]
        # up to `topk` most violated competitors: take the max, mask its leaf, repeat, restore
        for r in range(topk):
            viol = tree[1] - sm - vt[t] - ut[t]
            if viol <= tol:
                break
            k = 1
            while k < size:
                k = 2 * k if tree[2 * k] >= tree[2 * k + 1] else 2 * k + 1
            g = k - size
            if g != merged_gid[t]:
                if nout == len(out_t):
                    o1 = np.empty(2 * nout, np.int32)
                    o1[:nout] = out_t
                    out_t = o1
                    o2 = np.empty(2 * nout, np.int32)
                    o2[:nout] = out_g
                    out_g = o2
                    o3 = np.empty(2 * nout)
                    o3[:nout] = out_v
                    out_v = o3
                out_t[nout] = t
                out_g[nout] = g
                out_v[nout] = viol
                nout += 1
            masked[r] = g
            _tree_set(tree, size, g, -np.inf)
        for r in range(topk):
            if masked[r] < 0:
                break
            g = masked[r]
            _tree_set(tree, size, g, s[g] - vp[g])
            masked[r] = -1
    return out_t[:nout].copy(), out_g[:nout].copy(), out_v[:nout].copy()


def find_violations(
    h: History, w: np.ndarray, vt: np.ndarray, vp: np.ndarray, ut: np.ndarray, tol: float, topk: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``topk`` most violated competitors per merge step: (steps, pair gids, violations) above ``tol``."""
    return _violations_kernel(
        h.ev_gid, h.ev_time, h.ev_delta, h.cat_off, np.ascontiguousarray(w, np.float64),
        h.merged, h.merged_gid, vt, vp, ut, float(tol), int(topk), h.n_steps,
    )


@nb.njit(cache=True, nogil=True)
def _counts_kernel(qt, qg, n, s_time, s_cum, grp_cat, grp_off, gid_grp):
    out = np.zeros((len(qt), n), np.int64)
    for q in range(len(qt)):
        t = qt[q]
        g = qg[q]
        for k in range(gid_grp[g], gid_grp[g + 1]):
            lo = grp_off[k]
            hi = grp_off[k + 1]
            # last event with time <= t
            a, b = lo, hi
            while a < b:
                mid = (a + b) // 2
                if s_time[mid] <= t:
                    a = mid + 1
                else:
                    b = mid
            if a > lo:
                out[q, grp_cat[k]] = s_cum[a - 1]
    return out


def counts_at(h: History, steps: np.ndarray, gids: np.ndarray) -> np.ndarray:
    """c_{i,t}(p) for each queried (t, p): int64[len(steps), n_cat]."""
    return _counts_kernel(
        np.asarray(steps, np.int64), np.asarray(gids, np.int64), h.n_cat,
        h.s_time, h.s_cum, h.grp_cat, h.grp_off, h.gid_grp,
    )


@nb.njit(cache=True, nogil=True)
def _worst_rows_kernel(steps, gids, viol, n_gids):
    keep = np.zeros(len(steps), np.bool_)
    best = np.full(n_gids, -1, np.int64)
    for r in range(len(steps)):
        if r == 0 or steps[r] != steps[r - 1]:
            keep[r] = True  # entries come per step, most violated first
        g = gids[r]
        if best[g] < 0 or viol[r] > viol[best[g]]:
            best[g] = r
    for g in range(n_gids):
        if best[g] >= 0:
            keep[best[g]] = True
    return np.flatnonzero(keep)


def worst_rows(steps: np.ndarray, gids: np.ndarray, viol: np.ndarray, n_gids: int) -> np.ndarray:
    """Indices of each step's and each pair's most violated row in ``find_violations`` output.

    A pair's slack v_p is set by its worst step only, so the other (step, pair) rows found would
    mostly be redundant. Linear time: the scan already lists each step's rows worst first."""
    return _worst_rows_kernel(steps, gids, viol, int(n_gids))
