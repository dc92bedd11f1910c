"""The `dask` executor: same results as the local one, bit for bit, and a worker killed mid-task is
replaced by Dask and its task re-run, with no partial cell left behind. A 1-worker local cluster
is started by the test itself (one worker process shows both; a second would only add ~350 MB to the
suite's peak memory)."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tokbench.runner import RunConfig, run_grid

distributed = pytest.importorskip("dask.distributed", reason="the dask executor needs dask[distributed]")

GRID = dict(tokenizers=["cl100k_base", "r50k_base", "o200k_base"], corpora=["udhr"],
            metrics=["bytes_per_token", "fertility"], langs=["eng_Latn", "tur_Latn", "mya_Mymr"],
            options={"bootstrap": "50"})  # fmt: skip


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


def test_dask_gives_the_same_results_as_local(tmp_path: Path, cluster: Any) -> None:
    local = run_grid(RunConfig(out=tmp_path / "local", isolate=False, **GRID), log=lambda s: None)
    dask = run_grid(RunConfig(out=tmp_path / "dask", executor="dask",
                              executor_options={"address": cluster.scheduler_address}, **GRID),
                    log=lambda s: None)  # fmt: skip
    assert local.computed == dask.computed == 6
    assert (tmp_path / "local" / "results.parquet").read_bytes() == (tmp_path / "dask" / "results.parquet").read_bytes()


def test_a_worker_killed_mid_task_is_retried(tmp_path: Path, cluster: Any) -> None:
    """All UDHR languages, so a task lasts long enough to be caught running; the worker running it is
    SIGKILLed, Dask's nanny starts a new one and the task runs again."""
    grid = {**GRID, "tokenizers": ["cl100k_base", "r50k_base"], "langs": None, "metrics": ["bytes_per_token"]}
    with distributed.Client(cluster.scheduler_address) as client:
        pids_before = set(client.run(os.getpid).values())
        killed: list[int] = []

        def kill_first_busy_worker() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not killed:
                busy = [w for w, tasks in client.processing().items() if any("tokbench-" in str(t) for t in tasks)]
                if busy:
                    pid = client.run(os.getpid, workers=busy[:1])[busy[0]]
                    time.sleep(0.3)  # well inside the task (tokenizer loaded, encoding)
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                time.sleep(0.05)

        killer = threading.Thread(target=kill_first_busy_worker)
        killer.start()
        summary = run_grid(RunConfig(out=tmp_path / "dask", executor="dask",
                                     executor_options={"address": cluster.scheduler_address}, **grid),
                           log=lambda s: None)  # fmt: skip
        killer.join()
        assert killed and killed[0] in pids_before
    reference = run_grid(RunConfig(out=tmp_path / "local", isolate=False, **grid), log=lambda s: None)
    assert summary.computed == reference.computed == 2
    assert (tmp_path / "dask" / "results.parquet").read_bytes() == (tmp_path / "local" / "results.parquet").read_bytes()
    assert not list((tmp_path / "dask" / "cells").glob(".*.tmp"))
