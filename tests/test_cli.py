"""The `tokbench` command: list and encode, JSON output, and bad input as exit 2 with one line."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from tokbench import encode as encode_mod
from tokbench.cli import main
from tokbench.datadirs import VENDORED_DIR, set_cli_data_dirs
from tokbench.manifests import corpus_manifests, tokenizer_manifests
from tokbench.tokenizers import load_tokenizer

STATUSES = {"vendored", "available", "missing"}


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(encode_mod, "_memo", encode_mod._Memo(1 << 30))
    yield
    set_cli_data_dirs(None)  # --data-dir is process state; do not leak it into other tests


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, err: str) -> str:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tokbench: error: "), err
    assert "Traceback" not in err
    return lines[0]


def udhr_expected(langs: list[str]) -> dict[str, tuple[int, int]]:
    """Documents and UTF-8 bytes per language, straight from the vendored file."""
    docs: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with gzip.open(VENDORED_DIR / "corpora" / "udhr" / "udhr_articles.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["lang"] in langs:
                docs[r["lang"]][0] += 1
                docs[r["lang"]][1] += len(r["text"].encode("utf-8"))
    return {k: (v[0], v[1]) for k, v in docs.items()}


# --- list ------------------------------------------------------------------------------------
def test_list_tokenizers_json(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOKBENCH_DATA", raising=False)
    code, out, err = run(capsys, "list", "tokenizers", "--json")
    assert code == 0 and err == ""
    rows = json.loads(out)
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == set(tokenizer_manifests())
    assert all(r["status"] in STATUSES for r in rows)
    for name, m in tokenizer_manifests().items():
        assert by_name[name]["format"] == m.format and by_name[name]["algorithm"] == m.algorithm
        assert (by_name[name]["status"] == "vendored") == m.vendored, name  # nothing else on the path
    assert by_name["cl100k_base"]["status"] == "vendored"
    assert by_name["llama2"]["status"] == "missing"


def test_list_with_data_dir_marks_available(capsys: pytest.CaptureFixture[str], shared_assets: Path) -> None:
    code, out, _ = run(capsys, "list", "tokenizers", "--json", "--data-dir", str(shared_assets))
    by_name = {r["name"]: r for r in json.loads(out)}
    assert code == 0
    assert by_name["llama2"]["status"] == "available"
    assert by_name["cl100k_base"]["status"] == "vendored"


def test_list_corpora_json(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOKBENCH_DATA", raising=False)
    code, out, err = run(capsys, "list", "corpora", "--json")
    assert code == 0 and err == ""
    rows = {r["name"]: r for r in json.loads(out)}
    assert set(rows) == set(corpus_manifests())
    assert all(r["status"] in STATUSES for r in rows.values())
    assert rows["udhr"]["status"] == "vendored" and rows["code_samples"]["status"] == "vendored"
    assert rows["flores200"]["status"] == "missing"
    assert rows["flores200"]["languages"] == 204 and len(rows["flores200"]["language_codes"]) == 204
    assert rows["code_samples"]["subsets"] and rows["code_samples"]["languages"] == 15
    assert rows["flores200"]["parallel"] is True


def test_list_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list", "tokenizers")
    assert code == 0 and "cl100k_base" in out and "vendored" in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


# --- encode ----------------------------------------------------------------------------------
def test_encode_json_rows(capsys: pytest.CaptureFixture[str]) -> None:
    langs = ["eng_Latn", "tur_Latn"]
    code, out, err = run(
        capsys, "encode", "--tokenizer", "cl100k_base", "--corpus", "udhr", "--langs", *langs, "--json", "-q"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["tokenizer"] == "cl100k_base" and doc["corpus"] == "udhr"
    rows = doc["rows"]
    assert [(r["split"], r["lang"]) for r in rows] == [
        ("articles", "eng_Latn"),
        ("articles", "tur_Latn"),
        ("all", "TOTAL"),
    ]
    expected = udhr_expected(langs)
    enc = load_tokenizer("cl100k_base").encoding
    with gzip.open(VENDORED_DIR / "corpora" / "udhr" / "udhr_articles.jsonl.gz", "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    for r in rows[:2]:
        n_docs, n_bytes = expected[r["lang"]]
        assert r["documents"] == n_docs == 31  # preamble + 30 articles
        assert r["bytes"] == n_bytes
        tokens = sum(len(enc.encode_ordinary(x["text"])) for x in records if x["lang"] == r["lang"])
        assert r["tokens"] == tokens
        assert r["bytes_per_token"] == pytest.approx(n_bytes / tokens)
    total = rows[2]
    assert total["documents"] == 62
    assert total["bytes"] == sum(b for _, b in expected.values())
    assert total["tokens"] == rows[0]["tokens"] + rows[1]["tokens"]
    assert rows[1]["bytes_per_token"] < rows[0]["bytes_per_token"]  # Turkish costs more tokens per byte


def test_encode_jobs_2_same_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["encode", "--tokenizer", "mistral_v1", "--corpus", "udhr", "--langs", "eng_Latn", "deu_Latn", "fra_Latn"]
    code1, out1, _ = run(capsys, *argv, "--json", "-q")
    encode_mod._memo.clear()
    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path / "cache2"))  # the workers really encode
    code2, out2, _ = run(capsys, *argv, "--json", "-q", "--jobs", "2")
    assert code1 == code2 == 0
    assert json.loads(out1) == json.loads(out2)
    assert len(list((tmp_path / "cache2" / "encodings").rglob("*.npz"))) == 3


def test_encode_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "encode", "--tokenizer", "cl100k_base", "--corpus", "udhr", "--langs", "eng_Latn", "-q")
    assert code == 0 and "eng_Latn" in out and "TOTAL" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--corpus", "udhr", "--langs", "xxx_Latn"], "has no language 'xxx_Latn'; it has aar_Latn"),
        (["--corpus", "udhr", "--langs", "eng_Latn", "tlh_Latn"], "tlh_Latn"),
        (["--corpus", "udhr", "--split", "nosuchsplit"], "no split 'nosuchsplit'"),
        (["--corpus", "udhr", "--langs", ""], "has no language ''"),
        (["--corpus", "no_such_corpus"], "unknown corpus 'no_such_corpus'"),
    ],
    ids=["unknown_lang", "one_unknown_lang", "empty_split_selection", "empty_lang", "unknown_corpus"],
)
def test_encode_bad_selection_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str) -> None:
    code, out, err = run(capsys, "encode", "--tokenizer", "cl100k_base", *argv, "-q")
    assert fragment in one_line_error(code, err)
    assert out == ""


def test_missing_corpus_data_exit_2(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TOKBENCH_DATA", raising=False)
    monkeypatch.delenv("TOKBENCH_ALLOW_HUB", raising=False)
    import tokbench.corpora
    from tokbench.corpora import load_corpus

    # another test may have loaded it with the shared assets on the path: skip the process cache
    monkeypatch.setattr(tokbench.corpora, "load_corpus", load_corpus.__wrapped__)
    code, _, err = run(capsys, "encode", "--tokenizer", "cl100k_base", "--corpus", "turkish_mmlu", "-q")
    line = one_line_error(code, err)
    assert "corpus 'turkish_mmlu'" in line and "--data-dir" in line


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["list"], ["list", "nothing"], ["encode", "--corpus", "udhr"], []):
        with pytest.raises(SystemExit) as ei:
            main(argv)
        assert ei.value.code == 2
    capsys.readouterr()
    with pytest.raises(SystemExit) as ei:
        main(["--version"])
    assert ei.value.code == 0 and "tokbench" in capsys.readouterr().out
