"""One-line "unknown X" messages that name the closest valid choice and list the rest compactly.

A typo such as `eng_latn` or `cl100k` should cost the user one glance, not a scan of 204 codes: the
message says "did you mean eng_Latn?" when one choice is close (case-insensitive difflib ratio, part by
part for `xxx_Scrp` codes), and
lists at most `shown` alternatives followed by "... and N more" plus the command that lists them all.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

SHOWN = 10  # alternatives listed before "... and N more"


def closest(value: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The choice nearest to `value`: an exact case-insensitive match first, then difflib's best above
    `cutoff` (compared case-insensitively, so `eng_latn` finds `eng_Latn`)."""
    pool = list(dict.fromkeys(choices))
    if not value or not pool:
        return None
    folded: dict[str, str] = {}
    for c in pool:
        folded.setdefault(c.casefold(), c)
    if value.casefold() in folded:
        return folded[value.casefold()]
    prefix = [c for c in pool if c.casefold().startswith(value.casefold())]
    if len(prefix) == 1 and len(value) >= 3:  # `cl100k` for cl100k_base, `o200k` for o200k_base
        return prefix[0]
    scored = [(_similarity(value.casefold(), c), c) for c in folded]
    score, best = max(scored, key=lambda sc: sc[0])
    return folded[best] if score >= cutoff else None


def _similarity(a: str, b: str) -> float:
    """difflib's ratio, taken part by part for names of the same `_`-shape: every FLORES code ends in a
    script such as `_Latn`, which alone would make `xxx_Latn` look like `xsm_Latn`."""
    pa, pb = a.split("_"), b.split("_")
    if len(pa) > 1 and len(pa) == len(pb):
        return min(difflib.SequenceMatcher(None, x, y).ratio() for x, y in zip(pa, pb, strict=True))
    return difflib.SequenceMatcher(None, a, b).ratio()


def compact(choices: Iterable[str], listing: str | None = None, shown: int = SHOWN) -> str:
    """`a, b, c` or `a, ..., j ... and 194 more; `listing``: a list that fits on a line."""
    items = list(dict.fromkeys(choices))
    if len(items) <= shown:
        return ", ".join(items)
    rest = f"... and {len(items) - shown} more"
    return f"{', '.join(items[:shown])} {rest}" + (f"; `{listing}`" if listing else "")


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """`: did you mean X?` when a choice is close, else empty."""
    best = closest(value, choices)
    return f": did you mean {best}?" if best is not None else ""


def unknown(kind: str, value: str, choices: Iterable[str], listing: str | None = None, shown: int = SHOWN) -> str:
    """The one-line message for an unknown `kind`: the closest choice if any, else the choices (compactly)."""
    pool = list(dict.fromkeys(choices))
    best = closest(value, pool)
    if best is not None:
        return f"unknown {kind} {value!r}: did you mean {best}?"
    if not pool:
        return f"unknown {kind} {value!r}" + (f"; `{listing}` lists them" if listing else "")
    if len(pool) <= shown:
        return f"unknown {kind} {value!r}; choose one of {compact(pool)}"
    return f"unknown {kind} {value!r}; choose one of {compact(pool, listing, shown)}"


def corpus_codes(corpus: str) -> list[str]:
    """The language codes (or, for code/domain corpora, the subsets) a corpus's manifest declares."""
    from tokbench.manifests import corpus_manifests

    m = corpus_manifests().get(corpus)
    return list(m.languages or m.subsets) if m is not None else []


def no_language(corpus: str, missing: Sequence[str], have: Iterable[str], split: str | None = None) -> str:
    """`corpus 'udhr' has no language 'eng_latn': did you mean eng_Latn?`, for one or many missing codes; with
    no close match, the corpus's codes compactly and the command that lists them."""
    pool = list(have)
    where = f"corpus {corpus!r}" + (f" split {split!r}" if split else "")
    hints = [closest(x, pool) for x in missing]
    if len(missing) == 1 and hints[0] is not None:
        return f"{where} has no language {missing[0]!r}: did you mean {hints[0]}?"
    named = [f"{x!r}" + (f" (did you mean {h}?)" if h else "") for x, h in zip(missing[:SHOWN], hints, strict=False)]
    more = f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
    msg = f"{where} has no language {', '.join(named)}{more}"
    if all(h is None for h in hints):
        if not pool:
            return msg
        msg += f"; it has {compact(pool, f'tokbench list languages {corpus}')}"
    return msg


def check_languages(corpora: Iterable[str], langs: Sequence[str] | None) -> None:
    """Every `--langs` code in every corpus's manifest, checked before any work starts (the per-split check
    happens again when a cell reads the data); corpora with no declared codes are left to that check."""
    if not langs:
        return
    from tokbench.errors import TokbenchError

    for corpus in corpora:
        have = corpus_codes(corpus)
        missing = [x for x in langs if x not in have]
        if have and missing:
            raise TokbenchError(no_language(corpus, missing, have))


def unknown_tokenizer(spec: str) -> str:
    """`unknown tokenizer 'cl100k': did you mean cl100k_base? ...` (a spec may also be a path)."""
    from tokbench.manifests import tokenizer_manifests

    return (f"unknown tokenizer {spec!r}{did_you_mean(spec, sorted(tokenizer_manifests()))} (not a registered name "
            "nor an existing path; `tokbench list tokenizers` lists the names)")


def unknown_corpus(name: str, kind: str = "corpus") -> str:
    from tokbench.manifests import corpus_manifests

    return unknown(kind, name, sorted(corpus_manifests()), listing="tokbench list corpora")
