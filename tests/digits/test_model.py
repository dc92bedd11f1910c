"""The model probe end to end on a tiny randomly initialised GPT-2 built here (near-zero accuracy is
expected; what is checked is that generation, batching, parsing and scoring agree), plus the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tokbench.cli import main
from tokbench.digits.probeset import build_probe_set
from tokbench.digits.scoring import parse_answer, score

torch = pytest.importorskip("torch", reason="the model probe needs torch (pip install 'tokbench[model]')")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
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
