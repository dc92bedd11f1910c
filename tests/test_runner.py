"""The grid runner: results for every cell, resume without re-encoding, option and input errors.

Runs on vendored data only (UDHR, registry-sourced tokenizers), so it needs no shared assets.
"""

from __future__ import annotations

import argparse
import os
import signal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tokbench.commands import run as run_cmd
from tokbench.errors import TokbenchError
from tokbench.results import read_results
from tokbench.runner import RunConfig, run_grid
from tokbench.tokenizers.loader import display_name

LANGS = ["eng_Latn", "deu_Latn", "cmn_Hans"]


class SpyEncode:
    """Counts encode calls; delegates to tokbench's cached encode path."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, tokenizer: Any, texts: list[str]) -> Any:
        from tokbench.encode import encode_texts

        self.calls += 1
        return encode_texts(tokenizer, texts)


def config(out: Path, **kw: Any) -> RunConfig:
    base: dict[str, Any] = dict(
        tokenizers=["cl100k_base", "mistral_v1"],
        corpora=["udhr"],
        metrics=["premium", "bytes_per_token"],
        langs=LANGS,
        options={"bootstrap": "200"},
    )
    return RunConfig(out=out, **{**base, **kw})


def test_grid_then_resume_without_encoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path / "cache"))
    spy = SpyEncode()
    first = run_grid(config(tmp_path / "out"), log=lambda s: None, encode=spy)
    assert (first.computed, first.skipped) == (4, 0) and spy.calls > 0
    t = first.table
    assert set(t.tokenizer) == {"cl100k_base", "mistral_v1"} and set(t.corpus) == {"udhr"}
    prem = t[(t.metric == "premium")].set_index(["tokenizer", "language"])["value"]
    assert prem["cl100k_base", "eng_Latn"] == 1.0 and prem["cl100k_base", "cmn_Hans"] > 1.0
    bpt = t[(t.metric == "bytes_per_token") & (t.language == "eng_Latn")]
    assert (bpt.value > 3).all() and (bpt.ci_low < bpt.value).all() and (bpt.split == "articles").all()

    calls = spy.calls
    again = run_grid(config(tmp_path / "out"), log=lambda s: None, encode=spy, load_tokenizer=_no_load)
    assert (again.computed, again.skipped) == (0, 4) and spy.calls == calls
    assert again.table.equals(first.table)

    table, prov = read_results(tmp_path / "out")
    assert table.equals(first.table)
    assert {c["metric"] for c in prov["cells"]} == {"premium", "bytes_per_token"}
    assert all(len(c["tokenizer_sha256"]) == 64 and len(c["corpus_sha256"]) == 64 for c in prov["cells"])

    changed = run_grid(config(tmp_path / "out", options={"bootstrap": "200", "pivot": "deu_Latn"}), log=lambda s: None)
    assert (changed.computed, changed.skipped) == (2, 2)  # only premium reads the pivot
    prem = changed.table[changed.table.metric == "premium"].set_index(["tokenizer", "language"])["value"]
    assert prem["cl100k_base", "deu_Latn"] == 1.0


def _no_load(name: str) -> Any:
    raise AssertionError(f"a finished cell must not load tokenizer {name}")


def test_ctc_needs_no_parallel_corpus(tmp_path: Path) -> None:
    cfg = config(tmp_path, tokenizers=["cl100k_base"], corpora=["code_samples"], metrics=["ctc"], langs=["python"])
    t = run_grid(cfg, log=lambda s: None).table
    assert len(t) == 1 and t.value.item() > 1000 and np.isfinite(t.ci_low.item())


def test_premium_on_non_parallel_corpus_is_an_error(tmp_path: Path) -> None:
    cfg = config(tmp_path, tokenizers=["cl100k_base"], corpora=["code_samples"], metrics=["premium"], langs=None)
    with pytest.raises(TokbenchError, match="needs a parallel corpus"):
        run_grid(cfg, log=lambda s: None)


def test_bad_grid_input(tmp_path: Path) -> None:
    with pytest.raises(TokbenchError, match="unknown metric 'fertilty'"):
        run_grid(config(tmp_path, metrics=["fertilty"]), log=lambda s: None)
    with pytest.raises(TokbenchError, match="pivt"):
        run_grid(config(tmp_path, options={"pivt": "eng_Latn"}), log=lambda s: None)
    with pytest.raises(TokbenchError, match="unknown corpus"):
        run_grid(config(tmp_path, corpora=["flores300"]), log=lambda s: None)
    with pytest.raises(TokbenchError, match="has no language"):
        run_grid(config(tmp_path, langs=["xxx_Latn"]), log=lambda s: None)


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    run_cmd.add_arguments(parser)
    args = parser.parse_args(
        ["--tokenizers", "cl100k_base", "--corpora", "udhr", "--metrics", "fertility,chars_per_token",
         "--langs", "eng_Latn", "fra_Latn", "--option", "bootstrap=0", "--out", str(tmp_path)]
    )  # fmt: skip
    assert run_cmd.run(args) == 0
    assert "2 cells computed" in capsys.readouterr().out
    table, _ = read_results(tmp_path / "results.json")
    assert sorted(table.metric.unique()) == ["chars_per_token", "fertility"] and len(table) == 4
    with pytest.raises(TokbenchError, match="key=value"):
        run_cmd.parse_options(["pivot"])


def test_child_processes_give_identical_results(tmp_path: Path) -> None:
    """Each tokenizer in its own child process (the default, for bounded memory), two children at once (the
    default with 2 cores: results arrive in either order) or all in this one: the same cells, byte-identical
    tables."""
    cfg = dict(tokenizers=["cl100k_base", "r50k_base", "p50k_base"], corpora=["udhr"],
               metrics=["bytes_per_token", "fertility"], langs=["eng_Latn", "tur_Latn"], options={"bootstrap": "20"})
    one = run_grid(RunConfig(out=tmp_path / "one", executor_options={"workers": 1}, **cfg), log=lambda s: None)
    two = run_grid(RunConfig(out=tmp_path / "two", executor_options={"workers": 2}, **cfg), log=lambda s: None)
    inproc = run_grid(RunConfig(out=tmp_path / "in", isolate=False, **cfg), log=lambda s: None)
    assert one.computed == two.computed == inproc.computed == 6
    expected = (tmp_path / "in" / "results.parquet").read_bytes()
    assert (tmp_path / "one" / "results.parquet").read_bytes() == expected
    assert (tmp_path / "two" / "results.parquet").read_bytes() == expected


def test_error_in_a_child_is_one_clear_error(tmp_path: Path) -> None:
    cfg = RunConfig(out=tmp_path / "o", tokenizers=["cl100k_base", "r50k_base"], corpora=["udhr"],
                    metrics=["premium"], langs=["tur_Latn"], options={"pivot": "xxx_Latn"})  # fmt: skip
    with pytest.raises(TokbenchError):
        run_grid(cfg, log=lambda s: None)


def test_path_tokenizers_are_named_after_their_file(tmp_path: Path, trained_bpe: Path) -> None:
    """Results show `my_bpe`, not the path; NAME=PATH names it; two entries with one name are refused."""
    cfg = dict(corpora=["udhr"], metrics=["bytes_per_token"], langs=["eng_Latn"], options={"bootstrap": "0"})
    t = run_grid(RunConfig(out=tmp_path / "a", tokenizers=[str(trained_bpe), "cl100k_base"], **cfg), log=lambda s: None)
    assert set(t.table.tokenizer) == {display_name(str(trained_bpe)), "cl100k_base"}
    assert "/" not in display_name(str(trained_bpe))
    t = run_grid(RunConfig(out=tmp_path / "b", tokenizers=[f"mine={trained_bpe}"], **cfg), log=lambda s: None)
    assert set(t.table.tokenizer) == {"mine"}
    copy = tmp_path / "elsewhere" / trained_bpe.name
    copy.parent.mkdir()
    copy.write_bytes(trained_bpe.read_bytes())
    with pytest.raises(TokbenchError, match="both be named"):
        run_grid(RunConfig(out=tmp_path / "c", tokenizers=[f"x={trained_bpe}", f"x={copy}"], **cfg))


class _InterruptInFinalizer:
    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        sum(range(1000))  # the handler's KeyboardInterrupt is raised here, inside the finalizer


def test_an_interrupt_a_finalizer_swallowed_stops_the_run_after_the_cell(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C (or SIGTERM, as `tokbench run` turns it into the same KeyboardInterrupt) landing in a `__del__`
    cannot propagate; the run used to finish the whole grid. Now it stops once that cell is saved."""
    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path / "cache"))
    spy = SpyEncode()

    def encode(tokenizer: Any, texts: list[str]) -> Any:
        _InterruptInFinalizer()
        return spy(tokenizer, texts)

    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            run_grid(config(tmp_path / "out", tokenizers=["cl100k_base"]), log=lambda s: None, encode=encode)
    finally:
        signal.signal(signal.SIGINT, before)
    assert len(list((tmp_path / "out" / "cells").glob("*.json"))) == 1  # the first cell, saved; not the second
