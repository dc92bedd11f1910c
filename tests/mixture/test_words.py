"""count_words with a pre-tokenizer that leaves words out: those words are gone from the counts, and
documents are still counted in full bytes."""

from __future__ import annotations

import numpy as np
from tokenizers import Tokenizer, models, pre_tokenizers

from tokbench.corpora import load_corpus
from tokbench.mixture.words import count_words
from tokbench.tokenizers.hf import from_rust


def _pre():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    return from_rust(tok, "bytelevel").pre_tokenize


def test_words_left_out_by_the_pre_tokenizer_keep_document_bytes(shared_assets):
    docs = load_corpus("code_samples").texts("samples", "kotlin")[:3]
    pre = _pre()
    full = count_words("kotlin", docs, pre)
    kept = count_words("kotlin", docs, lambda d: [w for w in pre(d) if not w.isspace()])
    # indentation runs are words of their own in the GPT-2 pattern, and Kotlin has plenty
    assert any(w.isspace() for w in full.words)
    assert not any(w.isspace() for w in kept.words)
    # byte-space conversion still sees the whole documents
    assert kept.n_bytes() == full.n_bytes() == sum(len(d.encode()) for d in docs)
    assert np.array_equal(kept.doc_bytes, full.doc_bytes)
    # every other word keeps its count
    fc = dict(zip(full.words, full.counts(), strict=True))
    kc = dict(zip(kept.words, kept.counts(), strict=True))
    assert kc == {w: c for w, c in fc.items() if not w.isspace()}
    # the words of a ByteLevel pre-tokenizer tile the document: the dropped ones are exactly the gap
    ws = sum(len(w) * c for w, c in fc.items() if w.isspace())
    assert sum(len(w) * c for w, c in kc.items()) + ws == full.n_bytes()
