"""Progress bars that honour `--quiet` whenever they are made.

tqdm reads its TQDM_* environment overrides once, when tqdm is imported, and the CLI learns about
`--quiet` later; so every bar asks here, at creation, whether the user wants quiet. `tqdm.auto` draws
a widget in Jupyter (the Python API, `tokbench.api`) and the usual text bar everywhere else.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from tqdm.auto import tqdm


def quiet() -> bool:
    """True under `tokbench ... --quiet` (the CLI sets TQDM_DISABLE=1) or when the caller set it."""
    return os.environ.get("TQDM_DISABLE", "") not in ("", "0", "false", "False")


def progress(iterable: Any = None, **kwargs: Any) -> tqdm:
    """A tqdm bar on stderr, disabled when quiet (an explicit `disable=True` also wins)."""
    kwargs["disable"] = bool(kwargs.get("disable")) or quiet()
    kwargs.setdefault("file", sys.stderr)
    return tqdm(iterable, **kwargs)
