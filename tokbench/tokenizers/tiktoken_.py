"""tiktoken adapter: `.tiktoken` rank files built offline, and Mistral's tekken json.

`tiktoken.get_encoding()` downloads its rank file, which cannot happen here; instead the regex
and special tokens come from tiktoken's own encoding constructors (tiktoken_ext.openai_public),
fed the local ranks, so nothing about the encodings is hand-copied.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property

import regex
import tiktoken

from tokbench.errors import TokbenchError
from tokbench.tokenizers.base import Tokenizer, byte_offsets_from_lengths, id_list
from tokbench.tokenizers.merges import Merge, derive_merges, split_bytes

ENCODINGS = ("gpt2", "r50k_base", "p50k_base", "p50k_edit", "cl100k_base", "o200k_base")


def parse_tiktoken_ranks(data: bytes, where: str) -> dict[bytes, int]:
    ranks: dict[bytes, int] = {}
    try:
        for line in data.splitlines():
            if line:
                tok, rank = line.split()
                ranks[base64.b64decode(tok, validate=True)] = int(rank)
    except Exception:
        raise TokbenchError(f"cannot read {where}: not a .tiktoken rank file (lines of 'base64 rank')") from None
    if not ranks:
        raise TokbenchError(f"cannot read {where}: the rank file is empty")
    if len(set(ranks.values())) != len(ranks):  # tiktoken's Rust core panics on these
        seen: dict[int, bytes] = {}
        for tok, rank in ranks.items():
            if rank in seen:
                raise TokbenchError(
                    f"cannot read {where}: rank {rank} is given to two tokens ({seen[rank]!r} and {tok!r}); "
                    "every token needs its own rank"
                )
            seen[rank] = tok
    return ranks


def encoding_spec(encoding: str, ranks: dict[bytes, int]) -> dict:
    """tiktoken's own constructor arguments for `encoding`, with the ranks supplied locally."""
    import tiktoken_ext.openai_public as public

    if encoding not in ENCODINGS:
        raise TokbenchError(f"unknown tiktoken encoding {encoding!r}; known: {', '.join(ENCODINGS)}")
    original = public.load_tiktoken_bpe
    public.load_tiktoken_bpe = lambda *_a, **_k: ranks  # type: ignore[assignment]
    try:
        return getattr(public, encoding)()
    finally:
        public.load_tiktoken_bpe = original


class TiktokenTokenizer(Tokenizer):
    """Byte-level BPE through tiktoken; `id_offset` shifts ids (tekken keeps specials below it)."""

    algorithm = "bpe"
    symbol_unit = "byte"

    def __init__(
        self,
        enc: tiktoken.Encoding,
        name: str,
        sha256: str,
        ranks: dict[bytes, int],
        *,
        id_offset: int = 0,
        n_vocab: int | None = None,
        special_ids: Sequence[int] = (),
    ) -> None:
        self._enc = enc
        self._ranks = ranks
        self._offset = id_offset
        self._n_vocab = n_vocab if n_vocab is not None else enc.n_vocab
        self.name = name
        self.sha256 = sha256
        self.special_ids = frozenset(special_ids) | frozenset(v + id_offset for v in enc._special_tokens.values())
        self.unk_id = None
        self._pattern = regex.compile(enc._pat_str)
        self._threads = os.cpu_count() or 1

    @property
    def encoding(self) -> tiktoken.Encoding:
        return self._enc

    @property
    def vocab_size(self) -> int:
        return self._n_vocab

    def _shift(self, ids: list[int]) -> list[int]:
        return [i + self._offset for i in ids] if self._offset else ids

    def encode_batch(self, texts: Sequence[str], add_special_tokens: bool = False) -> list[list[int]]:
        # one contiguous chunk per thread: tiktoken releases the GIL inside encode_ordinary, and a
        # future per text (encode_ordinary_batch) spends more time in locks than encoding
        texts = list(texts)
        enc = self._enc.encode_ordinary
        n = min(self._threads, max(1, len(texts) // 64))
        if n == 1:
            out = [enc(t) for t in texts]
        else:
            size = -(-len(texts) // n)
            chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
            with ThreadPoolExecutor(n) as pool:
                out = [ids for part in pool.map(lambda c: [enc(t) for t in c], chunks) for ids in part]
        return [self._shift(x) for x in out] if self._offset else out

    def encode_with_offsets(self, texts: Sequence[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        return [(ids, byte_offsets_from_lengths(ids, self.token_byte_lengths)) for ids in self.encode_batch(texts)]

    def tokens(self, ids: Sequence[int]) -> list[str]:
        tb = self.token_bytes_table
        return [(tb[int(i)] or b"").decode("utf-8", errors="backslashreplace") for i in ids]

    def decode(self, ids: Sequence[int]) -> str:
        return self._enc.decode([int(i) - self._offset for i in ids])

    def decode_batch(self, batch: Sequence[Sequence[int]]) -> list[str]:
        """tiktoken's own `decode` per sequence. Its decode_batch submits one thread-pool future per sequence:
        for FLORES sentences (~50 tokens) the futures cost ~4x the decoding (r50k_base: 10 of 16 s)."""
        decode = self._enc.decode
        if self._offset:
            return [decode([int(i) - self._offset for i in ids]) for ids in batch]
        return [decode(id_list(ids)) for ids in batch]

    def _token_bytes(self) -> list[bytes | None]:
        out: list[bytes | None] = [None] * self._n_vocab
        for tok, r in self._ranks.items():
            if r + self._offset < self._n_vocab:
                out[r + self._offset] = tok
        return out

    def pre_tokenize(self, text: str) -> list[bytes]:
        return [m.encode("utf-8") for m in self._pattern.findall(text)]

    @cached_property
    def _merges(self) -> list[Merge]:
        return derive_merges(self._ranks.items(), split_bytes)

    def merges(self) -> list[Merge]:
        return self._merges


def from_tiktoken_file(data: bytes, name: str, sha256: str, encoding: str, where: str) -> TiktokenTokenizer:
    ranks = parse_tiktoken_ranks(data, where)
    spec = encoding_spec(encoding, ranks)
    spec.pop("name", None)
    try:
        enc = tiktoken.Encoding(name=name, **spec)
    except Exception as e:
        raise TokbenchError(f"{where}: ranks do not fit encoding {encoding!r} ({str(e).splitlines()[0]})") from None
    return TiktokenTokenizer(enc, name, sha256, ranks)


def from_tekken_json(data: bytes, name: str, sha256: str, where: str) -> TiktokenTokenizer:
    """Mistral tekken: the first `default_num_special_tokens` ids are specials; ranks follow them."""
    try:
        doc = json.loads(data)
        cfg = doc["config"]
        n_special = int(cfg["default_num_special_tokens"])
        n_vocab = int(cfg["default_vocab_size"])
        inner = n_vocab - n_special
        ranks = {base64.b64decode(t["token_bytes"]): int(t["rank"]) for t in doc["vocab"][:inner]}
        enc = tiktoken.Encoding(name=name, pat_str=cfg["pattern"], mergeable_ranks=ranks, special_tokens={})
    except TokbenchError:
        raise
    except Exception as e:
        raise TokbenchError(f"cannot read {where}: not a Mistral tekken json ({type(e).__name__}: {e})") from None
    return TiktokenTokenizer(
        enc, name, sha256, ranks, id_offset=n_special, n_vocab=n_vocab, special_ids=range(n_special)
    )
