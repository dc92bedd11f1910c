"""Token surface strings as the %TR paper counts them: one string per id, markers and spaces removed.

Adapters' `token_bytes()` already map `Ġ`/`▁` to a space and drop WordPiece's `##`; what is left
is the surrounding whitespace (stripped; a whitespace-only token has no string) and partial UTF-8
sequences of byte-level tokens, decoded with U+FFFD as `tokenizer.decode(id)` does in the paper.
"""

from __future__ import annotations

from typing import Any

# Literal markers, for surfaces that did not come through token_bytes() (e.g. a library's token strings).
MARKERS = ("\u2581", "\u0120", "##")


def clean_surface(surface: bytes | str | None) -> str | None:
    """The token's string with boundary markers and surrounding whitespace removed; None if nothing is left."""
    if surface is None:
        return None
    text = surface.decode("utf-8", errors="replace") if isinstance(surface, bytes) else surface
    text = text.strip()
    for marker in MARKERS:
        if text.startswith(marker):
            text = text[len(marker) :].strip()
    return text or None


def surfaces_of(tokenizer: Any) -> list[str | None]:
    """Cleaned surface per id; None for special ids, the UNK id and whitespace-only tokens."""
    unk = getattr(tokenizer, "unk_id", None)
    specials = set(getattr(tokenizer, "special_ids", ()) or ())
    out: list[str | None] = []
    for i, b in enumerate(tokenizer.token_bytes()):
        out.append(None if (i == unk or i in specials) else clean_surface(b))
    return out
