"""Corpus loaders on the real files: shapes, alignment, the vendored fallback, and clear errors."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from tokbench.corpora import load_corpus
from tokbench.corpora.base import REQUIRED_COLUMNS
from tokbench.datadirs import VENDORED_DIR, find
from tokbench.errors import TokbenchError
from tokbench.manifests import get_corpus_manifest


@pytest.fixture(scope="module")
def flores(shared_assets: Path):
    return load_corpus("flores200")


# --- FLORES-200 ------------------------------------------------------------------------------
def test_flores_shape(flores) -> None:
    manifest = flores.manifest
    assert flores.splits == ["dev", "devtest"]
    assert len(manifest.languages) == 204
    for split, n in (("dev", 997), ("devtest", 1012)):
        langs = flores.languages(split)
        assert langs == sorted(manifest.languages)
        assert flores.dataset[split].num_rows == 204 * n
        for lang in langs:
            texts = flores.texts(split, lang)
            assert len(texts) == n, (split, lang)
            assert all(t.strip() for t in texts), (split, lang)
    assert set(REQUIRED_COLUMNS) <= set(flores.dataset["dev"].column_names)


def test_flores_ids_align_across_languages(flores) -> None:
    for split in flores.splits:
        pivot = flores.doc_ids(split, "eng_Latn")
        assert len(set(pivot)) == len(pivot)
        for lang in flores.languages(split):
            assert flores.doc_ids(split, lang) == pivot, (split, lang)
    assert len(pivot) == 1012  # devtest; ids are per split (FLORES+ numbers each split from 1)


def test_flores_rows_are_the_parquet_rows(flores) -> None:
    """Texts, order and language tags come from the files unchanged (a few scripts spot-checked)."""
    for split, lang in (("dev", "eng_Latn"), ("devtest", "tur_Latn"), ("dev", "zho_Hans"), ("devtest", "amh_Ethi")):
        table = pq.read_table(find(f"corpora/flores200/{split}/{lang}.parquet")).to_pydict()
        assert flores.texts(split, lang) == table["text"]
        assert [str(i) for i in flores.doc_ids(split, lang)] == [str(i) for i in table["id"]]
        assert {f"{a}_{b}" for a, b in zip(table["iso_639_3"], table["iso_15924"], strict=True)} == {lang}


def test_flores_ids_are_strings_like_other_corpora(flores) -> None:
    assert flores.dataset["dev"].features["id"].dtype == "string"
    assert isinstance(flores.doc_ids("dev", "eng_Latn")[0], str)


def test_flores_is_parallel_and_content_hash_stable(flores) -> None:
    assert flores.manifest.parallel is True
    a = flores.content_sha256("dev", "eng_Latn")
    assert a == flores.content_sha256("dev", "eng_Latn") != flores.content_sha256("dev", "fra_Latn")


def test_corpus_access_errors(flores) -> None:
    with pytest.raises(TokbenchError, match="has no split 'train'"):
        flores.texts("train", "eng_Latn")
    with pytest.raises(TokbenchError, match="has no language 'eng_Latin'"):
        flores.texts("dev", "eng_Latin")


# --- vendored corpora --------------------------------------------------------------------------
def test_code_samples_subsets() -> None:
    c = load_corpus("code_samples")
    subsets = c.manifest.subsets
    assert len(subsets) == 15
    assert c.languages("samples") == sorted(subsets)
    ds = c.dataset["samples"]
    assert len(set(ds["id"])) == ds.num_rows  # lang/path ids are unique
    chars = {}
    for lang in subsets:
        texts = c.texts("samples", lang)
        chars[lang] = sum(map(len, texts))
        assert texts and chars[lang] > 30_000, (lang, chars[lang])
        assert all(i.startswith(f"{lang}/") for i in c.doc_ids("samples", lang))
    # ~400k characters each; kotlin and swift (~65k, ~43k) and shell (~320k) are smaller
    assert sum(n >= 390_000 for n in chars.values()) == 12
    assert {"license", "path"} <= set(ds.column_names)


def test_udhr_loads_from_vendored_without_shared_assets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOKBENCH_DATA", raising=False)
    manifest = get_corpus_manifest("udhr")
    assert manifest.vendored
    (path,) = manifest.resolve_files().values()
    assert path.is_relative_to(VENDORED_DIR)
    c = load_corpus.__wrapped__("udhr")  # bypass the process cache: load with the vendored folder only
    langs = c.languages("articles")
    assert langs == sorted(manifest.languages) and len(langs) > 400
    eng = c.texts("articles", "eng_Latn")
    assert len(eng) == 31 and eng[1].startswith("Article 1 All human beings are born free")
    assert c.doc_ids("articles", "eng_Latn") == [str(i) for i in range(31)]
    # article ids are shared by translations (the basis of parallel comparisons)
    assert c.doc_ids("articles", "tur_Latn") == c.doc_ids("articles", "eng_Latn")


# --- text_paragraphs loader with a temporary manifest ----------------------------------------
def _paragraph_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, files: dict[str, bytes]) -> None:
    mdir, ddir = tmp_path / "manifests", tmp_path / "data"
    (mdir / "corpora").mkdir(parents=True)
    entries = []
    for fname, data in files.items():
        rel = f"corpora/{name}/{fname}"
        (ddir / rel).parent.mkdir(parents=True, exist_ok=True)
        (ddir / rel).write_bytes(data)
        raw = gzip.decompress(data) if fname.endswith(".gz") else data
        entries.append({"path": rel.removesuffix(".gz"), "sha256": hashlib.sha256(raw).hexdigest()})
    doc = {
        "name": name,
        "loader": "text_paragraphs",
        "files": entries,
        "source": {"url": "https://example.org/x", "retrieved": "2026-01-01"},
        "license": "CC0",
        "citation": "test",
        "splits": ["samples"],
        "domain": "test",
        "parallel": False,
        "languages": ["tur_Latn", "deu_Latn"],
        "options": {"lang_of": {"tr": "tur_Latn", "de": "deu_Latn"}},
    }
    (mdir / "corpora" / f"{name}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    monkeypatch.setenv("TOKBENCH_MANIFESTS", str(mdir))
    monkeypatch.setenv("TOKBENCH_DATA", str(ddir))


def test_text_paragraphs_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tr = "Birinci paragraf.\nAynı paragraf.\n\nİkinci paragraf.\r\n\r\nÜçüncü.\n\n\n"
    de = "Erster Absatz über Öl.\n\nZweiter."
    _paragraph_corpus(
        tmp_path,
        monkeypatch,
        "h4_paras",
        {"tr.txt": tr.encode("utf-8"), "de.txt.gz": gzip.compress(de.encode("utf-8"))},
    )
    c = load_corpus.__wrapped__("h4_paras")
    assert c.languages("samples") == ["deu_Latn", "tur_Latn"]
    assert c.texts("samples", "tur_Latn") == ["Birinci paragraf.\nAynı paragraf.", "İkinci paragraf.", "Üçüncü."]
    assert c.doc_ids("samples", "tur_Latn") == ["tr/0", "tr/1", "tr/2"]
    assert c.texts("samples", "deu_Latn") == ["Erster Absatz über Öl.", "Zweiter."]


def test_text_paragraphs_non_utf8_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = "Merhaba dünya.".encode()
    bad = "Über die Straße.\n\nGrüße".encode("latin-1")
    _paragraph_corpus(tmp_path, monkeypatch, "h4_latin1", {"tr.txt": good, "de.txt": bad})
    with pytest.raises(TokbenchError) as ei:
        load_corpus.__wrapped__("h4_latin1")
    msg = str(ei.value)
    assert "de.txt" in msg and "not UTF-8" in msg and "byte 0" in msg
    assert "\n" not in msg


def test_text_paragraphs_unmapped_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _paragraph_corpus(tmp_path, monkeypatch, "h4_unmapped", {"tr.txt": b"a", "fr.txt": b"b"})
    with pytest.raises(TokbenchError, match=r"lang_of has no entry for \['fr.txt'\]"):
        load_corpus.__wrapped__("h4_unmapped")


def test_corpus_checksum_mismatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _paragraph_corpus(tmp_path, monkeypatch, "h4_tampered", {"tr.txt": b"original", "de.txt": b"text"})
    path = tmp_path / "data" / "corpora" / "h4_tampered" / "tr.txt"
    path.write_bytes(b"tampered")
    with pytest.raises(TokbenchError, match="checksum mismatch") as ei:
        load_corpus.__wrapped__("h4_tampered")
    assert str(path) in str(ei.value) and "corpus 'h4_tampered'" in str(ei.value)


# --- the other registered corpora (shared assets) ---------------------------------------------
@pytest.mark.parametrize("name", ["domain_samples", "manpages_multilingual", "turkish_mmlu"])
def test_other_corpora_load(shared_assets: Path, name: str) -> None:
    c = load_corpus(name)
    m = c.manifest
    assert c.splits == list(m.splits)
    for split in c.splits:
        assert c.languages(split) == sorted(m.languages or m.subsets)
        for lang in c.languages(split):
            assert all(t.strip() for t in c.texts(split, lang)), (name, split, lang)
