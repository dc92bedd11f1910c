"""Turkish by the hunspell tr_TR dictionary (Debian hunspell-tr 1:7.5.0-1, MPL-2.0, vendored), read with spylls.

VALID = hunspell accepts the token (as is, or in Turkish lower case) or it is a suffix allomorph;
PURE = the lower-cased token is a stem of the .dic file or a suffix allomorph. spylls is a pure
Python hunspell (PyPI), so no system library is needed; loading the 371k stems takes ~15 s, paid
only when some type is not in the decision cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cached_property
from typing import Any

from tokbench.datadirs import cache_dir
from tokbench.errors import TokbenchError
from tokbench.io import atomic_write_text
from tokbench.morphology.base import PURE, VALID, LexicalResource, package_version, register_resource
from tokbench.morphology.lexicon_files import LexiconFile
from tokbench.morphology.turkish_suffixes import turkish_suffixes
from tokbench.morphology.zeyrek_tr import turkish_lower

SOURCE = "Debian hunspell-tr 1:7.5.0-1 (tr_TR.dic/.aff)"
DIC = LexiconFile(
    "lexicons/turkish/hunspell_tr_TR.dic", "2bfbc4ec08be10fa2dc34092d7ae96a2c03d1cc9b0c05992e9473e08de4afe19", SOURCE
)
AFF = LexiconFile(
    "lexicons/turkish/hunspell_tr_TR.aff", "d221e3032a8a53adfa67292145a63fdf402ba20038f382931b4e9788662fd427", SOURCE
)


@register_resource
class HunspellTurkish(LexicalResource):
    name = "hunspell_tr"
    languages = ("tur_Latn",)
    description = (
        "hunspell tr_TR via spylls: valid = accepted by hunspell or a suffix allomorph, "
        "pure = a .dic stem or a suffix allomorph"
    )

    def fingerprint(self) -> str:
        DIC.verify()
        AFF.verify()  # a damaged file is an error even when the decisions are cached
        return super().fingerprint()

    @property
    def version(self) -> str:
        return f"spylls {package_version('spylls')}; hunspell-tr 7.5.0 sha256:{DIC.sha256[:12]}"

    @cached_property
    def dictionary(self) -> tuple[Any, frozenset[str]]:
        """(spylls Dictionary, lower-cased stems); the checked text is unpacked once into the cache folder."""
        dic, aff = DIC.read_text(), AFF.read_text()
        lines = dic.splitlines()
        try:
            declared = int(lines[0].strip())
        except (IndexError, ValueError):
            raise TokbenchError(f"lexicon file {DIC.relpath} does not start with its stem count") from None
        if len(lines) - 1 < declared:
            raise TokbenchError(f"lexicon file {DIC.relpath} is truncated: {len(lines) - 1} of {declared} stems")
        stems = frozenset(turkish_lower(line.split("/", 1)[0]) for line in lines[1:] if line)
        folder = cache_dir() / "morphology" / "hunspell" / hashlib.sha256((dic + aff).encode()).hexdigest()[:16]
        if not (folder / "tr_TR.dic").is_file():
            atomic_write_text(folder / "tr_TR.aff", aff)
            atomic_write_text(folder / "tr_TR.dic", dic)
        from spylls.hunspell import Dictionary

        return Dictionary.from_files(str(folder / "tr_TR")), stems

    def decide(self, tokens: Sequence[str]) -> list[int]:
        dictionary, stems = self.dictionary
        suffixes = turkish_suffixes()
        out = []
        for token in tokens:
            low = turkish_lower(token)
            if low in suffixes or low in stems:
                out.append(VALID | PURE)
            elif dictionary.lookup(token) or dictionary.lookup(low):
                out.append(VALID)
            else:
                out.append(0)
        return out
