"""fastokens (PyPI `fastokens`, Rust): BPE `tokenizer.json` pipelines, including Split regexes and
vocabularies without all single bytes that gigatoken refuses, and tiktoken ranks with any regex.

Tried after gigatoken (`order = 1`), which is as fast or faster where both load (FLORES-200 dev, CPU s:
qwen3 1.3 vs 1.6, cl100k_base 1.0 vs 1.6, llama3 1.1 vs 1.0) and loads faster: fastokens encodes what
gigatoken declines or fails (deepseek_coder, deepseek_llm, command_r, falcon, starcoder; mistral_tekken's
id offset). Loaded from the bytes tokbench already read, never from a hub (`from_model` takes a hub name).
What it cannot load (WordPiece, Unigram, a SentencePiece model, normalizers it lacks such as NFKC or
BertNormalizer) it declines with a reason; what it loads is certified by the gate before use.

Fork: its worker threads are not inherited by a forked child; measured with 0.3.5, a child forked
after the parent encoded runs the batch on its calling thread and returns the same ids (no hang, unlike
gigatoken's rayon pool), so no switch is needed here (tests/backends/test_fastokens.py checks it).
"""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Sequence
from typing import Any

import numpy as np

from tokbench.backends.base import ACCELERATORS, Accelerator, FastEncoder
from tokbench.errors import TokbenchError
from tokbench.native import library_errors
from tokbench.tokenizers.base import Tokenizer, flat_chunks


class _FastokensEncoder(FastEncoder):
    """`encode_batch_flat`: ids and offsets as two little-endian buffers, no per-document Python objects
    (0.86-0.96x the time of `encode_batch` + `.ids` lists + flattening, 51k FLORES-200 sentences, falcon,
    deepseek_coder, command_r). Called on FLAT_CHUNK_CHARS of text at a time, like the reference's
    `encode_flat`: one call on all of FLORES-200 dev peaked at 3x the memory of the reference for tekken
    (its copy of the texts and per-document id vectors); each chunk's buffers are dropped once joined."""

    def __init__(self, backend: Any, id_offset: int = 0) -> None:
        self._backend = backend
        self._offset = id_offset

    def _chunk(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        ids_buf, off_buf = self._backend.encode_batch_flat(texts, add_special_tokens=False)
        ids = np.frombuffer(ids_buf, dtype="<u4")  # read-only views of the bytes; joined (copied) below
        offsets = np.frombuffer(off_buf, dtype="<u8")
        if len(offsets) != len(texts) + 1 or int(offsets[-1]) != len(ids):
            raise ValueError(f"fastokens returned {len(offsets)} offsets and {len(ids)} ids for {len(texts)} texts")
        return ids, offsets

    def encode_flat(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        texts = texts if isinstance(texts, list) else list(texts)
        parts = [self._chunk(chunk) for chunk in flat_chunks(texts)]
        n_ids = sum(len(p[0]) for p in parts)
        ids = np.empty(n_ids, dtype=np.uint32)
        offsets = np.empty(len(texts) + 1, dtype=np.int64)
        offsets[0] = 0
        at_id, at_doc = 0, 0
        while parts:  # each chunk's buffers freed as soon as they are copied out
            part_ids, part_off = parts.pop(0)
            ids[at_id : at_id + len(part_ids)] = part_ids
            offsets[at_doc + 1 : at_doc + len(part_off)] = part_off[1:].astype(np.int64) + at_id
            at_id, at_doc = at_id + len(part_ids), at_doc + len(part_off) - 1
        if self._offset:
            ids += np.uint32(self._offset)
        return ids, offsets


class Fastokens(Accelerator):
    name = "fastokens"
    distribution = "fastokens"
    order = 1  # after gigatoken (order 0), which is faster where it loads

    def supports(self, tokenizer: Tokenizer) -> str | None:
        from tokbench.tokenizers.hf import HFTokenizer
        from tokbench.tokenizers.tiktoken_ import TiktokenTokenizer

        if (why := self.installed_and_loads(tokenizer, (HFTokenizer, TiktokenTokenizer))):
            return why
        if tokenizer.algorithm != "bpe":
            return f"fastokens implements BPE only, not {tokenizer.algorithm}"
        return None

    def load(self, tokenizer: Tokenizer) -> FastEncoder | str:
        if (why := self.supports(tokenizer)) is not None:
            return why
        from tokbench.tokenizers.hf import HFTokenizer

        # the library refusing the file, by an exception or a Rust panic (its dump on stderr held back):
        # the reference encodes it
        try:
            with library_errors("fastokens", ""):
                if isinstance(tokenizer, HFTokenizer):
                    return self._from_hf(tokenizer)
                return self._from_tiktoken(tokenizer)
        except TokbenchError as e:
            return f"fastokens cannot load it ({getattr(e, 'reason', str(e))[:160]})"

    def _from_hf(self, tok: Any) -> FastEncoder:
        from fastokens import Tokenizer as FastTokenizer

        # the adapter's own serialization: padding and truncation already off, an added NFC in it
        backend = FastTokenizer.from_json_str(tok.backend.to_str())
        backend.no_padding()
        backend.no_truncation()
        return _FastokensEncoder(backend)

    def _from_tiktoken(self, tok: Any) -> FastEncoder | str:
        from fastokens import Tokenizer as FastTokenizer

        ranks: dict[bytes, int] = tok._ranks
        if len(ranks) != max(ranks.values(), default=-1) + 1:  # p50k_base skips 50256 (gigatoken fills it)
            return "fastokens needs dense ranks (this file skips some)"
        # its loader reads a path: write the ranks tokbench parsed (the file may be gzipped or tekken json);
        # no special tokens, since tokbench encodes ordinary text (tiktoken's encode_ordinary)
        lines = b"".join(base64.b64encode(t) + b" %d\n" % r for t, r in sorted(ranks.items(), key=lambda x: x[1]))
        with tempfile.TemporaryDirectory(prefix="tokbench-fk-") as d:
            path = os.path.join(d, "ranks.tiktoken")
            with open(path, "wb") as f:
                f.write(lines)
            backend = FastTokenizer.from_tiktoken(path, pattern=tok.encoding._pat_str, special_tokens={})
        # tekken: ranks start above its special tokens (the reference adds the same offset)
        return _FastokensEncoder(backend, id_offset=tok._offset)


ACCELERATORS.add("fastokens", Fastokens())
