"""Tokenizer fixtures for the digit probes: vendored ones always, the rest from the shared assets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def tok() -> Callable[[str], Any]:
    """A registered tokenizer by name (vendored: cl100k_base, o200k_base, r50k_base, p50k_base, ...)."""
    from tokbench.tokenizers import load_tokenizer

    return load_tokenizer


@pytest.fixture(scope="session")
def shared_tok(shared_assets: Path) -> Callable[[str], Any]:
    """A tokenizer whose files are never vendored (gpt2 tokenizer.json, llama2); skips without the assets."""
    from tokbench.tokenizers import load_tokenizer

    return load_tokenizer
