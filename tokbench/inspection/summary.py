"""What a tokenizer's vocabulary and merge order say about it, as one JSON-able dict.

Algorithm and sizes, which scripts (and digits, whitespace, punctuation) the vocabulary spends
its merges on and in what order, the longest tokens, lineage against registered tokenizers
(cached fingerprints by default, see lineage_cache), and, opt-in because they are the slow part,
tokens never produced on corpora and the data-mixture estimate.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from tokbench.datadirs import user_dir
from tokbench.inspection.classes import class_shares_by_rank, token_class, vocab_order

LINEAGE_MODES = ("cached", "all", "off")


def default_out_dir() -> Path:
    """Where `tokbench inspect` writes unless --out is given: $TOKBENCH_HOME/inspect."""
    return user_dir() / "inspect"


def inspect_tokenizer(
    tok: Any, *, corpora: tuple[str, ...] = (), lineage: str = "cached",
    categories: dict[str, list[str]] | None = None, mixture_kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`lineage`: 'cached' (fingerprints already in the cache), 'all' (load every registered BPE), 'off'."""
    info: dict[str, Any] = {"name": tok.name, "algorithm": tok.algorithm, "vocab_size": int(tok.vocab_size)}
    if tok.algorithm == "bpe":
        from tokbench.inspection.lineage_cache import merge_order

        order, info["merges"] = merge_order(tok)  # == vocab_order(tok), cached by the tokenizer's sha256
        info["merges_one_per_token"] = len(order)
    else:
        order = vocab_order(tok)
    classes = [token_class(t) for t in order]
    edges, labels, shares = class_shares_by_rank(order, classes=classes)
    info["by_rank"] = {"edges": edges.tolist(), "classes": labels, "shares": shares.round(4).tolist()}
    info["class_shares"] = {k: v / max(1, len(order)) for k, v in Counter(classes).most_common()}
    tb = [b for b in tok.token_bytes() if b]
    info["longest_tokens"] = [t.decode("utf-8", "backslashreplace") for t in sorted(tb, key=len, reverse=True)[:15]]
    if lineage != "off" and tok.algorithm == "bpe":
        from tokbench.inspection.lineage_cache import cached_lineage

        lin, compared = cached_lineage(tok, refresh=lineage == "all", ours=order)
        info["lineage"] = [
            {"tokenizer": r.name, "shared_merges": r.shared, "their_merges": r.their_merges, "extends": r.extends,
             "token_overlap": round(r.overlap, 4)}
            for r in lin.relatives
        ]
        info["lineage_compared"] = compared
        info["lineage_mode"] = lineage
        info["extends"] = lin.parent.name if lin.parent else None
        info["start_merge"] = lin.parent.shared if lin.parent else 0
    if corpora:
        from tokbench.inspection.never_produced import never_produced

        ids, n_docs, used = never_produced(tok, corpora)
        token_bytes = tok.token_bytes()
        info["never_produced"] = {
            "count": len(ids), "corpora": used, "documents": n_docs,
            "examples": [token_bytes[i].decode("utf-8", "backslashreplace") for i in
                         sorted(ids, key=lambda i: -len(token_bytes[i]))[:25]],
        }
    if categories:
        from tokbench.mixture.infer import infer_mixture

        kw = dict(mixture_kwargs or {})
        kw.setdefault("start_merge", info.get("start_merge", 0))
        res = infer_mixture(tok, categories, **kw)
        info["mixture"] = res.to_json()
    return info
