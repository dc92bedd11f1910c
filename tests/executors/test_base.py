"""What the executors share: interrupts that land in finalizers."""

from __future__ import annotations

import gc
import os
import signal
import sys

import pytest

from tokbench.executors.base import interrupts_kept


class _InterruptInFinalizer:
    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        sum(range(1000))  # the handler's KeyboardInterrupt is raised here, where it cannot propagate


def test_an_interrupt_swallowed_by_a_finalizer_is_kept_unprinted_and_raised_on_demand(
        capsys: pytest.CaptureFixture[str]) -> None:
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with interrupts_kept() as raise_kept:
            _InterruptInFinalizer()
            gc.collect()
            finished = True  # the work ran on past the interrupt, as Python does
            with pytest.raises(KeyboardInterrupt):
                raise_kept()
    finally:
        signal.signal(signal.SIGINT, before)
    assert finished
    assert "Exception ignored" not in capsys.readouterr().err


def test_other_unraisable_errors_still_reach_the_previous_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[type[BaseException] | None] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(u.exc_type))

    class Broken:
        def __del__(self) -> None:
            raise ValueError("in a finalizer")

    with interrupts_kept() as raise_kept:
        Broken()
        gc.collect()
        raise_kept()  # nothing kept: no interrupt, no raise
    assert seen == [ValueError]
    assert sys.unraisablehook is not None and sys.unraisablehook.__name__ == "<lambda>"  # restored
