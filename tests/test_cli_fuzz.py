"""Hostile and malformed input, one root cause per group (issue #8): every case ends with exactly one
line on stderr and exit 2 (or succeeds where the input is valid), never a traceback, and loses nothing.

Fixtures are small files made here. The `--json` purity tests run real subprocesses, because the
output that broke JSON came from native code writing to file descriptor 1, which no in-process
capture sees.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tokbench import encode as encode_mod
from tokbench.cache import EncodeCache
from tokbench.cli import main
from tokbench.datadirs import set_cli_data_dirs
from tokbench.results import LOCK_FILE, read_results
from tokbench.runner import RunConfig, run_grid


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(encode_mod, "_memo", encode_mod._Memo(1 << 30))
    monkeypatch.setattr(EncodeCache, "_disabled_reason", None)
    yield
    set_cli_data_dirs(None)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as e:  # argparse usage errors
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, out: str, err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert code == 2, (code, err)
    assert len(lines) == 1 and "error:" in lines[0], err
    assert "Traceback" not in err and "panicked at" not in err
    assert out == ""
    return lines[0]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- 1. Rust panics in the tokenizer libraries ------------------------------------------------
def _bpe_json(merges: list[str]) -> dict:
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None,
        "pre_tokenizer": {"type": "Whitespace"}, "post_processor": None, "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                  "vocab": {"a": 0, "b": 1, "c": 2}, "merges": merges},
    }  # fmt: skip


def _panicking_inputs(tmp: Path) -> dict[str, Path]:
    (tmp / "bad_merge.json").write_text(json.dumps(_bpe_json(["a b"])))  # "ab" is not in the vocabulary
    (tmp / "vm").mkdir()
    (tmp / "vm" / "vocab.json").write_text(json.dumps({"a": 0, "b": 1, "c": 2}))
    (tmp / "vm" / "merges.txt").write_text("#version: 0.2\na b\n")
    ranks = [f"{base64.b64encode(bytes([i])).decode()} {i}" for i in range(256)]
    ranks.append(f"{base64.b64encode(b'ab').decode()} 5")  # rank 5 twice
    (tmp / "cl100k_base.tiktoken").write_text("\n".join(ranks) + "\n")
    return {"merge_outside_vocab_json": tmp / "bad_merge.json", "merge_outside_vocab_txt": tmp / "vm",
            "duplicate_tiktoken_ranks": tmp / "cl100k_base.tiktoken"}  # fmt: skip


@pytest.mark.parametrize("case", ["merge_outside_vocab_json", "merge_outside_vocab_txt", "duplicate_tiktoken_ranks"])
def test_rust_panics_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    path = _panicking_inputs(tmp_path)[case]
    code, out, err = run(capsys, "encode", "--tokenizer", str(path), "--corpus", "udhr", "--langs", "eng_Latn", "-q")
    line = one_line_error(code, out, err)
    assert str(path.name) in line


def test_valid_tiny_bpe_still_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = _bpe_json(["a b"])
    doc["model"]["vocab"]["ab"] = 3
    (tmp_path / "ok.json").write_text(json.dumps(doc))
    code, out, _ = run(capsys, "encode", "--tokenizer", str(tmp_path / "ok.json"), "--corpus", "udhr",
                       "--langs", "eng_Latn", "--json", "-q")  # fmt: skip
    assert code == 0 and json.loads(out)["rows"][0]["documents"] > 0


# --- 2 and 7. Manifests: typed fields, paths confined to the data directory -------------------
def _manifest_dir(tmp: Path, kind: str, doc: dict | bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp / "manifests" / kind
    d.mkdir(parents=True, exist_ok=True)
    (d / "m.yaml").write_bytes(doc if isinstance(doc, bytes) else yaml.safe_dump(doc).encode())
    monkeypatch.setenv("TOKBENCH_MANIFESTS", str(tmp / "manifests"))


TOKENIZER = {"name": "t", "format": "hf_json", "algorithm": "bpe",
             "files": [{"path": "tokenizers/t/tokenizer.json", "sha256": "a" * 64}],
             "source": {"hub": "org/model", "revision": "abc"}, "license": "MIT", "citation": "x"}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"name": ["a", "b"]}, "name: Input should be a valid string"),
        ({"options": 5}, "options: Input should be a valid dictionary"),
        ({"aliases": 5}, "aliases: Input should be a valid tuple"),
        ({"files": [{"path": "../../../../etc/passwd", "sha256": "a" * 64}]}, "stay inside it"),
        ({"files": [{"path": "/etc/passwd", "sha256": "a" * 64}]}, "must be relative"),
    ],
    ids=["name_list", "options_number", "aliases_number", "path_dotdot", "path_absolute"],
)
def test_bad_manifest_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, change: dict, fragment: str
) -> None:
    _manifest_dir(tmp_path, "tokenizers", {**TOKENIZER, **change}, monkeypatch)
    line = one_line_error(*run(capsys, "list", "tokenizers", "-q"))
    assert fragment in line and "m.yaml" in line


def test_non_utf8_manifest(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _manifest_dir(tmp_path, "tokenizers", "name: t\ncitation: Ş\n".encode("iso-8859-9"), monkeypatch)
    assert "not UTF-8" in one_line_error(*run(capsys, "list", "tokenizers"))


def test_corpus_manifest_cannot_read_outside_the_data_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real file with its real checksum is still refused when the path climbs out."""
    secret = tmp_path / "secret.jsonl"
    secret.write_text('{"id": "1", "lang": "eng_Latn", "text": "private"}\n')
    data = tmp_path / "data"
    data.mkdir()
    doc = _corpus_doc("leak", "../secret.jsonl", _sha(secret.read_bytes()))
    _manifest_dir(tmp_path, "corpora", doc, monkeypatch)
    line = one_line_error(*run(capsys, "encode", "--tokenizer", "cl100k_base", "--corpus", "leak",
                               "--data-dir", str(data), "-q"))  # fmt: skip
    assert "stay inside it" in line


# --- 3. Corpus files that `datasets` cannot read --------------------------------------------
def _corpus_doc(name: str, rel: str, sha: str) -> dict:
    return {"name": name, "loader": "jsonl_records", "files": [{"path": rel, "sha256": sha}],
            "source": {"url": "file:///local", "retrieved": "2026-12-01"}, "license": "MIT", "citation": "test",
            "splits": ["test"], "domain": "web", "parallel": False, "languages": ["tur_Latn"]}  # fmt: skip


BAD_CORPUS_FILES = {
    "non_utf8": ('{"id": "1", "lang": "tur_Latn", "text": "Ş"}\n'.encode("iso-8859-9"), "not UTF-8"),
    "empty_file": (b"", "is empty"),
    "truncated": (b'{"id": "1", "lang": "tur_Latn", "text": "abc"}\n{"id": "2", "lang": "tur_Lat', "JSON parse error"),
    "lone_surrogate": (b'{"id": "1", "lang": "tur_Latn", "text": "a\\ud800b"}\n', "surrogate"),
    "all_texts_empty": (b'{"id": "1", "lang": "tur_Latn", "text": ""}\n', "has no text"),
}


@pytest.mark.parametrize("case", list(BAD_CORPUS_FILES))
def test_bad_corpus_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    data, fragment = BAD_CORPUS_FILES[case]
    path = tmp_path / "data" / "corpora" / "bad" / f"{case}.jsonl"
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    _manifest_dir(tmp_path, "corpora", _corpus_doc(f"bad_{case}", f"corpora/bad/{case}.jsonl", _sha(data)), monkeypatch)
    line = one_line_error(*run(capsys, "encode", "--tokenizer", "cl100k_base", "--corpus", f"bad_{case}",
                               "--data-dir", str(tmp_path / "data"), "-q"))  # fmt: skip
    assert fragment in line


def test_wrong_checksum_names_both_hashes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "data" / "corpora" / "c" / "c.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text('{"id": "1", "lang": "tur_Latn", "text": "merhaba"}\n')
    _manifest_dir(tmp_path, "corpora", _corpus_doc("c", "corpora/c/c.jsonl", "b" * 64), monkeypatch)
    line = one_line_error(*run(capsys, "encode", "--tokenizer", "cl100k_base", "--corpus", "c",
                               "--data-dir", str(tmp_path / "data"), "-q"))  # fmt: skip
    assert "checksum mismatch" in line and "b" * 64 in line and _sha(path.read_bytes()) in line


# --- 4. `tokbench report` on what is not a results folder ------------------------------------
@pytest.mark.parametrize("what", ["file", "truncated_parquet", "json_list", "missing"])
def test_report_refuses_bad_results(tmp_path: Path, capsys: pytest.CaptureFixture[str], what: str) -> None:
    target = tmp_path / "r"
    if what == "file":
        target = tmp_path / "notes.txt"
        target.write_text("hi")
    elif what == "truncated_parquet":
        target.mkdir()
        (target / "results.parquet").write_bytes(b"PAR1\x00\x00")
    elif what == "json_list":
        target.mkdir()
        (target / "results.json").write_text("[1, 2, 3]")
    one_line_error(*run(capsys, "report", str(target), "-q"))


# --- 5. Output and cache paths ----------------------------------------------------------------
def _run_args(out: Path) -> list[str]:
    return ["run", "--tokenizers", "cl100k_base", "--corpora", "udhr", "--metrics", "bytes_per_token",
            "--langs", "eng_Latn", "--option", "bootstrap=0", "--out", str(out), "-q"]  # fmt: skip


def test_out_that_cannot_be_created(capsys: pytest.CaptureFixture[str]) -> None:
    line = one_line_error(*run(capsys, *_run_args(Path("/proc/tokbench-nope/out"))))
    assert "cannot create the output folder" in line


def test_out_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "f").write_text("x")
    assert "is a file" in one_line_error(*run(capsys, *_run_args(tmp_path / "f")))


def test_unwritable_cache_warns_once_and_the_run_finishes(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Root ignores file modes, so a read-only cache is simulated where it bites: the atomic write."""
    import tokbench.cache as cache_mod

    def refuse(path: object, data: bytes, durable: bool = True) -> None:
        raise PermissionError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(cache_mod, "atomic_write_bytes", refuse)
    args = _run_args(tmp_path / "out")
    args[args.index("bytes_per_token")] = "bytes_per_token,chars_per_token"
    args[args.index("eng_Latn")] = "eng_Latn,fra_Latn"
    code, out, _ = run(capsys, *args)
    assert code == 0 and "2 cells computed" in out
    warnings = [r for r in caplog.records if "cannot be written" in r.getMessage()]
    assert len(warnings) == 1  # once, however many entries could not be stored
    table, _ = read_results(tmp_path / "out")
    assert set(table["language"]) == {"eng_Latn", "fra_Latn"}


def test_full_disk_on_the_output_is_one_line_and_leaves_nothing_partial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import tokbench.io as io_mod

    real_replace = os.replace

    def full(src: str, dst: object) -> None:
        if str(dst).endswith((".json", ".parquet")):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(io_mod.os, "replace", full)
    line = one_line_error(*run(capsys, *_run_args(tmp_path / "out")))
    assert "no space left" in line
    leftovers = [p for p in (tmp_path / "out").rglob("*") if p.is_file() and p.name != LOCK_FILE]
    assert leftovers == []


# --- 6. A damaged ledger cell is recomputed ---------------------------------------------------
@pytest.mark.parametrize("content", ["{}", '{"cell": {}, "finished": "x", "rows": [{"value": 1}]}', "{trunc"])
def test_damaged_ledger_cell_is_recomputed(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str) -> None:
    out = tmp_path / "out"
    assert run(capsys, *_run_args(out))[0] == 0
    (cell,) = list((out / "cells").glob("*.json"))
    good = json.loads(cell.read_text())
    cell.write_text(content)
    code, stdout, _ = run(capsys, *_run_args(out))
    assert code == 0 and "1 cells computed" in stdout
    assert json.loads(cell.read_text())["rows"] == good["rows"]


# --- 8. Nonsense numbers -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--tokenizers", "cl100k_base", "--corpora", "udhr", "--metrics", "fertility",
         "--option", "bootstrap=-5", "--out", "{tmp}/unused"],
        ["run", "--tokenizers", "cl100k_base", "--corpora", "udhr", "--metrics", "premium",
         "--option", "unk_threshold=3", "--out", "{tmp}/unused"],
        ["mixture", "cl100k_base", "--categories", "code_samples", "--bootstrap", "-3"],
        ["mixture", "cl100k_base", "--categories", "code_samples", "--merges", "0"],
        ["encode", "--tokenizer", "cl100k_base", "--corpus", "udhr", "--jobs", "-1"],
    ],
    ids=["bootstrap_negative", "threshold_above_1", "mixture_bootstrap_negative", "zero_merges", "negative_jobs"],
)  # fmt: skip
def test_nonsense_numbers_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    one_line_error(*run(capsys, *(a.format(tmp=tmp_path) for a in argv)))
    assert not (tmp_path / "unused").exists()  # refused before the out folder was made


# --- 9. Noise before the one line ---------------------------------------------------------------
def test_remote_code_folder_refused_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"auto_map": {"AutoTokenizer": ["tok.T", None]}}))
    (tmp_path / "tok.py").write_text("raise SystemExit('remote code ran')\n")
    line = one_line_error(*run(capsys, "encode", "--tokenizer", str(tmp_path), "--corpus", "udhr", "-q"))
    assert "custom code" in line


def test_usage_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "encode", "--corpus", "udhr")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "--tokenizer" in err


# --- leftovers, concurrency, file modes -------------------------------------------------------
def test_stale_temp_files_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "cells").mkdir(parents=True)
    stale_cell = out / "cells" / ".x.json.abc123.tmp"
    stale_cell.write_text("partial")
    stale_npz = tmp_path / "cache" / "encodings" / "ab" / ".ab12.npz.zz.tmp"
    stale_npz.parent.mkdir(parents=True)
    stale_npz.write_bytes(b"\0" * 1000)
    os.utime(stale_npz, (0, 0))  # long before this run
    fresh_npz = stale_npz.with_name(".cd34.npz.yy.tmp")  # another run's write in progress
    fresh_npz.write_bytes(b"\0")
    run_grid(RunConfig(out, ["cl100k_base"], ["udhr"], ["bytes_per_token"], ["eng_Latn"], {"bootstrap": "0"}),
             log=lambda s: None)  # fmt: skip
    assert not stale_cell.exists() and not stale_npz.exists() and fresh_npz.exists()


def test_second_run_on_the_same_folder_waits_and_results_match(tmp_path: Path) -> None:
    from filelock import FileLock

    out = tmp_path / "out"
    out.mkdir()
    cfg = RunConfig(out, ["cl100k_base"], ["udhr"], ["bytes_per_token"], ["eng_Latn"], {"bootstrap": "0"})
    waiting = threading.Event()
    messages: list[str] = []

    def log(s: str) -> None:
        messages.append(s)
        if "waiting" in s:
            waiting.set()

    holder = FileLock(out / LOCK_FILE)
    holder.acquire()
    result: dict[str, object] = {}
    t = threading.Thread(target=lambda: result.setdefault("summary", run_grid(cfg, log=log)))
    t.start()
    assert waiting.wait(60), messages
    assert not (out / "results.parquet").exists()  # it waited instead of computing
    holder.release()
    t.join(120)
    first = result["summary"]
    again = run_grid(cfg, log=lambda s: None)
    assert first.computed == 1 and again.computed == 0 and again.table.equals(first.table)


def test_written_files_get_the_umask_mode(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_grid(RunConfig(out, ["cl100k_base"], ["udhr"], ["bytes_per_token"], ["eng_Latn"], {"bootstrap": "0"}),
             log=lambda s: None)  # fmt: skip
    mask = os.umask(0o022)
    os.umask(mask)
    for p in [out / "results.parquet", out / "results.json", *(out / "cells").glob("*.json")]:
        assert p.stat().st_mode & 0o777 == 0o666 & ~mask, p


# --- `--json` is pure JSON on stdout, for every command (real processes: native code writes to fd 1)
def _cli(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tokbench.cli", *argv], capture_output=True, text=True,
                          env=env, timeout=600)  # fmt: skip


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = dict(os.environ)
    env["TOKBENCH_CACHE"] = str(tmp_path_factory.mktemp("json-cache"))
    return env


def json_cases(out: Path) -> dict[str, list[str]]:
    return {
        "list_tokenizers": ["list", "tokenizers"],
        "list_corpora": ["list", "corpora"],
        "list_metrics": ["list", "metrics"],
        "encode": ["encode", "--tokenizer", "cl100k_base", "--corpus", "udhr", "--langs", "eng_Latn"],
        "run": _run_args(out)[:-1],
        "report": ["report", str(out), "--out", str(out / "report")],
        "mixture": ["mixture", "r50k_base", "--categories", "udhr:articles:eng_Latn,fra_Latn", "--merges", "300"],
        "inspect": ["inspect", "cl100k_base", "--out", str(out / "inspect")],
    }


@pytest.mark.parametrize("command", list(json_cases(Path("/x"))))
def test_json_stdout_is_pure_json(tmp_path_factory: pytest.TempPathFactory, cli_env: dict[str, str],
                                  command: str) -> None:  # fmt: skip
    out = tmp_path_factory.getbasetemp() / "json-run"
    if command == "report" and not (out / "results.parquet").exists():
        assert _cli(*json_cases(out)["run"], env=cli_env).returncode == 0
    proc = _cli(*json_cases(out)[command], "--json", "-q", env=cli_env)
    assert proc.returncode == 0, proc.stderr
    json.loads(proc.stdout)  # anything else on stdout (a banner, a progress line) fails here
    assert "Traceback" not in proc.stderr


def test_json_error_leaves_stdout_empty(cli_env: dict[str, str]) -> None:
    proc = _cli("encode", "--tokenizer", "nope", "--corpus", "udhr", "--json", env=cli_env)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1
