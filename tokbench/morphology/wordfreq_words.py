"""Word validity from wordfreq's frequency lists (PyPI `wordfreq`): a candidate %L resource.

VALID: Zipf frequency >= ZIPF_MIN (3.0: once per million words). wordfreq counts what its own
tokenizer cut from web text, so frequent fragments pass too; measured against the hand-checked
sample in reports/morphology, which is why it is not a default. PURE is not defined by a word list
(no lemmas): PURE = VALID here.
"""

from __future__ import annotations

from collections.abc import Sequence

from tokbench.morphology.base import PURE, VALID, LexicalResource, package_version, register_resource
from tokbench.morphology.flores_langs import ISO1

ZIPF_MIN = 3.0


@register_resource
class WordfreqWords(LexicalResource):
    name = "wordfreq"
    languages = tuple(ISO1)
    description = f"wordfreq frequency lists: valid = Zipf frequency >= {ZIPF_MIN} (pure = valid; no lemmas)"

    @property
    def version(self) -> str:
        return f"wordfreq {package_version('wordfreq')}, zipf>={ZIPF_MIN}"

    def decide(self, tokens: Sequence[str]) -> list[int]:
        from wordfreq import zipf_frequency

        code = ISO1[self.lang]
        return [(VALID | PURE) if zipf_frequency(t, code) >= ZIPF_MIN else 0 for t in tokens]
