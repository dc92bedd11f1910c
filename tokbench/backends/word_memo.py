"""word_memo: an exact WordPiece path built from the reference library's own pieces, each word encoded once.

No PyPI library encodes bert's WordPiece exactly (tokie 0.1.4 differs on 761 code points; gigatoken,
fastokens and snaptokens refuse it), and the reference `encode_batch` spends most of its time outside the
model: on FLORES-200 dev (203,388 sentences) bert_base_uncased costs 16.9 CPU s in `encode_batch`, but its
WordPiece model on the 890k *distinct* words costs 2 s. The rest is per-text alignment tracking in
normalization and pre-tokenization, and the Encoding objects.

This path keeps the library as the definition of every step and only avoids repeating work:
- Normalization. BertNormalizer (clean text, CJK spacing, NFD + removing marks, lowercasing char by char)
  and Lowercase/NFD/StripAccents map each character independently, so the library's normalizer is run
  once per distinct character and applied with `str.translate`. The one context effect, NFD's canonical
  reordering of adjacent combining marks, cannot be replayed per character: a text where two marks that
  survive normalization end up adjacent goes to the reference.
- Pre-tokenization. BertPreTokenizer and WhitespaceSplit split on whitespace and isolate punctuation, a
  property of each character alone; the library's pre-tokenizer classifies each distinct normalized
  character (between two letters: removed, isolated or kept), folded into the same translate table
  (whitespace becomes ' ', punctuation ' p '), so `str.split()` gives the words (a character Python
  splits on but the pre-tokenizer does not sends its text to the reference).
- The model. `model.tokenize` of the library's own WordPiece on each distinct word, memoized (ids as bytes).
- Added tokens ([CLS], [MASK], ...) are matched by the library before normalization: a text in which any
  added token's content appears (raw or normalized) goes to the reference.

Whatever the argument above, it is not trusted: like any accelerator it is used for a tokenizer file only
after the gate certified it against the reference on that file, and it is spot-checked on every corpus.
"""

from __future__ import annotations

import json
import re
import unicodedata
from array import array
from collections.abc import Sequence
from typing import Any

import numpy as np

from tokbench.backends.base import ACCELERATORS, Accelerator, FastEncoder, installed_version
from tokbench.tokenizers.base import Tokenizer, flat_chunks

REVISION = 1  # bump on any change to this module: it is part of the version every certificate records
_CHAR_LOCAL_NORMALIZERS = frozenset({"BertNormalizer", "Lowercase", "NFD", "StripAccents"})
_WORD_PRE_TOKENIZERS = frozenset({"BertPreTokenizer", "WhitespaceSplit"})
MEMO_WORDS = 1_000_000  # distinct words kept (bytes of ids); ~120 MB at most, cleared when full


def _component_types(component: Any, key: str) -> list[str]:
    """The type names of a normalizer or pre-tokenizer, a Sequence flattened."""
    if component is None:
        return []
    node = json.loads(component.__getstate__())
    if node.get("type") == "Sequence":
        return [str(c.get("type")) for c in node.get(key, [])]
    return [str(node.get("type"))]


class _WordMemoEncoder(FastEncoder):
    def __init__(self, rust: Any) -> None:
        self._rust = rust
        self._normalize = rust.normalizer.normalize_str if rust.normalizer is not None else (lambda s: s)
        self._pre = rust.pre_tokenizer
        self._model = rust.model
        self._table: dict[int, str] = {}  # character -> its normalized, pre-tokenizer-spaced form
        self._word_class: dict[str, str] = {}  # normalized character -> its replacement for split(' ')
        self._marks: set[str] = set()  # normalized characters with a canonical combining class
        self._unsafe: set[str] = set()  # characters the pre-tokenizer treats in a way not foreseen: reference
        self._guard: re.Pattern[str] | None = None
        self._memo: dict[str, bytes] = {}
        added = [t.content for t in rust.get_added_tokens_decoder().values() if t.content]
        self._added_raw = re.compile("|".join(map(re.escape, sorted(added, key=len, reverse=True)))) if added else None
        self._added = added
        self._learn(set("".join(added)))

    def _classify(self, ch: str) -> str:
        """What the pre-tokenizer does to one normalized character between two letters."""
        if (got := self._word_class.get(ch)) is not None:
            return got
        words = [w for w, _ in self._pre.pre_tokenize_str(f"a{ch}a")] if self._pre is not None else [f"a{ch}a"]
        if words == [f"a{ch}a"]:
            got = ch
        elif words == ["a", "a"]:
            got = " "
        elif words == ["a", ch, "a"]:
            got = f" {ch} "
        else:
            self._unsafe.add(ch)
            got = ch
        if got != " " and ch.isspace():  # str.split() would split where the pre-tokenizer does not
            self._unsafe.add(ch)
        self._word_class[ch] = got
        return got

    def _learn(self, chars: set[str]) -> None:
        """Table entries for characters not seen before; the guard patterns rebuilt when they change."""
        new = [c for c in chars if ord(c) not in self._table]
        if not new:
            return
        for c in new:
            normalized = self._normalize(c)
            for x in normalized:
                if unicodedata.combining(x):
                    self._marks.add(x)
            self._table[ord(c)] = "".join(self._classify(x) for x in normalized)
        # texts to hand to the reference: two combining marks adjacent after normalization (NFD would
        # reorder them), a character the pre-tokenizer does not treat as expected
        alts = []
        if self._marks:
            marks = "".join(re.escape(m) for m in sorted(self._marks))
            alts.append(f"[{marks}][{marks}]")
        if self._unsafe:
            alts.append("[" + "".join(re.escape(u) for u in sorted(self._unsafe)) + "]")
        if self._added:
            alts.extend(re.escape(a.translate(self._table)) for a in self._added if a)
        self._guard = re.compile("|".join(alts)) if alts else None

    def _word_ids(self, word: str) -> bytes:
        got = self._memo.get(word)
        if got is None:
            if len(self._memo) >= MEMO_WORDS:
                self._memo.clear()
            got = self._memo[word] = array("I", [t.id for t in self._model.tokenize(word)]).tobytes()
        return got

    def _reference(self, text: str) -> bytes:
        return array("I", self._rust.encode(text, add_special_tokens=False).ids).tobytes()

    def _chunk(self, texts: list[str], pieces: list[bytes], ends: list[int]) -> None:
        """Each text's ids as byte strings appended to `pieces`; `ends` gets the piece count after each."""
        self._learn(set("".join(texts)))
        table, guard, added_raw, memo, word_ids = self._table, self._guard, self._added_raw, self._memo, self._word_ids
        for t in texts:
            s = t.translate(table)
            if (added_raw is not None and added_raw.search(t)) or (guard is not None and guard.search(s)):
                pieces.append(self._reference(t))
            else:
                words = s.split()  # every character Python splits on is whitespace to the pre-tokenizer too
                got = list(map(memo.get, words))
                if None in got:
                    got = [g if g is not None else word_ids(w) for g, w in zip(got, words, strict=True)]
                pieces.extend(got)
            ends.append(len(pieces))

    def encode_flat(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        texts = texts if isinstance(texts, list) else list(texts)
        pieces: list[bytes] = []
        ends: list[int] = []
        for chunk in flat_chunks(texts):
            self._chunk(chunk, pieces, ends)
        counts = np.zeros(len(pieces) + 1, dtype=np.int64)
        counts[1:] = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces)) // 4
        per_piece = np.cumsum(counts)
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        offsets[1:] = per_piece[np.asarray(ends, dtype=np.int64)]
        return np.frombuffer(b"".join(pieces), dtype=np.uint32).copy(), offsets


class WordMemo(Accelerator):
    name = "word_memo"
    distribution = "tokenizers"  # it runs the reference library's own normalizer, pre-tokenizer and model
    order = 2  # only WordPiece files qualify; byte-level BPE goes to gigatoken / fastokens

    @property
    def version(self) -> str | None:
        """The library's version and this module's revision: a change to either voids the certificates."""
        library = installed_version(self.distribution)
        return None if library is None else f"{library}+word_memo.{REVISION}"

    def supports(self, tokenizer: Tokenizer) -> str | None:
        from tokbench.tokenizers.hf import HFTokenizer

        if (why := self.installed_and_loads(tokenizer, (HFTokenizer,))):
            return why
        if tokenizer.algorithm != "wordpiece":
            return f"word_memo is for WordPiece only, not {tokenizer.algorithm}"
        rust = tokenizer.backend  # type: ignore[attr-defined]
        norms = _component_types(rust.normalizer, "normalizers")
        if bad := [n for n in norms if n not in _CHAR_LOCAL_NORMALIZERS]:
            return f"word_memo needs a normalizer that maps each character alone, not {'+'.join(bad)}"
        pres = _component_types(rust.pre_tokenizer, "pretokenizers")
        if len(pres) != 1 or pres[0] not in _WORD_PRE_TOKENIZERS:
            return f"word_memo needs a whitespace/punctuation pre-tokenizer, not {'+'.join(pres) or 'none'}"
        return None

    def load(self, tokenizer: Tokenizer) -> FastEncoder | str:
        if (why := self.supports(tokenizer)) is not None:
            return why
        return _WordMemoEncoder(tokenizer.backend)  # type: ignore[attr-defined]


ACCELERATORS.add("word_memo", WordMemo())
