"""MorphScore (Arnett & Bergen 2024): does the tokenizer cut words at a known morpheme boundary?

Gold data: `reference/morphscore_v1/<language>_morph_data.csv` on the data-directory search path (never
vendored; each file is checked against the sha256 its SOURCE.txt lists). Each row is a word and its split
at one morpheme boundary (`full_word = pt1 + rest`). A word scores 1 when the tokenizer, encoding the word
alone without special tokens, puts a token boundary at the pt1|rest boundary, 0 when not; words kept as one
token are excluded; MorphScore is the mean over a language's words.

Boundaries come from the tokens' offsets into the word, mapped to *character* positions: a byte-level
piece that ends inside a multi-byte character is not a character boundary. (The reference code decodes
each token on its own, which turns such pieces into U+FFFD and scores the word 0, and it keeps a BOS the
tokenizer adds; neither happens here. It also scores 0, where this excludes, a word encoded as a lone
'▁' plus the whole word.) Rows whose `pt1 + rest` is not the word (191 misaligned rows of
the Gujarati file) and rows with an empty `rest` (a boundary at the word's end, which every tokenization
has) are excluded and counted in `flags`.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from tokbench.datadirs import find, resolve
from tokbench.errors import TokbenchError
from tokbench.metrics.base import Metric, MetricCard, make_row, register_metric
from tokbench.metrics.context import MetricContext
from tokbench.metrics.stats import bootstrap_weights, mean_ci

NAME = "morphscore"
SPLIT = "-"
DATA_DIR = "reference/morphscore_v1"
UNIT = "fraction of words"
CITATION = (
    "Arnett & Bergen (2024) Why do language models perform worse for morphologically complex languages? "
    "arXiv:2411.14198; data: github.com/catherinearnett/morphscore @ fb7d677"
)
# MorphScore's language names -> FLORES-200 codes (as in the reference repository's own table)
LANGUAGES: dict[str, str] = {
    "armenian": "hye_Armn",
    "basque": "eus_Latn",
    "bulgarian": "bul_Cyrl",
    "cebuano": "ceb_Latn",
    "english": "eng_Latn",
    "georgian": "kat_Geor",
    "greek": "ell_Grek",
    "gujarati": "guj_Gujr",
    "hungarian": "hun_Latn",
    "icelandic": "isl_Latn",
    "indonesian": "ind_Latn",
    "irish": "gle_Latn",
    "japanese": "jpn_Jpan",
    "korean": "kor_Hang",
    "kurdish": "kmr_Latn",
    "persian": "pes_Arab",
    "slovenian": "slv_Latn",
    "spanish": "spa_Latn",
    "tamil": "tam_Taml",
    "turkish": "tur_Latn",
    "urdu": "urd_Arab",
    "zulu": "zul_Latn",
}
CODES = {code: name for name, code in LANGUAGES.items()}
OPTIONS: dict[str, Any] = {
    "languages": (),  # FLORES codes to score; () = all 22
    "bootstrap": 1000,  # resamples of scored words for the 95% CI; 0 = no CI
    "seed": 0,
}


@dataclass(frozen=True)
class Gold:
    """One language's usable words and how many rows were set aside before tokenizing."""

    words: tuple[str, ...]
    pt1_chars: tuple[int, ...]  # character position of the pt1|rest boundary
    empty_rest: int
    malformed: int


def data_available() -> bool:
    return find(f"{DATA_DIR}/SOURCE.txt") is not None


@lru_cache(maxsize=1)
def _checksums() -> dict[str, str]:
    """file name -> sha256, from the `files` list of SOURCE.txt."""
    path = find(f"{DATA_DIR}/SOURCE.txt")
    if path is None:
        raise TokbenchError(
            f"morphscore needs {DATA_DIR}/ (MorphScore gold data, not vendored) in a data directory; "
            "pass --data-dir or set TOKBENCH_DATA to a folder holding it"
        )
    sums = dict(
        (m.group(2), m.group(1))
        for m in re.finditer(r"^\s+([0-9a-f]{64})\s+\d+\s+(\S+_morph_data\.csv)\s*$", path.read_text("utf-8"), re.M)
    )
    if not sums:
        raise TokbenchError(f"{path} lists no checksummed *_morph_data.csv files")
    return sums


@lru_cache(maxsize=32)
def load_gold(code: str) -> Gold:
    """The gold rows of one language (by FLORES code), checked against SOURCE.txt's sha256."""
    if code not in CODES:
        raise TokbenchError(f"morphscore has no language {code!r}; it covers {', '.join(sorted(CODES))}")
    fname = f"{CODES[code]}_morph_data.csv"
    sha = _checksums().get(fname)
    if sha is None:
        raise TokbenchError(f"{DATA_DIR}/SOURCE.txt lists no checksum for {fname}")
    path: Path = resolve(f"{DATA_DIR}/{fname}", sha, wanted_by="metric morphscore")
    words: list[str] = []
    cuts: list[int] = []
    empty = malformed = 0
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            word, pt1, rest = row["full_word"], row["pt1"], row["rest"]
            if pt1 + rest != word or not pt1:
                malformed += 1
            elif not rest:
                empty += 1
            else:
                words.append(word)
                cuts.append(len(pt1))
    return Gold(tuple(words), tuple(cuts), empty, malformed)


def char_boundaries(word: str, byte_spans: list[tuple[int, int]]) -> set[int]:
    """Internal token boundaries of `word` as character positions (0 < p < len(word)).

    Every token start and end (byte offsets into the word's UTF-8) is a candidate; one that falls inside a
    multi-byte character (a byte-level piece holding part of a character) is not a character boundary."""
    lens = [len(c.encode("utf-8")) for c in word]
    byte_to_char = {0: 0}
    pos = 0
    for i, n in enumerate(lens, 1):
        pos += n
        byte_to_char[pos] = i
    out: set[int] = set()
    for k, (s, e) in enumerate(byte_spans):
        for b in ((s,) if k else ()) + ((e,) if k < len(byte_spans) - 1 else ()):
            c = byte_to_char.get(b)
            if c is not None and 0 < c < len(word):
                out.add(c)
    return out


def score_words(tokenizer: Any, gold: Gold) -> np.ndarray:
    """Per word: 1.0 (boundary at pt1|rest), 0.0 (no boundary there), NaN (one token: excluded).

    A word is "one token" when a single token has non-zero width (a zero-width piece such as SentencePiece's
    lone '▁' does not count). Byte pieces that cut the word only inside characters make it several tokens
    with no character boundary: it scores 0, not excluded."""
    encoded = tokenizer.encode_with_offsets(list(gold.words)) if gold.words else []
    out = np.full(len(gold.words), np.nan)
    for i, ((_, spans), word, cut) in enumerate(zip(encoded, gold.words, gold.pt1_chars, strict=True)):
        spans = [(int(s), int(e)) for s, e in spans]
        if sum(e > s for s, e in spans) > 1:
            out[i] = 1.0 if cut in char_boundaries(word, spans) else 0.0
    return out


@register_metric
class MorphScore(Metric):
    card = MetricCard(
        name=NAME,
        definition=(
            "MorphScore (Arnett & Bergen 2024) per language: each gold word (up to 2,000 per language, 22 "
            "languages, language = FLORES code) is encoded alone without special tokens; it scores 1 when a "
            "token boundary falls at its gold pt1|rest morpheme boundary, 0 when not; words one token covers "
            "(zero-width pieces such as a lone '▁' not counted) are excluded. Boundaries are the tokens' "
            "offsets mapped to character positions (a byte piece ending inside a multi-byte character is no "
            "boundary). Rows whose pt1+rest is not "
            "the word, or whose rest is empty, are excluded too. value = mean over scored words; n = scored "
            "words; flags = excluded counts (one_token, empty_rest, malformed). 95% CI: bootstrap over scored "
            "words. Gold data: reference/morphscore_v1 in a data directory (not vendored)."
        ),
        unit=UNIT,
        higher_is_better=True,
        needs=("tokenizer only", "MorphScore gold data"),
        citation=CITATION,
        options=dict(OPTIONS),
        corpus=False,
    )

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        codes = list(opts.get("languages") or ()) or list(CODES)
        rows = []
        for code in codes:
            gold = load_gold(code)
            scores = score_words(ctx.tokenizer, gold)
            scored = scores[~np.isnan(scores)]
            one_token = int(np.isnan(scores).sum())
            b = int(opts.get("bootstrap", 0))
            n = len(scored)
            ci = mean_ci(scored, bootstrap_weights(n, b, int(opts.get("seed", 0)))) if b > 0 and n > 1 else None
            value = float(scored.mean()) if n else float("nan")
            flags = f"one_token={one_token};empty_rest={gold.empty_rest};malformed={gold.malformed}"
            rows.append(make_row(NAME, code, SPLIT, value, UNIT, n, ci, flags))
        return rows
