"""The executor seam: a registry of places where the grid's units of work can run.

An executor takes the plan (a list of (corpus, tokenizer, cells) groups) and yields one result per
cell, in any order; the driver saves each as it arrives. Built in: `local` (this machine: each
tokenizer in a child process, or all in this one) and `dask` (a Dask cluster: local, Slurm/PBS
through dask-jobqueue, or any scheduler address). Others (e.g. Ray) plug in through the
`tokbench.executors` entry-point group with no edit to the runner.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
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
