"""tokbench.heap: the arena cap is set through mallopt unless the user set MALLOC_ARENA_MAX; trim collects and
hands pages back; neither fails where glibc is absent."""

from __future__ import annotations

import gc
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
