"""How a command stops on SIGTERM. Its own light module: the command modules import it while the CLI builds its
parser, before any heavy import."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM unwinds a command as Ctrl-C does: the cleanup stops every child process it started (workers,
    forkserver, resource tracker), finished work stays saved, and the same command resumes (`run`, `report`)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
