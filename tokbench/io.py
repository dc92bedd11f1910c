"""File helpers: atomic writes (temp file + rename), write checks on user-chosen paths, and content
hashes that see through gzip.

Every file tokbench writes goes through `atomic_write_bytes`, so a write that fails (read-only folder,
a file where a folder should be, a name too long, `/proc/...`) is one `UnwritablePath` line naming the
path, never a traceback, and leaves nothing partial. Commands also call `check_writable` on their
`--out`-style paths before any work, so a bad path fails in a second, not after the run.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import gzip
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from tokbench.errors import TokbenchError

_CHUNK = 1 << 20
TEMP_SUFFIX = ".tmp"  # atomic writes go through `.<name>.<random>.tmp` beside the target
_TEMP_STEM = 80  # characters of the target's name kept in its temp file's name (which must fit NAME_MAX too)
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)  # the CLI reports these itself (free space or move --out)


class UnwritablePath(TokbenchError, OSError):
    """A file or folder tokbench must write cannot be: one line naming it (exit 2). Still an OSError,
    so callers that carry on without a file (the encode cache, in memory) keep doing so."""

    def __init__(self, message: str, err: OSError | None = None, path: str | Path | None = None) -> None:
        OSError.__init__(self, err.errno if err else errno.EINVAL, message, str(path) if path else None)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _reason(e: OSError) -> str:
    return e.strerror or type(e).__name__


def unwritable(path: str | Path, e: OSError, what: str = "write") -> OSError:
    """The one-line error for an OSError while writing `path` (disk full is left to the CLI's message)."""
    if e.errno in _NO_SPACE or isinstance(e, UnwritablePath):
        return e
    return UnwritablePath(f"cannot {what} {path} ({_reason(e)}); choose a writable location", e, path)


def _stat_or_none(p: Path) -> os.stat_result | None:
    try:
        return p.stat()
    except FileNotFoundError:
        return None


def check_writable(path: str | Path, flag: str, *, folder: bool = True) -> Path:
    """Fail now, in one line naming `flag`, if `path` (a folder, or a file when folder=False) could not be
    written: a file where a folder is needed (or the reverse), a name longer than the file system allows,
    a folder that refuses new files (read-only, /proc, /sys). Creates nothing; returns the path."""
    path = Path(path).expanduser()
    where = f"{flag} {path}"
    try:
        target = _stat_or_none(path)
        if target is not None:
            if folder and not os.path.isdir(path):
                raise UnwritablePath(f"{where}: is a file, not a folder; choose a folder for {flag}", path=path)
            if not folder and os.path.isdir(path):
                raise UnwritablePath(f"{where}: is a folder; give {flag} a file name", path=path)
        anc, missing = path.absolute(), []
        if not (folder and target is not None):
            missing.append(anc.name)
            anc = anc.parent
        while _stat_or_none(anc) is None:
            missing.append(anc.name)
            anc = anc.parent
        if not os.path.isdir(anc):
            raise UnwritablePath(f"{where}: {anc} is a file, not a folder; choose another {flag}", path=path)
        try:
            name_max = os.pathconf(anc, "PC_NAME_MAX")
        except (OSError, ValueError):
            name_max = 255
        too_long = [m for m in missing if len(os.fsencode(m)) > name_max]
        if too_long:
            raise UnwritablePath(f"{flag}: the name {too_long[0][:40]}... is {len(os.fsencode(too_long[0]))} bytes, "
                                 f"longer than the {name_max} the file system allows; choose a shorter {flag}",
                                 path=path)
        fd, probe = tempfile.mkstemp(dir=anc, prefix=".tokbench-probe.", suffix=TEMP_SUFFIX)
        os.close(fd)
        os.unlink(probe)
    except UnwritablePath:
        raise
    except OSError as e:
        if e.errno in _NO_SPACE:
            raise
        what = "cannot create the output folder" if folder else "cannot write the file"
        raise UnwritablePath(f"{where}: {what} there ({_reason(e)}); choose a writable {flag}", e, path) from None
    return path


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


def temp_pattern(target: str | Path) -> str:
    """The glob of the temp files `atomic_write_bytes` makes for `target` (in its folder)."""
    return f".{glob.escape(Path(target).name[:_TEMP_STEM])}.*{TEMP_SUFFIX}"


@contextlib.contextmanager
def holding(folder: str | Path, sweep: Sequence[tuple[Path, str]] = (),
            on_wait: Callable[[str], None] = lambda s: None) -> Iterator[Path]:
    """Be the one writer of `folder` (its `.tokbench.lock`, the lock `tokbench run` takes too; a second
    writer waits) and, under the lock, remove the temp files a killed writer left: every file matching
    each (folder, glob) of `sweep` (default: `.*.tmp` in `folder`)."""
    from filelock import FileLock, Timeout

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(folder / ".tokbench.lock", mode=0o666)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            on_wait(f"another tokbench command is writing {folder}; waiting for it to finish (Ctrl-C to stop)")
            lock.acquire()
    except OSError as e:
        raise unwritable(folder, e, "lock") from None
    try:
        now = time.time()
        for where, pattern in sweep or [(folder, f".*{TEMP_SUFFIX}")]:
            remove_stale_temp_files(where, now, pattern)
        yield folder
    finally:
        lock.release()


def atomic_write_bytes(path: str | Path, data: bytes, *, durable: bool = True) -> None:
    """Write so that readers see the old file or the whole new one, never a partial file.

    `durable=False` skips fsync: for caches whose reader verifies entries, the rename alone keeps
    readers safe and a power loss only costs a recomputation.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:_TEMP_STEM]}.", suffix=TEMP_SUFFIX)
    except OSError as e:
        raise unwritable(path, e) from None
    try:
        os.fchmod(fd, _FILE_MODE)  # mkstemp makes 0600; results in a shared folder must be readable
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise unwritable(path, e) from None
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
