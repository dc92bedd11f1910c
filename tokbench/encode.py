"""Encode once: every metric reads token ids from here, never from the tokenizer directly.

`encode_texts` returns the ids of a list of texts, from the content-addressed cache when it
can; `encode_cells` fills the cache for many text lists at once (a corpus × languages grid),
optionally across a process pool, with a tqdm progress bar.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from tqdm.auto import tqdm

from tokbench.cache import EncodeCache, cache_key, texts_sha256
from tokbench.errors import TokbenchError
from tokbench.tokenizers.base import Tokenizer


@dataclass(frozen=True)
class Encoded:
    """Token ids of n documents: doc i is `ids[doc_offsets[i]:doc_offsets[i + 1]]`."""

    ids: np.ndarray
    doc_offsets: np.ndarray
    key: str

    @property
    def n_docs(self) -> int:
        return len(self.doc_offsets) - 1

    @property
    def n_tokens(self) -> int:
        return int(self.doc_offsets[-1])

    @cached_property
    def counts(self) -> np.ndarray:
        """Tokens per document."""
        return np.diff(self.doc_offsets)

    def doc(self, i: int) -> np.ndarray:
        return self.ids[self.doc_offsets[i] : self.doc_offsets[i + 1]]


_memo: dict[str, Encoded] = {}
_MEMO_MAX = 4096


def _check_texts(texts: Sequence[str]) -> None:
    if not isinstance(texts, Sequence) or isinstance(texts, str):
        raise TypeError("encode_texts takes a sequence of strings")


def encode_texts(
    tokenizer: Tokenizer, texts: Sequence[str], *, cache: EncodeCache | None = None, use_cache: bool = True
) -> Encoded:
    """Ids of `texts` (no special tokens), read from or written to the encode cache."""
    _check_texts(texts)
    key = cache_key(tokenizer.cache_key, texts_sha256(texts))
    if use_cache and key in _memo:
        return _memo[key]
    store = cache or EncodeCache()
    hit = store.get(key, len(texts), tokenizer.vocab_size) if use_cache else None
    if hit is None:
        ids, offsets = tokenizer.encode_flat(texts)
        if use_cache:
            store.put(key, ids, offsets)
    else:
        ids, offsets = hit
    enc = Encoded(ids, offsets, key)
    if use_cache:
        if len(_memo) >= _MEMO_MAX:
            _memo.clear()
        _memo[key] = enc
    return enc


# --- many cells, optionally in worker processes ---------------------------------------------
_worker_tok: Tokenizer | None = None


def _init_worker(tokenizer_ref: str) -> None:
    global _worker_tok
    from tokbench.tokenizers import load_tokenizer

    _worker_tok = load_tokenizer(tokenizer_ref)


def _encode_in_worker(texts: list[str]) -> str:
    assert _worker_tok is not None
    return encode_texts(_worker_tok, texts).key


def encode_cells(
    tokenizer: Tokenizer,
    cells: Mapping[str, Sequence[str]],
    *,
    jobs: int = 1,
    tokenizer_ref: str | None = None,
    quiet: bool = False,
    desc: str = "encode",
) -> dict[str, Encoded]:
    """Encode every cell (name → texts) once; cached cells are read, the rest encoded.

    With jobs > 1 the missing cells are encoded in a process pool whose workers load the
    tokenizer by `tokenizer_ref` (its registered name or path) and write the cache; the
    parent then reads the results. The libraries already use all cores inside one batch, so
    jobs=1 is the default and the pool pays off for many small cells.
    """
    store = EncodeCache()
    out: dict[str, Encoded] = {}
    todo: list[str] = []
    for name, texts in cells.items():
        _check_texts(texts)
        if not texts:
            raise TokbenchError(f"cell {name!r} has no documents; the corpus or language selection is empty")
        key = cache_key(tokenizer.cache_key, texts_sha256(texts))
        hit = _memo.get(key)
        if hit is None:
            arrays = store.get(key, len(texts), tokenizer.vocab_size)
            if arrays is not None:
                hit = Encoded(arrays[0], arrays[1], key)
                _memo[key] = hit
        if hit is not None:
            out[name] = hit
        else:
            todo.append(name)
    bar = tqdm(total=len(todo), desc=f"{desc} {tokenizer.name}", disable=quiet or not todo, unit="cell")
    if jobs > 1 and len(todo) > 1 and tokenizer_ref:
        workers = min(jobs, len(todo), os.cpu_count() or 1)
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(tokenizer_ref,)) as pool:
            futures = {pool.submit(_encode_in_worker, list(cells[n])): n for n in todo}
            for fut in as_completed(futures):
                fut.result()
                bar.update()
        for name in todo:
            out[name] = encode_texts(tokenizer, cells[name], cache=store)
    else:
        for name in todo:
            out[name] = encode_texts(tokenizer, cells[name], cache=store)
            bar.update()
    bar.close()
    return {name: out[name] for name in cells}
