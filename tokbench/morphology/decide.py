"""Decide a batch of token types with a resource, through the on-disk cache, with a progress bar."""

from __future__ import annotations

from collections.abc import Sequence

from tokbench.morphology.base import LexicalResource
from tokbench.morphology.cache import DecisionCache
from tokbench.progress import progress

_CHUNK = 2000  # decisions saved every chunk, so an interrupted cold run keeps its progress

_caches: dict[str, DecisionCache] = {}


def cache_for(resource: LexicalResource) -> DecisionCache:
    fp = resource.fingerprint()
    if fp not in _caches:
        _caches[fp] = DecisionCache(fp)
    return _caches[fp]


def decide_types(resource: LexicalResource, tokens: Sequence[str], *, desc: str = "") -> dict[str, int]:
    """VALID/PURE flags for each distinct token string; only types not yet cached reach the resource."""
    cache = cache_for(resource)
    uniq = sorted(set(tokens))
    todo = cache.missing(uniq)
    if todo:
        bar = progress(total=len(todo), desc=desc or f"{resource.name} {resource.lang}", unit="type", leave=False)
        for i in range(0, len(todo), _CHUNK):
            chunk = todo[i : i + _CHUNK]
            flags = resource.decide(chunk)
            cache.update(dict(zip(chunk, flags, strict=True)))
            bar.update(len(chunk))
        bar.close()
    return {t: cache.decisions[t] for t in uniq}
