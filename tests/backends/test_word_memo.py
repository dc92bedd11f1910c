"""word_memo: bert's WordPiece encoded from the library's own pieces, one word at a time. Certified by the
gate on the vendored bert_base_uncased; equal to the reference on the texts where its per-character argument
could break (added tokens in the text, combining marks NFD would reorder, Greek final sigma, whitespace
that Python and the pre-tokenizer disagree on, words over the model's length limit); declined for what it
cannot replay (BPE, Unigram, a normalizer with context, a regex pre-tokenizer)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tokenizers import Tokenizer as RustTokenizer
from tokenizers import models, normalizers, pre_tokenizers

from tokbench import encode as encode_mod
from tokbench.backends import certify as cert
from tokbench.backends import gate
from tokbench.backends import word_memo as wm
from tokbench.tokenizers import load_tokenizer
from tokbench.tokenizers.hf import from_rust

HARD = [
    "Hello [MASK] world [SEP]", "[cls][CLS]x", "a[PAD]b", "ΟΔΟΣ ΟΔΟΣ. Σ", "İstanbul ǅemal",
    "a\u0301\u0323 e\u0323\u0301 \u1e39\u0301", "x\u0334\u0301y",  # marks: NFD reorders the pair
    "人人生而自由, 在尊严和权利上一律平等。", "tab\there\u3000ideo\u00a0nbsp\u2028ls\x1cfs\x85nel",
    "ctrl\x00\x07\ufffdchars", "a" * 150, "b" * 99 + " " + "c" * 101, "🙂👍🏽 ok", "don't-stop!!!", "", " ", "  \n ",
]  # fmt: skip


def _same(tok: object, texts: list[str]) -> None:
    enc = wm.WordMemo().load(tok)  # type: ignore[arg-type]
    assert not isinstance(enc, str), enc
    ids, off = enc.encode_flat(texts)
    ref_ids, ref_off = tok.encode_flat(texts)  # type: ignore[attr-defined]
    for i in range(len(texts)):
        assert ids[off[i] : off[i + 1]].tolist() == ref_ids[ref_off[i] : ref_off[i + 1]].tolist(), repr(texts[i])
    assert np.array_equal(ids, ref_ids) and np.array_equal(off, ref_off)


def _wordpiece(normalizer: object, pre: object, vocab_words: list[str]) -> object:
    vocab = {"[UNK]": 0, "[MASK]": 1}
    for w in vocab_words:
        vocab.setdefault(w, len(vocab))
    rust = RustTokenizer(models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=20))
    rust.normalizer = normalizer
    rust.pre_tokenizer = pre
    rust.add_special_tokens(["[MASK]"])
    return from_rust(rust, "tiny_wordpiece")


def test_bert_is_certified_and_encodes_through_the_gate(fresh: Path) -> None:
    tok = load_tokenizer("bert_base_uncased")
    d = gate.describe(tok)  # certifies on the full set: UDHR in every language, hard cases (and FLORES with data)
    (c,) = cert.certificates_for(tok.sha256)
    assert c["accelerator"] == "word_memo" and c["status"] == "certified", c.get("reason")
    assert d["encoder"] == "word_memo" and d["version"] == c["accelerator_version"]
    assert c["accelerator_version"].endswith(f"+word_memo.{wm.REVISION}")
    assert c["certification_set"]["udhr"] > 10_000 and c["certification_set"]["hard_cases"] > 500
    enc = encode_mod.encode_texts(tok, HARD)
    ref_ids, ref_off = tok.encode_flat(HARD)
    assert np.array_equal(enc.ids, ref_ids) and np.array_equal(enc.doc_offsets, ref_off)


def test_bert_hard_cases_one_by_one_and_in_a_batch() -> None:
    tok = load_tokenizer("bert_base_uncased")
    _same(tok, HARD)
    for t in HARD:
        _same(tok, [t])
    _same(tok, [])


def test_texts_with_added_tokens_go_to_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    enc = wm.WordMemo().load(load_tokenizer("bert_base_uncased"))
    calls: list[str] = []
    real = enc._reference  # type: ignore[union-attr]
    monkeypatch.setattr(enc, "_reference", lambda t: calls.append(t) or real(t))
    enc.encode_flat(["plain text here", "with [MASK] in it", "lower [mask] too"])  # type: ignore[union-attr]
    assert calls == ["with [MASK] in it", "lower [mask] too"]  # the second: a normalized look-alike, to be safe


def test_memo_overflow_keeps_ids_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wm, "MEMO_WORDS", 7)
    tok = load_tokenizer("bert_base_uncased")
    texts = [f"word{i} shared words again and again {i * 7919}" for i in range(60)] + HARD
    enc = wm.WordMemo().load(tok)
    _same(tok, texts)
    enc.encode_flat(texts)  # type: ignore[union-attr]
    assert len(enc._memo) <= 7  # type: ignore[union-attr]


def test_nfd_with_kept_marks_and_whitespace_split() -> None:
    """NFD without removing marks: reordered pairs of marks must come out as the library orders them; with
    WhitespaceSplit, U+001C is whitespace to Python but not to the pre-tokenizer."""
    words = ["a", "b", "x", "y", "e", "\u0301", "\u0323", "a\u0323\u0301", "a\u0301\u0323", "ab\x1ccd", "\x1c"]
    tok = _wordpiece(normalizers.Sequence([normalizers.NFD(), normalizers.Lowercase()]),
                     pre_tokenizers.WhitespaceSplit(), words)  # fmt: skip
    _same(tok, ["a\u0301\u0323 A\u0323\u0301", "\u1e39\u0301 x", "ab\x1ccd ab cd", "[MASK] a", "a b  x\ty", ""])


@pytest.mark.parametrize(("make", "why"), [
    (lambda: load_tokenizer("falcon"), "word_memo is for WordPiece only, not bpe"),
    (lambda: load_tokenizer("xlm_roberta"), "has no loader for SentencePieceTokenizer"),
    (lambda: _wordpiece(normalizers.NFC(), pre_tokenizers.BertPreTokenizer(), ["a"]),
     "word_memo needs a normalizer that maps each character alone, not NFC"),
    (lambda: _wordpiece(normalizers.Replace("ab", "c"), pre_tokenizers.BertPreTokenizer(), ["a"]),
     "word_memo needs a normalizer that maps each character alone, not Replace"),
    (lambda: _wordpiece(None, pre_tokenizers.Whitespace(), ["a"]),
     "word_memo needs a whitespace/punctuation pre-tokenizer, not Whitespace"),
    (lambda: _wordpiece(None, None, ["a"]), "word_memo needs a whitespace/punctuation pre-tokenizer, not none"),
])  # fmt: skip
def test_declines_with_a_reason(make: object, why: str) -> None:
    got = wm.WordMemo().load(make())  # type: ignore[operator]
    assert isinstance(got, str) and why in got, got
