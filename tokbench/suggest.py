"""One-line "unknown X" messages that name the closest valid choice and list the rest compactly.

A typo such as `eng_latn` or `cl100k` should cost the user one glance, not a scan of 204 codes: the
message says "did you mean eng_Latn?" when one choice is close (case-insensitive difflib ratio), and
lists at most `shown` alternatives followed by "... and N more" plus the command that lists them all.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

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
    match = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=cutoff)
    return folded[match[0]] if match else None


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
