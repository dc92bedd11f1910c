"""Data for the site's tokenization viewer: a few short parallel units in many languages, tokenized by
every tokenizer of the report, precomputed at report time and embedded in viewer.html as JSON.

The ids come from the tokenizers' own libraries through tokbench's adapters and the encode cache
(`encode_texts`), so the viewer shows exactly what the metrics counted. Each token is shown as its
surface text; a token whose bytes are not whole UTF-8 characters (byte-level BPE splitting a
character, SentencePiece byte fallback) is shown as its bytes in hex with the characters its run of
tokens makes up; UNK shows the original text it replaced (from the library's offsets).

Compact form per (tokenizer, unit), since the page embeds every tokenizer x unit: when every token has
surface bytes, their byte lengths 'b' packed one character per token, slicing the unit's UTF-8 (or, if
the tokenizer normalized it, its own text 't'; SentencePiece's added leading space is flag 'p'); the
page decodes the slices and shows stray bytes itself. Otherwise (UNK, special tokens) a display string
'd' (omitted when equal to the text), packed code-point lengths 'l', sparse kinds 'k' and hover hints
'h'. A tokenizer whose tokens equal an earlier one's on every unit is stored as {"same": name}.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tokbench.errors import TokbenchError
from tokbench.io import atomic_write_text
from tokbench.progress import progress

log = logging.getLogger(__name__)

DEFAULT_CORPUS = "udhr"
# widely spoken languages and every major script, in FLORES and UDHR spellings (absent codes are skipped)
PREFERRED_LANGUAGES = (
    "eng_Latn", "cmn_Hans", "zho_Hans", "hin_Deva", "spa_Latn", "arb_Arab", "fra_Latn", "ben_Beng", "por_Latn",
    "rus_Cyrl", "urd_Arab", "ind_Latn", "deu_Latn", "jpn_Jpan", "pes_Arab", "tur_Latn", "kor_Hang", "vie_Latn",
    "mar_Deva", "tel_Telu", "tam_Taml", "ita_Latn", "tha_Thai", "guj_Gujr", "kan_Knda", "mal_Mlym", "pan_Guru",
    "pol_Latn", "ukr_Cyrl", "swh_Latn", "hau_Latn", "yor_Latn", "amh_Ethi", "mya_Mymr", "khm_Khmr", "lao_Laoo",
    "heb_Hebr", "ell_Grek", "kat_Geor", "hye_Armn", "sin_Sinh", "bod_Tibt", "npi_Deva", "ory_Orya", "uig_Arab",
    "khk_Cyrl", "fin_Latn", "hun_Latn", "eus_Latn", "zul_Latn", "tgl_Latn", "nld_Latn", "cmn_Hant", "zho_Hant",
    "yue_Hant", "div_Thaa", "chr_Cher", "iku_Cans",
)


@dataclass(frozen=True)
class ViewerUnit:
    lang: str
    unit: str
    text: str


def choose_units(corpus: Any, split: str, max_languages: int = 48, n_units: int = 6,
                 min_chars: int = 50) -> list[ViewerUnit]:
    """Parallel units for the viewer: one language per script first (preferred languages, then scripts they
    lack, up to a third of the page), then the other preferred languages; the `n_units` shortest units of
    the first language (at least `min_chars` characters, so not a heading) that nearly every chosen language
    has."""
    from tokbench.report.plots import script_of

    have = set(corpus.languages(split))
    preferred = [x for x in PREFERRED_LANGUAGES if x in have]
    langs: list[str] = []
    scripts: set[str] = set()
    for lang in preferred:  # every script first, in order of speakers
        if script_of(lang) not in scripts and len(langs) < max_languages:
            langs.append(lang)
            scripts.add(script_of(lang))
    extra = 0
    for lang in sorted(have):  # scripts the preferred list lacks, up to a third of the page
        if len(langs) >= max_languages or extra >= max_languages // 3:
            break
        if script_of(lang) not in scripts:
            langs.append(lang)
            scripts.add(script_of(lang))
            extra += 1
    langs += [x for x in preferred if x not in langs][: max(0, max_languages - len(langs))]
    rank = {x: i for i, x in enumerate(PREFERRED_LANGUAGES)}
    langs.sort(key=lambda x: (rank.get(x, len(rank)), x))
    if not langs:
        return []
    docs = {lang: dict(zip(corpus.doc_ids(split, lang), corpus.texts(split, lang), strict=True)) for lang in langs}
    first = docs[langs[0]]
    need = max(1, int(0.9 * len(langs)))
    cand = [u for u, t in first.items() if len(t) >= min_chars and sum(u in d for d in docs.values()) >= need]
    units = sorted(sorted(cand, key=lambda u: (len(first[u]), u))[:n_units], key=_unit_order)
    return [ViewerUnit(lang, u, docs[lang][u]) for lang in langs for u in units if u in docs[lang]]


def _unit_order(u: str) -> tuple[int, str]:
    return (int(u), u) if u.isdigit() else (1 << 30, u)


def _hex(b: bytes) -> str:
    return " ".join(f"{x:02X}" for x in b)


def _show(b: bytes) -> tuple[str, bool]:
    """Display text of a token's bytes: whole characters as text, stray bytes as ‹E1 80›; and whether any were."""
    s = b.decode("utf-8", "surrogateescape")
    out: list[str] = []
    stray: list[int] = []
    for ch in s:
        o = ord(ch)
        if 0xDC80 <= o <= 0xDCFF:
            stray.append(o - 0xDC00)
            continue
        if stray:
            out.append(f"‹{_hex(bytes(stray))}›")
            stray = []
        out.append(ch)
    if stray:
        out.append(f"‹{_hex(bytes(stray))}›" if out else _hex(bytes(stray)))  # bytes only: no brackets needed
    return "".join(out), any(0xDC80 <= ord(c) <= 0xDCFF for c in s)


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def pack_lengths(lengths: Sequence[int]) -> str:
    """Token lengths as one character each (0-61), '{123}' for longer ones: ~1 byte per token in the page."""
    return "".join(_DIGITS[x] if 0 <= x < len(_DIGITS) else f"{{{x}}}" for x in lengths)


def unpack_lengths(packed: str) -> list[int]:
    out, i = [], 0
    while i < len(packed):
        if packed[i] == "{":
            j = packed.index("}", i)
            out.append(int(packed[i + 1 : j]))
            i = j + 1
        else:
            out.append(_DIGITS.index(packed[i]))
            i += 1
    return out


def encode_unit(ids: Sequence[int], table: Sequence[bytes | None], unk_id: int | None, text: str,
                token_strings: Sequence[str], unk_text: Sequence[str | None] | None = None) -> dict[str, Any]:
    """One unit's tokens in the viewer's compact form (see the module docstring).

    kinds (token indices per kind): 'u' UNK (shown as the text it replaced, from the offsets), 'b' bytes that
    are not whole UTF-8 characters, 's' a special/control token. hints: for 'b', the characters made up.
    """
    surfaces = [table[int(t)] if 0 <= int(t) < len(table) else None for t in ids]
    if all(b is not None for b in surfaces) and (unk_id is None or unk_id not in ids):
        joined, raw = b"".join(surfaces), text.encode("utf-8")  # type: ignore[arg-type]
        lossless: dict[str, Any] = {"b": pack_lengths([len(b) for b in surfaces])}  # type: ignore[arg-type]
        if joined == raw:
            return lossless
        if joined == b" " + raw:  # SentencePiece's dummy prefix
            return {**lossless, "p": 1}
        try:  # a normalizing tokenizer (NFKC, lowercasing): its own text, still sliced by byte lengths
            return {**lossless, "t": joined.decode("utf-8")}
        except UnicodeDecodeError:
            pass
    pieces: list[str] = []
    kinds: dict[str, list[int]] = {}
    hints: dict[str, str] = {}
    i = 0
    n = len(ids)
    while i < n:
        t = int(ids[i])
        b = table[t] if 0 <= t < len(table) else None
        if unk_id is not None and t == unk_id:
            orig = unk_text[i] if unk_text is not None else None
            pieces.append(orig or token_strings[i])
            kinds.setdefault("u", []).append(i)
            i += 1
            continue
        if b is None:
            pieces.append(token_strings[i])
            kinds.setdefault("s", []).append(i)
            i += 1
            continue
        shown, stray = _show(b)
        if not stray:
            pieces.append(shown)
            i += 1
            continue
        # a run of tokens whose bytes together end on a character boundary (at most 8 tokens)
        j, buf = i, b""
        while j < n and j - i < 8:
            tj = int(ids[j])
            bj = table[tj] if 0 <= tj < len(table) else None
            if bj is None or (unk_id is not None and tj == unk_id):
                break
            buf += bj
            j += 1
            try:
                buf.decode("utf-8")
                break
            except UnicodeDecodeError:
                continue
        made = buf.decode("utf-8", "replace").strip()
        for k in range(i, max(j, i + 1)):
            bk = table[int(ids[k])] or b""
            shown_k, stray_k = _show(bk)
            pieces.append(shown_k)
            if stray_k:
                kinds.setdefault("b", []).append(k)
                hints[str(k)] = f"bytes {_hex(bk)}" + (f" of {made!r}" if made else "")
        i = max(j, i + 1)
    display = "".join(pieces)
    out: dict[str, Any] = {"l": pack_lengths([len(p) for p in pieces])}
    if display != text:
        out["d"] = display
    if kinds:
        out["k"] = kinds
    if hints:
        out["h"] = hints
    return out


def _unk_texts(tok: Any, text: str, ids: Sequence[int]) -> list[str | None] | None:
    """The original text under each UNK token, from the library's offsets (None when they disagree)."""
    enc_ids, spans = tok.encode_with_offsets([text])[0]
    if list(map(int, enc_ids)) != list(map(int, ids)):
        return None
    raw = text.encode("utf-8")
    return [raw[a:b].decode("utf-8", "replace") if int(i) == tok.unk_id else None
            for i, (a, b) in zip(ids, spans, strict=True)]


VIEWER_FORMAT = 1  # bump when encode_unit's output changes: cached rows of another format are not served


def _cache_file(name: str, sha: str, units: list[ViewerUnit]) -> Path:
    """Where one tokenizer's rows are cached: keyed by its files' sha256, its name and every unit's text."""
    from tokbench.datadirs import cache_dir

    h = hashlib.sha256(json.dumps([VIEWER_FORMAT, name, sha, [[u.lang, u.unit, u.text] for u in units]],
                                  ensure_ascii=False).encode("utf-8")).hexdigest()
    return cache_dir() / "viewer" / f"{h}.json"


def _cached_rows(path: Path | None) -> list[dict[str, Any]] | None:
    if path is None or not path.is_file():
        return None
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # a damaged entry is recomputed
        return None
    return rows if isinstance(rows, list) else None


def _store_rows(path: Path | None, rows: list[dict[str, Any]]) -> None:
    if path is None:
        return
    try:
        atomic_write_text(path, json.dumps(rows, ensure_ascii=False, separators=(",", ":")))
    except OSError as e:  # a read-only cache only costs time
        log.warning("could not cache the viewer's tokens in %s (%s)", path, e)


def _rows_in_child(name: str, sha: str | None, units: list[ViewerUnit]) -> tuple[list[dict[str, Any]] | None, str]:
    """(the viewer rows of `name` on `units`, "") or (None, why it cannot be loaded here); rows of the very files the
    results came from (`sha`) are cached. Runs in a child process."""
    from tokbench.encode import encode_texts
    from tokbench.tokenizers import load_tokenizer

    try:
        tok = load_tokenizer(name)
    except TokbenchError as e:
        return None, str(e)
    e = encode_texts(tok, [u.text for u in units])
    table = tok.token_bytes_table
    rows = []
    for i, u in enumerate(units):
        ids = e.doc(i).tolist()
        unk = _unk_texts(tok, u.text, ids) if tok.unk_id is not None and tok.unk_id in ids else None
        rows.append(encode_unit(ids, table, tok.unk_id, u.text, tok.tokens(ids), unk))
    if sha and sha == tok.sha256:  # only rows of the very files the results came from are cached under their sha
        _store_rows(_cache_file(name, sha, units), rows)
    return rows, ""


def build_viewer(tokenizers: Sequence[str], corpus_name: str = DEFAULT_CORPUS, split: str | None = None,
                 max_languages: int = 48, n_units: int = 6, quiet: bool = True,
                 shas: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Viewer data for `tokenizers` (leaderboard order) on `corpus_name`; a tokenizer that cannot be loaded
    here is listed under 'missing' with the reason. With `shas` (tokenizer -> sha256 of its files, from the
    run's provenance) rows are cached in TOKBENCH_CACHE/viewer, so a warm report loads no tokenizer."""
    from tokbench.corpora import load_corpus
    from tokbench.executors.short_lived import per_tokenizer
    from tokbench.report.languages import language_label

    corpus = load_corpus(corpus_name)
    split = split or corpus.splits[-1]
    if split not in corpus.splits:
        raise TokbenchError(f"viewer corpus {corpus_name!r} has no split {split!r} (it has {', '.join(corpus.splits)})")
    units = choose_units(corpus, split, max_languages, n_units)
    if not units:
        raise TokbenchError(f"viewer corpus {corpus_name!r} split {split!r} has no units to show")
    rows_of: dict[str, list[dict[str, Any]]] = {}
    missing: dict[str, str] = {}
    todo = []
    for name in tokenizers:
        sha = (shas or {}).get(name)
        rows = _cached_rows(_cache_file(name, sha, units) if sha else None)
        if rows is None:
            todo.append(name)
        else:
            rows_of[name] = rows
    if todo:  # each tokenizer in its own short-lived child process (tokbench.executors.short_lived)
        jobs = [(name, (name, (shas or {}).get(name), units)) for name in todo]
        with progress(total=len(todo), desc="viewer: tokenize", unit="tokenizer", disable=quiet) as bar:
            for name, got, died in per_tokenizer(_rows_in_child, jobs, bar, preload=["tokbench.report.viewer"]):
                rows, why = got if not died else (None, died)
                if rows is None:
                    missing[name] = why
                else:
                    rows_of[name] = rows
    enc: dict[str, Any] = {}
    for name in tokenizers:  # in leaderboard order
        if name not in rows_of:
            continue
        rows = rows_of[name]
        same = next((other for other, theirs in enc.items() if theirs == rows), None)
        enc[name] = rows if same is None else {"same": same}  # e.g. p50k_base = r50k_base on this text
    langs = list(dict.fromkeys(u.lang for u in units))
    return {
        "corpus": corpus_name, "split": split,
        "languages": [{"code": x, "label": language_label(x)} for x in langs],
        "units": [{"lang": u.lang, "unit": u.unit, "text": u.text} for u in units],
        "tokenizers": [t for t in tokenizers if t in enc], "missing": missing, "enc": enc,
    }
