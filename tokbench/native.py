"""Guards around the native (Rust / C / C++) libraries tokbench calls into.

Two failure modes escape ordinary Python handling:
- Rust panics in `tokenizers` / `tiktoken` surface as `pyo3_runtime.PanicException`, which derives
  from `BaseException`, so `except Exception` misses them and the user sees a panic dump.
- C libraries write to file descriptor 1 directly (HiGHS prints its banner when a `Highs` object
  is constructed, since highspy 1.16), which no `sys.stdout` redirection can catch and which breaks
  `--json` output.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

from tokbench.errors import TokbenchError


def is_panic(exc: BaseException) -> bool:
    """True for a Rust panic re-raised by pyo3 (its class lives in the `pyo3_runtime` pseudo-module)."""
    cls = type(exc)
    return cls.__name__ == "PanicException" or cls.__module__ == "pyo3_runtime"


def first_line(exc: BaseException, limit: int = 200) -> str:
    """The first non-empty line of an exception message, shortened: the rest is usually a dump."""
    for line in str(exc).splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return type(exc).__name__


@contextlib.contextmanager
def library_errors(what: str, fix: str) -> Iterator[None]:
    """Turn any failure (Rust panics included) of a library parsing user data into a TokbenchError.

    `what` names the input ("tokenizer file x.json"), `fix` says what to do about it.
    KeyboardInterrupt, SystemExit and our own errors pass through unchanged.
    """
    with _stderr_held() as held:
        try:
            yield
        except (KeyboardInterrupt, SystemExit, TokbenchError, MemoryError):
            held.replay = True
            raise
        except BaseException as e:  # noqa: BLE001  (PanicException is a BaseException)
            reason = f"{'the Rust library panicked' if is_panic(e) else type(e).__name__}: {first_line(e)}"
            err = TokbenchError(f"{what} could not be read ({reason}); {fix}")
            err.reason = reason  # type: ignore[attr-defined]  # for callers that word their own message
            raise err from None
        held.replay = True


class _Held:
    replay = False


@contextlib.contextmanager
def _fd_pointed_at(stream: Any, target_fd: int, fd: int | None = None) -> Iterator[int | None]:
    """Point `stream`'s file descriptor at `target_fd` for the duration and restore it after; yields a
    duplicate of the original descriptor (valid inside the block), or None where the stream has no
    real descriptor (captured by a test runner), in which case nothing is redirected. `fd` names the
    descriptor when it is not the stream's own (native code writes to fd 1 whatever sys.stdout is)."""
    try:
        stream.flush()
        fd = stream.fileno() if fd is None else fd
    except (AttributeError, OSError, ValueError):
        yield None
        return
    saved = os.dup(fd)
    os.dup2(target_fd, fd)
    try:
        yield saved
    finally:
        stream.flush()
        os.dup2(saved, fd)
        os.close(saved)


@contextlib.contextmanager
def _stderr_held() -> Iterator[_Held]:
    """Hold what native code writes to fd 2 (a Rust panic prints its message and, with RUST_BACKTRACE
    set, a whole backtrace there) and pass it on only if the call went well."""
    held = _Held()
    with tempfile.TemporaryFile() as tmp:
        with _fd_pointed_at(sys.stderr, tmp.fileno()):
            yield held
        if held.replay:
            tmp.seek(0)
            if text := tmp.read():
                sys.stderr.write(text.decode("utf-8", "replace"))


@contextlib.contextmanager
def c_stdout_silenced() -> Iterator[None]:
    """Send what native code writes to fd 1 to /dev/null for the duration (Python's own buffered
    output is flushed first, so nothing of ours is lost)."""
    with open(os.devnull, "wb") as null, _fd_pointed_at(sys.stdout, null.fileno(), fd=1):
        yield


def new_highs() -> object:
    """A silent `highspy.Highs`: the banner printed at construction is discarded and logging is off."""
    import highspy

    with c_stdout_silenced():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


@contextlib.contextmanager
def stdout_reserved_for_json() -> Iterator[None]:
    """While a `--json` command runs, fd 1 points at stderr so a native library's console output can
    never mix into the JSON; Python's `sys.stdout` keeps writing to the real standard output."""
    try:
        err_fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # stderr captured (a test runner): nothing to point at
        yield
        return
    with _fd_pointed_at(sys.stdout, err_fd) as real:
        if real is None:
            yield
            return
        old_stdout = sys.stdout
        sys.stdout = open(real, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stdout.close()  # the wrapper only: closefd=False keeps the descriptor
            sys.stdout = old_stdout
