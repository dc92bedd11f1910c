"""Tokenizer.encode_flat encodes a long batch in parts (bounded memory): the same arrays as one call; the
caller's texts are not grown by the library bindings' UTF-8 caches."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from tokbench.tokenizers import base, load_tokenizer


@pytest.mark.parametrize("name", ["cl100k_base", "r50k_base"])
def test_encode_flat_in_parts_equals_one_batch(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    tok = load_tokenizer(name)
    texts = ["Hello world. " * 40, "", "a", "Tüm insanlar hür doğarlar. " * 200, "人人生而自由", " \n\t "] * 50
    ids, off = base.flatten_batch(tok.encode_batch(texts))
    monkeypatch.setattr(base, "FLAT_CHUNK_CHARS", 3000)  # many parts, some ending on an empty text
    got_ids, got_off = tok.encode_flat(texts)
    assert got_ids.dtype == np.uint32 and got_off.dtype == np.int64
    assert np.array_equal(got_ids, ids) and np.array_equal(got_off, off)
    empty_ids, empty_off = tok.encode_flat([])
    assert len(empty_ids) == 0 and empty_off.tolist() == [0]


@pytest.mark.parametrize("name", ["qwen3", "cl100k_base", "mistral_v1", "xlm_roberta", "bert_base_uncased"])
def test_encoding_leaves_no_utf8_copy_on_the_caller_s_texts(name: str) -> None:
    """The bindings cache a str's UTF-8 form inside it; a corpus's texts must not carry one after an encode."""
    tok = load_tokenizer(name)
    texts = [f"Tüm insanlar hür doğarlar {i}." for i in range(5)] + ["人人生而自由", "ascii only", ""]
    before = [sys.getsizeof(t) for t in texts]
    tok.encode_flat(texts)
    for t in texts:
        tok.normalize(t)
    assert [sys.getsizeof(t) for t in texts] == before


def test_native_copies_are_equal_new_objects_only_where_not_ascii() -> None:
    texts = ["plain", "naïve", "", "人人", "e\u0301"]
    got = base.native_copies(texts)
    assert got == texts
    assert [a is b for a, b in zip(got, texts, strict=True)] == [True, False, True, False, False]
