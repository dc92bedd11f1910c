"""The local executor's child start under Ctrl-C / SIGTERM (the rest of its behaviour is exercised through
`tokbench run` in tests/test_cli_hardening.py and tests/test_runner*.py)."""

from __future__ import annotations

import multiprocessing
import os
import signal
from typing import Any

import pytest

from tokbench.executors import local
from tokbench.executors.local import LocalExecutor


class _InterruptedStart(multiprocessing.get_context("fork").Process):  # type: ignore[misc]
    """A child whose start is interrupted: the signal arrives before the process exists, as when Ctrl-C
    lands while the forkserver is forking it."""

    def start(self) -> None:
        os.kill(os.getpid(), self._sig)
        super().start()

    def run(self) -> None:  # the child itself does nothing
        return None


class _Context:
    def __init__(self, sig: int) -> None:
        self.sig = sig

    def Pipe(self, duplex: bool = True) -> Any:  # noqa: N802 - multiprocessing's name
        return multiprocessing.Pipe(duplex)

    def Process(self, **kwargs: Any) -> Any:  # noqa: N802
        kwargs.pop("target", None)
        kwargs.pop("args", None)
        proc = _InterruptedStart(**kwargs)
        proc._sig = self.sig
        return proc


def _raise_interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # what `tokbench run` turns SIGTERM into


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_child_start_takes_effect_after_it_and_the_child_is_stopped(
        sig: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, the KeyboardInterrupt came out of `start()` with the child registered but never started, and
    the clean-up's join failed ("can only join a started process": an internal error, not exit 130)."""
    before = signal.signal(sig, _raise_interrupt)
    try:
        ex = LocalExecutor()
        with pytest.raises(KeyboardInterrupt):
            ex._start(_Context(sig), "gpt2", [], None, [], {})
        ((child, name),) = ex._children.values()
        assert name == "gpt2" and child.pid is not None  # started before the interrupt was raised
        ex._stop_children()  # no AssertionError from join
        assert not ex._children and child._closed
        assert signal.getsignal(sig) is _raise_interrupt  # the caller's handler is back
    finally:
        signal.signal(sig, before)


class _StopInFinalizer:
    """Sends this process SIGTERM from its `__del__`, where the handler's SystemExit cannot propagate."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        sum(range(1000))  # bytecodes after the kill: the handler runs here, inside the finalizer


def _work_stopped_in_a_finalizer(*_args: Any, **_kwargs: Any) -> list[Any]:
    _StopInFinalizer()  # collected at once
    return ["finished"]


def test_a_stop_landing_in_a_finalizer_exits_quietly_without_reporting(
        monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]) -> None:
    """CI once caught SIGTERM in llvmlite's `ObjectRef.__del__`: Python printed "Exception ignored ...
    Traceback", the child ran on, and its send to the stopped driver failed with a second traceback."""
    monkeypatch.setattr(local, "run_group", _work_stopped_in_a_finalizer)
    recv, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=local._child_main,
                                                         args=(send, "gpt2", [], None, [], {}))
    child.start()
    send.close()
    child.join(60)
    assert child.exitcode == 128 + signal.SIGTERM
    with pytest.raises(EOFError):  # the pipe closed with nothing in it: a stopped child reports nothing
        recv.recv()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Exception ignored" not in err, err
