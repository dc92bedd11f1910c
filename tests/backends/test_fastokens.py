"""fastokens behind the gate: certified where it is exact on files gigatoken refuses (falcon: a vocabulary
without every single byte; mistral_tekken: ranks above 1000 special ids; deepseek_coder from the data
directory: Split regexes), tried after gigatoken, declined with a reason for what it cannot load, a load failure or a
Rust panic a reason too, and a forked child still encodes after its parent used the worker threads."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tokbench import encode as encode_mod
from tokbench.backends import base as backends_base
from tokbench.backends import certify as cert
from tokbench.backends import gate
from tokbench.backends.base import ACCELERATORS
from tokbench.tokenizers import base as tokenizers_base
from tokbench.tokenizers import load_tokenizer
from tokbench.tokenizers.base import Tokenizer

pytest.importorskip("fastokens")
fk = pytest.importorskip("tokbench.backends.fastokens_")

SAMPLE = ["All human beings are born free and equal in dignity and rights.", "Tüm insanlar hür doğarlar.",
          "人人生而自由", "  spaces  \t\n", "1234567890", "🙂👍🏽", "<|endoftext|>", "</s> [INST]", ""]  # fmt: skip


def _udhr(langs: tuple[str, ...] = ("eng_Latn", "tur_Latn", "cmn_Hans", "arb_Arab", "hin_Deva")) -> list[str]:
    from tokbench.corpora import load_corpus

    udhr = load_corpus("udhr")
    have = set(udhr.languages("articles"))
    return [t for lang in langs if lang in have for t in udhr.texts("articles", lang)]


def _certified_by_fastokens(tok: Tokenizer) -> dict:
    if "gigatoken" in ACCELERATORS and ACCELERATORS.get("gigatoken").version is not None:
        assert isinstance(ACCELERATORS.get("gigatoken").load(tok), str)  # gigatoken refuses it, so fastokens is tried
    d = gate.describe(tok)  # certifies on the full set: UDHR in every language, hard cases (and FLORES with data)
    (c,) = cert.certificates_for(tok.sha256)
    assert c["accelerator"] == "fastokens" and c["status"] == "certified", c["reason"]
    assert d["encoder"] == "fastokens" and d["certificate"] == c["key"] and d["version"] == c["accelerator_version"]
    assert c["certification_set"]["udhr"] > 10_000 and c["certification_set"]["hard_cases"] > 500
    texts = _udhr() + SAMPLE
    enc = encode_mod.encode_texts(tok, texts)  # through the gate: fastokens encodes, spot-checked
    ref_ids, ref_off = tok.encode_flat(texts)
    assert np.array_equal(enc.ids, ref_ids) and np.array_equal(enc.doc_offsets, ref_off)
    return c


_CHILD_IMPORTS = """
import json
import numpy as np
from tokbench import encode as encode_mod
from tokbench.backends import certify as cert, gate
from tokbench.backends.base import ACCELERATORS
from tokbench.tokenizers import load_tokenizer
from tokbench.tokenizers.base import Tokenizer
"""


def _certified_in_a_child(name: str) -> dict:
    """`_certified_by_fastokens` in a child process (same environment: the test's empty cache). A certification
    holds its whole set and a Rust tokenizer (+0.8 GB for deepseek_coder with FLORES), and what the allocator
    kept of it afterwards (~0.24 GB) raised every later module's starting memory: the suite peaked at 2.09 GB."""
    code = (_CHILD_IMPORTS + f"SAMPLE = {SAMPLE!r}\n" + inspect.getsource(_udhr)
            + inspect.getsource(_certified_by_fastokens)
            + f"print(json.dumps(_certified_by_fastokens(load_tokenizer({name!r}))))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ))
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", ["falcon", "mistral_tekken"])
def test_certified_where_exact(name: str, fresh: Path) -> None:
    _certified_in_a_child(name)


def test_certified_on_a_split_regex_tokenizer_of_the_data_dir(shared_assets: Path, fresh: Path) -> None:
    c = _certified_in_a_child("deepseek_coder")
    assert c["certification_set"]["flores200_dev_sample"] > 10_000 and c["certification_set"]["llama_cpp_test_vectors"]


def test_encode_flat_contract_and_tekken_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokenizers_base, "FLAT_CHUNK_CHARS", 40)  # several library calls, one document per call too
    tok = load_tokenizer("mistral_tekken")
    enc = fk.Fastokens().load(tok)
    assert not isinstance(enc, str), enc
    ids, off = enc.encode_flat([])
    assert ids.dtype == np.uint32 and len(ids) == 0 and off.tolist() == [0]
    texts = [*SAMPLE, "x" * 100, "", *SAMPLE]
    ids, off = enc.encode_flat(tuple(texts))  # any sequence, as the contract says
    ref_ids, ref_off = tok.encode_flat(texts)
    assert ids.dtype == np.uint32 and off.dtype == np.int64 and ids.flags.writeable
    assert np.array_equal(ids, ref_ids) and np.array_equal(off, ref_off)
    assert int(ids.min()) >= tok._offset == 1000  # ranks shifted above tekken's special ids, as the reference does


def test_gigatoken_is_tried_first(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """r50k_base loads in both: gigatoken (order 0) is certified and used, fastokens (order 1) never tried."""
    pytest.importorskip("gigatoken")
    assert ACCELERATORS.get("fastokens").order > ACCELERATORS.get("gigatoken").order

    def small_set(tokenizer: Tokenizer) -> cert.CertSet:
        return cert.CertSet(list(SAMPLE), [f"test/{i}" for i in range(len(SAMPLE))], cert.texts_sha256(SAMPLE),
                            {"test": len(SAMPLE)})

    monkeypatch.setattr(cert, "certification_set", small_set)
    tok = load_tokenizer("r50k_base")
    assert gate.describe(tok)["encoder"] == "gigatoken"
    assert [c["accelerator"] for c in cert.certificates_for(tok.sha256)] == ["gigatoken"]


@pytest.mark.parametrize(("name", "why"), [
    ("bert_base_uncased", "fastokens implements BPE only, not wordpiece"),
    ("xlm_roberta", "fastokens has no loader for SentencePieceTokenizer"),
    ("mistral_v1", "fastokens has no loader for SentencePieceTokenizer"),
    ("p50k_base", "fastokens needs dense ranks"),  # gigatoken fills 50256 and takes it
    ("claude_legacy", "fastokens cannot load it (ValueError: normalizer error: unsupported normalizer type: NFKC)"),
])  # fmt: skip
def test_declines_with_a_reason(name: str, why: str) -> None:
    got = fk.Fastokens().load(load_tokenizer(name))
    assert isinstance(got, str) and got.startswith(why), got


def test_xlm_roberta_goes_to_the_reference_with_every_reason(fresh: Path) -> None:
    d = gate.describe(load_tokenizer("xlm_roberta"))
    assert d["encoder"] == "reference" and "fastokens has no loader for SentencePieceTokenizer" in d["reason"]
    assert "word_memo has no loader for SentencePieceTokenizer" in d["reason"]


def test_not_installed_is_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import PackageNotFoundError

    def missing(name: str) -> str:
        raise PackageNotFoundError(name)

    monkeypatch.setattr(backends_base, "dist_version", missing)
    backends_base.installed_version.cache_clear()  # looked up once per process
    try:
        assert fk.Fastokens().version is None
        why = fk.Fastokens().load(load_tokenizer("falcon"))
        assert why == "fastokens is not installed (pip install 'tokbench[fast]')"
    finally:
        backends_base.installed_version.cache_clear()  # the tests after this one look up the real version


def test_a_rust_panic_at_load_is_a_reason_without_its_dump() -> None:
    """pyo3 raises a Rust panic as a BaseException after the panic hook printed to file descriptor 2: the load
    returns a reason and the dump stays off the terminal (a child process: pytest's capture does not own fd 2)."""
    code = """
import os, fastokens
from tokbench.backends.fastokens_ import Fastokens
from tokbench.tokenizers import load_tokenizer
panic = type("PanicException", (BaseException,), {"__module__": "pyo3_runtime"})
class Exploding:
    @staticmethod
    def from_json_str(text, **kw):
        os.write(2, b"thread '<unnamed>' panicked at src/model.rs:1:1:\\nindex out of bounds\\n")
        raise panic("index out of bounds: the len is 3 but the index is 7")
fastokens.Tokenizer = Exploding
print(Fastokens().load(load_tokenizer("falcon")))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "fastokens cannot load it (the Rust library panicked: index out of bounds: the len " \
        "is 3 but the index is 7)", done.stdout
    assert "panicked at" not in done.stderr, done.stderr


def test_a_child_forked_after_the_parent_encoded_gets_the_same_ids() -> None:
    """The parent's encode starts fastokens' worker thread; a forked child has none and must not wait for it
    (gigatoken's rayon pool hangs there). In a child process with an alarm, so a hang fails instead of blocking."""
    code = """
import hashlib, os, signal
from tokbench.backends.fastokens_ import Fastokens
from tokbench.corpora import load_corpus
from tokbench.tokenizers import load_tokenizer
udhr = load_corpus("udhr")
texts = [t for lang in udhr.languages("articles")[:40] for t in udhr.texts("articles", lang)]
tok = load_tokenizer("falcon")
enc = Fastokens().load(tok)
digest = lambda a: hashlib.sha256(a[0].tobytes() + a[1].tobytes()).hexdigest()
parent = enc.encode_flat(texts)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    signal.alarm(60)
    os.write(w, digest(enc.encode_flat(texts)).encode())
    os._exit(0)
os.close(w)
child = os.read(r, 64).decode()
_, status = os.waitpid(pid, 0)
print(status, child == digest(parent), digest(parent) == digest(tok.encode_flat(texts)))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "True", "True"], (done.stdout, done.stderr)
