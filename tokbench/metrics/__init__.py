"""Metric plugins: one module per metric, each with its card, registered by name.

Third-party packages add metrics with no edit to tokbench: subclass `Metric`, decorate it with
`register_metric`, and expose the module under the `tokbench.metrics` entry-point group.
"""

from __future__ import annotations

from typing import Any

from tokbench.metrics import (  # noqa: F401  (importing registers the built-in metrics)
    bytes_per_token,
    chars_per_token,
    continued_words,
    ctc,
    digits,
    fertility,
    lexical_validity,
    morphscore,
    ngram_bpb,
    nsl,
    premium,
    renyi,
    roundtrip,
    unk_rate,
    vocab_utilisation,
)
from tokbench.metrics.base import ALL_LANGUAGES, METRICS, Metric, MetricCard, make_row, register_metric
from tokbench.metrics.context import CorpusView, MetricContext

# The default suite of `tokbench run` / `make bench`: premium plus the compression set.
DEFAULT_METRICS = (
    "premium",
    "ctc",
    "bytes_per_token",
    "chars_per_token",
    "fertility",
    "continued_words",
    "nsl",
    "renyi_efficiency",
    "renyi_efficiency_observed",
    "vocab_utilisation",
    "unk_rate",
    *roundtrip.METRIC_NAMES,  # the roundtrip family: exact, exact_normalized, cer, changes.<kind>
)


def get_metric(name: str) -> type[Metric]:
    """The metric class registered under `name` (TokbenchError listing known names otherwise)."""
    return METRICS.get(name)


def metric_cards() -> list[dict[str, Any]]:
    """Cards of all registered metrics (built-in and entry-point plugins), for `tokbench list metrics`."""
    return [cls.card.as_dict() for _, cls in METRICS.items()]


__all__ = [
    "ALL_LANGUAGES",
    "DEFAULT_METRICS",
    "METRICS",
    "CorpusView",
    "Metric",
    "MetricCard",
    "MetricContext",
    "get_metric",
    "make_row",
    "metric_cards",
    "register_metric",
]
