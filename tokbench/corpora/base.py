"""A corpus: verified files → a `datasets.DatasetDict` with columns id, lang, text per split.

Loaders are plugins (one per corpus format) registered under the manifest's `loader:` key.
The manifest's files are resolved and checksum-verified before a loader sees them; a corpus
whose source is a hub dataset can be fetched with `datasets.load_dataset(id, revision=...)`
only when TOKBENCH_ALLOW_HUB=1, never as a silent fallback for missing local files.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import datasets
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tokbench.errors import TokbenchError
from tokbench.manifests import CorpusManifest, get_corpus_manifest
from tokbench.registry import Registry

LoaderFn = Callable[[CorpusManifest, dict[str, Path]], datasets.DatasetDict]
CORPUS_LOADERS: Registry[LoaderFn] = Registry("corpus loader", entry_point_group="tokbench.corpus_loaders")
REQUIRED_COLUMNS = ("id", "lang", "text")


@dataclass
class Corpus:
    """A loaded corpus with fast per-(split, lang) access to its documents."""

    manifest: CorpusManifest
    dataset: datasets.DatasetDict
    _index: dict[str, dict[str, np.ndarray]] = field(default_factory=dict, repr=False)
    _docs: dict[tuple[str, str, str], list[str]] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def splits(self) -> list[str]:
        return list(self.dataset.keys())

    def _split_index(self, split: str) -> dict[str, np.ndarray]:
        """lang → row numbers of a split, read column-wise; texts stay in (memory-mapped) Arrow
        until a language is asked for (row-by-row access costs ~20 s on FLORES, this 0.1 s)."""
        if split not in self.dataset:
            from tokbench.suggest import did_you_mean

            raise TokbenchError(f"corpus {self.name!r} has no split {split!r}{did_you_mean(split, self.splits)} "
                                f"(splits: {', '.join(self.splits)})")
        if split not in self._index:
            langs = self.dataset[split].data.table.column("lang").to_numpy(zero_copy_only=False)
            uniq, inv = np.unique(langs, return_inverse=True)
            order = np.argsort(inv, kind="stable")
            bounds = np.searchsorted(inv[order], np.arange(len(uniq) + 1))
            self._index[split] = {str(u): order[bounds[i] : bounds[i + 1]] for i, u in enumerate(uniq)}
        return self._index[split]

    def languages(self, split: str | None = None) -> list[str]:
        split = split or self.splits[0]
        return sorted(self._split_index(split))

    def _column(self, split: str, lang: str, column: str) -> list[str]:
        rows = self._split_index(split).get(lang)
        if rows is None:
            from tokbench.suggest import no_language

            raise TokbenchError(no_language(self.name, [lang], self._split_index(split), split))
        key = (split, lang, column)
        if key not in self._docs:
            table = self.dataset[split].data.table
            if len(rows) and rows[-1] - rows[0] + 1 == len(rows):  # contiguous: a zero-copy slice
                col = table.slice(int(rows[0]), len(rows)).column(column)
            else:
                col = table.column(column).take(rows)
            # ids repeat across a parallel corpus's languages: one shared str each (FLORES-200: 20 MB -> 0.1 MB)
            self._docs[key] = [sys.intern(str(v)) for v in col.to_pylist()] if column == "id" else col.to_pylist()
        return self._docs[key]

    def texts(self, split: str, lang: str) -> list[str]:
        return self._column(split, lang, "text")

    def doc_ids(self, split: str, lang: str) -> list[str]:
        return self._column(split, lang, "id")

    def content_sha256(self, split: str, lang: str) -> str:
        """The same content hash the encode cache keys on (length-prefixed, no collisions)."""
        from tokbench.cache import texts_sha256

        return texts_sha256(self.texts(split, lang))


def _from_hub(manifest: CorpusManifest) -> datasets.DatasetDict:
    """The real hub path; only taken when explicitly allowed (no hub is reachable here)."""
    src = manifest.source
    return datasets.load_dataset(src["hub"], revision=src["revision"], **manifest.options.get("hub_kwargs", {}))


def _validate(
    ds: datasets.DatasetDict, manifest: CorpusManifest, files: dict[str, Path] | None = None
) -> datasets.DatasetDict:
    if not isinstance(ds, datasets.DatasetDict) or not ds:
        raise TokbenchError(f"corpus {manifest.name!r}: loader returned no splits")
    for split, d in ds.items():
        missing = [c for c in REQUIRED_COLUMNS if c not in d.column_names]
        if missing:
            raise TokbenchError(f"corpus {manifest.name!r} split {split!r} lacks columns {missing}")
        if d.num_rows == 0:
            raise TokbenchError(f"corpus {manifest.name!r} split {split!r} is empty; check its files")
        text = d.data.table.column("text")
        try:  # Arrow keeps invalid UTF-8 from a JSON file until a text is read; catch it at load
            text.validate(full=True)
        except pa.ArrowInvalid:
            where = _explain_load_failure(manifest, files or {}, ValueError("invalid UTF-8 in the text column"))
            raise TokbenchError(where) from None
        if not pc.max(pc.utf8_length(text.cast("string"))).as_py():
            raise TokbenchError(f"corpus {manifest.name!r} split {split!r} has no text (every document is empty)")
    return ds


@lru_cache(maxsize=16)
def load_corpus(name: str) -> Corpus:
    """A registered corpus, its files verified against the manifest checksums."""
    import tokbench.corpora.loaders  # noqa: F401  (registers the built-in loaders)

    manifest = get_corpus_manifest(name)
    loader = CORPUS_LOADERS.get(manifest.loader)
    files: dict[str, Path] = {}
    if (
        "hub" in manifest.source
        and os.environ.get("TOKBENCH_ALLOW_HUB") == "1"
        and manifest.availability() == "missing"
    ):
        ds = _from_hub(manifest)
    else:
        files = manifest.resolve_files()
        datasets.disable_progress_bars()
        try:
            ds = loader(manifest, files)
        except (KeyboardInterrupt, TokbenchError, MemoryError):
            raise
        except Exception as e:  # datasets/pyarrow/json errors, StopIteration on an empty file, ...
            raise TokbenchError(_explain_load_failure(manifest, files, e)) from None
    return Corpus(manifest, _validate(ds, manifest, files))


def _explain_load_failure(manifest: CorpusManifest, files: dict[str, Path], exc: BaseException) -> str:
    """Name the file and what is wrong with it: the libraries' own errors rarely say which file or why
    (`datasets` raises `DatasetGenerationError` for a truncated JSONL, `StopIteration` for an empty one)."""
    from tokbench.io import read_bytes
    from tokbench.native import first_line

    head = f"corpus {manifest.name!r} cannot be loaded"
    fix = f"fix or replace the file (checksums pinned in {manifest.manifest_path})"
    for path in files.values():
        try:
            data = read_bytes(path)
        except Exception as e:  # noqa: BLE001  (truncated gzip: EOFError, BadGzipFile)
            return f"{head}: {path} is corrupt or truncated ({first_line(e)}); {fix}"
        if not data.strip():
            return f"{head}: {path} is empty; {fix}"
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as u:
            bad = f"byte 0x{data[u.start]:02x} at offset {u.start}"
            return f"{head}: {path} is not UTF-8 ({bad}); re-encode it as UTF-8"
    chain = [exc]
    while (nxt := chain[-1].__cause__ or chain[-1].__context__) is not None and len(chain) < 20:
        chain.append(nxt)
    # the parser's own complaint (Arrow's "JSON parse error ... in row N") beats later fallbacks' errors
    cause = next((c for c in chain if type(c).__name__ in ("ArrowInvalid", "JSONDecodeError")), chain[-1])
    detail = first_line(cause) if str(cause).strip() else first_line(exc)
    return f"{head} by loader {manifest.loader!r} ({type(cause).__name__}: {detail}); {fix}"
