"""Fixtures shared by the accelerator tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tokbench import encode as encode_mod
from tokbench.backends import gate


@pytest.fixture()
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache (encodings and certificates), no in-process memo or gate decisions, --backend auto."""
    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(gate.BACKEND_ENV, raising=False)
    monkeypatch.delenv(gate.VERIFY_ENV, raising=False)
    monkeypatch.setattr(encode_mod, "_memo", encode_mod._Memo(1 << 30))
    gate.reset()
    yield tmp_path
    gate.reset()
