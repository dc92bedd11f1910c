"""The C heap under tokbench's long loops: glibc keeps freed pages and one arena per thread unless told.

Measured on the leaderboard's cells for llama3 in one process (FLORES-200, cold encode cache): capping
the arenas at 2 took the peak from 1.25 to 1.18 GB at the same speed (the tokenizer libraries' Rust
thread pools otherwise each get an arena that keeps what they freed)."""

from __future__ import annotations

import ctypes
import gc
import os

M_ARENA_MAX = -8  # mallopt parameter (malloc.h)
ARENAS = 2


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (macOS, musl): nothing to tune
        return None


def cap_arenas(n: int = ARENAS) -> bool:
    """At most `n` malloc arenas for threads created from now on (glibc's MALLOC_ARENA_MAX, set at run time;
    an arena count set in the environment by the user wins). True when the cap was set."""
    libc = _libc()
    if libc is None or "MALLOC_ARENA_MAX" in os.environ or not hasattr(libc, "mallopt"):
        return False
    return libc.mallopt(M_ARENA_MAX, n) == 1


def trim() -> None:
    """Collect, then hand freed heap pages back to the OS (glibc's malloc_trim; a no-op elsewhere)."""
    gc.collect()
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
