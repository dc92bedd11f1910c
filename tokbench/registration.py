"""`tokbench register`: turn a tokenizer file of one's own into a registered tokenizer.

Registering by hand meant knowing four things (the manifest schema, where manifests are read,
where files must sit, how to pin a local file). This module does all of it: it detects the
format, loads the tokenizer once to prove it works, computes the checksums, puts the files where
the data search path finds them (copied into the user folder, or pointed to when they already sit
in a data directory), and writes a manifest with a `local` source pinned by sha256 into the user
manifests folder, which the registry always reads. The result is re-loaded through the registry
before returning, so a registration that would not load is never reported as done.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tokbench.datadirs import VENDORED_DIR, user_dir
from tokbench.errors import TokbenchError
from tokbench.io import TEMP_SUFFIX, atomic_write_bytes, atomic_write_text, holding, sha256_file
from tokbench.manifests import clear_manifest_cache, parse_manifest, tokenizer_manifests
from tokbench.tokenizers import loader


@dataclass
class PlacedFile:
    """One registered file: its path in the manifest, where it is on disk, where it came from."""

    manifest_path: str
    location: Path
    origin: Path
    sha256: str
    copied: bool


@dataclass
class Registration:
    name: str
    format: str
    algorithm: str
    vocab_size: int
    manifest_file: Path
    files: list[PlacedFile]
    manifest: dict[str, Any] = field(default_factory=dict)
    replaced: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "format": self.format, "algorithm": self.algorithm, "vocab_size": self.vocab_size,
            "manifest_file": str(self.manifest_file), "replaced": self.replaced,
            "files": [{"path": f.manifest_path, "location": str(f.location), "origin": str(f.origin),
                       "sha256": f.sha256, "copied": f.copied} for f in self.files],
            "manifest": self.manifest,
        }


def manifests_dir() -> Path:
    """Where `register` writes manifests: <TOKBENCH_HOME>/manifests/tokenizers (always read)."""
    return user_dir() / "manifests" / "tokenizers"


@contextlib.contextmanager
def registering() -> Iterator[None]:
    """Be the one process changing the user's registrations (the `.tokbench.lock` of the manifests folder,
    taken through the lock `run`, `report` and `fetch` use; a second register waits), and remove the temp
    files a killed register or unregister left beside the manifests and the copied tokenizer files."""
    log = logging.getLogger("tokbench")
    sweep = [(manifests_dir(), f".*{TEMP_SUFFIX}"), (user_dir() / "tokenizers", f"*/.*{TEMP_SUFFIX}")]
    with holding(manifests_dir(), sweep, on_wait=log.warning):
        clear_manifest_cache()  # what another process registered while this one waited
        loader.load_tokenizer.cache_clear()
        try:
            yield
        finally:
            clear_manifest_cache()
            loader.load_tokenizer.cache_clear()


def parse_option_values(items: list[str] | None) -> dict[str, Any]:
    """`key=value` pairs with YAML scalars (`nfc=true` is a bool, not the string 'true')."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise TokbenchError(f"--option {item!r} must look like key=value, e.g. --option nfc=true")
        try:
            out[key.strip()] = yaml.safe_load(value) if value.strip() else ""
        except yaml.YAMLError:
            out[key.strip()] = value
    return out


# the options each format's loader reads (tokbench.tokenizers.loader._build), with their types
FORMAT_OPTIONS: dict[str, dict[str, type]] = {
    "hf_json": {"nfc": bool},
    "tiktoken": {"encoding": str},
    "vocab_merges": {"add_prefix_space": bool},
    "wordpiece_vocab": {"lowercase": bool},
}


def check_format_options(fmt: str, options: dict[str, Any]) -> None:
    """An option the format's loader never reads, or of the wrong type, would be stored in the manifest
    and silently ignored: refuse it, naming what the format accepts."""
    known = FORMAT_OPTIONS.get(fmt, {})
    for key, value in options.items():
        if key not in known:
            accepted = ", ".join(f"{k} ({t.__name__})" for k, t in known.items()) or "none"
            raise TokbenchError(f"--option {key}: not an option of the {fmt} format; it accepts: {accepted}")
        want = known[key]
        if not isinstance(value, want) or (want is str and not value.strip()):
            shown = "true or false" if want is bool else "a name" if want is str else want.__name__
            raise TokbenchError(f"--option {key}={value!r}: must be {shown}")
    if fmt == "tiktoken" and "encoding" in options and options["encoding"] not in loader.tiktoken_.ENCODINGS:
        raise TokbenchError(f"--option encoding={options['encoding']!r}: not a tiktoken encoding; choose one of "
                            f"{', '.join(loader.tiktoken_.ENCODINGS)}")


def _tokenizer_files(path: Path) -> tuple[str, list[Path]]:
    """Format and files to register; a model folder with tokenizer.json registers that file, so no
    transformers code (and never remote code) is needed to load it."""
    if path.is_dir() and not any((path / f).is_file() for f in
                                 ("tokenizer.json", "tokenizer_config.json", "vocab.json", "vocab.txt")):
        models = sorted(p.name for p in path.iterdir() if p.name.removesuffix(".gz").endswith(".model"))
        if len(models) > 1:
            raise TokbenchError(f"{path} holds {len(models)} .model files ({', '.join(models[:4])}); register the one "
                                f"you mean by its path, e.g. tokbench register {path / models[0]}")
    fmt, paths = loader.detect_format(path)
    if fmt == "hf_dir":
        for cand in ("tokenizer.json", "tokenizer.json.gz"):
            if (path / cand).is_file():
                return "hf_json", [path / cand]
        raise TokbenchError(
            f"{path}: this folder has no tokenizer.json; save one with `tokenizer.save_pretrained(folder)` "
            "(or pass the .model / vocab.json+merges.txt file itself)"
        )
    return fmt, [p.resolve() for p in paths]


def _persistent_data_dirs() -> list[Path]:
    """Data directories every later command searches (not a one-off --data-dir, not the vendored folder)."""
    env = [Path(p).expanduser() for p in os.environ.get("TOKBENCH_DATA", "").split(os.pathsep) if p]
    return [d.resolve() for d in (*env, user_dir()) if d.is_dir() and d.resolve() != VENDORED_DIR]


def _place(name: str, src: Path, sha: str, force: bool) -> PlacedFile:
    """Point to `src` if it already sits in a searched data directory, else copy it into the user folder."""
    for base in _persistent_data_dirs():
        if src.is_relative_to(base):
            return PlacedFile(src.relative_to(base).as_posix(), src, src, sha, copied=False)
    rel = f"tokenizers/{name}/{src.name}"
    dest = user_dir() / rel
    if dest.exists() and sha256_file(dest) != sha and not force:
        raise TokbenchError(f"{dest} already holds a different file; pass --force to replace it")
    if not dest.exists() or sha256_file(dest) != sha:
        atomic_write_bytes(dest, src.read_bytes())
    return PlacedFile(rel, dest, src, sha, copied=True)


def _check_name(name: str, force: bool) -> bool:
    """Validate `name`; True when it replaces an earlier registration of the user's."""
    if not loader.NAME_RE.match(name):
        raise TokbenchError(f"--name {name!r}: use letters, digits, '_', '.', '+' or '-' (e.g. my_bpe_8k)")
    existing = tokenizer_manifests().get(name)
    if existing is None:
        return False
    if existing.manifest_path.resolve().parent != manifests_dir().resolve():
        raise TokbenchError(
            f"{name!r} is already registered by {existing.manifest_path}; choose another --name"
        )
    if not force:
        raise TokbenchError(f"{name!r} is already registered ({existing.manifest_path}); pass --force to replace it")
    return True


def _warn_tiktoken_gap(tok: Any, path: Path, options: dict[str, Any]) -> None:
    """A rank file of another size than the named encoding's keeps that encoding's special-token ids
    (cl100k: 100257+), so the vocabulary size counts the gap; say so rather than report it silently."""
    from tokbench.io import read_bytes

    n_ranks = len(loader.tiktoken_.parse_tiktoken_ranks(read_bytes(path), str(path)))
    n_special = len(getattr(tok, "special_ids", ()) or ())
    if tok.vocab_size > n_ranks + n_special:
        logging.getLogger("tokbench").warning(
            "%s has %d ranks, but encoding %s puts its %d special tokens at ids up to %d: the vocabulary size "
            "is counted as %d (metrics that use it, e.g. renyi_efficiency, see that size)",
            path.name, n_ranks, options.get("encoding"), n_special, tok.vocab_size - 1, tok.vocab_size,
        )


def _write_registration(
    name: str, fmt: str, tok: Any, src: Path, combined: str, paths: list[Path], shas: list[str],
    options: dict[str, Any], license: str, citation: str, out: Path, force: bool,
) -> tuple[dict[str, Any], list[PlacedFile]]:
    """Place the files and write the manifest (caller holds the lock); on any failure, put back what was
    there before, so a failed registration leaves neither a stray copied file nor a half-replaced manifest."""
    before = {p: p.read_bytes() for p in [out, *(user_dir() / f"tokenizers/{name}/{q.name}" for q in paths)]
              if p.is_file()}
    placed: list[PlacedFile] = []
    try:
        for p, sha in zip(paths, shas, strict=True):
            placed.append(_place(name, p, sha, force))
        doc: dict[str, Any] = {
            "name": name,
            "format": fmt,
            "algorithm": tok.algorithm,
            "files": [{"path": f.manifest_path, "sha256": f.sha256} for f in placed],
            "source": {"local": str(src), "sha256": combined},
            "license": license or "unspecified",
            "citation": citation or f"{name}: a local tokenizer registered from {src}",
            "vendored": False,
            "description": f"registered with tokbench register on {dt.date.today().isoformat()}; "
                           f"vocab {tok.vocab_size:,}",
        }
        if options:
            doc["options"] = options
        parse_manifest(doc, out, "tokenizer")  # the schema check the registry applies on every load
        header = ("# written by `tokbench register`; edit license/citation freely, re-run register if the files "
                  "change; `tokbench unregister NAME` removes it\n")
        atomic_write_text(out, header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        clear_manifest_cache()
        loader.load_tokenizer.cache_clear()
        loader.load_registered(tokenizer_manifests()[name])  # found on the search path, checksums verified
    except BaseException:
        for f in [out, *(f.location for f in placed if f.copied)]:
            with contextlib.suppress(OSError):
                if f in before:
                    atomic_write_bytes(f, before[f])
                else:
                    f.unlink(missing_ok=True)
        _remove_empty(user_dir() / "tokenizers" / name)
        clear_manifest_cache()
        raise
    return doc, placed


def _remove_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


def register_tokenizer(
    path: str | Path, *, name: str | None = None, license: str = "", citation: str = "",
    options: dict[str, Any] | None = None, force: bool = False,
) -> Registration:
    """Register the tokenizer at `path` under `name` (default: derived from the file/folder name)."""
    src = Path(path).expanduser()
    if not src.exists():
        raise TokbenchError(f"no such tokenizer file or folder: {src}")
    src = src.resolve()
    name = loader.derive_name(src) if name is None else name
    options = dict(options or {})
    fmt, paths = _tokenizer_files(src)
    check_format_options(fmt, options)
    if fmt == "tiktoken":
        stem = paths[0].name.split(".")[0]
        if "encoding" not in options and stem not in loader.tiktoken_.ENCODINGS:
            raise TokbenchError(
                f"{paths[0].name}: a .tiktoken rank file needs the pre-tokenizer regex and specials of a tiktoken "
                f"encoding: pass --option encoding=NAME (one of {', '.join(loader.tiktoken_.ENCODINGS)})"
            )
    _check_name(name, force)  # fail fast, before loading the tokenizer
    shas = [sha256_file(p) for p in paths]
    combined = loader.combined_sha256(shas)
    # load once before writing anything: a file that does not load is never registered
    tok = loader.build(fmt, paths, name, combined, options)
    if fmt == "tiktoken":
        _warn_tiktoken_gap(tok, paths[0], options)
    with registering():
        replaced = _check_name(name, force)  # again under the lock: another register may have won meanwhile
        out = manifests_dir() / f"{name}.yaml"
        doc, placed = _write_registration(name, fmt, tok, src, combined, paths, shas, options, license, citation,
                                          out, force)
    return Registration(name, fmt, tok.algorithm, int(tok.vocab_size), out, placed, doc, replaced)



@dataclass
class Unregistration:
    name: str
    manifest_file: Path
    removed: list[Path]
    kept: list[Path]  # files used in place from a data directory: not register's to delete

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "manifest_file": str(self.manifest_file),
                "removed": [str(p) for p in self.removed], "kept": [str(p) for p in self.kept]}


def unregister_tokenizer(name: str) -> Unregistration:
    """Undo `register_tokenizer`: remove the manifest it wrote and the files it copied into the user folder.
    Project and vendored tokenizers (manifests anywhere else) are refused; files register pointed to in a
    data directory are left where they are."""
    from tokbench.suggest import unknown

    with registering():
        manifests = tokenizer_manifests()
        mine = sorted(n for n, m in manifests.items() if m.manifest_path.resolve().parent == manifests_dir().resolve())
        existing = manifests.get(name)
        if existing is None:
            raise TokbenchError(unknown("registered tokenizer", name, mine, listing="tokbench list tokenizers")
                                if mine else f"{name!r} is not registered (you have registered no tokenizers)")
        if name not in mine:
            what = "a vendored" if existing.vendored else "a project"
            raise TokbenchError(f"{name!r} is {what} tokenizer ({existing.manifest_path}), not one registered with "
                                "`tokbench register`; unregister removes only your own registrations")
        from tokbench.datadirs import find

        origin = Path(existing.source.get("local", "/nonexistent")).resolve()
        removed: list[Path] = []
        kept: list[Path] = []
        for f in existing.files:
            copy = user_dir() / f.path
            used_in_place = copy.resolve() == origin or copy.resolve().is_relative_to(origin)
            if f.path.startswith(f"tokenizers/{name}/") and copy.is_file() and not used_in_place:
                removed.append(copy)
            else:
                kept.append(find(f.path) or Path(f.path))
        try:
            existing.manifest_path.unlink()  # first: a manifest without its files would be a broken registration
            for p in removed:
                p.unlink(missing_ok=True)
        except OSError as e:
            from tokbench.io import unwritable

            raise unwritable(existing.manifest_path if not removed else removed[0], e, "remove") from None
        _remove_empty(user_dir() / "tokenizers" / name)
        return Unregistration(name, existing.manifest_path, [existing.manifest_path, *removed], kept)
