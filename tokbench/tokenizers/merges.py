"""Canonical BPE merge lists: ordered pairs of surface byte strings, whatever the source format.

Formats that store merges (HF json, merges.txt) are converted symbol-by-symbol. Formats that
store only ranked tokens (tiktoken ranks, SentencePiece BPE pieces) get their merges derived:
each multi-symbol token is BPE-encoded with the merges of lower rank only, and the two parts it
ends in are its merge. That keeps exactly one merge per token, which also drops the redundant
merges that SentencePiece-to-HF conversions list (every split of a piece whose halves exist).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

Merge = tuple[bytes, bytes]


def _bpe_parts(symbols: list[bytes], rank: Callable[[bytes], int | None], max_rank: int) -> list[bytes]:
    """Greedy lowest-rank-first BPE over `symbols`, using only tokens ranked below `max_rank`."""
    parts = list(symbols)
    while len(parts) > 1:
        best_i, best_r = -1, max_rank
        for i in range(len(parts) - 1):
            r = rank(parts[i] + parts[i + 1])
            if r is not None and r < best_r:
                best_i, best_r = i, r
        if best_i < 0:
            break
        parts[best_i : best_i + 2] = [parts[best_i] + parts[best_i + 1]]
    return parts


def derive_merges(
    ranked_tokens: Iterable[tuple[bytes, int]],
    split: Callable[[bytes], list[bytes]],
) -> list[Merge]:
    """Merges from tokens with ranks (lower = earlier); `split` gives a token's initial symbols.

    A token whose lower-ranked encoding does not end in exactly two parts is not reachable by a
    merge (a base symbol, a user-defined piece) and contributes none.
    """
    ranks = dict(ranked_tokens)
    merges: list[Merge] = []
    for tok, r in sorted(ranks.items(), key=lambda kv: kv[1]):
        syms = split(tok)
        if len(syms) < 2:
            continue
        parts = _bpe_parts(syms, ranks.get, r)
        if len(parts) == 2:
            merges.append((parts[0], parts[1]))
    return merges


def split_bytes(token: bytes) -> list[bytes]:
    return [bytes([b]) for b in token]


def split_chars(token: bytes) -> list[bytes]:
    return [c.encode("utf-8") for c in token.decode("utf-8", errors="surrogateescape")]


def canonical_merges(merges: Sequence[Merge], symbol_unit: str, vocab: set[bytes] | None = None) -> list[Merge]:
    """One merge per token, each reachable from base symbols: what BPE training actually did.

    Drops a merge whose product an earlier merge already made (conversions of tiktoken and
    SentencePiece models list every split of a token) and a merge with a part that is a vocab
    token no merge ever produces (user-defined pieces such as Gemma's newline runs, which the
    library matches whole before BPE). A part that a *later* merge produces (out of order, a
    cycle) or that is not in the vocabulary at all is an error, not something to drop.
    """
    from tokbench.errors import TokbenchError

    def is_base(sym: bytes) -> bool:
        if symbol_unit == "byte":
            return len(sym) == 1
        try:
            return len(sym.decode("utf-8")) == 1
        except UnicodeDecodeError:
            return len(sym) == 1  # a byte-fallback symbol

    first_made: dict[bytes, int] = {}
    listings: dict[bytes, int] = {}
    for t, (a, b) in enumerate(merges):
        first_made.setdefault(a + b, t)
        listings[a + b] = listings.get(a + b, 0) + 1
    made: set[bytes] = set()
    out: list[Merge] = []
    for t, (a, b) in enumerate(merges):
        c = a + b
        if c in made:
            continue
        usable = True
        for part in (a, b):
            if part in made or is_base(part):
                continue
            if part in first_made:
                if listings[c] > 1:  # one of several listed splits of c; another one builds it
                    usable = False
                    continue
                raise TokbenchError(
                    f"merge {t} ({a!r}, {b!r}) uses {part!r}, which no earlier merge produces (merge "
                    f"{first_made[part]} makes it later): the merge list is out of order or cyclic"
                )
            if vocab is not None and part not in vocab:
                raise TokbenchError(f"merge {t} ({a!r}, {b!r}) uses {part!r}, which is not in the vocabulary")
            usable = False  # a user-defined piece: matched whole, never built by a merge
        if usable:
            made.add(c)
            out.append((a, b))
    return out


def apply_merges(words: Sequence[Sequence[bytes]], merges: Sequence[Merge]) -> list[list[bytes]]:
    """Apply merges in order to each word's symbol sequence (reference implementation for tests).

    Per word, the lowest-ranked adjacent pair merges first, which is the same as applying the
    merge list in order over all words.
    """
    rank = {m: i for i, m in enumerate(merges)}
    out = []
    for w in words:
        parts = list(w)
        while len(parts) > 1:
            best_i, best_r = -1, len(merges)
            for i in range(len(parts) - 1):
                r = rank.get((parts[i], parts[i + 1]))
                if r is not None and r < best_r:
                    best_i, best_r = i, r
            if best_i < 0:
                break
            parts[best_i : best_i + 2] = [parts[best_i] + parts[best_i + 1]]
        out.append(parts)
    return out


def check_merges(merges: Sequence[Merge], base_symbols: Iterable[bytes]) -> None:
    """Raise TokbenchError if a merge uses a symbol that neither a base symbol nor an earlier merge made."""
    from tokbench.errors import TokbenchError

    known = set(base_symbols)
    for t, (a, b) in enumerate(merges):
        for s in (a, b):
            if s not in known:
                raise TokbenchError(
                    f"merge {t} ({a!r}, {b!r}) uses {s!r}, which no earlier merge or base symbol produces; "
                    "the merge list is out of order, cyclic or references unknown tokens"
                )
        known.add(a + b)
