"""Vectorised text accounting on UTF-8 byte arrays: code points, words, and word/token alignment.

Word rule (used by fertility and continued words):
- spaced scripts: a word is a maximal run of non-whitespace characters (Unicode whitespace and
  U+200B ZERO WIDTH SPACE separate words);
- Han/Hiragana/Katakana (Hani, Hans, Hant, Jpan): every Han or kana character is one word;
  punctuation attaches to the preceding word; runs of other characters (Latin, digits) are words;
- Thai, Khmr, Laoo, Mymr (no spaces between words, no segmenter offline): every base
  character of those scripts starts a word, combining marks and punctuation attach to it, and a
  consonant after a stacking sign (Khmer coeng, Myanmar virama) stays in its cluster, so a
  "word" is one orthographic character cluster;
- Tibt: tsheg and shad marks separate words, so a word is a syllable.
The rule is chosen by the script of the whole text (the lang code's `_Xxxx` suffix); characters
of the unspaced scripts get their rule in any text. Fertility of unspaced scripts is therefore
tokens per character cluster / syllable, not comparable with the whitespace-word fertility of
spaced scripts; the card says so.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

SPACE, RUN, SEG, ATTACH = 0, 1, 2, 3

UNSPACED_SCRIPTS = frozenset({"Hani", "Hans", "Hant", "Jpan", "Hira", "Kana", "Thai", "Khmr", "Laoo", "Mymr", "Tibt"})
_SEG_RANGES = (
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),  # Han
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xFF66, 0xFF9F),  # halfwidth katakana
    (0x20000, 0x3134F),
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0xA9E0, 0xA9FF),
    (0xAA60, 0xAA7F),
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),
)
_TIBETAN_SEPARATORS = frozenset({0x0F0B, 0x0F0C, 0x0F0D, 0x0F0E, 0x0F0F, 0x0F10, 0x0F11, 0x0F12, 0x0F14})
_EXTRA_SPACES = frozenset({0x200B})


def script_of(lang: str) -> str:
    """`tha_Thai` -> `Thai`; '' for names without a script suffix (code corpora, domains)."""
    _, _, script = lang.rpartition("_")
    return script if len(script) == 4 and script[:1].isupper() else ""


def _char_class(cp: int) -> int:
    ch = chr(cp)
    if ch.isspace() or cp in _EXTRA_SPACES or cp in _TIBETAN_SEPARATORS:
        return SPACE
    cat = unicodedata.category(ch)
    if cat[0] == "M" or cat == "Cf":
        return ATTACH
    if any(a <= cp <= b for a, b in _SEG_RANGES):
        return ATTACH if cat[0] in "PS" else SEG
    return RUN


@dataclass
class Utf8Docs:
    """Documents as one UTF-8 byte array plus byte offsets (doc i = data[off[i]:off[i+1]])."""

    data: np.ndarray  # uint8
    offsets: np.ndarray  # int64, n_docs + 1

    @classmethod
    def from_texts(cls, texts: Sequence[str]) -> Utf8Docs:
        enc = [t.encode("utf-8") for t in texts]
        off = np.zeros(len(enc) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in enc], out=off[1:])
        return cls(np.frombuffer(b"".join(enc), dtype=np.uint8), off)

    @property
    def n_docs(self) -> int:
        return len(self.offsets) - 1

    def bytes_per_doc(self) -> np.ndarray:
        return np.diff(self.offsets)

    def chars_per_doc(self) -> np.ndarray:
        """Code points per doc: UTF-8 lead bytes (every byte that is not 10xxxxxx)."""
        lead = (self.data & 0xC0) != 0x80
        cum = np.concatenate([[0], np.cumsum(lead, dtype=np.int64)])
        return cum[self.offsets[1:]] - cum[self.offsets[:-1]]


def decode_codepoints(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions of lead bytes, code points) of a UTF-8 byte array, without a Python loop."""
    b = data.astype(np.int64)
    pos = np.flatnonzero((b & 0xC0) != 0x80)
    pad = np.concatenate([b, np.zeros(3, dtype=np.int64)])
    b0, b1, b2, b3 = pad[pos], pad[pos + 1] & 0x3F, pad[pos + 2] & 0x3F, pad[pos + 3] & 0x3F
    cp = np.where(
        b0 < 0x80,
        b0,
        np.where(
            b0 < 0xE0,
            ((b0 & 0x1F) << 6) | b1,
            np.where(
                b0 < 0xF0,
                ((b0 & 0x0F) << 12) | (b1 << 6) | b2,
                ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3,
            ),
        ),
    )
    return pos, cp


_TABLE_SIZE = 0x10000  # the BMP; rarer code points (CJK extensions, emoji) are classed one by one


@lru_cache(maxsize=1)
def _class_tables() -> tuple[np.ndarray, np.ndarray]:
    """(word-rule class, is punctuation/symbol) per code point below _TABLE_SIZE, built once per process."""
    cls = np.fromiter((_char_class(c) for c in range(_TABLE_SIZE)), dtype=np.int8, count=_TABLE_SIZE)
    punct = np.fromiter((unicodedata.category(chr(c))[0] in "PS" for c in range(_TABLE_SIZE)), dtype=bool)
    return cls, punct


def classify(cp: np.ndarray, script: str, split_punct: bool = False) -> np.ndarray:
    """Word-rule class per code point (SPACE, RUN, SEG, ATTACH), by table lookup.

    split_punct: punctuation and symbols are words of their own (UD-style), so 'world,' is two words."""
    table, punct_table = _class_tables()
    small = cp < _TABLE_SIZE
    safe = np.where(small, cp, 0)
    cls = table[safe]
    punct = punct_table[safe]
    if not small.all():
        for i in np.flatnonzero(~small):
            cls[i] = _char_class(int(cp[i]))
            punct[i] = unicodedata.category(chr(int(cp[i])))[0] in "PS"
    if script != "Tibt":
        tib = (cp >= 0x0F0B) & (cp <= 0x0F14)
        cls[tib & (cls == SPACE)] = RUN
    if split_punct:
        cls[punct & (cls != SPACE)] = SEG
    joiner = (cp == 0x17D2) | (cp == 0x1039)
    cls[1:][joiner[:-1] & (cls[1:] == SEG)] = ATTACH
    return cls


def word_spans(docs: Utf8Docs, script: str = "", split_punct: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(first byte, last byte) of every word under the word rule; words never cross documents."""
    pos, cp = decode_codepoints(docs.data)
    if len(pos) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    cls = classify(cp, script, split_punct)
    doc_first = np.zeros(len(docs.data) + 1, dtype=bool)
    doc_first[docs.offsets[:-1]] = True
    first_in_doc = doc_first[pos]
    prev = np.concatenate([[SPACE], cls[:-1]])
    start = (cls != SPACE) & (first_in_doc | (prev == SPACE) | (cls == SEG) | ((cls == RUN) & (prev == SEG)))
    wid_char = np.cumsum(start) - 1
    wid_char[cls == SPACE] = -1
    # byte -> char index, then byte -> word id
    char_of_byte = np.cumsum((docs.data & 0xC0) != 0x80) - 1
    char_of_byte[char_of_byte < 0] = 0  # stray continuation bytes at the very start
    wid = wid_char[char_of_byte]
    in_word = np.flatnonzero(wid >= 0)
    w = wid[in_word]
    if len(w) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    is_first = np.concatenate([[True], w[1:] != w[:-1]])
    is_last = np.concatenate([w[1:] != w[:-1], [True]])
    return in_word[is_first], in_word[is_last]


def words_per_doc(docs: Utf8Docs, script: str = "") -> np.ndarray:
    first, _ = word_spans(docs, script)
    doc = np.searchsorted(docs.offsets, first, side="right") - 1
    return np.bincount(doc, minlength=docs.n_docs).astype(np.int64)


def gather_surface(ids: np.ndarray, blob: np.ndarray, id_offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Surface bytes of a token sequence and the token index of every byte (vectorised gather).

    `blob`/`id_offsets`: all token surfaces concatenated, id i = blob[id_offsets[i]:id_offsets[i+1]].
    """
    ids = ids.astype(np.int64, copy=False)
    starts = id_offsets[ids]
    lens = id_offsets[ids + 1] - starts
    total = int(lens.sum())
    tok_of_byte = np.repeat(np.arange(len(ids), dtype=np.int64), lens)
    out_start = np.cumsum(lens) - lens
    src = np.arange(total, dtype=np.int64) + np.repeat(starts - out_start, lens)
    return blob[src], tok_of_byte
