"""Metric plugin contract: a card, protocol options, and `compute(ctx, opts) -> rows`.

A metric is a class registered under its card's name. Metrics never encode text themselves:
they ask the shared `MetricContext` for cached encodings, so a grid of N metrics over one
tokenizer and corpus costs one encode per protocol (and none on a warm cache).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from tokbench.errors import TokbenchError
from tokbench.registry import Registry

if TYPE_CHECKING:
    from tokbench.metrics.context import MetricContext

# Row keys a metric returns; the runner adds tokenizer and corpus.
ROW_KEYS = ("split", "language", "metric", "value", "unit", "ci_low", "ci_high", "n", "flags")
ALL_LANGUAGES = "ALL"  # `language` of rows that aggregate over languages


@dataclass(frozen=True)
class MetricCard:
    """What `tokbench list metrics` shows: enough to read a number without opening the code."""

    name: str
    definition: str
    unit: str
    higher_is_better: bool | None  # None: neither (e.g. a raw count)
    needs: tuple[str, ...] = ()  # "parallel corpus", "lexicon", "merge list", "reference tokenizer"; () = nothing
    citation: str = ""
    options: dict[str, Any] = field(default_factory=dict)  # protocol options it reads, with defaults
    corpus: bool = True  # False: computed from the tokenizer alone, run once per tokenizer (corpus "-")
    # bump when a fix changes the numbers under the same options: it is part of the result-cell key,
    # so `tokbench run` recomputes cells of an older revision instead of serving them
    revision: int = 0

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["needs"] = list(self.needs) or ["nothing"]
        return d


class Metric:
    """Base class of metric plugins; subclasses set `card` and implement `compute`."""

    card: ClassVar[MetricCard]

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        raise NotImplementedError

    @classmethod
    def warm(cls, langs: tuple[str, ...] | None, opts: dict[str, Any]) -> None:
        """Load what computing this metric loads for *any* tokenizer (a language resource, an analyzer), once,
        in the process that forks the tokenizer children, so each inherits it instead of building it again.
        Never tokenizer-dependent; a failure is ignored there (the child meets and reports it). Default: nothing."""

    @classmethod
    def resolve_options(cls, user: dict[str, Any]) -> dict[str, Any]:
        """This metric's options: its card defaults overridden by the user's values (typed like the default)."""
        out: dict[str, Any] = {}
        for key, default in cls.card.options.items():
            out[key] = coerce_option(key, user[key], default) if key in user else default
        return out


METRICS: Registry[type[Metric]] = Registry("metric", entry_point_group="tokbench.metrics")


def register_metric(cls: type[Metric]) -> type[Metric]:
    """Class decorator: register a metric under its card name (third-party packages use it too)."""
    METRICS.add(cls.card.name, cls)
    return cls


def coerce_option(key: str, value: Any, default: Any) -> Any:
    """CLI options arrive as strings; convert them to the type of the default so cache keys are stable."""
    if not isinstance(value, str) or isinstance(default, str) or default is None:
        return value
    try:
        if isinstance(default, bool):
            if value.lower() in ("1", "true", "yes", "on"):
                return True
            if value.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if isinstance(default, int):
            return _in_range(key, int(value), default)
        if isinstance(default, float):
            return _in_range(key, float(value), default)
        if isinstance(default, tuple | list):
            return tuple(v for v in value.split(",") if v)
    except ValueError as e:
        why = str(e) if str(e).startswith(key) else f"not a valid {type(default).__name__}"
        raise TokbenchError(f"option {key}={value!r}: {why}; e.g. {key}={default!r}") from None
    return value


# Options whose meaningful range is narrower than "not negative" (by name, across metrics).
_FRACTIONS = ("threshold", "frac", "share")  # an option named like these is a share in [0, 1]
_STRICTLY_POSITIVE = ("alpha",)  # Rényi order: 0 is a different entropy, negative meaningless


def _in_range(key: str, value: int | float, default: int | float) -> int | float:
    """Numbers must be finite; counts, seeds and rates cannot be negative (a negative bootstrap count
    used to run with no CI and say nothing); shares lie in [0, 1]."""
    ok = math.isfinite(value) and (value >= 0 or default < 0)
    if ok and any(word in key for word in _FRACTIONS):
        ok = 0 <= value <= 1
    if ok and key in _STRICTLY_POSITIVE:
        ok = value > 0
    if not ok:
        rule = "in [0, 1]" if any(w in key for w in _FRACTIONS) else "> 0" if key in _STRICTLY_POSITIVE else ">= 0"
        raise ValueError(f"{key} must be {rule}")
    return value


def make_row(
    metric: str,
    language: str,
    split: str,
    value: float,
    unit: str,
    n: int,
    ci: tuple[float, float] | None = None,
    flags: str = "",
) -> dict[str, Any]:
    """One tidy result row (NaN CI when the metric has no sampling uncertainty estimate)."""
    lo, hi = ci if ci is not None else (math.nan, math.nan)
    return {
        "split": split,
        "language": language,
        "metric": metric,
        "value": float(value),
        "unit": unit,
        "ci_low": float(lo),
        "ci_high": float(hi),
        "n": int(n),
        "flags": flags,
    }
