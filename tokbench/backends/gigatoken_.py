"""gigatoken (PyPI `gigatoken`, Rust): byte-level BPE, tiktoken ranks and SentencePiece BPE with
byte fallback, loaded from the bytes tokbench already read, never from a hub.

What it cannot load (WordPiece, Unigram, tekken's id offset, SentencePiece without byte fallback)
it declines with a reason, and the reference adapter encodes. Whether what it loads is exact is
not assumed: the gate certifies each file before using it.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from tokbench.backends.base import ACCELERATORS, Accelerator, FastEncoder
from tokbench.errors import TokbenchError
from tokbench.native import library_errors
from tokbench.tokenizers.base import Tokenizer, native_copies

# gigatoken's rayon pool is process-global: a child forked after the parent used it has a pool with
# no threads, and work sent to it never returns. Such a child encodes on its own thread instead.
_pool_used = False
_pool_inherited = False


def _after_fork_in_child() -> None:
    global _pool_inherited
    _pool_inherited = _pool_inherited or _pool_used


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


@lru_cache(maxsize=1)
def _tiktoken_schemes() -> dict[str, str]:
    """tiktoken pre-tokenizer regex -> gigatoken's name for the same scheme, read from tiktoken's own
    encoding constructors (so a changed regex is not silently mapped)."""
    from tokbench.tokenizers.tiktoken_ import encoding_spec

    # not tiktoken's "gpt2" constructor: it downloads its vocabulary (r50k_base has the same regex)
    names = {"r50k_base": "gpt2", "p50k_base": "gpt2", "cl100k_base": "gpt4", "o200k_base": "o200k"}
    return {encoding_spec(enc, {})["pat_str"]: scheme for enc, scheme in names.items()}


class _GigatokenEncoder(FastEncoder):
    def __init__(self, backend: Any) -> None:
        self._backend = backend

    def encode_flat(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        return self.encode_own(native_copies(texts))  # one call for all of them: its threads share the batch

    def encode_own(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """encode_flat of texts nobody else holds (made for this call), so not copied again (native_copies)."""
        global _pool_used
        if not texts:
            return np.zeros(0, dtype=np.uint32), np.zeros(1, dtype=np.int64)
        parallel = not _pool_inherited
        arr = self._backend.encode_batch(texts, parallel=parallel)
        _pool_used = _pool_used or parallel
        layout = arr.layout  # ListOffsetArray: offsets + flat content, no per-document Python objects
        offsets = np.asarray(layout.offsets, dtype=np.int64)
        ids = np.asarray(layout.content.data, dtype=np.uint32)
        if offsets[0] != 0:  # a sliced layout; never seen from encode_batch, but cheap to normalise
            ids, offsets = ids[offsets[0] : offsets[-1]], offsets - offsets[0]
        return np.ascontiguousarray(ids[: offsets[-1]]), offsets


def _dense(ranks: dict[bytes, int]) -> dict[bytes, int] | None:
    """`ranks` with each missing rank below the largest (p50k_base: 50256, its <|endoftext|>) given a two-byte
    placeholder, a letter then a digit, not in the vocabulary. The GPT-2 family's pre-tokenizers never put a
    letter and a digit in one piece, and BPE merges only inside a piece, so the placeholder is never produced
    and the ids stay the file's (the certification checks this like everything else). None: no placeholder."""
    have = set(ranks.values())
    gaps = [r for r in range(max(have, default=-1) + 1) if r not in have]
    if not gaps:
        return ranks
    out = dict(ranks)
    free = (c for c in (bytes([x, y]) for x in b"qxzjkvwy" for y in b"0123456789") if c not in out)
    for r in gaps:
        filler = next(free, None)
        if filler is None:
            return None
        out[filler] = r
    return out


class _PreNormalized(FastEncoder):
    """An encoder fed text already normalized by the reference library's normalizer."""

    def __init__(self, inner: _GigatokenEncoder, normalize: Any) -> None:
        self._inner = inner
        self._normalize = normalize

    def encode_flat(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        # the normalizer's outputs are new strings: only its inputs need copies
        return self._inner.encode_own([self._normalize(t) for t in native_copies(texts)])


class Gigatoken(Accelerator):
    name = "gigatoken"
    distribution = "gigatoken"

    def supports(self, tokenizer: Tokenizer) -> str | None:
        from tokbench.tokenizers.hf import HFTokenizer
        from tokbench.tokenizers.spm import SentencePieceTokenizer
        from tokbench.tokenizers.tiktoken_ import TiktokenTokenizer

        if (why := self.installed_and_loads(tokenizer, (HFTokenizer, SentencePieceTokenizer, TiktokenTokenizer))):
            return why
        if tokenizer.algorithm != "bpe":
            return f"gigatoken does not implement {tokenizer.algorithm}"
        if isinstance(tokenizer, TiktokenTokenizer) and tokenizer._offset:
            return "gigatoken has no id offset (tekken keeps its special tokens below the ranks)"
        return None

    def load(self, tokenizer: Tokenizer) -> FastEncoder | str:
        if (why := self.supports(tokenizer)) is not None:
            return why
        from tokbench.tokenizers.hf import HFTokenizer
        from tokbench.tokenizers.spm import SentencePieceTokenizer
        from tokbench.tokenizers.tiktoken_ import TiktokenTokenizer

        # the library refusing the file, by an exception or a Rust panic (whose dump on stderr is held back):
        # the reference encodes it
        try:
            with library_errors("gigatoken", ""):
                if isinstance(tokenizer, HFTokenizer):
                    return self._from_hf(tokenizer)
                if isinstance(tokenizer, TiktokenTokenizer):
                    return self._from_tiktoken(tokenizer)
                if isinstance(tokenizer, SentencePieceTokenizer):
                    return self._from_sentencepiece(tokenizer)
        except TokbenchError as e:
            return f"gigatoken cannot load it ({getattr(e, 'reason', str(e))[:160]})"
        return f"gigatoken has no loader for {type(tokenizer).__name__}"

    def _from_hf(self, tok: Any) -> FastEncoder | str:
        from gigatoken.gigatoken_rs import load_hf_json

        # the adapter's own serialization: padding and truncation already off, an added NFC in it
        text = tok.backend.to_str()
        try:
            return _GigatokenEncoder(load_hf_json(text))
        except Exception as e:
            doc = json.loads(text)
            if "normalizer" not in str(e).lower() or not doc.get("normalizer") or tok.backend.normalizer is None:
                raise
        # a normalizer gigatoken lacks (claude_legacy's NFKC): the reference library's own normalizer object
        # normalizes each text first and gigatoken runs the rest of the pipeline (certified like any other)
        doc["normalizer"] = None
        return _PreNormalized(_GigatokenEncoder(load_hf_json(json.dumps(doc, ensure_ascii=False))),
                              tok.backend.normalizer.normalize_str)

    def _from_tiktoken(self, tok: Any) -> FastEncoder | str:
        scheme = _tiktoken_schemes().get(tok.encoding._pat_str)
        if scheme is None:
            return "gigatoken has no pre-tokenizer scheme for this tiktoken regex"
        from gigatoken.gigatoken_rs import BPETokenizer

        # its loader reads a path: write the ranks tokbench parsed (the file may be gzipped); no
        # special tokens, since tokbench encodes ordinary text (tiktoken's encode_ordinary)
        ranks = _dense(tok._ranks)
        if ranks is None:
            return "gigatoken needs dense ranks and no unreachable placeholder fills this file's gaps"
        lines = b"".join(base64.b64encode(t) + b" %d\n" % r for t, r in sorted(ranks.items(), key=lambda x: x[1]))
        with tempfile.TemporaryDirectory(prefix="tokbench-gt-") as d:
            path = os.path.join(d, "ranks.tiktoken")
            with open(path, "wb") as f:
                f.write(lines)
            backend = BPETokenizer.from_tiktoken(path, scheme, {})
        return _GigatokenEncoder(backend)

    def _from_sentencepiece(self, tok: Any) -> FastEncoder | str:
        from gigatoken._load.sentencepiece import sentencepiece_to_tokenizer_json
        from gigatoken.gigatoken_rs import load_hf_json

        proto = tok._proto
        kinds = (proto.SentencePiece.CONTROL, proto.SentencePiece.UNKNOWN)
        control = {p.piece for p in proto.pieces if p.type in kinds}
        doc = json.loads(sentencepiece_to_tokenizer_json(tok.processor.serialized_model_proto()))
        # sentencepiece never matches a control piece (<s>, </s>) in text, nor merges into one or into
        # <unk>; gigatoken's conversion lists them as added tokens, which would match '<s>' in a text
        doc["added_tokens"] = [t for t in doc["added_tokens"] if t["content"] not in control]
        doc["model"]["merges"] = [m for m in doc["model"]["merges"] if m[0] + m[1] not in control]
        return _GigatokenEncoder(load_hf_json(json.dumps(doc, ensure_ascii=False)))


ACCELERATORS.add("gigatoken", Gigatoken())
