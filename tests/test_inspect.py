"""tokbench inspect: token classes, report files, lineage and never-produced tokens."""

from __future__ import annotations

import json

from tokbench.cli import main
from tokbench.inspection import class_shares_by_rank, token_class


def test_token_class():
    assert token_class(b" the") == "Latin"
    assert token_class(" мир".encode()) == "Cyrillic"
    assert token_class("中文".encode()) == "Han"
    assert token_class(b" 123") == "digit"
    assert token_class(b"  \n") == "whitespace"
    assert token_class(b"();") == "punctuation"
    assert token_class(b"\xe4\xb8") == "bytes"


def test_class_shares_rows_sum_to_one():
    toks = [b"a", b"b", b"1", b" ", "ж".encode()] * 20
    edges, labels, shares = class_shares_by_rank(toks, n_bins=4)
    assert edges[-1] == len(toks) and abs(shares.sum(axis=1) - 1).max() < 1e-9
    assert "Latin" in labels


def test_inspect_vendored_tokenizer(tmp_path, capsys):
    # r50k_base is vendored: works without shared assets; code_samples is vendored too
    rc = main(["inspect", "r50k_base", "--out", str(tmp_path), "--corpora", "code_samples:samples:python",
               "--no-lineage", "--json"])
    assert rc == 0
    info = json.loads(capsys.readouterr().out)
    assert info["algorithm"] == "bpe" and info["merges"] == 50000
    assert info["never_produced"]["count"] > 1000
    assert (tmp_path / "r50k_base.md").read_text().startswith("# r50k_base")
    assert (tmp_path / "r50k_base_by_rank.png").stat().st_size > 1000


def test_lineage_llama3_extends_cl100k(shared_assets):
    from tokbench.mixture.lineage import find_lineage
    from tokbench.tokenizers import load_tokenizer

    lin = find_lineage(load_tokenizer("llama3"), ["cl100k_base", "r50k_base"])
    assert lin.parent is not None and lin.parent.name == "cl100k_base" and lin.parent.shared == 100_000


def test_inspect_non_bpe(tmp_path, capsys):
    rc = main(["inspect", "bert_base_uncased", "--out", str(tmp_path), "--corpora", "--json"])
    assert rc == 0
    info = json.loads(capsys.readouterr().out)
    assert info["algorithm"] == "wordpiece" and "merges" not in info
