"""The three trainers, all from the `tokenizers` library with one shared setup, and their cache.

Every tokenizer is byte-level (the 256 byte symbols are the base alphabet, so no script meets an
unknown character), unnormalised, and trained with the library's defaults otherwise:

- `bpe`: BpeTrainer on whitespace-bounded pre-tokens (a word with its leading space, or a run of
  whitespace), as in GPT-2 minus its punctuation and digit splits;
- `unigram`: UnigramTrainer on the same pre-tokens;
- `superbpe`: the two-stage curriculum of SuperBPE (Liu et al. 2025): stage 1 is `bpe` up to the
  transition size t = transition x V; stage 2 lifts the whitespace pre-tokenization and learns the
  remaining V - t merges over whole documents, so tokens may span spaces. Stage 2 runs the same
  BpeTrainer on the training text as stage-1 tokens (each mapped to one private-use character), and
  its merges, spelled back in bytes, are appended after stage 1's. Encoding applies all merges by
  rank to each document (no whitespace split): stage-1 merges never contain an inner space, so they
  reproduce stage 1's segmentation of every word, and the superword merges then join words.

A trained tokenizer is cached as `TOKBENCH_CACHE/sweep/<key>/tokenizer.json`, the key hashing the
spec's trainer settings, the training text's sha256, this module's TRAINER_VERSION and the library
version; a cache hit is never retrained. The cache is also what makes a sweep reproducible: the
library's Unigram trainer gives slightly different tokenizers in different processes (seen with one
thread too; reports/sweep/README.md), so re-training would move a few counts by a token or two.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tokbench.datadirs import cache_dir
from tokbench.errors import TokbenchError
from tokbench.io import atomic_write_text
from tokbench.sweep.data import TrainingText
from tokbench.sweep.specs import BYTE_ALPHABET, TrainSpec

TRAINER_VERSION = "1"
PRE_TOKEN = r" ?\S+|\s+"  # whitespace-bounded pre-tokens: a word with its leading space, or a whitespace run
PUA = 0xF0000  # stage-1 token ids as private-use characters for the superword stage (65,534 available)


def _pre_tokenizer(whitespace: bool) -> Any:
    from tokenizers import Regex, pre_tokenizers

    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    if not whitespace:
        return byte_level
    return pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(PRE_TOKEN), behavior="isolated"), byte_level])


def _finish(tok: Any, whitespace: bool) -> Any:
    from tokenizers import decoders

    tok.pre_tokenizer = _pre_tokenizer(whitespace)
    tok.decoder = decoders.ByteLevel()
    return tok


def train_bpe(lines: list[str], vocab_size: int) -> Any:
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = _finish(Tokenizer(models.BPE()), whitespace=True)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)  # fmt: skip
    tok.train_from_iterator(lines, trainer)
    return tok


def train_unigram(lines: list[str], vocab_size: int) -> Any:
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = _finish(Tokenizer(models.Unigram()), whitespace=True)
    trainer = trainers.UnigramTrainer(vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                      show_progress=False)  # fmt: skip
    tok.train_from_iterator(lines, trainer)
    return tok


def _merges(model_json: dict[str, Any]) -> list[tuple[str, str]]:
    """A BPE model's merges as pairs, whichever JSON layout the library version writes."""
    return [tuple(m.split(" ", 1)) if isinstance(m, str) else (m[0], m[1]) for m in model_json["merges"]]


def train_superbpe(lines: list[str], vocab_size: int, transition: float) -> Any:
    """SuperBPE's two stages (module docstring); the result is an ordinary BPE tokenizer.json."""
    from tokenizers import Tokenizer, models, trainers

    if not 0 < transition <= 1:
        raise TokbenchError(f"superword transition must be in (0, 1], got {transition}")
    t = max(BYTE_ALPHABET + 1, round(vocab_size * transition))
    stage1 = train_bpe(lines, t)
    model = json.loads(stage1.to_str())["model"]
    vocab: dict[str, int] = dict(model["vocab"])
    merges = _merges(model)
    if len(vocab) >= vocab_size or len(vocab) > 0xFFFFD - PUA:
        return _build_bpe(vocab, merges)  # stage 1 used the whole budget (or ran out of pairs first)
    surface = {i: s for s, i in vocab.items()}
    docs = ["".join(chr(PUA + i) for i in e.ids) for e in stage1.encode_batch(lines)]
    alphabet = {ch for d in docs for ch in d}
    stage2 = Tokenizer(models.BPE())
    trainer = trainers.BpeTrainer(vocab_size=len(alphabet) + vocab_size - len(vocab), show_progress=False)
    stage2.train_from_iterator(docs, trainer)

    def spell(s: str) -> str:
        return "".join(surface[ord(ch) - PUA] for ch in s)

    for a, b in _merges(json.loads(stage2.to_str())["model"]):
        left, right = spell(a), spell(b)
        merged = left + right
        if merged not in vocab:
            vocab[merged] = len(vocab)
        merges.append((left, right))
    return _build_bpe(vocab, merges)


def _build_bpe(vocab: dict[str, int], merges: list[tuple[str, str]]) -> Any:
    from tokenizers import Tokenizer, models

    return _finish(Tokenizer(models.BPE(vocab=vocab, merges=merges)), whitespace=False)


def train(spec: TrainSpec, lines: list[str]) -> Any:
    if spec.algorithm == "bpe":
        return train_bpe(lines, spec.vocab_size)
    if spec.algorithm == "unigram":
        return train_unigram(lines, spec.vocab_size)
    if spec.algorithm == "superbpe":
        return train_superbpe(lines, spec.vocab_size, spec.transition)
    raise TokbenchError(f"unknown algorithm {spec.algorithm!r}; use bpe, unigram or superbpe")


def cache_key(spec: TrainSpec, text_sha256: str) -> str:
    import tokenizers

    settings = {"algorithm": spec.algorithm, "vocab_size": spec.vocab_size, "transition": spec.transition,
                "text": text_sha256, "trainer": TRAINER_VERSION, "tokenizers": tokenizers.__version__}  # fmt: skip
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Trained:
    """A trained tokenizer on disk with what the provenance needs."""

    spec: TrainSpec
    path: Path
    vocab_size: int  # actual: below spec.vocab_size when the training text ran out of pairs/pieces
    text_sha256: str
    seconds: float  # training time (a cache hit: the time it took when it was trained)
    cached: bool

    @property
    def saturated(self) -> bool:
        return self.vocab_size < self.spec.vocab_size

    def provenance(self) -> dict[str, Any]:
        return {**self.spec.as_dict(), "label": self.spec.label, "actual_vocab_size": self.vocab_size,
                "training_text_sha256": self.text_sha256, "path": str(self.path),
                "train_seconds": round(self.seconds, 3), "saturated": self.saturated}  # fmt: skip


def sweep_cache() -> Path:
    return cache_dir() / "sweep"


def ensure_trained(spec: TrainSpec, text: TrainingText) -> Trained:
    """The cached tokenizer for (spec, text), training it first on a miss. Safe to call from workers."""
    folder = sweep_cache() / cache_key(spec, text.sha256)
    path = folder / "tokenizer.json"
    meta = folder / "meta.json"
    if path.is_file() and meta.is_file():
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
            seconds = float(info.get("train_seconds", 0.0))  # when it was trained, for the provenance
            return Trained(spec, path, int(info["actual_vocab_size"]), text.sha256, seconds, True)
        except (OSError, ValueError, KeyError):
            pass  # a damaged entry is retrained
    t0 = time.perf_counter()
    tok = train(spec, list(text.lines))
    seconds = time.perf_counter() - t0
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, tok.to_str())
    trained = Trained(spec, path, int(tok.get_vocab_size()), text.sha256, seconds, False)
    atomic_write_text(meta, json.dumps({**trained.provenance(), "training_source": text.source,
                                        "training_size": text.size}, indent=1))  # fmt: skip
    return trained
