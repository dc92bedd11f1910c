"""The executor seam: a registry of places where the grid's units of work can run.

An executor takes the plan (a list of (corpus, tokenizer, cells) groups) and yields one result per
cell, in any order; the driver saves each as it arrives. Built in: `local` (this machine: each
tokenizer in a child process, or all in this one) and `dask` (a Dask cluster: local, Slurm/PBS
through dask-jobqueue, or any scheduler address). Others (e.g. Ray) plug in through the
`tokbench.executors` entry-point group with no edit to the runner.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

from tokbench.executors.work import Group, Result
from tokbench.registry import Registry


class Executor(ABC):
    """Runs groups of cells; a context manager so clusters it started are shut down."""

    name = "executor"

    @abstractmethod
    def run(self, plan: list[Group], langs: tuple[str, ...] | None) -> Iterator[Result]: ...

    def close(self) -> None:  # noqa: B027  (most executors hold nothing)
        """Release what the executor started (a cluster, a client)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


EXECUTORS: Registry[Any] = Registry("executor", entry_point_group="tokbench.executors")


def register_executor(name: str) -> Any:
    return EXECUTORS.register(name)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Ctrl-C or SIGTERM inside the block takes effect when it ends, with the caller's own handler: for a start-up
    that a signal must not cut in half. Raised inside `Process.start()` (while the forkserver forks the child and
    is sent its arguments), it left a child object that never learnt its pid: the clean-up could neither stop nor
    join it, and the child printed a traceback when its arguments never came. Raised inside Dask's LocalCluster,
    it left a cluster nobody held, whose worker was still starting: Dask's exit hook then failed to close it,
    with a traceback."""
    if threading.current_thread() is not threading.main_thread():  # handlers can only be set there
        yield
        return
    caught: list[int] = []
    deferred = (signal.SIGINT, signal.SIGTERM)
    before = {s: signal.signal(s, lambda signum, _frame: caught.append(signum)) for s in deferred}
    try:
        yield
    finally:
        for s, handler in before.items():  # None: a handler set outside Python, not restorable
            signal.signal(s, signal.SIG_DFL if handler is None else handler)
        if caught:
            signal.raise_signal(caught[0])  # now, with the caller's own handler


@contextlib.contextmanager
def interrupts_kept() -> Iterator[Callable[[], None]]:
    """Ctrl-C or SIGTERM (as KeyboardInterrupt) landing in a finalizer (a `__del__`, a weakref callback) cannot
    propagate: Python prints "Exception ignored ... Traceback" and runs on, so a stopped run would print a
    traceback and then finish the grid. Inside the block such an interrupt is kept, unprinted; the yielded
    function raises it, for the caller to call where stopping is clean (between cells)."""
    kept: list[BaseException] = []
    previous = sys.unraisablehook

    def keep(unraisable: Any) -> None:
        if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
            kept.append(unraisable.exc_value or KeyboardInterrupt())
        else:
            previous(unraisable)

    def raise_kept() -> None:
        if kept:
            raise kept[0]

    sys.unraisablehook = keep
    try:
        yield raise_kept
    finally:
        sys.unraisablehook = previous
