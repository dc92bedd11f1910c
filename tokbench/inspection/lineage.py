"""Lineage: does a merge list start with another registered tokenizer's merges?

Llama-3 keeps cl100k's 100k merges and appends its own; its mixture should be solved on the
extension only (``--start-merge``), or the inherited merges would be credited to Llama-3's data.
A property of merge lists, so it lives with the tokenizer inspection; the mixture inference, the
tokenizer pages and `tokbench inspect` read it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from tokbench.errors import TokbenchError

log = logging.getLogger(__name__)
MIN_SHARED = 1000  # fewer shared leading merges than this is coincidence (byte-level lists share ~10)
MIN_OVERLAP = 0.9  # same tokens in another order: a re-trained or re-ordered descendant


@dataclass
class Relative:
    name: str
    shared: int  # length of the common prefix of the two lists' token sequences
    their_merges: int
    overlap: float = 0.0  # share of their tokens that ours also creates (order ignored)
    window_overlap: float | None = None  # share of our solved merges' tokens their solved merges create

    @property
    def extends(self) -> bool:
        """The whole of the other list is a prefix of ours."""
        return self.shared == self.their_merges


@dataclass
class Lineage:
    n_merges: int
    relatives: list[Relative] = field(default_factory=list)

    @property
    def parent(self) -> Relative | None:
        """The longest registered merge list that ours extends (shorter than ours)."""
        cands = [r for r in self.relatives if r.extends and r.their_merges < self.n_merges]
        return max(cands, key=lambda r: r.shared, default=None)


def token_sequence(merges: list[tuple[bytes, bytes]]) -> list[bytes]:
    """Tokens in the order merges create them, first creation only: comparable across formats
    (a tiktoken-derived list and its HF conversion with redundant splits give the same sequence)."""
    seen: set[bytes] = set()
    out: list[bytes] = []
    for a, b in merges:
        c = a + b
        if c not in seen:
            seen.add(c)
            out.append(c)
    return out


def common_prefix(a: list, b: list) -> int:
    n = min(len(a), len(b))
    lo = 0
    # galloping + binary search on prefix equality keeps this ~O(n) with few Python comparisons
    while lo < n and a[lo] == b[lo]:
        step = 1
        while lo + step <= n and a[lo:lo + step] == b[lo:lo + step]:
            lo += step
            step *= 2
        if lo < n and a[lo] != b[lo]:
            break
    return lo


def find_lineage(tok: object, candidates: list[str] | None = None) -> Lineage:
    """Compare ``tok``'s merges with every registered BPE tokenizer whose files are available."""
    from tokbench.manifests import tokenizer_manifests
    from tokbench.tokenizers import load_tokenizer

    ours = token_sequence(tok.merges())  # type: ignore[attr-defined]
    ours_set = set(ours)
    lin = Lineage(len(ours))
    mans = tokenizer_manifests()
    seen_sha = {getattr(tok, "sha256", None)}
    for name in candidates or sorted(mans):
        m = mans.get(name)
        if m is None or m.algorithm != "bpe" or name == getattr(tok, "name", None):
            continue
        if m.availability() == "missing":
            continue
        try:
            other = load_tokenizer(name)
            if other.sha256 in seen_sha:
                continue
            theirs = token_sequence(other.merges())
        except TokbenchError as e:
            log.debug("lineage: skipping %s: %s", name, e)
            continue
        k = common_prefix(ours, theirs)
        overlap = len(ours_set.intersection(theirs)) / max(1, len(theirs))
        if k >= MIN_SHARED or overlap >= MIN_OVERLAP:
            lin.relatives.append(Relative(name, k, len(theirs), overlap))
    lin.relatives.sort(key=lambda r: (-r.shared, -r.overlap))
    return lin



def lineage_among(sequences: dict[str, list[bytes]], windows: dict[str, tuple[int, int]] | None = None,
                  ) -> dict[str, Lineage]:
    """Each tokenizer's lineage among `sequences` (name -> token sequence, built once), by find_lineage's
    rules. With `windows` (name -> (start merge, merges solved)) each relative also gets `window_overlap`:
    the share of the tokens our solved merges create that its solved merges also create. That share says
    whether two mixture results describe the same data (qwen3's first 30,000 merges create 96% of the
    tokens of cl100k's first 30,000, with no common prefix), which the whole-list overlap cannot."""
    windows = windows or {}
    sets = {k: set(v) for k, v in sequences.items()}
    solved = {k: set(sequences[k][a:a + n]) for k, (a, n) in windows.items() if k in sequences}
    out: dict[str, Lineage] = {}
    for name, ours in sequences.items():
        lin = Lineage(len(ours))
        for other, theirs in sequences.items():
            if other == name or ours == theirs:
                continue
            k = common_prefix(ours, theirs)
            overlap = len(sets[name].intersection(theirs)) / max(1, len(theirs))
            if k < MIN_SHARED and overlap < MIN_OVERLAP:
                continue
            rel = Relative(other, k, len(theirs), overlap)
            if name in solved and other in solved:
                rel.window_overlap = len(solved[name] & solved[other]) / max(1, len(solved[name]))
            lin.relatives.append(rel)
        lin.relatives.sort(key=lambda r: (-r.shared, -r.overlap, r.name))
        out[name] = lin
    return out


def relative_json(r: Relative) -> dict[str, object]:
    """A relative as recorded in a mixture result's `lineage` (the layout of the tokenizer pages' lineage)."""
    rec: dict[str, object] = {"tokenizer": r.name, "shared_merges": r.shared, "their_merges": r.their_merges,
                              "extends": r.extends, "token_overlap": round(r.overlap, 4)}
    if r.window_overlap is not None:
        rec["window_overlap"] = round(r.window_overlap, 4)
    return rec
