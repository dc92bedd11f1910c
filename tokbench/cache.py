"""Content-addressed encode cache: one npz per (tokenizer, exact list of texts, encoding version).

The key hashes the tokenizer's files and config, every text, and ENCODING_VERSION, so a changed
file, corpus or encoder can never be served stale results. Files hold two arrays (ids uint32,
doc_offsets int64), no pickle, written atomically; a corrupt or inconsistent entry is detected
on read and recomputed.
"""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from tokbench.datadirs import cache_dir
from tokbench.io import atomic_write_bytes, remove_stale_temp_files

ENCODING_VERSION = "2"
log = logging.getLogger(__name__)


def texts_sha256(texts: Sequence[str]) -> str:
    """Hash of the exact list: each text length-prefixed, so no two different lists collide."""
    return _sha256(len(texts), (t.encode("utf-8", errors="surrogatepass") for t in texts))


def utf8_sha256(encoded: Sequence[bytes]) -> str:
    """`texts_sha256` of texts given as their UTF-8 bytes (for a caller that has encoded them anyway)."""
    return _sha256(len(encoded), iter(encoded))


def _sha256(n: int, encoded: Iterator[bytes]) -> str:
    h = hashlib.sha256()
    h.update(n.to_bytes(8, "little"))
    for b in encoded:
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()


def cache_key(tokenizer_key: str, texts_sha: str) -> str:
    return hashlib.sha256(f"v{ENCODING_VERSION}|{tokenizer_key}|{texts_sha}".encode()).hexdigest()


class EncodeCache:
    """npz files under `<root>/encodings/<k[:2]>/<k>.npz`."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = (root or cache_dir()) / "encodings"

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.npz"

    def get(self, key: str, n_docs: int, vocab_size: int) -> tuple[np.ndarray, np.ndarray] | None:
        """The cached arrays, or None if absent or corrupt (a corrupt file is removed)."""
        p = self.path(key)
        if not p.is_file():
            return None
        try:
            with np.load(p, allow_pickle=False) as z:
                ids, offsets = z["ids"], z["doc_offsets"]
            ok = (
                ids.dtype == np.uint32
                and offsets.dtype == np.int64
                and len(offsets) == n_docs + 1
                and offsets[0] == 0
                and offsets[-1] == len(ids)
                and bool(np.all(np.diff(offsets) >= 0))
                and (len(ids) == 0 or int(ids.max()) < vocab_size)
            )
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
            log.warning("encode cache entry %s is unreadable (%s); recomputing", p, e)
            ok = False
        if not ok:
            try:
                p.unlink(missing_ok=True)
            except OSError as e:  # read-only cache: the bad entry stays, and is re-checked next time
                self._unwritable(e)
            return None
        return ids, offsets

    def put(self, key: str, ids: np.ndarray, offsets: np.ndarray) -> None:
        """Store an encoding; a cache that cannot be written (read-only, full disk) only costs speed:
        the run goes on with the encodings in memory, after one warning."""
        if EncodeCache._disabled_reason is not None:
            return
        buf = io.BytesIO()
        np.savez(buf, ids=ids.astype(np.uint32, copy=False), doc_offsets=offsets.astype(np.int64, copy=False))
        try:
            atomic_write_bytes(self.path(key), buf.getvalue(), durable=False)  # get() verifies entries
        except OSError as e:  # atomic_write_bytes left no partial file behind
            self._unwritable(e)

    _disabled_reason: str | None = None  # process-wide: warn once, then stop trying

    def remove_stale_temp_files(self, older_than: float) -> int:
        """Delete partial `.npz` temp files that a killed run left (only those last written before
        `older_than`, so a concurrent run's write in progress is never touched)."""
        if not self.root.is_dir():
            return 0
        return sum(remove_stale_temp_files(d, older_than) for d in self.root.iterdir() if d.is_dir())

    def _unwritable(self, e: OSError) -> None:
        if EncodeCache._disabled_reason is None:
            EncodeCache._disabled_reason = e.strerror or str(e)
            log.warning(
                "the encode cache %s cannot be written (%s); going on without caching: set TOKBENCH_CACHE "
                "to a writable folder to keep encodings between runs",
                self.root,
                EncodeCache._disabled_reason,
            )
