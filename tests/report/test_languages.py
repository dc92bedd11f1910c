"""Language names beside codes, offline."""

from __future__ import annotations

from tokbench.report.languages import language_label, language_name, script_name


def test_names_for_flores_and_udhr_codes() -> None:
    assert language_label("tur_Latn") == "Turkish (tur_Latn)"
    assert language_name("npi_Deva") == "Nepali"  # CLDR's '(individual language)' qualifier dropped
    assert language_name("amh_Ethi") == "Amharic"
    assert script_name("Mymr") == "Myanmar" and script_name("Hans") == "Han (Simplified)"


def test_unknown_codes_stay_codes() -> None:
    assert language_label("ALL") == "ALL"  # an aggregate row, not a language
    assert language_label("qqq_Latn") == "qqq_Latn"
    assert script_name("Qaaa") in ("Qaaa", "Private use")
