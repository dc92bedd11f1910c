"""On-disk decision cache: one small integer (VALID/PURE flags) per token type and resource.

Content-addressed like the encode cache: the file name is the sha256 of the resource fingerprint
(name, language, analyzer/lexicon version and file checksums, DECISION_VERSION), and inside it each
decision is keyed by the token string itself, so a decision is computed once per unique type across
tokenizers and corpora. Writes merge with what is on disk and replace the file atomically.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tokbench.datadirs import cache_dir
from tokbench.io import atomic_write_bytes

DECISION_VERSION = 1  # bump when the decision rules change


def cache_path(fingerprint: str, root: Path | None = None) -> Path:
    key = hashlib.sha256(f"{DECISION_VERSION}|{fingerprint}".encode()).hexdigest()
    return (root or cache_dir() / "morphology") / f"{key}.json"


class DecisionCache:
    """Token → flags for one resource fingerprint, loaded once and merged back on save."""

    def __init__(self, fingerprint: str, root: Path | None = None) -> None:
        self.fingerprint = fingerprint
        self.path = cache_path(fingerprint, root)
        self.decisions: dict[str, int] = self._read()

    def _read(self) -> dict[str, int]:
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # absent or unreadable: recompute (a cache is never trusted over the resource)
        if not isinstance(doc, dict) or doc.get("fingerprint") != self.fingerprint:
            return {}
        dec = doc.get("decisions")
        return {k: v for k, v in dec.items() if isinstance(v, int)} if isinstance(dec, dict) else {}

    def missing(self, tokens: list[str]) -> list[str]:
        return [t for t in tokens if t not in self.decisions]

    def update(self, new: dict[str, int]) -> None:
        """Add decisions and write the merged file atomically (another process may have added some)."""
        if not new:
            return
        merged = self._read()
        merged.update(self.decisions)
        merged.update(new)
        self.decisions = merged
        doc = {"fingerprint": self.fingerprint, "decision_version": DECISION_VERSION, "decisions": merged}
        data = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        atomic_write_bytes(self.path, data, durable=False)
