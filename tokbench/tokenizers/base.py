"""The one Tokenizer protocol that every format adapter implements.

Metrics and the mixture solver only see this interface, so a tokenizer from any format
(HF json, SentencePiece, tiktoken, ...) is measured the same way.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from array import array
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from itertools import chain
from typing import Literal

import numpy as np

from tokbench.errors import TokbenchError

Algorithm = Literal["bpe", "unigram", "wordpiece", "byte"]
_UINT32_ARRAY = array("I").itemsize == 4
SymbolUnit = Literal["byte", "char"]


class Tokenizer(ABC):
    """A loaded tokenizer: batch encoding, token strings/bytes, normalizer, pre-tokenizer, merges."""

    name: str
    algorithm: Algorithm
    sha256: str  # content hash of the tokenizer's files; part of every cache key
    symbol_unit: SymbolUnit = "byte"
    special_ids: frozenset[int] = frozenset()
    unk_id: int | None = None
    config: str = ""  # format + options that change encoding (e.g. an added NFC normalizer)

    @property
    def cache_key(self) -> str:
        """What identifies this tokenizer's output: its files' content and its load options."""
        return f"{type(self).__name__}|{self.sha256}|{self.config}"

    @property
    @abstractmethod
    def vocab_size(self) -> int:
        """Number of ids, special tokens included."""

    @abstractmethod
    def encode_batch(self, texts: Sequence[str], add_special_tokens: bool = False) -> list[list[int]]:
        """Token ids per text through the library's fast batch path; no special tokens unless asked."""

    def encode_flat(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """All ids concatenated (uint32) plus document offsets (int64, len n+1): what the cache stores.

        Encoded FLAT_CHUNK_CHARS of text at a time, each part turned into arrays at once: a library's
        per-document objects and Python id lists cost ~100x the arrays, and a cold run's reference encodes
        of 4 MB batches left a child process at 1.7 GB where the arrays need a few MB."""
        parts = [flatten_batch(self.encode_batch(chunk)) for chunk in flat_chunks(texts)]
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return np.zeros(0, dtype=np.uint32), np.zeros(1, dtype=np.int64)
        ids = np.concatenate([p[0] for p in parts])
        ends = np.cumsum([int(p[1][-1]) for p in parts])[:-1]
        offsets = np.concatenate([parts[0][1]] + [p[1][1:] + e for p, e in zip(parts[1:], ends, strict=True)])
        return ids, offsets

    @abstractmethod
    def encode_with_offsets(self, texts: Sequence[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        """Ids with (start, end) byte offsets into each text's UTF-8 encoding."""

    @abstractmethod
    def tokens(self, ids: Sequence[int]) -> list[str]:
        """Token strings in the library's own form (byte-level unicode, '▁', '##' ...)."""

    @abstractmethod
    def decode(self, ids: Sequence[int]) -> str:
        """Text of `ids` through the library's own decoder, special tokens kept: what a user gets back."""

    def decode_batch(self, batch: Sequence[Sequence[int]]) -> list[str]:
        """`decode` of each sequence; adapters override it with the library's batch path."""
        return [self.decode(ids) for ids in batch]

    def documented_normalization(self) -> tuple[str, Callable[[str], str] | None]:
        """(label, function) of the text normalisation the tokenizer's own files declare (e.g. NFC, NFKC),
        without the escaping its decoder undoes (whitespace as '▁', dummy prefix); ("", None) if none.
        The round-trip metrics compare decode(encode(text)) with function(text)."""
        return "", None

    @abstractmethod
    def _token_bytes(self) -> list[bytes | None]: ...

    @cached_property
    def token_bytes_table(self) -> list[bytes | None]:
        return self._token_bytes()

    def token_bytes(self) -> list[bytes | None]:
        """Surface bytes per id ('▁' → space, '<0xNN>' → that byte); None for special/control ids."""
        return self.token_bytes_table

    @cached_property
    def token_byte_lengths(self) -> np.ndarray:
        """Surface byte length per id (0 for special ids), for vectorised byte accounting."""
        return np.array([len(b) if b is not None else 0 for b in self.token_bytes_table], dtype=np.int64)

    def normalize(self, text: str) -> str:
        """The tokenizer's own normalizer (identity when it has none)."""
        return text

    @abstractmethod
    def pre_tokenize(self, text: str) -> list[bytes]:
        """Words within which BPE merges apply, as surface bytes, after normalization."""

    def merges(self) -> list[tuple[bytes, bytes]]:
        """Ordered BPE merges in canonical surface-byte form."""
        raise TokbenchError(f"tokenizer {self.name!r} is {self.algorithm}, not BPE: it has no merge list")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} {self.algorithm} vocab={self.vocab_size}>"


FLAT_CHUNK_CHARS = 1_000_000  # text per library call in encode_flat: bounded memory, still a batch for every core


def id_list(ids: Sequence[int] | np.ndarray) -> list[int]:
    """ids as a list of Python ints, as the libraries' decoders take them: ndarray.tolist() for the cached
    arrays (~4x faster than int() per element: 60-token sentences 23 -> 6 us)."""
    return ids.tolist() if isinstance(ids, np.ndarray) else list(map(int, ids))


def native_copies(texts: Sequence[str]) -> list[str]:
    """The texts to hand to a native library: each non-ASCII one as a fresh copy of itself.

    Why: CPython keeps a str's UTF-8 form inside the object once C code asks for it (PyUnicode_AsUTF8AndSize,
    which the bindings of tokenizers, tiktoken, sentencepiece, gigatoken and fastokens all call), for as long as
    the str lives. A corpus's texts live as long as the process (a run's children inherit them from the
    forkserver), so every encode left a UTF-8 copy of each text behind: +63 MB over FLORES-200 dev+devtest in
    every tokenizer's child. A copy made for the call takes that cache with it (0.16 s for all of FLORES-200)."""
    return [native_copy(t) for t in texts]


def native_copy(text: str) -> str:
    """`text`, or a fresh copy where it is not ASCII (see native_copies)."""
    return text if text.isascii() else "".join((text, ""))


def flat_chunks(texts: Sequence[str]) -> Iterator[list[str]]:
    """Consecutive runs of the texts of about FLAT_CHUNK_CHARS characters each (a run ends at the text that
    reaches it; a longer text is a run of its own), as `native_copies`: one library call each in an
    `encode_flat`."""
    texts = texts if isinstance(texts, list) else list(texts)
    start, size = 0, 0
    for i, t in enumerate(texts):
        size += len(t)
        if size >= FLAT_CHUNK_CHARS or i == len(texts) - 1:
            yield native_copies(texts[start : i + 1])
            start, size = i + 1, 0


def flatten_batch(batch: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Per-document id lists → (ids uint32, doc offsets int64)."""
    lengths = np.fromiter(map(len, batch), dtype=np.int64, count=len(batch))
    offsets = np.zeros(len(batch) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if _UINT32_ARRAY:  # list.extend into a C array: ~3x faster than np.fromiter over a chain
        buf = array("I")
        for x in batch:
            buf.extend(x)
        ids = np.frombuffer(buf, dtype=np.uint32)
    else:
        ids = np.fromiter(chain.from_iterable(batch), dtype=np.uint32, count=int(offsets[-1]))
    return ids, offsets


def byte_offsets_from_lengths(ids: Sequence[int], lengths: np.ndarray) -> list[tuple[int, int]]:
    """Byte spans from cumulative surface lengths; exact for lossless byte-level tokenizers."""
    ends = np.cumsum(lengths[np.asarray(ids, dtype=np.int64)]) if len(ids) else np.zeros(0, dtype=np.int64)
    starts = np.concatenate([[0], ends[:-1]]) if len(ids) else ends
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def char_to_byte_offsets(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Convert code-point spans (HF offsets) into UTF-8 byte spans of the same text."""
    if text.isascii():
        return [(a, b) for a, b in spans]
    cum = np.zeros(len(text) + 1, dtype=np.int64)
    np.cumsum([len(c.encode("utf-8")) for c in text], out=cum[1:])
    return [(int(cum[a]), int(cum[b])) for a, b in spans]
