"""The `code_corpus` corpus: halves a/b by project, checksums of the gzipped JSONL's content, clear errors.

The real corpus (13 MB, not vendored) is read from the data directory; those tests skip without it. The
loader's contract (splits, ids, checks) is also tested on a small synthetic copy that runs anywhere."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest
import yaml

from tokbench.corpora import load_corpus
from tokbench.errors import TokbenchError
from tokbench.manifests import get_corpus_manifest

LANGS = ("c", "cpp", "cuda", "go", "java", "javascript", "kotlin", "lua", "perl", "php", "python", "ruby", "rust",
         "shell", "swift", "typescript")


@pytest.fixture(scope="module")
def code_corpus(shared_assets: Path):
    if not (shared_assets / "corpora" / "code_corpus" / "python.jsonl.gz").is_file():
        pytest.skip(f"needs corpora/code_corpus in the data directory ({shared_assets})")
    return load_corpus("code_corpus")


def record(lang: str, project: str, half: str, path: str, text: str) -> dict:
    return {"lang": lang, "path": path, "source": f"pkg {project} 1.0", "license": "MIT", "project": project,
            "half": half, "text": text}


def write_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, files: dict[str, list[dict]],
                 tamper: str | None = None) -> None:
    """A code_corpus-shaped corpus under a temporary data directory, registered by a temporary manifest whose
    sha256 is of each file's uncompressed content (as SOURCE.txt and tokbench.io.sha256_file define it)."""
    mdir, ddir = tmp_path / "manifests", tmp_path / "data"
    (mdir / "corpora").mkdir(parents=True)
    entries = []
    for lang, recs in files.items():
        rel = f"corpora/{name}/{lang}.jsonl.gz"
        raw = "".join(json.dumps(r) + "\n" for r in recs).encode()
        (ddir / rel).parent.mkdir(parents=True, exist_ok=True)
        (ddir / rel).write_bytes(gzip.compress(raw if lang != tamper else raw + b"\n"))
        entries.append({"path": rel, "sha256": hashlib.sha256(raw).hexdigest()})
    doc = {"name": name, "loader": "code_corpus", "files": entries,
           "source": {"registry": "test", "package": "x", "version": "1"}, "license": "MIT", "citation": "test",
           "subsets": sorted(files), "splits": ["a", "b", "all"], "domain": "code", "parallel": False}
    (mdir / "corpora" / f"{name}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    monkeypatch.setenv("TOKBENCH_MANIFESTS", str(mdir))
    monkeypatch.setenv("TOKBENCH_DATA", str(ddir))


SMALL = {
    "python": [record("python", "p1", "a", "m/x.py", "def f():\n    return 1\n"),
               record("python", "p2", "b", "m/x.py", "import os\n")],
    "rust": [record("rust", "r1", "b", "src/lib.rs", "fn main() {}\n")],
}


# --- the loader on a synthetic copy (runs anywhere) ------------------------------------------------
def test_halves_are_splits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_corpus(tmp_path, monkeypatch, "cc_small", SMALL)
    c = load_corpus.__wrapped__("cc_small")
    assert c.splits == ["a", "b", "all"]
    assert c.languages("a") == ["python"] and c.languages("b") == c.languages("all") == ["python", "rust"]
    assert c.texts("a", "python") == ["def f():\n    return 1\n"]
    assert c.texts("b", "python") == ["import os\n"]
    assert c.texts("all", "python") == ["def f():\n    return 1\n", "import os\n"]
    # the same path in two projects gets two ids
    assert c.doc_ids("all", "python") == ["python/pkg p1 1.0/m/x.py", "python/pkg p2 1.0/m/x.py"]
    assert set(c.dataset["b"].column_names) >= {"project", "license", "source", "half"}


def test_checksum_mismatch_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_corpus(tmp_path, monkeypatch, "cc_tampered", SMALL, tamper="rust")
    with pytest.raises(TokbenchError) as ei:
        load_corpus.__wrapped__("cc_tampered")
    msg = str(ei.value)
    assert "checksum mismatch" in msg and "rust.jsonl.gz" in msg and "\n" not in msg


def test_missing_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_corpus(tmp_path, monkeypatch, "cc_missing", SMALL)
    (tmp_path / "data" / "corpora" / "cc_missing" / "python.jsonl.gz").unlink()
    with pytest.raises(TokbenchError, match=r"needs corpora/cc_missing/python.jsonl.gz, not found"):
        load_corpus.__wrapped__("cc_missing")


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ({"half": "c"}, "field 'half' must be 'a' or 'b'"),
        ({"lang": "rust"}, "another language than 'python'"),
        ({"project": None}, "lack the string field 'project'"),
    ],
)
def test_malformed_records_are_clear_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: dict, match: str
) -> None:
    name = f"cc_bad_{next(iter(bad))}"
    files = {"python": [SMALL["python"][0], {**SMALL["python"][1], **bad}]}
    write_corpus(tmp_path, monkeypatch, name, files)
    with pytest.raises(TokbenchError, match=match):
        load_corpus.__wrapped__(name)


# --- the registered corpus ------------------------------------------------------------------------
def test_manifest_pins_every_file() -> None:
    m = get_corpus_manifest("code_corpus")
    assert not m.vendored and m.loader == "code_corpus" and m.splits == ("a", "b", "all")
    assert m.subsets == LANGS
    paths = {Path(f.path).name for f in m.files}
    assert paths == {f"{lang}.jsonl.gz" for lang in LANGS} | {"packages.tsv", "summary.json"}


def test_matches_its_summary(code_corpus, shared_assets: Path) -> None:
    summary = json.loads((shared_assets / "corpora" / "code_corpus" / "summary.json").read_text())
    for split in ("a", "b", "all"):
        assert code_corpus.languages(split) == list(LANGS)
    ds = code_corpus.dataset["all"]
    assert len(set(ds["id"])) == ds.num_rows
    for lang in ("python", "rust", "swift"):
        s = summary[lang]
        for half in ("a", "b"):
            assert sum(map(len, code_corpus.texts(half, lang))) == s["half_chars"][half], (lang, half)
        assert len(code_corpus.texts("all", lang)) == s["files"]


def test_halves_share_no_project(code_corpus) -> None:
    proj = {h: set(code_corpus.dataset[h]["project"]) for h in ("a", "b")}
    assert proj["a"] and proj["b"] and not proj["a"] & proj["b"]
    assert len(proj["a"] | proj["b"]) > 500
