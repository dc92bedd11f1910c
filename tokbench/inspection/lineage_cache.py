"""Lineage for `tokbench inspect` without loading every registered tokenizer each time.

`tokbench.inspection.lineage.find_lineage` loads all registered BPE tokenizers (about two minutes
for the 26 of the data directory). Here each tokenizer's token sequence (tokens in merge-creation
order, the lineage fingerprint) is stored once in the cache, keyed by its files' sha256, as
npz arrays (no pickle). The default compares only against fingerprints already cached (fast,
and it grows as tokenizers are inspected); `refresh=True` loads and caches all of them.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import numpy as np

from tokbench.datadirs import cache_dir
from tokbench.errors import TokbenchError
from tokbench.inspection.lineage import MIN_OVERLAP, MIN_SHARED, Lineage, Relative, common_prefix, token_sequence
from tokbench.io import atomic_write_bytes

log = logging.getLogger(__name__)
FINGERPRINT_VERSION = 2  # 2: with the merge count


def _path(sha256: str) -> Path:
    return cache_dir() / "lineage" / f"v{FINGERPRINT_VERSION}" / f"{sha256}.npz"


def save_fingerprint(sha256: str, tokens: list[bytes], n_merges: int) -> None:
    lengths = np.fromiter((len(t) for t in tokens), np.int64, len(tokens))
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    buf = io.BytesIO()
    np.savez(buf, data=np.frombuffer(b"".join(tokens), np.uint8), offsets=offsets, n_merges=np.int64(n_merges))
    atomic_write_bytes(_path(sha256), buf.getvalue(), durable=False)


def load_fingerprint_full(sha256: str) -> tuple[list[bytes], int] | None:
    """(tokens in merge-creation order, number of merges), or None when not cached."""
    p = _path(sha256)
    if not p.is_file():
        return None
    try:
        with np.load(p, allow_pickle=False) as z:
            data, offsets, n_merges = z["data"].tobytes(), z["offsets"], int(z["n_merges"])
    except (OSError, ValueError, KeyError) as e:  # a torn or foreign file: recompute
        log.debug("lineage: ignoring cache file %s: %s", p, e)
        return None
    return [data[a:b] for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)], n_merges


def load_fingerprint(sha256: str) -> list[bytes] | None:
    got = load_fingerprint_full(sha256)
    return None if got is None else got[0]


def merge_order(tok: Any) -> tuple[list[bytes], int]:
    """`tok`'s tokens in merge-creation order and its merge count, from the cache when there
    (deriving the canonical merge list is most of a first inspect: 8 s for llama3)."""
    got = load_fingerprint_full(tok.sha256)
    if got is None:
        merges = tok.merges()
        got = (token_sequence(merges), len(merges))
        save_fingerprint(tok.sha256, *got)
    return got


def _bpe_candidates(exclude_sha: str, names: list[str] | None) -> dict[str, str]:
    """Available registered BPE tokenizers: name -> files' sha256 (aliases collapsed)."""
    from tokbench.manifests import tokenizer_manifests
    from tokbench.tokenizers.loader import combined_sha256

    out: dict[str, str] = {}
    for key, m in tokenizer_manifests().items():
        if key != m.name or m.algorithm != "bpe" or (names is not None and m.name not in names):
            continue
        sha = combined_sha256([f.sha256 for f in m.files])
        if sha != exclude_sha and m.availability() != "missing":
            out[m.name] = sha
    return out


def cached_lineage(
    tok: Any, *, refresh: bool = False, names: list[str] | None = None, ours: list[bytes] | None = None,
) -> tuple[Lineage, list[str]]:
    """Lineage of `tok` against cached fingerprints (all available ones with `refresh`); (lineage, compared)."""
    from tokbench.tokenizers import load_tokenizer

    ours = ours if ours is not None else merge_order(tok)[0]  # caching it makes it a lineage candidate later
    ours_set = set(ours)
    lin = Lineage(len(ours))
    compared = []
    for name, sha in sorted(_bpe_candidates(tok.sha256, names).items()):
        theirs = load_fingerprint(sha)
        if theirs is None:
            if not refresh:
                continue
            try:
                other = load_tokenizer(name)
                merges = other.merges()
                theirs = token_sequence(merges)
            except TokbenchError as e:
                log.debug("lineage: skipping %s: %s", name, e)
                continue
            save_fingerprint(sha, theirs, len(merges))
            del merges
            del other
            load_tokenizer.cache_clear()  # keep one tokenizer in memory at a time
        compared.append(name)
        k = common_prefix(ours, theirs)
        overlap = len(ours_set.intersection(theirs)) / max(1, len(theirs))
        if k >= MIN_SHARED or overlap >= MIN_OVERLAP:
            lin.relatives.append(Relative(name, k, len(theirs), overlap))
    lin.relatives.sort(key=lambda r: (-r.shared, -r.overlap))
    return lin, compared
