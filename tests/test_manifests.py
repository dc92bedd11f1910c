"""Manifest validation, the registered manifests themselves, and the vendored data they pin."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from tokbench.datadirs import VENDORED_DIR
from tokbench.errors import TokbenchError
from tokbench.io import sha256_file
from tokbench.manifests import (
    TOKENIZER_FORMATS,
    corpus_manifests,
    manifest_dirs,
    parse_manifest,
    tokenizer_manifests,
)
from tokbench.morphology.lexicon_files import vendored_lexicon_files

REPO = Path(__file__).resolve().parents[1]
SHA = "a" * 64
MAX_VENDORED_BYTES = 25 * 1024 * 1024

TOKENIZER_DOC: dict[str, Any] = {
    "name": "t",
    "format": "hf_json",
    "algorithm": "bpe",
    "files": [{"path": "tokenizers/t/tokenizer.json", "sha256": SHA}],
    "source": {"hub": "org/model", "revision": "0123abc"},
    "license": "MIT",
    "citation": "x",
}
CORPUS_DOC: dict[str, Any] = {
    "name": "c",
    "loader": "jsonl_records",
    "files": [{"path": "corpora/c/c.jsonl", "sha256": SHA}],
    "source": {"registry": "pypi", "package": "p", "version": "1.0"},
    "license": "MIT",
    "citation": "x",
    "splits": ["test"],
    "domain": "web",
    "parallel": False,
    "languages": ["tur_Latn", "eng_Latn"],
}


def parse(doc: dict[str, Any], kind: str):
    return parse_manifest(doc, Path(f"/tmp/{kind}.yaml"), kind)


def edited(doc: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out


# --- validation ----------------------------------------------------------------------------
def test_valid_documents_parse() -> None:
    t = parse(TOKENIZER_DOC, "tokenizer")
    assert (t.name, t.format, t.algorithm, t.kind) == ("t", "hf_json", "bpe", "tokenizer")
    assert t.files[0].sha256 == SHA
    c = parse(CORPUS_DOC, "corpus")
    assert c.languages == ("tur_Latn", "eng_Latn") and c.splits == ("test",) and c.kind == "corpus"


BAD_TOKENIZER = {
    "unknown top-level key": (edited(TOKENIZER_DOC, revison="x"), "unknown key"),
    "missing hub revision": (edited(TOKENIZER_DOC, source={"hub": "org/model"}), "missing required key"),
    "empty hub revision": (edited(TOKENIZER_DOC, source={"hub": "org/model", "revision": " "}), "pin a version"),
    "missing registry version": (
        edited(TOKENIZER_DOC, source={"registry": "pypi", "package": "p"}),
        "missing required key",
    ),
    "missing github commit": (edited(TOKENIZER_DOC, source={"github": "o/r"}), "missing required key"),
    "unknown source key": (
        edited(TOKENIZER_DOC, source={"hub": "o/m", "revision": "1", "branch": "main"}),
        "unknown key",
    ),
    "no source kind": (edited(TOKENIZER_DOC, source={"where": "somewhere"}), "registry/hub/github/url"),
    "short sha256": (edited(TOKENIZER_DOC, files=[{"path": "a", "sha256": "abc"}]), "valid sha256"),
    "uppercase sha256": (edited(TOKENIZER_DOC, files=[{"path": "a", "sha256": "A" * 64}]), "valid sha256"),
    "missing sha256": (edited(TOKENIZER_DOC, files=[{"path": "a"}]), "missing required key"),
    "unknown file key": (edited(TOKENIZER_DOC, files=[{"path": "a", "sha256": SHA, "md5": "x"}]), "unknown key"),
    "no files": (edited(TOKENIZER_DOC, files=[]), "non-empty list"),
    "missing license": (edited(TOKENIZER_DOC, license=None), "missing required key"),
    "bad format": (edited(TOKENIZER_DOC, format="onnx"), "format"),
    "bad algorithm": (edited(TOKENIZER_DOC, algorithm="wordbpe"), "algorithm"),
    "empty name": (edited(TOKENIZER_DOC, name=""), "name: must not be empty"),
    # field types: each was accepted (or crashed) before manifests became a declared model
    "name is a list": (edited(TOKENIZER_DOC, name=["a", "b"]), "name: Input should be a valid string"),
    "options is a number": (edited(TOKENIZER_DOC, options=5), "options: Input should be a valid dictionary"),
    "aliases is a number": (edited(TOKENIZER_DOC, aliases=5), "aliases: Input should be a valid tuple"),
    "alias is a number": (edited(TOKENIZER_DOC, aliases=[7]), "aliases.0: Input should be a valid string"),
    "vendored is a string": (edited(TOKENIZER_DOC, vendored="yes"), "vendored: Input should be a valid boolean"),
    "path climbs out": (
        edited(TOKENIZER_DOC, files=[{"path": "../../../../etc/passwd", "sha256": SHA}]),
        "must be relative to a data directory and stay inside it",
    ),
    "absolute path": (
        edited(TOKENIZER_DOC, files=[{"path": "/etc/passwd", "sha256": SHA}]),
        "must be relative to a data directory",
    ),
    "version as a number is fine but empty is not": (
        edited(TOKENIZER_DOC, source={"registry": "pypi", "package": "p", "version": ""}),
        "pin a version",
    ),
}


@pytest.mark.parametrize("case", list(BAD_TOKENIZER))
def test_bad_tokenizer_manifest(case: str) -> None:
    doc, fragment = BAD_TOKENIZER[case]
    with pytest.raises(TokbenchError, match=fragment) as ei:
        parse(doc, "tokenizer")
    assert "/tmp/tokenizer.yaml" in str(ei.value)  # names the manifest file


BAD_CORPUS = {
    "lowercase script": (edited(CORPUS_DOC, languages=["tur_latn"]), "language codes"),
    "two-letter code": (edited(CORPUS_DOC, languages=["tr_Latn"]), "language codes"),
    "bcp47 code": (edited(CORPUS_DOC, languages=["tr-TR"]), "language codes"),
    "no languages nor subsets": (edited(CORPUS_DOC, languages=None), "declares its 'languages'"),
    "missing version": (edited(CORPUS_DOC, source={"registry": "pypi", "package": "p"}), "missing required key"),
    "unknown key": (edited(CORPUS_DOC, lang=["tur_Latn"]), "unknown key"),
    "missing splits": (edited(CORPUS_DOC, splits=None), "missing required key"),
    "tokenizer key in corpus": (edited(CORPUS_DOC, format="hf_json"), "unknown key"),
    "language is a number": (edited(CORPUS_DOC, languages=[123]), "languages.0: Input should be a valid string"),
    "no splits": (edited(CORPUS_DOC, splits=[]), "splits: must be a non-empty list"),
    "parallel is a string": (edited(CORPUS_DOC, parallel="no"), "parallel: Input should be a valid boolean"),
    "pivot not a language": (edited(CORPUS_DOC, pivot="fra_Latn"), "pivot 'fra_Latn' is not one of"),
    "corpus path climbs out": (
        edited(CORPUS_DOC, files=[{"path": "corpora/../../x.jsonl", "sha256": SHA}]),
        "stay inside it",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CORPUS))
def test_bad_corpus_manifest(case: str) -> None:
    doc, fragment = BAD_CORPUS[case]
    with pytest.raises(TokbenchError, match=fragment):
        parse(doc, "corpus")


def test_bad_language_code_lists_offenders() -> None:
    with pytest.raises(TokbenchError, match=r"\['tr_Latn'\]"):
        parse(edited(CORPUS_DOC, languages=["tur_Latn", "tr_Latn"]), "corpus")


def test_numeric_versions_are_read_as_text() -> None:
    m = parse(edited(CORPUS_DOC, source={"registry": "pypi", "package": "p", "version": 1.2}), "corpus")
    assert m.source["version"] == "1.2"


def test_not_a_mapping() -> None:
    with pytest.raises(TokbenchError, match="YAML mapping"):
        parse_manifest(["name: x"], Path("/tmp/x.yaml"), "tokenizer")


def _extra_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    monkeypatch.setenv("TOKBENCH_MANIFESTS", str(tmp_path))


def test_invalid_yaml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _extra_dir(tmp_path, monkeypatch, {"tokenizers/broken.yaml": "name: [unclosed\n"})
    with pytest.raises(TokbenchError, match="not valid YAML") as ei:
        tokenizer_manifests()
    assert "broken.yaml" in str(ei.value)


def test_non_utf8_manifest_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "tokenizers" / "latin1.yaml"
    p.parent.mkdir(parents=True)
    p.write_bytes("name: t\ncitation: Ş\n".encode("iso-8859-9"))
    monkeypatch.setenv("TOKBENCH_MANIFESTS", str(tmp_path))
    with pytest.raises(TokbenchError, match="not UTF-8") as ei:
        tokenizer_manifests()
    assert "latin1.yaml" in str(ei.value)


def test_duplicate_name_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = edited(TOKENIZER_DOC, name="cl100k_base")
    _extra_dir(tmp_path, monkeypatch, {"tokenizers/dup.yaml": yaml.safe_dump(doc)})
    with pytest.raises(TokbenchError, match="'cl100k_base' is already registered"):
        tokenizer_manifests()


def test_extra_manifest_dir_registers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _extra_dir(
        tmp_path, monkeypatch, {"tokenizers/h4_extra.yaml": yaml.safe_dump(edited(TOKENIZER_DOC, name="h4_extra"))}
    )
    assert "h4_extra" in tokenizer_manifests()
    assert "cl100k_base" in tokenizer_manifests()


# --- the registered manifests ----------------------------------------------------------------
def _yaml_files(sub: str) -> list[Path]:
    return sorted((REPO / "data_manifests" / sub).glob("*.yaml"))


@pytest.mark.parametrize("sub,kind", [("tokenizers", "tokenizer"), ("corpora", "corpus")])
def test_every_registered_manifest_validates(sub: str, kind: str) -> None:
    paths = _yaml_files(sub)
    assert paths
    names = set()
    for p in paths:
        m = parse_manifest(yaml.safe_load(p.read_text(encoding="utf-8")), p, kind)
        assert m.name == p.stem, f"{p.name}: name {m.name!r} differs from the file name"
        assert m.license.strip() and m.citation.strip(), p.name
        assert len({f.path for f in m.files}) == len(m.files), f"{p.name}: duplicate file entries"
        names.add(m.name)
    registry = tokenizer_manifests() if kind == "tokenizer" else corpus_manifests()
    assert names <= set(registry)
    assert manifest_dirs()[0] == REPO / "data_manifests"


def test_registered_tokenizers_cover_every_format_in_use() -> None:
    ms = {m.name: m for m in tokenizer_manifests().values()}
    assert {m.format for m in ms.values()} <= set(TOKENIZER_FORMATS)
    assert {"cl100k_base", "llama2", "gpt2", "qwen3", "bert_base_uncased", "mistral_tekken"} <= set(ms)


def _all_manifests():
    return [*{m.name: m for m in tokenizer_manifests().values()}.values(), *corpus_manifests().values()]


def _vendored_copy(rel: str) -> Path | None:
    for cand in (VENDORED_DIR / rel, VENDORED_DIR / (rel + ".gz")):
        if cand.is_file():
            return cand
    return None


def test_every_vendored_file_verifies() -> None:
    checked = 0
    for m in _all_manifests():
        if not m.vendored:
            continue
        for f in m.files:
            path = _vendored_copy(f.path)
            assert path is not None, f"{m.kind} {m.name}: vendored file {f.path} is not in {VENDORED_DIR}"
            assert sha256_file(path) == f.sha256, f"{m.kind} {m.name}: {path} checksum mismatch"
            checked += 1
    assert checked >= 30


def test_vendored_manifests_come_from_package_registries() -> None:
    """Only registry-sourced items (vendor: yes in the shared README) may be vendored."""
    for m in _all_manifests():
        if m.vendored:
            assert "registry" in m.source, f"{m.name} is vendored but its source is {m.source}"


def test_non_vendored_data_is_not_in_the_package() -> None:
    for m in _all_manifests():
        if not m.vendored:
            present = [f.path for f in m.files if _vendored_copy(f.path) is not None]
            assert not present, f"{m.kind} {m.name} is vendored: false but {present[:3]} are in {VENDORED_DIR}"


def test_vendored_folder_holds_only_manifest_files_and_licenses() -> None:
    known = {f.path.removesuffix(".gz") for m in _all_manifests() if m.vendored for f in m.files}
    known |= {f.relpath for f in vendored_lexicon_files()}  # pinned in tokbench.morphology, not by a manifest
    stray = []
    for p in VENDORED_DIR.rglob("*"):
        if not p.is_file() or "__pycache__" in p.parts:
            continue
        rel = p.relative_to(VENDORED_DIR).as_posix()
        is_license = rel.startswith("LICENSES/") or p.name.upper().startswith(("LICENSE", "README", "NOTICE"))
        if rel.removesuffix(".gz") in known or is_license:
            continue
        stray.append(rel)
    assert not stray, f"files in the vendored folder that no vendored manifest names: {stray}"


def test_vendored_total_under_budget() -> None:
    total = sum(p.stat().st_size for p in VENDORED_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    assert 0 < total < MAX_VENDORED_BYTES, f"vendored data is {total / 2**20:.1f} MiB"


def test_tiktoken_manifests_pin_tiktokens_expected_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each .tiktoken manifest pins exactly the rank file tiktoken itself would download and verify."""
    import tiktoken_ext.openai_public as public

    expected: dict[str, str] = {}

    def fake_load(url: str, expected_hash: str | None = None, **_: Any) -> dict[bytes, int]:
        expected["last"] = expected_hash or ""
        return {}

    monkeypatch.setattr(public, "load_tiktoken_bpe", fake_load)
    checked = 0
    for m in {m.name: m for m in tokenizer_manifests().values()}.values():
        if m.format != "tiktoken":
            continue
        getattr(public, m.options["encoding"])()
        assert m.files[0].sha256 == expected["last"], m.name
        checked += 1
    assert checked == 4  # r50k_base, p50k_base, cl100k_base, o200k_base
