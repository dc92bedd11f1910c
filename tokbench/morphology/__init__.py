"""Offline lexical resources that decide whether a token string is a valid word / morpheme of a language.

Used by the %TR / %Pure metrics (Bayram et al. 2025) and their %L generalisation: each resource is a
plugin in `RESOURCES` (one module per resource), decisions are cached on disk per token type.
"""

from __future__ import annotations

from tokbench.morphology.base import (
    PURE,
    RESOURCES,
    VALID,
    LexicalResource,
    default_resource_name,
    languages_with_resource,
    register_resource,
    resource_for,
)
from tokbench.morphology.decide import decide_types
from tokbench.morphology.surface import clean_surface, surfaces_of

__all__ = [
    "PURE",
    "RESOURCES",
    "VALID",
    "LexicalResource",
    "clean_surface",
    "decide_types",
    "default_resource_name",
    "languages_with_resource",
    "register_resource",
    "resource_for",
    "surfaces_of",
]
