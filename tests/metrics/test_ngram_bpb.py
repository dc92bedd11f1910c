"""ngram_bpb: hand-computed Kneser-Ney probabilities, normalisation, determinism, and a vendored run on UDHR."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tokbench.errors import TokbenchError
from tokbench.metrics import CorpusView, MetricContext, get_metric
from tokbench.metrics.families import expand_metric_families
from tokbench.metrics.ngram_bpb import METRIC_NAMES, NgramModel, bits_per_byte


def test_unigram_hand_computed() -> None:
    # counts 0:2, 1:1 over N=3 tokens, T=2 types, D=0.5, |V|=4: P(w) = max(c-D,0)/N + D*T/N/|V|
    m = NgramModel([np.array([0, 0, 1])], 1, 4, discount=0.5)
    p = m.prob([], np.arange(4))
    assert p == pytest.approx([7 / 12, 3 / 12, 1 / 12, 1 / 12])
    # the history is ignored by a unigram model
    assert m.prob([3, 2], np.arange(4)) == pytest.approx(p)


def test_unigram_estimated_discount() -> None:
    # n1 = 1 (id 1), n2 = 1 (id 0): D = 1/(1+2) = 1/3
    m = NgramModel([np.array([0, 0, 1])], 1, 4)
    d = 1 / 3
    assert m.orders[1].discount == pytest.approx(d)
    assert m.prob([], [0])[0] == pytest.approx((2 - d) / 3 + d * 2 / 3 / 4)


def test_bigram_hand_computed() -> None:
    # one sentence [0, 1]: bigrams (BOS,0), (0,1); continuation counts: 0 <- BOS, 1 <- 0 (1 each)
    m = NgramModel([np.array([0, 1])], 2, 3, discount=0.5)
    p1 = np.array([0.5 / 2 + 0.5 * 2 / 2 / 3, 0.5 / 2 + 0.5 * 2 / 2 / 3, 0.5 * 2 / 2 / 3])  # 5/12, 5/12, 2/12
    assert p1 == pytest.approx([5 / 12, 5 / 12, 2 / 12])
    # seen context 0: (1-D)/1 + D*1/1*P1(w)
    assert m.prob([0], [1])[0] == pytest.approx(0.5 + 0.5 * p1[1])
    assert m.prob([0], [2])[0] == pytest.approx(0.5 * p1[2])
    # unseen context 2: the lower order unchanged
    assert m.prob([2], np.arange(3)) == pytest.approx(p1)
    # sentence start: context BOS
    assert m.prob([], [0])[0] == pytest.approx(0.5 + 0.5 * p1[0])


@pytest.mark.parametrize("n", [1, 2, 3])
def test_probabilities_sum_to_one(n: int) -> None:
    rng = np.random.default_rng(1)
    v = 50
    train = [rng.integers(0, 20, size=rng.integers(1, 30)) for _ in range(40)]  # ids 20..49 never seen
    m = NgramModel(train, n, v)
    for hist in ([], [3], [train[0][0]], list(train[1][:2]), [45, 49], [7, 7, 7]):
        p = m.prob(hist, np.arange(v))
        assert p.sum() == pytest.approx(1.0)
        assert (p > 0).all()  # unseen ids keep probability


def test_bits_per_byte_of_a_sentence_and_determinism() -> None:
    train = [np.array([0, 0, 1])]
    evaluation = [np.array([0, 2]), np.array([], dtype=np.int64), np.array([1])]
    m = NgramModel(train, 1, 4, discount=0.5)
    bits = m.sentence_bits(evaluation)
    assert bits == pytest.approx([-math.log2(7 / 12) - math.log2(1 / 12), 0.0, -math.log2(3 / 12)])
    bpb = bits_per_byte(train, evaluation, np.array([5.0, 0.0, 3.0]), 1, 4, discount=0.5)
    assert bpb == pytest.approx(bits.sum() / 8)
    again = bits_per_byte(train, evaluation, np.array([5.0, 0.0, 3.0]), 1, 4, discount=0.5)
    assert again == bpb


def test_bad_input_is_one_line_error() -> None:
    with pytest.raises(TokbenchError, match="outside the vocabulary"):
        NgramModel([np.array([0, 9])], 2, 5)
    with pytest.raises(TokbenchError, match="discount"):
        NgramModel([np.array([0])], 2, 5, discount=1.5)


def test_family_selects_three_orders() -> None:
    assert expand_metric_families(["ngram_bpb"]) == list(METRIC_NAMES)
    from tokbench.metrics import DEFAULT_METRICS

    assert not set(METRIC_NAMES) & set(DEFAULT_METRICS)


def _run(ctx: MetricContext, name: str, **opts: object) -> list[dict]:
    cls = get_metric(name)
    return cls().compute(ctx, cls.resolve_options(dict(opts)))


def test_vendored_tokenizer_on_udhr() -> None:
    from tokbench.corpora import load_corpus
    from tokbench.tokenizers import load_tokenizer

    view = CorpusView(load_corpus("udhr"))
    ctx = MetricContext(load_tokenizer("cl100k_base"), view, ["eng_Latn", "tur_Latn", "rus_Cyrl"])
    by_n = {n: _run(ctx, f"ngram_bpb.{n}", bootstrap=200) for n in (1, 2, 3)}
    for rows in by_n.values():
        assert [r["language"] for r in rows] == ["eng_Latn", "tur_Latn", "rus_Cyrl", "ALL"]
        for r in rows:
            assert r["unit"] == "bits per UTF-8 byte"
            assert "even" in r["flags"] and "odd" in r["flags"]  # one split: half/half of its documents
            assert math.isfinite(r["value"]) and r["value"] > 0
            assert r["ci_low"] <= r["value"] <= r["ci_high"]
        # the pooled row is total bits / total bytes: between the languages' values
        vals = [r["value"] for r in rows[:-1]]
        assert min(vals) <= rows[-1]["value"] <= max(vals)
    # a bigram model predicts English UDHR text better than a unigram model
    assert by_n[2][0]["value"] < by_n[1][0]["value"]
    # deterministic: a fresh context gives identical numbers
    ctx2 = MetricContext(load_tokenizer("cl100k_base"), view, ["eng_Latn", "tur_Latn", "rus_Cyrl"])
    assert _run(ctx2, "ngram_bpb.2", bootstrap=200) == by_n[2]


def _reference_kn(train: list[np.ndarray], n: int, v: int, discount: float = 0.0):
    """Interpolated Kneser-Ney written out with dicts from the module docstring, for comparison."""
    bos = v
    grams = [tuple([bos] * (n - 1) + [int(x) for x in s])[i : i + n] for s in train for i in range(len(s))]
    top = set(grams)
    counts: dict[int, dict[tuple, int]] = {n: {}}
    for g in grams:
        counts[n][g] = counts[n].get(g, 0) + 1
    for k in range(n - 1, 0, -1):  # continuation counts: distinct (k+1)-grams ending in the k-gram
        counts[k] = {}
        for g in {t[-(k + 1):] for t in top}:
            counts[k][g[1:]] = counts[k].get(g[1:], 0) + 1
    disc, total, types = {}, {}, {}
    for k, ck in counts.items():
        c = list(ck.values())
        n1, n2 = c.count(1), c.count(2)
        d = n1 / (n1 + 2 * n2) if n1 and n1 + 2 * n2 else 0.5
        disc[k] = discount or (d if 0 < d < 1 else 0.5)
        total[k], types[k] = {}, {}
        for g, x in ck.items():
            total[k][g[:-1]] = total[k].get(g[:-1], 0) + x
            types[k][g[:-1]] = types[k].get(g[:-1], 0) + 1

    def prob(hist: tuple, w: int) -> float:
        p = 1.0 / v
        for k in range(1, n + 1):
            h = hist[len(hist) - (k - 1):] if k > 1 else ()
            if h in total[k]:
                c = counts[k].get(h + (w,), 0)
                p = max(c - disc[k], 0.0) / total[k][h] + disc[k] * types[k][h] / total[k][h] * p
        return p

    return prob


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("discount", [0.0, 0.3])
def test_matches_reference_kneser_ney(n: int, discount: float) -> None:
    rng = np.random.default_rng(n)
    v = 30
    train = [rng.integers(0, 12, size=rng.integers(0, 25)) for _ in range(60)]  # ids 12..29 never seen
    evaluation = [rng.integers(0, 16, size=rng.integers(0, 25)) for _ in range(30)]  # unseen ids and contexts
    ref = _reference_kn(train, n, v, discount)
    m = NgramModel(train, n, v, discount)
    for hist in ([], [3], [0, 1], [5, 14], [29, 29, 29], [1, 2, 3]):
        h = tuple(([v] * (n - 1) + hist)[len(hist):]) if n > 1 else ()  # BOS-padded, last n-1 ids
        expected = [ref(h, w) for w in range(v)]
        assert m.prob(hist, np.arange(v)) == pytest.approx(expected, rel=1e-12)
    expected_bits = []
    for s in evaluation:
        padded = [v] * (n - 1) + [int(x) for x in s]
        logs = [-math.log2(ref(tuple(padded[i : i + n - 1]), padded[i + n - 1])) for i in range(len(s))]
        expected_bits.append(sum(logs))
    assert m.sentence_bits(evaluation) == pytest.approx(expected_bits, rel=1e-12)


def test_one_fit_serves_every_order_exactly() -> None:
    # the metric fits order 3 once and reads orders 1 and 2 off it: bit-identical to separate models
    from tokbench.metrics.ngram_bpb import _fit_levels, _locate, _Stream

    rng = np.random.default_rng(7)
    v = 40
    train = [rng.integers(0, 25, size=rng.integers(0, 40)) for _ in range(80)]
    evaluation = [rng.integers(0, 30, size=rng.integers(0, 40)) for _ in range(50)]
    tr, ev = _Stream.of(train), _Stream.of(evaluation)
    levels = _fit_levels(tr, 3, v)
    queries = _locate(levels, ev.top_keys(3, v), v)
    for n in (1, 2, 3):
        shared = NgramModel._from_levels(levels, n, v, 0.0, len(tr.ids))._stream_bits(ev, queries[:n])
        alone = NgramModel(train, n, v).sentence_bits(evaluation)
        assert np.array_equal(shared, alone)


def test_hash_codes_first_appearance_and_known_prefix() -> None:
    from tokbench.metrics.ngram_bpb import _factorize

    rng = np.random.default_rng(3)
    # structured keys (as k-gram keys are: digits of a base) with many repeats; enough to grow the table
    values = rng.integers(0, 50, size=20_000) * 50_001**2 + rng.integers(0, 300, size=20_000)
    known = np.unique(rng.choice(values, 500))[::-1].copy()  # distinct, not sorted ascending
    codes, uniq = _factorize(values, known)
    index = {int(x): i for i, x in enumerate(known)}
    for x in values.tolist():
        index.setdefault(x, len(index))
    assert uniq.tolist() == list(index)
    assert codes.tolist() == [index[x] for x in values.tolist()]
    empty_codes, empty_uniq = _factorize(np.zeros(0, dtype=np.int64))
    assert len(empty_codes) == 0 and len(empty_uniq) == 0


def test_metric_equals_separate_models_on_udhr() -> None:
    # the metric's cached shared fit (half/half protocol on one split) against the public API per order
    from tokbench.corpora import load_corpus
    from tokbench.tokenizers import load_tokenizer

    view = CorpusView(load_corpus("udhr"))
    tok = load_tokenizer("cl100k_base")
    ctx = MetricContext(tok, view, ["eng_Latn", "tur_Latn"])
    split = view.default_split()
    for n in (1, 2, 3):
        rows = _run(ctx, f"ngram_bpb.{n}", bootstrap=0)
        for row in rows[:-1]:
            ids, off = ctx.sentence_ids(split, row["language"])
            sents = [ids[off[i] : off[i + 1]] for i in range(len(off) - 1)]
            nbytes = view.sentence_counts(split, row["language"])["bytes"].astype(np.float64)
            expected = bits_per_byte(sents[0::2], sents[1::2], nbytes[1::2], n, int(tok.vocab_size))
            assert row["value"] == expected
