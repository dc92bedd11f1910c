"""The lexical-resource plugin contract and registry.

A resource answers, for a batch of token strings, two questions of the %TR / %Pure definitions
(Bayram et al. 2025, arXiv:2502.07057): is the string a valid unit of the language (a root, a
surface word or a morpheme), and is it pure (a root, or a single known morpheme)? Answers are
bit flags so that the on-disk decision cache stores one small integer per type.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import ClassVar

from tokbench.errors import TokbenchError
from tokbench.registry import Registry

VALID = 1  # a valid word, root or morpheme of the language
PURE = 2  # a root or a single known morpheme (implies VALID)


def package_version(name: str) -> str:
    """Installed version of a distribution ('missing' when absent), for cards and cache keys."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "missing"


class LexicalResource(ABC):
    """One offline resource for one or more languages; subclasses decide batches of strings."""

    name: ClassVar[str]
    languages: ClassVar[tuple[str, ...]]  # FLORES codes it covers, e.g. ("tur_Latn",)
    description: ClassVar[str]  # what decides VALID and PURE (shown on metric cards)

    def __init__(self, lang: str) -> None:
        self.lang = lang

    @property
    @abstractmethod
    def version(self) -> str:
        """Analyzer/lexicon version; part of the decision-cache key so a new release recomputes."""

    def fingerprint(self) -> str:
        """What the decisions depend on besides the token itself (extended by file-backed resources)."""
        return f"{self.name}|{self.lang}|{self.version}"

    def warm(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Build what `decide` builds on first use, ahead of it (see Metric.warm). Default: nothing."""

    @abstractmethod
    def decide(self, tokens: Sequence[str]) -> list[int]:
        """VALID/PURE flags per token (a cleaned, non-empty surface string)."""


RESOURCES: Registry[type[LexicalResource]] = Registry("lexical resource", entry_point_group="tokbench.lexicons")


def register_resource(cls: type[LexicalResource]) -> type[LexicalResource]:
    """Class decorator: register a resource under its name (third-party packages: `tokbench.lexicons`)."""
    RESOURCES.add(cls.name, cls)
    return cls


# The default resource per language, chosen by agreement on a hand-checked sample (reports/morphology).
_DEFAULTS: dict[str, str] = {}


def set_default(lang: str, name: str) -> None:
    """Make `name` the resource `lang` uses when a metric's `resource` option is empty."""
    _DEFAULTS[lang] = name


def _load_builtin() -> None:
    from tokbench.morphology import builtin  # noqa: F401  (imports register the built-in resources)


def languages_with_resource() -> list[str]:
    _load_builtin()
    return sorted(_DEFAULTS)


def default_resource_name(lang: str) -> str:
    _load_builtin()
    if lang not in _DEFAULTS:
        raise TokbenchError(
            f"no lexical resource for language {lang!r}; languages with one: {', '.join(sorted(_DEFAULTS))} "
            "(restrict with --langs)"
        )
    return _DEFAULTS[lang]


_instances: dict[tuple[str, str], LexicalResource] = {}


def resource_for(lang: str, name: str = "") -> LexicalResource:
    """The resource `name` (default: the language's default) for `lang`, one instance per process."""
    _load_builtin()
    name = name or default_resource_name(lang)
    cls = RESOURCES.get(name)
    if lang not in cls.languages:
        raise TokbenchError(f"lexical resource {name!r} does not cover {lang!r}; it covers: {', '.join(cls.languages)}")
    key = (name, lang)
    if key not in _instances:
        _instances[key] = cls(lang)
    return _instances[key]
