"""The `dask` executor: groups as Dask tasks, on a local cluster or any scheduler (a Slurm/PBS
cluster through dask-jobqueue, a cloud pool, `dask scheduler` + `dask worker` by hand).

Each group is one task running `work.run_group` on a worker: the worker loads the tokenizer and
corpus by name from the data directories it sees (they must be mounted where the driver's are, or
named with --data-dir / TOKBENCH_DATA valid on the workers) and returns rows; the driver alone
writes the ledger, as results arrive in any order. Workers share the encode cache when they see
the same TOKBENCH_CACHE folder; otherwise each encodes what it computes. A worker that dies
mid-task is replaced and its task re-run by Dask (up to `allowed-failures`, default 3).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from typing import Any

from tokbench.errors import TokbenchError
from tokbench.executors.base import Executor, register_executor, signals_deferred
from tokbench.executors.work import Group, Result, run_group, worker_settings


@register_executor("dask")
class DaskExecutor(Executor):
    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None, **_: Any) -> None:
        try:
            from dask.distributed import Client
        except ImportError:
            raise TokbenchError(
                "--executor dask needs Dask: pip install 'tokbench[dask]' (or dask[distributed])"
            ) from None
        self._cluster = None
        # Dask's own log lines (scheduler, nanny, worker start and stop) are not ours to print: tokbench reports
        # progress and errors itself, and a task's failure reaches the driver as its exception, one line. Not
        # even ERROR: a worker stopped with the run logs "failed to communicate with scheduler" with a traceback
        # on its way out. TOKBENCH_DEBUG=1 shows Dask's warnings and errors, for debugging a cluster.
        level = logging.WARNING if os.environ.get("TOKBENCH_DEBUG") == "1" else logging.CRITICAL
        for name in ("distributed", "dask"):
            logging.getLogger(name).setLevel(level)
        try:
            if address:  # a stop while connecting leaves nothing of ours running: no deferral
                self.client = Client(address, timeout=30)
            else:
                with signals_deferred():  # a stop while the cluster starts closes it, once started, below
                    self._cluster = _local_cluster(workers or 2, level)
                    self.client = Client(self._cluster)
        except (OSError, ValueError, TypeError) as e:  # unreachable, timed out, or not an address at all
            self._close_cluster()
            raise TokbenchError(f"cannot reach the Dask scheduler {address or 'local'} ({type(e).__name__}: {e}); "
                                "--address looks like tcp://host:8786") from None
        except BaseException:
            self._close_cluster()
            raise

    def run(self, plan: list[Group], langs: tuple[str, ...] | None) -> Iterator[Result]:
        from dask.distributed import as_completed

        data_dirs, env = worker_settings()
        tag = uuid.uuid4().hex[:8]
        futures = []
        for i, (corpus_name, tok_name, todo) in enumerate(plan):
            fut = self.client.submit(  # one (tokenizer, corpus) group per task: the finest unit, most parallel
                run_group, tok_name, [(corpus_name, todo)], langs, data_dirs, env,
                key=f"tokbench-{tag}-{i}-{tok_name}-{corpus_name}", pure=False,
            )  # fmt: skip
            futures.append(fut)
        try:
            for fut in as_completed(futures):
                yield from fut.result()
                fut.release()
        finally:
            for fut in futures:  # on an error or Ctrl-C: nothing keeps running on the cluster
                fut.cancel()

    def close(self) -> None:
        self.client.close()
        self._close_cluster()

    def _close_cluster(self) -> None:
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def _local_cluster(workers: int, level: int) -> Any:
    """One single-threaded worker process per core, as the local executor's children, logging at `level`."""
    import dask
    from dask.distributed import LocalCluster

    # an interrupted run stops the workers before they release their semaphores, and the resource tracker (a
    # process of its own, reading this environment; it starts with the first worker) would warn about them on
    # our stderr; the caller's own setting is restored afterwards
    quiet_tracker = "ignore::UserWarning:multiprocessing.resource_tracker"
    before = os.environ.get("PYTHONWARNINGS")
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, (before, quiet_tracker)))
    # a worker process configures its logging from DASK_* variables when it imports distributed, before the
    # nanny's settings reach it: set them before each (re)spawn. A user's own DASK_LOGGING still wins.
    spawn_env = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    name = logging.getLevelName(level).lower()
    spawn_env["DASK_LOGGING"] = repr({"distributed": name, "tornado": name, "tornado.application": name})
    try:
        with dask.config.set({"distributed.nanny.pre-spawn-environ": spawn_env}):
            # the scheduler's HTTP server on any free port: its default, 8787, is taken by any other Dask cluster
            # on the machine (a second tokbench run), and Dask warns about it on stderr
            return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                                silence_logs=level)
    finally:
        if before is None:
            os.environ.pop("PYTHONWARNINGS", None)
        else:
            os.environ["PYTHONWARNINGS"] = before

