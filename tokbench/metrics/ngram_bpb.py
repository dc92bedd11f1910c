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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tokbench.errors import TokbenchError
from tokbench.metrics._ratio import weights
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


@dataclass
class _Order:
    """One order k of the model: sorted k-gram keys with their (raw or continuation) counts, and per
    context (the first k-1 ids) the count total and the number of distinct followers."""

    keys: np.ndarray
    counts: np.ndarray
    ctx_keys: np.ndarray
    ctx_total: np.ndarray
    ctx_types: np.ndarray
    discount: float


class NgramModel:
    """Interpolated Kneser-Ney over token ids 0..vocab_size-1 (see the module docstring).

    k-grams are packed into one int64 key in base vocab_size+1 (the extra symbol is the begin-of-sentence
    marker), so counting is np.unique and lookup is np.searchsorted: no Python loop over tokens."""

    def __init__(self, sentences: Sequence[np.ndarray], n: int, vocab_size: int, discount: float = 0.0) -> None:
        if n < 1:
            raise TokbenchError(f"n-gram order must be >= 1, got {n}")
        if vocab_size < 1:
            raise TokbenchError("n-gram model needs a vocabulary of at least one id")
        self.n = n
        self.vocab_size = vocab_size
        self.base = vocab_size + 1
        self.bos = vocab_size
        if self.base ** n >= 2**63:
            raise TokbenchError(f"a {n}-gram key over {vocab_size:,} ids does not fit in 64 bits")
        if discount and not 0.0 < discount < 1.0:
            raise TokbenchError(f"discount must be in (0, 1) (0 = estimate), got {discount}")
        grams = self._grams(sentences)
        self.n_tokens = len(grams)
        self.orders: dict[int, _Order] = {}
        top_keys, top_counts = np.unique(grams, return_counts=True)
        keys, counts = top_keys, top_counts
        for k in range(n, 0, -1):
            if k < n:
                # continuation count of a k-gram: distinct (k+1)-grams (seen at the top order's suffixes) ending in it
                suffix = np.unique(top_keys % self.base ** (k + 1))
                keys, counts = np.unique(suffix % self.base**k, return_counts=True)
            d = discount or _estimate_discount(counts)
            ctx = keys // self.base
            ctx_keys, first, types = np.unique(ctx, return_index=True, return_counts=True)
            total = np.add.reduceat(counts, first) if len(counts) else np.zeros(0, dtype=np.int64)
            self.orders[k] = _Order(keys, counts.astype(np.float64), ctx_keys, total.astype(np.float64),
                                    types.astype(np.float64), d)

    def _grams(self, sentences: Sequence[np.ndarray]) -> np.ndarray:
        """Keys of the n-gram ending at every token (history padded with BOS), all sentences concatenated.

        Vectorised over the flat id stream: the j-th previous id of a token is BOS where it would fall before
        its sentence's start."""
        lengths = np.fromiter((len(s) for s in sentences), dtype=np.int64, count=len(sentences))
        if not lengths.sum():
            return np.zeros(0, dtype=np.int64)
        ids = np.concatenate([np.asarray(s, dtype=np.int64) for s in sentences])
        if ids.min() < 0 or ids.max() >= self.vocab_size:
            raise TokbenchError(f"token id outside the vocabulary of {self.vocab_size:,} ids")
        pos = np.arange(len(ids), dtype=np.int64)
        start = np.repeat(np.cumsum(lengths) - lengths, lengths)
        key = np.zeros(len(ids), dtype=np.int64)
        for j in range(self.n - 1, 0, -1):  # oldest history id first
            prev = pos - j
            key = key * self.base + np.where(prev >= start, ids[np.maximum(prev, 0)], self.bos)
        return key * self.base + ids

    @staticmethod
    def _find(sorted_keys: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions, found) of query values in sorted_keys (positions clipped, valid where found)."""
        if len(sorted_keys) == 0:
            return np.zeros(len(query), dtype=np.int64), np.zeros(len(query), dtype=bool)
        pos = np.minimum(np.searchsorted(sorted_keys, query), len(sorted_keys) - 1)
        return pos, sorted_keys[pos] == query

    def prob_keys(self, grams: np.ndarray) -> np.ndarray:
        """P(w | history) for n-gram keys (history of n-1 ids or BOS, then w), vectorised (each distinct
        n-gram computed once, looked up in sorted order)."""
        uniq, inverse = np.unique(np.asarray(grams, dtype=np.int64), return_inverse=True)
        p = np.full(len(uniq), 1.0 / self.vocab_size)  # order 0: uniform over |V|
        for k in range(1, self.n + 1):
            o = self.orders[k]
            key = uniq % self.base**k
            pos, hit = self._find(o.keys, key)
            c = np.where(hit, o.counts[pos], 0.0)
            cpos, seen = self._find(o.ctx_keys, key // self.base)
            total = np.where(seen, o.ctx_total[cpos], 1.0)
            types = np.where(seen, o.ctx_types[cpos], 0.0)
            interp = np.maximum(c - o.discount, 0.0) / total + o.discount * types / total * p
            p = np.where(seen, interp, p)  # an unseen context passes the lower order through unchanged
        return p[inverse.reshape(-1)]

    def prob(self, history: Sequence[int], words: Sequence[int] | np.ndarray) -> np.ndarray:
        """P(w | history) for each w in `words`; `history` holds the preceding ids (BOS-padded when short)."""
        hist = [int(x) for x in history][-(self.n - 1):] if self.n > 1 else []
        h = [self.bos] * (self.n - 1 - len(hist)) + hist
        prefix = 0
        for x in h:
            prefix = prefix * self.base + x
        w = np.asarray(words, dtype=np.int64)
        return self.prob_keys(prefix * self.base + w)

    def sentence_bits(self, sentences: Sequence[np.ndarray]) -> np.ndarray:
        """-log2 P of each sentence's tokens (BOS-padded history, no end event), one total per sentence."""
        lengths = np.fromiter((len(s) for s in sentences), dtype=np.int64, count=len(sentences))
        grams = self._grams(sentences)
        bits = -np.log2(self.prob_keys(grams)) if len(grams) else np.zeros(0)
        out = np.zeros(len(sentences), dtype=np.float64)
        nonempty = lengths > 0
        if nonempty.any():
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[nonempty]
            out[nonempty] = np.add.reduceat(bits, starts)
        return out


def _split_ids(ids: np.ndarray, off: np.ndarray) -> list[np.ndarray]:
    ids = ids.astype(np.int64)
    bounds = off.tolist()
    return [ids[bounds[i] : bounds[i + 1]] for i in range(len(bounds) - 1)]


@dataclass
class _LangData:
    train: list[np.ndarray]
    evaluate: list[np.ndarray]
    eval_bytes: np.ndarray
    eval_doc_ids: list[str]


# Per MetricContext memo: the three orders read the same encodings once.


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
    """Per-sentence ids of the training and evaluation documents (from the encode cache) and eval bytes;
    computed once per context for the family's three orders."""

    def compute() -> _LangData:
        doc_ids = ctx.view.doc_ids(split, lang)
        sents = _split_ids(*ctx.sentence_ids(split, lang))
        nbytes = ctx.view.sentence_counts(split, lang)["bytes"].astype(np.float64)
        if train == HALF:
            return _LangData(sents[0::2], sents[1::2], nbytes[1::2], doc_ids[1::2])
        if lang not in ctx.view.languages(train):
            raise TokbenchError(f"corpus {ctx.view.name!r} split {train!r} has no language {lang} to train on")
        return _LangData(_split_ids(*ctx.sentence_ids(train, lang)), sents, nbytes, doc_ids)

    return ctx.cached(("ngram_bpb", split, train, lang), compute)


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
        unit_index: dict[str, int] = {}
        pooled: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for lang in ctx.languages(split):
            data = language_data(ctx, split, train, lang)
            model = NgramModel(data.train, self.order, v, float(opts.get("discount", 0.0)))
            bits = model.sentence_bits(data.evaluate)
            ci = ratio_ci(bits, data.eval_bytes, weights(len(bits), opts))
            rows.append(make_row(name, lang, label, ratio_of_sums(bits, data.eval_bytes), UNIT, len(bits), ci, flags))
            units = np.fromiter((unit_index.setdefault(i, len(unit_index)) for i in data.eval_doc_ids),
                                dtype=np.int64, count=len(data.eval_doc_ids))
            pooled.append((units, bits, data.eval_bytes))
        if pooled:
            num_u, den_u = np.zeros(len(unit_index)), np.zeros(len(unit_index))
            for units, num, den in pooled:
                np.add.at(num_u, units, num)
                np.add.at(den_u, units, den)
            n = sum(len(p[1]) for p in pooled)
            ci = ratio_ci(num_u, den_u, weights(len(unit_index), opts))
            rows.append(make_row(name, ALL_LANGUAGES, label, ratio_of_sums(num_u, den_u), UNIT, n, ci, flags))
        return rows


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
