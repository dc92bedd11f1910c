"""Fixtures for metric tests on real data from the shared assets folder (never vendored)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tokbench.metrics import CorpusView, MetricContext

REPO = Path(__file__).resolve().parents[2]


def assets_dir() -> Path | None:
    """TOKBENCH_DATA (first entry) or ../shared/assets next to the repository."""
    for cand in [*os.environ.get("TOKBENCH_DATA", "").split(os.pathsep), str(REPO.parent / "shared" / "assets")]:
        if cand and (Path(cand) / "corpora" / "flores200").is_dir():
            return Path(cand)
    return None


@pytest.fixture(scope="session")
def assets() -> Path:
    path = assets_dir()
    if path is None:
        pytest.skip("shared assets (FLORES-200, tokenizers) not found: set TOKBENCH_DATA or place ../shared/assets")
    if str(path) not in os.environ.get("TOKBENCH_DATA", "").split(os.pathsep):
        os.environ["TOKBENCH_DATA"] = os.pathsep.join(p for p in (os.environ.get("TOKBENCH_DATA"), str(path)) if p)
    return path


@pytest.fixture(scope="session")
def flores(assets: Path) -> CorpusView:
    from tokbench.corpora import load_corpus

    return CorpusView(load_corpus("flores200"))


@pytest.fixture(scope="session")
def make_ctx(flores: CorpusView) -> Callable[..., MetricContext]:
    """MetricContext for a registered tokenizer on FLORES, memoised so encodings are shared across tests."""
    from tokbench.tokenizers import load_tokenizer

    made: dict[tuple[str, tuple[str, ...] | None], MetricContext] = {}

    def make(name: str, langs: list[str] | None = None) -> MetricContext:
        key = (name, tuple(langs) if langs else None)
        if key not in made:
            made[key] = MetricContext(load_tokenizer(name), flores, langs)
        return made[key]

    return make
