"""Tokenizer.encode_flat encodes a long batch in parts (bounded memory): the same arrays as one call."""

from __future__ import annotations

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
