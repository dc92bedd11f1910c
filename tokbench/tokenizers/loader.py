"""Load a tokenizer by registered name (manifest) or ad hoc by path, whatever its format."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from tokbench.errors import TokbenchError
from tokbench.io import read_bytes, sha256_bytes
from tokbench.manifests import TokenizerManifest, get_tokenizer_manifest, tokenizer_manifests
from tokbench.native import library_errors
from tokbench.tokenizers import hf, memory, spm, tiktoken_
from tokbench.tokenizers.base import Tokenizer


def combined_sha256(shas: Sequence[str]) -> str:
    """A tokenizer's identity from its files' sha256: the file's own for one file, else their hash."""
    return shas[0] if len(shas) == 1 else hashlib.sha256("".join(shas).encode()).hexdigest()


def _read(path: Path) -> bytes:
    try:
        return read_bytes(path)
    except OSError as e:
        raise TokbenchError(f"cannot read tokenizer file {path}: {e.strerror or e}") from None
    except Exception as e:  # gzip.BadGzipFile, EOFError on a truncated .gz
        raise TokbenchError(f"cannot read tokenizer file {path}: corrupt or truncated ({e})") from None


def build(fmt: str, paths: list[Path], name: str, sha256: str, options: dict[str, Any]) -> Tokenizer:
    """Construct the adapter for `fmt` from local files (already checksum-verified if registered).

    The libraries' own parsers run inside `library_errors`: a malformed file can make their Rust
    core panic, which must become one clear line like any other bad input."""
    where = ", ".join(str(p) for p in paths)
    with library_errors(f"tokenizer {name!r} ({fmt}: {where})", "check that the file is a valid, complete "
                        f"{fmt} tokenizer (every merge's parts and result in the vocabulary, distinct ranks)"):
        tok = _build(fmt, paths, name, sha256, options)
    tok.config = json.dumps({"format": fmt, "options": options}, sort_keys=True)
    return tok


def _build(fmt: str, paths: list[Path], name: str, sha256: str, options: dict[str, Any]) -> Tokenizer:
    nfc = bool(options.get("nfc", False))
    by_name = {p.name.removesuffix(".gz"): p for p in paths}
    if fmt == "hf_json":
        return hf.from_json_bytes(_read(paths[0]), name, sha256, nfc=nfc, where=str(paths[0]))
    if fmt == "sentencepiece":
        return spm.SentencePieceTokenizer(_read(paths[0]), name, sha256, where=str(paths[0]))
    if fmt == "tiktoken":
        encoding = options.get("encoding") or paths[0].name.split(".")[0]
        return tiktoken_.from_tiktoken_file(_read(paths[0]), name, sha256, encoding, str(paths[0]))
    if fmt == "tekken":
        return tiktoken_.from_tekken_json(_read(paths[0]), name, sha256, str(paths[0]))
    if fmt == "vocab_merges":
        vocab, merges = by_name.get("vocab.json"), by_name.get("merges.txt")
        if vocab is None or merges is None:
            raise TokbenchError(f"tokenizer {name!r}: format vocab_merges needs vocab.json and merges.txt")
        return hf.from_vocab_merges(vocab, merges, name, sha256, bool(options.get("add_prefix_space", False)))
    if fmt == "wordpiece_vocab":
        return hf.from_wordpiece_vocab(paths[0], name, sha256, bool(options.get("lowercase", True)))
    if fmt == "hf_dir":
        return hf.from_model_dir(paths[0], name, sha256)
    raise TokbenchError(f"tokenizer {name!r}: unsupported format {fmt!r}")


def load_registered(manifest: TokenizerManifest) -> Tokenizer:
    files = manifest.resolve_files()
    paths = [files[f.path] for f in manifest.files]
    sha = combined_sha256([f.sha256 for f in manifest.files])
    return build(manifest.format, paths, manifest.name, sha, manifest.options)


def detect_format(path: Path) -> tuple[str, list[Path]]:
    """Guess the format of an ad hoc tokenizer path from its name (and content for json)."""
    if path.is_dir():
        if (path / "tokenizer.json").is_file() or (path / "tokenizer_config.json").is_file():
            return "hf_dir", [path]
        if (path / "vocab.json").is_file() and (path / "merges.txt").is_file():
            return "vocab_merges", [path / "vocab.json", path / "merges.txt"]
        if (path / "vocab.txt").is_file():
            return "wordpiece_vocab", [path / "vocab.txt"]
        if models := sorted(path.glob("*.model")):
            return "sentencepiece", models[:1]
        raise TokbenchError(f"{path}: no tokenizer.json, vocab.json+merges.txt, vocab.txt or .model in this folder")
    if not path.is_file():
        raise TokbenchError(f"no such tokenizer file or registered name: {path}")
    base = path.name.removesuffix(".gz")
    if base.endswith(".tiktoken"):
        return "tiktoken", [path]
    if base.endswith(".model"):
        return "sentencepiece", [path]
    if base == "vocab.txt":
        return "wordpiece_vocab", [path]
    if base.endswith(".json"):
        head = _read(path)[:4096]
        if b'"config"' in head and b'"vocab"' in head and b'"pattern"' in head:
            return "tekken", [path]
        return "hf_json", [path]
    raise TokbenchError(f"{path}: unknown tokenizer format (expected .json, .model, .tiktoken, vocab.txt or a folder)")


# file names that say nothing about the tokenizer: the name comes from the folder holding them
_GENERIC_STEMS = {"tokenizer", "vocab", "merges", "tekken", "spm", "sentencepiece", "model", "sentencepiece_hfids"}
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")


def derive_name(path: Path) -> str:
    """A readable name for an ad hoc tokenizer: `runs/my_bpe/tokenizer.json` -> `my_bpe`,
    `my_bpe.model` -> `my_bpe`, a folder -> its name (the leaderboard and plots show it)."""
    path = Path(path).expanduser()
    if path.is_dir():
        base = path.resolve().name
    else:
        stem = path.name.split(".")[0]
        base = path.resolve().parent.name if stem.lower() in _GENERIC_STEMS or not stem else stem
    name = re.sub(r"[^A-Za-z0-9_.+-]+", "_", base).strip("_.") or "tokenizer"
    return name if NAME_RE.match(name) else f"tok_{name}"


def split_named_spec(spec: str) -> tuple[str | None, str]:
    """`NAME=PATH` -> (NAME, PATH); anything else (a registered name, a plain path) -> (None, spec)."""
    name, sep, rest = spec.partition("=")
    if sep and NAME_RE.match(name) and rest and not Path(spec).expanduser().exists():
        return name, rest
    return None, spec


def display_name(spec: str) -> str:
    """The name results and plots should show for a `--tokenizers` entry, without loading it: a
    registered name as is, `NAME=PATH` -> NAME, a path -> derive_name(path)."""
    if (mem := memory.lookup(spec)) is not None:  # an in-memory tokenizer (tokbench.api)
        return mem.name
    if spec in tokenizer_manifests():
        return spec
    name, path = split_named_spec(spec)
    if name is not None:
        return name
    return derive_name(Path(path)) if Path(path).expanduser().exists() else spec


def _path_sha256(path: Path, paths: list[Path]) -> str:
    shas = [sha256_bytes(_read(p)) for p in paths if p.is_file()] or [sha256_bytes(str(path.resolve()).encode())]
    return combined_sha256(shas)


def spec_sha256(spec: str) -> str:
    """The sha256 a `--tokenizers` entry would load with, without building the tokenizer (a grid's
    driver keys its cells on it while the workers do the loading)."""
    if (mem := memory.lookup(spec)) is not None:
        return mem.sha256
    if spec in tokenizer_manifests():
        return combined_sha256([f.sha256 for f in get_tokenizer_manifest(spec).files])
    path = Path(split_named_spec(spec)[1]).expanduser()
    if not path.exists():
        from tokbench.suggest import unknown_tokenizer

        raise TokbenchError(unknown_tokenizer(spec))
    return _path_sha256(path, detect_format(path)[1])


def load_path(path: Path, options: dict[str, Any] | None = None, name: str | None = None) -> Tokenizer:
    """An ad hoc tokenizer file or folder, named `name` or after its file/folder (`derive_name`)."""
    fmt, paths = detect_format(path)
    return build(fmt, paths, name or derive_name(path), _path_sha256(path, paths), options or {})


@lru_cache(maxsize=32)
def load_tokenizer(name_or_path: str, options_json: str = "", name: str | None = None) -> Tokenizer:
    """A registered tokenizer by name or alias, else a path to a tokenizer file or folder
    (`NAME=PATH` or `name=` names it; by default it is named after its file or folder)."""
    options = json.loads(options_json) if options_json else {}
    if (mem := memory.lookup(name_or_path)) is not None:
        return mem
    if name_or_path in tokenizer_manifests():
        return load_registered(get_tokenizer_manifest(name_or_path))
    spec_name, spec_path = split_named_spec(name_or_path)
    if name is not None and not NAME_RE.match(name):
        raise TokbenchError(f"--name {name!r}: use letters, digits, '_', '.', '+' or '-' (e.g. my_bpe_8k)")
    path = Path(spec_path).expanduser()
    if path.exists():
        return load_path(path, options, name or spec_name)
    if name is None and (mem := memory.lookup_name(name_or_path)) is not None:  # e.g. a report's viewer
        return mem
    from tokbench.suggest import unknown_tokenizer

    raise TokbenchError(unknown_tokenizer(name_or_path))
