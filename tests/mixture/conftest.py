"""Small, self-contained mixtures: synthetic 'languages' with disjoint word distributions and a
byte-level BPE trained on a known blend of them (seconds, no shared assets needed)."""

from __future__ import annotations

import numpy as np
import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from tokbench.tokenizers.hf import from_rust

ALPHABETS = {"aa": "aeiklmnoprstu", "bb": "bdfghjvwxyzq", "cc": "αβγδεζηθικλμν"}
TRUE = {"aa": 0.5, "bb": 0.3, "cc": 0.2}


def make_language(alphabet: str, seed: int, n_words: int = 400) -> list[str]:
    rng = np.random.default_rng(seed)
    lens = rng.integers(2, 8, n_words)
    return ["".join(rng.choice(list(alphabet), k)) for k in lens]


def sample_docs(vocab: list[str], n_docs: int, seed: int, words_per_doc: int = 30) -> list[str]:
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, len(vocab) + 1)
    p /= p.sum()
    return [" ".join(rng.choice(vocab, words_per_doc, p=p)) for _ in range(n_docs)]


@pytest.fixture(scope="session")
def synthetic() -> dict:
    vocabs = {k: make_language(a, i) for i, (k, a) in enumerate(ALPHABETS.items())}
    samples = {k: sample_docs(v, 200, 100 + i) for i, (k, v) in enumerate(vocabs.items())}
    # training data: the same per-language distribution, byte shares TRUE
    rng = np.random.default_rng(7)
    train: list[str] = []
    budget = 400_000
    for i, (k, v) in enumerate(vocabs.items()):
        got = 0
        docs = sample_docs(v, 4000, 200 + i)
        j = 0
        while got < TRUE[k] * budget:
            train.append(docs[j % len(docs)])
            got += len(docs[j % len(docs)].encode())
            j += 1
    rng.shuffle(train)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=256 + 300, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False
    )
    tok.train_from_iterator(train, trainer)
    return {"tok": tok, "src": from_rust(tok, "synthetic"), "samples": samples, "train": train, "true": TRUE}
