"""SentencePiece's trainer: the words it counts (SplitIntoWords) and the pieces it may create.

The BPE trainer (sentencepiece `bpe_model_trainer.cc`) only ever considers a pair whose
concatenation passes `TrainerInterface::IsValidSentencePiece`: at most `max_sentencepiece_length`
characters, one Unicode script (Hiragana/Katakana count as Han, combining marks take the
previous character's script), no decimal digit in a longer piece under `split_digits`, no
unknown (below `character_coverage`) character, and whitespace ('▁') only as a prefix unless the
piece is all whitespace. Pairs that break a rule are never merged however frequent they are, so
the mixture LP must not count them as competitors (`PieceRules`, `trainer_segments`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

SPACE = "\u2581"
_DIGITS = frozenset("0123456789\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19")  # IsDecimalDigit
_ANY = ""  # a character that joins any script (sentencepiece's kAnyType)


def split_into_words(normalized: str, allow_ws_only_pieces: bool = True, ws_as_suffix: bool = False,
                     ws: str = SPACE) -> list[str]:
    """Split normalized text ('▁' for spaces, or `ws`) the way sentencepiece's trainer does.

    A word starts at the text start and at each '▁'; with `allow_ws_only_pieces` a run of '▁'
    stays together and the word continues through it (Llama's trainer setting).
    """
    if ws_as_suffix:
        words: list[str] = []
        cur = ""
        for ch in normalized:
            cur += ch
            if ch == ws:
                words.append(cur)
                cur = ""
        if cur:
            words.append(cur)
        return words
    out: list[str] = []
    in_ws = False
    for i, ch in enumerate(normalized):
        is_ws = ch == ws
        if i == 0 or (is_ws and (not in_ws or not allow_ws_only_pieces)):
            out.append("")
            in_ws = True
        if in_ws and not is_ws:
            in_ws = False
        out[-1] += ch
    return out


@lru_cache(maxsize=65536)
def script_class(ch: str) -> str:
    """Unicode script as the trainer compares it: kana -> Han, combining marks (Zinh) -> '' (resolved
    against the previous character by the caller)."""
    from fontTools.unicodedata import script  # Unicode Scripts.txt, shipped with fontTools

    if ch == "\u30fc":
        return "Hani"
    s = script(ch)
    if s in ("Hira", "Kana"):
        return "Hani"
    return _ANY if s == "Zinh" else s


@dataclass(frozen=True)
class PieceRules:
    """The trainer_spec fields that decide which pieces (and characters) the SentencePiece trainer may create."""

    max_length: int = 16
    split_by_unicode_script: bool = True
    split_by_number: bool = True
    split_digits: bool = False
    split_by_whitespace: bool = True
    allow_whitespace_only_pieces: bool = False
    treat_whitespace_as_suffix: bool = False
    character_coverage: float | None = None  # characters kept cover this share of training text; None: unknown

    @classmethod
    def from_trainer_spec(cls, ts: Any) -> PieceRules:
        return cls(
            character_coverage=float(ts.character_coverage) if ts.HasField("character_coverage") else 0.9995,
            max_length=int(ts.max_sentencepiece_length) or 16,
            split_by_unicode_script=bool(ts.split_by_unicode_script),
            split_by_number=bool(ts.split_by_number),
            split_digits=bool(ts.split_digits),
            split_by_whitespace=bool(ts.split_by_whitespace),
            allow_whitespace_only_pieces=bool(ts.allow_whitespace_only_pieces),
            treat_whitespace_as_suffix=bool(ts.treat_whitespace_as_suffix),
        )

    @classmethod
    def infer(cls, pieces: Iterable[str], ws: str = SPACE, tolerance: float = 1e-3) -> PieceRules:
        """Rules read off the pieces a trainer made (for conversions that lost the trainer_spec, e.g. a
        SentencePiece model shipped as tokenizer.json): a rule holds when fewer than `tolerance` of the
        multi-character pieces break it. Gemma 3: 0 of 255k break each Llama-2 rule."""
        n = longest = mixed = digit = ws_inside = ws_only = ws_last = 0
        for p in pieces:
            if len(p) < 2:
                continue
            n += 1
            longest = max(longest, len(p))
            if all(c == ws for c in p):
                ws_only += 1
                continue
            if any(c in _DIGITS for c in p):
                digit += 1
            if ws in p[1:-1]:
                ws_inside += 1
            if p[-1] == ws:
                ws_last += 1
            prev = _ANY
            for c in p:
                if c == ws:
                    continue
                s = script_class(c) or prev
                if s and prev and s != prev:
                    mixed += 1
                    break
                prev = s
        if n == 0:
            return cls()
        few = tolerance * n
        return cls(
            max_length=longest,
            split_by_unicode_script=mixed <= few,
            split_digits=digit <= few,
            split_by_whitespace=ws_inside <= few,
            allow_whitespace_only_pieces=ws_only > 0,
            treat_whitespace_as_suffix=ws_last > few and ws_last > n / 2,
        )


def trainer_segments(word: str, rules: PieceRules, known: Callable[[str], bool] | None = None,
                     ws: str = SPACE) -> list[str]:
    """Cut one SplitIntoWords word where no valid piece can cross: script changes, around digits
    under `split_digits`, and at characters the trainer saw as unknown (dropped: they are never part
    of a pair). What remains inside a segment (length, whitespace position) is a per-pair check."""
    out: list[str] = []
    cur: list[str] = []
    prev = _ANY

    def flush() -> None:
        if cur:
            out.append("".join(cur))
            cur.clear()

    for ch in word:
        if ch == ws:
            cur.append(ch)
            continue
        if known is not None and not known(ch):
            flush()
            prev = _ANY
            continue
        if rules.split_digits and ch in _DIGITS:
            flush()
            out.append(ch)
            prev = _ANY
            continue
        s = _ANY if (not rules.split_by_number and ch in _DIGITS) else (script_class(ch) or prev)
        if rules.split_by_unicode_script and s and prev and s != prev:
            flush()
        cur.append(ch)
        prev = s
    flush()
    return out
