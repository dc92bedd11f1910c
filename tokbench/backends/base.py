"""Accelerators: faster encoders that must reproduce a reference adapter's ids exactly.

The reference adapter (tokbench.tokenizers: `tokenizers`, `tiktoken`, `sentencepiece`) defines a
tokenizer's ids. An accelerator is another library that claims to produce the same ids faster;
tokbench uses it for a tokenizer only while it holds a certificate for that exact file (see
`tokbench.backends.certify`) and keeps checking it (see `tokbench.backends.gate`). Accelerators
register in `ACCELERATORS` (entry-point group `tokbench.accelerators`), beside the reference
adapters' format registry.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as dist_version

import numpy as np

from tokbench.registry import Registry
from tokbench.tokenizers.base import Tokenizer


@cache
def installed_version(distribution: str) -> str | None:
    """A distribution's installed version (None: not installed), looked up once per process: the metadata
    scan costs milliseconds and the gate asks for every accelerator each time it decides."""
    try:
        return dist_version(distribution)
    except PackageNotFoundError:
        return None


class FastEncoder(ABC):
    """One tokenizer loaded in an accelerator: texts -> (ids uint32, doc offsets int64)."""

    @abstractmethod
    def encode_flat(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """All ids concatenated plus document offsets (len n+1), without special tokens: the same
        contract as `Tokenizer.encode_flat`."""


class Accelerator(ABC):
    """A library that can load some tokenizers from their local files."""

    name: str
    distribution: str  # the PyPI distribution that implements it; its version goes into every certificate
    order: int = 0  # under --backend auto, accelerators are tried by (order, name): a fallback sets it higher

    @property
    def version(self) -> str | None:
        """The installed library's version, or None when it is not installed."""
        return installed_version(self.distribution)

    def supports(self, tokenizer: Tokenizer) -> str | None:
        """A cheap check before anything is loaded: None, or why this accelerator cannot encode it."""
        return None

    def installed_and_loads(self, tokenizer: Tokenizer, loaders: tuple[type, ...]) -> str | None:
        """The first checks every `supports` makes: the library is installed and has a loader for this
        adapter type (its reason names the extra that installs it)."""
        if self.version is None:
            return f"{self.name} is not installed (pip install 'tokbench[fast]')"
        if not isinstance(tokenizer, loaders):
            return f"{self.name} has no loader for {type(tokenizer).__name__}"
        return None

    @abstractmethod
    def load(self, tokenizer: Tokenizer) -> FastEncoder | str:
        """The tokenizer loaded from the same local files the reference adapter read (never a hub or
        the network), or a short reason why this accelerator cannot load it."""


ACCELERATORS: Registry[Accelerator] = Registry("accelerator", "tokbench.accelerators")
