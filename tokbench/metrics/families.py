"""Metric families: `--metrics tr,pure` selects every registered metric named `tr.*` and `pure.*`.

A name that is itself registered is kept as is; otherwise it expands to the registered metrics
whose name starts with `<name>.` (in registry order). Unknown names fall through to the registry's
error, which lists the known metrics.
"""

from __future__ import annotations

from collections.abc import Sequence

from tokbench.metrics.base import METRICS


def expand_metric_families(names: Sequence[str]) -> list[str]:
    out: list[str] = []
    known = METRICS.names()
    for name in names:
        members = [name] if name in known else [m for m in known if m.startswith(f"{name}.")]
        for m in members or [name]:
            if m not in out:
                out.append(m)
    return out
