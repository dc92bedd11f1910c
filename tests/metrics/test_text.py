"""The word rule and the byte-level helpers, checked against a plain-Python reference."""

from __future__ import annotations

import numpy as np

from tokbench.metrics.text import Utf8Docs, gather_surface, scan_words, script_of, words_per_doc


def test_chars_and_bytes_per_doc() -> None:
    texts = ["Hello", "", "naïve 日本"]
    u = Utf8Docs.from_texts(texts)
    assert u.bytes_per_doc().tolist() == [len(t.encode()) for t in texts]
    assert u.chars_per_doc().tolist() == [len(t) for t in texts]


def test_whitespace_words_for_spaced_scripts() -> None:
    texts = ["On Monday,  scientists\tfrom the", " leading and trailing ", "", "один два\u00a0три"]
    assert words_per_doc(Utf8Docs.from_texts(texts), "Latn").tolist() == [len(t.split()) for t in texts]


def test_unspaced_script_rules() -> None:
    u = Utf8Docs.from_texts(["我爱北京。abc", "ภาษาไทย", "བོད་ཡིག་", "ភាសាខ្មែរ"])
    # Han: one word per character, punctuation attaches, the Latin run is one word
    # Thai: one word per base character (marks attach); Tibetan: tsheg-delimited syllables;
    # Khmer: the consonant after the coeng sign stays in its cluster
    assert words_per_doc(u, "Hans").tolist()[:2] == [5, 7]
    assert words_per_doc(u, "Tibt").tolist()[2] == 2
    assert words_per_doc(u, "Khmr").tolist()[3] == 4
    assert script_of("mya_Mymr") == "Mymr" and script_of("python") == ""


def test_split_punct_separates_punctuation() -> None:
    u = Utf8Docs.from_texts(["world, (yes)", "a😀b"])
    assert words_per_doc(u, "Latn").tolist() == [2, 1]
    assert words_per_doc(u, "Latn", split_punct=True).tolist() == [5, 3]  # world , ( yes ) / a 😀 b


def _table(pieces: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    off = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in pieces], out=off[1:])
    return np.frombuffer(b"".join(pieces), dtype=np.uint8), off


def test_scan_words_counts_tokens_spanned_in_context() -> None:
    # ids: 0 " un", 1 "believ", 2 "able", 3 " cat", 4 ",", 5/6 = the two bytes of "é", 7 = UNK (no surface)
    blob, off = _table([b" un", b"believ", b"able", b" cat", b",", b"\xc3", b"\xa9", b""])
    docs = [[0, 1, 2, 3, 4], [3, 5, 6], [3, 7, 2], [0, 7]]
    ids = np.array([i for d in docs for i in d])
    tok_off = np.concatenate([[0], np.cumsum([len(d) for d in docs])])
    words, cont = scan_words(ids, tok_off, blob, off, "Latn", split_punct=True)
    # doc 0: "unbelievable" spans 3 tokens, "cat" and "," one each; doc 1: "caté" spans 3 tokens (a
    # character split across tokens); doc 2: UNK inside "cat?able" -> one word over 3 tokens;
    # doc 3: a trailing UNK adds no characters, so "un" stays a one-token word
    assert words.tolist() == [3, 1, 1, 1]
    assert cont.tolist() == [1, 1, 1, 0]


def test_gather_surface() -> None:
    table = [b"ab", b"", b" c", b"\xe4\xb8"]
    off = np.zeros(len(table) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in table], out=off[1:])
    blob = np.frombuffer(b"".join(table), dtype=np.uint8)
    ids = np.array([2, 0, 1, 3, 0], dtype=np.uint32)
    data, tok = gather_surface(ids, blob, off)
    assert data.tobytes() == b"".join(table[i] for i in ids)
    assert tok.tolist() == [0, 0, 1, 1, 3, 3, 4, 4]
