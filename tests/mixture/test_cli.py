"""The mixture command end to end on a tiny trained tokenizer, and its one-line errors."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from tokbench.cli import main


@pytest.fixture()
def tok_path(synthetic, tmp_path: Path) -> Path:
    p = tmp_path / "tokenizer.json"
    synthetic["tok"].save(str(p))
    return p


@pytest.fixture()
def cat_dir(synthetic, tmp_path: Path) -> Path:
    d = tmp_path / "cats"
    d.mkdir()
    for name, docs in synthetic["samples"].items():
        text = "\n".join(docs) + "\n"
        if name == "cc":
            (d / f"{name}.txt.gz").write_bytes(gzip.compress(text.encode()))
        else:
            (d / f"{name}.txt").write_text(text)
    return d


def test_mixture_json(tok_path, cat_dir, capsys):
    assert main(["mixture", str(tok_path), "--categories", str(cat_dir), "--merges", "150", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["weights"]) == {"aa", "bb", "cc"}
    assert abs(sum(out["byte_weights"].values()) - 1) < 1e-6
    assert out["merges_used"] == 150 and out["byte_weights"]["aa"] > out["byte_weights"]["cc"]


def test_mixture_table(tok_path, cat_dir, capsys):
    assert main(["mixture", str(tok_path), "--categories", str(cat_dir), "--merges", "60", "-q"]) == 0
    assert "byte_share" in capsys.readouterr().out


def test_mixture_table_with_bootstrap_says_when_estimates_leave_their_intervals(tok_path, cat_dir, capsys):
    argv = ["mixture", str(tok_path), "--categories", str(cat_dir), "--merges", "60", "--bootstrap", "4",
            "--seed", "4"]
    assert main([*argv, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    ci, est = out["ci95"]["byte_weights"], out["byte_weights"]
    outside = sum(not ci[k][0] <= est[k] <= ci[k][1] for k in est)
    assert set(out["bootstrap_mean"]["byte_weights"]) == set(est)
    assert main([*argv, "-q"]) == 0
    table = capsys.readouterr().out
    assert "byte_ci95" in table and "byte_boot_mean" in table
    # seed 4 puts one of the three estimates outside its 4-replicate interval (here; the note's
    # presence is checked against the JSON so another platform's last digits cannot break the test)
    assert ("lie outside their bootstrap interval" in table) == (outside > 0)
    if outside:
        assert f"note: {outside} of {len(est)} byte shares lie outside" in table


def test_mixture_separation_check(tok_path, cat_dir, capsys):
    argv = ["mixture", str(tok_path), "--categories", str(cat_dir), "--merges", "60", "--separation"]
    assert main([*argv, "--json"]) == 0
    sep = json.loads(capsys.readouterr().out)["separation"]
    assert set(sep) == {"aa", "bb", "cc"}
    for s in sep.values():
        assert s["nearest"] in {"aa", "bb", "cc"} and 0 <= s["split_half"] <= 1 and 0 < s["nearest_tv"] <= 1
        assert s["ratio"] == pytest.approx(s["split_half"] / s["nearest_tv"])
    assert main([*argv, "-q"]) == 0
    table = capsys.readouterr().out
    assert "split_half_tv" in table and "nearest_tv" in table
    weak = [k for k, s in sep.items() if s["ratio"] > 0.5]
    assert ("their shares are limited by the samples" in table) == bool(weak)


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def test_missing_and_empty_categories(tok_path, tmp_path, capsys):
    assert main(["mixture", str(tok_path), "--categories", str(tmp_path / "nope"), "-q"]) == 2
    assert "does not exist" in one_line_error(capsys)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "x.txt").write_text("  \n")
    assert main(["mixture", str(tok_path), "--categories", str(empty), "-q"]) == 2
    assert "empty" in one_line_error(capsys)


def test_bad_merge_list(cat_dir, tmp_path, capsys):
    # merges.txt whose second merge uses a token no earlier merge produced
    d = tmp_path / "badtok"
    d.mkdir()
    from tokbench.tokenizers.hf import byte_decoder

    alphabet = sorted(byte_decoder())
    vocab = {ch: i for i, ch in enumerate(alphabet)}
    for t in ("ab", "abc", "xy", "xyz"):
        vocab[t] = len(vocab)
    (d / "vocab.json").write_text(json.dumps(vocab))
    # "xy z" comes before the merge that creates "xy": out of order (as a cycle would be)
    (d / "merges.txt").write_text("#version: 0.2\na b\nxy z\nx y\nab c\n")
    rc = main(["mixture", str(d), "--categories", str(cat_dir), "--merges", "10", "-q"])
    assert rc == 2
    assert "no earlier merge" in one_line_error(capsys)


def test_non_bpe_and_bad_options(tok_path, cat_dir, capsys):
    assert main(["mixture", "bert_base_uncased", "--categories", str(cat_dir), "-q"]) == 2
    assert "BPE" in one_line_error(capsys)
    assert main(["mixture", str(tok_path), "--categories", str(cat_dir), "--start-merge", "x", "-q"]) == 2
    assert "start-merge" in one_line_error(capsys)


def test_solver_time_limit_is_one_line(tok_path, cat_dir, capsys):
    # a non-positive limit is a usage error now (argparse type, exit 2), one line either way
    with pytest.raises(SystemExit) as ei:
        main(["mixture", str(tok_path), "--categories", str(cat_dir), "--merges", "300",
              "--time-limit", "0", "-q"])
    assert ei.value.code == 2
    assert "time-limit" in one_line_error(capsys)
    rc = main(["mixture", str(tok_path), "--categories", str(cat_dir), "--merges", "300",
               "--time-limit", "0.000001", "-q"])
    assert rc == 2
    assert "time-limit" in one_line_error(capsys)
