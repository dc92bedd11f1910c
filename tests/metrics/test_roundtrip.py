"""Round-trip metrics on real tokenizers: vendored ones on the vendored UDHR, llama2 on FLORES (data dir)."""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tokbench.corpora import load_corpus
from tokbench.metrics import DEFAULT_METRICS, CorpusView, MetricContext, get_metric
from tokbench.metrics.families import expand_metric_families
from tokbench.metrics.roundtrip import KINDS, METRIC_NAMES, analyse, chain_forms, classify
from tokbench.tokenizers import load_tokenizer

UDHR_LANGS = ["eng_Latn", "fra_Latn", "vie_Latn", "hin_Deva", "cmn_Hans", "tha_Thai", "arb_Arab"]
OPTS = {"split": "", "bootstrap": 200, "seed": 0}


@pytest.fixture(scope="module")
def udhr() -> CorpusView:
    return CorpusView(load_corpus("udhr"))


@pytest.fixture(scope="module")
def udhr_ctx(udhr: CorpusView) -> Callable[[str], MetricContext]:
    made: dict[str, MetricContext] = {}

    def make(name: str) -> MetricContext:
        if name not in made:
            made[name] = MetricContext(load_tokenizer(name), udhr, UDHR_LANGS)
        return made[name]

    return make


def values(ctx: MetricContext, metric: str) -> dict[str, dict[str, Any]]:
    return {r["language"]: r for r in get_metric(metric)().compute(ctx, dict(OPTS))}


def test_family_selected_and_default() -> None:
    assert sorted(expand_metric_families(["roundtrip"])) == sorted(METRIC_NAMES)
    assert {"roundtrip.exact", "roundtrip.exact_normalized", "roundtrip.cer"} <= set(METRIC_NAMES)
    assert {f"roundtrip.changes.{k}" for k in ("case", "accents", "nfkc", "whitespace", "unk", "other")} <= set(
        METRIC_NAMES
    )
    assert set(METRIC_NAMES) <= set(DEFAULT_METRICS)
    assert get_metric("roundtrip.cer").card.higher_is_better is False
    assert get_metric("roundtrip.exact").card.higher_is_better is True


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base", "qwen3", "mistral_tekken"])
def test_byte_level_bpe_is_lossless(udhr_ctx: Callable[[str], MetricContext], name: str) -> None:
    ctx = udhr_ctx(name)
    exact, cer = values(ctx, "roundtrip.exact"), values(ctx, "roundtrip.cer")
    assert set(exact) == {*UDHR_LANGS, "ALL"}
    for lang, row in exact.items():
        assert row["value"] == 1.0, lang
        assert cer[lang]["value"] == 0.0, lang
    assert exact["ALL"]["n"] == sum(exact[x]["n"] for x in UDHR_LANGS)
    for kind in KINDS:
        assert values(ctx, f"roundtrip.changes.{kind}")["ALL"]["value"] == 0.0


def test_bert_uncased_loses_case_accents_and_maps_to_unk(udhr_ctx: Callable[[str], MetricContext]) -> None:
    ctx = udhr_ctx("bert_base_uncased")
    exact = values(ctx, "roundtrip.exact")
    assert exact["fra_Latn"]["value"] < 1 and exact["ALL"]["value"] < 1
    case, accents = values(ctx, "roundtrip.changes.case"), values(ctx, "roundtrip.changes.accents")
    assert case["eng_Latn"]["value"] > 0.5  # every article has a capital letter
    assert case["fra_Latn"]["value"] > 0.5 and accents["fra_Latn"]["value"] > 0.5
    assert accents["eng_Latn"]["value"] < accents["fra_Latn"]["value"]
    unk = values(ctx, "roundtrip.changes.unk")
    assert unk["tha_Thai"]["value"] > 0.5 and unk["eng_Latn"]["value"] == 0.0  # Thai is outside its vocabulary
    cer = values(ctx, "roundtrip.cer")
    assert 0 < cer["eng_Latn"]["value"] < cer["fra_Latn"]["value"]
    norm = values(ctx, "roundtrip.exact_normalized")
    assert "BertNormalizer" in norm["ALL"]["flags"] and "lowercase" in norm["ALL"]["flags"]
    assert norm["eng_Latn"]["value"] > exact["eng_Latn"]["value"]  # lowercasing explains part of it, ...
    assert norm["eng_Latn"]["value"] < 1  # ... the WordPiece decode's re-spacing the rest
    row = exact["ALL"]
    assert row["ci_low"] <= row["value"] <= row["ci_high"]
    row = cer["fra_Latn"]
    assert row["ci_low"] < row["value"] < row["ci_high"]


def test_xlm_roberta_nfkc_and_whitespace(udhr_ctx: Callable[[str], MetricContext]) -> None:
    ctx = udhr_ctx("xlm_roberta")
    exact, norm = values(ctx, "roundtrip.exact"), values(ctx, "roundtrip.exact_normalized")
    assert exact["tha_Thai"]["value"] < 1  # NFKC decomposes SARA AM (U+0E33)
    assert values(ctx, "roundtrip.changes.nfkc")["tha_Thai"]["value"] > 0
    assert norm["tha_Thai"]["value"] == 1.0
    assert "nmt_nfkc" in norm["ALL"]["flags"] and "remove_extra_whitespaces" in norm["ALL"]["flags"]
    # whitespace runs and edge spaces collapse (not in the UDHR articles): the same path on a real text
    tok = ctx.tokenizer
    texts = ["  Two  spaces\there ", "ﬁne"]
    ids = tok.encode_batch(texts)
    decoded = tok.decode_batch(ids)
    assert decoded == ["Two spaces here", "fine"]
    a = analyse(texts, decoded, np.zeros(2, dtype=np.int64), tok.documented_normalization()[1])
    assert a["exact"].tolist() == [0.0, 0.0] and a["exact_normalized"].tolist() == [1.0, 1.0]
    assert a["changes.whitespace"].tolist() == [1.0, 0.0] and a["changes.nfkc"].tolist() == [0.0, 1.0]
    assert a["distance"].tolist() == [5.0, 2.0]  # 4 spaces deleted, tab -> space; ﬁ -> f plus an inserted i


def test_bert_decode_is_raw_and_unpadded() -> None:
    tok = load_tokenizer("bert_base_uncased")
    text = " ".join(["Word"] * 300)  # far beyond the file's truncation to 128
    (ids,) = tok.encode_batch([text])
    assert len(ids) == 300 and not set(ids) & tok.special_ids  # no truncation, padding or [CLS]/[SEP]
    assert tok.decode(ids) == text.lower()
    assert tok.decode_batch([tok.encode_batch(["Ça va (bien)?"])[0]]) == ["ca va ( bien )?"]  # cleanup keeps ' ('


@pytest.mark.parametrize("name", ["bert_base_uncased", "xlm_roberta", "mistral_v1", "qwen3", "cl100k_base",
                                  "mistral_tekken"])
def test_decode_batch_matches_decode(name: str) -> None:
    tok = load_tokenizer(name)
    batch = tok.encode_batch(["Hello, World!", "", "日本語 ½ naïve", "  x\u00a0y"])
    assert tok.decode_batch(batch) == [tok.decode(ids) for ids in batch]


def test_classify_kinds() -> None:
    assert classify("Same", "Same", unk=False) == set()
    assert classify("Paris", "paris", unk=False) == {"case"}
    assert classify("Ça été", "ca ete", unk=False) == {"case", "accents"}
    assert classify("ﬁn ½", "fin 1⁄2", unk=False) == {"nfkc"}
    assert classify("e\u0301", "é", unk=False) == {"nfkc"}  # NFD vs NFC
    assert classify("a  b\tc", "a b c", unk=False) == {"whitespace"}
    assert classify("Hé (x)", "he ( x )", unk=False) == {"case", "accents", "whitespace"}
    assert classify("a\u200cb", "ab", unk=False) == {"other"}  # a dropped ZWNJ is none of the four
    assert classify("Paris x", "paris y", unk=False) == {"case", "other"}
    assert classify("Paris 東", "paris [UNK]", unk=True) == {"unk"}  # UNK takes precedence


def test_metrics_decode_the_cached_encoding_once(udhr: CorpusView) -> None:
    from tokbench.encode import encode_texts

    calls: list[int] = []

    def counting(tok: Any, texts: list[str]) -> Any:
        calls.append(len(texts))
        return encode_texts(tok, texts)

    tok = load_tokenizer("bert_base_uncased")
    ctx = MetricContext(tok, udhr, ["eng_Latn", "fra_Latn"], encode=counting)
    for name in METRIC_NAMES:
        get_metric(name)().compute(ctx, dict(OPTS))
    assert len(calls) == 2  # one cached per-sentence encoding per language, shared by the nine metrics


# --- data directory: FLORES-200 devtest ----------------------------------------------------------------
FLORES_LANGS = ["eng_Latn", "fra_Latn", "mya_Mymr", "amh_Ethi", "zho_Hans", "kor_Hang"]


def test_llama2_byte_fallback_is_exact_on_flores(make_ctx: Callable[..., MetricContext]) -> None:
    ctx = make_ctx("llama2", FLORES_LANGS)
    exact, cer = values(ctx, "roundtrip.exact"), values(ctx, "roundtrip.cer")
    for lang in [*FLORES_LANGS, "ALL"]:
        assert exact[lang]["value"] == 1.0, lang
        assert cer[lang]["value"] == 0.0, lang
        assert exact[lang]["split"] == "devtest"
    assert exact["eng_Latn"]["n"] == 1012 and exact["ALL"]["n"] == 1012 * len(FLORES_LANGS)
    assert values(ctx, "roundtrip.exact_normalized")["ALL"]["flags"] == "normalizer=none"


def test_bert_on_flores_mostly_unk_outside_latin(make_ctx: Callable[..., MetricContext]) -> None:
    ctx = make_ctx("bert_base_uncased", FLORES_LANGS)
    unk = values(ctx, "roundtrip.changes.unk")
    assert unk["amh_Ethi"]["value"] > 0.9 and unk["eng_Latn"]["value"] < 0.05
    assert values(ctx, "roundtrip.exact")["ALL"]["value"] < 0.05


def test_chain_forms_follow_their_definition_on_every_code_point() -> None:
    """The fast forms (whitespace deleted by str.split, ASCII skipping the accent step) equal the definition
    written with deletion tables, on every code point and on mixed text."""
    space = {c: None for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    marks = {c: None for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Mn"}

    def definition(text: str) -> list[str]:
        k = unicodedata.normalize("NFKC", text)
        a = unicodedata.normalize("NFC", unicodedata.normalize("NFD", k).translate(marks))
        return [f.translate(space) for f in (text, k, a, a.casefold())]

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    samples = [every[i : i + 500] for i in range(0, len(every), 500)]
    samples += ["Ngày 20 tháng 9,\u00a0các nhà khoa học", "ﬁ ２０ Ｆｏｏ\tBAR\u2003ǅ", "plain ascii text", " \n\r\x1c"]
    assert [chain_forms(t) for t in samples] == [definition(t) for t in samples]
