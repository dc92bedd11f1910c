"""The accelerators' bindings cache a str's UTF-8 form inside the object; a corpus's texts must come back from
an accelerated encode the size they went in (tokbench.tokenizers.base.native_copies)."""

from __future__ import annotations

import sys

import pytest

from tokbench.backends.base import ACCELERATORS
from tokbench.tokenizers import load_tokenizer

CASES = [("gigatoken", "qwen3"), ("gigatoken", "mistral_v1"), ("fastokens", "cl100k_base"),
         ("word_memo", "bert_base_uncased")]  # fmt: skip


@pytest.mark.parametrize(("accelerator", "name"), CASES)
def test_an_accelerated_encode_leaves_the_texts_as_they_were(accelerator: str, name: str) -> None:
    if accelerator not in ACCELERATORS or ACCELERATORS.get(accelerator).version is None:
        pytest.skip(f"{accelerator} is not installed")
    enc = ACCELERATORS.get(accelerator).load(load_tokenizer(name))
    assert not isinstance(enc, str), enc
    texts = [f"Tüm insanlar hür doğarlar {i}." for i in range(5)] + ["人人生而自由", "ascii only", ""]
    before = [sys.getsizeof(t) for t in texts]
    ids, offsets = enc.encode_flat(texts)
    assert len(offsets) == len(texts) + 1 and len(ids) > 0
    assert [sys.getsizeof(t) for t in texts] == before
