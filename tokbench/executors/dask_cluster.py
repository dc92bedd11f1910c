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
from tokbench.executors.base import Executor, register_executor
from tokbench.executors.work import Group, Result, run_group, worker_settings


@register_executor("dask")
class DaskExecutor(Executor):
    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None, **_: Any) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise TokbenchError(
                "--executor dask needs Dask: pip install 'tokbench[dask]' (or dask[distributed])"
            ) from None
        self._cluster = None
        # Dask's own INFO/WARNING lines (scheduler, nanny, worker start and stop) are not ours to print:
        # tokbench reports progress and errors itself; a failure still reaches the user as one line
        for name in ("distributed", "dask"):
            logging.getLogger(name).setLevel(logging.ERROR)
        try:
            if address:
                self.client = Client(address, timeout=30)
            else:  # one single-threaded worker process per core, as the local executor's children
                # an interrupted run stops the workers before they release their semaphores, and the resource
                # tracker (a process of its own, reading this environment) would warn about them on our stderr
                # (it starts with the first worker); the caller's own setting is restored afterwards
                quiet_tracker = "ignore::UserWarning:multiprocessing.resource_tracker"
                before = os.environ.get("PYTHONWARNINGS")
                os.environ["PYTHONWARNINGS"] = ",".join(filter(None, (before, quiet_tracker)))
                try:
                    # the scheduler's HTTP server on any free port: its default, 8787, is taken by any other Dask
                    # cluster on the machine (a second tokbench run), and Dask warns about it on stderr
                    self._cluster = LocalCluster(
                        n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=":0",
                        silence_logs=logging.ERROR,
                    )
                finally:
                    if before is None:
                        os.environ.pop("PYTHONWARNINGS", None)
                    else:
                        os.environ["PYTHONWARNINGS"] = before
                self.client = Client(self._cluster)
        except (OSError, ValueError, TypeError) as e:  # unreachable, timed out, or not an address at all
            if self._cluster is not None:
                self._cluster.close()
            raise TokbenchError(f"cannot reach the Dask scheduler {address or 'local'} ({type(e).__name__}: {e}); "
                                "--address looks like tcp://host:8786") from None

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
        if self._cluster is not None:
            self._cluster.close()

