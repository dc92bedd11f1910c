"""%TR and %Pure (Bayram et al. 2025) offline, and %L: the same two shares for other languages.

Tokens are the cleaned surface strings of the ids in the split's per-sentence encodings
(`tokbench.morphology.surface`: markers and surrounding whitespace removed, whitespace-only,
special and UNK ids dropped); ids with the same string are one type, as in the paper's code, which
decodes each id and collects a set of strings. Each type is decided once by a lexical resource
(`tokbench.morphology`, decisions cached on disk per type):
- `*.unique`: share of distinct types that pass (the paper's form); n = distinct types;
- `*.weighted`: share of token occurrences whose type passes (asked for by the paper's reviewers);
  n = token occurrences.
The paper decided validity with the ITU NLP web services (IsTurkish, MorphAnalyzer), whose runs
drifted by up to 8 points; these are offline variants with a versioned, reproducible resource.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tokbench.errors import TokbenchError
from tokbench.metrics.base import ALL_LANGUAGES, Metric, MetricCard, make_row, register_metric
from tokbench.metrics.context import MetricContext
from tokbench.morphology import PURE, VALID, clean_surface, decide_types, languages_with_resource, resource_for
from tokbench.morphology.base import package_version

UNIT_UNIQUE = "% of unique token types"
UNIT_WEIGHTED = "% of token occurrences"
CITATION = (
    "Bayram, Fincan, Gümüş, Karakaş, Diri & Yıldırım (2025) Tokenization Standards for Linguistic "
    "Integrity: Turkish as a Benchmark, arXiv:2502.07057"
)
OFFLINE_NOTE = (
    "Offline variant of the paper's protocol, which queried the ITU NLP web services (runs drifted by up to "
    "8 points): validity here is decided by a versioned local resource (option `resource`; default per "
    "language, `tokbench.morphology`), so numbers are reproducible but not identical to the paper's."
)
OPTIONS = {"split": "", "resource": ""}
TURKISH = "tur_Latn"



def surface_counts(tokenizer: Any, ids: np.ndarray, freq: np.ndarray) -> dict[str, int]:
    """Occurrences per cleaned surface string of the ids used (only those are cleaned: a corpus uses a few
    thousand of a vocabulary's 30k-262k ids); special, UNK and whitespace-only ids are dropped."""
    table = tokenizer.token_bytes()
    skip = set(getattr(tokenizer, "special_ids", ()) or ())
    if getattr(tokenizer, "unk_id", None) is not None:
        skip.add(tokenizer.unk_id)
    counts: dict[str, int] = {}
    for i, f in zip(ids.tolist(), freq.tolist(), strict=True):
        if i in skip or i >= len(table):
            continue
        if (s := clean_surface(table[i])) is not None:
            counts[s] = counts.get(s, 0) + f
    return counts


def type_decisions(ctx: MetricContext, split: str, lang: str, resource_name: str) -> tuple[np.ndarray, np.ndarray, str]:
    """(flags per distinct surface string, occurrences per string, resource label) for one language."""

    def decide() -> tuple[np.ndarray, np.ndarray, str]:  # once per cell: shared by the family's metrics
        resource = resource_for(lang, resource_name)
        ids, freq = ctx.type_counts(split, lang)
        counts = surface_counts(ctx.tokenizer, ids, freq)
        decided = decide_types(resource, list(counts), desc=f"{resource.name} {lang} {ctx.tokenizer.name}")
        flags = np.fromiter((decided[s] for s in counts), dtype=np.int64, count=len(counts))
        occ = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
        return flags, occ, f"resource={resource.name} ({resource.version})"

    return ctx.cached(("lexical_validity", split, lang, resource_name), decide)


def shares(flags: np.ndarray, occ: np.ndarray, bit: int) -> tuple[float, float]:
    """(% of types with `bit`, % of occurrences whose type has `bit`); NaN for an empty split."""
    ok = (flags & bit) != 0
    unique = 100.0 * ok.mean() if len(flags) else float("nan")
    total = int(occ.sum())
    weighted = 100.0 * occ[ok].sum() / total if total else float("nan")
    return float(unique), float(weighted)


class _LexicalShare(Metric):
    """Shared compute: subclasses set the card, the flag bit, the form and which languages they cover."""

    bit: int = VALID
    weighted: bool = False
    turkish_only: bool = False

    def _languages(self, ctx: MetricContext, split: str, opts: dict[str, Any]) -> list[str]:
        have = languages_with_resource()
        if self.turkish_only:
            langs = ctx.languages(split) if ctx.langs else [x for x in ctx.view.languages(split) if x == TURKISH]
            if langs != [TURKISH]:
                raise TokbenchError(
                    f"{self.card.name} is defined for Turkish only (tur_Latn); corpus {ctx.view.name!r} split "
                    f"{split!r} {'has no tur_Latn' if not langs else 'was asked for ' + ', '.join(langs)}; "
                    "use --langs tur_Latn, or lex.* for other languages"
                )
            return langs
        if ctx.langs or opts.get("resource"):
            langs = ctx.languages(split)
            for lang in langs:  # a requested language without a resource is an error naming those that have one
                resource_for(lang, opts.get("resource", ""))
            return langs
        langs = [x for x in ctx.view.languages(split) if x in have]
        if not langs:
            raise TokbenchError(
                f"corpus {ctx.view.name!r} split {split!r} has no language with a lexical resource; "
                f"languages with one: {', '.join(have)}"
            )
        return langs

    @classmethod
    def warm(cls, langs: tuple[str, ...] | None, opts: dict[str, Any]) -> None:
        """Each covered language's resource warmed (zeyrek's Turkish analyzer takes ~1.7 s to build)."""
        wanted = ["tur_Latn"] if cls.turkish_only else languages_with_resource()
        for lang in [x for x in langs if x in wanted] if langs else wanted:
            try:
                resource = resource_for(lang, opts.get("resource", ""))
            except TokbenchError:  # a language without this resource: compute reports it
                continue
            resource.warm()

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        split = ctx.split_option(opts)
        name, unit = self.card.name, self.card.unit
        rows, values = [], []
        for lang in self._languages(ctx, split, opts):
            flags, occ, label = type_decisions(ctx, split, lang, opts.get("resource", ""))
            unique, weighted = shares(flags, occ, self.bit)
            value = weighted if self.weighted else unique
            n = int(occ.sum()) if self.weighted else len(flags)
            rows.append(make_row(name, lang, split, value, unit, n, flags=label))
            values.append(value)
        if not self.turkish_only and len(rows) > 1:
            macro = float(np.nanmean(values))
            flag = "macro-average of languages"
            rows.append(make_row(name, ALL_LANGUAGES, split, macro, unit, len(rows), flags=flag))
        return rows


def _card(name: str, form: str, unit: str, test: str, scope: str) -> MetricCard:
    return MetricCard(
        name=name,
        definition=f"{form} {test} {scope} {OFFLINE_NOTE}",
        unit=unit,
        higher_is_better=True,
        needs=("lexicon",),
        citation=CITATION,
        options=dict(OPTIONS),
        # 1: zeyrek's Turkish decisions no longer depend on what the process analysed before; 2: nor on the hash
        # seed (a root's stem modifiers in declaration order: `ret` -> `redd`)
        revision=2,
    )


_UNIQUE = "Share of the unique token types of the split's encoding (n = types) whose cleaned surface string"
_WEIGHTED = "Share of the token occurrences of the split's encoding (n = occurrences) whose type"
_TR_VALID = "is valid Turkish: a root, a surface word or a suffix morpheme (%TR)."
_TR_PURE = "is a root or a single morpheme: equal to the root of its own analysis, or a known suffix (%Pure)."
_TR_SCOPE = (
    f"Turkish only (tur_Latn); default resource: the zeyrek {package_version('zeyrek')} analyzer (Zemberek-NLP "
    "port and lexicon) plus the suffix allomorphs of its morphotactics; alternatives: hunspell_tr, zemberek_lexicon."
)
_L_VALID = "is a valid word or morpheme of the sentence's language (%L, the %TR test per language)."
_L_PURE = "is a root/dictionary form or a single known morpheme of the language (the %Pure test per language)."
_L_SCOPE = (
    f"Per language with a resource (default: simplemma {package_version('simplemma')} dictionaries for deu fra spa "
    "ita por nld pol rus fin hun ces swe, chosen by agreement with hand-checked tokens; Turkish: zeyrek) plus "
    "ALL = macro-average; a language without one is an error naming those that have one."
)


def _define(name: str, bit: int, weighted: bool, turkish_only: bool, what: str, scope: str) -> None:
    unit, form = (UNIT_WEIGHTED, _WEIGHTED) if weighted else (UNIT_UNIQUE, _UNIQUE)
    attrs = {
        "card": _card(name, form, unit, what, scope),
        "bit": bit,
        "weighted": weighted,
        "turkish_only": turkish_only,
        "__doc__": f"{name}: {what}",
    }
    register_metric(type(name.replace(".", "_").title().replace("_", ""), (_LexicalShare,), attrs))


for _bit, _tr_name, _l_name, _tr_what, _l_what in (
    (VALID, "tr", "lex", _TR_VALID, _L_VALID),
    (PURE, "pure", "lex_pure", _TR_PURE, _L_PURE),
):
    for _weighted in (False, True):
        _form = "weighted" if _weighted else "unique"
        _define(f"{_tr_name}.{_form}", _bit, _weighted, True, _tr_what, _TR_SCOPE)
        _define(f"{_l_name}.{_form}", _bit, _weighted, False, _l_what, _L_SCOPE)
