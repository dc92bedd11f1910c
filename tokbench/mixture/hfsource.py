"""Minimal merge/pre-tokenizer source for an in-memory HF byte-level BPE ``tokenizers.Tokenizer``.

The controlled experiments train tokenizers in memory; this view gives them the slice of the
Tokenizer protocol the mixture solver needs (merges, pre_tokenize, symbol_unit) without
writing them to disk first. Registered tokenizers go through ``tokbench.tokenizers``.
"""

from __future__ import annotations

import json
from functools import lru_cache

from tokbench.errors import TokbenchError


@lru_cache(maxsize=1)
def bytelevel_decoder() -> dict[str, int]:
    """GPT-2's byte -> printable unicode map, inverted (unicode char -> byte)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs, strict=True)}


def bytelevel_to_bytes(s: str) -> bytes:
    dec = bytelevel_decoder()
    try:
        return bytes(dec[ch] for ch in s)
    except KeyError as e:
        raise TokbenchError(f"token {s!r} has char {e} outside the byte-level alphabet") from None


class HFByteLevelBPE:
    """Wraps a trained byte-level BPE ``tokenizers.Tokenizer`` (merges + pre-tokenizer)."""

    algorithm = "bpe"
    symbol_unit = "byte"

    def __init__(self, tok, name: str = "hf-bpe") -> None:  # noqa: ANN001 - tokenizers.Tokenizer
        self._tok = tok
        self.name = name
        spec = json.loads(tok.to_str())
        model = spec["model"]
        if model.get("type") != "BPE":
            raise TokbenchError(f"tokenizer {name} is not BPE")
        self.vocab_size = tok.get_vocab_size()
        self._merges = []
        for m in model["merges"]:
            a, b = m.split(" ", 1) if isinstance(m, str) else m
            self._merges.append((bytelevel_to_bytes(a), bytelevel_to_bytes(b)))

    def merges(self) -> list[tuple[bytes, bytes]]:
        return list(self._merges)

    def normalize(self, text: str) -> str:
        n = self._tok.normalizer
        return n.normalize_str(text) if n is not None else text

    def pre_tokenize(self, text: str) -> list[bytes]:
        text = self.normalize(text)
        pt = self._tok.pre_tokenizer
        if pt is None:
            return [text.encode("utf-8")]
        return [bytelevel_to_bytes(w) for w, _ in pt.pre_tokenize_str(text)]
