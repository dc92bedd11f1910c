"""Fixtures for metric tests on real data from the shared assets folder (never vendored)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tokbench.metrics import CorpusView, MetricContext


@pytest.fixture(scope="session")
def assets(shared_assets: Path) -> Path:
    """The shared assets folder (tests/conftest.py skips with a reason when it is absent)."""
    return shared_assets


@pytest.fixture(scope="module")
def flores(assets: Path) -> CorpusView:
    """Module scope: the view memoises every text, joined document and count it was asked for (all 204
    languages by the end of tests/metrics), which a session fixture kept past the release after each module."""
    from tokbench.corpora import load_corpus

    return CorpusView(load_corpus("flores200"))


@pytest.fixture
def make_ctx(flores: CorpusView, release_caches: Callable[[], None]) -> Iterator[Callable[..., MetricContext]]:
    """MetricContext for a registered tokenizer on FLORES, memoised within a test. Released when the test ends:
    a context holds its tokenizer and every encoding it made (llama2 on all of FLORES: ~0.35 GB), and kept for
    the module they added up to ~0.8 GB (tests/metrics/test_premium.py), the suite's largest module. The next
    test reads the encodings back from the session's encode cache instead of recomputing them."""
    from tokbench.tokenizers import load_tokenizer

    made: dict[tuple[str, tuple[str, ...] | None], MetricContext] = {}

    def make(name: str, langs: list[str] | None = None) -> MetricContext:
        key = (name, tuple(langs) if langs else None)
        if key not in made:
            made[key] = MetricContext(load_tokenizer(name), flores, langs)
        return made[key]

    yield make
    made.clear()
    release_caches()
