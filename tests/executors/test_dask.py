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
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
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


def test_a_terminated_dask_run_stops_its_workers_and_says_one_line(tmp_path: Path) -> None:
    """kill -TERM of `tokbench run --executor dask` (a local cluster tokbench started): exit 130 with one line
    on stderr (no resource-tracker warning about the workers' semaphores), and no worker left running."""
    import subprocess
    import sys

    psutil = pytest.importorskip("psutil", reason="reads the process tree with psutil (a dask dependency)")
    argv = [sys.executable, "-m", "tokbench.cli", "run", "--executor", "dask", "--workers", "1",
            "--tokenizers", "r50k_base", "cl100k_base", "o200k_base", "--corpora", "udhr", "--out",
            str(tmp_path / "run"), "-q"]  # fmt: skip
    env = {**os.environ, "TOKBENCH_CACHE": str(tmp_path / "cache")}
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    kids: set[Any] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and len(kids) < 2:  # the worker and the tracker
        try:
            kids |= set(psutil.Process(proc.pid).children(recursive=True))
        except psutil.NoSuchProcess:
            break
        time.sleep(0.2)
    assert proc.poll() is None and len(kids) >= 2, "the run ended (or never started its worker) before the signal"
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.decode().strip().splitlines() == [
        "tokbench: interrupted; finished work is saved, run the same command again to resume"]
    gone, alive = psutil.wait_procs(list(kids), timeout=15)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], alive


def test_the_local_clusters_workers_log_nothing_below_critical() -> None:
    """A worker stopped with the run logs an ERROR with a traceback ("failed to communicate with scheduler")
    from its own process, whose logging the driver's settings do not reach."""
    import logging

    from tokbench.executors.dask_cluster import DaskExecutor

    executor = DaskExecutor(workers=1)
    try:
        levels = executor.client.run(logging.getLogger("distributed.worker").getEffectiveLevel)
        assert set(levels.values()) == {logging.CRITICAL}
    finally:
        executor.close()


def test_a_stop_while_the_local_cluster_starts_closes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C inside LocalCluster's start-up waits until the cluster is ours, then closes it: before, the
    cluster was left to Dask's exit hook, which failed on the still-starting worker with a traceback."""
    from tokbench.executors import dask_cluster

    started: list[Any] = []
    real = dask_cluster._local_cluster

    def start_then_interrupt(workers: int, level: int) -> Any:
        cluster = real(workers, level)
        started.append(cluster)
        signal.raise_signal(signal.SIGINT)  # as if it came while the cluster was starting
        return cluster

    monkeypatch.setattr(dask_cluster, "_local_cluster", start_then_interrupt)
    # a test run started in the background (CI, `cmd &`) inherits SIGINT ignored: give it Python's default
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            dask_cluster.DaskExecutor(workers=1)
    finally:
        signal.signal(signal.SIGINT, before)
    assert started and started[0].status.name == "closed"
