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
# the cache-handling tests need a dictionary, not German's (the largest: ~5 s a build); Malay's is the smallest
SMALL = "ms"
SMALL_TOKENS = ["berjalan", "Makanan", "MAKANAN", "anak-anak", "kerajaan", "jalanan", "membaca", "a", "", "x1"]


def _lookups(factory: object, lang: str) -> list[str | None]:
    from simplemma.strategies import DictionaryLookupStrategy

    lookup = DictionaryLookupStrategy(factory)
    tokens = SMALL_TOKENS if lang == SMALL else TOKENS
    got = [lookup.get_lemma(t, lang) for t in tokens]
    assert sum(x is not None for x in got) >= 5  # the sample really exercises the dictionary
    return got


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
    expected = _lookups(TrieDictionaries(tmp_path), SMALL)
    path = tmp_path / f"{SMALL}.marisa"
    blob = bytearray(path.read_bytes())
    blob[_DIGEST + 100] ^= 0xFF  # a flipped byte inside the trie: the checksum no longer matches
    path.write_bytes(bytes(blob))
    assert _lookups(TrieDictionaries(tmp_path), SMALL) == expected
    fixed = path.read_bytes()
    assert fixed != bytes(blob)  # rewritten
    path.write_bytes(b"not a trie")
    assert _lookups(TrieDictionaries(tmp_path), SMALL) == expected


def test_unwritable_cache_still_decides(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("x")  # a file where the cache folder should be: nothing can be written under it
    ok = _lookups(TrieDictionaries(tmp_path / "ok"), SMALL)
    assert _lookups(TrieDictionaries(blocked / "tries"), SMALL) == ok


def test_only_the_last_languages_stay_loaded(tmp_path: Path) -> None:
    """A process that decides many languages (the test suite, a full %L run) keeps two tries, not all."""
    from tokbench.morphology import simplemma_words as sw

    assert sw._KEEP_TRIES == 2
    t = TrieDictionaries(tmp_path)
    for lang in (SMALL, "id", "eo", "id"):
        t.get_dictionary(lang)
    assert list(t._loaded) == ["eo", "id"]  # least recently used first; ms was dropped
    assert t.get_dictionary(SMALL)["berjalan"] == "jalan"  # reloaded from its cache file


def test_raw_and_mapping_paths_build_the_same_trie(monkeypatch: pytest.MonkeyPatch) -> None:
    """The trie is built from simplemma's bytes store when it has one; through its public str mapping it is
    byte for byte the same (Malay: the smallest dictionary)."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    from tokbench.morphology.simplemma_words import _build_trie

    fast = _build_trie("ms").tobytes()
    public = DefaultDictionaryFactory.get_dictionary

    def without_store(self: object, lang: str) -> object:
        source = public(self, lang)  # type: ignore[arg-type]
        return {k: source[k] for k in source}  # a plain Mapping: no `_dict`

    monkeypatch.setattr(DefaultDictionaryFactory, "get_dictionary", without_store)
    assert _build_trie("ms").tobytes() == fast


def test_trie_is_built_in_a_child_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decoding a dictionary costs up to ~0.5 GB that this process would keep: the build runs elsewhere, and
    the file it writes is the one the in-process build gives."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    from tokbench.morphology.simplemma_words import _build_trie

    expected = _build_trie("ms").tobytes()

    def not_here(self: object, lang: str) -> object:
        raise AssertionError("the dictionary was decoded in the test process")

    monkeypatch.setattr(DefaultDictionaryFactory, "get_dictionary", not_here)
    assert TrieDictionaries(tmp_path)._trie("ms").tobytes() == expected


def test_concurrent_loads_build_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two tokenizer children of one run asking for the same language: one builds, the other waits and reads."""
    import threading

    from tokbench.morphology import simplemma_words as sw

    builds = []

    def build_here(lang: str, path: Path) -> None:
        builds.append(lang)
        sw.write_trie(lang, str(path))

    monkeypatch.setattr(sw, "_build_in_child", build_here)
    got: list[bytes] = []
    threads = [threading.Thread(target=lambda: got.append(TrieDictionaries(tmp_path)._trie("ms").tobytes()))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert builds == ["ms"] and len(got) == 3 and len(set(got)) == 1


def test_failed_build_is_one_clear_error(tmp_path: Path) -> None:
    from tokbench.errors import TokbenchError

    with pytest.raises(TokbenchError, match=r"building the trie of simplemma's xx dictionary failed: .+; check"):
        TrieDictionaries(tmp_path)._trie("xx")  # simplemma has no such language
    assert not list(tmp_path.glob("*.marisa"))


def test_child_that_cannot_write_still_decides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A child that fails (a full disk, say) costs a build in this process, as an unwritable cache does."""
    from tokbench.morphology import simplemma_words as sw

    monkeypatch.setattr(sw, "_build_in_child", lambda lang, path: "OSError: [Errno 28] No space left on device")
    assert _lookups(TrieDictionaries(tmp_path), SMALL) == _lookups(TrieDictionaries(tmp_path / "ok"), SMALL)
    assert not (tmp_path / f"{SMALL}.marisa").exists()
