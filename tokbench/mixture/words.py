"""Pre-tokenize a category sample exactly as the tokenizer does and count its words.

Words are kept per document so that bootstrap replicates (documents resampled with
replacement) are a reweighting of the same word table, with no second pre-tokenization.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from tokbench.errors import TokbenchError


@dataclass
class CategoryWords:
    """Distinct words of one category sample and, per document, which words it holds."""

    name: str
    words: list[bytes]
    doc_word_ids: np.ndarray  # int32, all word occurrences, document after document
    doc_offsets: np.ndarray  # int64[D+1]
    doc_bytes: np.ndarray  # int64[D], UTF-8 bytes of each document (byte-space conversion)

    @property
    def n_docs(self) -> int:
        return len(self.doc_bytes)

    def counts(self, doc_weights: np.ndarray | None = None) -> np.ndarray:
        """Word counts, optionally with each document counted ``doc_weights[d]`` times."""
        if doc_weights is None:
            return np.bincount(self.doc_word_ids, minlength=len(self.words)).astype(np.int64)
        per_occ = np.repeat(doc_weights.astype(np.int64), np.diff(self.doc_offsets))
        return np.bincount(self.doc_word_ids, weights=per_occ, minlength=len(self.words)).astype(np.int64)

    def n_bytes(self, doc_weights: np.ndarray | None = None) -> int:
        if doc_weights is None:
            return int(self.doc_bytes.sum())
        return int((self.doc_bytes * doc_weights).sum())


def count_words(
    name: str, docs: Iterable[str], pre_tokenize: Callable[[str], list[bytes]]
) -> CategoryWords:
    """Pre-tokenize every document (the tokenizer's own normalizer + pre-tokenizer) and index words.

    A document's byte size is taken from its text, not its words, so a pre-tokenizer that leaves
    words out (a diagnostic filter) still converts to byte space over the whole sample."""
    index: dict[bytes, int] = {}
    ids: list[int] = []
    offsets = [0]
    nbytes: list[int] = []
    for doc in docs:
        if not doc:
            continue
        for w in pre_tokenize(doc):
            if w:
                i = index.get(w)
                if i is None:
                    i = index[w] = len(index)
                ids.append(i)
        offsets.append(len(ids))
        nbytes.append(len(doc.encode("utf-8")))
    if not ids:
        raise TokbenchError(f"category {name!r} is empty: give it a non-empty text sample")
    return CategoryWords(
        name=name,
        words=list(index),
        doc_word_ids=np.asarray(ids, np.int32),
        doc_offsets=np.asarray(offsets, np.int64),
        doc_bytes=np.asarray(nbytes, np.int64),
    )


def split_documents(text: str, target_chars: int = 2000) -> list[str]:
    """Cut one long text into documents (paragraph boundaries, ~target_chars) for the bootstrap."""
    paras = text.split("\n")
    docs: list[str] = []
    cur: list[str] = []
    size = 0
    for p in paras:
        cur.append(p)
        size += len(p) + 1
        if size >= target_chars:
            docs.append("\n".join(cur) + "\n")
            cur, size = [], 0
    if cur and any(cur):
        docs.append("\n".join(cur))
    return docs
