"""The word rule and the byte-level helpers, checked against a plain-Python reference."""

from __future__ import annotations

import unicodedata

import numpy as np

from tokbench.metrics.text import Utf8Docs, decode_codepoints, gather_surface, script_of, word_spans, words_per_doc


def test_decode_codepoints_matches_python() -> None:
    s = "aé€𝄞 ß我\u0e01\u0e34"
    pos, cp = decode_codepoints(np.frombuffer(s.encode(), dtype=np.uint8))
    assert cp.tolist() == [ord(c) for c in s]
    assert pos.tolist() == np.cumsum([0] + [len(c.encode()) for c in s[:-1]]).tolist()


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
    u = Utf8Docs.from_texts(["world, (yes)"])
    first, last = word_spans(u, "Latn", split_punct=True)
    words = [u.data[a : b + 1].tobytes().decode() for a, b in zip(first, last, strict=True)]
    assert words == ["world", ",", "(", "yes", ")"]
    assert all(unicodedata.category(w)[0] == "P" for w in words if len(w) == 1)


def test_gather_surface() -> None:
    table = [b"ab", b"", b" c", b"\xe4\xb8"]
    off = np.zeros(len(table) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in table], out=off[1:])
    blob = np.frombuffer(b"".join(table), dtype=np.uint8)
    ids = np.array([2, 0, 1, 3, 0], dtype=np.uint32)
    data, tok = gather_surface(ids, blob, off)
    assert data.tobytes() == b"".join(table[i] for i in ids)
    assert tok.tolist() == [0, 0, 1, 1, 3, 3, 4, 4]
