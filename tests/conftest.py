"""Shared test setup: a private encode cache per session, and the shared assets folder if present.

Tests that need ../shared/assets (items never vendored: FLORES, Llama tokenizers, reference
numbers) take the `shared_assets` fixture and skip with a reason when it is absent; all other
tests run on vendored data anywhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def find_shared_assets() -> Path | None:
    """TOKBENCH_DATA entries or ../shared/assets beside the repository, if it holds FLORES-200."""
    for cand in [*os.environ.get("TOKBENCH_DATA", "").split(os.pathsep), str(REPO.parent / "shared" / "assets")]:
        if cand and (Path(cand) / "corpora" / "flores200").is_dir():
            return Path(cand)
    return None


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep test encodings out of the user's cache unless TOKBENCH_CACHE is set explicitly."""
    if "TOKBENCH_CACHE" not in os.environ:
        os.environ["TOKBENCH_CACHE"] = str(tmp_path_factory.mktemp("tokbench-cache"))


@pytest.fixture(scope="session")
def shared_assets() -> Path:
    path = find_shared_assets()
    if path is None:
        pytest.skip("needs ../shared/assets (or TOKBENCH_DATA): real tokenizers/corpora that are never vendored")
    if str(path) not in os.environ.get("TOKBENCH_DATA", "").split(os.pathsep):
        os.environ["TOKBENCH_DATA"] = os.pathsep.join(p for p in (os.environ.get("TOKBENCH_DATA"), str(path)) if p)
    return path
