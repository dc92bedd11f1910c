"""Report work that loads a tokenizer, uses it once and is done (check verdicts, inspect pages, viewer rows): each
tokenizer in its own short-lived child process, two at a time.

Why children: a loaded tokenizer keeps 45-500 MB that the allocator does not hand back, so a report that loaded a
leaderboard's 26 in turn grew to 1.45 GB; a child returns everything when it exits. Why two at a time: the work is
mostly single-threaded Python, and a cold leaderboard report spent 5.5 of its 9 minutes checking tokenizers one
after another. A single job, or a machine with one core, runs in this process (then the tokenizer is released).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

DIED = "the process computing it died (out of memory?); run the same command again"
# what every child needs, imported once by the forkserver: a child then starts in ~0.1 s, not the ~3 s of
# importing the tokenizer libraries, datasets and pyarrow itself
_PRELOAD = ["tokbench.executors.short_lived", "tokbench.tokenizers", "tokbench.encode", "tokbench.backends",
            "tokbench.corpora.loaders"]


def _in_child(fn: Callable[..., Any], env: dict[str, str], data_dirs: list[str], args: tuple[Any, ...]) -> Any:
    """A child's whole task: this process's settings, then `fn(*args)`."""
    from tokbench import heap
    from tokbench.datadirs import set_cli_data_dirs
    from tokbench.executors.local import child_signals

    # unwinding on the parent's SIGTERM unregisters the semaphores of the child's progress bars (not "leaked")
    child_signals(die_with_parent=True)
    heap.cap_arenas()
    os.environ.update(env)
    set_cli_data_dirs(data_dirs)
    return fn(*args)


def release_tokenizers() -> None:
    """Drop every loaded tokenizer and its cached encodings (work done in this process)."""
    from tokbench.encode import release_encodings
    from tokbench.tokenizers import load_tokenizer

    if load_tokenizer.cache_info().currsize:
        load_tokenizer.cache_clear()
        release_encodings()


def per_tokenizer(fn: Callable[..., Any], jobs: Sequence[tuple[str, tuple[Any, ...]]], bar: Any,
                  preload: Sequence[str] = ()) -> Iterator[tuple[str, Any, str | None]]:
    """(name, fn(*args), None) for each (name, args) job as it finishes, or (name, None, DIED) when its process
    died. `fn` must be a module-level function (the child imports it) whose arguments and result pickle;
    `preload`: modules the forkserver imports once for every child. On an error or Ctrl-C the running children
    are stopped, not awaited."""
    from tokbench.executors.local import default_workers

    workers = min(default_workers(), len(jobs))
    if workers < 2:
        for name, args in jobs:
            got = fn(*args)
            release_tokenizers()
            bar.update(1)
            yield name, got, None
        return

    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    from tokbench.executors.local import stop_forkserver
    from tokbench.executors.work import worker_settings

    data_dirs, env = worker_settings()
    mp = multiprocessing.get_context("forkserver")
    mp.set_forkserver_preload([*_PRELOAD, *preload])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp, max_tasks_per_child=1)
    finished = False
    try:
        futures = {pool.submit(_in_child, fn, env, data_dirs, args): name for name, args in jobs}
        for fut in as_completed(futures):
            try:
                got, error = fut.result(), None
            except BrokenProcessPool:
                got, error = None, DIED
            bar.update(1)
            yield futures[fut], got, error
        finished = True
    finally:
        if not finished:
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                proc.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        stop_forkserver()  # started for these children: nothing outlives the parent but the resource tracker,
        # which exits by itself with it
