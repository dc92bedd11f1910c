"""tokbench.heap: the arena cap is set through mallopt unless the user set MALLOC_ARENA_MAX; trim collects and
hands pages back; neither fails where glibc is absent. The memory log writes one JSON line per cell when asked."""

from __future__ import annotations

import gc
import json
import os
import sys
from typing import Any

import pytest

from tokbench import heap


class _Libc:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append(("mallopt", param, value))
        return 1

    def malloc_trim(self, pad: int) -> int:
        self.calls.append(("malloc_trim", pad))
        return 1


def test_arenas_are_capped_unless_the_user_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    libc = _Libc()
    monkeypatch.setattr(heap, "_libc", lambda: libc)
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert heap.cap_arenas()
    assert libc.calls == [("mallopt", heap.M_ARENA_MAX, heap.ARENAS)]
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")  # glibc read it at start-up: left alone
    assert not heap.cap_arenas()
    assert len(libc.calls) == 1


def test_trim_collects_then_trims(monkeypatch: pytest.MonkeyPatch) -> None:
    libc, order = _Libc(), []
    monkeypatch.setattr(heap, "_libc", lambda: libc)
    monkeypatch.setattr(gc, "collect", lambda: order.append("collect") or 0)
    heap.trim()
    assert order == ["collect"] and libc.calls == [("malloc_trim", 0)]


def test_without_glibc_both_do_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap, "_libc", lambda: None)
    assert not heap.cap_arenas()
    heap.trim()  # and no error


def test_glibc_accepts_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    if heap._libc() is None:
        pytest.skip("not glibc: there is no arena cap to set")
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert heap.cap_arenas()  # mallopt returned 1 (threads made before keep their arenas; nothing to undo)


def test_the_memory_log_appends_one_json_line_per_call(tmp_path, monkeypatch):
    log = tmp_path / "mem.jsonl"
    monkeypatch.setenv(heap.MEMLOG_ENV, str(log))
    heap.log_cell(tokenizer="gpt2", metric="ctc", seconds=1.5)
    heap.log_cell(tokenizer="gpt2", metric="premium", seconds=2.0)
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    assert [x["metric"] for x in lines] == ["ctc", "premium"]
    assert lines[0]["pid"] == os.getpid() and lines[0]["seconds"] == 1.5
    if sys.platform == "linux":
        assert 0 < lines[0]["vmrss"] <= lines[1]["vmhwm"]


def test_the_memory_log_is_off_unless_asked_and_never_fails_the_run(tmp_path, monkeypatch):
    monkeypatch.delenv(heap.MEMLOG_ENV, raising=False)
    heap.log_cell(metric="ctc")  # nothing to write to: no error, no file
    monkeypatch.setenv(heap.MEMLOG_ENV, str(tmp_path / "missing-folder" / "mem.jsonl"))
    heap.log_cell(metric="ctc")
    assert not (tmp_path / "missing-folder").exists()
