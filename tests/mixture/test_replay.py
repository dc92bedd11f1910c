from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from tokbench.errors import TokbenchError
from tokbench.mixture.replay import WordTable, compile_merges, encode_words, replay
from tokbench.mixture.words import count_words


def brute_force(words: list[bytes], counts: np.ndarray, merges: list[tuple[bytes, bytes]], unit: str):
    """Naive replay: rescan all pair counts before every merge (the reference semantics)."""
    if unit == "byte":
        segs = [[bytes([b]) for b in w] for w in words]
    else:
        segs = [[c.encode() for c in w.decode()] for w in words]
    history = []
    for a, b in merges:
        c = Counter()
        for s, n in zip(segs, counts, strict=True):
            for x, y in zip(s, s[1:], strict=False):
                c[(x, y)] += int(n)
        history.append(c)
        for s in segs:
            i = 0
            while i < len(s) - 1:
                if s[i] == a and s[i + 1] == b:
                    s[i:i + 2] = [a + b]
                i += 1
    return history


def check_against_brute(words, counts, merges, unit, start=0):
    table = compile_merges(merges, unit, {ch for w in words for ch in w.decode()} if unit == "char" else None)
    flat, off = encode_words(words, table)
    r = replay(WordTable(flat, off, counts), table, start, len(merges))
    hist = brute_force(words, counts, merges, unit)
    id2b = table.id_to_bytes()
    cum: Counter = Counter()
    j = 0
    for t in range(start, len(merges)):
        rel = t - start
        while j < len(r.times) and r.times[j] <= rel:
            a, b = table.decode_key(r.keys[j])
            cum[(id2b[a], id2b[b])] += int(r.deltas[j])
            j += 1
        assert {k: v for k, v in cum.items() if v} == dict(hist[t]), f"pair counts differ before merge {t}"
        assert r.merged[rel] == hist[t].get(merges[t], 0)
    assert r.n_pairs == sum(hist[start].values())


def test_replay_matches_brute_force_on_trained_merges(synthetic):
    src = synthetic["src"]
    cw = count_words("aa", synthetic["samples"]["aa"] + synthetic["samples"]["cc"], src.pre_tokenize)
    check_against_brute(cw.words, cw.counts(), src.merges()[:120], "byte")
    check_against_brute(cw.words, cw.counts(), src.merges()[:120], "byte", start=40)


def test_replay_overlapping_runs():
    # "aaaa" / "aaa": left-to-right non-overlapping merging, naive pair counts
    words = [b"aaaa", b"aaa", b"abab", b"baaab"]
    counts = np.array([3, 2, 5, 1], np.int64)
    merges = [(b"a", b"a"), (b"aa", b"aa"), (b"a", b"b"), (b"ab", b"ab"), (b"b", b"aa")]
    check_against_brute(words, counts, merges, "byte")


def test_replay_char_unit():
    words = ["▁héllo", "▁hé", "héé"]
    words_b = [w.replace("▁", " ").encode() for w in words]
    merges = [(b"h", "é".encode()), (b" ", "hé".encode()), (b"l", b"l"), ("hé".encode(), "é".encode())]
    check_against_brute(words_b, np.array([4, 2, 1], np.int64), merges, "char")


def test_compile_rejects_unknown_tokens_and_cycles():
    with pytest.raises(TokbenchError, match="no earlier merge"):
        compile_merges([(b"ab", b"c")])
    with pytest.raises(TokbenchError, match="no earlier merge"):
        compile_merges([(b"ab", b"c"), (b"a", b"b"), (b"abc", b"x"), (b"a", b"bc")][2:])


def test_compile_drops_redundant_merges():
    # an HF conversion lists every split of a token; keep the first valid one per token
    t = compile_merges([(b" ", b" "), (b" ", b"   "), (b"  ", b"  "), (b"   ", b" "), (b" ", b"  ")])
    assert t.n_merges == 3  # "  ", "    ", "   "
    assert [t.id_to_bytes()[i] for i in t.result] == [b"  ", b"    ", b"   "]


def test_window_outside_merge_list():
    t = compile_merges([(b"a", b"b")])
    flat, off = encode_words([b"ab"], t)
    with pytest.raises(TokbenchError):
        replay(WordTable(flat, off, np.array([1], np.int64)), t, 0, 5)
