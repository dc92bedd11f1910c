"""The model probe end to end on a tiny randomly initialised GPT-2 built here (near-zero accuracy is
expected; what is checked is that generation, batching, parsing and scoring agree), plus the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tokbench.cli import main
from tokbench.digits.probeset import build_probe_set
from tokbench.digits.scoring import parse_answer, score

# torch stays resident once imported (~180 MB): these tests import it when they run, and run last (run_last in
# tests/conftest.py), after the FLORES-wide modules that set the suite's peak memory
pytestmark = pytest.mark.run_last


@pytest.fixture(scope="module", autouse=True)
def torch() -> Any:
    return pytest.importorskip("torch", reason="the model probe needs torch (pip install 'tokbench[model]')")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, torch: Any) -> Path:
    """A 2-layer GPT-2 with a byte-level BPE trained on arithmetic lines, saved as a model folder."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    from tokbench.digits.probeset import FORMATS

    lines = [r.prompt + r.target for r in build_probe_set(seed=7, per_pair=3, formats=list(FORMATS), shots=[1])]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(
        lines,
        trainers.BpeTrainer(
            vocab_size=300, special_tokens=["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
        ),
    )
    tok = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|endoftext|>")
    torch.manual_seed(0)
    eos = tok.eos_token_id
    config = GPT2Config(
        vocab_size=len(tok), n_positions=512, n_embd=32, n_layer=2, n_head=2, bos_token_id=eos, eos_token_id=eos
    )
    model = GPT2LMHeadModel(config)
    out = tmp_path_factory.mktemp("models") / "tiny-gpt2"
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def test_batched_greedy_generation_is_scored_consistently(tiny_model: Path) -> None:
    from tokbench.digits.model import HFCausalLM, run_probes

    recs = build_probe_set(seed=0, per_pair=1, formats=["plain", "comma_r2l"], shots=[0, 2])[::3]
    model = HFCausalLM(tiny_model, device="cpu")
    assert model.device == "cpu" and model.tokenizer.padding_side == "left"
    calls: list[tuple[dict, int, int]] = []
    generate = model.model.generate

    def spy(**kw: object) -> object:
        out = generate(**kw)
        calls.append((kw, out.shape[1], kw["input_ids"].shape[1]))  # type: ignore[attr-defined]
        return out

    model.model.generate = spy  # type: ignore[method-assign]
    batched = run_probes(model, recs, batch_size=8)
    single = run_probes(model, recs, batch_size=1)
    # left padding must not change a greedy continuation
    assert [s.output for s in batched] == [s.output for s in single]
    assert [s.output for s in run_probes(model, recs, batch_size=8)] == [s.output for s in batched]  # temperature 0
    for kw, total, prompt in calls:  # greedy, at most 20 new tokens
        assert kw["do_sample"] is False and kw["max_new_tokens"] == 20 and total - prompt <= 20
    for r, s in zip(recs, batched, strict=True):
        assert s.id == r.id
        assert s.parsed == parse_answer(s.output, "," if r.format == "comma_r2l" else "")
        assert s == score(r, s.output)


def test_cli_end_to_end(tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "res"
    argv = [
        "probe-arithmetic",
        str(tiny_model),
        "--out",
        str(out),
        "--per-pair",
        "1",
        "--shots",
        "1",
        "--batch-size",
        "4",
        "--quiet",
        "--json",
        "--write-probes",
        str(tmp_path / "probes.jsonl"),
    ]
    assert main(argv) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)  # --json: stdout is pure JSON
    assert "Loading weights" not in captured.err and "prompt/s" not in captured.err  # --quiet: no bars
    assert {r["format"] for r in doc["rows"]} == {"plain", "comma_r2l"}
    from tokbench.results import read_results

    table, prov = read_results(out)
    assert set(table.tokenizer) == {"tiny-gpt2"} and set(table.corpus) == {"arith_probe"}
    acc = table[table.metric == "digits.arith.accuracy"]
    assert set(acc.language) == {"1shot"} and (acc.n == 9).all() and acc.value.between(0, 1).all()
    preds = list(out.glob("predictions__tiny-gpt2__*.jsonl"))
    assert len(preds) == 1 and len(preds[0].read_text().splitlines()) == 18
    # a finished cell is not recomputed; the same probes from the written file give the same cell
    assert main([*argv[:2], "--out", str(out), "--probes", str(tmp_path / "probes.jsonl"), "--quiet"]) == 0
    assert len(list(out.glob("predictions__*.jsonl"))) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["probe-arithmetic", "/nonexistent/model", "--out", "x"], "does not exist"),
        (["probe-arithmetic", "--per-pair", "1"], "give a model folder"),
        (["probe-arithmetic", "MODEL"], "--out DIR is required"),
        (["probe-arithmetic", "MODEL", "--out", "OUT", "--formats", "roman"], "unknown number format"),
        (["probe-arithmetic", "MODEL", "--out", "OUT", "--shots", "two"], "--shots must be whole numbers"),
    ],
)
def test_cli_errors_are_one_line(
    args: list[str], message: str, tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [str(tiny_model) if a == "MODEL" else str(tmp_path / "o") if a == "OUT" else a for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_custom_code_model_is_refused(tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    bad = tmp_path / "custom"
    shutil.copytree(tiny_model, bad)
    cfg = json.loads((bad / "config.json").read_text())
    cfg["auto_map"] = {"AutoModelForCausalLM": "modeling_x.X"}
    (bad / "config.json").write_text(json.dumps(cfg))
    assert main(["probe-arithmetic", str(bad), "--out", str(tmp_path / "o"), "--per-pair", "1"]) == 2
    assert "trust_remote_code" in capsys.readouterr().err


def _copy(tiny_model: Path, dest: Path) -> Path:
    import shutil

    shutil.copytree(tiny_model, dest)
    return dest


def _one_line_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "internal error" not in err and "Traceback" not in err, err
    return err


@pytest.fixture
def no_unpickling(monkeypatch: pytest.MonkeyPatch, torch: Any) -> list[str]:
    """Record any torch.load / pickle load: the probe must never unpickle a checkpoint."""
    import pickle

    calls: list[str] = []

    def refuse(*a: object, **k: object) -> None:
        calls.append(str(a[0]) if a else "?")
        raise AssertionError("unpickling attempted")

    monkeypatch.setattr(torch, "load", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    return calls


@pytest.mark.parametrize("name", ["pytorch_model.bin", "model.pt", "weights.pth", "last.ckpt"])
def test_pickled_weights_are_refused_by_name(
    name: str, tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_unpickling: list[str]
) -> None:
    model = _copy(tiny_model, tmp_path / "pickled")
    (model / "model.safetensors").unlink()
    (model / name).write_bytes(b"\x80\x04\x95not a real pickle, never opened")
    err = _one_line_exit_2(capsys, ["probe-arithmetic", str(model), "--out", str(tmp_path / "o"), "--per-pair", "1"])
    assert f"{model / name} is a pickled checkpoint" in err and "safetensors" in err
    assert no_unpickling == [] and not (tmp_path / "o").exists()


def test_pickles_beside_safetensors_are_never_opened(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], no_unpickling: list[str]
) -> None:
    """A folder with both (as many hub snapshots): the safetensors weights are read, the pickle is not."""
    model = _copy(tiny_model, tmp_path / "both")
    (model / "pytorch_model.bin").write_bytes(b"garbage: reading this would fail")
    (model / "training_args.bin").write_bytes(b"garbage")
    argv = ["probe-arithmetic", str(model), "--out", str(tmp_path / "o"), "--per-pair", "1", "--shots", "0", "-q"]
    assert main(argv) == 0, capsys.readouterr().err
    assert no_unpickling == []


@pytest.mark.parametrize(("device", "message"), [
    ("nosuch", "--device 'nosuch' is not a torch device"),
    ("cpu:x", "--device 'cpu:x' is not a torch device"),
    ("meta", "the probe generates on cpu, cuda, mps, xpu, not meta"),
    ("cuda", "sees no cuda device; use --device cpu"),
    ("cuda:7", "sees no cuda device"),
    ("mps", "sees no mps device"),
])
def test_bad_device_is_one_line(
    device: str, message: str, tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], torch: Any
) -> None:
    if device.startswith("cuda") and torch.cuda.is_available():
        pytest.skip("this machine has CUDA: the device exists")
    if device == "mps" and torch.backends.mps.is_available():
        pytest.skip("this machine has MPS")
    argv = ["probe-arithmetic", str(tiny_model), "--out", str(tmp_path / "o"), "--per-pair", "1", "--device", device]
    assert message in _one_line_exit_2(capsys, argv)
    assert not (tmp_path / "o").exists()  # refused before the results folder is locked or written


def _break(model: Path, how: str) -> None:
    st = model / "model.safetensors"
    if how == "truncated safetensors":
        st.write_bytes(st.read_bytes()[: st.stat().st_size // 2])
    elif how == "safetensors header garbage":
        st.write_bytes(b"\xff" * 64)
    elif how == "weights of another shape":
        cfg = json.loads((model / "config.json").read_text())
        (model / "config.json").write_text(json.dumps({**cfg, "n_embd": 64}))
    elif how == "config of the wrong type":
        cfg = json.loads((model / "config.json").read_text())
        (model / "config.json").write_text(json.dumps({**cfg, "n_layer": "two"}))
    elif how == "config not an object":
        (model / "config.json").write_text("[1, 2]")
    elif how == "no weights":
        st.unlink()
    elif how == "no tokenizer":
        for p in model.glob("tokenizer*"):
            p.unlink()


@pytest.mark.parametrize(("how", "message"), [
    ("truncated safetensors", "could not be read"),
    ("safetensors header garbage", "could not be read"),
    ("weights of another shape", "could not be read"),
    ("config of the wrong type", "could not be read"),
    ("config not an object", "is not a transformers config"),
    ("no weights", "has no model weights (model.safetensors)"),
    ("no tokenizer", "has no tokenizer (tokenizer.json, tokenizer.model, vocab.json, ...)"),
])
def test_broken_model_folders_are_one_line(
    how: str, message: str, tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = _copy(tiny_model, tmp_path / "broken")
    _break(model, how)
    argv = ["probe-arithmetic", str(model), "--out", str(tmp_path / "o"), "--per-pair", "1", "--shots", "0", "-q"]
    err = _one_line_exit_2(capsys, argv)
    assert message in err and str(model) in err


def test_generation_failure_is_one_line(tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A prompt longer than the model's 512 positions: torch's IndexError becomes the one line."""
    from dataclasses import replace

    from tokbench.digits.probeset import write_jsonl

    rec = build_probe_set(seed=0, per_pair=1, formats=["plain"], shots=[0])[0]
    long = replace(rec, prompt="1+1=2\n" * 400 + rec.prompt)
    write_jsonl([long], tmp_path / "long.jsonl")
    argv = ["probe-arithmetic", str(tiny_model), "--out", str(tmp_path / "o"), "--probes", str(tmp_path / "long.jsonl"),
            "-q"]
    err = _one_line_exit_2(capsys, argv)
    assert "tiny-gpt2 failed to generate on cpu" in err and "longer than the model's context" in err


def test_malformed_probe_file_through_the_cli(tiny_model: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    probes = tmp_path / "p.jsonl"
    probes.write_bytes(b"\xff\xfe{}")
    argv = ["probe-arithmetic", str(tiny_model), "--out", str(tmp_path / "o"), "--probes", str(probes)]
    assert "is not UTF-8 text" in _one_line_exit_2(capsys, argv)
