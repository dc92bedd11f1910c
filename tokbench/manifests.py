"""Tokenizer and corpus manifests: one YAML file registers one tokenizer or corpus.

Every entry pins its source (registry package + version, hub id + revision, repository +
commit, or URL) and the sha256 of each file; languages are ISO 639-3 + ISO 15924 codes
(`tur_Latn`). Manifests are validated on load: unknown keys, a missing revision or checksum,
or a malformed language code are errors, so a typo never silently changes what is measured.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tokbench.datadirs import resolve
from tokbench.errors import TokbenchError

TOKENIZER_FORMATS = (
    "hf_json",  # Hugging Face tokenizer.json (or .json.gz)
    "hf_dir",  # local model directory via transformers.AutoTokenizer (never trust_remote_code)
    "vocab_merges",  # GPT-2 style vocab.json + merges.txt
    "wordpiece_vocab",  # BERT vocab.txt
    "sentencepiece",  # SentencePiece .model (BPE or unigram)
    "tiktoken",  # .tiktoken rank file (+ options.encoding naming regex and specials)
    "tekken",  # Mistral tekken json
)
ALGORITHMS = ("bpe", "unigram", "wordpiece", "byte")
LANG_CODE = re.compile(r"^[a-z]{3}_[A-Z][a-z]{3}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")

_SOURCE_KINDS: dict[str, tuple[set[str], set[str]]] = {
    # kind: (required keys, optional keys)
    "registry": ({"registry", "package", "version"}, {"path", "derived"}),
    "hub": ({"hub", "revision"}, {"path", "derived"}),
    "github": ({"github", "commit"}, {"path", "derived"}),
    "url": ({"url", "retrieved"}, {"path", "derived"}),
}


@dataclass(frozen=True)
class FileEntry:
    path: str
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """Fields shared by tokenizer and corpus manifests."""

    name: str
    files: tuple[FileEntry, ...]
    source: dict[str, Any]
    license: str
    citation: str
    vendored: bool
    manifest_path: Path
    options: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def resolve_files(self) -> dict[str, Path]:
        """Manifest path → verified local path; raises a clear error on missing or mismatch."""
        how = _how_to_get(self.source)
        return {
            f.path: resolve(f.path, f.sha256, wanted_by=f"{self.kind} {self.name!r}", how_to_get=how)
            for f in self.files
        }

    def availability(self) -> str:
        """'vendored', 'available' or 'missing' (checksums are checked on load, not here)."""
        from tokbench.datadirs import find

        if all(find(f.path) is not None for f in self.files):
            return "vendored" if self.vendored else "available"
        return "missing"

    @property
    def kind(self) -> str:
        return "manifest"


@dataclass(frozen=True)
class TokenizerManifest(Manifest):
    format: str = ""
    algorithm: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "tokenizer"


@dataclass(frozen=True)
class CorpusManifest(Manifest):
    loader: str = ""
    languages: tuple[str, ...] = ()
    subsets: tuple[str, ...] = ()
    splits: tuple[str, ...] = ()
    domain: str = ""
    parallel: bool = False
    pivot: str | None = None

    @property
    def kind(self) -> str:
        return "corpus"


_COMMON_REQUIRED = {"name", "files", "source", "license", "citation"}
_COMMON_OPTIONAL = {"vendored", "options", "description"}
_TOK_REQUIRED = {"format", "algorithm"}
_TOK_OPTIONAL = {"aliases"}
_CORPUS_REQUIRED = {"loader", "splits", "domain", "parallel"}
_CORPUS_OPTIONAL = {"languages", "subsets", "pivot"}


def _how_to_get(source: dict[str, Any]) -> str:
    if "registry" in source:
        return f"it ships in {source['registry']} package {source['package']}=={source['version']}"
    if "hub" in source:
        return f"hub dataset/model {source['hub']} at revision {source['revision']}"
    if "github" in source:
        return f"repository {source['github']} at commit {source['commit']}"
    return f"from {source.get('url', 'its source')}"


def _check_keys(doc: dict[str, Any], required: set[str], optional: set[str], where: str) -> None:
    unknown = set(doc) - required - optional
    if unknown:
        raise TokbenchError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(required | optional)}")
    missing = required - set(doc)
    if missing:
        raise TokbenchError(f"{where}: missing required key(s) {sorted(missing)}")


def _parse_source(src: Any, where: str) -> dict[str, Any]:
    if not isinstance(src, dict):
        raise TokbenchError(f"{where}: 'source' must be a mapping naming where the files come from")
    for kind, (req, opt) in _SOURCE_KINDS.items():
        if kind in src:
            _check_keys(src, req, opt, f"{where} source")
            if any(not str(src[k]).strip() for k in req):
                raise TokbenchError(f"{where}: source {kind} needs non-empty {sorted(req)} (pin a version/revision)")
            return dict(src)
    raise TokbenchError(f"{where}: source must be one of registry/hub/github/url with a pinned version")


def _parse_files(files: Any, where: str) -> tuple[FileEntry, ...]:
    if not isinstance(files, list) or not files:
        raise TokbenchError(f"{where}: 'files' must be a non-empty list of {{path, sha256}}")
    out = []
    for f in files:
        if not isinstance(f, dict):
            raise TokbenchError(f"{where}: each file needs 'path' and 'sha256'")
        _check_keys(f, {"path", "sha256"}, set(), f"{where} file entry")
        if not _SHA.match(str(f["sha256"])):
            raise TokbenchError(f"{where}: file {f['path']} has no valid sha256 (64 hex digits)")
        out.append(FileEntry(str(f["path"]), str(f["sha256"])))
    return tuple(out)


def parse_manifest(doc: Any, path: Path, kind: str) -> TokenizerManifest | CorpusManifest:
    where = str(path)
    if not isinstance(doc, dict):
        raise TokbenchError(f"{where}: a manifest must be a YAML mapping")
    common = dict(
        name=str(doc.get("name", "")),
        files=(),
        source={},
        license=str(doc.get("license", "")),
        citation=str(doc.get("citation", "")),
        vendored=bool(doc.get("vendored", False)),
        manifest_path=path,
        options=dict(doc.get("options") or {}),
        description=str(doc.get("description", "")),
    )
    if kind == "tokenizer":
        _check_keys(doc, _COMMON_REQUIRED | _TOK_REQUIRED, _COMMON_OPTIONAL | _TOK_OPTIONAL, where)
    else:
        _check_keys(doc, _COMMON_REQUIRED | _CORPUS_REQUIRED, _COMMON_OPTIONAL | _CORPUS_OPTIONAL, where)
    common["files"] = _parse_files(doc["files"], where)
    common["source"] = _parse_source(doc["source"], where)
    if not common["name"]:
        raise TokbenchError(f"{where}: 'name' is empty")
    if kind == "tokenizer":
        if doc["format"] not in TOKENIZER_FORMATS:
            raise TokbenchError(f"{where}: format {doc['format']!r} is not one of {TOKENIZER_FORMATS}")
        if doc["algorithm"] not in ALGORITHMS:
            raise TokbenchError(f"{where}: algorithm {doc['algorithm']!r} is not one of {ALGORITHMS}")
        return TokenizerManifest(
            **common, format=doc["format"], algorithm=doc["algorithm"], aliases=tuple(doc.get("aliases") or ())
        )
    langs = tuple(doc.get("languages") or ())
    bad = [code for code in langs if not LANG_CODE.match(code)]
    if bad:
        raise TokbenchError(f"{where}: language codes must be ISO 639-3 + ISO 15924 like tur_Latn, got {bad[:5]}")
    subsets = tuple(doc.get("subsets") or ())
    if not langs and not subsets:
        raise TokbenchError(f"{where}: a corpus declares its 'languages' (or 'subsets' for code/domains)")
    return CorpusManifest(
        **common,
        loader=str(doc["loader"]),
        languages=langs,
        subsets=subsets,
        splits=tuple(doc["splits"]),
        domain=str(doc["domain"]),
        parallel=bool(doc["parallel"]),
        pivot=doc.get("pivot"),
    )


def manifest_dirs() -> list[Path]:
    """The repository's data_manifests/ (or the copy packaged in a wheel), then TOKBENCH_MANIFESTS."""
    here = Path(__file__).resolve().parent
    dirs = [d for d in (here.parent / "data_manifests", here / "data_manifests") if d.is_dir()][:1]
    extra = os.environ.get("TOKBENCH_MANIFESTS", "")
    dirs += [Path(p) for p in extra.split(os.pathsep) if p]
    return dirs


@cache
def _load_all(kind: str, dirs: tuple[Path, ...]) -> dict[str, TokenizerManifest | CorpusManifest]:
    sub = "tokenizers" if kind == "tokenizer" else "corpora"
    out: dict[str, TokenizerManifest | CorpusManifest] = {}
    for d in dirs:
        for p in sorted((d / sub).glob("*.yaml")):
            try:
                doc = yaml.safe_load(p.read_text(encoding="utf-8"))
            except yaml.YAMLError as e:
                raise TokbenchError(f"{p}: not valid YAML ({str(e).splitlines()[0]})") from None
            m = parse_manifest(doc, p, kind)
            for n in (m.name, *getattr(m, "aliases", ())):
                if n in out:
                    raise TokbenchError(f"{p}: name {n!r} is already registered by {out[n].manifest_path}")
                out[n] = m
    return out


def tokenizer_manifests() -> dict[str, TokenizerManifest]:
    """All registered tokenizers by name and alias."""
    return _load_all("tokenizer", tuple(manifest_dirs()))  # type: ignore[return-value]


def corpus_manifests() -> dict[str, CorpusManifest]:
    return _load_all("corpus", tuple(manifest_dirs()))  # type: ignore[return-value]


def get_tokenizer_manifest(name: str) -> TokenizerManifest:
    ms = tokenizer_manifests()
    if name not in ms:
        raise TokbenchError(
            f"unknown tokenizer {name!r}; `tokbench list tokenizers` shows the registered ones, "
            "or pass a path to a tokenizer file"
        )
    return ms[name]


def get_corpus_manifest(name: str) -> CorpusManifest:
    ms = corpus_manifests()
    if name not in ms:
        raise TokbenchError(f"unknown corpus {name!r}; `tokbench list corpora` shows the registered ones")
    return ms[name]
