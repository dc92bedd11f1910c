"""Tokenizer and corpus manifests: one YAML file registers one tokenizer or corpus.

Every entry pins its source (registry package + version, hub id + revision, repository +
commit, URL + retrieval date, or a local file the user registered, pinned by its sha256) and the
sha256 of each file; languages are ISO 639-3 + ISO 15924 codes
(`tur_Latn`). Manifests are validated on load: unknown keys, a missing revision or checksum,
or a malformed language code are errors, so a typo never silently changes what is measured.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from datetime import date
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    model_validator,
)

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


def _pinned(v: Any) -> Any:
    """Versions, revisions and dates may come from YAML as numbers or dates (`version: 1.2`)."""
    if isinstance(v, int | float | date) and not isinstance(v, bool):
        return str(v)
    return v


def _not_blank(v: str) -> str:
    if not v.strip():
        raise ValueError("must not be empty")
    return v


def _pinned_not_blank(v: str) -> str:
    if not v.strip():
        raise ValueError("must not be empty (pin a version/revision)")
    return v


def _sha256(v: str) -> str:
    if not _SHA.match(v):
        raise ValueError("not a valid sha256 (64 lowercase hex digits)")
    return v


def _relative_inside(v: str) -> str:
    """Manifest paths are relative to a data directory and may not climb out of it."""
    p = PurePosixPath(v.replace("\\", "/"))
    if not v.strip() or p.is_absolute() or ".." in p.parts or re.match(r"^[A-Za-z]:", v):
        raise ValueError(
            f"path {v!r} must be relative to a data directory and stay inside it (no leading '/', no '..')"
        )
    return v


Text = Annotated[StrictStr, AfterValidator(_not_blank)]
Pinned = Annotated[StrictStr, BeforeValidator(_pinned), AfterValidator(_pinned_not_blank)]
Sha256 = Annotated[StrictStr, AfterValidator(_sha256)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FileEntry(_Strict):
    """One file of a manifest: where it sits under a data directory, and its content hash."""

    path: Annotated[StrictStr, AfterValidator(_relative_inside)]
    sha256: Sha256


class RegistrySource(_Strict):
    registry: Text
    package: Text
    version: Pinned
    path: StrictStr | None = None
    derived: StrictStr | None = None


class HubSource(_Strict):
    hub: Text
    revision: Pinned
    path: StrictStr | None = None
    derived: StrictStr | None = None


class GithubSource(_Strict):
    github: Text
    commit: Pinned
    path: StrictStr | None = None
    derived: StrictStr | None = None


class UrlSource(_Strict):
    url: Text
    retrieved: Pinned
    path: StrictStr | None = None
    derived: StrictStr | None = None


class LocalSource(_Strict):
    """A file of the user's own (`tokbench register`): where it was registered from, pinned by the
    combined sha256 of `files` (loader.combined_sha256), so the pin cannot disagree with the files."""

    local: Text
    sha256: Sha256
    derived: StrictStr | None = None


SOURCE_KINDS: dict[str, type[_Strict]] = {
    "registry": RegistrySource,
    "hub": HubSource,
    "github": GithubSource,
    "url": UrlSource,
    "local": LocalSource,
}


def _source(v: Any) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise ValueError("must be a mapping naming where the files come from")
    for kind, model in SOURCE_KINDS.items():
        if kind in v:
            try:
                return model.model_validate(v).model_dump(exclude_none=True)
            except ValidationError as e:
                raise ValueError(f"{kind}: {_describe(e)}") from None
    raise ValueError(
        "must be one of registry/hub/github/url with a pinned version, or local with its sha256 "
        "(`tokbench register PATH --name NAME` writes one)"
    )


class Manifest(_Strict):
    """Fields shared by tokenizer and corpus manifests (a declared model: every field typed, checked on load)."""

    name: Text
    files: Annotated[tuple[FileEntry, ...], Field(min_length=1)]
    source: Annotated[dict[str, Any], BeforeValidator(_source)]
    license: Text
    citation: StrictStr
    vendored: StrictBool = False
    manifest_path: Path = Path("<memory>")
    options: dict[StrictStr, Any] = Field(default_factory=dict)
    description: StrictStr = ""

    @model_validator(mode="after")
    def _local_pin_matches_files(self) -> Manifest:
        """A local source's sha256 is the files' combined sha256 (one file: its own), never a free-form claim."""
        if "local" in self.source:
            shas = [f.sha256 for f in self.files]
            combined = shas[0] if len(shas) == 1 else hashlib.sha256("".join(shas).encode()).hexdigest()
            if self.source["sha256"] != combined:
                raise ValueError(
                    f"source local sha256 {self.source['sha256']} does not match the files' sha256 {combined}; "
                    "re-run `tokbench register` to rewrite the manifest"
                )
        return self

    def resolve_files(self) -> dict[str, Path]:
        """Manifest path → verified local path; raises a clear error on missing or mismatch."""
        how = _how_to_get(self.source)
        if self.kind == "corpus":
            from tokbench.corpora.fetch import fetch_hint

            how = "; ".join(x for x in (how, fetch_hint(self.name)) if x)
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


class TokenizerManifest(Manifest):
    format: Literal[TOKENIZER_FORMATS]  # type: ignore[valid-type]
    algorithm: Literal[ALGORITHMS]  # type: ignore[valid-type]
    aliases: tuple[Text, ...] = ()

    @property
    def kind(self) -> str:
        return "tokenizer"


def _lang_codes(v: tuple[str, ...]) -> tuple[str, ...]:
    bad = [code for code in v if not LANG_CODE.match(code)]
    if bad:
        raise ValueError(f"language codes must be ISO 639-3 + ISO 15924 like tur_Latn, got {bad[:5]}")
    return v


class CorpusManifest(Manifest):
    loader: Text
    languages: Annotated[tuple[StrictStr, ...], AfterValidator(_lang_codes)] = ()
    subsets: tuple[Text, ...] = ()
    splits: Annotated[tuple[Text, ...], Field(min_length=1)]
    domain: StrictStr
    parallel: StrictBool
    pivot: Annotated[StrictStr, AfterValidator(lambda v: _lang_codes((v,))[0])] | None = None

    @model_validator(mode="after")
    def _declares_what_it_holds(self) -> CorpusManifest:
        if not self.languages and not self.subsets:
            raise ValueError("a corpus declares its 'languages' (or 'subsets' for code/domains)")
        if self.pivot is not None and self.languages and self.pivot not in self.languages:
            raise ValueError(f"pivot {self.pivot!r} is not one of the corpus languages")
        return self

    @property
    def kind(self) -> str:
        return "corpus"


def _describe(err: ValidationError) -> str:
    """pydantic's errors as one line in our words: which field, what is wrong."""
    parts = []
    for e in err.errors(include_url=False):
        loc = ".".join(str(x) for x in e["loc"]) or "manifest"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key"
        elif e["type"] == "missing":
            msg = "missing required key"
        elif e["type"] == "literal_error":
            msg = f"{msg} (got {e['input']!r})"
        elif e["type"] == "too_short" and loc.split(".")[0] in ("files", "splits"):
            msg = "must be a non-empty list"
        parts.append(f"{loc}: {msg}" if loc != "manifest" else msg)
    extra = f" (and {len(parts) - 1} more)" if len(parts) > 1 else ""
    return parts[0] + extra


def _how_to_get(source: dict[str, Any]) -> str:
    if "registry" in source:
        return f"it ships in {source['registry']} package {source['package']}=={source['version']}"
    if "hub" in source:
        return f"hub dataset/model {source['hub']} at revision {source['revision']}"
    if "github" in source:
        return f"repository {source['github']} at commit {source['commit']}"
    if "local" in source:
        return f"registered from the local file {source['local']}; run `tokbench register` on it again"
    return f"from {source.get('url', 'its source')}"


def parse_manifest(doc: Any, path: Path, kind: str) -> TokenizerManifest | CorpusManifest:
    """Validate one manifest document against its declared model; errors name the file and the field."""
    where = str(path)
    if not isinstance(doc, dict):
        raise TokbenchError(f"{where}: a manifest must be a YAML mapping")
    model = TokenizerManifest if kind == "tokenizer" else CorpusManifest
    if "manifest_path" in doc:
        raise TokbenchError(f"{where}: manifest_path: unknown key")
    try:
        return model.model_validate({**doc, "manifest_path": path})
    except ValidationError as e:
        allowed = sorted(k for k in model.model_fields if k != "manifest_path")
        msg = _describe(e)
        if "unknown key" in msg:
            msg += f"; allowed: {allowed}"
        raise TokbenchError(f"{where}: {msg}") from None


def manifest_dirs() -> list[Path]:
    """The repository's data_manifests/ (or the copy packaged in a wheel), the user's registered
    manifests (`tokbench register` writes <TOKBENCH_HOME>/manifests/), then TOKBENCH_MANIFESTS."""
    from tokbench.datadirs import user_dir

    here = Path(__file__).resolve().parent
    dirs = [d for d in (here.parent / "data_manifests", here / "data_manifests") if d.is_dir()][:1]
    if (user_dir() / "manifests").is_dir():
        dirs.append(user_dir() / "manifests")
    extra = os.environ.get("TOKBENCH_MANIFESTS", "")
    dirs += [Path(p) for p in extra.split(os.pathsep) if p]
    return dirs


@cache
def _warn_unread(dirs: tuple[Path, ...]) -> None:
    """A YAML directly in a manifests folder is not read (only <dir>/tokenizers and <dir>/corpora are): say so."""
    for d in dirs:
        for p in sorted(d.glob("*.y*ml")):
            logging.getLogger("tokbench").warning(
                "%s is not read: manifests go in %s or %s (or use `tokbench register`)",
                p, d / "tokenizers" / p.name, d / "corpora" / p.name,
            )


@cache
def _load_all(kind: str, dirs: tuple[Path, ...]) -> dict[str, TokenizerManifest | CorpusManifest]:
    sub = "tokenizers" if kind == "tokenizer" else "corpora"
    out: dict[str, TokenizerManifest | CorpusManifest] = {}
    _warn_unread(dirs)
    for d in dirs:
        for p in sorted((d / sub).glob("*.yaml")):
            try:
                doc = yaml.safe_load(p.read_text(encoding="utf-8"))
            except UnicodeDecodeError as e:
                raise TokbenchError(f"{p}: not UTF-8 (byte {e.start}); save the manifest as UTF-8") from None
            except yaml.YAMLError as e:
                raise TokbenchError(f"{p}: not valid YAML ({str(e).splitlines()[0]})") from None
            m = parse_manifest(doc, p, kind)
            for n in (m.name, *getattr(m, "aliases", ())):
                if n in out:
                    raise TokbenchError(f"{p}: name {n!r} is already registered by {out[n].manifest_path}")
                out[n] = m
    return out


def clear_manifest_cache() -> None:
    """Forget loaded manifests (after `tokbench register` wrote one in this process)."""
    _load_all.cache_clear()


def tokenizer_manifests() -> dict[str, TokenizerManifest]:
    """All registered tokenizers by name and alias."""
    return _load_all("tokenizer", tuple(manifest_dirs()))  # type: ignore[return-value]


def corpus_manifests() -> dict[str, CorpusManifest]:
    return _load_all("corpus", tuple(manifest_dirs()))  # type: ignore[return-value]


def get_tokenizer_manifest(name: str) -> TokenizerManifest:
    ms = tokenizer_manifests()
    if name not in ms:
        from tokbench.suggest import unknown_tokenizer

        raise TokbenchError(unknown_tokenizer(name))
    return ms[name]


def get_corpus_manifest(name: str) -> CorpusManifest:
    ms = corpus_manifests()
    if name not in ms:
        from tokbench.suggest import unknown_corpus

        raise TokbenchError(unknown_corpus(name))
    return ms[name]
