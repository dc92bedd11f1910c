"""Token classes: the script of a token's letters, or whitespace / digit / punctuation / bytes,
and their shares along the merge order (what a vocabulary spends its merges on, and when)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from fontTools.unicodedata import script as unicode_script
from fontTools.unicodedata import script_name

CLASSES_FIXED = ("whitespace", "digit", "punctuation", "bytes")


_UNSPECIFIC = frozenset({"Zyyy", "Zinh", "Zzzz"})  # Common, Inherited, Unknown: shared by several scripts


@lru_cache(maxsize=65536)
def _script(ch: str) -> str | None:
    """The Unicode Script property's name (Scripts.txt, as shipped with fontTools), None for letters that
    belong to no one script (MICRO SIGN, mathematical alphanumerics). The first word of the character's
    name was used before: it labelled "µ" as script "Micro" and fullwidth Latin as "Fullwidth"."""
    code = unicode_script(ch)
    return None if code in _UNSPECIFIC else script_name(code)


def token_class(tok: bytes) -> str:
    """Script of a token's letters (its first letter with a script of its own), or whitespace / digit /
    punctuation / bytes (not valid UTF-8)."""
    if tok.isascii():  # most tokens: str methods on ASCII give the same answer without unicodedata
        core = tok.decode("ascii").strip()
        if not core:
            return "whitespace"
        if core.isdigit():
            return "digit"
        return "Latin" if any(ch.isalpha() for ch in core) else "punctuation"
    try:
        s = tok.decode("utf-8")
    except UnicodeDecodeError:
        return "bytes"
    core = s.strip()
    if not core:
        return "whitespace"
    if all(ch.isdigit() for ch in core):
        return "digit"
    letters = [ch for ch in core if ch.isalpha()]
    if not letters:
        return "punctuation"
    # the first letter with a script of its own: "µm" is Latin; letters of no one script alone are "Common"
    return next(filter(None, map(_script, letters)), "Common")


def vocab_order(tok: Any) -> list[bytes]:
    """Tokens in creation order: merge order for BPE (one entry per token), id order otherwise."""
    if tok.algorithm == "bpe":
        from tokbench.inspection.lineage import token_sequence

        return token_sequence(tok.merges())
    return [b for b in tok.token_bytes() if b]


def class_shares_by_rank(
    tokens: Sequence[bytes], n_bins: int = 25, classes: Sequence[str] | None = None,
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Share of each class per rank bin: (bin edges, classes, shares[bins, classes]).

    `classes` (token_class of each token) can be passed when already computed."""
    classes = list(classes) if classes is not None else [token_class(t) for t in tokens]
    top = [c for c, _ in Counter(classes).most_common()]
    keep = [c for c in top if c in CLASSES_FIXED] + [c for c in top if c not in CLASSES_FIXED][:8]
    labels = sorted(set(keep), key=keep.index) + (["other"] if len(set(classes) - set(keep)) else [])
    idx = {c: i for i, c in enumerate(labels)}
    col = np.array([idx.get(c, len(labels) - 1) for c in classes], np.int64)
    edges = np.linspace(0, len(tokens), n_bins + 1).astype(int)
    shares = np.zeros((n_bins, len(labels)))
    for b in range(n_bins):
        seg = col[edges[b]:edges[b + 1]]
        if len(seg):
            shares[b] = np.bincount(seg, minlength=len(labels)) / len(seg)
    return edges, labels, shares
