"""tokbench register: format detection, checksums, placement, a valid local-source manifest, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from tokbench.cli import main
from tokbench.errors import TokbenchError
from tokbench.io import sha256_file
from tokbench.manifests import clear_manifest_cache, parse_manifest, tokenizer_manifests
from tokbench.tokenizers import load_tokenizer
from tokbench.tokenizers.loader import derive_name

VENDORED = Path(__file__).resolve().parents[1] / "tokbench" / "vendored" / "tokenizers"



def test_register_tokenizer_json(home, trained_bpe, capsys):
    rc = main(["register", str(trained_bpe), "--license", "MIT", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    # name derived from the folder, since tokenizer.json says nothing
    assert out["name"] == "udhr_bpe_1k" and out["format"] == "hf_json" and out["algorithm"] == "bpe"
    assert out["vocab_size"] == 1000
    sha = sha256_file(trained_bpe)
    [f] = out["files"]
    assert f == {"path": "tokenizers/udhr_bpe_1k/tokenizer.json", "location": str(home / f["path"]),
                 "origin": str(trained_bpe), "sha256": sha, "copied": True}
    doc = yaml.safe_load(Path(out["manifest_file"]).read_text())
    assert Path(out["manifest_file"]) == home / "manifests" / "tokenizers" / "udhr_bpe_1k.yaml"
    assert doc["source"] == {"local": str(trained_bpe), "sha256": sha} and doc["license"] == "MIT"
    # the registry now knows it, and it encodes exactly as the file it came from
    m = tokenizer_manifests()["udhr_bpe_1k"]
    assert m.availability() == "available"
    by_name, by_path = load_tokenizer("udhr_bpe_1k"), load_tokenizer(str(trained_bpe))
    text = ["Everyone has the right to life, liberty and security of person."]
    assert by_name.encode_batch(text) == by_path.encode_batch(text) and by_name.sha256 == sha


def test_register_text_output_and_reregister(home, trained_bpe, capsys):
    assert main(["register", str(trained_bpe), "--name", "mine"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("registered mine: hf_json, bpe, vocab 1,000")
    assert "manifest" in text and "tokenizers/mine/tokenizer.json (copied from" in text
    assert main(["register", str(trained_bpe), "--name", "mine"]) == 2
    assert "already registered" in capsys.readouterr().err
    assert main(["register", str(trained_bpe), "--name", "mine", "--force"]) == 0
    assert capsys.readouterr().out.startswith("replaced mine")


def test_register_sentencepiece_and_vocab_merges(home, tmp_path, trained_bpe):
    from tokenizers import Tokenizer

    from tokbench.registration import register_tokenizer
    from tokbench.tokenizers.loader import combined_sha256

    spm = tmp_path / "my_spm.model.gz"
    shutil.copy(VENDORED / "mistral_v1" / "tokenizer.model.gz", spm)
    reg = register_tokenizer(spm)
    assert (reg.name, reg.format, reg.algorithm, reg.vocab_size) == ("my_spm", "sentencepiece", "bpe", 32000)
    # vocab.json + merges.txt: both files are checksummed and the source pins their combined hash
    folder = tmp_path / "gpt_like"
    folder.mkdir()
    Tokenizer.from_file(str(trained_bpe)).model.save(str(folder))
    reg = register_tokenizer(folder)
    assert reg.format == "vocab_merges" and reg.name == "gpt_like"
    assert [Path(f.manifest_path).name for f in reg.files] == ["vocab.json", "merges.txt"]
    assert reg.manifest["source"]["sha256"] == combined_sha256([f.sha256 for f in reg.files])
    assert load_tokenizer("gpt_like").merges() == load_tokenizer(str(trained_bpe)).merges()


def test_register_tiktoken_needs_encoding(home, tmp_path):
    from tokbench.registration import register_tokenizer

    tk = tmp_path / "my_ranks.tiktoken.gz"
    shutil.copy(VENDORED / "gpt2" / "r50k_base.tiktoken.gz", tk)
    with pytest.raises(TokbenchError, match="--option encoding=NAME"):
        register_tokenizer(tk)
    reg = register_tokenizer(tk, options={"encoding": "r50k_base"})
    assert reg.format == "tiktoken" and reg.vocab_size == 50257 and reg.manifest["options"] == {"encoding": "r50k_base"}


def test_register_points_to_files_already_in_a_data_dir(home, tmp_path, monkeypatch, trained_bpe):
    data = tmp_path / "data"
    dest = data / "tokenizers" / "in_place" / "tokenizer.json"
    dest.parent.mkdir(parents=True)
    shutil.copy(trained_bpe, dest)
    monkeypatch.setenv("TOKBENCH_DATA", str(data))
    from tokbench.registration import register_tokenizer

    reg = register_tokenizer(dest)
    [f] = reg.files
    assert reg.name == "in_place" and not f.copied and f.manifest_path == "tokenizers/in_place/tokenizer.json"
    assert not (home / "tokenizers").exists()


def test_register_errors(home, tmp_path, trained_bpe, capsys):
    assert main(["register", str(tmp_path / "nope.json")]) == 2
    assert "no such tokenizer" in capsys.readouterr().err
    assert main(["register", str(trained_bpe), "--name", "cl100k_base"]) == 2
    assert "already registered by" in capsys.readouterr().err
    assert main(["register", str(trained_bpe), "--name", "bad name"]) == 2
    bad = tmp_path / "broken" / "tokenizer.json"
    bad.parent.mkdir()
    bad.write_text("{not json")
    assert main(["register", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "Traceback" not in err
    assert not (home / "manifests" / "tokenizers" / "broken.yaml").exists()


def test_local_source_schema(tmp_path):
    sha = "a" * 64
    doc = {"name": "x", "format": "hf_json", "algorithm": "bpe", "files": [{"path": "tokenizers/x/t.json",
           "sha256": sha}], "source": {"local": "/somewhere/t.json", "sha256": sha}, "license": "MIT",
           "citation": "x"}
    assert parse_manifest(doc, tmp_path / "x.yaml", "tokenizer").source["local"] == "/somewhere/t.json"
    with pytest.raises(TokbenchError, match="does not match the files' sha256"):
        parse_manifest(doc | {"source": {"local": "/t.json", "sha256": "b" * 64}}, tmp_path / "x.yaml", "tokenizer")
    with pytest.raises(TokbenchError, match="sha256"):
        parse_manifest(doc | {"source": {"local": "/t.json", "sha256": "latest"}}, tmp_path / "x.yaml", "tokenizer")
    with pytest.raises(TokbenchError, match="missing required key"):
        parse_manifest(doc | {"source": {"local": "/t.json"}}, tmp_path / "x.yaml", "tokenizer")


def test_yaml_in_manifests_root_warns(tmp_path, monkeypatch, caplog, home):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "mine.yaml").write_text("name: mine\n")
    monkeypatch.setenv("TOKBENCH_MANIFESTS", str(tmp_path / "m"))
    clear_manifest_cache()
    with caplog.at_level("WARNING", logger="tokbench"):
        tokenizer_manifests()
    assert "mine.yaml is not read" in caplog.text and str(tmp_path / "m" / "tokenizers" / "mine.yaml") in caplog.text


@pytest.mark.parametrize(("path", "name"), [
    ("runs/my_bpe/tokenizer.json", "my_bpe"), ("x/my_spm.model", "my_spm"), ("x/o200k.tiktoken.gz", "o200k"),
    ("models/My Model (v2)/tokenizer.json.gz", "My_Model_v2"), ("a/vocab.json", "a"),
])
def test_derive_name(path, name):
    assert derive_name(Path(path)) == name


def test_register_own_tiktoken_ranks_warns_about_special_ids(home, tmp_path, trained_bpe, caplog):
    """A 1,000-rank file with cl100k's regex: encodes like the tokenizer it came from; the size gap is said."""
    import base64

    from tokbench.registration import register_tokenizer
    from tokbench.tokenizers.hf import byte_decoder

    dec = byte_decoder()
    vocab = json.loads(trained_bpe.read_text())["model"]["vocab"]
    ranks = tmp_path / "mine.tiktoken"
    ranks.write_text("".join(f"{base64.b64encode(bytes(dec[c] for c in t)).decode()} {i}\n"
                             for t, i in sorted(vocab.items(), key=lambda kv: kv[1])))
    with caplog.at_level("WARNING", logger="tokbench"):
        reg = register_tokenizer(ranks, options={"encoding": "cl100k_base"})
    assert "has 1000 ranks" in caplog.text and f"counted as {reg.vocab_size}" in caplog.text
    text = ["Everyone has the right to life, liberty and security of person."]
    assert load_tokenizer("mine").encode_batch(text) == load_tokenizer(str(trained_bpe)).encode_batch(text)
