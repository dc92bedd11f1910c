"""The other Turkish resources (hunspell tr_TR via spylls, the Zemberek lexicon; vendored) on hand-checked tokens."""

from __future__ import annotations

from tokbench.morphology import PURE, VALID, resource_for

BOTH = VALID | PURE


def test_hunspell_tr() -> None:
    r = resource_for("tur_Latn", "hunspell_tr")
    tokens = {"ev": BOTH, "evler": VALID, "kitaplarımızdan": VALID, "ler": BOTH, "Kitap": BOTH, "gi": 0, "John": 0}
    assert dict(zip(tokens, r.decide(list(tokens)), strict=True)) == tokens
    assert "spylls" in r.version and "hunspell-tr 7.5.0" in r.version


def test_zemberek_lexicon_is_a_root_list() -> None:
    r = resource_for("tur_Latn", "zemberek_lexicon")
    # a lemma (gelmek) is valid but not a root; an inflected word is not in a root list at all
    tokens = {"kitap": BOTH, "gel": BOTH, "gelmek": VALID, "ları": BOTH, "evler": 0, "ş": 0}
    assert dict(zip(tokens, r.decide(list(tokens)), strict=True)) == tokens
