"""FLORES-200 codes of the %L languages and their ISO 639-1 codes (what simplemma and wordfreq take)."""

from __future__ import annotations

ISO1 = {
    "deu_Latn": "de",
    "fra_Latn": "fr",
    "spa_Latn": "es",
    "ita_Latn": "it",
    "por_Latn": "pt",
    "nld_Latn": "nl",
    "pol_Latn": "pl",
    "rus_Cyrl": "ru",
    "fin_Latn": "fi",
    "hun_Latn": "hu",
    "ces_Latn": "cs",
    "swe_Latn": "sv",
    "tur_Latn": "tr",
}
