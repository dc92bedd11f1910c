"""What metrics read: cached encodings and corpus-side counts, memoised per tokenizer x corpus.

`CorpusView` holds corpus-only quantities (texts, unit keys, bytes/chars/words per sentence),
shared across tokenizers. `MetricContext` adds one tokenizer: encodings come only from
`tokbench.encode.encode_texts` (content-addressed cache), and the derived per-sentence token
statistics are computed once with numpy and shared by every metric of the cell.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from tokbench.errors import TokbenchError
from tokbench.metrics.text import Utf8Docs, gather_surface, scan_words, script_of, words_per_doc

EOF_KEY = "<eof>"  # the empty final line of a FLORES file (Petrov protocol)
PETROV_BATCH_BYTES = 4_000_000  # Petrov texts encoded per call (~10 FLORES languages; bounded memory)


def _ws_nonspace_chars(data: np.ndarray) -> int:
    """Non-whitespace code points of a UTF-8 byte array (ASCII whitespace; used for UNK accounting)."""
    lead = (data & 0xC0) != 0x80
    space = (data == 0x20) | ((data >= 0x09) & (data <= 0x0D))
    return int(np.count_nonzero(lead & ~space))


def _forget(enc: Any) -> None:
    """Drop one encoding from tokbench.encode's in-process memo (it stays in the disk cache)."""
    from tokbench.encode import forget

    if (key := getattr(enc, "key", None)) is not None:
        forget(key)


class CorpusView:
    """Corpus-side memo: documents per (split, lang) and their byte/char/word counts."""

    def __init__(self, corpus: Any) -> None:
        self.corpus = corpus
        self.name: str = getattr(corpus, "name", None) or corpus.manifest.name
        self._memo: dict[tuple[Any, ...], Any] = {}

    @property
    def splits(self) -> list[str]:
        return list(self.corpus.splits)

    @property
    def parallel(self) -> bool:
        return bool(getattr(self.corpus.manifest, "parallel", False))

    def languages(self, split: str) -> list[str]:
        return list(self.corpus.languages(split))

    def default_split(self) -> str:
        """`devtest` when the corpus has it (FLORES), else its last split."""
        return "devtest" if "devtest" in self.splits else self.splits[-1]

    def check_split(self, split: str) -> str:
        if split not in self.splits:
            raise TokbenchError(
                f"corpus {self.name!r} has no split {split!r}; "
                f"its splits: {', '.join(self.splits)} (--option split=...)"
            )
        return split

    def docs(self, split: str, lang: str) -> tuple[list[str], list[str]]:
        """(ids, texts) of one split and language in corpus order; ids as strings for alignment
        (a `<lang>/` prefix, as in UDHR's `eng_Latn/3`, is dropped so translations share ids)."""
        texts = list(self.corpus.texts(split, lang))
        return self.doc_ids(split, lang), texts

    def _doc_ids(self, split: str, lang: str) -> list[str]:
        if hasattr(self.corpus, "doc_ids"):
            raw_ids = self.corpus.doc_ids(split, lang)
        else:
            raw_ids = range(len(list(self.corpus.texts(split, lang))))
        prefix = f"{lang}/"
        return [sys.intern(str(i).removeprefix(prefix)) for i in raw_ids]  # shared by the languages

    def _cached(self, key: tuple[Any, ...], fn: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = fn()
        return self._memo[key]

    def doc_ids(self, split: str, lang: str) -> list[str]:
        """The document ids of `docs` (computed once: every metric of every tokenizer asks)."""
        return list(self._cached(("ids", split, lang), lambda: self._doc_ids(split, lang)))

    def texts_sha256(self, split: str, lang: str) -> str:
        """The encode cache's content hash of one split and language's documents (tokbench.cache.texts_sha256),
        computed once for every tokenizer on this corpus."""
        from tokbench.cache import texts_sha256

        return self._cached(("sha", split, lang), lambda: texts_sha256(self.docs(split, lang)[1]))

    def sentence_counts(self, split: str, lang: str) -> dict[str, np.ndarray]:
        """bytes, chars and words per sentence (words by the script's word rule, see metrics.text)."""

        def compute() -> dict[str, np.ndarray]:
            u = Utf8Docs.from_texts(self.docs(split, lang)[1])
            return {"bytes": u.bytes_per_doc(), "chars": u.chars_per_doc(), "words": words_per_doc(u, script_of(lang))}

        return self._cached(("counts", split, lang), compute)

    def joined(self, splits: Sequence[str], lang: str) -> tuple[str, list[str], np.ndarray]:
        """Petrov et al. (2023) text: each split's lines as `file.read().split('\\n')` (so a final ''),
        all joined with single spaces. Returns (text, unit keys, unit start byte offsets); unit i owns
        the separator space before it, so a token such as ' word' falls in the unit it begins."""
        j = self.joined_doc(splits, lang)
        return j.text, j.keys, j.starts

    def joined_doc(self, splits: Sequence[str], lang: str) -> JoinedDoc:
        """`joined` plus what encoding it needs: its UTF-8 length and the encode cache's content hash
        (texts_sha256 of [text]), computed from one UTF-8 encoding of the text and kept with the unit
        layout, so several tokenizers on this corpus encode and hash the text once (the text itself
        is rebuilt on each call: 55 MB over FLORES-200 is not worth holding)."""
        units: list[str] = []
        for split in splits:
            units += [*self.docs(split, lang)[1], ""]
        text = " ".join(units)

        def layout() -> tuple[list[str], np.ndarray, str, int]:
            from tokbench.cache import utf8_sha256

            # interned: every language of a parallel corpus has the same keys (FLORES-200: 38 MB when each had its own)
            keys = [sys.intern(f"{split}:{i}") for split in splits for i in [*self.doc_ids(split, lang), EOF_KEY]]
            data = text.encode("utf-8")
            char_lens = np.fromiter(map(len, units), dtype=np.int64, count=len(units))
            seps = np.zeros(len(units), dtype=np.int64)
            seps[1:] = np.cumsum(char_lens + 1)[:-1] - 1  # character position of the separator before unit i
            if len(data) != len(text):  # non-ASCII: character positions -> byte positions (UTF-8 lead bytes)
                lead = np.flatnonzero((np.frombuffer(data, dtype=np.uint8) & 0xC0) != 0x80)
                seps[1:] = lead[seps[1:]]
            return keys, seps, utf8_sha256([data]), len(data)

        keys, starts, sha, n_bytes = self._cached(("joined", tuple(splits), lang), layout)
        return JoinedDoc(text, keys, starts, sha, n_bytes)


@dataclass(frozen=True)
class JoinedDoc:
    """One language's Petrov text with its unit layout (see CorpusView.joined) and content hash."""

    text: str
    keys: list[str]
    starts: np.ndarray  # byte offset where each unit (with its leading separator) starts
    texts_sha256: str  # tokbench.cache.texts_sha256([text])
    n_bytes: int


@dataclass
class SentenceStats:
    """Everything the sentence-level metrics need from one language's encoding, derived once so the
    ids themselves need not stay in memory (arrays are per sentence unless noted)."""

    tokens: np.ndarray
    types: np.ndarray  # distinct ids used (sorted)
    type_freq: np.ndarray  # their frequencies
    words: np.ndarray  # words on the tokens' surface stream (punctuation split off)
    continued: np.ndarray  # of those, words spanning 2+ tokens
    unk: np.ndarray  # UNK tokens
    unk_chars: float  # share of non-space characters mapped to UNK (whole split)


class MetricContext:
    """One tokenizer on one corpus: cached encodings plus memoised per-language statistics."""

    def __init__(
        self,
        tokenizer: Any,
        view: CorpusView,
        langs: Sequence[str] | None = None,
        encode: Callable[[Any, list[str]], Any] | None = None,
        load_tokenizer: Callable[[str], Any] | None = None,
    ) -> None:
        self.tokenizer = tokenizer
        self.view = view
        self.langs = list(langs) if langs else None
        default_encode = encode is None
        if encode is None:
            from tokbench.encode import encode_texts

            encode = encode_texts
        if load_tokenizer is None:
            from tokbench.tokenizers import load_tokenizer as load_tokenizer
        self._encode = encode
        # the standard encoder can take several languages' texts in one call (tokbench.encode.encode_many);
        # an injected one (tests, spies) is called one text list at a time, as documented
        self._batch_encode: Callable[..., list[Any]] | None = None
        if default_encode:
            from tokbench.encode import encode_many

            self._batch_encode = encode_many
        self._load_tokenizer = load_tokenizer
        self._memo: dict[tuple[Any, ...], Any] = {}
        self._refs: dict[str, MetricContext] = {}

    # -- corpus side -------------------------------------------------------------------------
    def languages(self, split: str) -> list[str]:
        """The corpus languages of `split`, restricted to --langs (unknown ones are an error)."""
        have = self.view.languages(split)
        if not self.langs:
            return have
        missing = [x for x in self.langs if x not in have]
        if missing:
            raise TokbenchError(
                f"corpus {self.view.name!r} split {split!r} has no language {', '.join(missing)}; "
                "see `tokbench list corpora` for its language codes"
            )
        return list(self.langs)

    def split_option(self, opts: dict[str, Any]) -> str:
        s = opts.get("split") or self.view.default_split()
        return self.view.check_split(s)

    # -- encodings (cached) ------------------------------------------------------------------
    def cached(self, key: tuple[Any, ...], fn: Callable[[], Any]) -> Any:
        """fn() computed once per key for this tokenizer x corpus (a metric family's per-language memo,
        shared by the family's metrics of one cell and freed with the context)."""
        if key not in self._memo:
            self._memo[key] = fn()
        return self._memo[key]

    _cached = cached

    def sentence_ids(self, split: str, lang: str) -> tuple[np.ndarray, np.ndarray]:
        """(ids, per-sentence offsets) of one split and language, from the encode cache (no special tokens).
        Not kept here: callers reduce them to what they need (the in-process encode memo is dropped too)."""
        texts = self.view.docs(split, lang)[1]
        if self._batch_encode is None:
            enc = self._encode(self.tokenizer, texts)
        else:
            self._prefetch_sentences(split, lang)
            enc = self._encode(self.tokenizer, texts, key=self._sentence_key(split, lang))
        ids, off = np.asarray(enc.ids), np.asarray(enc.doc_offsets, dtype=np.int64)
        _forget(enc)
        return ids, off

    def _sentence_key(self, split: str, lang: str) -> str:
        from tokbench.cache import cache_key

        return cache_key(self.tokenizer.cache_key, self.view.texts_sha256(split, lang))

    def _prefetch_sentences(self, split: str, lang: str) -> None:
        """When `lang`'s sentences are not encoded yet, encode them together with the next languages of the
        split (not encoded either, up to PETROV_BATCH_BYTES of text) in one encoder call, kept in the encode
        memo for the calls that follow: one language's ~1,000 sentences are too small a batch to give a
        multi-threaded encoder work for every core."""
        from tokbench.encode import is_encoded

        try:
            order = self.languages(split)
        except TokbenchError:
            return
        todo: list[str] = []
        keys: list[str] = []
        size = 0
        for x in order[order.index(lang) :] if lang in order else [lang]:
            if size >= PETROV_BATCH_BYTES:
                break
            if x != lang and ("sent", split, x) in self._memo:
                continue
            key = self._sentence_key(split, x)
            if is_encoded(key):
                if x == lang:
                    return
                continue
            todo.append(x)
            keys.append(key)
            size += sum(map(len, self.view.docs(split, x)[1]))
        if len(todo) > 1:
            assert self._batch_encode is not None
            self._batch_encode(
                self.tokenizer, [self.view.docs(split, x)[1] for x in todo], keys=keys,
                labels=[f"{self.view.name}/{split}/{x}" for x in todo], remember=True,
            )  # fmt: skip

    def sentences(self, split: str, lang: str) -> SentenceStats:
        """Per-sentence encoding of one split (no special tokens), reduced to its statistics."""

        def compute() -> SentenceStats:
            texts = self.view.docs(split, lang)[1]
            ids, off = self.sentence_ids(split, lang)
            freq = np.bincount(ids.astype(np.int64), minlength=self.tokenizer.vocab_size)
            types = np.flatnonzero(freq)
            blob, id_off = self._surface_table
            words, cont = scan_words(ids, off, blob, id_off, script_of(lang), split_punct=True)
            unk_id = self.tokenizer.unk_id
            n = len(off) - 1
            unk = np.zeros(n, dtype=np.int64)
            if unk_id is not None:
                unk = np.bincount(np.searchsorted(off, np.flatnonzero(ids == unk_id), side="right") - 1, minlength=n)
            return SentenceStats(np.diff(off), types, freq[types], words, cont, unk[:n], self._unk_chars(texts, ids))

        return self._cached(("sent", split, lang), compute)

    @cached_property
    def _surface_table(self) -> tuple[np.ndarray, np.ndarray]:
        tb = self.tokenizer.token_bytes()
        unk = self.tokenizer.unk_id
        parts = [b if (b is not None and i != unk) else b"" for i, b in enumerate(tb)]
        if self.tokenizer.algorithm == "wordpiece":  # surfaces lack spaces: a word-initial piece starts a word
            pieces = self.tokenizer.tokens(list(range(len(parts))))
            parts = [p if (not p or s.startswith("##")) else b" " + p for p, s in zip(parts, pieces, strict=True)]
        off = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum([len(p) for p in parts], out=off[1:])
        return np.frombuffer(b"".join(parts), dtype=np.uint8), off

    @cached_property
    def token_lengths(self) -> np.ndarray:
        """Surface byte length per id; 0 for special ids and UNK (it has no surface). WordPiece
        word-initial pieces count a space, standing for the whitespace the pre-tokenizer removed."""
        _, off = self._surface_table
        return np.diff(off)

    def unit_counts(self, protocol: str, splits: Sequence[str], lang: str) -> tuple[list[str], np.ndarray, str]:
        """Token counts per aligned unit under a premium protocol: (unit keys, counts, split label).

        petrov: one joined string per language encoded once; each token is assigned to the unit its
        surface starts in, so the counts sum exactly to the published total and still allow
        resampling sentences. (Positions are scaled by text/surface length, which is exact for
        lossless tokenizers and approximate when the normalizer changes lengths.) Languages are
        encoded several at a time (the next ones in corpus order, up to PETROV_BATCH_BYTES), each
        under its own cache key: one document per call would leave a multi-threaded encoder one core.
        sentence: one encoding per sentence of a single split, summed.
        """
        splits = tuple(splits)
        key = ("units", protocol, splits, lang)
        if key in self._memo:
            return self._memo[key]
        if protocol == "sentence":
            (split,) = splits
            st = self.sentences(split, lang)
            self._memo[("unkchars", protocol, splits, lang)] = st.unk_chars
            self._memo[key] = [f"{split}:{i}" for i in self.view.doc_ids(split, lang)], st.tokens, split
        elif self._batch_encode is not None:
            self._petrov_batch(splits, lang)
        else:
            j = self.view.joined_doc(splits, lang)
            enc = self._encode(self.tokenizer, [j.text])
            ids = np.asarray(enc.ids)
            _forget(enc)  # only the unit counts are kept: no need to hold the ids in memory
            self._petrov_units(splits, lang, j, ids)
        return self._memo[key]

    def _petrov_batch(self, splits: tuple[str, ...], lang: str) -> None:
        """Encode `lang` and the next languages of the protocol (present in every split, not done yet)
        in one call, and keep only their unit counts."""
        from tokbench.cache import cache_key

        order = [x for x in self.view.languages(splits[0]) if not self.langs or x in self.langs]
        for s in splits[1:]:
            have = set(self.view.languages(s))
            order = [x for x in order if x in have]
        todo, docs = [lang], [self.view.joined_doc(splits, lang)]
        size = docs[0].n_bytes
        if lang in order:
            for x in order[order.index(lang) + 1 :]:
                if size >= PETROV_BATCH_BYTES:
                    break
                if ("units", "petrov", splits, x) not in self._memo:
                    todo.append(x)
                    docs.append(self.view.joined_doc(splits, x))
                    size += docs[-1].n_bytes
        assert self._batch_encode is not None
        encs = self._batch_encode(
            self.tokenizer, [[j.text] for j in docs],
            keys=[cache_key(self.tokenizer.cache_key, j.texts_sha256) for j in docs],
            labels=[f"{self.view.name}/{'+'.join(splits)}/{x}" for x in todo],
        )  # fmt: skip
        for x, j, enc in zip(todo, docs, encs, strict=True):
            self._petrov_units(splits, x, j, np.asarray(enc.ids))
        del docs, encs

    def _petrov_units(self, splits: tuple[str, ...], lang: str, j: JoinedDoc, ids: np.ndarray) -> None:
        self._memo[("unkchars", "petrov", splits, lang)] = self._unk_chars([j.text], ids)
        lens = self.token_lengths[ids]
        tok_start = np.cumsum(lens, dtype=np.int64) - lens
        surface_total = int(tok_start[-1] + lens[-1]) if len(lens) else 0
        if surface_total and surface_total != j.n_bytes:
            tok_start = (tok_start * (j.n_bytes / surface_total)).astype(np.int64)
        # tokens starting in [starts[i], starts[i+1]): search the few unit starts among the many tokens
        bounds = np.searchsorted(tok_start, j.starts, side="left")
        counts = np.diff(bounds, append=len(tok_start)).astype(np.int64)
        self._memo[("units", "petrov", splits, lang)] = j.keys, counts, "+".join(splits)

    def unk_char_fraction(self, protocol: str, splits: Sequence[str], lang: str) -> float:
        """Share of the (normalized) text's non-space characters that the tokenizer maps to UNK.

        Computed from the cached encoding, without re-encoding: characters of the normalized text minus
        characters in the surfaces of the non-UNK tokens. 0 for lossless tokenizers (no UNK id)."""
        self.unit_counts(protocol, splits, lang)  # computes it from the same ids
        return self._memo[("unkchars", protocol, tuple(splits), lang)]

    def _unk_chars(self, texts: list[str], ids: np.ndarray) -> float:
        """Non-space characters of the normalized text minus those on the non-UNK tokens' surfaces, over
        the former. Whatever the algorithm, what an UNK id stands for is the text no other token covers: a
        WordPiece [UNK] a whole word, a SentencePiece <unk> a run of unknown characters."""
        unk = self.tokenizer.unk_id
        if unk is None or not np.any(ids == unk):
            return 0.0
        norm = "\n".join(self.tokenizer.normalize(t) for t in texts)
        if self.tokenizer.symbol_unit == "char":
            # SentencePiece-style normalizers write every space as '▁' (U+2581), which is no ASCII space,
            # while the token surfaces have it back as ' ': counted as text it made each word boundary look
            # like an UNK character (xlm_roberta had 37 FLORES languages over the 10% screen; 32 of them,
            # at 13-27%, have a true share of 0-9%)
            norm = norm.replace("\u2581", " ")
        total = _ws_nonspace_chars(np.frombuffer(norm.encode("utf-8"), dtype=np.uint8))
        blob, off = self._surface_table
        surface, _ = gather_surface(ids, blob, off)
        known = _ws_nonspace_chars(surface)
        return max(0.0, (total - known) / total) if total else 0.0

    def continued_words(self, split: str, lang: str) -> tuple[np.ndarray, np.ndarray]:
        """(words, words split into 2+ tokens) per sentence, measured in context on the tokens' surface
        stream: a word's token count is the number of tokens its bytes span."""
        st = self.sentences(split, lang)
        return st.words, st.continued

    def type_counts(self, split: str, lang: str) -> tuple[np.ndarray, np.ndarray]:
        """(distinct ids, their frequencies) over the split, from np.bincount over the cached ids."""
        st = self.sentences(split, lang)
        return st.types, st.type_freq

    def release_references(self) -> bool:
        """Forget the reference contexts (and their tokenizers, if nothing else holds them): NSL's reference
        costs ~180 MB (cl100k_base with its encoder) that no later cell of the run needs. True if any."""
        had = bool(self._refs)
        self._refs.clear()
        if had and hasattr(self._load_tokenizer, "cache_clear"):  # the loader's lru_cache holds them too
            self._load_tokenizer.cache_clear()
        return had

    def reference(self, name: str) -> MetricContext:
        """The same corpus under another tokenizer (e.g. NSL's reference), sharing the corpus memo."""
        if name not in self._refs:
            if name in (self.tokenizer.name, getattr(self.tokenizer, "sha256", None)):
                self._refs[name] = self
            else:
                encode = None if self._batch_encode is not None else self._encode  # None: the standard one
                self._refs[name] = MetricContext(
                    self._load_tokenizer(name), self.view, self.langs, encode, self._load_tokenizer
                )
        return self._refs[name]
