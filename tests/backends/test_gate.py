"""The verification gate: certificates, the spot check that revokes them, --verify full, the key.

A forged accelerator (the reference's ids with one id changed once armed) stands in for a wrong
engine; gigatoken itself is certified on vendored tokenizers where it is exact.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from tokbench import encode as encode_mod
from tokbench.backends import certify as cert
from tokbench.backends import gate
from tokbench.backends.base import ACCELERATORS, Accelerator, FastEncoder
from tokbench.cli import main
from tokbench.errors import TokbenchError
from tokbench.tokenizers import load_tokenizer
from tokbench.tokenizers.base import Tokenizer


class _ForgedEncoder(FastEncoder):
    def __init__(self, tok: Tokenizer, owner: Forged) -> None:
        self.tok, self.owner, self.reference = tok, owner, tok.encode_flat

    def encode_flat(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        ids, off = self.reference(texts)
        if self.owner.armed and len(ids):  # one id of the first document, as a subtle engine bug would
            ids = ids.copy()
            ids[0] = (int(ids[0]) + 1) % self.tok.vocab_size
        return ids, off


class Forged(Accelerator):
    """Exact during certification, wrong once `armed`."""

    name = "forged"

    def __init__(self) -> None:
        self.armed = False

    @property
    def version(self) -> str:
        return "0.0-test"

    def load(self, tokenizer: Tokenizer) -> FastEncoder | str:
        return _ForgedEncoder(tokenizer, self)


UDHR_SAMPLE = ["All human beings are born free and equal in dignity and rights.", "Tüm insanlar hür doğarlar.",
               "人人生而自由", "  spaces  \t\n", "1234567890", "🙂👍🏽", "<|endoftext|>", ""]  # fmt: skip


@pytest.fixture()
def forged(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> Forged:
    """The forged accelerator, selected by --backend, certified on a small set (the gate is under test)."""
    acc = Forged()
    monkeypatch.setitem(ACCELERATORS._items, acc.name, acc)
    monkeypatch.setenv(gate.BACKEND_ENV, acc.name)

    def small_set(tokenizer: Tokenizer) -> cert.CertSet:
        labels = [f"test/{i}" for i in range(len(UDHR_SAMPLE))]
        return cert.CertSet(list(UDHR_SAMPLE), labels, cert.texts_sha256(UDHR_SAMPLE), {"test": len(UDHR_SAMPLE)})

    monkeypatch.setattr(cert, "certification_set", small_set)
    return acc


def _texts() -> list[str]:
    from tokbench.corpora import load_corpus

    udhr = load_corpus("udhr")
    return list(udhr.texts("articles", "eng_Latn"))


def _only_certificate(tok: Tokenizer) -> dict:
    docs = cert.certificates_for(tok.sha256)
    assert len(docs) == 1
    return docs[0]


def test_spot_check_catches_a_forged_difference_and_revokes(
    forged: Forged, caplog: pytest.LogCaptureFixture
) -> None:
    tok = load_tokenizer("r50k_base")
    texts = _texts()
    gate._state(tok, decide_now=True)  # certification on first use
    assert _only_certificate(tok)["status"] == "certified"
    forged.armed = True
    with caplog.at_level(logging.WARNING):
        enc = encode_mod.encode_texts(tok, texts, label="udhr/articles/eng_Latn")
    ref_ids, ref_off = tok.encode_flat(texts)
    assert np.array_equal(enc.ids, ref_ids) and np.array_equal(enc.doc_offsets, ref_off)  # the cell is the reference's
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert "certificate revoked" in warnings[0] and "r50k_base, udhr/articles/eng_Latn, document 0" in warnings[0]
    c = _only_certificate(tok)
    assert c["status"] == "revoked" and "document 0" in c["reason"]
    assert gate.describe(tok)["encoder"] == "reference"
    # a later process finds the revocation on disk and never uses the accelerator for this file again
    gate.reset()
    with pytest.raises(TokbenchError, match="certificate revoked"):
        gate._state(tok, decide_now=True)  # --backend forged demands it: one clear error


def test_spot_check_passes_an_exact_engine(forged: Forged) -> None:
    tok = load_tokenizer("r50k_base")
    enc = encode_mod.encode_texts(tok, _texts())
    assert np.array_equal(enc.ids, tok.encode_flat(_texts())[0])
    assert _only_certificate(tok)["status"] == "certified"
    assert gate.describe(tok)["encoder"] == "forged"


def test_failed_certification_is_stored_and_the_reference_encodes(
    forged: Forged, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    forged.armed = True  # wrong from the start: certification must refuse it
    monkeypatch.setenv(gate.BACKEND_ENV, "auto")
    monkeypatch.setattr(gate, "CERTIFY_AFTER_CHARS", 0)  # decide at the first call
    tok = load_tokenizer("r50k_base")
    with caplog.at_level(logging.WARNING):
        enc = encode_mod.encode_texts(tok, UDHR_SAMPLE[:3])
    assert np.array_equal(enc.ids, tok.encode_flat(UDHR_SAMPLE[:3])[0])
    failed = [c for c in cert.certificates_for(tok.sha256) if c["accelerator"] == "forged"]
    assert failed and failed[0]["status"] == "failed" and "test/0" in failed[0]["reason"]
    assert any("forged 0.0-test is not used for r50k_base" in r.getMessage() for r in caplog.records)


def test_verify_full_fails_with_exit_2(
    forged: Forged, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TQDM_DISABLE", "1")  # the certification's progress bar
    tok = load_tokenizer("r50k_base")
    gate._state(tok, decide_now=True)
    forged.armed = True
    settings = {k: os.environ.get(k) for k in (gate.BACKEND_ENV, gate.VERIFY_ENV)}
    code = main(["encode", "--tokenizer", "r50k_base", "--corpus", "udhr", "--langs", "eng_Latn", "--quiet",
                 "--backend", "forged", "--verify", "full"])  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert "--verify full" in err and "r50k_base, articles/eng_Latn, document 0" in err
    assert _only_certificate(tok)["status"] == "revoked"
    # the settings lasted for that command only: the process (a notebook, the test suite) is back to its own
    assert {k: os.environ.get(k) for k in settings} == settings and settings[gate.VERIFY_ENV] is None


def test_backend_reference_never_loads_an_accelerator(forged: Forged, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(gate.BACKEND_ENV, "reference")
    forged.armed = True
    tok = load_tokenizer("r50k_base")
    enc = encode_mod.encode_texts(tok, UDHR_SAMPLE)
    assert np.array_equal(enc.ids, tok.encode_flat(UDHR_SAMPLE)[0])
    assert cert.certificates_for(tok.sha256) == []
    assert gate.describe(tok) == {"encoder": "reference", "reason": "--backend reference", "verify": "spot"}


def test_unknown_backend_is_one_clear_error(fresh: Path) -> None:
    with pytest.raises(TokbenchError, match="--backend 'fastest': use one of auto, reference"):
        gate.configure("fastest")


def test_cache_key_is_the_same_whoever_encodes(forged: Forged, monkeypatch: pytest.MonkeyPatch) -> None:
    tok = load_tokenizer("r50k_base")
    monkeypatch.setenv(gate.BACKEND_ENV, "reference")
    first = encode_mod.encode_texts(tok, UDHR_SAMPLE)
    encode_mod.clear_memo()
    monkeypatch.setenv(gate.BACKEND_ENV, "forged")

    def no_encoding(*a: object, **k: object) -> None:
        raise AssertionError("a cached encoding was encoded again")

    monkeypatch.setattr(gate, "encode", no_encoding)
    again = encode_mod.encode_texts(tok, UDHR_SAMPLE)
    assert again.key == first.key and np.array_equal(again.ids, first.ids)


def test_certificate_key_changes_with_the_file(trained_bpe: Path, tmp_path: Path) -> None:
    from tokbench.tokenizers.loader import load_path

    a = load_path(trained_bpe)
    copy = tmp_path / "edited" / "tokenizer.json"
    copy.parent.mkdir()
    shutil.copy(trained_bpe, copy)
    copy.write_text(copy.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # same tokenizer, other bytes
    b = load_path(copy, name=a.name)
    assert a.sha256 != b.sha256
    key = cert.certificate_key(a, "gigatoken", "0.10.0", "s" * 64)
    assert cert.certificate_key(b, "gigatoken", "0.10.0", "s" * 64) != key
    assert cert.certificate_path(b, key).parent != cert.certificate_path(a, key).parent
    assert cert.certificate_key(a, "gigatoken", "0.10.1", "s" * 64) != key  # another version
    assert cert.certificate_key(a, "gigatoken", "0.10.0", "t" * 64) != key  # another certification set


def test_spot_sample_is_deterministic_and_has_the_longest() -> None:
    texts = [f"doc {i}" for i in range(100)]
    texts[37] = "x" * 1000
    sample = gate._spot_sample(texts)
    assert sample == gate._spot_sample(list(texts))
    assert 0 in sample and 99 in sample and 37 in sample and len(sample) == gate.SPOT_DOCS + 1


# --- gigatoken on real files ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["cl100k_base", "qwen3", "mistral_v1", "claude_legacy"])  # last: NFKC
def test_gigatoken_certified_where_exact(name: str, fresh: Path) -> None:
    pytest.importorskip("gigatoken")
    tok = load_tokenizer(name)
    d = gate.describe(tok)  # certifies on the full set: UDHR in every language, hard cases, ...
    c = _only_certificate(tok)
    assert c["status"] == "certified", c["reason"]
    assert d["encoder"] == "gigatoken" and d["certificate"] == c["key"]
    assert c["certification_set"]["udhr"] > 10_000 and c["certification_set"]["hard_cases"] > 500
    texts = _texts()
    assert np.array_equal(encode_mod.encode_texts(tok, texts).ids, tok.encode_flat(texts)[0])


@pytest.mark.parametrize(("name", "why"), [("bert_base_uncased", "wordpiece"), ("xlm_roberta", "unigram")])
def test_gigatoken_declines_what_it_does_not_implement(name: str, why: str, fresh: Path) -> None:
    pytest.importorskip("gigatoken")
    got = ACCELERATORS.get("gigatoken").load(load_tokenizer(name))  # bert's WordPiece goes to word_memo
    assert isinstance(got, str) and why in got


def test_certification_set_covers_the_data_dir(shared_assets: Path) -> None:
    tok = load_tokenizer("llama3")
    s = cert.certification_set(tok)
    assert set(s.sources) == {"udhr", "flores200_dev_sample", "llama_cpp_test_vectors", "hard_cases"}
    assert s.sources["flores200_dev_sample"] == 204 * len(range(0, 997, cert.FLORES_STRIDE))
    assert "<|begin_of_text|>" in s.texts  # the tokenizer's own special tokens are among the hard cases
    assert cert.certification_set(tok).sha256 == s.sha256


def test_spot_check_of_one_long_document_uses_a_prefix(forged: Forged, monkeypatch: pytest.MonkeyPatch) -> None:
    tok = load_tokenizer("r50k_base")
    joined = " ".join(_texts())  # one document, as the Petrov protocol encodes a language
    assert len(joined) > gate.SPOT_CHARS
    gate._state(tok, decide_now=True)  # certified; the forged engine holds the real encode_flat
    calls: list[int] = []
    real = tok.encode_flat
    monkeypatch.setattr(tok, "encode_flat", lambda texts: calls.append(sum(map(len, texts))) or real(texts))
    enc = encode_mod.encode_texts(tok, [joined])
    assert calls == [gate.SPOT_CHARS]  # the reference saw the prefix only
    assert np.array_equal(enc.ids, real([joined])[0])
    forged.armed = True
    encode_mod.encode_texts(tok, [joined + " again"])
    assert _only_certificate(tok)["status"] == "revoked"


def test_result_cells_record_the_encoder(forged: Forged, tmp_path: Path) -> None:
    import json

    import pyarrow.parquet as pq

    from tokbench.metrics import make_row
    from tokbench.results import Cell, ResultStore

    tok = load_tokenizer("r50k_base")
    gate._state(tok, decide_now=True)  # earns the forged accelerator a certificate for this file
    store = ResultStore(tmp_path / "out")
    cell = Cell("r50k_base", tok.sha256, "udhr", "b" * 64, "ctc")
    with store.writing():
        store.save_cell(cell, [make_row("ctc", "eng_Latn", "articles", 1.0, "tokens", 31, None)], 0.1)
        store.write()
    prov = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))["provenance"]
    enc = prov["cells"][0]["encoder"]
    assert enc["backend"] == "forged" and enc["verify"] == "spot"
    assert [(c["accelerator"], c["status"]) for c in enc["certificates"]] == [("forged", "certified")]
    meta = pq.read_schema(tmp_path / "out" / "results.parquet").metadata[b"tokbench"]
    assert b"encoder" not in meta  # the committed parquet stays byte-identical whoever encoded


def test_auto_defers_certification_until_the_reference_did_enough_work(
    forged: Forged, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(gate.BACKEND_ENV, "auto")
    monkeypatch.setattr(gate, "CERTIFY_AFTER_CHARS", 20_000)
    tok = load_tokenizer("r50k_base")
    texts = _texts()  # ~11k characters
    encode_mod.encode_texts(tok, texts)
    assert cert.certificates_for(tok.sha256) == []  # a small job: no certification
    encode_mod.encode_texts(tok, texts[::-1])
    encode_mod.encode_texts(tok, texts[1:])  # past the threshold: certified, then the accelerator encodes
    assert [c["accelerator"] for c in cert.certificates_for(tok.sha256) if c["status"] == "certified"]
    assert gate._state(tok).encoder is not None
    gate.reset()  # a new process: the stored certificate is used from the first small call
    monkeypatch.setattr(gate, "CERTIFY_AFTER_CHARS", 10**12)
    encode_mod.encode_texts(tok, texts[2:])
    assert gate._state(tok).encoder is not None


def test_metric_encodings_are_named_by_corpus_split_language(forged: Forged, caplog: pytest.LogCaptureFixture) -> None:
    from tokbench.corpora import load_corpus
    from tokbench.metrics.context import CorpusView, MetricContext

    tok = load_tokenizer("r50k_base")
    gate._state(tok, decide_now=True)
    forged.armed = True
    ctx = MetricContext(tok, CorpusView(load_corpus("udhr")))
    with caplog.at_level(logging.WARNING):
        stats = ctx.sentences("articles", "tur_Latn")
    reference = tok.encode_flat(load_corpus("udhr").texts("articles", "tur_Latn"))
    assert stats.tokens.tolist() == np.diff(reference[1]).tolist()  # the reference's counts
    assert any("r50k_base, udhr/articles/tur_Latn, document 0" in r.getMessage() for r in caplog.records)


def test_a_multi_cell_call_is_spot_checked_per_cell_and_names_the_cell(
    forged: Forged, caplog: pytest.LogCaptureFixture
) -> None:
    tok = load_tokenizer("r50k_base")
    texts = _texts()
    cells = [texts[:3], texts[3:], [" ".join(texts)]]
    n = len(texts)
    assert n - 3 > gate.SPOT_DOCS + 1
    picks = gate._spot_sample([t for c in cells for t in c], ([0, 3, n, n + 1], ["a", "b", "c"]))
    assert {0, 1, 2, n} <= set(picks) and len([i for i in picks if 3 <= i < n]) in (gate.SPOT_DOCS, gate.SPOT_DOCS + 1)
    gate._state(tok, decide_now=True)
    forged.armed = True  # wrong on document 0 of the call: cell "udhr/x/first", its document 0
    with caplog.at_level(logging.WARNING):
        got = encode_mod.encode_many(tok, cells, labels=["udhr/x/first", "udhr/x/second", "udhr/x/joined"])
    for c, enc in zip(cells, got, strict=True):
        ref_ids, ref_off = tok.encode_flat(c)
        assert np.array_equal(enc.ids, ref_ids) and np.array_equal(enc.doc_offsets, ref_off)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "r50k_base, udhr/x/first, document 0" in warnings[0]
    assert _only_certificate(tok)["status"] == "revoked"


def test_the_certification_set_hash_is_remembered(fresh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tok = load_tokenizer("r50k_base")
    built = cert.certification_set(tok).sha256
    assert cert.certification_set_sha256(tok) == built

    def no_build(tokenizer: Tokenizer) -> cert.CertSet:
        raise AssertionError("the set must not be rebuilt while its inputs are unchanged")

    monkeypatch.setattr(cert, "certification_set", no_build)
    assert cert.certification_set_sha256(tok) == built
    memo = cert._set_memo_path(tok)
    assert memo.read_text().strip() == built and memo != cert._set_memo_path(load_tokenizer("cl100k_base"))


def test_a_rust_panic_in_the_engine_fails_certification_quietly(
    forged: Forged, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """pyo3 re-raises a Rust panic as a BaseException: certification records it as a failure (the reference
    encodes), it does not end the run with a panic dump."""
    panic = type("PanicException", (BaseException,), {"__module__": "pyo3_runtime"})

    def explode(self: FastEncoder, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        raise panic("assertion `left == right` failed")

    monkeypatch.setattr(_ForgedEncoder, "encode_flat", explode)
    monkeypatch.setenv(gate.BACKEND_ENV, "auto")
    monkeypatch.setattr(gate, "CERTIFY_AFTER_CHARS", 0)
    tok = load_tokenizer("r50k_base")
    enc = encode_mod.encode_texts(tok, UDHR_SAMPLE[:3])
    assert np.array_equal(enc.ids, tok.encode_flat(UDHR_SAMPLE[:3])[0])
    (c,) = [c for c in cert.certificates_for(tok.sha256) if c["accelerator"] == "forged"]
    assert c["status"] == "failed" and "the Rust library panicked: assertion" in c["reason"], c["reason"]
    assert "Traceback" not in capfd.readouterr().err


def test_gigatoken_panic_at_load_is_a_reason_and_p50k_gap_is_filled(fresh: Path) -> None:
    """p50k_base's ranks skip 50256 (its <|endoftext|>): a letter+digit placeholder no GPT-2 piece can hold fills
    it and gigatoken certifies. A placeholder gigatoken cannot derive merges for makes it panic (0.10.0):
    that is a reason to use the reference, with the panic's dump kept off the terminal (checked in a child
    process: the dump goes to file descriptor 2, which pytest's capture does not own)."""
    gt = pytest.importorskip("tokbench.backends.gigatoken_")
    pytest.importorskip("gigatoken")
    tok = load_tokenizer("p50k_base")
    dense = gt._dense(tok._ranks)
    assert dense is not None and len(dense) == len(tok._ranks) + 1
    (filler,) = set(dense) - set(tok._ranks)
    assert dense[filler] == 50256 and filler[:1].isalpha() and filler[1:].isdigit()
    assert gate.describe(tok)["encoder"] == "gigatoken"
    code = ("from tokbench.backends import gigatoken_ as gt; from tokbench.tokenizers import load_tokenizer; "
            "gt._dense = lambda ranks: {**ranks, b'\\x00' * 600: 50256}; "
            "print(gt.Gigatoken().load(load_tokenizer('p50k_base')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("gigatoken cannot load it (the Rust library panicked"), done.stdout
    assert "panicked at" not in done.stderr, done.stderr


def test_a_shed_encoder_is_loaded_again_without_a_new_certification(
    forged: Forged, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An accelerator's memo grows with what it encodes, so the gate drops it after SHED_AFTER_CHARS and
    between a run's cells (release_encoders); the next call loads it again under the same certificate, and
    the spot check still guards every call."""
    loads, certified = [], []
    real_load, real_certify = Forged.load, cert.certify
    monkeypatch.setattr(Forged, "load", lambda self, tok: loads.append(1) or real_load(self, tok))
    monkeypatch.setattr(cert, "certify", lambda *a, **k: certified.append(1) or real_certify(*a, **k))
    monkeypatch.setattr(gate, "SHED_AFTER_CHARS", 1_000)
    tok = load_tokenizer("r50k_base")
    texts = _texts()
    assert sum(map(len, texts)) > 1_000
    for _ in range(2):
        ids, off = gate.encode(tok, texts)
        assert np.array_equal(ids, tok.encode_flat(texts)[0]) and np.array_equal(off, tok.encode_flat(texts)[1])
        assert gate.describe(tok)["encoder"] == "forged"  # shed, still the certified encoder
    assert len(loads) == 2 and len(certified) == 1
    # between cells: only an encoder that encoded at least min_chars is dropped
    gate.encode(tok, ["short"])  # loaded a third time (the second call shed it)
    assert not gate.release_encoders(min_chars=1_000)
    assert gate.release_encoders(min_chars=1) and not gate.release_encoders(min_chars=1)
    forged.armed = True  # wrong after a reload: the spot check catches it as before
    with caplog.at_level(logging.WARNING):
        ids, _ = gate.encode(tok, texts)
    assert np.array_equal(ids, tok.encode_flat(texts)[0])
    assert _only_certificate(tok)["status"] == "revoked" and len(loads) == 4
