"""Mixture inference's per-category stages as tasks a worker can run; the LP stays on the driver.

Two stages per category, as `infer_mixture` runs them in-process: count the words (the tokenizer's
pre-tokenizer, so the worker loads the tokenizer by its spec: a registered name or a path valid
on the worker, never a pickled tokenizer object) and replay the merge list over those counts.
What travels: the category's documents out; its `CategoryWords` (distinct words, int arrays)
back; the compiled `MergeTable` (int arrays) out once per worker; each `Replay` (event arrays)
back. The counted words stay on the worker that counted them, so a replay needs no second
transfer of them. Both stages are the same functions the local path calls, so the LP's input is
identical, bit for bit, whichever executor ran them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from tokbench.errors import TokbenchError
from tokbench.mixture.replay import MergeTable, Replay, WordTable, encode_words, replay
from tokbench.mixture.words import CategoryWords, count_words


class CategoryStages(Protocol):
    """Where `infer_mixture` runs its per-category work (None = in this process, threads)."""

    def count(self, categories: Mapping[str, Sequence[str]]) -> list[CategoryWords]: ...

    def replay(
        self, words: Sequence[CategoryWords], table: MergeTable, start: int, stop: int,
        doc_weights: Sequence[np.ndarray | None] | None,
    ) -> list[Replay]: ...


@lru_cache(maxsize=2)
def _worker_tokenizer(spec: str, name: str | None) -> Any:
    """One load per worker process for all the categories it counts."""
    from tokbench.tokenizers import load_tokenizer

    return load_tokenizer(spec, name=name)


def _setup(data_dirs: list[str], env: dict[str, str]) -> None:
    from tokbench.datadirs import set_cli_data_dirs

    os.environ.update(env)
    set_cli_data_dirs(data_dirs)


def count_category(
    tok_spec: str, tok_name: str | None, name: str, docs: Sequence[str], data_dirs: list[str], env: dict[str, str]
) -> CategoryWords:
    """Stage 1 on a worker: the tokenizer loaded by spec, its trainer's words of one category counted."""
    from tokbench.mixture.infer import mixture_pre_tokenizer

    _setup(data_dirs, env)
    tok = _worker_tokenizer(tok_spec, tok_name)
    return count_words(name, docs, mixture_pre_tokenizer(tok))


def replay_category(
    words: CategoryWords, table: MergeTable, start: int, stop: int, doc_weights: np.ndarray | None = None
) -> Replay:
    """Stage 2: replay merges [0, stop) over one category's (optionally reweighted) word counts."""
    flat, off = encode_words(words.words, table)
    return replay(WordTable(flat, off, words.counts(doc_weights)), table, start, stop)


class DaskStages:
    """The per-category stages as Dask tasks: one count and one replay task per category."""

    def __init__(self, client: Any, tok_spec: str, tok_name: str | None = None) -> None:
        from tokbench.executors.work import worker_settings

        self.client = client
        self.tok_spec = tok_spec
        self.tok_name = tok_name
        self.data_dirs, self.env = worker_settings()
        self._counted: dict[int, Any] = {}  # id(CategoryWords) -> its future (the words stay on that worker)
        self._table: tuple[int, Any] | None = None

    def count(self, categories: Mapping[str, Sequence[str]]) -> list[CategoryWords]:
        futs = [
            self.client.submit(count_category, self.tok_spec, self.tok_name, name, list(docs),
                               self.data_dirs, self.env, pure=False)
            for name, docs in categories.items()
        ]  # fmt: skip
        words = self._gather(futs)
        self._counted = {id(cw): f for cw, f in zip(words, futs, strict=True)}
        return words

    def replay(
        self, words: Sequence[CategoryWords], table: MergeTable, start: int, stop: int,
        doc_weights: Sequence[np.ndarray | None] | None,
    ) -> list[Replay]:
        if self._table is None or self._table[0] != id(table):
            self._table = (id(table), self.client.scatter(table, broadcast=True))
        tfut = self._table[1]
        dws = doc_weights if doc_weights is not None else [None] * len(words)
        futs = [
            self.client.submit(replay_category, self._counted.get(id(cw), cw), tfut, start, stop, dw, pure=False)
            for cw, dw in zip(words, dws, strict=True)
        ]
        return self._gather(futs)

    @staticmethod
    def _gather(futs: list[Any]) -> list[Any]:
        try:
            return [f.result() for f in futs]
        except TokbenchError:
            raise
        except Exception as e:
            raise TokbenchError(f"a mixture task failed on the Dask cluster: {type(e).__name__}: {e}") from None
        finally:
            for f in futs:  # on an error or Ctrl-C nothing keeps running
                if not f.done():
                    f.cancel()
