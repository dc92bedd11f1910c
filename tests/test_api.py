"""The Python API (tokbench.api, reached as `import tokbench as tb`) on vendored data: the same rows and
provenance as `tokbench run`, in-memory tokenizers measured like their files, quiet, errors, the notebook
example."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import tokbench as tb
from tokbench.cli import main
from tokbench.io import read_bytes
from tokbench.results import read_results
from tokbench.tokenizers import load_tokenizer

REPO = Path(__file__).resolve().parents[1]
VENDORED = REPO / "tokbench" / "vendored" / "tokenizers"
LANGS = ["eng_Latn", "tur_Latn", "mya_Mymr"]


def _vendored_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The grid must not depend on a developer's data directory."""
    monkeypatch.delenv("TOKBENCH_DATA", raising=False)


def test_import_is_cheap_and_report_mixture_are_callable_packages() -> None:
    code = (
        "import sys, tokbench as tb\n"
        "assert 'pandas' not in sys.modules and 'tokbench.api' not in sys.modules, 'import tokbench loaded the API'\n"
        "import tokbench.report.writer, tokbench.mixture.infer, tokbench.check\n"
        "assert callable(tb.report) and callable(tb.mixture) and callable(tb.check) and callable(tb.evaluate)\n"
        "assert tb.report.write_site is tokbench.report.writer.write_site\n"
        "from tokbench import report; assert report is sys.modules['tokbench.report']\n"
        "print(tb.__version__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == tb.__version__


def test_evaluate_gives_the_rows_and_provenance_of_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _vendored_only(monkeypatch)
    assert main(["run", "--tokenizers", "cl100k_base", "mistral_v1", "--corpora", "udhr", "--metrics", "ctc",
                 "premium", "--langs", *LANGS, "--out", str(tmp_path / "cli"), "--quiet", "--in-process"]) == 0
    cli_table, cli_prov = read_results(tmp_path / "cli")
    df = tb.evaluate(["cl100k_base", "mistral_v1"], corpora="udhr", metrics=["ctc", "premium"], langs=LANGS,
                     quiet=True, in_process=True)
    pd.testing.assert_frame_equal(df.reset_index(drop=True), cli_table.reset_index(drop=True))
    prov = df.attrs["tokbench"]
    assert prov["tokbench_version"] == tb.__version__
    assert {(c["tokenizer"], c["metric"]) for c in prov["cells"]} == {
        (c["tokenizer"], c["metric"]) for c in cli_prov["cells"]}
    assert {c["tokenizer_sha256"] for c in prov["cells"]} == {c["tokenizer_sha256"] for c in cli_prov["cells"]}
    assert "tokbench_out" not in df.attrs  # computed in a temporary folder


def test_evaluate_keeps_out_and_reports_a_dataframe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _vendored_only(monkeypatch)
    df = tb.evaluate("o200k_base", corpora=["udhr"], metrics="ctc", langs="eng_Latn,tur_Latn", out=tmp_path / "r",
                     quiet=True)
    assert set(df.language) == {"ALL", "eng_Latn", "tur_Latn"} and set(df.unit) == {"tokens"}
    assert (tmp_path / "r" / "results.parquet").is_file() and df.attrs["tokbench_out"] == str(tmp_path / "r")
    written = tb.report(df, viewer_corpus=None, quiet=True)  # out: the results folder
    assert written.index_html == tmp_path / "r" / "index.html" and written.index_html.is_file()
    assert "o200k_base" in written.report_md.read_text()
    with pytest.raises(tb.TokbenchError, match="out=FOLDER"):
        tb.report(df.copy().pipe(lambda d: setattr(d, "attrs", {}) or d), quiet=True)


def _registered_rows(df: pd.DataFrame, name: str) -> pd.DataFrame:
    return df[df.tokenizer == name].drop(columns="tokenizer").reset_index(drop=True)


def test_in_memory_objects_are_measured_like_their_files(monkeypatch: pytest.MonkeyPatch) -> None:
    _vendored_only(monkeypatch)
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    rust = Tokenizer.from_buffer(read_bytes(VENDORED / "bert_base_uncased" / "tokenizer.json.gz"))
    padding, truncation = rust.padding, rust.truncation  # the file sets both; the measurement turns them off
    assert padding and truncation
    objects = {
        "mem_tiktoken": load_tokenizer("cl100k_base").encoding,  # a tiktoken.Encoding
        "mem_spm": load_tokenizer("mistral_v1").processor,  # a sentencepiece.SentencePieceProcessor
        "mem_rust": rust,  # a tokenizers.Tokenizer
        "mem_fast": PreTrainedTokenizerFast(tokenizer_object=rust),  # a transformers fast tokenizer
    }
    files = {"mem_tiktoken": "cl100k_base", "mem_spm": "mistral_v1", "mem_rust": "bert_base_uncased",
             "mem_fast": "bert_base_uncased"}
    df = tb.evaluate({**objects, **{f: f for f in set(files.values())}}, corpora="udhr",
                     metrics=["ctc", "bytes_per_token"], langs=LANGS, quiet=True)
    for mem, reg in files.items():
        pd.testing.assert_frame_equal(_registered_rows(df, mem), _registered_rows(df, reg), obj=f"{mem} vs {reg}")
    notes = df.attrs["tokbench"]["in_memory_tokenizers"]
    assert set(notes) == set(objects)
    assert all("not loaded from a pinned file" in n["note"] for n in notes.values())
    shas = {c["tokenizer"]: c["tokenizer_sha256"] for c in df.attrs["tokbench"]["cells"]}
    assert shas["mem_spm"] == notes["mem_spm"]["sha256"]
    # the same serialised form is the same tokenizer (one cache key); the fast wrapper serialises the same json
    assert notes["mem_rust"]["sha256"] == notes["mem_fast"]["sha256"] == tb.tokenizer(rust, name="again").sha256
    assert rust.padding == padding and rust.truncation == truncation  # on a copy: the caller's object is unchanged


def test_in_memory_identity_follows_content() -> None:
    from tokenizers import Tokenizer

    rust = Tokenizer.from_buffer(read_bytes(VENDORED / "bert_base_uncased" / "tokenizer.json.gz"))
    before = tb.tokenizer(rust, name="x")
    rust.add_tokens(["tokbenchnewtoken"])
    after = tb.tokenizer(rust, name="x")
    assert before.sha256 != after.sha256 and before.cache_key != after.cache_key
    enc = load_tokenizer("cl100k_base").encoding
    assert tb.tokenizer(enc).name == "cl100k_base" and tb.tokenizer(enc).sha256 == tb.tokenizer(enc).sha256


def test_errors_are_one_line_tokbench_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    _vendored_only(monkeypatch)
    from transformers import PythonBackend

    class Slow(PythonBackend):  # a slow (Python) transformers tokenizer
        def __init__(self) -> None:
            self._v = {"[UNK]": 0, "a": 1}
            super().__init__(unk_token="[UNK]")

        @property
        def vocab_size(self) -> int:
            return len(self._v)

        def get_vocab(self) -> dict[str, int]:
            return dict(self._v)

        def _tokenize(self, text: str) -> list[str]:
            return list(text)

        def _convert_token_to_id(self, token: str) -> int:
            return self._v.get(token, 0)

        def _convert_id_to_token(self, index: int) -> str:
            return "a" if index == 1 else "[UNK]"

    enc = load_tokenizer("cl100k_base").encoding

    def small(n: int) -> object:  # two different encodings that both call themselves 'dup'
        ranks = dict(list(enc._mergeable_ranks.items())[:n])
        return enc.__class__(name="dup", pat_str=enc._pat_str, mergeable_ranks=ranks, special_tokens={})

    cases = [
        (lambda: tb.evaluate(["no_such_tokenizer"], corpora="udhr", quiet=True), "unknown tokenizer"),
        (lambda: tb.evaluate([object()], corpora="udhr", quiet=True), "cannot use a builtins.object"),
        (lambda: tb.evaluate({"gpt2": enc}, corpora="udhr", quiet=True), "name of a registered tokenizer"),
        (lambda: tb.evaluate({"a": enc, "cl100k_base": "cl100k_base"}, corpora="udhr", metrics="nosuch",
                             quiet=True), "nosuch"),
        (lambda: tb.evaluate({"b": "cl100k_base"}, corpora="udhr", quiet=True), "keeps its name"),
        (lambda: tb.evaluate([small(300), small(400)], corpora="udhr", quiet=True), "both be named"),
        (lambda: tb.evaluate(["cl100k_base"], corpora="udhr", metrics=[], quiet=True), "names nothing"),
        (lambda: tb.tokenizer(Slow()), "slow"),
        (lambda: tb.tokenizer(enc, name="bad name"), "name 'bad name'"),
        (lambda: tb.report(Path("/nonexistent/results")), "no results"),
        (lambda: tb.inspect("cl100k_base", lineage="some"), "lineage"),
        (lambda: tb.mixture("xlm_roberta", {"a": ["x"]}), "not BPE|unigram tokenizer"),
    ]
    for call, match in cases:
        with pytest.raises(tb.TokbenchError, match=match) as e:
            call()
        assert "\n" not in str(e.value)


def test_quiet_prints_nothing(capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    _vendored_only(monkeypatch)
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    tb.evaluate(["p50k_base"], corpora="udhr", metrics="ctc", langs=LANGS, quiet=True, force=True)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert "TQDM_DISABLE" not in os.environ  # restored after the call
    tb.evaluate(["p50k_base"], corpora="udhr", metrics="bytes_per_token", langs=LANGS, quiet=False)
    assert "grid" in capfd.readouterr().err  # the progress bar, when not quiet


def test_inspect_and_mixture_objects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _vendored_only(monkeypatch)
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    from tokbench.corpora import load_corpus

    udhr = load_corpus("udhr")
    eng, tur = udhr.texts("articles", "eng_Latn"), udhr.texts("articles", "tur_Latn")
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    # trained on English only: the inferred mixture must give English most of the training data
    bpe.train_from_iterator(eng, trainers.BpeTrainer(vocab_size=600, show_progress=False,
                                                     initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    info = tb.inspect(bpe, name="toy_bpe", out=tmp_path, lineage="off", quiet=True)
    frame = info.to_frame()
    assert list(frame.columns) == ["rank_from", "rank_to", "class", "share"]
    assert frame.groupby("rank_from")["share"].sum().round(6).eq(1).all()
    assert info.to_json()["name"] == "toy_bpe" and info.markdown.is_file() and info.png.is_file()
    mix = tb.mixture(bpe, {"eng": eng, "tur": tur}, name="toy_bpe", merges=200, quiet=True)
    shares = mix.to_frame().set_index("category")["byte_share"]
    assert abs(shares.sum() - 1) < 1e-6 and shares["eng"] > 0.8
    assert mix.to_json()["byte_weights"]["eng"] == pytest.approx(shares["eng"])
    by_spec = tb.mixture(bpe, "udhr:articles:eng_Latn,tur_Latn", name="toy_bpe", merges=200, quiet=True)
    assert set(by_spec.to_frame().category) == {"eng_Latn", "tur_Latn"}  # one spec: its commas name languages


def test_check_an_object_as_its_file(monkeypatch: pytest.MonkeyPatch, reference_encoder: None) -> None:
    """An in-memory tokenizers.Tokenizer is checked as the caller holds it: bert's tokenizer.json ships
    padding and truncation, and the object loaded from it gets the same verdicts as the registered file."""
    _vendored_only(monkeypatch)
    from tokenizers import Tokenizer

    rust = Tokenizer.from_buffer(read_bytes(VENDORED / "bert_base_uncased" / "tokenizer.json.gz"))
    mem = tb.check(rust, name="bert_mem", quiet=True)
    reg = tb.check("bert_base_uncased", quiet=True)
    assert mem.to_frame()[["check", "status"]].equals(reg.to_frame()[["check", "status"]])
    assert mem.to_frame().set_index("check").loc["padding_truncation", "status"] == "warn"
    assert mem.exit_code == reg.exit_code == mem.to_json()["exit_code"] and mem.to_json()["tokenizer"] == "bert_mem"


def test_notebook_example_runs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TOKBENCH_DATA"}
    done = subprocess.run([sys.executable, str(REPO / "docs" / "notebook_example.py"), str(tmp_path)],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "error: unknown tokenizer 'no_such_tokenizer'" in done.stdout
    assert (tmp_path / "results" / "index.html").is_file()
    assert "my_bpe_1k" in read_results(tmp_path / "results")[0].tokenizer.unique()
