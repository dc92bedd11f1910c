"""Category specs select a half of `code_corpus`: ``code_corpus:b:python``, ``code_corpus:b`` (all 16 languages).

A synthetic code_corpus-shaped corpus checks the parsing anywhere; the real one (data directory) checks that the
halves hold different projects' files."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest
import yaml

from tokbench.errors import TokbenchError
from tokbench.mixture.categories import load_category_spec


def _register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    docs = {("python", "a"): "def a():\n    pass\n", ("python", "b"): "import b\n", ("go", "b"): "package b\n",
            ("go", "a"): "package a\n"}
    entries = []
    for lang in ("go", "python"):
        rel = f"corpora/{name}/{lang}.jsonl.gz"
        raw = "".join(
            json.dumps({"lang": lg, "path": "f", "source": f"s{h}", "license": "MIT", "project": f"p{h}",
                        "half": h, "text": t}) + "\n"
            for (lg, h), t in docs.items() if lg == lang
        ).encode()
        (tmp_path / "data" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "data" / rel).write_bytes(gzip.compress(raw))
        entries.append({"path": rel, "sha256": hashlib.sha256(raw).hexdigest()})
    manifest = {"name": name, "loader": "code_corpus", "files": entries, "license": "MIT", "citation": "t",
                "source": {"registry": "test", "package": "x", "version": "1"}, "subsets": ["go", "python"],
                "splits": ["a", "b", "all"], "domain": "code", "parallel": False}
    (tmp_path / "m" / "corpora").mkdir(parents=True)
    (tmp_path / "m" / "corpora" / f"{name}.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    monkeypatch.setenv("TOKBENCH_MANIFESTS", str(tmp_path / "m"))
    monkeypatch.setenv("TOKBENCH_DATA", str(tmp_path / "data"))


def test_spec_selects_a_half(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _register(tmp_path, monkeypatch, "cc_spec")
    assert load_category_spec("cc_spec:b:python") == {"python": ["import b\n"]}
    assert load_category_spec("cc_spec:a:python,go") == {"python": ["def a():\n    pass\n"], "go": ["package a\n"]}
    assert load_category_spec("cc_spec:b") == {"go": ["package b\n"], "python": ["import b\n"]}
    # no split named: the manifest's last split, `all`
    assert load_category_spec("cc_spec") == {"go": ["package b\n", "package a\n"],
                                             "python": ["def a():\n    pass\n", "import b\n"]}
    with pytest.raises(TokbenchError, match="has no split 'c'"):
        load_category_spec("cc_spec:c:python")
    with pytest.raises(TokbenchError, match="split 'a' has no language 'rust'"):
        load_category_spec("cc_spec:a:rust")


def test_real_halves_are_other_projects(shared_assets: Path) -> None:
    if not (shared_assets / "corpora" / "code_corpus").is_dir():
        pytest.skip(f"needs corpora/code_corpus in the data directory ({shared_assets})")
    from tokbench.corpora import load_corpus

    b = load_category_spec("code_corpus:b")
    assert len(b) == 16 and all(docs for docs in b.values())
    py_a = load_category_spec("code_corpus:a:python")["python"]
    py_b = load_category_spec("code_corpus:b:python")["python"]
    assert py_b == b["python"] and not set(py_a) & set(py_b)
    c = load_corpus("code_corpus")
    assert set(c.dataset["b"]["project"]).isdisjoint(c.dataset["a"]["project"])
