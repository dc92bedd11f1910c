"""The user journey of issue 12, end to end through the CLI: train a tokenizer (here, inside the
test, on the vendored UDHR), `tokbench register` it, `tokbench run` it beside registered
tokenizers, `tokbench report` -> a leaderboard row for it among them. Its numbers are checked
against the same quantities computed directly with the training library."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from tokbench.cli import main
from tokbench.corpora import load_corpus
from tokbench.tokenizers import load_tokenizer

LANGS = ["eng_Latn", "fra_Latn", "tur_Latn", "rus_Cyrl", "mya_Mymr"]
TRAIN_LANGS = ("eng_Latn", "fra_Latn", "tur_Latn", "rus_Cyrl")



def _udhr(lang: str) -> list[str]:
    return load_corpus("udhr").texts("articles", lang)


@pytest.fixture(scope="module")
def trained_spm(tmp_path_factory) -> Path:
    """A 1,000-piece SentencePiece BPE trained here on the same UDHR languages (a `.model` journey)."""
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([t for lang in TRAIN_LANGS for t in _udhr(lang)]), model_writer=model,
        vocab_size=1000, model_type="bpe", byte_fallback=True, character_coverage=1.0, minloglevel=2,
    )
    out = tmp_path_factory.mktemp("runs") / "udhr_spm_1k.model"
    out.write_bytes(model.getvalue())
    return out


def _direct_counts(path: Path, texts: list[str]) -> int:
    """Tokens of `texts`, one document each, with the training library itself (no tokbench code)."""
    if path.suffix == ".model":
        import sentencepiece as spm

        sp = spm.SentencePieceProcessor(model_proto=path.read_bytes())
        return sum(len(ids) for ids in sp.encode(texts))
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    return sum(len(e.ids) for e in tok.encode_batch(texts, add_special_tokens=False))


@pytest.mark.parametrize("kind", ["tokenizer.json", ".model"])
def test_register_run_report(kind, home, tmp_path, capsys, trained_bpe, trained_spm):
    path = trained_bpe if kind == "tokenizer.json" else trained_spm
    # 1. register: one command, name given
    assert main(["register", str(path), "--name", "mine", "--license", "CC0-1.0", "--json"]) == 0
    reg = json.loads(capsys.readouterr().out)
    assert reg["name"] == "mine" and reg["vocab_size"] == 1000
    # 2. run beside two registered (vendored) tokenizers on the vendored UDHR
    out = tmp_path / "report"
    assert main(["run", "--tokenizers", "mine", "r50k_base", "cl100k_base", "--corpora", "udhr",
                 "--metrics", "bytes_per_token", "premium", "--langs", *LANGS, "--option", "protocol=sentence",
                 "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    table = pd.read_parquet(out / "results.parquet")
    assert set(table["tokenizer"]) == {"mine", "r50k_base", "cl100k_base"}
    mine = table[table["tokenizer"] == "mine"].set_index(["metric", "language"])["value"]
    eng, tur = _udhr("eng_Latn"), _udhr("tur_Latn")
    n_eng = _direct_counts(path, eng)
    assert mine["bytes_per_token", "eng_Latn"] == pytest.approx(sum(len(t.encode()) for t in eng) / n_eng, rel=1e-12)
    # premium (Petrov et al. 2023), per-sentence protocol: tokens of the Turkish text / tokens of the same English text
    assert len(tur) == len(eng)  # every article in both: the aligned units are all of them
    assert mine["premium", "tur_Latn"] == pytest.approx(_direct_counts(path, tur) / n_eng, rel=1e-12)
    # 3. report: the new tokenizer has its row in the leaderboard among the registered ones
    assert main(["report", str(out)]) == 0
    capsys.readouterr()
    md = (out / "report.md").read_text()
    board = [line for line in md.splitlines() if line.startswith("| ") and "|" in line[2:]]
    ranked = [cells[2] for line in board if len(cells := [c.strip() for c in line.split("|")]) > 3]
    assert {"mine", "r50k_base", "cl100k_base"} <= set(ranked)


def test_path_tokenizer_names(home, tmp_path, trained_bpe):
    """A tokenizer given by path is named after its folder, or by `NAME=PATH` / `name=`, never by its path."""
    from tokbench.tokenizers.loader import display_name

    spec = f"adhoc_bpe={trained_bpe}"
    assert load_tokenizer(spec).name == display_name(spec) == "adhoc_bpe"
    assert load_tokenizer(str(trained_bpe)).name == display_name(str(trained_bpe)) == "udhr_bpe_1k"
    assert load_tokenizer(str(trained_bpe), name="x").name == "x"
    assert display_name("cl100k_base") == "cl100k_base"


def test_encode_path_tokenizer_with_name(home, trained_bpe, capsys):
    assert main(["encode", "--tokenizer", str(trained_bpe), "--name", "mine_adhoc", "--corpus", "udhr",
                 "--langs", "eng_Latn", "--json", "-q"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["tokenizer"] == "mine_adhoc"
    assert out["rows"][0]["tokens"] == _direct_counts(trained_bpe, _udhr("eng_Latn"))
