"""tokbench register: format detection, checksums, placement, a valid local-source manifest, errors."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
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


def _tokbench(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from tokbench.cli import main; sys.exit(main(sys.argv[1:]))", *args]


def _wait_for(pred, what: str, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_concurrent_registrations_of_one_name(home, tmp_path, trained_bpe):
    """Two registers of one name that both passed the early name check (both wait on the lock the test
    holds): exactly one registers, the other says so in one line, and nothing stray is left."""
    from filelock import FileLock

    from tokbench.registration import manifests_dir

    manifests_dir().mkdir(parents=True)
    lock = FileLock(manifests_dir() / ".tokbench.lock")
    lock.acquire()
    procs, errs = [], []
    try:
        for i in range(2):
            errs.append(tmp_path / f"err{i}")
            with errs[-1].open("w") as err:
                procs.append(subprocess.Popen(_tokbench("register", str(trained_bpe), "--name", "twice", "-q"),
                                              stdout=subprocess.DEVNULL, stderr=err))
        _wait_for(lambda: all("waiting for it to finish" in e.read_text() for e in errs), "both registers to wait")
    finally:
        lock.release()
    codes = sorted(p.wait(timeout=300) for p in procs)
    assert codes == [0, 2]
    [loser] = [e.read_text() for e, p in zip(errs, procs, strict=True) if p.returncode == 2]
    [line] = [x for x in loser.splitlines() if x.startswith("tokbench: error:")]
    assert "'twice' is already registered" in line and "--force" in line and "Traceback" not in loser
    assert sorted(p.name for p in manifests_dir().iterdir()) == [".tokbench.lock", "twice.yaml"]
    assert [p.name for p in (home / "tokenizers" / "twice").iterdir()] == ["tokenizer.json"]
    clear_manifest_cache()
    assert load_tokenizer("twice").sha256 == sha256_file(trained_bpe)


def test_a_killed_register_leaves_temp_files_the_next_one_removes(home, trained_bpe):
    """SIGKILL a register in the middle of its atomic writes (the moment before each rename): its .tmp files
    stay behind; the next register sweeps them under the lock and registers."""
    script = ("import os, signal, sys\n"
              "os.replace = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)\n"
              "from tokbench.cli import main\n"
              f"sys.exit(main(['register', {str(trained_bpe)!r}, '--name', 'killed', '-q']))\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL
    leftovers = list(home.rglob("*.tmp"))
    assert [p.name.startswith(".tokenizer.json.") for p in leftovers] == [True]
    assert not (home / "manifests" / "tokenizers" / "killed.yaml").exists()
    assert main(["register", str(trained_bpe), "--name", "killed", "-q"]) == 0
    assert list(home.rglob("*.tmp")) == []
    assert load_tokenizer("killed").sha256 == sha256_file(trained_bpe)


def test_unregister_round_trip(home, tmp_path, trained_bpe, capsys):
    assert main(["register", str(trained_bpe), "--name", "mine", "-q"]) == 0
    capsys.readouterr()
    assert main(["unregister", "mine", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["removed"] == [str(home / "manifests/tokenizers/mine.yaml"),
                              str(home / "tokenizers/mine/tokenizer.json")]
    assert out["kept"] == [] and not (home / "tokenizers" / "mine").exists()
    assert "mine" not in tokenizer_manifests()
    with pytest.raises(TokbenchError, match="unknown tokenizer 'mine'"):
        load_tokenizer("mine")
    # registered again under the same name, without --force: unregister left nothing behind
    assert main(["register", str(trained_bpe), "--name", "mine"]) == 0
    assert capsys.readouterr().out.startswith("registered mine")
    assert load_tokenizer("mine").sha256 == sha256_file(trained_bpe)


def test_unregister_keeps_files_used_in_place(home, tmp_path, monkeypatch, trained_bpe, capsys):
    data = tmp_path / "data"
    dest = data / "tokenizers" / "in_place" / "tokenizer.json"
    dest.parent.mkdir(parents=True)
    shutil.copy(trained_bpe, dest)
    monkeypatch.setenv("TOKBENCH_DATA", str(data))
    assert main(["register", str(dest), "-q"]) == 0
    capsys.readouterr()
    assert main(["unregister", "in_place"]) == 0
    out = capsys.readouterr().out
    assert f"kept      {dest}" in out and dest.is_file() and "in_place" not in tokenizer_manifests()


@pytest.mark.parametrize(("argv", "message"), [
    (["unregister", "cl100k_base"], "'cl100k_base' is a vendored tokenizer"),
    (["unregister", "llama3"], "is a project tokenizer"),
    (["unregister", "nobody"], "'nobody' is not registered (you have registered no tokenizers)"),
    (["unregister", "mien"], "unknown registered tokenizer 'mien': did you mean mine?"),
])
def test_unregister_refuses(home, trained_bpe, capsys, argv, message):
    if argv[1] == "mien":
        assert main(["register", str(trained_bpe), "--name", "mine", "-q"]) == 0
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    if argv[1] == "mien":
        assert "mine" in tokenizer_manifests()


def test_unregister_keeps_a_file_the_user_put_in_the_home_folder(home, trained_bpe, capsys):
    """A tokenizer saved by hand under $TOKBENCH_HOME/tokenizers/NAME/ is registered in place; unregister
    removes the manifest only, never the user's own file."""
    own = home / "tokenizers" / "by_hand" / "tokenizer.json"
    own.parent.mkdir(parents=True)
    shutil.copy(trained_bpe, own)
    assert main(["register", str(own), "-q"]) == 0
    assert main(["unregister", "by_hand"]) == 0
    assert own.is_file() and f"kept      {own}" in capsys.readouterr().out
