"""The `local` executor: this machine, `--workers` tokenizers at once (default 2 with 2 cores or more).

By default each tokenizer (all its corpora) runs in a child process (when the plan has several tokenizers
and the standard loaders are used): a loaded 256k-vocabulary tokenizer keeps ~500 MB that the
allocator does not hand back, so a 26-tokenizer grid in one process peaks at ~1.3 GB, while a
child returns everything when it exits. Children come from a forkserver that has already imported
tokbench and loaded the plan's corpora, their texts and Petrov layouts (`tokbench.executors.warm`): a
start costs ~0.1 s, not a fresh interpreter's imports and a corpus load per tokenizer. Children are never
forked from a parent whose Rust or OpenMP threads are running.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
from collections.abc import Callable, Iterator
from typing import Any

from tokbench import heap
from tokbench.errors import TokbenchError
from tokbench.executors.base import Executor, register_executor, signals_deferred
from tokbench.executors.work import (
    WARM_ENV,
    Group,
    Result,
    by_tokenizer,
    run_group,
    run_tokenizer,
    warm_spec,
    worker_settings,
)
from tokbench.metrics import CorpusView

# imported once by the forkserver, inherited by every child; `warm` (last) loads the plan's corpora and manifests
_PRELOAD = ["tokbench.executors.work", "tokbench.corpora", "tokbench.corpora.loaders", "datasets", "numba",
            "tokbench.backends", "gigatoken", "awkward", "tokbench.executors.warm"]
_BLAS_THREADS = "OPENBLAS_NUM_THREADS"
_STOP_SECONDS = 5.0  # a child gets this long after SIGTERM before SIGKILL
_EXIT_SECONDS = 60.0  # a child that sent its results gets this long to exit by itself


def _child_main(conn: Any, tok_name: str, groups: list[tuple[str, list[Any]]], langs: tuple[str, ...] | None,
                data_dirs: list[str], env: dict[str, str]) -> None:
    """A child's whole life: compute one tokenizer's groups, send ("ok", results) or ("error", message).
    Ctrl-C reaches the whole terminal process group; the driver alone handles it and stops this child with
    SIGTERM, which unwinds it (its finalizers unregister what it holds with the resource tracker)."""
    child_signals()
    heap.cap_arenas()
    stopped = SystemExit(128 + signal.SIGTERM)
    try:
        msg: tuple[str, Any] = ("ok", run_group(tok_name, groups, langs, data_dirs, env, release=False))
    except TokbenchError as e:
        msg = ("error", str(e))
    except BaseException:
        # the SystemExit raised by the handler can surface as another exception: inside a C extension's
        # import it becomes "ImportError: initialization failed", which multiprocessing would print with a
        # traceback. A stop that was asked for exits quietly, still unwinding.
        if _STOPPING:
            raise stopped from None
        raise
    if _STOPPING:  # the signal landed in a finalizer, which cannot raise, and the work ran on: nobody reads now
        raise stopped
    try:
        conn.send(msg)
    except OSError:  # the driver is gone (killed): nobody to report to
        raise stopped from None
    conn.close()


_STOPPING: list[bool] = []  # non-empty once this child received SIGTERM


def child_signals(die_with_parent: bool = False) -> None:
    """A child's signals: Ctrl-C reaches the whole process group, so the child ignores it and its parent stops it
    with SIGTERM, on which it unwinds quietly (`exit_quietly_on_sigterm`). `die_with_parent` (Linux): a parent
    killed outright takes the child with it (PR_SET_PDEATHSIG)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, exit_quietly_on_sigterm)
    if die_with_parent:
        try:
            import ctypes

            ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def exit_quietly_on_sigterm(signum: int, frame: object) -> None:
    """Unwind on the driver's stop. Whatever this child prints from here on is noise: a stop landing in a
    finalizer (a `__del__`, a weakref callback) cannot raise and Python prints "Exception ignored ...
    Traceback" instead; the driver reports the stop in one line. So stderr goes to /dev/null first."""
    if not _STOPPING:
        _STOPPING.append(True)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    raise SystemExit(128 + signum)


def stop_forkserver() -> None:
    """Stop this process's forkserver (~400 MB with its preloaded imports), so nothing the run started
    outlives it. CPython has no public call for this; without the private one the forkserver still exits
    when this process does. The resource tracker is left alone: it exits by itself when this process
    and its children have (stopping it early would "clean up" semaphores that tqdm still holds)."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)
    if stop is not None:
        try:
            stop()
        except (OSError, ChildProcessError):
            pass


def default_workers() -> int:
    """Tokenizers computed at once: 2 where there are 2 cores or more. Most of a cell's work is single-threaded
    Python and numpy, so a second child nearly halves a grid's time; each child holds one tokenizer
    (~0.2-0.7 GB), so more would cost memory a laptop may not have: ask for it with --workers."""
    return min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


@register_executor("local")
class LocalExecutor(Executor):
    name = "local"

    def __init__(
        self,
        isolate: bool = True,
        load_tokenizer: Callable[[str], Any] | None = None,
        load_corpus: Callable[[str], Any] | None = None,
        encode: Callable[[Any, list[str]], Any] | None = None,
        workers: int | None = None,
    ) -> None:
        from tokbench.corpora import load_corpus as std_corpus
        from tokbench.tokenizers import load_tokenizer as std_tokenizer

        self.load_tokenizer = load_tokenizer or std_tokenizer
        self.load_corpus = load_corpus or std_corpus
        self.encode = encode
        # loaders injected by a caller (tests) cannot cross a process boundary
        self.standard = self.load_tokenizer is std_tokenizer and self.load_corpus is std_corpus and encode is None
        self.isolate = isolate
        self.workers = workers or default_workers()
        self._children: dict[Any, tuple[Any, str]] = {}  # result pipe -> (running child, its tokenizer)
        self._started_children = False

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
        """Up to `self.workers` tokenizers at once, each in its own child; results are yielded as each child
        finishes (the runner saves cells in any order). Whatever ends the wait (an error, Ctrl-C, SIGTERM
        turned into KeyboardInterrupt by `tokbench run`) stops every running child before it propagates."""
        mp = multiprocessing.get_context("forkserver")
        mp.set_forkserver_preload(_PRELOAD)
        data_dirs, env = worker_settings()
        self._started_children = True
        # read by the forkserver when the first child starts it (its environment is this process's then)
        os.environ[WARM_ENV] = warm_spec(plan, langs)
        # several children share the cores: OpenBLAS's own threads (bootstrap products of ~1000 x 1000) spin
        # after each call and roughly doubled CPU time against wall time; a user's setting is kept
        blas = self.workers > 1 and _BLAS_THREADS not in os.environ
        if blas:
            os.environ[_BLAS_THREADS] = "1"
        todo = list(by_tokenizer(plan))
        todo.reverse()  # popped from the end: the plan's order
        try:
            while todo or self._children:
                while todo and len(self._children) < self.workers:
                    tok_name, groups = todo.pop()
                    self._start(mp, tok_name, groups, langs, data_dirs, env)
                    os.environ.pop(WARM_ENV, None)  # the forkserver has read it
                    if blas:
                        os.environ.pop(_BLAS_THREADS, None)
                for recv in multiprocessing.connection.wait(list(self._children)):
                    yield from self._collect(recv)  # type: ignore[arg-type]
        finally:
            os.environ.pop(WARM_ENV, None)
            if blas:
                os.environ.pop(_BLAS_THREADS, None)
            self._stop_children()

    def _start(self, mp: Any, tok_name: str, groups: list[tuple[str, list[Any]]], langs: tuple[str, ...] | None,
               data_dirs: list[str], env: dict[str, str]) -> None:
        recv, send = mp.Pipe(duplex=False)
        child = mp.Process(target=_child_main, args=(send, tok_name, groups, langs, data_dirs, env),
                           name=f"tokbench-{tok_name}", daemon=True)
        self._children[recv] = (child, tok_name)  # registered first: a failed start is still cleaned up
        with signals_deferred():
            child.start()
        send.close()

    def _collect(self, recv: Any) -> list[Result]:
        """The results of the child behind `recv`, which has finished (or died)."""
        child, tok_name = self._children[recv]
        try:
            status, payload = recv.recv()
        except EOFError:
            raise TokbenchError(
                f"the process computing {tok_name} died (out of memory?); cells finished before it are "
                "saved: run the same command again to resume, or with --in-process or --workers 1"
            ) from None
        child.join(_EXIT_SECONDS)  # done: let it exit by itself
        self._stop_child(recv)
        if status == "error":
            raise TokbenchError(payload)
        return payload

    def _stop_child(self, recv: Any) -> None:
        child, _ = self._children.pop(recv)
        if child.pid is None:  # its start raised before a process existed: nothing to stop or wait for
            recv.close()
            return
        if child.is_alive():
            child.terminate()  # before closing its pipe: a child sending now stops here, not on a broken pipe
            child.join(_STOP_SECONDS)
            if child.is_alive():
                child.kill()
        recv.close()
        child.join()
        child.close()

    def _stop_children(self) -> None:
        for recv in list(self._children):
            self._stop_child(recv)

    def close(self) -> None:
        self._stop_children()
        if self._started_children:
            stop_forkserver()
            self._started_children = False
