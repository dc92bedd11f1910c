"""The `local` executor: this machine, one group at a time.

By default each tokenizer (all its corpora) runs in a child process (when the plan has several tokenizers
and the standard loaders are used): a loaded 256k-vocabulary tokenizer keeps ~500 MB that the
allocator does not hand back, so a 26-tokenizer grid in one process peaks at ~1.3 GB, while a
child returns everything when it exits. Children come from a forkserver that has already imported
tokbench (a start costs ~0.1 s plus loading the corpus, not a fresh interpreter's imports), and
are never forked from a parent whose Rust or OpenMP threads are running.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from tokbench.errors import TokbenchError
from tokbench.executors.base import Executor, register_executor
from tokbench.executors.work import Group, Result, by_tokenizer, run_group, run_tokenizer, worker_settings
from tokbench.metrics import CorpusView

_PRELOAD = ["tokbench.executors.work", "tokbench.corpora", "tokbench.corpora.loaders", "datasets"]


@register_executor("local")
class LocalExecutor(Executor):
    name = "local"

    def __init__(
        self,
        isolate: bool = True,
        load_tokenizer: Callable[[str], Any] | None = None,
        load_corpus: Callable[[str], Any] | None = None,
        encode: Callable[[Any, list[str]], Any] | None = None,
    ) -> None:
        from tokbench.corpora import load_corpus as std_corpus
        from tokbench.tokenizers import load_tokenizer as std_tokenizer

        self.load_tokenizer = load_tokenizer or std_tokenizer
        self.load_corpus = load_corpus or std_corpus
        self.encode = encode
        # loaders injected by a caller (tests) cannot cross a process boundary
        self.standard = self.load_tokenizer is std_tokenizer and self.load_corpus is std_corpus and encode is None
        self.isolate = isolate

    def run(self, plan: list[Group], langs: tuple[str, ...] | None) -> Iterator[Result]:
        if self.isolate and self.standard and len({tok for _, tok, _ in plan}) > 1:
            return self._in_children(plan, langs)
        return self._here(plan, langs)

    def _here(self, plan: list[Group], langs: tuple[str, ...] | None) -> Iterator[Result]:
        views: dict[str, CorpusView] = {}  # corpora are small next to tokenizers: keep each loaded once

        def view(name: str) -> CorpusView:
            if name not in views:
                views[name] = CorpusView(self.load_corpus(name))
            return views[name]

        for tok_name, groups in by_tokenizer(plan):
            yield from run_tokenizer(tok_name, groups, langs, self.load_tokenizer, view, self.encode)

    def _in_children(self, plan: list[Group], langs: tuple[str, ...] | None) -> Iterator[Result]:
        mp = multiprocessing.get_context("forkserver")
        mp.set_forkserver_preload(_PRELOAD)
        data_dirs, env = worker_settings()
        for tok_name, groups in by_tokenizer(plan):
            with ProcessPoolExecutor(1, mp_context=mp) as pool:
                fut = pool.submit(run_group, tok_name, groups, langs, data_dirs, env)
                try:
                    done = fut.result()
                except BrokenProcessPool:
                    raise TokbenchError(
                        f"the process computing {tok_name} died (out of memory?); cells finished before it are "
                        "saved: run the same command again to resume, or with --in-process"
                    ) from None
            yield from done
