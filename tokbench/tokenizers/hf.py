"""Hugging Face `tokenizers` adapter: tokenizer.json(.gz), vocab.json+merges.txt, WordPiece vocab.txt,
and local model directories through transformers.AutoTokenizer (never trust_remote_code)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from tokenizers import Tokenizer as RustTokenizer
from tokenizers import normalizers

from tokbench.errors import TokbenchError
from tokbench.io import read_text
from tokbench.tokenizers.base import (
    Algorithm,
    Tokenizer,
    byte_offsets_from_lengths,
    char_to_byte_offsets,
    id_list,
    native_copy,
)
from tokbench.tokenizers.merges import Merge, canonical_merges, derive_merges, split_chars
from tokbench.tokenizers.spm_words import split_into_words

_BYTE_FALLBACK = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")


@lru_cache(maxsize=1)
def byte_decoder() -> dict[str, int]:
    """GPT-2's printable-unicode → byte map used by ByteLevel pre-tokenizers."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs, strict=True)}


def _has_component(node: Any, type_name: str) -> bool:
    if isinstance(node, dict):
        if node.get("type") == type_name:
            return True
        return any(_has_component(v, type_name) for v in node.values())
    if isinstance(node, list):
        return any(_has_component(v, type_name) for v in node)
    return False


def _text_normalizers(node: dict[str, Any]) -> list[dict[str, Any]]:
    """Flattened normalizer steps that change the text (SentencePiece-style escaping left out)."""
    kind = node.get("type")
    if kind == "Sequence":
        return [s for child in node.get("normalizers", []) for s in _text_normalizers(child)]
    if kind == "Prepend" or (kind == "Replace" and node.get("content") == "\u2581"
                             and node.get("pattern") == {"String": " "}):
        return []
    return [node]


def _normalizer_label(node: dict[str, Any]) -> str:
    kind = str(node.get("type"))
    if kind == "BertNormalizer":  # strip_accents null follows lowercase (the library's rule)
        on = {k: node.get(k) for k in ("clean_text", "handle_chinese_chars", "lowercase")}
        on["strip_accents"] = node.get("lowercase") if node.get("strip_accents") is None else node.get("strip_accents")
        return f"BertNormalizer({','.join(k for k, v in on.items() if v)})"
    if kind == "Replace":
        return f"Replace({json.dumps(node.get('pattern'), ensure_ascii=False)}->{node.get('content')!r})"
    if kind == "Precompiled":
        return "Precompiled(SentencePiece charsmap)"
    return kind


class HFTokenizer(Tokenizer):
    """Wraps a `tokenizers.Tokenizer`; batch encoding runs in Rust across threads."""

    def __init__(self, rust: RustTokenizer, name: str, sha256: str, *, nfc: bool = False) -> None:
        if nfc:  # conversions that lost the original NFC normalizer (qwen3, gpt-neox, deepseek)
            rust.normalizer = (
                normalizers.Sequence([normalizers.NFC(), rust.normalizer]) if rust.normalizer else (normalizers.NFC())
            )
        rust.no_padding()  # measure text, not a model's batch layout
        rust.no_truncation()
        self._tok = rust
        self.name = name
        self.sha256 = sha256
        # read what is needed from the Rust objects: parsing a 256k-vocab tokenizer.json into
        # Python costs hundreds of MB; the merges are re-read from the Rust object when asked
        model = rust.model
        mtype = type(model).__name__
        if mtype not in ("BPE", "Unigram", "WordPiece"):
            raise TokbenchError(f"tokenizer {name!r}: model type {mtype!r} is not supported (BPE/Unigram/WordPiece)")
        self.algorithm: Algorithm = {"BPE": "bpe", "Unigram": "unigram", "WordPiece": "wordpiece"}[mtype]  # type: ignore[assignment]

        def component(obj: Any) -> Any:
            return json.loads(obj.__getstate__()) if obj is not None else None

        self.byte_level = _has_component(component(rust.pre_tokenizer), "ByteLevel") or _has_component(
            component(rust.decoder), "ByteLevel"
        )
        self.symbol_unit = "byte" if self.byte_level else "char"
        self.byte_fallback = bool(getattr(model, "byte_fallback", False))
        added = rust.get_added_tokens_decoder()
        # single-character added tokens are text even when flagged special (llama.cpp conversions do that)
        self.special_ids = frozenset(i for i, t in added.items() if t.special and len(t.content) > 1)
        self._added_text = {i: t.content.encode("utf-8") for i, t in added.items() if i not in self.special_ids}
        unk = getattr(model, "unk_token", None)
        if isinstance(unk, str):
            self.unk_id = rust.token_to_id(unk)
        elif mtype == "Unigram":
            self.unk_id = json.loads(rust.to_str())["model"].get("unk_id")
        else:
            self.unk_id = None

    @property
    def backend(self) -> RustTokenizer:
        return self._tok

    @cached_property
    def vocab_size(self) -> int:
        """Cached: the library counts the vocabulary afresh on every call (~0.5 ms at 100k tokens; metrics ask per
        language, 0.9 s of a FLORES run), and tokbench never adds tokens to a loaded tokenizer."""
        return self._tok.get_vocab_size(with_added_tokens=True)

    def encode_batch(self, texts: Sequence[str], add_special_tokens: bool = False) -> list[list[int]]:
        texts = list(texts)
        fast = getattr(self._tok, "encode_batch_fast", None)  # no offsets: the cheapest path
        encs = (fast or self._tok.encode_batch)(texts, add_special_tokens=add_special_tokens)
        return [e.ids for e in encs]

    def encode_with_offsets(self, texts: Sequence[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        texts = list(texts)
        encs = self._tok.encode_batch(texts, add_special_tokens=False)
        norm = self._tok.normalizer
        out = []
        for t, e in zip(texts, encs, strict=True):
            if self.byte_level and (norm is None or norm.normalize_str(t) == t):
                # byte-level BPE is lossless: token byte lengths add up to the text exactly (HF's char
                # offsets cannot split a multi-byte character between two byte tokens)
                out.append((e.ids, byte_offsets_from_lengths(e.ids, self.token_byte_lengths)))
            else:
                out.append((e.ids, char_to_byte_offsets(t, e.offsets)))
        return out

    def tokens(self, ids: Sequence[int]) -> list[str]:
        return [self._tok.id_to_token(int(i)) or "" for i in ids]

    def decode(self, ids: Sequence[int]) -> str:
        return self._tok.decode(id_list(ids), skip_special_tokens=False)

    def decode_batch(self, batch: Sequence[Sequence[int]]) -> list[str]:
        return self._tok.decode_batch([id_list(ids) for ids in batch], skip_special_tokens=False)

    def documented_normalization(self) -> tuple[str, Callable[[str], str] | None]:
        """The tokenizer.json normalizer minus the whitespace escaping its decoder undoes (Prepend '▁',
        Replace ' ' -> '▁'), run by the `tokenizers` library itself."""
        return self._documented_normalization

    @cached_property
    def _documented_normalization(self) -> tuple[str, Callable[[str], str] | None]:
        norm = self._tok.normalizer
        if norm is None:
            return "", None
        steps = _text_normalizers(json.loads(norm.__getstate__()))
        if not steps:
            return "", None
        spec = {"type": "Sequence", "normalizers": steps}
        doc = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": spec,
               "pre_tokenizer": None, "post_processor": None, "decoder": None,
               "model": {"type": "WordLevel", "vocab": {"[UNK]": 0}, "unk_token": "[UNK]"}}
        shell = RustTokenizer.from_str(json.dumps(doc)).normalizer
        assert shell is not None
        labels = list(dict.fromkeys(_normalizer_label(n) for n in steps))  # qwen3's NFC twice: file + load option
        return "normalizer=" + "+".join(labels), shell.normalize_str

    def _surface(self, s: str) -> bytes:
        """Library token string → surface bytes."""
        if self.byte_level:
            dec = byte_decoder()
            try:
                return bytes(dec[c] for c in s)
            except KeyError:
                return s.encode("utf-8")  # an added token written in plain text
        if self.byte_fallback and (m := _BYTE_FALLBACK.match(s)):
            return bytes([int(m.group(1), 16)])
        if self.algorithm == "wordpiece" and s.startswith("##"):
            s = s[2:]
        return s.replace("\u2581", " ").encode("utf-8")

    def _token_bytes(self) -> list[bytes | None]:
        out: list[bytes | None] = [None] * self.vocab_size
        for tok, i in self._tok.get_vocab(with_added_tokens=True).items():
            if i < len(out) and i not in self.special_ids:
                out[i] = self._added_text.get(i) or self._surface(tok)
        return out

    def normalize(self, text: str) -> str:
        norm = self._tok.normalizer
        return norm.normalize_str(native_copy(text)) if norm is not None else text

    def pre_tokenize(self, text: str) -> list[bytes]:
        normalized = self.normalize(text)
        pre = self._tok.pre_tokenizer
        if pre is None:
            if self.symbol_unit == "char":  # SentencePiece-derived: words start at each '▁' run
                return [w.replace("\u2581", " ").encode("utf-8") for w in split_into_words(normalized)]
            return [normalized.encode("utf-8")] if normalized else []
        return [self._surface(piece) for piece, _ in pre.pre_tokenize_str(normalized)]

    @cached_property
    def _merge_list(self) -> tuple[list[Merge], bool]:
        """The canonical merge list, and whether the file lists some piece with two or more splits
        (the mark of a SentencePiece model converted to tokenizer.json; see `training_merges`)."""
        if self.algorithm != "bpe":
            return super().merges(), False
        out: list[Merge] = []
        for m in json.loads(self._tok.to_str())["model"].get("merges") or []:
            a, b = m.split(" ", 1) if isinstance(m, str) else m
            out.append((self._surface(a), self._surface(b)))
        split_listed = len({a + b for a, b in out}) < len(out)
        vocab = {self._surface(tok) for tok in self._tok.get_vocab(with_added_tokens=True)}
        return canonical_merges(out, self.symbol_unit, vocab), split_listed

    @property
    def _merges(self) -> list[Merge]:
        return self._merge_list[0]

    def merges(self) -> list[Merge]:
        return self._merges

    @cached_property
    def _training_merges(self) -> list[Merge]:
        made = {a + b for a, b in self._merges}
        added = self._tok.get_added_tokens_decoder()
        pieces = ((self._surface(tok), i) for tok, i in self._tok.get_vocab(with_added_tokens=True).items()
                  if i not in added)
        return derive_merges(((b, i) for b, i in pieces if b in made), split_chars)

    def training_merges(self) -> list[Merge]:
        """The merges a SentencePiece trainer made, for mixture inference; `merges()` otherwise.

        A SentencePiece model converted to tokenizer.json (Gemma 3) has no merges of its own: the
        converter lists *every* split of each piece whose halves are pieces, and `merges()` keeps the
        first listed one (leftmost part lowest id), which is not the pair the trainer joined: Gemma 3's
        ' on' is listed as (' o', 'n') but ' ' + 'on' is what BPE makes when 'on' precedes ' o', and
        (' o', 'n') never occurs. 8,918 of Gemma 3's first 30k merges had such a split, most of them
        then unexplained by every sample. Here each piece made by a listed merge, in id order (the
        trainer's), is BPE-encoded with the pieces before it, as for a `.model`
        (`SentencePieceTokenizer.training_merges`); added tokens (user-defined pieces such as
        Gemma's whitespace runs, matched whole before training) are left out. Only for character-unit
        BPE lists with more than one listed split of a piece, the mark of such a conversion.
        """
        if self.algorithm != "bpe" or self.symbol_unit != "char":
            return self.merges()
        return self._training_merges if self._merge_list[1] else self.merges()


def from_json_bytes(data: bytes, name: str, sha256: str, *, nfc: bool = False, where: str = "") -> HFTokenizer:
    """From the bytes of a tokenizer.json: `from_buffer` peaks ~150 MB lower than `from_str` on a
    262k-vocab file (gemma3: 371 vs 523 MB) and leaves ~110 MB less resident."""
    try:
        rust = RustTokenizer.from_buffer(data)
    except Exception as e:  # the Rust error is the useful part
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as u:
            raise TokbenchError(
                f"cannot read {where or name}: not UTF-8 JSON (byte 0x{data[u.start]:02x} at offset {u.start})"
            ) from None
        raise TokbenchError(
            f"cannot read tokenizer {where or name}: not a valid Hugging Face tokenizer.json ({str(e).splitlines()[0]})"
        ) from None
    return HFTokenizer(rust, name, sha256, nfc=nfc)


def from_vocab_merges(vocab: Path, merges: Path, name: str, sha256: str, add_prefix_space: bool = False) -> HFTokenizer:
    """GPT-2 style vocab.json + merges.txt: byte-level BPE with the ByteLevel pre-tokenizer."""
    from tokenizers import decoders, pre_tokenizers
    from tokenizers.models import BPE

    try:  # read through tokbench.io so gzipped copies (the vendored layout) work too
        vocab_map = json.loads(read_text(vocab))
        lines = [ln for ln in read_text(merges).splitlines() if ln and not ln.startswith("#version")]
        model = BPE(vocab_map, [tuple(ln.split(" ", 1)) for ln in lines])
    except Exception as e:
        raise TokbenchError(f"cannot read {vocab} + {merges} as BPE vocab/merges ({str(e).splitlines()[0]})") from None
    rust = RustTokenizer(model)
    rust.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=add_prefix_space)
    rust.decoder = decoders.ByteLevel()
    return HFTokenizer(rust, name, sha256)


def from_wordpiece_vocab(vocab: Path, name: str, sha256: str, lowercase: bool = True) -> HFTokenizer:
    from tokenizers.implementations import BertWordPieceTokenizer

    try:
        tokens = read_text(vocab).splitlines()
        impl = BertWordPieceTokenizer({t: i for i, t in enumerate(tokens)}, lowercase=lowercase)
    except Exception as e:
        raise TokbenchError(f"cannot read {vocab} as a WordPiece vocab.txt ({str(e).splitlines()[0]})") from None
    return HFTokenizer(impl._tokenizer, name, sha256)


def from_model_dir(path: Path, name: str, sha256: str) -> HFTokenizer:
    """A local model directory through AutoTokenizer; remote code is never executed."""
    config = path / "tokenizer_config.json"
    try:
        auto_map = json.loads(config.read_text(encoding="utf-8")).get("auto_map") if config.is_file() else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError):
        auto_map = None
    if auto_map:
        raise TokbenchError(
            f"{path}: its tokenizer_config.json asks to run custom code (auto_map), which tokbench never does; "
            "give its tokenizer.json or .model file instead"
        )
    try:
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(str(path), trust_remote_code=False, local_files_only=True)
    except Exception as e:
        msg = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        if "instantiate the backend tokenizer" in msg:
            msg = "no tokenizer.json, SentencePiece .model or vocab files a fast tokenizer can be built from"
        raise TokbenchError(f"cannot load tokenizer directory {path} ({msg})") from None
    backend = getattr(tok, "backend_tokenizer", None)
    if backend is None:
        raise TokbenchError(f"{path}: transformers gave a slow tokenizer; add its tokenizer.json or .model instead")
    return HFTokenizer(backend, name, sha256)



def from_rust(rust: RustTokenizer, name: str) -> HFTokenizer:
    """An in-memory `tokenizers.Tokenizer` (e.g. one just trained), hashed by its serialization."""
    import hashlib

    return HFTokenizer(rust, name, hashlib.sha256(rust.to_str().encode("utf-8")).hexdigest())
