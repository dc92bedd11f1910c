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

import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

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


_TABLE_SIZE = 0x10000  # the BMP; rarer code points (CJK extensions, emoji) are classed one by one


@lru_cache(maxsize=1)
def _class_tables() -> tuple[np.ndarray, np.ndarray]:
    """(word-rule class, is punctuation/symbol) per code point below _TABLE_SIZE, built once per process."""
    cls = np.fromiter((_char_class(c) for c in range(_TABLE_SIZE)), dtype=np.int8, count=_TABLE_SIZE)
    punct = np.fromiter((unicodedata.category(chr(c))[0] in "PS" for c in range(_TABLE_SIZE)), dtype=bool)
    return cls, punct


def _scan_words(
    ids: np.ndarray,
    tok_off: np.ndarray,
    blob: np.ndarray,
    id_off: np.ndarray,
    table: np.ndarray,
    punct: np.ndarray,
    split_punct: bool,
    tibetan: bool,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Words and words spanning 2+ tokens per document, in one pass over the tokens' surface bytes.

    Pass 1 decodes UTF-8 across token boundaries into code points with the index of the first and last
    token holding their bytes; pass 2 runs the word state machine (`_step`) over them."""
    n_docs = len(tok_off) - 1
    words = np.zeros(n_docs, dtype=np.int64)
    cont = np.zeros(n_docs, dtype=np.int64)
    total = 0
    for k in range(len(ids)):
        total += id_off[ids[k] + 1] - id_off[ids[k]]
    cps = np.empty(total, dtype=np.int64)
    first = np.empty(total, dtype=np.int64)
    last = np.empty(total, dtype=np.int64)
    for d in range(n_docs):
        n = 0
        pending = 0
        for k in range(tok_off[d], tok_off[d + 1]):
            t = ids[k]
            for j in range(id_off[t], id_off[t + 1]):
                b = blob[j]
                if pending > 0 and (b & 0xC0) == 0x80:
                    cps[n - 1] = (cps[n - 1] << 6) | (b & 0x3F)
                    last[n - 1] = k
                    pending -= 1
                    continue
                pending = 0  # a truncated sequence keeps its partial value
                if b < 0x80:
                    cp = b
                elif b >= 0xF0:
                    cp, pending = b & 0x07, 3
                elif b >= 0xE0:
                    cp, pending = b & 0x0F, 2
                elif b >= 0xC0:
                    cp, pending = b & 0x1F, 1
                else:
                    cp = 0xFFFD  # stray continuation byte
                cps[n] = cp
                first[n] = k
                last[n] = k
                n += 1
        in_word = False
        prev = SPACE
        prev_cp = 0
        w_first = 0
        w_last = 0
        for i in range(n):
            in_word, prev, prev_cp, w_first, w_last, nw, nc = _step(
                cps[i], first[i], last[i], in_word, prev, prev_cp, w_first, w_last, table, punct, split_punct, tibetan
            )
            words[d] += nw
            cont[d] += nc
        if in_word:
            words[d] += 1
            cont[d] += 1 if w_last > w_first else 0
    return words, cont


def _step(
    cp: int,
    c_first: int,
    c_last: int,
    in_word: bool,
    prev: int,
    prev_cp: int,
    w_first: int,
    w_last: int,
    table: np.ndarray,
    punct: np.ndarray,
    split_punct: bool,
    tibetan: bool,
) -> tuple[bool, int, int, int, int, int, int]:  # pragma: no cover - compiled
    """Advance the word state machine by one code point; returns (state..., closed words, closed continued)."""
    if cp < _TABLE_SIZE:
        c = table[cp]
        p = punct[cp]
    elif 0x20000 <= cp <= 0x3FFFF:  # CJK extension planes
        c = SEG
        p = False
    else:  # emoji and other supplementary symbols / letters
        c = RUN
        p = 0x1F000 <= cp <= 0x1FBFF
    if not tibetan and c == SPACE and 0x0F0B <= cp <= 0x0F14:
        c = RUN
    if split_punct and p and c != SPACE:
        c = SEG
    if c == SEG and (prev_cp == 0x17D2 or prev_cp == 0x1039):
        c = ATTACH
    nw = 0
    nc = 0
    if c == SPACE:
        if in_word:
            nw = 1
            nc = 1 if w_last > w_first else 0
        in_word = False
    else:
        if (not in_word) or c == SEG or (c == RUN and prev == SEG):
            if in_word:
                nw = 1
                nc = 1 if w_last > w_first else 0
            in_word = True
            w_first = c_first
        w_last = c_last
    return in_word, c, cp, w_first, w_last, nw, nc


_BYTE_BLOB = np.arange(256, dtype=np.uint8)
_BYTE_OFF = np.arange(257, dtype=np.int64)


_JITTED = ("_step", "_scan_words")  # compiled on first use: importing numba costs ~0.5 s that most commands never need
_jit_lock = threading.Lock()


def _compiled_scan_words() -> Any:
    """`_scan_words` compiled with numba (from its on-disk cache after the first time); `_step` first, so
    `_scan_words` finds a compiled function under that global name when it compiles."""
    g = globals()
    with _jit_lock:
        if not hasattr(g["_scan_words"], "py_func"):
            from numba import njit

            for name in _JITTED:
                g[name] = njit(cache=True, nogil=True)(g[name])
    return g["_scan_words"]


def scan_words(
    ids: np.ndarray, tok_off: np.ndarray, blob: np.ndarray, id_off: np.ndarray, script: str, split_punct: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(words, words spanning 2+ tokens) per document, from token ids and the surface table
    (`blob[id_off[i]:id_off[i+1]]` = surface bytes of id i); a token with no surface (UNK,
    special) adds no characters but still counts inside the word it interrupts."""
    table, punct = _class_tables()
    return _compiled_scan_words()(
        np.ascontiguousarray(ids, dtype=np.int64), np.ascontiguousarray(tok_off, dtype=np.int64),
        blob, id_off, table, punct, split_punct, script == "Tibt",
    )  # fmt: skip


def words_per_doc(docs: Utf8Docs, script: str = "", split_punct: bool = False) -> np.ndarray:
    """Words per document under the word rule (the text's bytes act as one-byte tokens)."""
    return scan_words(docs.data, docs.offsets, _BYTE_BLOB, _BYTE_OFF, script, split_punct)[0]


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
