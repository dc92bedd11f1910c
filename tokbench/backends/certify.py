"""Certificates: an accelerator gave the reference's ids, id for id, on a certification set.

Exactness does not transfer between tokenizer files (an engine exact on gpt2 can be wrong on
llama3), so a certificate names one tokenizer (its files' sha256 and load options), one
accelerator version and one certification set (its texts' sha256). It is a small JSON file in the
cache, `<TOKBENCH_CACHE>/certificates/<tokenizer sha256>/<key>.json`, with status `certified`,
`failed` (ids differed during certification) or `revoked` (a later spot check found a difference);
only `certified` lets the accelerator encode. Certification runs automatically the first time an
accelerator would encode for a tokenizer (a progress bar); to earn it ahead of a long run, encode any
small corpus with that accelerator named (`tokbench encode --tokenizer NAME --corpus udhr --backend gigatoken`), which
decides, and certifies, at its first cache miss.

The certification set, built from what this machine has:
- the vendored UDHR, every language and article (14k documents, 4.8 MB);
- FLORES-200 dev when a data directory has it: a deterministic sample, sentences 0, 20, 40, ...
  of every language (50 of 997 per language, ~10k sentences; the whole of it costs the reference
  more than a minute per tokenizer, and every later corpus is spot-checked anyway);
- every llama.cpp tokenizer test input in `tokenizers/llama_cpp_test_vectors` (data directory);
- hard cases: long documents, whitespace runs, digits, emoji, special-token look-alikes (generic
  ones plus this tokenizer's own special and added tokens, alone and inside text), unnormalized
  text (NFD, compatibility characters, controls).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from tokbench.cache import texts_sha256
from tokbench.datadirs import cache_dir, find
from tokbench.errors import TokbenchError
from tokbench.io import atomic_write_text
from tokbench.native import library_errors
from tokbench.progress import progress
from tokbench.tokenizers.base import Tokenizer

log = logging.getLogger(__name__)

CERT_SET_VERSION = "1"  # bump when the recipe below changes (the set's sha256 changes with it anyway)
FLORES_STRIDE = 20
_TEST_VECTOR_SEP = "\n__ggml_vocab_test__\n"
_LOOKALIKES = (
    "<|endoftext|>", "<|endoftext|", "<|endoftext|>>", "<|im_start|>", "<|im_end|>", "<|begin_of_text|>",
    "<|eot_id|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|endofprompt|>", "<s>", "</s>",
    "<unk>", "<pad>", "<mask>", "<bos>", "<eos>", "[CLS]", "[SEP]", "[MASK]", "[UNK]", "[PAD]", "<0x41>",
    "<0x0A>", "<start_of_turn>", "<end_of_turn>", "<|reserved_special_token_0|>", "[INST]", "[/INST]",
)


@dataclass(frozen=True)
class CertSet:
    texts: list[str]
    labels: list[str]  # where each text comes from, for messages (`udhr/eng_Latn/3`, `hard/digits/2`)
    sha256: str
    sources: dict[str, int]  # source -> number of texts


def _special_strings(tokenizer: Tokenizer) -> list[str]:
    """The tokenizer's own special and added token strings (the texts an encoder must not confuse)."""
    out: set[str] = set()
    enc = getattr(tokenizer, "encoding", None)  # tiktoken: its special tokens are not in tokens()
    out.update(getattr(enc, "_special_tokens", {}) or {})
    backend = getattr(tokenizer, "backend", None)  # tokenizers: added tokens, special or not
    if backend is not None and hasattr(backend, "get_added_tokens_decoder"):
        out.update(t.content for t in backend.get_added_tokens_decoder().values())
    try:
        out.update(tokenizer.tokens(sorted(tokenizer.special_ids)))
    except Exception:  # an adapter without strings for its special ids: the generic look-alikes remain
        pass
    return sorted(s for s in out if s)[:2000]


def _hard_cases(tokenizer: Tokenizer, sample: Sequence[str]) -> list[tuple[str, str]]:
    """(label, text) pairs built deterministically from fixed strings and the UDHR `sample`."""
    cases: list[tuple[str, str]] = [("hard/empty", "")]
    long_doc = "\n\n".join(sample[:400])
    cases += [("hard/long/mixed", long_doc), ("hard/long/lines", "\n".join(sample[400:1200]))]
    cases += [("hard/long/no-space", "a" * 3000), ("hard/long/digits", "1234567890" * 300)]
    cases += [("hard/long/han", "人人生而自由在尊严和权利上一律平等" * 150)]
    ws = [" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2009", "\u200b", "\f", "\v"]
    for i, w in enumerate(ws):
        for n in (1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 64):
            run = w * n
            cases += [(f"hard/whitespace/{i}x{n}", run), (f"hard/whitespace/{i}x{n}/in", f"a{run}b {run}c{run}")]
    cases += [("hard/whitespace/mixed", " \t \n\n \r\n  x  \n\t\t y \u00a0\u3000z   ")]
    digits = ["0", "7", "42", "123", "1234", "12345", "1234567", "3.14159", "1,000,000", "-0.5e-10", "2024-12-31",
              "0x1F", "١٢٣٤٥", "१२३४", "１２３４", "½ ¾ ²³", "1st 2nd 3rd", "v1.2.3", "IPv4 192.168.0.1"]
    cases += [(f"hard/digits/{i}", d) for i, d in enumerate(digits)]
    cases += [("hard/digits/runs", " ".join(str(10**k + k) for k in range(40)))]
    emoji = ["🙂", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇹🇷🇯🇵", "❤️", "🙂" * 50, "a🙂b 🙂 c", "🧑🏿‍💻 wrote 🐍 code"]
    cases += [(f"hard/emoji/{i}", e) for i, e in enumerate(emoji)]
    specials = [*_LOOKALIKES, *_special_strings(tokenizer)]
    for i, s in enumerate(specials):
        cases += [(f"hard/special/{i}", s), (f"hard/special/{i}/in", f"Hello{s}world {s} x{s}{s}\n{s}")]
    unnorm = ["e\u0301", "A\u030a", "\ufb01ligature \ufb02", "\u212b \u2126 \u212a", "Ｆｕｌｌｗｉｄｔｈ",
              "\u1100\u1161\u11a8", "\ufeffBOM", "soft\u00adhyphen", "zw\u200dj zw\u200cnj", "\u202eRTL\u202c",
              "\x00\x01\x1b[0m\x7f", "\ue000\uf8ff", "\ufffd\uffff", "\U0010fffd", "ǅ ǆ ß ẞ İ ı", "ﷺ ﷽"]
    cases += [(f"hard/unnormalized/{i}", u) for i, u in enumerate(unnorm)]
    for i, t in enumerate(sample[:: max(1, len(sample) // 200)][:200]):
        cases.append((f"hard/unnormalized/nfd/{i}", unicodedata.normalize("NFD", t)))
        cases.append((f"hard/unnormalized/nfkd/{i}", unicodedata.normalize("NFKD", t)))
    return cases


def certification_set(tokenizer: Tokenizer) -> CertSet:
    """The texts a certificate is earned on, for this tokenizer (its own special tokens included)."""
    from tokbench.corpora import load_corpus
    from tokbench.manifests import corpus_manifests

    texts: list[str] = []
    labels: list[str] = []
    sources: dict[str, int] = {}

    def add(source: str, items: Sequence[tuple[str, str]]) -> None:
        for label, t in items:
            labels.append(label)
            texts.append(t)
        sources[source] = sources.get(source, 0) + len(items)

    udhr = load_corpus("udhr")
    split = udhr.splits[0]
    sample: list[str] = []
    for lang in udhr.languages(split):
        docs = list(udhr.texts(split, lang))
        add("udhr", [(f"udhr/{lang}/{i}", t) for i, t in enumerate(docs)])
        sample.extend(docs[:2])
    if "flores200" in corpus_manifests() and corpus_manifests()["flores200"].availability() != "missing":
        flores = load_corpus("flores200")
        for lang in flores.languages("dev"):
            docs = list(flores.texts("dev", lang))
            picks = range(0, len(docs), FLORES_STRIDE)
            add("flores200_dev_sample", [(f"flores200/dev/{lang}/{i}", docs[i]) for i in picks])
    vec_dir = find("tokenizers/llama_cpp_test_vectors/SOURCE.txt")
    if vec_dir is not None:
        for p in sorted(vec_dir.parent.glob("*.inp")):
            parts = p.read_text(encoding="utf-8").split(_TEST_VECTOR_SEP)
            add("llama_cpp_test_vectors", [(f"llama.cpp/{p.stem}/{i}", t) for i, t in enumerate(parts)])
    add("hard_cases", _hard_cases(tokenizer, sample))
    h = hashlib.sha256(f"certset v{CERT_SET_VERSION}|".encode())
    h.update(texts_sha256(texts).encode())
    return CertSet(texts, labels, h.hexdigest(), sources)


def certification_set_sha256(tokenizer: Tokenizer) -> str:
    """`certification_set(tokenizer).sha256` without building the set each run (~1 s: UDHR and FLORES
    read, 24k texts hashed): remembered in the cache under a key of everything the set is made from
    (see `_set_memo_path`). Any change there misses the memo and rebuilds the set."""
    try:
        sha = _set_memo_path(tokenizer).read_text(encoding="ascii").strip()
        if len(sha) == 64:
            return sha
    except (OSError, UnicodeDecodeError):
        pass
    sha = certification_set(tokenizer).sha256
    remember_set_sha256(tokenizer, sha)
    return sha


def remember_set_sha256(tokenizer: Tokenizer, sha: str) -> None:
    """Store the set's sha256 (also after a certification built the set anyway)."""
    try:
        atomic_write_text(_set_memo_path(tokenizer), sha + "\n")
    except OSError:  # a read-only cache: the set is rebuilt next time
        pass


def _set_memo_path(tokenizer: Tokenizer) -> Path:
    """Named by what the set is made from: this module's source (the recipe), tokbench's version, the
    Unicode database (the NFD/NFKD cases), the tokenizer (its special strings), the corpus files' pinned
    checksums (loading verifies the files against them) and the test vectors' content."""
    from tokbench import __version__
    from tokbench.manifests import corpus_manifests

    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    h.update(json.dumps([CERT_SET_VERSION, __version__, unicodedata.unidata_version, tokenizer.cache_key]).encode())
    for name in ("udhr", "flores200"):
        m = corpus_manifests().get(name)
        if m is not None and (name == "udhr" or m.availability() != "missing"):
            h.update(f"|{name}:{','.join(sorted(f.sha256 for f in m.files))}".encode())
    vec_dir = find("tokenizers/llama_cpp_test_vectors/SOURCE.txt")
    if vec_dir is not None:
        for v in sorted(vec_dir.parent.glob("*.inp")):
            h.update(f"|{v.name}:".encode() + hashlib.sha256(v.read_bytes()).digest())
    return cache_dir() / "certificates" / "_sets" / f"{h.hexdigest()[:32]}.txt"


# --- the store ----------------------------------------------------------------------------------
def certificate_key(tokenizer: Tokenizer, accelerator: str, version: str, set_sha256: str) -> str:
    """Changes with the tokenizer's files or load options, the accelerator or its version, or the set."""
    blob = json.dumps([tokenizer.cache_key, accelerator, version, set_sha256]).encode()
    return hashlib.sha256(blob).hexdigest()[:32]


def certificate_path(tokenizer: Tokenizer, key: str) -> Path:
    return cache_dir() / "certificates" / tokenizer.sha256 / f"{key}.json"


def read_certificate(path: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return doc if isinstance(doc, dict) and doc.get("status") in ("certified", "failed", "revoked") else None


def write_certificate(path: Path, doc: dict[str, Any]) -> None:
    """A certificate that cannot be stored (read-only cache) only costs a new certification next time."""
    try:
        atomic_write_text(path, json.dumps(doc, ensure_ascii=False, indent=1))
    except OSError as e:
        log.warning("could not store the certificate %s (%s); it is recomputed next run", path, e.strerror or e)


def certificates_for(tokenizer_sha256: str) -> list[dict[str, Any]]:
    """Every stored certificate of one tokenizer file (for provenance)."""
    folder = cache_dir() / "certificates" / tokenizer_sha256
    docs = [read_certificate(p) for p in sorted(folder.glob("*.json"))] if folder.is_dir() else []
    return [d for d in docs if d is not None]


def first_difference(
    a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]
) -> int | None:
    """Index of the first document whose ids differ between two flat encodings, or None."""
    (ids_a, off_a), (ids_b, off_b) = a, b
    if len(off_a) != len(off_b):
        raise ValueError("the encodings have different numbers of documents")
    if np.array_equal(off_a, off_b) and np.array_equal(ids_a, ids_b):
        return None
    for i in range(len(off_a) - 1):
        if not np.array_equal(ids_a[off_a[i] : off_a[i + 1]], ids_b[off_b[i] : off_b[i + 1]]):
            return i
    return None


def certify(
    tokenizer: Tokenizer,
    accelerator: str,
    version: str,
    encode_fast: Callable[[Sequence[str]], tuple[np.ndarray, np.ndarray]],
    cert_set: CertSet,
    *,
    quiet: bool = False,
    chunk: int = 2000,
) -> dict[str, Any]:
    """Encode the set with the reference and the accelerator, compare every id, store the verdict."""
    t0 = time.perf_counter()
    n = len(cert_set.texts)
    bar = progress(total=n, desc=f"certify {accelerator} {version} on {tokenizer.name}", unit="doc", disable=quiet)
    failure: str | None = None
    n_tokens = 0
    try:
        for start in range(0, n, chunk):
            part = cert_set.texts[start : start + chunk]
            ref = tokenizer.encode_flat(part)
            try:
                with library_errors(accelerator, ""):  # a Rust panic too (a BaseException), its dump held back
                    fast = encode_fast(part)
            except TokbenchError as e:  # a crash on some input is a failed certification, not a failed run
                where = f"documents {start}-{start + len(part) - 1}"
                failure = f"{accelerator} failed on {where} ({getattr(e, 'reason', e)})"
                break
            i = first_difference(ref, fast)
            if i is not None:
                doc = start + i
                failure = (
                    f"ids differ on {cert_set.labels[doc]} ({_excerpt(cert_set.texts[doc])}): reference "
                    f"{_ids(ref, i)}, {accelerator} {_ids(fast, i)}"
                )
                break
            n_tokens += int(ref[1][-1])
            bar.update(len(part))
    finally:
        bar.close()
    key = certificate_key(tokenizer, accelerator, version, cert_set.sha256)
    doc = {
        "status": "failed" if failure else "certified",
        "tokenizer": tokenizer.name,
        "tokenizer_sha256": tokenizer.sha256,
        "tokenizer_config": tokenizer.config,
        "accelerator": accelerator,
        "accelerator_version": version,
        "certification_set_sha256": cert_set.sha256,
        "certification_set": cert_set.sources,
        "documents": n,
        "tokens": n_tokens,
        "key": key,
        "reason": failure,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    write_certificate(certificate_path(tokenizer, key), doc)
    return doc


def revoke(path: Path, doc: dict[str, Any], reason: str) -> dict[str, Any]:
    """Mark a certificate revoked (it stays revoked for this tokenizer file and accelerator version)."""
    new = {**doc, "status": "revoked", "reason": reason, "revoked": datetime.now(UTC).isoformat(timespec="seconds")}
    write_certificate(path, new)
    return new


def _excerpt(text: str, n: int = 40) -> str:
    return repr(text[:n] + ("..." if len(text) > n else ""))


def _ids(enc: tuple[np.ndarray, np.ndarray], i: int, n: int = 12) -> str:
    ids, off = enc
    doc = ids[off[i] : off[i + 1]].tolist()
    return str(doc[:n])[:-1] + (", ...]" if len(doc) > n else "]")


def check_mode(value: str, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise TokbenchError(f"{what} {value!r}: use one of {', '.join(allowed)}")
    return value
