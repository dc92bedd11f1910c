"""Tokenizers given as Python objects (a notebook's `tokenizers.Tokenizer`, transformers tokenizer,
`tiktoken.Encoding` or `sentencepiece.SentencePieceProcessor`) rather than registered names or paths.

An in-memory tokenizer has no pinned file, so its identity (the sha256 the encode cache and the results
ledger key on) is the sha256 of its serialised form: the tokenizer.json text, the SentencePiece model
proto, or the tiktoken ranks + regex + special tokens. It is registered here under a spec string
(`NAME@memory:SHA256-PREFIX`) that the loader resolves in this process only: child processes and cluster workers
load tokenizers by name and cannot see it, so grids with in-memory tokenizers run in-process.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys
from typing import Any

from tokbench.errors import TokbenchError
from tokbench.tokenizers.base import Tokenizer

SPEC_MARK = "@memory:"
NOTE = ("in memory: built from a {kind} object in this Python process, not loaded from a pinned file; "
        "identified by the sha256 of its serialised form")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")

_by_spec: dict[str, Tokenizer] = {}
_by_name: dict[str, str] = {}  # name -> spec of the latest tokenizer registered under it


def is_memory_spec(spec: str) -> bool:
    return SPEC_MARK in spec


def supported(obj: Any) -> bool:
    """Whether `obj` is a tokenizer object this module converts (checked without importing libraries
    the caller has not imported: an object of theirs implies its module is loaded)."""
    return _kind(obj) is not None


def _kind(obj: Any) -> str | None:
    if isinstance(obj, Tokenizer):
        return "tokbench"
    mods = sys.modules
    if "tokenizers" in mods and isinstance(obj, mods["tokenizers"].Tokenizer):
        return "tokenizers"
    if "transformers" in mods:
        base = getattr(mods["transformers"], "PreTrainedTokenizerBase", None)
        if base is not None and isinstance(obj, base):
            return "transformers"
    if "tiktoken" in mods and isinstance(obj, mods["tiktoken"].Encoding):
        return "tiktoken"
    if "sentencepiece" in mods and isinstance(obj, mods["sentencepiece"].SentencePieceProcessor):
        return "sentencepiece"
    return None


def _clean_name(raw: str | None) -> str | None:
    """A usable result name from an object's own name (`name_or_path` may be a path or a hub id)."""
    if not raw:
        return None
    base = str(raw).rstrip("/").split("/")[-1]
    name = re.sub(r"[^A-Za-z0-9_.+-]+", "_", base).strip("_.")
    return name if name and _NAME_RE.match(name) else None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _from_json_text(text: str, name: str | None, default_prefix: str, kind: str) -> Tokenizer:
    from tokbench.tokenizers import hf

    data = text.encode("utf-8")
    sha = _sha(data)
    # a copy built from the serialisation: the adapter turns off padding and truncation, which must
    # not change the caller's own object
    return _finish(hf.from_json_bytes(data, name or f"{default_prefix}_{sha[:8]}", sha, where="in-memory tokenizer"),
                   kind)


def tiktoken_bytes(enc: Any) -> bytes:
    """A canonical serialisation of a tiktoken Encoding: its ranks as a .tiktoken rank file (rank order),
    then its pre-tokenizer regex and special tokens as JSON. Everything that decides its ids."""
    ranks = sorted(enc._mergeable_ranks.items(), key=lambda kv: kv[1])
    lines = b"".join(base64.b64encode(tok) + b" " + str(rank).encode() + b"\n" for tok, rank in ranks)
    extra = json.dumps({"pat_str": enc._pat_str, "special_tokens": enc._special_tokens}, sort_keys=True)
    return lines + b"\n" + extra.encode("utf-8")


def _finish(tok: Tokenizer, kind: str) -> Tokenizer:
    tok.config = json.dumps({"format": f"memory:{kind}", "options": {}}, sort_keys=True)
    tok.provenance_note = NOTE.format(kind=kind)  # type: ignore[attr-defined]
    return tok


def from_object(obj: Any, name: str | None = None) -> Tokenizer:
    """The tokbench adapter for an in-memory tokenizer object, named `name` or after the object's own
    name (tiktoken's `.name`, transformers' `name_or_path`; otherwise `<library>_<sha256[:8]>`)."""
    if name is not None and not _NAME_RE.match(name):
        raise TokbenchError(f"name {name!r}: use letters, digits, '_', '.', '+' or '-' (e.g. my_bpe_8k)")
    kind = _kind(obj)
    if kind is None:
        raise TokbenchError(
            f"cannot use a {type(obj).__module__}.{type(obj).__name__} as a tokenizer; give a registered name, "
            "a path, or a tokenizers.Tokenizer, transformers tokenizer, tiktoken.Encoding or "
            "sentencepiece.SentencePieceProcessor"
        )
    if kind == "tokbench":
        if name is not None and name != obj.name:
            raise TokbenchError(f"{obj.name!r} is already a loaded tokbench tokenizer; it cannot be renamed {name!r} "
                                "(load it again with tb.tokenizer(path, name=...))")
        return obj
    if kind == "tokenizers":
        return _from_json_text(obj.to_str(), name, "tokenizers", "tokenizers.Tokenizer")
    if kind == "transformers":
        own = name or _clean_name(getattr(obj, "name_or_path", None))
        backend = _fast_backend(obj)
        if backend is None:
            raise TokbenchError(
                f"{type(obj).__name__} is a slow (Python) transformers tokenizer, which tokbench cannot measure "
                "faithfully; load the fast one (AutoTokenizer.from_pretrained(..., use_fast=True)), pass "
                "transformers.convert_slow_tokenizer.convert_slow_tokenizer(tok) (a tokenizers.Tokenizer), or "
                "give the tokenizer.json / .model file it was saved with"
            )
        return _from_json_text(backend.to_str(), own, "transformers", f"transformers {type(obj).__name__}")
    if kind == "tiktoken":
        from tokbench.tokenizers.tiktoken_ import TiktokenTokenizer

        data = tiktoken_bytes(obj)
        sha = _sha(data)
        own = name or _clean_name(obj.name) or f"tiktoken_{sha[:8]}"
        return _finish(TiktokenTokenizer(obj, own, sha, dict(obj._mergeable_ranks)), "tiktoken.Encoding")
    from tokbench.tokenizers.spm import SentencePieceTokenizer

    data = obj.serialized_model_proto()
    if not data:
        raise TokbenchError("the SentencePieceProcessor has no model loaded (load() it first)")
    sha = _sha(data)
    tok = SentencePieceTokenizer(data, name or f"sentencepiece_{sha[:8]}", sha, where="in-memory SentencePiece model")
    return _finish(tok, "sentencepiece.SentencePieceProcessor")


def spec_of(tok: Tokenizer) -> str:
    """The loader spec of an in-memory tokenizer, `NAME@memory:SHA256[:12]` (neither a name nor a path; short,
    as progress bars show it). The full sha256 stays the tokenizer's identity in the cache and results."""
    return f"{tok.name}{SPEC_MARK}{tok.sha256[:12]}"


def _fast_backend(obj: Any) -> Any:
    return getattr(obj, "backend_tokenizer", None) if getattr(obj, "is_fast", False) else None


def tokenizer_json(obj: Any) -> str | None:
    """The tokenizer.json text of a `tokenizers.Tokenizer` or fast transformers tokenizer as the caller holds
    it (padding and truncation included), else None: what `tokbench check` reads from a file."""
    kind = _kind(obj)
    if kind == "tokenizers":
        return str(obj.to_str())
    backend = _fast_backend(obj) if kind == "transformers" else None
    return str(backend.to_str()) if backend is not None else None


def register(tok: Tokenizer) -> str:
    """Make `tok` loadable in this process; returns its spec for the grid runner. A name registered again
    points to the newest tokenizer, and the older one is released (a notebook re-runs its cells)."""
    spec = spec_of(tok)
    if (old := _by_name.get(tok.name)) is not None and old != spec:
        forget(old)
    _by_spec[spec] = tok
    _by_name[tok.name] = spec
    return spec


def lookup(spec: str) -> Tokenizer | None:
    """A registered in-memory tokenizer by its spec, or None."""
    return _by_spec.get(spec) if is_memory_spec(spec) else None


def lookup_name(name: str) -> Tokenizer | None:
    """The newest in-memory tokenizer registered under `name` (what a report's viewer asks for), or None."""
    spec = _by_name.get(name)
    return _by_spec.get(spec) if spec is not None else None


def forget(spec: str) -> None:
    """Drop a registration (the caller's object is released once nothing else holds the adapter)."""
    tok = _by_spec.pop(spec, None)
    if tok is not None and _by_name.get(tok.name) == spec:
        del _by_name[tok.name]


def provenance_note(tok: Tokenizer) -> str:
    """The in-memory note of `tok`; a tokbench tokenizer object loaded from files says so."""
    return getattr(tok, "provenance_note", None) or (
        "in memory: a tokbench tokenizer object passed from this Python process; its sha256 is that of the "
        "files it was loaded from, which the results do not name"
    )
