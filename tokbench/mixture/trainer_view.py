"""The sample as a SentencePiece trainer saw it: its words, the pairs it could merge, its characters.

Byte-level BPE trainers count every adjacent pair inside a pre-tokenized word, so the tokenizer's
own pre-tokenizer is the right word split. SentencePiece's trainer is different (see
`tokbench.tokenizers.spm_words`): it reads one line at a time, splits only at whitespace, and
then refuses every pair whose concatenation is not a valid piece (two scripts, a digit under
split_digits, an unknown character, '▁' inside, longer than 16 characters). `TrainerView.words`
cuts the sample at the boundaries no piece can cross; `TrainerView.pair_ok` masks the remaining
invalid pairs (length, whitespace position) out of the replay's history.

That alone left llama2 at 31% Chinese (1,000 merges): in characters, Chinese bigrams are flat and
weak, so weight on Chinese shrinks every other category's violations at almost no cost. What pins
it is the trainer's character list, appended after the merged pieces in order of training
frequency with the rest unknown (`ranked_chars`, `char_ranks`): a unigram merge list that the LP
uses as rank rows (`lp.RankedCounts`). llama2, 1,000 merges: Chinese 0.2%.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from tokbench.mixture.replay import MergeTable, Replay
from tokbench.tokenizers.spm_words import PieceRules, split_into_words, trainer_segments

WS = " "  # surface form of '▁' in canonical merges and pre-tokenized words
_BYTE_PIECE = re.compile(r"^<0x[0-9A-Fa-f]{2}>$")
# a character enters the rank rows only with this many occurrences in the samples: rank rows compare
# sample frequencies, and for rarer characters Poisson noise and topic (FLORES dev vs devtest are
# different articles) decide the order. Controlled SentencePiece mixtures (eng/zho/tha/jpn + 0-2
# more, 400-500 KB training text), log10 MSE by threshold: 1: -3.41; 50: -4.20; 100: -5.02, -5.62,
# -4.90; 200: -5.16, -5.52, -5.15 (byte-level BPE on the first mixture: -5.57).
RANK_MIN_COUNT = 200


@dataclass
class TrainerView:
    rules: PieceRules
    known: frozenset[str] | None  # characters the trainer kept; None: all
    user_defined: frozenset[str] | None  # pieces matched whole before training: boundaries
    ranked: list[str] | None = None  # kept characters, most frequent in training first

    def words(self, pre_tokenize: Callable[[str], list[bytes]]) -> Callable[[str], list[bytes]]:
        """A document -> trainer words function built on the tokenizer's own normalizer/pre-tokenizer."""
        memo: dict[bytes, list[bytes]] = {}
        known = self.known.__contains__ if self.known is not None else None
        rules = self.rules
        ud_lens = sorted({len(u) for u in self.user_defined or ()}, reverse=True)

        def split_word(w: bytes) -> list[bytes]:
            s = w.decode("utf-8", errors="replace")
            parts = _split_user_defined(s, self.user_defined, ud_lens) if self.user_defined else [s]
            out: list[bytes] = []
            for part in parts:
                for word in split_into_words(part, rules.allow_whitespace_only_pieces,
                                             rules.treat_whitespace_as_suffix, ws=WS):
                    out.extend(seg.encode("utf-8") for seg in trainer_segments(word, rules, known, ws=WS) if seg)
            return out

        def doc_words(doc: str) -> list[bytes]:
            out: list[bytes] = []
            for line in doc.split("\n"):  # the trainer reads lines: a newline is never inside a piece
                if not line.strip():
                    continue
                for w in pre_tokenize(line):
                    got = memo.get(w)
                    if got is None:
                        got = memo[w] = split_word(w)
                    out.extend(got)
            return out

        return doc_words

    def pair_ok(self, table: MergeTable) -> Callable[[np.ndarray], np.ndarray]:
        """Vectorised IsValidSentencePiece on pair keys, for what segmenting cannot express."""
        toks = table.id_to_bytes()
        text = [t.decode("utf-8", errors="replace") for t in toks]
        nch = np.array([len(t) for t in text], np.int64)
        nws = np.array([t.count(WS) for t in text], np.int64)
        first = np.array([bool(t) and t[0] == WS for t in text])
        last = np.array([bool(t) and t[-1] == WS for t in text])
        all_ws = nws == nch
        r = self.rules
        n = table.n_tokens

        def ok(keys: np.ndarray) -> np.ndarray:
            a, b = np.divmod(keys, n)
            good = nch[a] + nch[b] <= r.max_length
            only_ws = all_ws[a] & all_ws[b]
            if r.treat_whitespace_as_suffix:
                ws_good = (nws[a] == 0) & ((nws[b] == 0) | ((nws[b] == 1) & last[b]))
            elif r.split_by_whitespace:
                ws_good = (nws[b] == 0) & ((nws[a] == 0) | ((nws[a] == 1) & first[a]))
            else:  # whitespace may sit inside a piece, not at its end
                ws_good = ~last[b]
            return good & np.where(only_ws, r.allow_whitespace_only_pieces, ws_good)

        return ok


def _split_user_defined(s: str, pieces: frozenset[str], lens: list[int]) -> list[str]:
    """Cut `s` at leftmost-longest matches of user-defined pieces, which are removed."""
    out: list[str] = []
    start = i = 0
    while i < len(s):
        for n in lens:
            if s[i:i + n] in pieces:
                out.append(s[start:i])
                i += n
                start = i
                break
        else:
            i += 1
    out.append(s[start:])
    return [p for p in out if p]


def trainer_view(source: Any) -> TrainerView | None:
    """The trainer view of a character-unit (SentencePiece-family) BPE; None for byte-level ones.

    Rules come from the model's trainer_spec when it has one (`piece_rules`), else are read off
    its pieces (`PieceRules.infer`; e.g. Gemma 3 ships as tokenizer.json). Known characters are
    its single-character pieces (byte-fallback pieces excluded); user-defined pieces are the
    multi-character pieces no merge builds (Gemma's newline and space runs, HTML tags).
    """
    if getattr(source, "symbol_unit", "byte") != "char" or getattr(source, "algorithm", "bpe") != "bpe":
        return None
    merges = getattr(source, "training_merges", source.merges)()
    made = {a + b for a, b in merges}
    rules = getattr(source, "piece_rules", None)
    if rules is None:
        rules = PieceRules.infer((m.decode("utf-8", errors="replace") for m in made), ws=WS)
    known = getattr(source, "trainer_chars", None)
    user: set[str] = set()
    if hasattr(source, "token_bytes") and hasattr(source, "tokens"):
        tb = source.token_bytes()
        names = source.tokens(range(len(tb)))
        chars: set[str] = set()
        for b, nm in zip(tb, names, strict=True):
            if b is None or _BYTE_PIECE.match(nm):
                continue
            try:
                s = b.decode("utf-8").replace("\u2581", WS)  # added tokens keep the library's '▁'
            except UnicodeDecodeError:
                continue
            if len(s) == 1:
                chars.add(s)
            elif s.encode("utf-8") not in made:
                user.add(s)
        if known is None:
            known = frozenset(chars)
    return TrainerView(rules=rules, known=frozenset(known) if known is not None else None,
                       user_defined=frozenset(user) or None,
                       ranked=ranked_chars(source, made))


def char_ranks(view: TrainerView, categories: Sequence[Sequence[str]], dummy_prefix: bool,
               min_count: int = RANK_MIN_COUNT) -> tuple[list[sparse.csr_matrix], int] | None:
    """Per category, a documents x items count matrix for `RankedCounts`, and the number of ranked
    items: the ranked characters in order, then the unknown ones (a model's unknown characters fell
    below its character_coverage: the trainer ranked them below every kept one), each only if seen
    at least `min_count` times in all samples together (see RANK_MIN_COUNT). Newlines are not
    counted (the trainer reads lines); '▁' counts spaces plus one dummy prefix per line when the
    model adds one."""
    if view.ranked is None or view.known is None:
        return None
    per_cat: list[list[Counter[str]]] = []
    total: Counter[str] = Counter()
    for docs in categories:
        rows = []
        for doc in docs:
            if not doc:
                continue
            c = Counter(doc)
            nl = c.pop("\n", 0)
            if dummy_prefix:
                c[WS] += nl + 1 - sum(1 for ln in doc.split("\n") if not ln.strip())
            rows.append(c)
            total.update(c)
        per_cat.append(rows)
    below = sorted(ch for ch, k in total.items() if k >= min_count and ch not in view.known and ch != WS)
    ranked = [ch for ch in view.ranked if total.get(ch, 0) >= min_count]
    col = {ch: j for j, ch in enumerate([*ranked, *below])}
    out = []
    for rows in per_cat:
        r_idx, c_idx, vals = [], [], []
        for d, c in enumerate(rows):
            for ch, k in c.items():
                j = col.get(ch)
                if j is not None:
                    r_idx.append(d)
                    c_idx.append(j)
                    vals.append(k)
        out.append(sparse.csr_matrix((vals, (r_idx, c_idx)), shape=(len(rows), len(col)), dtype=np.int64))
    return out, len(ranked)


def ranked_chars(source: Any, made: set[bytes]) -> list[str] | None:
    """The characters a SentencePiece trainer kept, most frequent first: the contiguous block of
    single-character pieces after every merged piece (Llama 2: ids 29871-31999, Gemma 3:
    236743-255968). None when the vocabulary has no such block (an HF-trained BPE puts its
    alphabet first, in no frequency order)."""
    if not (hasattr(source, "token_bytes") and hasattr(source, "tokens")):
        return None
    tb = source.token_bytes()
    names = source.tokens(range(len(tb)))
    single: list[tuple[int, str]] = []
    merged_ids: list[int] = []
    for i, (b, nm) in enumerate(zip(tb, names, strict=True)):
        if b is None or _BYTE_PIECE.match(nm):
            continue
        if b in made:
            merged_ids.append(i)
        try:
            s = b.decode("utf-8").replace("\u2581", WS)
        except UnicodeDecodeError:
            continue
        if len(s) == 1:
            single.append((i, s))
    best: list[tuple[int, str]] = []
    run: list[tuple[int, str]] = []
    for i, s in single:
        if run and i != run[-1][0] + 1:
            run = []
        run.append((i, s))
        if len(run) > len(best):
            best = list(run)
    # after (nearly) every merged piece: Gemma 3 appends a few whitespace runs after its characters
    if len(best) < 2 or sum(i > best[0][0] for i in merged_ids) > 0.01 * len(merged_ids):
        return None
    return [s for _, s in best]


def filter_replay(rep: Replay, ok: Callable[[np.ndarray], np.ndarray]) -> Replay:
    """Drop the history of pairs the trainer could never merge; N_i counts the valid pairs only."""
    keep = ok(rep.keys)
    t, k, d = rep.times[keep], rep.keys[keep], rep.deltas[keep]
    return Replay(t, k, d, rep.merged, int(d[t == 0].sum()))
