"""`tokbench sweep` end to end on the vendored UDHR with tiny vocabularies: rows, resume, report, bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tokbench.cli import main
from tokbench.datadirs import set_cli_data_dirs
from tokbench.results import read_results

LANGS = ["eng_Latn", "tur_Latn", "rus_Cyrl"]
SMALL = ["--train", "udhr", "--eval", "udhr", "--langs", *LANGS, "--vocab-sizes", "300", "360",
         "--budget", "3000", "--bootstrap", "0", "--quiet"]  # fmt: skip


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path / "cache"))
    yield
    set_cli_data_dirs(None)


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict]:
    out = tmp_path_factory.mktemp("sweep") / "out"
    cache = tmp_path_factory.mktemp("sweep-cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("TOKBENCH_CACHE", str(cache))
    try:
        import io
        from contextlib import redirect_stdout

        runs = []
        for _ in range(2):
            buf = io.StringIO()
            with redirect_stdout(buf):
                assert main(["sweep", "--out", str(out), *SMALL, "--json"]) == 0
            runs.append(json.loads(buf.getvalue()))
    finally:
        mp.undo()
        set_cli_data_dirs(None)
    return out, runs[0], runs[1]


def test_every_trained_tokenizer_is_evaluated_on_its_language(swept: tuple[Path, dict, dict]) -> None:
    out, first, _ = swept
    table, _ = read_results(out)
    ctc = table[table["metric"] == "ctc"]
    labels = set(ctc["tokenizer"])
    for algo in ("bpe", "unigram", "superbpe"):
        for lang in LANGS:
            for v in (300, 360):
                assert f"{algo}-{v}-{lang}" in labels
    assert (ctc["tokenizer"].str.rsplit("-", n=1).str[1] == ctc["language"]).all()
    assert first["held_out"] is False  # UDHR has one split: in-sample, and the output says so
    specs = json.loads((out / "specs.json").read_text())
    sizes = {lang: t["size"] for lang, t in specs["training_text"].items()}
    assert all(2997 <= s <= 3000 for s in sizes.values()), sizes
    prem = table[(table["metric"] == "sweep.premium") & (table["tokenizer"] == "bpe-360")].set_index("language")
    assert prem.at["eng_Latn", "value"] == 1.0  # the pivot over itself
    bpe = ctc.set_index("tokenizer")["value"]
    assert prem.at["tur_Latn", "value"] == pytest.approx(bpe["bpe-360-tur_Latn"] / bpe["bpe-360-eng_Latn"])
    opt = table[table["metric"] == "sweep.optimal_vocab"]
    assert set(opt["tokenizer"]) == {"bpe", "unigram", "superbpe"} and len(opt) == 9
    assert (table["tokenizer"] == "bpe-optimal").any()


def test_a_second_run_trains_and_computes_nothing(swept: tuple[Path, dict, dict]) -> None:
    _, first, second = swept
    assert first["trained_now"] > 0 and first["cells_computed"] > 0
    assert second["trained_now"] == 0 and second["cells_computed"] == 0
    assert second["cells_already_finished"] == first["cells_computed"] + first["cells_already_finished"]


def test_report_is_written_and_the_section_is_registered(swept: tuple[Path, dict, dict]) -> None:
    from tokbench.report.base import REPORT_SECTIONS

    out, _, _ = swept
    text = (out / "report.md").read_text()
    for finding in ("Finding 1", "Finding 2", "Finding 3", "Finding 4"):
        assert finding in text
    assert (out / "plots" / "sweep_curves.png").stat().st_size > 1000
    assert (out / "tables" / "sweep_spread.csv").is_file()
    assert "sweep" in REPORT_SECTIONS.names()  # through the tokbench.report_sections entry point


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--algorithms", "wordpiece"], "unknown algorithm"),
        (["--pivot", "fra_Latn"], "pivot 'fra_Latn' is not among --langs"),
        (["--budget", "10000000"], "less than the training budget"),
        (["--vocab-sizes", "200", "300"], "must exceed the 256 byte symbols"),
        (["--target", "mean"], "--target 'mean'"),
        (["--train", "no_such_corpus"], "unknown training corpus"),
        (["--shared-size", "999"], "is not one of --vocab-sizes"),
        (["--vocab-sizes", "300"], "two or more sizes"),
        (["--transition", "1.5"], "must be in (0, 1]"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv: list[str], message: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    code = main(["sweep", "--out", str(tmp_path / "o"), *SMALL, *argv])
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("tokbench: error: "), err
    assert message in lines[0] and "Traceback" not in err


def test_trained_tokenizers_can_be_kept_and_registered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from tokbench.manifests import clear_manifest_cache, tokenizer_manifests
    from tokbench.tokenizers import load_tokenizer

    monkeypatch.setenv("TOKBENCH_HOME", str(tmp_path / "home"))
    clear_manifest_cache()
    keep = tmp_path / "kept"
    argv = ["sweep", "--out", str(tmp_path / "o"), "--train", "udhr", "--eval", "udhr", "--langs", "eng_Latn",
            "tur_Latn", "--algorithms", "bpe", "--vocab-sizes", "300", "340", "--budget", "2000", "--bootstrap", "0",
            "--no-optimal", "--no-report", "--keep", str(keep), "--register", "--quiet"]  # fmt: skip
    assert main(argv) == 0
    capsys.readouterr()
    assert (keep / "bpe-300-tur_Latn" / "tokenizer.json").is_file()
    clear_manifest_cache()
    assert "bpe-340-eng_Latn" in tokenizer_manifests()
    tok = load_tokenizer("bpe-340-eng_Latn")  # the rest of the suite knows it by name
    assert tok.vocab_size == 340
    clear_manifest_cache()
