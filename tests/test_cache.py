"""The content-addressed encode cache: hits, corruption recovery, no pickle, keys that change with input."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

import tokbench.cache as cache_mod
from tokbench import encode as encode_mod
from tokbench.cache import EncodeCache, cache_key, texts_sha256
from tokbench.datadirs import VENDORED_DIR
from tokbench.encode import encode_texts
from tokbench.tokenizers import load_tokenizer

TEXTS = ["Merhaba dünya!", "The quick brown fox.", "", "日本語のテキスト", "  spaces\tand\ttabs\n"]


@pytest.fixture()
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache and an empty in-process memo for each test."""
    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path))
    monkeypatch.setattr(encode_mod, "_memo", encode_mod._Memo(1 << 30))
    return tmp_path


@pytest.fixture(scope="module")
def tok():
    return load_tokenizer("cl100k_base")  # vendored


def _forbid_encoding(tok, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(texts):
        raise AssertionError("encoded again instead of reading the cache")

    monkeypatch.setattr(tok, "encode_flat", boom)


def _entries(root: Path) -> list[Path]:
    return sorted((root / "encodings").rglob("*.npz"))


def test_second_call_reads_cache(cache_root: Path, tok, monkeypatch: pytest.MonkeyPatch) -> None:
    first = encode_texts(tok, TEXTS)
    assert _entries(cache_root) == [EncodeCache().path(first.key)]
    encode_mod._memo.clear()  # a fresh process: only the disk cache is left
    _forbid_encoding(tok, monkeypatch)
    second = encode_texts(tok, TEXTS)
    assert second.key == first.key
    np.testing.assert_array_equal(second.ids, first.ids)
    np.testing.assert_array_equal(second.doc_offsets, first.doc_offsets)
    assert encode_texts(tok, TEXTS) is second  # and then the in-process memo


def test_cached_values_are_the_tokenizers(cache_root: Path, tok) -> None:
    enc = encode_texts(tok, TEXTS)
    expect = tok.encode_batch(TEXTS)
    assert [enc.doc(i).tolist() for i in range(enc.n_docs)] == expect
    assert enc.counts.tolist() == [len(x) for x in expect]


@pytest.mark.parametrize(
    "damage",
    ["truncate", "junk", "empty", "wrong_offsets", "ids_out_of_vocab", "wrong_dtype", "missing_array"],
)
def test_corrupt_entry_is_detected_and_recomputed(
    cache_root: Path, tok, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    good = encode_texts(tok, TEXTS)
    path = EncodeCache().path(good.key)
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "junk":
        path.write_bytes(b"\x00junk" * 100)
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "wrong_offsets":
        np.savez(path, ids=good.ids, doc_offsets=good.doc_offsets[:-1])
    elif damage == "ids_out_of_vocab":
        np.savez(path, ids=good.ids + np.uint32(tok.vocab_size), doc_offsets=good.doc_offsets)
    elif damage == "wrong_dtype":
        np.savez(path, ids=good.ids.astype(np.int64), doc_offsets=good.doc_offsets)
    elif damage == "missing_array":
        np.savez(path, ids=good.ids)
    assert path.read_bytes() != data
    encode_mod._memo.clear()
    calls = []
    real = tok.encode_flat
    monkeypatch.setattr(tok, "encode_flat", lambda texts: calls.append(1) or real(texts))
    again = encode_texts(tok, TEXTS)
    assert calls == [1], "the damaged entry was served instead of recomputed"
    np.testing.assert_array_equal(again.ids, good.ids)
    np.testing.assert_array_equal(again.doc_offsets, good.doc_offsets)
    assert path.read_bytes() == data  # rewritten, identical to the first write
    encode_mod._memo.clear()
    assert EncodeCache().get(good.key, len(TEXTS), tok.vocab_size) is not None


def test_entries_hold_two_plain_arrays_no_pickle(cache_root: Path, tok) -> None:
    enc = encode_texts(tok, TEXTS)
    (path,) = _entries(cache_root)
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["doc_offsets.npy", "ids.npy"]
    with np.load(path, allow_pickle=False) as z:
        assert z["ids"].dtype == np.uint32 and z["doc_offsets"].dtype == np.int64
        np.testing.assert_array_equal(z["ids"], enc.ids)
    assert not [p for p in (cache_root / "encodings").rglob("*") if p.name.endswith(".tmp")]


def test_use_cache_false_writes_nothing(cache_root: Path, tok) -> None:
    enc = encode_texts(tok, TEXTS, use_cache=False)
    assert enc.n_docs == len(TEXTS)
    assert _entries(cache_root) == []
    assert encode_mod._memo == {}


def test_explicit_cache_root(tmp_path: Path, tok, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encode_mod, "_memo", encode_mod._Memo(1 << 30))
    store = EncodeCache(tmp_path / "elsewhere")
    enc = encode_texts(tok, TEXTS, cache=store)
    assert store.path(enc.key).is_file()


# --- keys ------------------------------------------------------------------------------------
def test_key_changes_with_texts(tok) -> None:
    k = cache_key(tok.cache_key, texts_sha256(TEXTS))
    variants = [
        TEXTS[:-1],
        [*TEXTS, ""],  # one more empty document
        [TEXTS[0] + " ", *TEXTS[1:]],  # one more space
        list(reversed(TEXTS)),
        ["ab", "c"],
    ]
    keys = {cache_key(tok.cache_key, texts_sha256(v)) for v in variants}
    assert k not in keys and len(keys) == len(variants)
    # document boundaries are part of the content
    assert texts_sha256(["ab", "c"]) != texts_sha256(["a", "bc"])
    assert texts_sha256([""]) != texts_sha256([])
    assert texts_sha256(TEXTS) == texts_sha256(list(TEXTS))  # a pure function of content


def test_key_changes_with_tokenizer_files_and_config(tmp_path: Path) -> None:
    from tokbench.tokenizers.loader import load_path

    src = VENDORED_DIR / "tokenizers" / "bert_base_uncased" / "tokenizer.json.gz"
    plain = load_path(src)
    nfc = load_path(src, {"nfc": True})
    assert plain.sha256 == nfc.sha256 and plain.config != nfc.config
    assert plain.cache_key != nfc.cache_key
    assert load_tokenizer("bert_base_uncased").cache_key == plain.cache_key  # same file, same options
    others = {load_tokenizer(n).cache_key for n in ("cl100k_base", "o200k_base", "mistral_v1", "mistral_v3")}
    assert len(others) == 4 and plain.cache_key not in others
    t = texts_sha256(TEXTS)
    assert cache_key(plain.cache_key, t) != cache_key(nfc.cache_key, t)


def test_key_changes_with_encoding_version(tok, monkeypatch: pytest.MonkeyPatch) -> None:
    t = texts_sha256(TEXTS)
    before = cache_key(tok.cache_key, t)
    monkeypatch.setattr(cache_mod, "ENCODING_VERSION", "999")
    assert cache_key(tok.cache_key, t) != before


def test_key_unambiguous_for_texts_with_nul() -> None:
    assert texts_sha256(["a\x00", "b"]) != texts_sha256(["a", "\x00b"])
