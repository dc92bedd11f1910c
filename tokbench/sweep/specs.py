"""What a sweep trains: one spec per (algorithm, vocabulary size, language, training text).

A spec's label is what results show as the tokenizer (`bpe-2000-tur_Latn`); derived rows over
all languages of one setting use the set label (`bpe-2000`, `bpe-optimal`). Both are parsed back
by the report section, so the format lives here only.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

ALGORITHMS = ("bpe", "unigram", "superbpe")
# 20 FLORES-200 languages in 15 scripts: Latin with and without rich morphology, the Indic abugidas,
# scripts written without spaces between words (Thai, Burmese, Khmer, Chinese, Japanese)
DEFAULT_LANGUAGES = (
    "eng_Latn", "fra_Latn", "tur_Latn", "fin_Latn", "vie_Latn", "swh_Latn", "rus_Cyrl", "ell_Grek",
    "arb_Arab", "heb_Hebr", "hin_Deva", "ben_Beng", "tam_Taml", "kat_Geor", "amh_Ethi", "tha_Thai",
    "mya_Mymr", "kor_Hang", "jpn_Jpan", "zho_Hans",
)  # fmt: skip
DEFAULT_VOCAB_SIZES = (1000, 1500, 2000, 2500, 3000)
DEFAULT_BUDGET = 65_536  # bytes of training text per language (FLORES dev holds 117-444 kB per language)
BUDGET_UNITS = ("bytes", "chars")
DEFAULT_TRANSITION = 0.9  # SuperBPE's t = 180k of a 200k vocabulary (Liu et al. 2025)
BYTE_ALPHABET = 256  # every trainer starts from the 256 byte symbols

LABEL_RE = re.compile(r"^(?P<algo>bpe|unigram|superbpe)-(?P<vocab>\d+)-(?P<lang>[a-z]{3}_[A-Z][a-z]{3})$")
SET_RE = re.compile(r"^(?P<algo>bpe|unigram|superbpe)-(?P<vocab>\d+|optimal)$")


@dataclass(frozen=True)
class TrainSpec:
    """One tokenizer to train. `transition` is the superword trainer's stage-1 share of the vocabulary."""

    algorithm: str
    vocab_size: int
    language: str
    source: str  # where the training text comes from, e.g. "flores200:dev" or "hub:org/data@rev"
    budget: int
    unit: str
    transition: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.algorithm}-{self.vocab_size}-{self.language}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_label(label: str) -> tuple[str, int, str] | None:
    """(algorithm, vocabulary size, language) of a trained tokenizer's label, or None."""
    m = LABEL_RE.match(label)
    return (m["algo"], int(m["vocab"]), m["lang"]) if m else None


def set_label(algorithm: str, vocab: int | str) -> str:
    return f"{algorithm}-{vocab}"


def parse_set_label(label: str) -> tuple[str, str] | None:
    """(algorithm, vocabulary size or 'optimal') of a derived-row label, or None."""
    m = SET_RE.match(label)
    return (m["algo"], m["vocab"]) if m else None
