"""`tokbench check`: a sanity gate to run on a tokenizer before spending a day training with it.

Each check looks for one way a tokenizer silently misbehaves in a pipeline (it loses text, it emits ids that
are not text, user text can inject control tokens, its file pads or truncates, canonically equal text gets
different tokens, tokens span words, digits are cut irregularly) and returns pass / warn / fail with one line
and details for --json. Everything is computed from the tokenizer and the vendored UDHR; no network.
"""

from __future__ import annotations

import codecs
import json
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from tokbench.errors import TokbenchError
from tokbench.io import read_bytes

Status = Literal["pass", "warn", "fail"]
CHECK_VERSION = 3  # bump when a check's verdict or line changes: cached verdicts of another version are redone
EXIT = {"pass": 0, "warn": 1, "fail": 2}
UDHR = "udhr"
UDHR_SPLIT = "articles"
EXAMPLES = 5


@dataclass
class CheckResult:
    name: str
    status: Status
    line: str
    details: dict[str, Any] = field(default_factory=dict)


def _short(s: str, n: int = 40) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _first_difference(a: str, b: str, ctx: int = 12) -> str:
    """`…text…` -> `…decode…` around the first differing code point."""
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    lo = max(0, i - ctx)
    return f"{a[lo:i + ctx]!r} -> {b[lo:i + ctx]!r}"


def _udhr() -> list[tuple[str, list[str]]]:
    """(language, texts) of the vendored UDHR, every language (all scripts it has)."""
    from tokbench.corpora import load_corpus

    corpus = load_corpus(UDHR)
    return [(lang, list(corpus.texts(UDHR_SPLIT, lang))) for lang in corpus.languages(UDHR_SPLIT)]


# -- checks ---------------------------------------------------------------------------------------------------
def _encode(tok: Any, texts: list[str], label: str) -> tuple[np.ndarray, np.ndarray]:
    """(ids, offsets) of texts through the verification gate: a certified accelerator where one holds a certificate
    for this tokenizer file (spot-checked against the reference on every call), else the reference. The bulk
    checks (NFC/NFD forms of UDHR, every vocabulary entry's surface) took 6-24 s per large tokenizer with the
    reference's encode_batch."""
    from tokbench import backends

    return backends.encode(tok, texts, label)


def check_round_trip(tok: Any, udhr: list[tuple[str, list[str]]]) -> CheckResult:
    """decode(encode(text)) == text on every UDHR document, with the adapter's own decode (no special tokens)."""
    from tokbench.encode import encode_texts
    from tokbench.metrics.roundtrip import classify

    texts = [t for _, ts in udhr for t in ts]
    langs = [lang for lang, ts in udhr for _ in ts]
    # through the encode cache (and a certified accelerator): checking every registered tokenizer, or the
    # same one again, reads the UDHR ids `tokbench run` already wrote instead of encoding 14k documents anew
    # (one entry per language, the same keys as the run's per-sentence encodings)
    ids: list[list[int]] = []
    for lang, ts in udhr:
        enc = encode_texts(tok, ts, label=f"{UDHR}/{UDHR_SPLIT}/{lang}")
        flat, bounds = list(map(int, enc.ids)), list(map(int, enc.doc_offsets))
        ids += [flat[bounds[i]:bounds[i + 1]] for i in range(len(ts))]
    decoded = tok.decode_batch(ids)
    label, normalize = tok.documented_normalization()
    label = label.removeprefix("normalizer=")
    unk = tok.unk_id
    bad = [i for i, (t, d) in enumerate(zip(texts, decoded, strict=True)) if t != d]
    exact = 1 - len(bad) / len(texts) if texts else 1.0
    kinds: Counter[str] = Counter()
    by_lang: Counter[str] = Counter()
    explained = 0
    for i in bad:
        kinds.update(classify(texts[i], decoded[i], unk is not None and unk in ids[i]))
        by_lang[langs[i]] += 1
        if normalize is not None and normalize(texts[i]) == decoded[i]:
            explained += 1
    details = {
        "documents": len(texts), "languages": len(udhr), "exact_share": exact, "differing": len(bad),
        "kinds": dict(kinds.most_common()), "languages_most_affected": dict(by_lang.most_common(EXAMPLES)),
        "normalization": label or "none", "explained_by_normalization": explained,
        "examples": [f"{langs[i]}: {_first_difference(texts[i], decoded[i])}" for i in bad[:EXAMPLES]],
    }
    where = f"{len(texts):,} UDHR documents in {len(udhr)} languages"
    if not bad:
        return CheckResult("round_trip", "pass", f"decode(encode(text)) == text for all {where}", details)
    what = ", ".join(f"{k} {v:,}" for k, v in kinds.most_common())
    if explained == len(bad):
        return CheckResult("round_trip", "warn", f"{exact:.1%} exact of {where}; every difference is the declared "
                           f"normalizer ({label})", details)
    return CheckResult("round_trip", "fail", f"{exact:.1%} exact of {where}; differences: {what} "
                       f"(e.g. {details['examples'][0]})", details)


def utf8_fragment(b: bytes) -> bool:
    """True when `b` can occur inside valid UTF-8 text: up to 3 continuation bytes (the tail of a character),
    then valid UTF-8, then possibly the incomplete head of a character."""
    for k in range(4):
        if k and not 0x80 <= b[k - 1] <= 0xBF:
            return False
        try:
            codecs.getincrementaldecoder("utf-8")().decode(b[k:], final=False)
            return True
        except UnicodeDecodeError:
            if k == len(b):
                return False
    return False


def check_utf8(tok: Any) -> CheckResult:
    """Vocabulary entries whose bytes, decoded alone, are not valid UTF-8."""
    table = tok.token_bytes()
    partial: list[int] = []
    impossible: list[int] = []
    impossible_bytes: list[int] = []
    for i, b in enumerate(table):
        if not b:
            continue
        try:
            b.decode("utf-8")
        except UnicodeDecodeError:
            if utf8_fragment(b):
                partial.append(i)
            elif len(b) == 1:
                impossible_bytes.append(i)  # a full byte alphabet includes 0xC0, 0xC1, 0xF5-0xFF by design
            else:
                impossible.append(i)
    shown = [repr(table[i]) for i in impossible[:EXAMPLES]]
    details = {"vocab": len(table), "partial_characters": len(partial), "never_valid": len(impossible),
               "never_valid_examples": shown, "never_valid_single_bytes": len(impossible_bytes)}
    n_bad = len(partial) + len(impossible) + len(impossible_bytes)
    if impossible:
        return CheckResult("utf8_integrity", "warn", f"{len(impossible):,} ids decode alone to bytes that can never "
                           f"occur in UTF-8 text (dead vocabulary; e.g. {', '.join(shown[:3])})", details)
    if n_bad:
        alphabet = (f"; {len(impossible_bytes)} are single bytes no UTF-8 text holds, kept by a full byte alphabet"
                    if impossible_bytes else "")
        return CheckResult("utf8_integrity", "pass", f"{n_bad:,} ids decode alone to invalid UTF-8: byte pieces of "
                           f"multi-byte characters, valid in sequence (decode ids together){alphabet}", details)
    return CheckResult("utf8_integrity", "pass", "every id decodes alone to valid UTF-8", details)


def _special_text(tok: Any, i: int, piece: str) -> str:
    """The text a special id stands for: the library's decode keeps special tokens (tiktoken's have no piece
    string); SentencePiece decodes control symbols to '' and tekken cannot decode its ids below the rank
    offset at all (OverflowError), so the piece name stands in for those."""
    try:
        return tok.decode([i]) or piece
    except (OverflowError, ValueError, KeyError, IndexError):
        return piece


def check_special_in_text(tok: Any) -> CheckResult:
    """Special tokens written as text inside ordinary text: does the encoder turn them into the control id?"""
    specials = sorted(tok.special_ids)
    if not specials:
        return CheckResult("special_tokens_in_text", "pass", "no special tokens", {"special": 0})
    names = [_special_text(tok, i, p) for i, p in zip(specials, tok.tokens(specials), strict=True)]
    probes = [(i, s) for i, s in zip(specials, names, strict=True) if s and s.strip()]
    texts = [f"see {s} here and x{s}y" for _, s in probes]
    encoded = tok.encode_batch(texts) if texts else []
    if not probes:
        return CheckResult("special_tokens_in_text", "pass", f"{len(specials):,} special ids, none with a text form "
                           "the adapter exposes: nothing to probe", {"special": len(specials), "probed": 0})
    matched = [s for (i, s), ids in zip(probes, encoded, strict=True) if i in ids]
    details = {"special": len(specials), "probed": len(probes), "matched_in_text": len(matched),
               "examples": matched[:EXAMPLES]}
    if matched:
        return CheckResult("special_tokens_in_text", "warn", f"{len(matched):,} of {len(probes):,} special tokens "
                           f"written in ordinary text encode to their control id (e.g. {', '.join(matched[:3])}): "
                           "user text can inject them; escape or split them before encoding", details)
    return CheckResult("special_tokens_in_text", "pass", f"none of {len(probes):,} special tokens written in "
                       "ordinary text encodes to its control id", details)


def _raw_hf_json(spec: str) -> tuple[str, dict[str, Any] | None]:
    """(format, parsed tokenizer.json or None) of a registered name or a path, without loading the tokenizer."""
    from tokbench.manifests import get_tokenizer_manifest, tokenizer_manifests
    from tokbench.tokenizers.loader import detect_format, split_named_spec

    if spec in tokenizer_manifests():
        m = get_tokenizer_manifest(spec)
        files = m.resolve_files()
        fmt, paths = m.format, [files[f.path] for f in m.files]
    else:
        path = Path(split_named_spec(spec)[1]).expanduser()
        if not path.exists():
            return "memory", None
        fmt, paths = detect_format(path)
    if fmt == "hf_dir":
        cands = [p / "tokenizer.json" for p in paths if (p / "tokenizer.json").is_file()]
        paths, fmt = cands, "hf_json" if cands else fmt
    if fmt != "hf_json" or not paths:
        return fmt, None
    try:
        return fmt, json.loads(read_bytes(paths[0]))
    except (OSError, ValueError) as e:
        raise TokbenchError(f"cannot read {paths[0]} as JSON: {e}") from None


def check_padding(spec: str) -> CheckResult:
    """A tokenizer.json that ships padding or truncation: library users counting len(ids) get the pad length."""
    fmt, doc = _raw_hf_json(spec)
    if doc is None:
        return CheckResult("padding_truncation", "pass", f"format {fmt} has no padding or truncation settings",
                           {"format": fmt})
    pad, trunc = doc.get("padding"), doc.get("truncation")
    details = {"format": fmt, "padding": pad, "truncation": trunc}
    found = []
    if trunc:
        found.append(f"truncation to max_length {trunc.get('max_length')}")
    if pad:
        strategy = pad.get("strategy")
        fixed = strategy.get("Fixed") if isinstance(strategy, dict) else None
        found.append(f"padding ({'to ' + str(fixed) if fixed else strategy})")
    if found:
        return CheckResult("padding_truncation", "warn", f"tokenizer.json ships {' and '.join(found)}: "
                           "len(tokenizer.encode(text).ids) with the library is not the text's token count "
                           "(tokbench turns both off)", details)
    return CheckResult("padding_truncation", "pass", "tokenizer.json sets no padding or truncation", details)


def check_normalization(tok: Any, udhr: list[tuple[str, list[str]]]) -> CheckResult:
    """Canonically equivalent text (NFC vs NFD) should get the same tokens; without a normalizer it does not."""
    label = tok.documented_normalization()[0].removeprefix("normalizer=")
    texts = [t for _, ts in udhr for t in ts if unicodedata.normalize("NFD", t) != t]
    if not texts:
        return CheckResult("unicode_normalization", "pass", "no UDHR text changes under NFD", {})
    nfc = [unicodedata.normalize("NFC", t) for t in texts]
    nfd = [unicodedata.normalize("NFD", t) for t in texts]
    (ia, oa), (ib, ob) = _encode(tok, nfc, "udhr NFC"), _encode(tok, nfd, "udhr NFD")
    differ = sum(not np.array_equal(ia[oa[j] : oa[j + 1]], ib[ob[j] : ob[j + 1]]) for j in range(len(texts)))
    tokens_nfc, tokens_nfd = int(oa[-1]), int(ob[-1])
    extra = tokens_nfd / tokens_nfc - 1 if tokens_nfc else 0.0
    details = {"normalizer": label or "none", "texts": len(texts), "differ": differ, "tokens_nfc": tokens_nfc,
               "tokens_nfd": tokens_nfd}
    if differ == 0:
        return CheckResult("unicode_normalization", "pass", f"NFC and NFD forms of {len(texts):,} UDHR texts get the "
                           f"same tokens (normalizer: {label or 'none'})", details)
    return CheckResult("unicode_normalization", "warn", f"NFC and NFD forms of the same text get different tokens "
                       f"in {differ:,} of {len(texts):,} UDHR texts (NFD: {extra:+.1%} tokens; normalizer: "
                       f"{label or 'none'}): "
                       + ("add an NFC normalizer or normalize input first" if not label else
                          "its normalizer does not make canonically equivalent text equal"), details)


def check_superwords(tok: Any) -> CheckResult:
    """Tokens that span words: whitespace inside the surface with letters or digits on both sides of it
    (`of the`; code pieces such as `//\n//` do not count)."""
    table = tok.token_bytes()
    found = []
    for i, b in enumerate(table):
        if b and i not in tok.special_ids:
            parts = b.decode("utf-8", errors="replace").split()
            if sum(any(c.isalnum() for c in part) for part in parts) >= 2:
                found.append(i)
    shown = [repr(table[i].decode("utf-8", errors="replace")) for i in found[:EXAMPLES]]  # type: ignore[union-attr]
    details = {"superword_tokens": len(found), "examples": shown}
    if found:
        return CheckResult("superword_tokens", "warn", f"{len(found):,} tokens span whitespace inside them "
                           f"(e.g. {', '.join(shown[:3])}): word-based metrics (fertility, continued words) read "
                           "differently; intended only in SuperBPE-style tokenizers", details)
    return CheckResult("superword_tokens", "pass", "no token spans whitespace between words", details)


def check_digits(tok: Any) -> CheckResult:
    """Digit chunking class (Singh & Strouse 2024); irregular chunking hurts arithmetic."""
    from tokbench.digits.analysis import cached_analysis

    cc = cached_analysis(tok).chunk_class
    details = {"class": cc.label, "k": cc.k}
    if cc.label == "irregular":
        return CheckResult("digit_chunking", "warn", "digits are cut irregularly (the same length in different "
                           "ways; GPT-2 style): arithmetic suffers (Singh & Strouse 2024)", details)
    return CheckResult("digit_chunking", "pass", f"digit chunking: {cc.label}", details)


# -- unreachable vocabulary ------------------------------------------------------------------------------------
# Contexts (prefix, suffix) a surface is tried in, cheapest first; each stage encodes only the entries still
# without a witness. The letter prefixes let a piece start mid-word (SentencePiece's dummy '▁' prefix, WordPiece
# '##' continuations), the suffixes let a pre-tokenizer keep a piece whole that it splits at the end of text
# (`\s+(?!\S)`, contractions such as " I'" + "m").
UNREACHABLE_CONTEXTS: tuple[tuple[str, str], ...] = (
    ("", ""), ("a", ""), ("a ", ""), ("", "a"), ("", " a"), ("q", ""), ("0", ""), ("\n", ""), ("", "\n"),
    ("a", "a"), ("", "m"), ("", "s"), ("x ", " x"), (".", ""), ("", "."),
)
UNREACHABLE_FAIL_SHARE = 0.10  # a tenth of the vocabulary dead: a vocabulary/merges mismatch, not a quirk
# leads completing 1-3 leading continuation bytes: 2-, 3- and 4-byte characters, the 4-byte ones in the
# Supplementary Private Use Area (U+F0000-), which no vocabulary merges, so a byte-fallback or byte-level piece
# stays alone there
_LEADS = {1: (b"\xf3\xb0\x80", b"\xc3", b"\xd0", b"\xd8", b"\xce"), 2: (b"\xf3\xb0", b"\xe4", b"\xe3"),
          3: (b"\xf3",)}
_FILL = (0x80, 0x90, 0xBF)  # continuation bytes filling a 4-byte character's first missing byte
COMPLETIONS = 8192  # per fragment: every last-two-byte completion (64 x 64) for two leads
SAMPLE = 64  # completions tried in the contexts after the first (a fragment's witness is usually among them)


def _missing(b: bytes) -> int:
    """Continuation bytes the last character of `b` still needs (0 when it ends complete)."""
    for k in range(1, min(4, len(b)) + 1):
        x = b[-k]
        if not 0x80 <= x <= 0xBF:
            size = 2 if 0xC0 <= x <= 0xDF else 3 if 0xE0 <= x <= 0xEF else 4 if 0xF0 <= x <= 0xF7 else 1
            return max(0, size - k)
    return 0


def utf8_completions(b: bytes) -> list[str]:
    """Valid UTF-8 texts holding the byte fragment `b` (continuation bytes first, an incomplete character
    last): a byte-level piece of a multi-byte character can only be produced inside such a character. The
    last character is completed with every possible last one or two bytes (a third missing byte is filled),
    the leading continuation bytes get a few leads; the list is interleaved so its head is varied."""
    tail = 0
    while tail < min(3, len(b)) and 0x80 <= b[tail] <= 0xBF:
        tail += 1
    need = _missing(b)
    ends: list[bytes] = [b""]
    if need:
        free = min(need, 2)
        conts = range(0x80, 0xC0)
        ends = [bytes([x]) for x in conts] if free == 1 else [bytes([x, y]) for y in conts for x in conts]
    fills = _FILL if need == 3 else (b"",)
    per_lead = []
    for lead in _LEADS.get(tail, (b"",)):
        texts = []
        for fill in fills:
            stem = lead + b + (bytes([fill]) if isinstance(fill, int) else fill)
            for end in ends:
                try:
                    texts.append((stem + end).decode("utf-8"))
                except UnicodeDecodeError:
                    continue
        per_lead.append(texts)
    out: dict[str, None] = {}
    for group in zip(*[iter(t) for t in per_lead], strict=False) if len(per_lead) > 1 else [(t,) for t in per_lead[0]]:
        out.update(dict.fromkeys(group))
    for t in per_lead:  # the rest of the longer lists
        out.update(dict.fromkeys(t))
    return list(out)[:COMPLETIONS]


_UNREACHABLE_BATCH = 16_384  # texts per encode call (gemma3's 262k entries at once held ~0.3 GB of Encodings)


def unreachable_entries(tok: Any, contexts: tuple[tuple[str, str], ...] = UNREACHABLE_CONTEXTS,
                        ) -> tuple[list[int], dict[int, str], int]:
    """(ids no tried text encodes to, id -> cause, entries tested).

    An entry is *reachable* when some text's encoding contains its id; the witness searched for is its own
    surface (the bytes it stands for), alone and in the fixed `contexts`, a byte fragment completed to valid
    UTF-8 first (after Land & Bartolo 2024, who flag tokens whose decoded text does not encode back to them).
    Special ids are not tested. Causes of the rest: 'normalizer' (the tokenizer's declared normalizer
    rewrites the surface, so its bytes never reach the model), 'shadowed' (the surface alone is one
    pre-token, yet encodes to other ids: for merge-priority BPE and unigram Viterbi a token inside a longer
    pre-token forms exactly as it does alone, so this is proof that the entry is never produced; SentencePiece
    byte-fallback pieces of characters in the vocabulary land here), 'pre-tokenizer' (the pre-tokenizer splits
    the surface in every context tried), 'byte fragment' (no completed character produced it), 'no witness'
    (none of the above: not produced in any context tried)."""
    table = tok.token_bytes()
    special = tok.special_ids
    _, normalize = tok.documented_normalization()
    pending: dict[int, list[str]] = {}  # id -> texts holding its surface
    fragment: set[int] = set()
    for i, b in enumerate(table):
        if not b or i in special:
            continue
        try:
            pending[i] = [b.decode("utf-8")]
        except UnicodeDecodeError:
            if utf8_fragment(b):
                pending[i] = utf8_completions(b)
                fragment.add(i)
    tested = len(pending)
    stages = [(contexts[0], SAMPLE), *[(c, None) for c in contexts[:1]], *[(c, SAMPLE) for c in contexts[1:]]]
    for (pre, post), limit in stages:
        if not pending:
            break
        jobs = [(i, f"{pre}{s}{post}") for i, ss in pending.items() for s in (ss[:limit] if limit else ss)]
        found: set[int] = set()
        for at in range(0, len(jobs), _UNREACHABLE_BATCH):  # bounded: a library Encoding per text is ~1 KB
            part = jobs[at : at + _UNREACHABLE_BATCH]
            ids, offsets = _encode(tok, [t for _, t in part], "vocabulary surfaces")
            target = np.fromiter((i for i, _ in part), dtype=np.int64, count=len(part))
            doc = np.repeat(np.arange(len(part)), np.diff(offsets))  # the text each id came from
            found.update(target[np.unique(doc[ids == target[doc]])].tolist())
        for i in found:
            del pending[i]
    causes: dict[int, str] = {}
    surfaces = Counter(x for x in table if x)
    for i, texts in pending.items():
        b = table[i]
        if i in fragment:
            causes[i] = "byte fragment"
            continue
        s = texts[0]
        core = s.strip() or s  # SentencePiece normalizers drop leading/trailing whitespace of the text
        if normalize is not None and normalize(core) != core:
            causes[i] = "normalizer"
        elif tok.algorithm in ("bpe", "unigram") and tok.pre_tokenize(s) == [b]:
            causes[i] = "shadowed"
        elif len(tok.pre_tokenize(s)) > 1 or (tok.algorithm == "wordpiece" and tok.pre_tokenize("a" + s) != [b"a" + b]):
            causes[i] = "pre-tokenizer"  # (a WordPiece continuation needs a word character before it)
        elif surfaces[b] > 1:
            causes[i] = "same surface"  # e.g. a byte-fallback piece of a character the vocabulary holds
        else:
            causes[i] = "no witness"
    return sorted(pending), causes, tested


def _surface(b: bytes | None) -> str:
    """repr of the text a token stands for, of its bytes when they are not UTF-8 alone."""
    try:
        return repr(_short((b or b"").decode("utf-8")))
    except UnicodeDecodeError:
        return repr(b)


def _share(x: float) -> str:
    """A percentage that never reads 0.00% for a share that is not zero (1 of 127,987 is '<0.01%')."""
    return "<0.01%" if 0 < x < 0.00005 else f"{x:.2%}"


def check_unreachable(tok: Any) -> CheckResult:
    """Vocabulary entries the encoder never produces: embedding rows a model trains only through weight decay
    (Land & Bartolo 2024 find such tokens among the under-trained ones that make models glitch)."""
    ids, causes, tested = unreachable_entries(tok)
    table = tok.token_bytes()
    by_cause = Counter(causes.values())
    shown = [f"{_surface(table[i])} ({causes[i]})" for i in ids[:EXAMPLES]]
    surfaces = Counter(table[i] for i in range(len(table)) if table[i])
    duplicate = sum(surfaces[table[i]] > 1 for i in ids)
    details = {"tested": tested, "unreachable": len(ids), "by_cause": dict(by_cause.most_common()),
               "same_surface_as_another_id": duplicate, "examples": shown,
               "contexts": [list(c) for c in UNREACHABLE_CONTEXTS]}
    if not ids:
        return CheckResult("unreachable_vocab", "pass", f"every one of {tested:,} non-special entries is produced by "
                           "encoding its own text", details)
    share = len(ids) / tested
    what = ", ".join(f"{k} {v:,}" for k, v in by_cause.most_common())
    status: Status = "fail" if share >= UNREACHABLE_FAIL_SHARE else "warn"
    return CheckResult("unreachable_vocab", status, f"{len(ids):,} of {tested:,} entries ({_share(share)}) are never "
                       f"produced by encoding their text in {len(UNREACHABLE_CONTEXTS)} contexts ({what}; e.g. "
                       f"{', '.join(shown[:3])})", details)


CHECKS: tuple[str, ...] = ("round_trip", "utf8_integrity", "special_tokens_in_text", "padding_truncation",
                           "unicode_normalization", "unreachable_vocab", "superword_tokens", "digit_chunking")


def run_checks(spec: str, tok: Any | None = None) -> list[CheckResult]:
    """Every check on one tokenizer (registered name or path); `tok` when already loaded."""
    if tok is None:
        from tokbench.tokenizers import load_tokenizer

        tok = load_tokenizer(spec)
    udhr = _udhr()
    steps: list[Callable[[], CheckResult]] = [
        lambda: check_round_trip(tok, udhr),
        lambda: check_utf8(tok),
        lambda: check_special_in_text(tok),
        lambda: check_padding(spec),
        lambda: check_normalization(tok, udhr),
        lambda: check_unreachable(tok),
        lambda: check_superwords(tok),
        lambda: check_digits(tok),
    ]
    return [step() for step in steps]


def exit_code(results: list[CheckResult]) -> int:
    """0 all pass, 1 any warn, 2 any fail."""
    return max((EXIT[r.status] for r in results), default=0)


def as_json(spec: str, results: list[CheckResult]) -> dict[str, Any]:
    return {"tokenizer": spec, "exit_code": exit_code(results), "checks": [asdict(r) for r in results]}
