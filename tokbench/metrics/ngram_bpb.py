"""The `ngram_bpb` family: bits per UTF-8 byte of a token-level n-gram language model (n = 1, 2, 3).

Compression (bytes per token) says how short a text gets; it correlates only weakly with the loss of a model
trained on the tokens. A small n-gram model over the token ids measures how *predictable* the token stream
is, normalised by the bytes of the text so tokenizers with different granularity compare: it is a cheap
proxy a researcher can compute before training. The model is trained on one split (FLORES `dev`) and
evaluated on another (`devtest`), per language, from the cached per-sentence encodings (no re-encode).

Smoothing: interpolated Kneser-Ney (Kneser & Ney 1995; Chen & Goodman 1998, eq. 17) with one absolute
discount per order, D_k = n1 / (n1 + 2 n2) (Ney, Essen & Kneser 1994; n1, n2 = k-grams whose count at that
order is 1 and 2) unless the `discount` option fixes it; the highest order uses raw counts, lower orders
continuation counts (distinct left neighbours), and the lowest order is interpolated with the uniform
distribution over all |V| ids, so unseen ids and unseen contexts keep a non-zero probability. Every
sentence is predicted on its own: its history is padded with n-1 begin-of-sentence markers (an id outside
the vocabulary, never predicted) and no end-of-sentence event is scored.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tokbench.errors import TokbenchError
from tokbench.metrics._ratio import ratio_cis, weights
from tokbench.metrics.base import ALL_LANGUAGES, Metric, MetricCard, make_row, register_metric
from tokbench.metrics.context import MetricContext
from tokbench.metrics.stats import ratio_ci, ratio_of_sums

FAMILY = "ngram_bpb"
ORDERS = (1, 2, 3)
UNIT = "bits per UTF-8 byte"
HALF = "half"  # the train/eval protocol of a corpus without a dev/devtest pair
CITATION = (
    "Kneser & Ney (1995) Improved backing-off for M-gram language modeling; Chen & Goodman (1998) An empirical "
    "study of smoothing techniques for language modeling (interpolated KN, eq. 17); discount estimate: Ney, Essen "
    "& Kneser (1994). Bits per byte as a tokenizer-independent LM measure: Gao et al. (2020) The Pile, §5."
)
OPTIONS: dict[str, Any] = {
    "split": "",  # evaluation split; '' = devtest when the corpus has it, else its last split
    "train_split": "",  # '' = dev when the corpus has dev and devtest; else a half/half split of `split`
    "discount": 0.0,  # 0 = estimate D per order as n1/(n1+2 n2); a value in (0, 1) fixes it for every order
    "bootstrap": 1000,  # resamples of evaluation sentences for the 95% CI; 0 = no CI
    "seed": 0,
}


def _estimate_discount(counts: np.ndarray) -> float:
    """Ney et al.'s D = n1/(n1+2 n2); 0.5 when the counts have no singletons or doubletons to estimate from."""
    n1 = int(np.count_nonzero(counts == 1))
    n2 = int(np.count_nonzero(counts == 2))
    if n1 == 0 or n1 + 2 * n2 == 0:
        return 0.5
    d = n1 / (n1 + 2 * n2)
    return d if 0.0 < d < 1.0 else 0.5


def _check(n: int, vocab_size: int, discount: float) -> None:
    if n < 1:
        raise TokbenchError(f"n-gram order must be >= 1, got {n}")
    if vocab_size < 1:
        raise TokbenchError("n-gram model needs a vocabulary of at least one id")
    if (vocab_size + 1) ** n >= 2**63:
        raise TokbenchError(f"a {n}-gram key over {vocab_size:,} ids does not fit in 64 bits")
    if discount and not 0.0 < discount < 1.0:
        raise TokbenchError(f"discount must be in (0, 1) (0 = estimate), got {discount}")


def _hash_codes(known: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of `values` in an open-addressing hash table that first holds `known` (distinct values, codes
    0..len-1); a value not in it gets the next code, in order of first appearance. Returns (codes of values,
    every distinct value by code). O(n), no sort: sorting the ~100M k-gram keys of a FLORES-200 run was most
    of the family's time. The table doubles at load 1/2, so it stays the size of the distinct values (a
    byte-level stream has few). Compiled with numba on first use (see _compiled_hash_codes)."""
    n_known = len(known)
    n = n_known + len(values)
    bits = 10
    while (1 << bits) < 2 * n_known:
        bits += 1
    slots = np.full(1 << bits, -1, dtype=np.int64)
    uniq = np.empty(n, dtype=np.int64)
    codes = np.empty(len(values), dtype=np.int64)
    mult = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits of key * 2^64/phi
    m = 0
    for i in range(n):
        key = known[i] if i < n_known else values[i - n_known]
        mask = (1 << bits) - 1
        j = np.int64((np.uint64(key) * mult) >> np.uint64(64 - bits))
        while True:
            s = slots[j]
            if s < 0:
                slots[j] = m
                uniq[m] = key
                s = m
                m += 1
                if 2 * m > mask + 1:  # load 1/2: double the table and re-insert
                    bits += 1
                    mask = (1 << bits) - 1
                    slots = np.full(1 << bits, -1, dtype=np.int64)
                    for r in range(m):
                        j = np.int64((np.uint64(uniq[r]) * mult) >> np.uint64(64 - bits))
                        while slots[j] >= 0:
                            j = (j + 1) & mask
                        slots[j] = r
                break
            if uniq[s] == key:
                break
            j = (j + 1) & mask
        if i >= n_known:
            codes[i - n_known] = s
    return codes, uniq[:m].copy()


_jit_lock = threading.Lock()


def _compiled_hash_codes() -> Any:
    """`_hash_codes` compiled with numba (from its on-disk cache after the first time); imported here because
    importing numba costs ~0.5 s that most commands never need."""
    g = globals()
    with _jit_lock:
        if not hasattr(g["_hash_codes"], "py_func"):
            from numba import njit

            g["_hash_codes"] = njit(cache=True, nogil=True)(g["_hash_codes"])
    return g["_hash_codes"]


def _factorize(values: np.ndarray, known: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(code of each value, distinct values by code): `known` (distinct) first with codes 0..len-1, then the
    values' new ones in order of first appearance."""
    first = np.zeros(0, dtype=np.int64) if known is None else np.ascontiguousarray(known, dtype=np.int64)
    return _compiled_hash_codes()(first, np.ascontiguousarray(values, dtype=np.int64))


@dataclass
class _Stream:
    """Sentences as one flat int64 id array and their lengths: no Python list of per-sentence arrays."""

    ids: np.ndarray
    lengths: np.ndarray

    @classmethod
    def of(cls, sentences: Sequence[np.ndarray]) -> _Stream:
        lengths = np.fromiter((len(s) for s in sentences), dtype=np.int64, count=len(sentences))
        if not lengths.sum():
            return cls(np.zeros(0, dtype=np.int64), lengths)
        return cls(np.concatenate([np.asarray(s, dtype=np.int64) for s in sentences]), lengths)

    @classmethod
    def from_offsets(cls, ids: np.ndarray, offsets: np.ndarray) -> _Stream:
        return cls(np.asarray(ids).astype(np.int64), np.diff(np.asarray(offsets, dtype=np.int64)))

    def select(self, keep: np.ndarray) -> _Stream:
        """The sentences where `keep` (a boolean per sentence) holds."""
        return _Stream(self.ids[np.repeat(keep, self.lengths)], self.lengths[keep])

    def top_keys(self, n: int, vocab_size: int) -> np.ndarray:
        """Key of the n-gram ending at every token: ids in base vocab_size+1, oldest first, the history
        padded with the BOS id vocab_size where it would reach before the sentence start."""
        ids = self.ids
        if len(ids) and (ids.min() < 0 or ids.max() >= vocab_size):
            raise TokbenchError(f"token id outside the vocabulary of {vocab_size:,} ids")
        base = vocab_size + 1
        starts = np.cumsum(self.lengths) - self.lengths
        key = ids
        for j in range(1, n):
            prev = np.empty_like(ids)  # the j-th previous id of every token
            prev[j:] = ids[: len(ids) - j]
            for i in range(j):  # the first j tokens of a sentence have none: BOS
                prev[starts[self.lengths > i] + i] = vocab_size
            key = prev * base**j + key
        return key


def _code(values: np.ndarray, known: np.ndarray, k: int, vocab_size: int) -> tuple[np.ndarray, np.ndarray]:
    """`_factorize` of order-k keys; order 1 (ids) through a table over the vocabulary instead of a hash
    (new ids get the next codes in increasing id order)."""
    if k > 1:
        return _factorize(values, known)
    t = len(known)
    code_of = np.full(vocab_size, -1, dtype=np.int64)
    code_of[known] = np.arange(t)
    codes = code_of[values]
    missing = values[codes < 0]  # their distinct ids, ascending: by a sort when few, else by counting
    if len(missing) < vocab_size // 8:
        new = np.unique(missing)
    else:
        new = np.flatnonzero(np.bincount(missing, minlength=vocab_size))
    if len(new):
        code_of[new] = np.arange(t, t + len(new))
        codes = code_of[values]
    return codes, np.concatenate([known, new])


_NONE = np.zeros(0, dtype=np.int64)
_NONE.setflags(write=False)


@dataclass
class _Level:
    """The distinct training k-grams of one order k, coded: a k-gram's code is its index in `keys`."""

    keys: np.ndarray
    raw: np.ndarray  # occurrences of each k-gram (int64)
    ctx: np.ndarray  # context code of each k-gram (context = its first k-1 ids = key // base)
    ctx_keys: np.ndarray  # distinct contexts, indexed by context code (order 1: the one empty context, key 0)
    suffix: np.ndarray  # code at order k-1 of each k-gram's last k-1 ids (order 1: empty)
    cont: np.ndarray | None  # continuation count: distinct (k+1)-grams ending in it (None at the top order)


def _contexts(keys: np.ndarray, k: int, base: int, known: np.ndarray = _NONE) -> tuple[np.ndarray, np.ndarray]:
    """(context code, distinct contexts) of order-k keys; order 1 has the one empty context (key 0)."""
    if k == 1:
        return np.zeros(len(keys), dtype=np.int64), np.zeros(1, dtype=np.int64)
    return _factorize(keys // base, known)


def _fit_levels(train: _Stream, n: int, vocab_size: int) -> list[_Level]:
    """Orders 1..n of the training stream: raw counts at every order and continuation counts below n.

    Only the top order is coded token by token; every token's k-gram is the suffix of its (k+1)-gram, so
    order k is coded from the distinct (k+1)-grams and its raw counts are theirs summed. The (k+1)-suffixes
    of the distinct n-grams are exactly the distinct (k+1)-grams at token positions, so the continuation
    counts of order k do not depend on n: one fit serves the models of every order <= n."""
    base = vocab_size + 1
    codes, keys = _code(train.top_keys(n, vocab_size), _NONE, n, vocab_size)
    raw = np.bincount(codes, minlength=len(keys))
    levels: list[_Level] = []
    cont = None
    for k in range(n, 0, -1):
        suffix = _NONE
        lower = None
        if k > 1:
            suffix, lower = _code(keys % base ** (k - 1), _NONE, k - 1, vocab_size)
        ctx, ctx_keys = _contexts(keys, k, base)
        levels.append(_Level(keys, raw, ctx, ctx_keys, suffix, cont))
        if lower is not None:
            cont = np.bincount(suffix, minlength=len(lower))
            raw = np.bincount(suffix, weights=raw, minlength=len(lower)).astype(np.int64)  # exact: integer sums
            keys = lower
    return levels[::-1]


@dataclass
class _Query:
    """Query k-grams located at one order: each query's code, and per code (the training k-grams, then the
    new ones) its context code (len(ctx_keys) = a context training never saw) and its suffix's code at
    order k-1."""

    codes: np.ndarray
    ctx: np.ndarray
    suffix: np.ndarray


def _locate(levels: Sequence[_Level], top_keys: np.ndarray, vocab_size: int) -> list[_Query]:
    """Codes of query n-gram keys (as `_Stream.top_keys` gives them) at every fitted order 1..n. A k-gram
    training never saw has a new (k-1)-suffix only if that is new too, so only new keys are looked up below
    the top order."""
    base = vocab_size + 1
    n = len(levels)
    codes, keys = _code(top_keys, levels[-1].keys, n, vocab_size)
    out: list[_Query] = []
    for k in range(n, 0, -1):
        lv = levels[k - 1]
        t, c = len(lv.keys), len(lv.ctx_keys)
        new = keys[t:]
        ctx, suffix = lv.ctx, lv.suffix
        if len(new):
            ctx = np.concatenate([ctx, np.minimum(_contexts(new, k, base, lv.ctx_keys)[0], c)])
        if k > 1:
            sub, keys = _code(new % base ** (k - 1), levels[k - 2].keys, k - 1, vocab_size)
            suffix = np.concatenate([suffix, sub])
        out.append(_Query(codes, ctx, suffix))
        if k > 1:
            codes = suffix[codes]
    return out[::-1]


@dataclass
class _Order:
    """Order k of one model: its k-grams (`level`) with the counts this model uses (raw at its top order,
    continuation counts below), per context the count total and the number of distinct followers, and D."""

    level: _Level
    counts: np.ndarray
    ctx_total: np.ndarray
    ctx_types: np.ndarray
    discount: float


def _sum_per_sentence(bits: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    out = np.zeros(len(lengths), dtype=np.float64)
    nonempty = lengths > 0
    if nonempty.any():
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[nonempty]
        out[nonempty] = np.add.reduceat(bits, starts)
    return out


class NgramModel:
    """Interpolated Kneser-Ney over token ids 0..vocab_size-1 (see the module docstring).

    k-grams are packed into one int64 key in base vocab_size+1 (the extra symbol is the begin-of-sentence
    marker) and hash-coded (`_hash_codes`), so counting is np.bincount and every probability is computed
    once per distinct k-gram, then gathered per token: no sort and no Python loop over tokens."""

    def __init__(self, sentences: Sequence[np.ndarray], n: int, vocab_size: int, discount: float = 0.0) -> None:
        _check(n, vocab_size, discount)
        train = _Stream.of(sentences)
        self._setup(_fit_levels(train, n, vocab_size), n, vocab_size, discount, len(train.ids))

    @classmethod
    def _from_levels(cls, levels: list[_Level], n: int, vocab_size: int, discount: float, n_tokens: int) -> NgramModel:
        """The order-n model of a fit of order >= n (shares its arrays)."""
        _check(n, vocab_size, discount)
        model = cls.__new__(cls)
        model._setup(levels[:n], n, vocab_size, discount, n_tokens)
        return model

    def _setup(self, levels: list[_Level], n: int, vocab_size: int, discount: float, n_tokens: int) -> None:
        self.n = n
        self.vocab_size = vocab_size
        self.base = vocab_size + 1
        self.bos = vocab_size
        self.n_tokens = n_tokens
        self._levels = levels
        self.orders: dict[int, _Order] = {}
        for k, lv in enumerate(levels, start=1):
            counts = lv.raw if k == n else lv.cont
            assert counts is not None  # _fit_levels sets cont below its top order
            d = discount or _estimate_discount(counts)
            present = counts > 0
            n_ctx = len(lv.ctx_keys)
            types = np.bincount(lv.ctx[present], minlength=n_ctx).astype(np.float64)
            total = np.bincount(lv.ctx, weights=counts, minlength=n_ctx)  # integer sums: exact in float64
            self.orders[k] = _Order(lv, counts.astype(np.float64), total, types, d)

    def _code_probs(self, queries: Sequence[_Query]) -> np.ndarray:
        """P(w | history) of every code of the top order's queries (see _Query). The same expression as per
        query, evaluated once per distinct k-gram; the lower order's value comes through the suffix code."""
        p: float | np.ndarray = 1.0 / self.vocab_size  # order 0: uniform over |V|
        for k in range(1, self.n + 1):
            o, q = self.orders[k], queries[k - 1]
            c = np.zeros(len(q.ctx))
            c[: len(o.counts)] = o.counts
            seen_ctx = np.append(o.ctx_types > 0, False)  # the last context code: never seen in training
            seen = seen_ctx[q.ctx]
            total = np.append(np.where(seen_ctx[:-1], o.ctx_total, 1.0), 1.0)[q.ctx]
            types = np.append(np.where(seen_ctx[:-1], o.ctx_types, 0.0), 0.0)[q.ctx]
            lower = p if k == 1 else p[q.suffix]
            interp = np.maximum(c - o.discount, 0.0) / total + o.discount * types / total * lower
            p = np.where(seen, interp, lower)  # an unseen context passes the lower order through unchanged
        return np.asarray(p)

    def _probs(self, queries: Sequence[_Query]) -> np.ndarray:
        return self._code_probs(queries)[queries[self.n - 1].codes]

    def prob_keys(self, grams: np.ndarray) -> np.ndarray:
        """P(w | history) for n-gram keys (history of n-1 ids or BOS, then w), vectorised."""
        grams = np.asarray(grams, dtype=np.int64).reshape(-1)
        if len(grams) and (grams.min() < 0 or grams.max() >= self.base**self.n
                           or (grams % self.base).max() >= self.vocab_size):
            raise TokbenchError(f"n-gram key outside the {self.n}-gram keys over {self.vocab_size:,} ids")
        return self._probs(_locate(self._levels, grams, self.vocab_size))

    def prob(self, history: Sequence[int], words: Sequence[int] | np.ndarray) -> np.ndarray:
        """P(w | history) for each w in `words`; `history` holds the preceding ids (BOS-padded when short)."""
        hist = [int(x) for x in history][-(self.n - 1):] if self.n > 1 else []
        h = [self.bos] * (self.n - 1 - len(hist)) + hist
        prefix = 0
        for x in h:
            prefix = prefix * self.base + x
        w = np.asarray(words, dtype=np.int64)
        return self.prob_keys(prefix * self.base + w)

    def _stream_bits(self, stream: _Stream, queries: Sequence[_Query] | None = None) -> np.ndarray:
        if queries is None:
            queries = _locate(self._levels, stream.top_keys(self.n, self.vocab_size), self.vocab_size)
        bits = -np.log2(self._probs(queries)) if len(stream.ids) else np.zeros(0)
        return _sum_per_sentence(bits, stream.lengths)

    def sentence_bits(self, sentences: Sequence[np.ndarray]) -> np.ndarray:
        """-log2 P of each sentence's tokens (BOS-padded history, no end event), one total per sentence."""
        return self._stream_bits(_Stream.of(sentences))


def _orders_to_fit(order: int, vocab_size: int) -> tuple[int, ...]:
    """The orders one fit per language serves: the family's three (when their keys fit in 64 bits) and `order`.
    Order n's model is part of order 3's fit, so the three metrics share one fit and one location of the
    evaluation k-grams. The price: ngram_bpb.1 asked for alone computes all three (gpt2 on FLORES-200: ~1.7 s
    instead of ~0.4 s)."""
    return tuple(sorted({n for n in ORDERS if (vocab_size + 1) ** n < 2**63} | {order}))


@dataclass
class _LangData:
    train: _Stream
    evaluate: _Stream
    eval_bytes: np.ndarray
    eval_doc_ids: list[str]


@dataclass
class _LangBits:
    bits: dict[int, np.ndarray]  # order -> bits per evaluation sentence
    eval_bytes: np.ndarray
    eval_doc_ids: list[str]


def protocol(ctx: MetricContext, opts: dict[str, Any]) -> tuple[str, str]:
    """(evaluation split, training split or HALF): dev -> devtest on FLORES, else what the options say, else
    a deterministic half/half split of the evaluation split's documents (even positions train, odd evaluate)."""
    split = ctx.split_option(opts)
    train = str(opts.get("train_split") or "")
    if not train:
        train = "dev" if split == "devtest" and "dev" in ctx.view.splits else HALF
    elif train == split:
        raise TokbenchError(f"ngram_bpb: train_split and split are both {split!r}; leave train_split empty "
                            "for a half/half split of one split's documents")
    else:
        ctx.view.check_split(train)
    return split, train


def language_data(ctx: MetricContext, split: str, train: str, lang: str) -> _LangData:
    """Token ids of the training and evaluation documents (from the encode cache) and eval bytes."""
    doc_ids = ctx.view.doc_ids(split, lang)
    sents = _Stream.from_offsets(*ctx.sentence_ids(split, lang))
    nbytes = ctx.view.sentence_counts(split, lang)["bytes"].astype(np.float64)
    if train == HALF:
        even = np.arange(len(sents.lengths)) % 2 == 0
        return _LangData(sents.select(even), sents.select(~even), nbytes[1::2], doc_ids[1::2])
    if lang not in ctx.view.languages(train):
        raise TokbenchError(f"corpus {ctx.view.name!r} split {train!r} has no language {lang} to train on")
    return _LangData(_Stream.from_offsets(*ctx.sentence_ids(train, lang)), sents, nbytes, doc_ids)


def language_bits(ctx: MetricContext, split: str, train: str, lang: str, orders: tuple[int, ...],
                  discount: float) -> _LangBits:
    """Bits per evaluation sentence under each of `orders`' models, from one fit of the highest order and
    one location of the evaluation k-grams; computed once per context (the family's three metrics ask in
    turn), and only these small arrays are kept, not the ids."""

    def compute() -> _LangBits:
        v = int(ctx.tokenizer.vocab_size)
        top = max(orders)
        _check(top, v, discount)
        data = language_data(ctx, split, train, lang)
        levels = _fit_levels(data.train, top, v)
        queries = _locate(levels, data.evaluate.top_keys(top, v), v)
        bits = {}
        for n in orders:
            model = NgramModel._from_levels(levels, n, v, discount, len(data.train.ids))
            bits[n] = model._stream_bits(data.evaluate, queries[:n])
        return _LangBits(bits, data.eval_bytes, data.eval_doc_ids)

    return ctx.cached(("ngram_bpb", split, train, lang, orders, discount), compute)


class NgramBpb(Metric):
    """One order of the family; rows per language and pooled (ALL: total bits / total bytes)."""

    order: int = 1

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        split, train = protocol(ctx, opts)
        label = f"{split}" if train != HALF else f"{split}:odd"
        flags = f"train={train}" if train != HALF else f"train={split}:even docs,eval={split}:odd docs"
        name = self.card.name
        v = int(ctx.tokenizer.vocab_size)
        rows = []
        orders, discount = _orders_to_fit(self.order, v), float(opts.get("discount", 0.0))
        langs = ctx.languages(split)
        data = [language_bits(ctx, split, train, lang, orders, discount) for lang in langs]
        pairs = [(d.bits[self.order], d.eval_bytes) for d in data]
        for lang, (bits, nbytes), ci in zip(langs, pairs, ratio_cis(pairs, opts), strict=True):
            rows.append(make_row(name, lang, label, ratio_of_sums(bits, nbytes), UNIT, len(bits), ci, flags))
        if data:
            units, den_u = ctx.cached(("ngram_bpb", "units", split, train, tuple(langs)), lambda: _pooled_units(data))
            num_u = np.zeros(len(den_u))
            for u, d in zip(units, data, strict=True):
                np.add.at(num_u, u, d.bits[self.order])
            n = sum(len(d.eval_doc_ids) for d in data)
            ci = ratio_ci(num_u, den_u, weights(len(den_u), opts))
            rows.append(make_row(name, ALL_LANGUAGES, label, ratio_of_sums(num_u, den_u), UNIT, n, ci, flags))
        return rows


def _pooled_units(data: Sequence[_LangBits]) -> tuple[list[np.ndarray], np.ndarray]:
    """Per language, the pooled unit (sentence id, numbered in order of first appearance over the languages)
    of each evaluation sentence; and the bytes per unit. The same for the three orders: computed once."""
    index: dict[str, int] = {}
    units = [np.fromiter((index.setdefault(i, len(index)) for i in d.eval_doc_ids), dtype=np.int64,
                         count=len(d.eval_doc_ids)) for d in data]
    den_u = np.zeros(len(index))
    for u, d in zip(units, data, strict=True):
        np.add.at(den_u, u, d.eval_bytes)
    return units, den_u


def _definition(n: int) -> str:
    what = {1: "unigram", 2: "bigram", 3: "trigram"}[n]
    return (
        f"Cross-entropy of a token-level {what} ({n}-gram) model, in bits, divided by the UTF-8 bytes of the "
        f"evaluated text: sum over evaluation sentences of -log2 P(token | previous {n - 1} tokens) / sum of their "
        "bytes. The model is trained per language on another split (FLORES: dev -> devtest; a corpus without a "
        "dev/devtest pair: even-position documents train, odd-position ones are evaluated, unless train_split is "
        "set) from the cached per-sentence ids (no special tokens). Smoothing: interpolated Kneser-Ney, one "
        "absolute discount per order D = n1/(n1+2 n2) (0.5 when n1 or n1+2 n2 is 0; or the `discount` option), "
        "continuation counts below the top order, lowest order interpolated with the uniform distribution over "
        "all |V| ids (unseen ids keep probability). Each sentence's history is padded with n-1 begin markers; "
        "no end-of-sentence event. ALL = total bits / total bytes over languages (each language its own model). "
        "95% CI: bootstrap over evaluation sentences (ALL: over sentence ids). n = evaluation sentences. A lossy "
        "tokenizer scores low for the wrong reason: an UNK id predicts many bytes cheaply (see unk_rate)."
    )

def _register(n: int) -> type[Metric]:
    card = MetricCard(
        name=f"{FAMILY}.{n}",
        definition=_definition(n),
        unit=UNIT,
        higher_is_better=False,
        citation=CITATION,
        options=dict(OPTIONS),
    )
    cls = type(f"NgramBpb{n}", (NgramBpb,), {"card": card, "order": n, "__doc__": card.definition})
    return register_metric(cls)


for _n in ORDERS:
    _register(_n)

METRIC_NAMES = tuple(f"{FAMILY}.{n}" for n in ORDERS)


def bits_per_byte(sentences_train: Sequence[np.ndarray], sentences_eval: Sequence[np.ndarray],
                  eval_bytes: np.ndarray, n: int, vocab_size: int, discount: float = 0.0) -> float:
    """Convenience: the family's number for given id sequences (total bits / total bytes)."""
    model = NgramModel(sentences_train, n, vocab_size, discount)
    total = float(np.sum(eval_bytes))
    return float(np.sum(model.sentence_bits(sentences_eval))) / total if total else math.nan
