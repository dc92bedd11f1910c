"""Lexicon files of file-backed resources: found on the data search path, checked, read as UTF-8.

The vendored copies live in `tokbench/vendored/lexicons/` (registry-sourced, `vendor: yes`, with
their licenses); a data directory (`--data-dir`, TOKBENCH_DATA) holding `lexicons/...` comes first,
as for tokenizers. Every failure is one TokbenchError line: missing, truncated (a cut gzip stream,
or content whose sha256 differs from the pinned one), or not UTF-8.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path

from tokbench.datadirs import find, search_path
from tokbench.errors import TokbenchError

_VERIFIED: set[tuple[str, int, int]] = set()
VENDORED: list[LexiconFile] = []  # every pinned lexicon file, registered where it is defined


def vendored_lexicon_files() -> list[LexiconFile]:
    """Lexicon files shipped in tokbench/vendored/lexicons (for the vendored-folder checks)."""
    from tokbench.morphology import builtin  # noqa: F401  (defines them)

    return list(VENDORED)


@dataclass(frozen=True)
class LexiconFile:
    relpath: str  # relative to a data directory, e.g. lexicons/turkish/zemberek_lexicon.csv (may be stored .gz)
    sha256: str  # of the uncompressed content
    source: str  # registry package and version it comes from

    def __post_init__(self) -> None:
        VENDORED.append(self)

    def locate(self) -> Path:
        path = find(self.relpath)
        if path is None:
            dirs = ", ".join(str(d) for d in search_path())
            raise TokbenchError(
                f"lexicon file {self.relpath} ({self.source}) not found in the data directories [{dirs}]; "
                "reinstall tokbench (it is vendored) or pass --data-dir with a folder holding it"
            )
        return path

    def read_bytes(self) -> tuple[Path, bytes]:
        path = self.locate()
        try:
            data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        except (EOFError, gzip.BadGzipFile, zlib.error) as e:
            raise TokbenchError(
                f"lexicon file {path} is truncated or not gzip ({e}); restore it from {self.source}"
            ) from None
        return path, data

    def verify(self) -> None:
        """Check the file now (missing, truncated, not UTF-8), even when every decision is already cached."""
        path = self.locate()
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns)
        if key not in _VERIFIED:
            self.read_text()
            _VERIFIED.add(key)

    def read_text(self) -> str:
        """The file's text, after checking it decodes as UTF-8 and matches its pinned checksum."""
        path, data = self.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise TokbenchError(
                f"lexicon file {path} is not UTF-8 (byte {e.start}: {data[e.start:e.start + 1]!r}); "
                f"restore it from {self.source}"
            ) from None
        got = hashlib.sha256(data).hexdigest()
        if got != self.sha256:
            raise TokbenchError(
                f"lexicon file {path} is truncated or modified: sha256 {got[:12]}..., expected {self.sha256[:12]}... "
                f"({len(data):,} bytes); restore it from {self.source}"
            )
        return text
