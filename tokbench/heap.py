"""The C heap under tokbench's long loops: glibc keeps freed pages and one arena per thread unless told.

Measured on the leaderboard's cells for llama3 in one process (FLORES-200, cold encode cache): capping
the arenas at 2 took the peak from 1.25 to 1.18 GB at the same speed (the tokenizer libraries' Rust
thread pools otherwise each get an arena that keeps what they freed)."""

from __future__ import annotations

import ctypes
import gc
import json
import os
import time

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


MEMLOG_ENV = "TOKBENCH_MEMLOG"


def usage_mb() -> dict[str, float]:
    """This process's resident set now and at its peak (VmRSS, VmHWM), in MB; {} where /proc has no status."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            fields = dict(line.split(":", 1) for line in f if line.startswith(("VmRSS", "VmHWM")))
    except OSError:
        return {}
    return {k.lower(): int(v.split()[0]) / 1024 for k, v in fields.items()}


def log_cell(**fields: object) -> None:
    """Append one JSON line (the fields, pid, time, rss/hwm in MB) to the file named by TOKBENCH_MEMLOG, if set.

    Where a run's memory goes is otherwise invisible: every tokenizer's cells run in a child process whose
    peak only the OS sees. Lines from concurrent children interleave whole (one short append each)."""
    path = os.environ.get(MEMLOG_ENV)
    if not path:
        return
    line = json.dumps({**fields, "pid": os.getpid(), "t": round(time.time(), 3), **usage_mb()}) + "\n"
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(line)
    except OSError:  # a diagnostic must never fail the run
        pass
