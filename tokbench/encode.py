"""Encode once: every metric reads token ids from here, never from the tokenizer directly.

`encode_texts` returns the ids of a list of texts, from the content-addressed cache when it
can; `encode_cells` fills the cache for many text lists at once (a corpus × languages grid),
optionally across a process pool, with a tqdm progress bar.

On a cache miss the ids come from `tokbench.backends.encode`: the reference library, or a faster
accelerator that holds a certificate for this exact tokenizer file and is spot-checked on every call
(`--backend`, `--verify`). The cache key does not name the encoder: the ids are the same.
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from tokbench import backends, heap
from tokbench.cache import EncodeCache, cache_key, texts_sha256
from tokbench.errors import TokbenchError
from tokbench.progress import progress
from tokbench.tokenizers.base import Tokenizer, flatten_batch

log = logging.getLogger(__name__)


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


class _Memo(OrderedDict[str, Encoded]):
    """In-process LRU of recent encodings, bounded by the bytes of their arrays (peak memory)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__()
        self.max_bytes = max_bytes
        self.bytes = 0

    def get(self, key: str, default: Encoded | None = None) -> Encoded | None:  # type: ignore[override]
        if key in self:
            self.move_to_end(key)
            return self[key]
        return default

    def put(self, key: str, enc: Encoded) -> None:
        if key in self:
            return
        self[key] = enc
        self.bytes += enc.ids.nbytes + enc.doc_offsets.nbytes
        while self.bytes > self.max_bytes and len(self) > 1:
            _, old = self.popitem(last=False)
            self.bytes -= old.ids.nbytes + old.doc_offsets.nbytes

    def pop(self, key: str, default: Encoded | None = None) -> Encoded | None:  # type: ignore[override]
        enc = super().pop(key, None)
        if enc is None:
            return default
        self.bytes -= enc.ids.nbytes + enc.doc_offsets.nbytes
        return enc

    def clear(self) -> None:
        super().clear()
        self.bytes = 0


_memo = _Memo(max_bytes=int(os.environ.get("TOKBENCH_MEMO_MB", "256")) << 20)


def clear_memo() -> None:
    """Forget every in-process encoding (they stay in the disk cache, once the background writes this
    waits for are done) and the loaded accelerators (their certificates stay on disk); call between
    tokenizers."""
    flush_writes()
    _memo.clear()
    backends.reset()


def release_encodings() -> None:
    """clear_memo(), then collect and hand freed heap pages back to the OS (glibc's malloc_trim): between the
    tokenizers of a long loop (a run's group, a report's anatomy and viewer), so the peak of every earlier
    tokenizer does not stay resident (the memo alone kept > 1 GB on the full grid; the tokenizer libraries'
    per-thread arenas keep freed pages otherwise)."""
    clear_memo()
    heap.trim()


def forget(key: str) -> None:
    """Forget one in-process encoding once its statistics are taken (it stays in the disk cache)."""
    _memo.pop(key, None)


def _check_texts(texts: Sequence[str]) -> None:
    if not isinstance(texts, Sequence) or isinstance(texts, str):
        raise TypeError("encode_texts takes a sequence of strings")


def encode_texts(
    tokenizer: Tokenizer,
    texts: Sequence[str],
    *,
    cache: EncodeCache | None = None,
    use_cache: bool = True,
    key: str | None = None,
    writer: ThreadPoolExecutor | None = None,
    label: str | None = None,
) -> Encoded:
    """Ids of `texts` (no special tokens), read from or written to the encode cache.

    `key` skips re-hashing when the caller has it; `writer` writes the cache file in the
    background while the caller encodes the next texts; `label` names the texts (corpus/split/lang)
    in a verification message.
    """
    _check_texts(texts)
    key = key or cache_key(tokenizer.cache_key, texts_sha256(texts))
    if use_cache and (hit := _memo.get(key)) is not None:
        return hit
    store = cache or EncodeCache()
    hit = store.get(key, len(texts), tokenizer.vocab_size) if use_cache else None
    if hit is None:
        ids, offsets = backends.encode(tokenizer, texts, label)
        if use_cache:
            if writer is not None:
                writer.submit(store.put, key, ids, offsets).add_done_callback(_log_write_error)
            else:
                store.put(key, ids, offsets)
    else:
        ids, offsets = hit
    enc = Encoded(ids, offsets, key)
    if use_cache:
        _memo.put(key, enc)
    return enc


def _log_write_error(fut: Future) -> None:
    if (err := fut.exception()) is not None:
        log.warning("could not write an encode cache entry (%s); results are unaffected, it will be recomputed", err)


# --- cache files written in the background -------------------------------------------------
# One writer thread per process: a cell's ids go to disk while the next cells encode. Callers that
# need the files (a process about to exit, a test) call flush_writes(); clear_memo() does.
_writer: ThreadPoolExecutor | None = None
_pending: list[tuple[Future, int]] = []  # (write, bytes it holds)
_PENDING_MAX_BYTES = 256 << 20  # more than this queued: wait (bounds the memory held for writing)


def write_in_background(store: EncodeCache, key: str, ids: np.ndarray, offsets: np.ndarray) -> None:
    """store.put(key, ids, offsets) on the writer thread (errors logged, never raised)."""
    global _writer
    if _writer is None:
        _writer = ThreadPoolExecutor(1, thread_name_prefix="tokbench-cache-write")
    fut = _writer.submit(store.put, key, ids, offsets)
    fut.add_done_callback(_log_write_error)
    _pending.append((fut, ids.nbytes + offsets.nbytes))
    _pending[:] = [(f, n) for f, n in _pending if not f.done()]
    while _pending and sum(n for _, n in _pending) > _PENDING_MAX_BYTES:
        _pending.pop(0)[0].result()


def flush_writes() -> None:
    """Wait until every background cache write of this process has finished."""
    while _pending:
        fut, _ = _pending.pop(0)
        fut.exception()  # waits; an error was logged by its callback


def _forget_writer_after_fork() -> None:
    global _writer
    _writer = None  # the thread does not exist in a forked child
    _pending.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_writer_after_fork)


def is_encoded(key: str) -> bool:
    """Whether the ids under `key` are in this process's memo or the disk cache (not checked here)."""
    return key in _memo or EncodeCache().path(key).is_file()


def encode_many(
    tokenizer: Tokenizer,
    cells: Sequence[Sequence[str]],
    *,
    keys: Sequence[str] | None = None,
    labels: Sequence[str | None] | None = None,
    cache: EncodeCache | None = None,
    remember: bool = False,
) -> list[Encoded]:
    """Ids of several text lists (cells), each under its own cache key as `encode_texts` would store
    it; the cells that miss the cache are encoded in ONE encoder call, so a multi-threaded encoder
    has work for every core (one Petrov document per language is a batch of one), and each cell is
    spot-checked as if alone. Cache files are written in the background. `keys` skips hashing when
    the caller has them; `remember` keeps the results in the in-process memo (off: the caller
    reduces them at once)."""
    for texts in cells:
        _check_texts(texts)
    keys = list(keys) if keys is not None else [cache_key(tokenizer.cache_key, texts_sha256(t)) for t in cells]
    store = cache or EncodeCache()
    out: list[Encoded | None] = [None] * len(cells)
    todo: list[int] = []
    for i, (texts, key) in enumerate(zip(cells, keys, strict=True)):
        hit = _memo.get(key)
        if hit is None and (arrays := store.get(key, len(texts), tokenizer.vocab_size)) is not None:
            hit = Encoded(arrays[0], arrays[1], key)
        if hit is None:
            todo.append(i)
        else:
            out[i] = hit
    if todo:
        flat = [t for i in todo for t in cells[i]]
        starts = np.zeros(len(todo) + 1, dtype=np.int64)
        np.cumsum([len(cells[i]) for i in todo], out=starts[1:])
        names = [labels[i] if labels is not None else None for i in todo]
        ids, offsets = backends.encode(tokenizer, flat, None, groups=(starts.tolist(), names))
        del flat
        for j, i in enumerate(todo):
            off = offsets[starts[j] : starts[j + 1] + 1]
            enc = Encoded(ids[off[0] : off[-1]], off - off[0], keys[i])
            write_in_background(store, enc.key, enc.ids, enc.doc_offsets)
            out[i] = enc
    encoded = [e for e in out if e is not None]
    if remember:
        for e in encoded:
            _memo.put(e.key, e)
    return encoded


# --- many cells, optionally in worker processes ---------------------------------------------
_worker_tok: Tokenizer | None = None


def _init_worker(tokenizer_ref: str) -> None:
    global _worker_tok
    from tokbench.tokenizers import load_tokenizer

    _worker_tok = load_tokenizer(tokenizer_ref)


def _encode_in_worker(texts: list[str], label: str) -> str:
    assert _worker_tok is not None
    return encode_texts(_worker_tok, texts, label=label).key


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
    keys: dict[str, str] = {}
    for name, texts in cells.items():
        _check_texts(texts)
        if not texts:
            raise TokbenchError(f"cell {name!r} has no documents; the corpus or language selection is empty")
        key = keys[name] = cache_key(tokenizer.cache_key, texts_sha256(texts))
        hit = _memo.get(key)
        if hit is None:
            arrays = store.get(key, len(texts), tokenizer.vocab_size)
            if arrays is not None:
                hit = Encoded(arrays[0], arrays[1], key)
                _memo.put(key, hit)
        if hit is not None:
            out[name] = hit
        else:
            todo.append(name)
    bar = progress(total=len(todo), desc=f"{desc} {tokenizer.name}", disable=quiet or not todo, unit="cell")
    if jobs > 1 and len(todo) > 1 and tokenizer_ref:
        workers = min(jobs, len(todo), os.cpu_count() or 1)
        with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(tokenizer_ref,)) as pool:
            futures = {pool.submit(_encode_in_worker, list(cells[n]), n): n for n in todo}
            for fut in as_completed(futures):
                fut.result()
                bar.update()
        for name in todo:
            out[name] = encode_texts(tokenizer, cells[name], cache=store, key=keys[name])
    else:
        # a two-stage pipeline: the library encodes cell k+1 in a thread (it releases the GIL)
        # while this thread flattens cell k, and a third writes the cache files
        def encode(name: str) -> Any:
            return backends.encode(tokenizer, cells[name], name, flat=False)

        with ThreadPoolExecutor(1) as encoder, ThreadPoolExecutor(1) as writer:
            pending = encoder.submit(encode, todo[0]) if todo else None
            for i, name in enumerate(todo):
                assert pending is not None
                batch = pending.result()
                if i + 1 < len(todo):
                    pending = encoder.submit(encode, todo[i + 1])
                ids, offsets = batch if isinstance(batch, tuple) else flatten_batch(batch)
                del batch
                writer.submit(store.put, keys[name], ids, offsets).add_done_callback(_log_write_error)
                out[name] = Encoded(ids, offsets, keys[name])
                _memo.put(keys[name], out[name])
                bar.update()
    bar.close()
    return {name: out[name] for name in cells}
