"""tokbench.mixture.separation on real code samples: split-half noise against nearest-other distance."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from tokenizers import Tokenizer, models, pre_tokenizers

from tokbench.corpora import load_corpus
from tokbench.mixture.separation import pair_counts, separation, total_variation
from tokbench.mixture.words import count_words
from tokbench.tokenizers.hf import from_rust


def _bytelevel() -> Tokenizer:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    return tok


@pytest.fixture(scope="module")
def counted(shared_assets):
    pre = from_rust(_bytelevel(), "bytelevel").pre_tokenize
    cs = load_corpus("code_samples")
    return {x: count_words(x, [d for d in cs.texts("samples", x) if d.strip()], pre) for x in ("c", "cpp", "go")}


def test_total_variation_bounds():
    p = Counter({b"ab": 3, b"cd": 1})
    assert total_variation(p, Counter({b"ab": 6, b"cd": 2})) == pytest.approx(0.0)
    assert total_variation(p, Counter({b"xy": 5})) == pytest.approx(1.0)
    assert total_variation(p, Counter({b"ab": 1, b"cd": 1})) == pytest.approx(0.25)


def test_pair_counts_are_in_word_byte_pairs(counted):
    cw = counted["go"]
    total = pair_counts(cw)
    # a word of n bytes holds n - 1 pairs; no pair crosses a word boundary
    expect = int(sum((len(w) - 1) * c for w, c in zip(cw.words, cw.counts(), strict=True) if len(w) > 1))
    assert sum(total.values()) == expect
    idx = np.arange(cw.n_docs)
    assert pair_counts(cw, idx[0::2]) + pair_counts(cw, idx[1::2]) == total


def test_code_samples_are_barely_separable(counted):
    seps = {s.name: s for s in separation(counted)}
    # C and C++ (both from llama.cpp) are each other's nearest category
    assert seps["c"].nearest == "cpp" and seps["cpp"].nearest == "c"
    for s in seps.values():
        assert 0 < s.split_half < 1 and 0 < s.nearest_tv < 1
        # measured 0.51-0.71 here (FLORES languages: ~0.06): sample noise is of the
        # order of the distance between categories
        assert s.ratio > 0.3


def test_flores_languages_separate_far_better_than_code(shared_assets, counted):
    """The contrast of reports/mixture/code.md: same-script FLORES languages vs code languages."""
    fl = load_corpus("flores200")
    pre = from_rust(_bytelevel(), "bytelevel").pre_tokenize
    langs = {x: count_words(x, fl.texts("devtest", x), pre) for x in ("eng_Latn", "fra_Latn", "deu_Latn")}
    text = max(s.ratio for s in separation(langs))
    code = min(s.ratio for s in separation(counted))
    # measured: English/French/German 0.11-0.13 (same script, one parallel text); C/C++/Go 0.51-0.71
    assert text < 0.2 < 0.4 < code


def test_nearest_distance_is_the_pairwise_total_variation(counted):
    # separation() computes all distances at once from a dense matrix; each must be the Counter one
    full = {x: pair_counts(cw) for x, cw in counted.items()}
    for s in separation(counted):
        others = {y: total_variation(full[s.name], full[y]) for y in full if y != s.name}
        assert s.nearest == min(others, key=others.get)
        assert s.nearest_tv == pytest.approx(others[s.nearest], abs=1e-6)


def test_char_unit_counts_character_pairs(shared_assets):
    """SentencePiece merges characters: a Han word of n characters holds n - 1 pairs, not 3n - 1."""
    pre = from_rust(_bytelevel(), "bytelevel").pre_tokenize
    fl = load_corpus("flores200")
    cats = {x: count_words(x, fl.texts("devtest", x)[:200], pre) for x in ("zho_Hans", "jpn_Jpan")}
    zh = cats["zho_Hans"]
    chars = [w.decode("utf-8", errors="replace") for w in zh.words]
    expect = int(sum((len(w) - 1) * c for w, c in zip(chars, zh.counts(), strict=True) if len(w) > 1))
    got = pair_counts(zh, unit="char")
    assert sum(got.values()) == expect
    assert sum(got.values()) < sum(pair_counts(zh).values())
    assert all(isinstance(k, str) and len(k) == 2 for k in got)
    # in bytes, Chinese and Japanese share the UTF-8 lead/continuation-byte pairs of the CJK block;
    # in characters only shared Han characters make them alike, so they sit further apart
    far_bytes = separation(cats)[0].nearest_tv
    far_chars = separation(cats, "char")[0].nearest_tv
    assert far_chars > far_bytes
    with pytest.raises(ValueError, match="unit"):
        pair_counts(zh, unit="word")
