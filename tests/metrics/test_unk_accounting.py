"""UNK character share (premium's unk_char_frac, the screen of the leaderboard) against counts made
from the tokenizer libraries' own piece spans, and Petrov et al.'s (2023) XLM-R screen on FLORES.

Our share comes from the cached ids alone: non-space characters of the normalized text minus those on
the surfaces of the non-UNK tokens. The independent count here takes, from sentencepiece's pieces
(`return_type="proto"`: each piece's normalized text) or from `tokenizers`' offsets, the characters each
UNK token covers. A WordPiece [UNK] covers a whole word, a SentencePiece <unk> a run of unknown
characters; both counts must agree exactly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from tokbench.metrics import CorpusView, MetricContext, get_metric, make_row
from tokbench.results import Cell, ResultStore
from tokbench.tokenizers import load_tokenizer
from tokbench.tokenizers.hf import HFTokenizer
from tokbench.tokenizers.spm import SentencePieceTokenizer

ASCII_SPACE = frozenset(" \t\n\r\x0b\x0c")
TIFINAGH_T = "\u2d5c"  # ⵜ, in neither XLM-R's nor BERT's vocabulary (checked below)
# The registered tokenizers with an UNK id. Those without byte fallback emit it on FLORES; the others
# (llama2, mistral_v1, mistral_v3, phi3 as .model; llama2_hf, gemma3 as tokenizer.json) encode unknown
# characters as bytes, so their share must stay 0: one of each adapter is checked.
EMITTING = ("xlm_roberta", "bert_base_uncased", "bert_base_uncased_vocab")
BYTE_FALLBACK = ("llama2", "gemma3")
# one or more languages per script, with and without UNK under XLM-R and BERT
LANGS = ["eng_Latn", "yor_Latn", "aka_Latn", "tzm_Tfng", "bod_Tibt", "sat_Olck", "kor_Hang", "amh_Ethi",
         "hin_Deva", "zho_Hans", "tha_Thai", "ace_Arab"]  # fmt: skip
# Petrov et al. (2023), assets/tokenization_unknown_fraction.csv, XLM-RoBERTa column: the languages over 10%
PETROV_XLMR_OVER_SCREEN = {"bod_Tibt", "dzo_Tibt", "sat_Olck", "taq_Tfng", "tzm_Tfng"}


@pytest.fixture(autouse=True)
def _one_tokenizer_at_a_time(release_caches: Callable[[], None]) -> Iterator[None]:
    """Each test loads its own tokenizer and encodes FLORES with it: kept until the module's end they added up
    to +0.6 GB (xlm_roberta, both berts, llama2, gemma3), the suite's peak. The FLORES view stays (module
    fixture)."""
    yield
    release_caches()


def nonspace(text: str) -> int:
    return sum(1 for c in text if c not in ASCII_SPACE)


def library_unk_chars(tok: Any, texts: Sequence[str]) -> tuple[int, int]:
    """(characters covered by UNK tokens, all non-space characters) of the normalized texts, from the
    library's own encoding: sentencepiece pieces (their normalized text, '▁' a space; a byte piece is
    one character at its lead byte) or `tokenizers` offsets into the text (each span normalized)."""
    unk = total = 0
    if isinstance(tok, SentencePieceTokenizer):
        sp = tok.processor
        for proto in sp.encode(list(texts), return_type="proto"):
            for p in proto.pieces:
                if sp.is_byte(p.id):
                    n = int((int(p.piece[3:5], 16) & 0xC0) != 0x80)
                else:
                    n = nonspace(p.piece.replace("\u2581", " "))
                total += n
                unk += n if p.id == sp.unk_id() else 0
        return unk, total
    assert isinstance(tok, HFTokenizer)
    rust = tok.backend
    norm = rust.normalizer.normalize_str if rust.normalizer is not None else (lambda s: s)
    for text, enc in zip(texts, rust.encode_batch(list(texts), add_special_tokens=False), strict=True):
        total += nonspace(norm(text).replace("\u2581", " "))
        unk += sum(nonspace(norm(text[a:b])) for i, (a, b) in zip(enc.ids, enc.offsets, strict=True) if i == tok.unk_id)
    return unk, total


class TextCorpus:
    """Sentences given in the test: one split, each language a list of texts."""

    name = "texts"
    splits = ["test"]
    manifest = type("M", (), {"name": "texts", "parallel": False})()

    def __init__(self, texts: dict[str, list[str]]) -> None:
        self._texts = texts

    def languages(self, split: str | None = None) -> list[str]:
        return sorted(self._texts)

    def texts(self, split: str, lang: str) -> list[str]:
        return self._texts[lang]


def shares(name: str, texts: dict[str, list[str]], protocol: str) -> dict[str, float]:
    ctx = MetricContext(load_tokenizer(name), CorpusView(TextCorpus(texts)))
    return {lang: ctx.unk_char_fraction(protocol, ("test",), lang) for lang in texts}


# -- vendored tokenizers, no data directory --------------------------------------------------------
def test_the_unknown_character_is_unknown_to_both() -> None:
    xlmr, bert = load_tokenizer("xlm_roberta"), load_tokenizer("bert_base_uncased")
    assert xlmr.processor.piece_to_id(TIFINAGH_T) == xlmr.unk_id
    assert bert.backend.token_to_id(TIFINAGH_T) is None and bert.unk_id is not None


@pytest.mark.parametrize("protocol", ["sentence", "petrov"])
def test_sentencepiece_unk_is_the_unknown_run_only(protocol: str) -> None:
    """XLM-R's <unk> stands for the run of unknown characters, not the word it sits in; the word
    boundaries ('▁' in the normalized text) are no UNK characters (each one counted as one before)."""
    t = TIFINAGH_T
    texts = {
        "words": ["one two three four five six seven eight nine ten " + t],
        "glued": [f"hello{t * 3} world"],
        "none": ["hello world, nothing unknown here"],
        "pooled": ["one two three", f"{t}{t} four"],  # the split's share: unknown over all characters
    }
    got = shares("xlm_roberta", texts, protocol)
    assert got["words"] == pytest.approx(1 / nonspace(texts["words"][0]))
    assert got["glued"] == pytest.approx(3 / nonspace(texts["glued"][0]))
    assert got["none"] == 0.0
    assert got["pooled"] == pytest.approx(2 / nonspace("".join(texts["pooled"])))


@pytest.mark.parametrize("name", ["bert_base_uncased", "bert_base_uncased_vocab"])
def test_wordpiece_unk_is_the_whole_word(name: str) -> None:
    """A WordPiece [UNK] replaces the whole word (its known letters included); punctuation is a word."""
    t = TIFINAGH_T
    texts = {"alone": [f"hello {t} world"], "glued": [f"hello{t * 3} world"], "none": ["Hello, World!"],
             "punct": [f"hello, {t}{t}. world"]}  # fmt: skip
    got = shares(name, texts, "sentence")
    assert got["alone"] == pytest.approx(1 / nonspace(texts["alone"][0]))
    assert got["glued"] == pytest.approx(len(f"hello{t * 3}") / nonspace(texts["glued"][0]))
    assert got["none"] == 0.0
    assert got["punct"] == pytest.approx(2 / nonspace(texts["punct"][0]))


def test_vendored_shares_match_library_spans() -> None:
    """The same texts counted from the libraries' own pieces and offsets."""
    t = TIFINAGH_T
    texts = [f"Mixed {t}{t}ab cd{t} — ﬁne «quotes» {t}", "日本語 と 한국어", f"{t * 5}"]
    for name in ("xlm_roberta", "bert_base_uncased"):
        got = shares(name, {"x": texts}, "sentence")["x"]
        unk, total = library_unk_chars(load_tokenizer(name), texts)
        assert unk > 0
        assert got == pytest.approx(unk / total, rel=1e-12), name


def test_premium_cells_of_the_old_accounting_are_recomputed(tmp_path: Path) -> None:
    """premium is at revision 1 (this accounting): a ledger cell written before (revision 0, the same
    key as before revisions existed) is not served again; a never-revised metric keeps its key."""
    args = ("xlm_roberta", "a" * 64, "flores200", "b" * 64)
    opts = get_metric("premium").resolve_options({})
    store = ResultStore(tmp_path / "out")
    store.save_cell(Cell(*args, "premium", opts), [make_row("unk_char_frac", "afr_Latn", "dev", 0.165, "f", 1)], 1.0)
    old = Cell(*args, "premium", opts)
    assert store.has(old)
    assert get_metric("premium").card.revision >= 1
    assert not store.has(Cell(*args, "premium", opts, None, get_metric("premium").card.revision))
    legacy = {"tokenizer": args[0], "tokenizer_sha256": args[1], "corpus": args[2], "corpus_sha256": args[3],
              "metric": "ctc", "options": {}, "langs": None}  # fmt: skip
    assert Cell(*args, "ctc").key == hashlib.sha256(json.dumps(legacy, sort_keys=True).encode()).hexdigest()[:20]


# -- real tokenizers on FLORES (data directory) ----------------------------------------------------
@pytest.mark.parametrize("name", EMITTING)
def test_flores_shares_match_library_spans(name: str, flores: CorpusView) -> None:
    """Every language, both protocols (devtest sentences; the joined dev+devtest string of premium)."""
    tok = load_tokenizer(name)
    ctx = MetricContext(tok, flores, LANGS)
    wrong: dict[str, tuple[float, float]] = {}
    emitted = 0
    for lang in LANGS:
        joined = flores.joined(("dev", "devtest"), lang)[0]
        for protocol, splits, texts in (("sentence", ("devtest",), flores.docs("devtest", lang)[1]),
                                        ("petrov", ("dev", "devtest"), [joined])):  # fmt: skip
            unk, total = library_unk_chars(tok, texts)
            emitted += unk
            ours = ctx.unk_char_fraction(protocol, splits, lang)
            if ours != pytest.approx(unk / total, rel=1e-12, abs=1e-15):
                wrong[f"{lang} {protocol}"] = (ours, unk / total)
    assert not wrong
    assert emitted > 0  # the comparison covered UNK tokens, not only zeros


@pytest.mark.parametrize("name", BYTE_FALLBACK)
def test_byte_fallback_tokenizers_have_no_unk(name: str, flores: CorpusView) -> None:
    """An UNK id that byte fallback never lets out: the share is 0 on scripts outside the vocabulary."""
    tok = load_tokenizer(name)
    assert tok.unk_id is not None
    ctx = MetricContext(tok, flores, ["sat_Olck"])
    assert library_unk_chars(tok, flores.docs("devtest", "sat_Olck")[1])[0] == 0
    assert ctx.unk_char_fraction("sentence", ("devtest",), "sat_Olck") == 0.0


def test_xlm_roberta_flores_screen_is_petrov_five(flores: CorpusView) -> None:
    """Premium on FLORES (dev+devtest joined, Petrov protocol): exactly the five languages of Petrov et
    al.'s table are over the 10% screen; the languages nearest to it are checked against the library."""
    ctx = MetricContext(load_tokenizer("xlm_roberta"), flores)
    cls = get_metric("premium")
    rows = cls().compute(ctx, cls.resolve_options({"bootstrap": "0"}))
    unk = {r["language"]: r["value"] for r in rows if r["metric"] == "unk_char_frac"}
    flagged = {r["language"] for r in rows if r["metric"] == "premium" and r["flags"].startswith("unk_chars>")}
    assert len(unk) == 204
    assert {lang for lang, v in unk.items() if v > 0.1} == flagged == PETROV_XLMR_OVER_SCREEN
    near = [lang for lang, v in unk.items() if v > 0.01]
    assert set(near) > PETROV_XLMR_OVER_SCREEN  # the screen separates them from languages with some UNK
    for lang in near:
        u, total = library_unk_chars(ctx.tokenizer, [flores.joined(("dev", "devtest"), lang)[0]])
        assert unk[lang] == pytest.approx(u / total, rel=1e-12), lang
