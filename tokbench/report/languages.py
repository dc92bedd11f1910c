"""Language names for the corpora's codes ('tur_Latn' -> 'Turkish'), so no page shows a bare code.

Names come from `langcodes` with its `language_data` tables (CLDR/IANA data shipped inside the
package: no network). The code stays beside the name ('Turkish (tur_Latn)'), since FLORES and
the UDHR spell some languages differently (zho_Hans / cmn_Hans) and one language can appear in
two scripts.
"""

from __future__ import annotations

import re
from functools import lru_cache

_QUALIFIERS = re.compile(r"\s*\((individual language|macrolanguage)\)")
_CODE = re.compile(r"[a-z]{2,3}(_[A-Z][a-z]{3})?")
_SCRIPT_NAMES = {"Hans": "Han (Simplified)", "Hant": "Han (Traditional)"}  # CLDR's short forms read oddly alone


@lru_cache(maxsize=4096)
def language_name(code: str) -> str:
    """English name of a 'xxx_Scrp' (or 'xxx') code; the code itself when the data has no name."""
    import langcodes

    if not _CODE.fullmatch(code):  # 'ALL' (an aggregate row) or a corpus-specific label
        return code
    base = code.split("_", 1)[0]
    try:
        lang = langcodes.Language.get(base)
        name = lang.display_name("en") if lang.language else ""
    except (ValueError, LookupError):  # malformed tag or a code outside the registry
        return code
    name = _QUALIFIERS.sub("", name).strip()
    if not name or name.lower().startswith("unknown language"):
        return code
    return name


@lru_cache(maxsize=256)
def script_name(script: str) -> str:
    """English name of an ISO 15924 script code ('Mymr' -> 'Myanmar'); the code when unknown."""
    import langcodes

    if script in _SCRIPT_NAMES:
        return _SCRIPT_NAMES[script]
    try:
        name = langcodes.Language.make(script=script).script_name("en")
    except (ValueError, LookupError):
        return script
    return name if name and not name.lower().startswith("unknown") else script


def language_label(code: str) -> str:
    """'Turkish (tur_Latn)'; the bare code when no name is known."""
    name = language_name(code)
    return code if name == code else f"{name} ({code})"


def language_labels(codes: list[str]) -> dict[str, str]:
    return {c: language_label(c) for c in codes}
