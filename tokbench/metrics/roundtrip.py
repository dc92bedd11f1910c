"""Round trip: does decode(encode(text)) give the text back, and if not, what is lost?

Every sentence of the split is decoded from its cached per-sentence encoding (no special tokens were
added; none are skipped) with the tokenizer's own library (`Tokenizer.decode_batch`): the raw decode is
what a user of the tokenizer gets, so it is compared as is. A WordPiece decode (BERT) joins pieces with
spaces and then applies the library's cleanup (' .' -> '.', " n't" -> "n't" ...); its spacing differs from
the text wherever the pre-tokenizer split off punctuation, and that shows as `whitespace` changes.

Rows per language and pooled over all languages (language "ALL"), each with a 95% bootstrap CI:
per language over its sentences, for ALL over sentence ids (a translated sentence and its translations
are drawn together, as the premium's bootstrap does).
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz.distance import Levenshtein

from tokbench.metrics._ratio import SENTENCE_OPTIONS, ratio_cis, weights
from tokbench.metrics.base import ALL_LANGUAGES, Metric, MetricCard, make_row, register_metric
from tokbench.metrics.context import MetricContext
from tokbench.metrics.stats import ratio_ci, ratio_of_sums

SHARE = "fraction of sentences"
CER_UNIT = "edits per character"
# The cumulative chain that attributes a difference (order matters: each step is applied on top of the
# ones before it, to the text and to the decode alike), then the two kinds outside the chain.
CHAIN = ("whitespace", "nfkc", "accents", "case")
KINDS = ("case", "accents", "nfkc", "whitespace", "unk", "other")
CITATION = (
    "Round-trip (lossless) test as in Kudo & Richardson (2018) SentencePiece §3 ('lossless tokenization: "
    "Decode(Encode(T)) = T'); edit distance: Levenshtein (1966), via rapidfuzz"
)
CI_NOTE = "95% CI: bootstrap over sentences (ALL: over sentence ids, translations drawn together)."


@lru_cache(maxsize=1)
def _mark_table() -> dict[int, None]:
    """str.translate table deleting nonspacing marks (category Mn)."""
    return {c: None for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Mn"}


def _without_space(s: str) -> str:
    """s without whitespace: str.split() splits on exactly str.isspace, and is ~7x faster than str.translate with
    a deletion table (a dictionary lookup per character: 12 s of bert's 50 s roundtrip on FLORES)."""
    return "".join(s.split())


def chain_forms(text: str) -> list[str]:
    """The text under each cumulative step of CHAIN: W(s), W(K(s)), W(A(K(s))), W(C(A(K(s)))) where W deletes
    whitespace, K is NFKC, A strips accents (NFD, delete Mn marks, NFC) and C is Unicode case folding."""
    k = unicodedata.normalize("NFKC", text)
    nfd = unicodedata.normalize("NFD", k)
    a = k if nfd.isascii() else unicodedata.normalize("NFC", nfd.translate(_mark_table()))  # ASCII has no marks
    c = a.casefold()
    return [_without_space(text), _without_space(k), _without_space(a), _without_space(c)]


def classify(text: str, decoded: str, unk: bool, distance: int | None = None) -> set[str]:
    """Kinds of difference between a text and its decode (empty when they are equal); see the card.
    `distance`: Levenshtein(text, decoded) when the caller has it already."""
    if text == decoded:
        return set()
    if unk:
        return {"unk"}
    kinds = set()
    prev = Levenshtein.distance(text, decoded) if distance is None else distance
    for kind, t, d in zip(CHAIN, chain_forms(text), chain_forms(decoded), strict=True):
        cur = Levenshtein.distance(t, d)
        if cur < prev:
            kinds.add(kind)
        prev = cur
    if prev > 0:
        kinds.add("other")
    return kinds


@dataclass
class RoundTrip:
    """Per-sentence round-trip results of one language (arrays aligned with the split's sentences)."""

    doc_ids: list[str]
    exact: np.ndarray  # 1.0 where decode == text
    exact_normalized: np.ndarray  # 1.0 where decode == documented_normalization(text)
    distance: np.ndarray  # Levenshtein(text, decode) in code points
    chars: np.ndarray  # code points of the text
    changes: dict[str, np.ndarray] = field(default_factory=dict)  # kind -> 1.0 where the sentence has it
    normalization: str = ""


def analyse(texts: Sequence[str], decoded: Sequence[str], unk: np.ndarray,
            normalize: Callable[[str], str] | None) -> dict[str, np.ndarray]:
    """Per-sentence arrays for texts and their decodes (unk: UNK ids per sentence)."""
    n = len(texts)
    exact = np.fromiter((t == d for t, d in zip(texts, decoded, strict=True)), dtype=np.float64, count=n)
    if normalize is None:
        exact_norm = exact.copy()
    else:
        exact_norm = np.fromiter((normalize(t) == d for t, d in zip(texts, decoded, strict=True)),
                                 dtype=np.float64, count=n)
    distance = np.zeros(n, dtype=np.float64)
    changes = {k: np.zeros(n, dtype=np.float64) for k in KINDS}
    for i in np.flatnonzero(exact == 0).tolist():
        d = Levenshtein.distance(texts[i], decoded[i])
        distance[i] = d
        for kind in classify(texts[i], decoded[i], bool(unk[i]), d):
            changes[kind][i] = 1.0
    chars = np.fromiter(map(len, texts), dtype=np.float64, count=n)
    return {"exact": exact, "exact_normalized": exact_norm, "distance": distance, "chars": chars,
            **{f"changes.{k}": v for k, v in changes.items()}}


# Per MetricContext memo: (split, lang) -> RoundTrip; the family's metrics decode each language once.


def round_trip(ctx: MetricContext, split: str, lang: str) -> RoundTrip:
    """Decode the cached per-sentence encoding of one language (the same cache entry as ctx.sentences);
    computed once per context for the family's nine metrics."""

    def compute() -> RoundTrip:
        tok = ctx.tokenizer
        ids_of_docs, texts = ctx.view.docs(split, lang)
        ids, off = ctx.sentence_ids(split, lang)
        flat, bounds = ids.tolist(), off.tolist()
        decoded = tok.decode_batch([flat[bounds[i]:bounds[i + 1]] for i in range(len(texts))])
        unk = np.zeros(len(texts), dtype=np.int64)
        if tok.unk_id is not None and len(ids):
            hit = np.flatnonzero(ids == tok.unk_id)
            unk = np.bincount(np.searchsorted(off, hit, side="right") - 1, minlength=len(texts))[: len(texts)]
        label, normalize = tok.documented_normalization()
        a = analyse(texts, decoded, unk, normalize)
        return RoundTrip(ids_of_docs, a["exact"], a["exact_normalized"], a["distance"], a["chars"],
                         {k: a[f"changes.{k}"] for k in KINDS}, label)

    return ctx.cached(("roundtrip", split, lang), compute)


PerLang = Callable[[RoundTrip], tuple[np.ndarray, np.ndarray]]


class _RoundTripMetric(Metric):
    """Shared compute: a pooled ratio sum(num)/sum(den) per language and over ALL sentences."""

    unit: str = SHARE

    def per_sentence(self, rt: RoundTrip) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def flags(self, rt: RoundTrip) -> str:
        return ""

    def compute(self, ctx: MetricContext, opts: dict[str, Any]) -> list[dict[str, Any]]:
        split = ctx.split_option(opts)
        name = self.card.name
        langs = ctx.languages(split)
        unit_index: dict[str, int] = {}
        pairs: list[tuple[np.ndarray, np.ndarray]] = []
        pooled: list[np.ndarray] = []
        lang_flags: list[str] = []
        for lang in langs:
            rt = round_trip(ctx, split, lang)
            pairs.append(self.per_sentence(rt))
            lang_flags.append(self.flags(rt))
            pooled.append(np.fromiter((unit_index.setdefault(i, len(unit_index)) for i in rt.doc_ids),
                                      dtype=np.int64, count=len(rt.doc_ids)))
        rows = [make_row(name, lang, split, ratio_of_sums(num, den), self.unit, len(num), ci, flags)
                for lang, (num, den), ci, flags in zip(langs, pairs, ratio_cis(pairs, opts), lang_flags, strict=True)]
        if pairs:
            n_units = len(unit_index)
            num_u, den_u = np.zeros(n_units), np.zeros(n_units)
            for units, (num, den) in zip(pooled, pairs, strict=True):
                np.add.at(num_u, units, num)
                np.add.at(den_u, units, den)
            n = sum(len(num) for num, _ in pairs)
            ci = ratio_ci(num_u, den_u, weights(n_units, opts))
            rows.append(make_row(name, ALL_LANGUAGES, split, ratio_of_sums(num_u, den_u), self.unit, n, ci,
                                 lang_flags[-1]))
        return rows


@register_metric
class RoundTripExact(_RoundTripMetric):
    card = MetricCard(
        name="roundtrip.exact",
        definition=(
            "Share of sentences whose decode(encode(text)) equals the text exactly (code point for code point), "
            "decoded from the cached per-sentence encodings (no special tokens) with the tokenizer's own library; "
            "the raw decode is compared, as a user gets it (WordPiece: pieces joined with spaces plus the "
            "library's cleanup). " + CI_NOTE
        ),
        unit=SHARE,
        higher_is_better=True,
        citation=CITATION,
        options=dict(SENTENCE_OPTIONS),
    )

    def per_sentence(self, rt: RoundTrip) -> tuple[np.ndarray, np.ndarray]:
        return rt.exact, np.ones_like(rt.exact)


@register_metric
class RoundTripExactNormalized(_RoundTripMetric):
    card = MetricCard(
        name="roundtrip.exact_normalized",
        definition=(
            "Share of sentences whose decode(encode(text)) equals N(text), N being the normalisation the "
            "tokenizer's own file declares, applied by its library: a tokenizer.json normalizer (e.g. NFC, NFKC, "
            "BertNormalizer) minus the whitespace escaping its decoder undoes (Prepend/Replace ' '->'▁'); a "
            "SentencePiece normalizer_spec rule (e.g. nmt_nfkc) with remove_extra_whitespaces, without the dummy "
            "prefix and '▁' escaping; identity when none (tiktoken). The row's flags name N (normalizer=none: "
            "same as roundtrip.exact). Load options that add a normalizer (nfc for conversions that lost theirs) "
            "count as declared. " + CI_NOTE
        ),
        unit=SHARE,
        higher_is_better=True,
        citation=CITATION,
        options=dict(SENTENCE_OPTIONS),
    )

    def per_sentence(self, rt: RoundTrip) -> tuple[np.ndarray, np.ndarray]:
        return rt.exact_normalized, np.ones_like(rt.exact_normalized)

    def flags(self, rt: RoundTrip) -> str:
        return rt.normalization or "normalizer=none"


@register_metric
class RoundTripCER(_RoundTripMetric):
    unit = CER_UNIT
    card = MetricCard(
        name="roundtrip.cer",
        definition=(
            "Character error rate of the round trip: sum over sentences of the Levenshtein distance (insertions, "
            "deletions, substitutions of Unicode code points; rapidfuzz) between the text and its raw "
            "decode(encode(text)), divided by the sum of the texts' code points (pooled over sentences; ALL pools "
            "every language's sentences). 0 for a lossless tokenizer; can exceed 1 when UNK renderings ('[UNK]') are "
            "longer than the characters they replace. " + CI_NOTE
        ),
        unit=CER_UNIT,
        higher_is_better=False,
        citation=CITATION,
        options=dict(SENTENCE_OPTIONS),
    )

    def per_sentence(self, rt: RoundTrip) -> tuple[np.ndarray, np.ndarray]:
        return rt.distance, rt.chars


CHANGE_DEFINITION = (
    "Share of all sentences of the split whose raw decode(encode(text)) differs from the text by a {kind} change. "
    "Sentences that round-trip exactly have no change. A changed sentence in which the tokenizer emitted its UNK id "
    "counts as 'unk' only (the UNK's rendering, e.g. '[UNK]' or ' ⁇ ', makes the other comparisons meaningless). "
    "Any other changed sentence is compared under a cumulative chain of normalisations applied to both the text "
    "and the decode, in this fixed order: whitespace (delete every str.isspace character), nfkc (Unicode NFKC; "
    "includes NFC/NFD differences and compatibility mappings such as ligatures or full-width forms), accents "
    "(NFD, delete nonspacing marks of category Mn, NFC; as BERT's strip_accents, it also removes e.g. Indic vowel "
    "signs that are Mn), case (Unicode case folding). A kind counts when its step lowers the Levenshtein distance "
    "between the two sides below that of the previous step; 'other' counts when a difference remains after the "
    "whole chain (e.g. dropped format characters such as ZWNJ, or substituted characters). Kinds are "
    "not exclusive (a sentence can change in case and accents), so the six shares can sum to more than "
    "1 - roundtrip.exact. " + CI_NOTE
)


def _change_metric(kind: str) -> type[_RoundTripMetric]:
    class RoundTripChange(_RoundTripMetric):
        card = MetricCard(
            name=f"roundtrip.changes.{kind}",
            definition=CHANGE_DEFINITION.format(kind=repr(kind)),
            unit=SHARE,
            higher_is_better=False,
            citation=CITATION,
            options=dict(SENTENCE_OPTIONS),
        )

        def per_sentence(self, rt: RoundTrip) -> tuple[np.ndarray, np.ndarray]:
            return rt.changes[kind], np.ones_like(rt.exact)

    RoundTripChange.__name__ = RoundTripChange.__qualname__ = f"RoundTripChange_{kind}"
    return register_metric(RoundTripChange)  # type: ignore[return-value]


CHANGE_METRICS = {kind: _change_metric(kind) for kind in KINDS}
METRIC_NAMES = (
    RoundTripExact.card.name,
    RoundTripExactNormalized.card.name,
    RoundTripCER.card.name,
    *(cls.card.name for cls in CHANGE_METRICS.values()),
)
