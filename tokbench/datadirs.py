"""Where data files come from: a search path of data directories plus the vendored folder.

Order: `--data-dir` (CLI), then `TOKBENCH_DATA` (os.pathsep-separated), then the user's folder
(`TOKBENCH_HOME`, default ~/.local/share/tokbench: where `tokbench register` copies files), then
the vendored folder shipped in the package. A manifest names files relative to a data directory
(`tokenizers/cl100k_base/cl100k_base.tiktoken`); the file may be stored as is or gzipped
(`... .gz`), and its sha256 is always of the uncompressed content. Nothing is ever substituted:
a missing file or a wrong checksum is an error that says which manifest wants what.
"""

from __future__ import annotations

import os
from pathlib import Path

from tokbench.errors import TokbenchError
from tokbench.io import sha256_file

VENDORED_DIR = Path(__file__).resolve().parent / "vendored"

_cli_dirs: list[Path] = []
_verified: dict[tuple[str, int, int], str] = {}


def set_cli_data_dirs(dirs: list[str | Path] | None) -> None:
    """Called by the CLI for `--data-dir`; they come first in the search path."""
    _cli_dirs[:] = [Path(d).expanduser() for d in (dirs or [])]


def user_dir() -> Path:
    """The user's own data and manifests (`tokbench register`): TOKBENCH_HOME, else $XDG_DATA_HOME/tokbench."""
    if home := os.environ.get("TOKBENCH_HOME"):
        return Path(home).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(xdg).expanduser() / "tokbench"


def cli_data_dirs() -> list[str]:
    """The `--data-dir` folders of this process (state a child process must be handed explicitly)."""
    return [str(d) for d in _cli_dirs]


def search_path() -> list[Path]:
    env = os.environ.get("TOKBENCH_DATA", "")
    env_dirs = [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    return [*_cli_dirs, *env_dirs, user_dir(), VENDORED_DIR]


def cache_dir() -> Path:
    """Encode cache and other derived files (TOKBENCH_CACHE, default ~/.cache/tokbench)."""
    return Path(os.environ.get("TOKBENCH_CACHE", Path.home() / ".cache" / "tokbench")).expanduser()


def find(relpath: str) -> Path | None:
    """First existing copy of `relpath` (as is, or gzipped) on the search path."""
    norm = os.path.normpath(relpath)
    if os.path.isabs(norm) or norm == ".." or norm.startswith(".." + os.sep):
        raise TokbenchError(
            f"data file path {relpath!r} leaves the data directory; manifest paths are relative to a data "
            "directory (e.g. tokenizers/<name>/tokenizer.json)"
        )
    for base in search_path():
        for cand in (base / relpath, base / (relpath + ".gz")):
            if cand.is_file():
                return cand
        if relpath.endswith(".gz"):
            cand = base / relpath[:-3]
            if cand.is_file():
                return cand
    return None


def verified_sha256(path: Path) -> str:
    """sha256 of a file's content, memoised by (path, size, mtime) for this process."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _verified:
        _verified[key] = sha256_file(path)
    return _verified[key]


def resolve(relpath: str, sha256: str, *, wanted_by: str, how_to_get: str = "") -> Path:
    """Locate a manifest file and check its checksum; raise a clear error otherwise."""
    path = find(relpath)
    if path is None:
        dirs = ", ".join(str(d) for d in search_path())
        hint = f" ({how_to_get})" if how_to_get else ""
        raise TokbenchError(
            f"{wanted_by} needs {relpath}, not found in the data directories [{dirs}]; "
            f"pass --data-dir or set TOKBENCH_DATA to a folder holding it{hint}"
        )
    actual = verified_sha256(path)
    if actual != sha256:
        raise TokbenchError(
            f"checksum mismatch for {path} (wanted by {wanted_by}): expected sha256 {sha256}, "
            f"got {actual}; the file is corrupt or a different version, replace it"
        )
    return path
