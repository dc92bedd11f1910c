"""File helpers: atomic writes (temp file + rename) and content hashes that see through gzip."""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from pathlib import Path

_CHUNK = 1 << 20
TEMP_SUFFIX = ".tmp"  # atomic writes go through `.<name>.<random>.tmp` beside the target


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()  # what open() would give a new file


def remove_stale_temp_files(folder: str | Path, older_than: float, pattern: str = f".*{TEMP_SUFFIX}") -> int:
    """Delete temp files that an interrupted atomic write (kill -9, power loss) left in `folder` and
    that were last touched before `older_than` (a time.time() value); returns how many went."""
    removed = 0
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    for p in folder.glob(pattern):
        try:
            if p.is_file() and p.stat().st_mtime < older_than:
                p.unlink()
                removed += 1
        except OSError:  # gone meanwhile, or not ours to remove: leave it
            continue
    return removed


def atomic_write_bytes(path: str | Path, data: bytes, *, durable: bool = True) -> None:
    """Write so that readers see the old file or the whole new one, never a partial file.

    `durable=False` skips fsync: for caches whose reader verifies entries, the rename alone keeps
    readers safe and a power loss only costs a recomputation.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        os.fchmod(fd, _FILE_MODE)  # mkstemp makes 0600; results in a shared folder must be readable
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def read_bytes(path: str | Path) -> bytes:
    """Read a file, decompressing `*.gz` transparently."""
    path = Path(path)
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as fh:
            return fh.read()
    return path.read_bytes()


def read_text(path: str | Path) -> str:
    return read_bytes(path).decode("utf-8")


def sha256_file(path: str | Path) -> str:
    """sha256 of the file's content; for `*.gz` of the uncompressed content (as shared/ records it)."""
    path = Path(path)
    h = hashlib.sha256()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
