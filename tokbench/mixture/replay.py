"""Replay a BPE merge list over one category's word counts, recording sparse pair-count deltas.

The LP of Hayase et al. (2024) needs c_t(p), the count of every pair p before every merge t.
Storing that densely is T x |pairs|; instead we emit the initial counts plus, after each
merge, only the pairs whose count changed (the neighbours of the merged occurrences). A
pair -> positions index (as in BPE trainers) finds the occurrences without rescanning, so a
merge costs O(its occurrences), not O(corpus). The kernel is numba-compiled (nogil), so
category replays run in parallel threads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from tokbench.errors import TokbenchError

_INIT_PAIRS = 1 << 14
_INIT_NODES = 1 << 16
_INIT_EVENTS = 1 << 16


@dataclass(frozen=True)
class MergeTable:
    """A merge list compiled to token ids: merge t joins ``left[t]`` and ``right[t]`` into ``result[t]``."""

    left: np.ndarray  # int32[T]
    right: np.ndarray  # int32[T]
    result: np.ndarray  # int32[T]
    token_ids: dict[bytes, int]  # surface bytes -> id (base symbols + merge results)
    n_tokens: int  # key space: pair key = left * n_tokens + right
    symbol_unit: str  # "byte" or "char"
    n_base: int

    @property
    def n_merges(self) -> int:
        return len(self.left)

    def pair_key(self, t: int) -> int:
        return int(self.left[t]) * self.n_tokens + int(self.right[t])

    def decode_key(self, key: int) -> tuple[int, int]:
        return divmod(int(key), self.n_tokens)

    def id_to_bytes(self) -> list[bytes]:
        out: list[bytes] = [b""] * self.n_tokens
        for b, i in self.token_ids.items():
            out[i] = b
        return out


def compile_merges(
    merges: list[tuple[bytes, bytes]], symbol_unit: str = "byte", extra_chars: set[str] | None = None
) -> MergeTable:
    """Map surface-byte merges to ids, one merge per new token; reject unknown tokens and cycles.

    Redundant merges (a token listed again under another split, as HF conversions of tiktoken
    and SentencePiece models do) are dropped, keeping each token's first merge whose parts
    already exist: the training step that created it.

    Byte unit: the 256 bytes are the base symbols. Char unit (SentencePiece): every single
    UTF-8 character is a base symbol. A merge part that is neither base nor an earlier
    result means the list is out of order, has a cycle, or holds unknown tokens.
    """
    if symbol_unit not in ("byte", "char"):
        raise TokbenchError(f"unknown symbol unit {symbol_unit!r}: expected 'byte' or 'char'")
    token_ids: dict[bytes, int] = {}
    if symbol_unit == "byte":
        for i in range(256):
            token_ids[bytes([i])] = i
    else:
        chars: set[str] = set(extra_chars or ())
        for a, b in merges:
            for part in (a, b):
                try:
                    s = part.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if len(s) == 1:
                    chars.add(s)
        for ch in sorted(chars):
            token_ids[ch.encode("utf-8")] = len(token_ids)
    n_base = len(token_ids)
    left_l: list[int] = []
    right_l: list[int] = []
    result_l: list[int] = []
    pending: dict[bytes, int] = {}  # result -> first merge index that used a not-yet-known part
    for t, (a, b) in enumerate(merges):
        c = a + b
        if c in token_ids:
            continue  # redundant: this token already has its merge (HF conversions list every split)
        ia = token_ids.get(a)
        ib = token_ids.get(b)
        if ia is None or ib is None:
            pending.setdefault(c, t)
            continue
        pending.pop(c, None)
        token_ids[c] = len(token_ids)
        left_l.append(ia)
        right_l.append(ib)
        result_l.append(token_ids[c])
    if pending:
        t = min(pending.values())
        a, b = merges[t]
        bad = a if a not in token_ids else b
        raise TokbenchError(
            f"merge #{t} ({a!r}, {b!r}) uses token {bad!r} that no earlier merge produces "
            "(unknown token, wrong order or a cycle in the merge list)"
        )
    left = np.asarray(left_l, np.int32)
    right = np.asarray(right_l, np.int32)
    result = np.asarray(result_l, np.int32)
    return MergeTable(left, right, result, token_ids, max(len(token_ids), 1), symbol_unit, n_base)


@dataclass
class WordTable:
    """Distinct words of one category as initial symbol ids (flat + offsets) and their counts."""

    symbols: np.ndarray  # int32[L]
    offsets: np.ndarray  # int64[W+1]
    counts: np.ndarray  # int64[W]


def encode_words(words: list[bytes], table: MergeTable) -> tuple[np.ndarray, np.ndarray]:
    """Initial symbol sequences of ``words`` (flat int32, offsets); unknown chars get fresh ids."""
    lens = np.empty(len(words) + 1, np.int64)
    lens[0] = 0
    if table.symbol_unit == "byte":
        flat = np.frombuffer(b"".join(words), dtype=np.uint8).astype(np.int32)
        lens[1:] = [len(w) for w in words]
        return flat, np.cumsum(lens)
    ids = table.token_ids
    seq: list[int] = []
    for k, w in enumerate(words):
        s = w.decode("utf-8", errors="replace")
        try:
            seq.extend(ids[ch.encode("utf-8")] for ch in s)
        except KeyError as e:
            raise TokbenchError(
                f"internal: character {e} missing from the merge table; pass the words' "
                "characters to compile_merges(extra_chars=...)"
            ) from None
        lens[k + 1] = len(s)
    return np.asarray(seq, np.int32), np.cumsum(lens)


@nb.njit(cache=True, nogil=True)
def _grow_i32(a: np.ndarray, n: int) -> np.ndarray:
    b = np.empty(max(n, 2 * len(a)), a.dtype)
    b[: len(a)] = a
    return b


@nb.njit(cache=True, nogil=True)
def _grow_i64(a: np.ndarray, n: int) -> np.ndarray:
    b = np.empty(max(n, 2 * len(a)), a.dtype)
    b[: len(a)] = a
    return b


@nb.njit(cache=True, nogil=True)
def _replay_kernel(  # noqa: C901 - one tight loop on purpose
    sym0: np.ndarray,
    woff: np.ndarray,
    wcnt: np.ndarray,
    mleft: np.ndarray,
    mright: np.ndarray,
    mres: np.ndarray,
    vkey: np.int64,
    start: int,
    stop: int,
):
    """Apply merges [0, stop); from ``start`` on, record initial counts and per-merge deltas."""
    L = len(sym0)
    W = len(wcnt)
    sym = sym0.copy()
    nxt = np.empty(L, np.int32)
    prv = np.empty(L, np.int32)
    wid = np.empty(L, np.int32)
    for w in range(W):
        a, b = woff[w], woff[w + 1]
        for i in range(a, b):
            wid[i] = w
            nxt[i] = i + 1 if i + 1 < b else -1
            prv[i] = i - 1 if i > a else -1
    pid_of = nb.typed.Dict.empty(key_type=nb.types.int64, value_type=nb.types.int32)
    pkey = np.empty(_INIT_PAIRS, np.int64)
    pcnt = np.zeros(_INIT_PAIRS, np.int64)
    phead = np.full(_INIT_PAIRS, -1, np.int32)
    pacc = np.zeros(_INIT_PAIRS, np.int64)
    ptouch = np.zeros(_INIT_PAIRS, np.uint8)
    npairs = 0
    npos = np.empty(_INIT_NODES, np.int32)
    nnext = np.empty(_INIT_NODES, np.int32)
    nnodes = 0
    ev_t = np.empty(_INIT_EVENTS, np.int32)
    ev_k = np.empty(_INIT_EVENTS, np.int64)
    ev_d = np.empty(_INIT_EVENTS, np.int64)
    nev = 0
    touched = np.empty(1024, np.int32)
    ntouched = 0
    T = stop - start
    mcount = np.zeros(max(T, 0), np.int64)

    # initial pair index
    for w in range(W):
        c = wcnt[w]
        for i in range(woff[w], woff[w + 1] - 1):
            key = np.int64(sym[i]) * vkey + sym[i + 1]
            p = pid_of[key] if key in pid_of else np.int32(-1)
            if p < 0:
                p = np.int32(npairs)
                if npairs == len(pkey):
                    pkey = _grow_i64(pkey, npairs + 1)
                    pcnt = _grow_i64(pcnt, npairs + 1)
                    pcnt[npairs:] = 0
                    phead = _grow_i32(phead, npairs + 1)
                    phead[npairs:] = -1
                    pacc = _grow_i64(pacc, npairs + 1)
                    pacc[npairs:] = 0
                    ptouch = np.concatenate((ptouch, np.zeros(len(pkey) - len(ptouch), np.uint8)))
                pkey[npairs] = key
                pid_of[key] = p
                npairs += 1
            pcnt[p] += c
            if nnodes == len(npos):
                npos = _grow_i32(npos, nnodes + 1)
                nnext = _grow_i32(nnext, nnodes + 1)
            npos[nnodes] = i
            nnext[nnodes] = phead[p]
            phead[p] = nnodes
            nnodes += 1

    buf = np.empty(1024, np.int32)
    for t in range(stop):
        if t == start:  # snapshot: initial counts of the recorded window, at time 0
            for p in range(npairs):
                if pcnt[p] != 0:
                    if nev == len(ev_t):
                        ev_t = _grow_i32(ev_t, nev + 1)
                        ev_k = _grow_i64(ev_k, nev + 1)
                        ev_d = _grow_i64(ev_d, nev + 1)
                    ev_t[nev] = 0
                    ev_k[nev] = pkey[p]
                    ev_d[nev] = pcnt[p]
                    nev += 1
        a = mleft[t]
        b = mright[t]
        cc = mres[t]
        key = np.int64(a) * vkey + b
        pm = pid_of[key] if key in pid_of else np.int32(-1)
        if pm < 0:
            continue
        if t >= start:
            mcount[t - start] = pcnt[pm]
        # collect and sort the positions of this pair (left to right, as BPE merges)
        nb_ = 0
        node = phead[pm]
        while node >= 0:
            if nb_ == len(buf):
                buf = _grow_i32(buf, nb_ + 1)
            buf[nb_] = npos[node]
            nb_ += 1
            node = nnext[node]
        phead[pm] = -1
        pos_sorted = np.sort(buf[:nb_])
        for j in range(nb_):
            i = pos_sorted[j]
            if sym[i] != a:
                continue
            q = nxt[i]
            if q < 0 or sym[q] != b:
                continue
            c = wcnt[wid[i]]
            # pairs that change: (prev,a)->(prev,cc), (a,b) gone, (b,next)->(cc,next)
            for side in range(3):
                if side == 0:
                    k_old = key
                    k_new = np.int64(-1)
                    at = -1
                elif side == 1:
                    pp = prv[i]
                    if pp < 0:
                        continue
                    k_old = np.int64(sym[pp]) * vkey + a
                    k_new = np.int64(sym[pp]) * vkey + cc
                    at = pp
                else:
                    nn = nxt[q]
                    if nn < 0:
                        continue
                    k_old = np.int64(b) * vkey + sym[nn]
                    k_new = np.int64(cc) * vkey + sym[nn]
                    at = i
                for kk in range(2):
                    k = k_old if kk == 0 else k_new
                    if k < 0:
                        continue
                    p = pid_of[k] if k in pid_of else np.int32(-1)
                    if p < 0:
                        p = np.int32(npairs)
                        if npairs == len(pkey):
                            pkey = _grow_i64(pkey, npairs + 1)
                            pcnt = _grow_i64(pcnt, npairs + 1)
                            pcnt[npairs:] = 0
                            phead = _grow_i32(phead, npairs + 1)
                            phead[npairs:] = -1
                            pacc = _grow_i64(pacc, npairs + 1)
                            pacc[npairs:] = 0
                            ptouch = np.concatenate((ptouch, np.zeros(len(pkey) - len(ptouch), np.uint8)))
                        pkey[npairs] = k
                        pid_of[k] = p
                        npairs += 1
                    d = -c if kk == 0 else c
                    pcnt[p] += d
                    if t >= start:
                        pacc[p] += d
                        if ptouch[p] == 0:
                            ptouch[p] = 1
                            if ntouched == len(touched):
                                touched = _grow_i32(touched, ntouched + 1)
                            touched[ntouched] = p
                            ntouched += 1
                    if kk == 1 and p != pm:
                        if nnodes == len(npos):
                            npos = _grow_i32(npos, nnodes + 1)
                            nnext = _grow_i32(nnext, nnodes + 1)
                        npos[nnodes] = at
                        nnext[nnodes] = phead[p]
                        phead[p] = nnodes
                        nnodes += 1
            sym[i] = cc
            nn = nxt[q]
            nxt[i] = nn
            if nn >= 0:
                prv[nn] = i
            sym[q] = -1
        if t >= start:
            for j in range(ntouched):
                p = touched[j]
                if pacc[p] != 0:
                    if nev == len(ev_t):
                        ev_t = _grow_i32(ev_t, nev + 1)
                        ev_k = _grow_i64(ev_k, nev + 1)
                        ev_d = _grow_i64(ev_d, nev + 1)
                    ev_t[nev] = t - start + 1
                    ev_k[nev] = pkey[p]
                    ev_d[nev] = pacc[p]
                    nev += 1
                pacc[p] = 0
                ptouch[p] = 0
            ntouched = 0
    if start >= stop:  # empty window: still report the snapshot
        for p in range(npairs):
            if pcnt[p] != 0:
                if nev == len(ev_t):
                    ev_t = _grow_i32(ev_t, nev + 1)
                    ev_k = _grow_i64(ev_k, nev + 1)
                    ev_d = _grow_i64(ev_d, nev + 1)
                ev_t[nev] = 0
                ev_k[nev] = pkey[p]
                ev_d[nev] = pcnt[p]
                nev += 1
    return ev_t[:nev].copy(), ev_k[:nev].copy(), ev_d[:nev].copy(), mcount


@dataclass
class Replay:
    """Sparse pair-count history of one category over merges [start, start+T).

    ``times[j]``: the delta applies from step ``times[j]`` on (0 = the initial counts);
    ``keys[j]``: pair key (left * n_tokens + right); ``deltas[j]``: count change.
    ``merged[t]``: count of the chosen pair just before merge ``start+t``.
    ``n_pairs``: total pair count at ``start`` (N_i of the paper).
    """

    times: np.ndarray
    keys: np.ndarray
    deltas: np.ndarray
    merged: np.ndarray
    n_pairs: int


def replay(words: WordTable, table: MergeTable, start: int, stop: int) -> Replay:
    """Replay merges [0, stop) on ``words``; record the window [start, stop)."""
    if not 0 <= start <= stop <= table.n_merges:
        raise TokbenchError(
            f"merge window [{start}, {stop}) is outside the merge list (0..{table.n_merges})"
        )
    vkey = table.n_tokens
    t, k, d, m = _replay_kernel(
        words.symbols, words.offsets, words.counts, table.left, table.right, table.result,
        np.int64(vkey), start, stop,
    )
    n0 = int(d[t == 0].sum())
    return Replay(t, k, d, m, n0)
