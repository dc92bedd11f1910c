"""SentencePiece `.model` adapter (BPE and unigram), read with the sentencepiece library itself."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from functools import cached_property

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as model_pb2

from tokbench.errors import TokbenchError
from tokbench.tokenizers.base import Algorithm, Tokenizer, id_list, native_copy
from tokbench.tokenizers.merges import Merge, derive_merges, split_chars
from tokbench.tokenizers.spm_words import PieceRules, split_into_words

_BYTE = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")
_MODEL_TYPES: dict[int, Algorithm] = {1: "unigram", 2: "bpe"}


class SentencePieceTokenizer(Tokenizer):
    symbol_unit = "char"

    def __init__(self, data: bytes, name: str, sha256: str, where: str = "") -> None:
        proto = model_pb2.ModelProto()
        try:
            proto.ParseFromString(data)
            sp = spm.SentencePieceProcessor(model_proto=data)
        except Exception as e:
            raise TokbenchError(
                f"cannot read {where or name}: not a valid SentencePiece .model ({str(e).splitlines()[0]})"
            ) from None
        if not proto.pieces:
            raise TokbenchError(f"cannot read {where or name}: SentencePiece model has no pieces")
        mtype = proto.trainer_spec.model_type
        if mtype not in _MODEL_TYPES:
            raise TokbenchError(f"{where or name}: SentencePiece model type {mtype} (word/char) is not supported")
        self._sp = sp
        self._proto = proto
        self.name = name
        self.sha256 = sha256
        self.algorithm = _MODEL_TYPES[mtype]
        n = sp.get_piece_size()
        self.special_ids = frozenset(i for i in range(n) if sp.is_control(i))
        self.unk_id = sp.unk_id()
        self._threads = os.cpu_count() or 1

    @property
    def processor(self) -> spm.SentencePieceProcessor:
        return self._sp

    @property
    def vocab_size(self) -> int:
        return self._sp.get_piece_size()

    def encode_batch(self, texts: Sequence[str], add_special_tokens: bool = False) -> list[list[int]]:
        return self._sp.encode(list(texts), add_bos=add_special_tokens, add_eos=False, num_threads=self._threads)

    def encode_with_offsets(self, texts: Sequence[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        protos = self._sp.encode(list(texts), return_type="proto", num_threads=self._threads)
        return [([p.id for p in sp.pieces], [(p.begin, p.end) for p in sp.pieces]) for sp in protos]

    def tokens(self, ids: Sequence[int]) -> list[str]:
        return [self._sp.id_to_piece(int(i)) for i in ids]

    def decode(self, ids: Sequence[int]) -> str:
        return self._sp.decode(id_list(ids))

    def decode_batch(self, batch: Sequence[Sequence[int]]) -> list[str]:
        return self._sp.decode([id_list(ids) for ids in batch], num_threads=self._threads)

    def documented_normalization(self) -> tuple[str, Callable[[str], str] | None]:
        """The model's normalizer_spec (its rule, e.g. nmt_nfkc, and remove_extra_whitespaces) without the
        dummy prefix and '▁' escaping that decoding undoes, applied by sentencepiece itself."""
        return self._documented_normalization

    @cached_property
    def _documented_normalization(self) -> tuple[str, Callable[[str], str] | None]:
        # built once per tokenizer: loading a second processor from a 250k-piece proto takes seconds, and the
        # round-trip metrics ask once per language (xlm_roberta on UDHR: 453 loads, 15 minutes)
        spec = self._proto.normalizer_spec
        rule = spec.name or "custom"
        if rule == "identity" and not spec.remove_extra_whitespaces and not spec.precompiled_charsmap:
            return "", None
        proto = model_pb2.ModelProto()
        proto.CopyFrom(self._proto)
        proto.normalizer_spec.add_dummy_prefix = False
        proto.normalizer_spec.escape_whitespaces = False
        sp = spm.SentencePieceProcessor(model_proto=proto.SerializeToString())
        label = "sentencepiece " + rule + ("+remove_extra_whitespaces" if spec.remove_extra_whitespaces else "")
        return label, sp.normalize

    def _token_bytes(self) -> list[bytes | None]:
        out: list[bytes | None] = []
        for i in range(self.vocab_size):
            if self._sp.is_control(i) or self._sp.is_unknown(i):
                out.append(None)
            elif self._sp.is_byte(i) and (m := _BYTE.match(self._sp.id_to_piece(i))):
                out.append(bytes([int(m.group(1), 16)]))
            else:
                out.append(self._sp.id_to_piece(i).replace("\u2581", " ").encode("utf-8"))
        return out

    def normalize(self, text: str) -> str:
        return self._sp.normalize(native_copy(text))

    def pre_tokenize(self, text: str) -> list[bytes]:
        ts = self._proto.trainer_spec
        words = split_into_words(self.normalize(text), ts.allow_whitespace_only_pieces, ts.treat_whitespace_as_suffix)
        return [w.replace("\u2581", " ").encode("utf-8") for w in words]

    @cached_property
    def piece_rules(self) -> PieceRules:
        """Which pieces this model's trainer could create (its trainer_spec); the mixture LP uses it."""
        return PieceRules.from_trainer_spec(self._proto.trainer_spec)

    @cached_property
    def trainer_chars(self) -> frozenset[str]:
        """Characters the trainer kept (single-character pieces). Others fell below
        character_coverage: unknown in training (never in a pair), byte-fallback when encoding."""
        kinds = (model_pb2.ModelProto.SentencePiece.NORMAL, model_pb2.ModelProto.SentencePiece.USER_DEFINED)
        return frozenset(p.piece.replace("\u2581", " ") for p in self._proto.pieces
                         if p.type in kinds and len(p.piece) == 1)

    def _derive(self, by_score: bool) -> list[Merge]:
        normal = model_pb2.ModelProto.SentencePiece.NORMAL
        pieces = [(p.piece.replace("\u2581", " ").encode("utf-8"), p.score, i)
                  for i, p in enumerate(self._proto.pieces) if p.type == normal]
        if by_score:  # what encoding applies: highest score first, ties by id, as sentencepiece does
            pieces.sort(key=lambda x: (-x[1], x[2]))
        return derive_merges(((tok, r) for r, (tok, _, _) in enumerate(pieces)), split_chars)

    @cached_property
    def _merges(self) -> list[Merge]:
        """One merge per piece, derived by BPE-encoding each piece with higher-scored pieces only."""
        return self._derive(by_score=True)

    @cached_property
    def _training_merges(self) -> list[Merge]:
        return self._derive(by_score=False)

    def training_merges(self) -> list[Merge]:
        """The merges in the order the trainer made them, for mixture inference: id order.

        The trainer appends each new piece and scores it -(its index), so ids and scores agree
        unless the scores were edited afterwards. Llama 2 and Mistral did that for whitespace runs
        (ids 259, 268, 308, ... scored -1e9): `merges()` (score order, what encoding applies) puts
        '▁▁', Llama 2's first merge, behind all 29,596 others.
        """
        if self.algorithm != "bpe":
            return super().merges()
        return self._training_merges

    def merges(self) -> list[Merge]:
        if self.algorithm != "bpe":
            return super().merges()
        return self._merges


def train_bpe(
    texts: Sequence[str], vocab_size: int, name: str = "spm-bpe", **options: object
) -> SentencePieceTokenizer:
    """Train a SentencePiece BPE model in memory (the library's own trainer; Llama-2-style defaults:
    byte fallback, split digits, whitespace-only pieces), for controlled mixture experiments."""
    import hashlib
    import io

    spec: dict[str, object] = {
        "model_type": "bpe", "vocab_size": vocab_size, "byte_fallback": True, "split_digits": True,
        "allow_whitespace_only_pieces": True, "normalization_rule_name": "identity",
        "remove_extra_whitespaces": False, "character_coverage": 0.9995, "max_sentence_length": 1 << 16,
        "num_threads": 2, "minloglevel": 2, **options,
    }
    buf = io.BytesIO()
    try:
        lines = [ln for t in texts for ln in t.split("\n") if ln.strip()]  # the trainer reads lines
        spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=buf, **spec)
    except RuntimeError as e:
        raise TokbenchError(f"sentencepiece training failed: {str(e).splitlines()[0]}") from None
    data = buf.getvalue()
    return SentencePieceTokenizer(data, name, hashlib.sha256(data).hexdigest())
