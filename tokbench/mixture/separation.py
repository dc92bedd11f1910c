"""Are the category samples big enough to tell the categories apart? A split-half check.

Mixture inference compares each category's pair frequencies with the merge list; it can only
resolve categories whose samples differ from each other by more than a sample differs from
itself. We measure both on the symbol pairs inside pre-tokenized words (what the first merges
see: byte pairs, or character pairs for SentencePiece), as total variation distances between pair
distributions:

- ``split_half``: between the even and the odd documents of one category's sample (sampling
  noise of a half sample; the whole sample's noise is smaller, roughly by sqrt(2));
- ``nearest``: from a category's sample to the closest other category's sample.

Measured on whole inference samples (reports/mixture/code.md): FLORES languages have a mean
split-half/nearest ratio of 0.06 and reach log10 MSE -5 to -5.8; the 15 `code_samples` languages
(4-54 inference files each) have 0.87 (kotlin 1.71, swift 1.45) and stay near -3.1 whatever the
inference does. A ratio near or above 1 means the sample cannot tell that category from its
nearest neighbour; `tokbench mixture --separation` flags ratios above ``WARN_RATIO``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from tokbench.mixture.words import CategoryWords

# between FLORES (0.06, log10 MSE -5 to -5.8) and code (0.87, -3.1): above it, a category's share
# is limited by its sample rather than by the inference. On 112 FLORES devtest languages (gpt2
# words) 6 exceed it, all near-duplicate pairs: arb_Arab/ars_Arab 4.3, zho_Hant/yue_Hant 1.6,
# aka_Latn/twi_Latn 0.5; the mean is 0.24
WARN_RATIO = 0.5


@dataclass
class Separation:
    name: str
    split_half: float  # TV distance between the even and the odd documents of the sample
    nearest: str  # the closest other category
    nearest_tv: float  # TV distance to it

    @property
    def ratio(self) -> float:
        return self.split_half / self.nearest_tv if self.nearest_tv > 0 else float("inf")


def pair_counts(cw: CategoryWords, docs: np.ndarray | None = None, unit: str = "byte") -> Counter[bytes | str]:
    """Symbol pairs inside words (each counted once per word occurrence), over ``docs`` (default all).

    ``unit``: the tokenizer's symbol unit, "byte" (byte-level BPE) or "char" (SentencePiece merges
    characters: a Han character's three UTF-8 bytes form pairs its merges never see)."""
    if unit not in ("byte", "char"):
        raise ValueError(f"unit must be 'byte' or 'char', not {unit!r}")
    if docs is None:
        ids = cw.doc_word_ids
    else:
        ids = np.concatenate([cw.doc_word_ids[cw.doc_offsets[d]:cw.doc_offsets[d + 1]] for d in docs]
                             or [np.zeros(0, np.int32)])
    per_word = np.bincount(ids, minlength=len(cw.words))
    out: Counter[bytes | str] = Counter()
    for i in np.flatnonzero(per_word):
        w: bytes | str = cw.words[i] if unit == "byte" else cw.words[i].decode("utf-8", errors="replace")
        c = int(per_word[i])
        for k in range(len(w) - 1):
            out[w[k:k + 2]] += c
    return out


def total_variation(p: Counter[bytes | str], q: Counter[bytes | str]) -> float:
    """Half the L1 distance between the normalised distributions (0 = equal, 1 = disjoint)."""
    sp, sq = sum(p.values()), sum(q.values())
    if sp == 0 or sq == 0:
        return 1.0
    return 0.5 * sum(abs(p.get(k, 0) / sp - q.get(k, 0) / sq) for k in p.keys() | q.keys())


def _pairwise_tv(full: list[Counter[bytes | str]]) -> np.ndarray:
    """All categories' pairwise TV distances at once (a dense category x pair matrix: 112 FLORES
    languages take seconds, where pairwise Counter arithmetic takes minutes)."""
    index: dict[bytes | str, int] = {}
    for c in full:
        for k in c:
            index.setdefault(k, len(index))
    m = np.zeros((len(full), len(index)), np.float32)
    for i, c in enumerate(full):
        if c:
            m[i, [index[k] for k in c]] = np.fromiter(c.values(), np.float64, len(c)) / sum(c.values())
    d = np.ones((len(full), len(full)))
    for i in range(len(full)):
        if full[i]:
            d[i] = 0.5 * np.abs(m - m[i]).sum(axis=1)
    empty = [i for i, c in enumerate(full) if not c]
    d[:, empty] = 1.0  # as total_variation: nothing to compare with is as far as can be
    return d


def separation(cats: Mapping[str, CategoryWords], unit: str = "byte") -> list[Separation]:
    """Split-half noise and nearest-neighbour distance of every category (needs >= 2 documents each),
    on the pairs of the tokenizer's symbol ``unit`` ("byte" or "char")."""
    names = list(cats)
    halves, full = [], []
    for x in names:
        cw = cats[x]
        idx = np.arange(cw.n_docs)
        if cw.n_docs > 1:  # the whole sample's counts are the halves' sum: one pass over the words
            even, odd = pair_counts(cw, idx[0::2], unit), pair_counts(cw, idx[1::2], unit)
            halves.append(total_variation(even, odd))
            full.append(even + odd)
        else:
            halves.append(1.0)
            full.append(pair_counts(cw, unit=unit))
    tv = _pairwise_tv(full)
    np.fill_diagonal(tv, np.inf)
    out = []
    for i, x in enumerate(names):
        half = halves[i]
        j = int(np.argmin(tv[i])) if len(names) > 1 else -1
        out.append(Separation(x, half, names[j] if j >= 0 else "", float(tv[i, j]) if j >= 0 else 1.0))
    return out
