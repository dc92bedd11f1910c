"""The simplemma resource reads its dictionaries from cached MARISA tries: same lemmas as simplemma's own
dict, a cached file is checked before it is trusted, and an unwritable cache only costs a rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokbench.morphology.simplemma_words import _DIGEST, TrieDictionaries

pytest.importorskip("marisa_trie")

# word forms, sub-word pieces, re-cased and accented strings: the kinds of strings %L looks up
TOKENS = ["Häuser", "häuser", "Haus", "HAUS", "gegangen", "ging", "gehen", "ssen", "Straße", "strasse", "und",
          "Bundesregierung", "bundes", "regierung", "Ärzte", "aerzte", "a", "", "über", "Über", "x1", "Mädchen"]


def _lookups(factory: object, lang: str) -> list[str | None]:
    from simplemma.strategies import DictionaryLookupStrategy

    lookup = DictionaryLookupStrategy(factory)
    return [lookup.get_lemma(t, lang) for t in TOKENS]


def test_trie_gives_simplemma_dict_lemmas(tmp_path: Path) -> None:
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    expected = _lookups(DefaultDictionaryFactory(cache_max_size=1), "de")
    assert sum(x is not None for x in expected) >= 10  # the sample really exercises the dictionary
    assert _lookups(TrieDictionaries(tmp_path), "de") == expected  # built now
    assert (tmp_path / "de.marisa").exists()
    assert _lookups(TrieDictionaries(tmp_path), "de") == expected  # read back from the cache file
    d = TrieDictionaries(tmp_path).get_dictionary("de")
    assert len(d) == len(DefaultDictionaryFactory(cache_max_size=1).get_dictionary("de"))
    assert d["Häuser"] == "Haus" and d.get("no-such-form") is None
    with pytest.raises(KeyError):
        d["no-such-form"]


def test_damaged_cache_file_is_rebuilt_not_trusted(tmp_path: Path) -> None:
    expected = _lookups(TrieDictionaries(tmp_path), "de")
    path = tmp_path / "de.marisa"
    blob = bytearray(path.read_bytes())
    blob[_DIGEST + 100] ^= 0xFF  # a flipped byte inside the trie: the checksum no longer matches
    path.write_bytes(bytes(blob))
    assert _lookups(TrieDictionaries(tmp_path), "de") == expected
    fixed = path.read_bytes()
    assert fixed != bytes(blob)  # rewritten
    path.write_bytes(b"not a trie")
    assert _lookups(TrieDictionaries(tmp_path), "de") == expected


def test_unwritable_cache_still_decides(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("x")  # a file where the cache folder should be: nothing can be written under it
    assert _lookups(TrieDictionaries(blocked / "tries"), "de") == _lookups(TrieDictionaries(tmp_path / "ok"), "de")


def test_only_the_last_languages_stay_loaded(tmp_path: Path) -> None:
    """A process that decides many languages (the test suite, a full %L run) keeps two tries, not all."""
    from tokbench.morphology import simplemma_words as sw

    assert sw._KEEP_TRIES == 2
    t = TrieDictionaries(tmp_path)
    for lang in ("de", "es", "fr", "es"):
        t.get_dictionary(lang)
    assert list(t._loaded) == ["fr", "es"]  # least recently used first; de was dropped
    assert t.get_dictionary("de")["Häuser"] == "Haus"  # reloaded from its cache file


def test_raw_and_mapping_paths_build_the_same_trie(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The trie is built from simplemma's bytes store when it has one; through its public str mapping it is
    byte for byte the same (Malay: the smallest dictionary)."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    fast = TrieDictionaries(tmp_path / "raw")._trie("ms").tobytes()
    public = DefaultDictionaryFactory.get_dictionary

    def without_store(self: object, lang: str) -> object:
        source = public(self, lang)  # type: ignore[arg-type]
        return {k: source[k] for k in source}  # a plain Mapping: no `_dict`

    monkeypatch.setattr(DefaultDictionaryFactory, "get_dictionary", without_store)
    assert TrieDictionaries(tmp_path / "mapping")._trie("ms").tobytes() == fast
