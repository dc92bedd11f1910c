"""encode_texts / encode_cells and the adapters' encode_flat: the ids the cache stores are the library's."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pytest

from tokbench import encode as encode_mod
from tokbench.encode import EncodeCache, encode_cells, encode_texts
from tokbench.errors import TokbenchError
from tokbench.tokenizers import load_tokenizer

# real text in several scripts (UDHR article 1, vendored), plus edge cases
EDGE = ["", " ", "\n\n", "a", "🦙🦙 emoji ✅", "e\u0301 combining", "x" * 5000]
VENDORED_TOKENIZERS = ["cl100k_base", "o200k_base", "r50k_base", "mistral_v1", "phi3", "xlm_roberta",
                       "bert_base_uncased", "qwen3", "falcon", "claude_legacy", "mistral_tekken"]  # fmt: skip
LOSSLESS = {"cl100k_base", "o200k_base", "r50k_base", "falcon", "claude_legacy", "mistral_tekken", "qwen3"}
NORMALIZING = {"claude_legacy": "NFKC", "qwen3": "NFC"}  # byte-level, lossless after their normalizer


@pytest.fixture(scope="module")
def udhr_texts() -> list[str]:
    from tokbench.corpora import load_corpus

    c = load_corpus("udhr")
    out = []
    for lang in ("eng_Latn", "tur_Latn", "rus_Cyrl", "arb_Arab", "cmn_Hans", "hin_Deva", "amh_Ethi"):
        out += c.texts(c.splits[0], lang)[:5]
    return out


@pytest.fixture()
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path))
    monkeypatch.setattr(encode_mod, "_memo", encode_mod._Memo(1 << 30))
    return tmp_path


@pytest.mark.parametrize("name", VENDORED_TOKENIZERS)
def test_encode_flat_matches_encode_batch(name: str, udhr_texts: list[str]) -> None:
    tok = load_tokenizer(name)
    texts = udhr_texts + EDGE
    batch = tok.encode_batch(texts)
    ids, offsets = tok.encode_flat(texts)
    assert ids.dtype == np.uint32 and offsets.dtype == np.int64
    assert offsets[0] == 0 and len(offsets) == len(texts) + 1
    assert [ids[offsets[i] : offsets[i + 1]].tolist() for i in range(len(texts))] == batch
    assert int(ids.max()) < tok.vocab_size
    assert batch[0] and batch[texts.index("")] == []
    # encoding one text at a time gives the same ids as the batch (no cross-document state)
    assert [tok.encode_batch([t])[0] for t in texts[:8]] == batch[:8]
    # no special tokens unless asked for
    specials = tok.special_ids - ({tok.unk_id} if tok.unk_id is not None else set())
    assert not specials.intersection(ids.tolist())


@pytest.mark.parametrize("name", sorted(LOSSLESS))
def test_byte_level_tokens_reassemble_the_text(name: str, udhr_texts: list[str]) -> None:
    tok = load_tokenizer(name)
    table = tok.token_bytes()
    texts = udhr_texts + EDGE
    changed = 0
    for text, ids in zip(texts, tok.encode_batch(texts), strict=True):
        assert b"".join(table[i] for i in ids) == tok.normalize(text).encode("utf-8")
        changed += tok.normalize(text) != text
    assert changed == (1 if name in NORMALIZING else 0)  # only 'e\u0301' changes (NFC/NFKC compose it)
    for text, (ids, spans) in zip(texts, tok.encode_with_offsets(texts), strict=True):
        data = text.encode("utf-8")
        if tok.normalize(text) == text:
            assert [data[a:b] for a, b in spans] == [table[i] for i in ids]


def test_qwen3_applies_nfc(udhr_texts: list[str]) -> None:
    tok = load_tokenizer("qwen3")
    nfd = unicodedata.normalize("NFD", "résumé über façade")
    assert tok.encode_batch([nfd]) == tok.encode_batch([unicodedata.normalize("NFC", nfd)])


def test_encode_texts_roundtrip(fresh: Path, udhr_texts: list[str]) -> None:
    tok = load_tokenizer("mistral_v1")
    enc = encode_texts(tok, udhr_texts)
    assert enc.n_docs == len(udhr_texts)
    assert enc.n_tokens == len(enc.ids) == int(enc.counts.sum())
    assert [enc.doc(i).tolist() for i in range(enc.n_docs)] == tok.encode_batch(udhr_texts)
    assert EncodeCache().path(enc.key).is_file()


def test_encode_texts_rejects_a_string() -> None:
    with pytest.raises(TypeError):
        encode_texts(load_tokenizer("cl100k_base"), "not a list")  # type: ignore[arg-type]


def test_encode_texts_empty_list(fresh: Path) -> None:
    enc = encode_texts(load_tokenizer("cl100k_base"), [])
    assert enc.n_docs == 0 and enc.n_tokens == 0


def _cells(texts: list[str]) -> dict[str, list[str]]:
    return {f"cell{i}": texts[i::4] for i in range(4)}


def test_encode_cells_serial_and_parallel_agree(fresh: Path, udhr_texts: list[str]) -> None:
    tok = load_tokenizer("cl100k_base")
    cells = _cells(udhr_texts)
    serial = encode_cells(tok, cells, jobs=1, quiet=True)
    assert list(serial) == list(cells)
    for name, enc in serial.items():
        assert [enc.doc(i).tolist() for i in range(enc.n_docs)] == tok.encode_batch(cells[name])
    # a new cache and memo, then 2 worker processes that load the tokenizer by name
    other = fresh / "parallel"
    import os

    os.environ["TOKBENCH_CACHE"] = str(other)  # restored by the fixture's monkeypatch
    encode_mod._memo.clear()
    parallel = encode_cells(tok, cells, jobs=2, tokenizer_ref="cl100k_base", quiet=True)
    assert list(parallel) == list(cells)
    for name in cells:
        assert parallel[name].key == serial[name].key
        np.testing.assert_array_equal(parallel[name].ids, serial[name].ids)
        np.testing.assert_array_equal(parallel[name].doc_offsets, serial[name].doc_offsets)
    assert len(list((other / "encodings").rglob("*.npz"))) == len(cells)  # the workers wrote the cache


def test_encode_cells_reads_cached_cells(fresh: Path, udhr_texts: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    tok = load_tokenizer("cl100k_base")
    cells = _cells(udhr_texts)
    first = encode_cells(tok, dict(list(cells.items())[:2]), quiet=True)
    encode_mod._memo.clear()
    seen: list[int] = []
    real = tok.encode_batch  # encode_cells pipelines encode_batch with flattening
    monkeypatch.setattr(tok, "encode_batch", lambda texts, **kw: seen.append(len(texts)) or real(texts, **kw))
    out = encode_cells(tok, cells, quiet=True)
    assert seen == [len(cells["cell2"]), len(cells["cell3"])]  # only the two new cells were encoded
    assert out["cell0"].key == first["cell0"].key


def test_encode_cells_empty_cell_is_an_error(fresh: Path) -> None:
    with pytest.raises(TokbenchError, match="'empty' has no documents"):
        encode_cells(load_tokenizer("cl100k_base"), {"ok": ["a"], "empty": []}, quiet=True)


def test_encode_many_stores_each_cell_as_encode_texts_would(
    fresh: Path, udhr_texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One encoder call for several cells; each cell's ids and cache entry are what encode_texts gives alone."""
    tok = load_tokenizer("cl100k_base")
    cells = [udhr_texts[:5], udhr_texts[5:12], [" ".join(udhr_texts)], EDGE]
    calls: list[int] = []
    real = encode_mod.backends.encode

    def counting(*args: object, **kw: object) -> object:
        calls.append(1)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(encode_mod.backends, "encode", counting)
    got = encode_mod.encode_many(tok, cells, labels=["a", "b", "joined", "edge"])
    assert len(calls) == 1
    encode_mod.flush_writes()
    encode_mod._memo.clear()
    for texts, enc in zip(cells, got, strict=True):
        alone = encode_texts(tok, texts)
        assert alone.key == enc.key and EncodeCache().path(enc.key).is_file()
        assert np.array_equal(alone.ids, enc.ids) and np.array_equal(alone.doc_offsets, enc.doc_offsets)
        ref_ids, ref_off = tok.encode_flat(texts)
        assert np.array_equal(enc.ids, ref_ids) and np.array_equal(enc.doc_offsets, ref_off)
    assert encode_mod.is_encoded(got[0].key)
    # a second call finds every cell in the cache and encodes nothing
    encode_mod._memo.clear()
    again = encode_mod.encode_many(tok, cells)
    assert len(calls) == 1 and [e.key for e in again] == [e.key for e in got]
