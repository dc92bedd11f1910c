"""Tokens that no text of the given corpora encodes to: candidates for under-trained embeddings
(Land & Bartolo 2024, "Fishing for Magikarp"). Opt-in in `tokbench inspect`: it encodes whole
corpora (225k documents for the defaults, minutes for a large vocabulary)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tokbench.errors import TokbenchError

DEFAULT_CORPORA = ("flores200:devtest", "code_samples", "domain_samples")


def never_produced(tok: Any, corpora: tuple[str, ...]) -> tuple[list[int], int, list[str]]:
    """Ids no text of the given corpora encodes to (special ids excluded); (ids, docs, corpora used)."""
    from tokbench.encode import encode_texts
    from tokbench.mixture.categories import load_category_spec

    seen = np.zeros(tok.vocab_size, bool)
    n_docs = 0
    used = []
    for spec in corpora:
        try:
            cats = load_category_spec(spec)
        except TokbenchError:
            continue  # a corpus that is not available here
        used.append(spec)
        for docs in cats.values():
            enc = encode_texts(tok, docs)
            seen[enc.ids[enc.ids < len(seen)]] = True
            n_docs += len(docs)
    tb = tok.token_bytes()
    special = set(getattr(tok, "special_ids", ()) or ())
    ids = [i for i in np.flatnonzero(~seen).tolist() if i < len(tb) and tb[i] and i not in special]
    return ids, n_docs, used
