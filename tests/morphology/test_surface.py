"""Token surfaces as the %TR paper counts them: markers and surrounding whitespace removed."""

from __future__ import annotations

import pytest

from tokbench.morphology import clean_surface, surfaces_of
from tokbench.tokenizers import load_tokenizer


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b" kitap", "kitap"),  # byte-level BPE: token_bytes() already turned Ġ into a space
        ("\u2581ev", "ev"),  # a SentencePiece piece string with its marker
        ("\u0120Risk", "Risk"),
        ("##ler", "ler"),  # WordPiece continuation marker
        (b"ler\n", "ler"),
        (b"   ", None),  # whitespace-only tokens are dropped
        (b"\n\n", None),
        (None, None),  # special ids
        (b"\xc5", "\ufffd"),  # half of a UTF-8 character decodes as tokenizer.decode(id) does
        ("\u2581", None),
    ],
)
def test_clean_surface(raw: bytes | str | None, expected: str | None) -> None:
    assert clean_surface(raw) == expected


def test_sentencepiece_markers_and_specials() -> None:
    """mistral_v1 (vendored SentencePiece): '▁' pieces lose the marker, <s>/</s>/<unk> have no surface."""
    tok = load_tokenizer("mistral_v1")
    table = surfaces_of(tok)
    pieces = tok.tokens(list(range(tok.vocab_size)))
    for i in tok.special_ids:
        assert table[i] is None
    marked = [i for i, p in enumerate(pieces) if p.startswith("\u2581") and len(p) > 1 and p[1:].isalpha()][:50]
    assert marked
    for i in marked:
        assert table[i] == pieces[i][1:]
    assert table[pieces.index("\u2581")] is None  # the bare word-boundary piece is whitespace-only


def test_wordpiece_markers() -> None:
    tok = load_tokenizer("bert_base_uncased")
    table = surfaces_of(tok)
    pieces = tok.tokens(list(range(tok.vocab_size)))
    i = pieces.index("##ing")
    assert table[i] == "ing"
    assert table[pieces.index("[CLS]")] is None
