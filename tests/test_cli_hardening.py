"""Bad input and interruptions of the commands that write: every user-chosen output path that cannot be
written (a file where a folder is needed, a name too long, /proc, a read-only folder) is one line and exit 2,
before any work, with nothing left behind; a write that fails later is one line too; a terminated run stops
every process it started and resumes to the same results."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from tokbench import encode as encode_mod
from tokbench.cli import main
from tokbench.datadirs import set_cli_data_dirs
from tokbench.results import read_results

UDHR_RUN = ["--tokenizers", "r50k_base", "--corpora", "udhr", "--metrics", "ctc", "--langs", "eng_Latn", "-q"]


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(encode_mod, "_memo", encode_mod._Memo(1 << 30))
    yield
    set_cli_data_dirs(None)


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2, (argv, out, err)
    assert len(lines) == 1 and lines[0].startswith("tokbench: error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tiny `tokbench run` (r50k_base x UDHR English, ctc) to report on."""
    out = tmp_path_factory.mktemp("hardening") / "res"
    assert main(["run", *UDHR_RUN, "--out", str(out)]) == 0
    return out


def _bad_folder(kind: str, tmp: Path) -> Path:
    """A folder path that cannot be created or written, of the given kind."""
    if kind == "proc":
        return Path("/proc/tokbench-hardening/out")
    if kind == "file":
        (tmp / "afile").write_text("keep me\n")
        return tmp / "afile"
    if kind == "under_file":
        (tmp / "afile").write_text("keep me\n")
        return tmp / "afile" / "sub"
    if kind == "too_long":
        return tmp / ("n" * 300) / "out"
    if kind == "read_only":
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders; the other kinds cover the class")
        (tmp / "ro").mkdir()
        (tmp / "ro").chmod(0o555)
        return tmp / "ro" / "out"
    raise AssertionError(kind)


KINDS = ["proc", "file", "under_file", "too_long", "read_only"]


def _snapshot(tmp: Path) -> dict[str, bytes]:
    """Every file under tmp except the encode cache, to prove nothing was created or changed."""
    return {str(p.relative_to(tmp)): p.read_bytes() for p in sorted(tmp.rglob("*"))
            if p.is_file() and "cache" not in p.relative_to(tmp).parts}


COMMANDS: dict[str, Callable[[Path, Path], list[str]]] = {
    "run --out": lambda bad, res: ["run", *UDHR_RUN, "--out", str(bad)],
    "report --out": lambda bad, res: ["report", str(res), "--out", str(bad)],
    "report --markdown": lambda bad, res: ["report", str(res), "--out", str(res.parent / "rep"),
                                          "--markdown", str(bad)],
    "inspect --out": lambda bad, res: ["inspect", "r50k_base", "--lineage", "off", "--out", str(bad)],
    "fetch --to": lambda bad, res: ["fetch", "flores200", "--tarball", str(res / "missing.tar.gz"), "--to", str(bad)],
    "probe-arithmetic --write-probes": lambda bad, res: ["probe-arithmetic", "--write-probes", str(bad)],
    "probe-arithmetic --out": lambda bad, res: ["probe-arithmetic", str(res), "--out", str(bad)],
}
FLAG = {"report --markdown": "--markdown", "fetch --to": "--to", "probe-arithmetic --write-probes": "--write-probes"}
FILE_FLAGS = ("report --markdown", "probe-arithmetic --write-probes")  # these name a file, not a folder


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_unwritable_output_path_is_one_line_and_writes_nothing(
    command: str, kind: str, tmp_path: Path, results_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _bad_folder(kind, tmp_path)
    if command in FILE_FLAGS:
        bad = tmp_path if kind == "file" else bad / "written.md"  # "file": a folder where the file should be
    before = _snapshot(tmp_path)
    line = one_line_error(capsys, COMMANDS[command](bad, results_dir))
    assert FLAG.get(command, "--out") in line, line
    assert _snapshot(tmp_path) == before  # nothing created, nothing partial, the file in the way untouched
    assert not (results_dir.parent / "rep").exists()


def test_register_into_an_unwritable_home(
    trained_bpe: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "afile").write_text("keep me\n")
    monkeypatch.setenv("TOKBENCH_HOME", str(tmp_path / "afile"))
    line = one_line_error(capsys, ["register", str(trained_bpe), "--name", "hardening_bpe"])
    assert "TOKBENCH_HOME" in line and "not a folder" in line
    assert (tmp_path / "afile").read_text() == "keep me\n"


def test_a_later_write_failure_is_one_line(
    results_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--out itself is writable, but a subfolder the report needs is a file: the write that fails
    says which path, in one line."""
    out = tmp_path / "rep"
    out.mkdir()
    (out / "tables").write_text("in the way\n")
    line = one_line_error(capsys, ["report", str(results_dir), "--out", str(out)])
    assert "cannot write" in line and str(out / "tables") in line
    assert not [p for p in out.rglob("*.tmp")]


# --- a terminated run ---------------------------------------------------------------------------------------
KILL_RUN = ["--tokenizers", "mistral_v1", "phi3", "mistral_v3", "bert_base_uncased", "--corpora", "udhr",
            "--metrics", "ctc", "bytes_per_token", "--langs", "eng_Latn", "tur_Latn", "--option", "bootstrap=0", "-q"]


def _descendants(pid: int) -> set[int]:
    """Every live process below `pid`, from /proc (children re-parented to init are found by the caller)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, pp in parents.items() if pp in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(p)
    return alive


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc (Linux)")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_terminated_run_stops_every_child_and_resumes_to_the_same_results(sig: int, tmp_path: Path) -> None:
    """kill -TERM / -INT of `tokbench run` while a tokenizer computes in its child: the driver exits, and with
    it the child, the forkserver and the resource tracker (a caller reading the pipes gets EOF at once);
    finished cells stay, no temp file is left, and the same command completes to the uninterrupted results."""
    env = {**os.environ, "TOKBENCH_CACHE": str(tmp_path / "cache")}
    out = tmp_path / "run"
    argv = [sys.executable, "-m", "tokbench.cli", "run", *KILL_RUN, "--out", str(out)]
    # a test run started in the background (nohup, CI) inherits SIGINT ignored, and Python keeps it so:
    # give the command the default, as a terminal would
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300
    kids: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        kids |= _descendants(proc.pid)
        cells = list((out / "cells").glob("*.json")) if (out / "cells").is_dir() else []
        if cells and len(_alive(kids)) >= 3:  # a tokenizer finished and the next one's child is running
            break
        time.sleep(0.2)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    kids |= _descendants(proc.pid)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)  # hangs if a child kept the pipes open
    assert proc.returncode == 130, err
    assert "interrupted" in err.decode() and "Traceback" not in err.decode(), err
    deadline = time.monotonic() + 15
    while _alive(kids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(kids), f"left running: {_alive(kids)}"
    assert not list(out.rglob("*.tmp"))
    finished = len(list((out / "cells").glob("*.json")))
    assert 0 < finished < 8
    resumed = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{8 - finished} cells computed, {finished} already finished" in resumed.stdout
    assert "Traceback" not in resumed.stderr and "leaked" not in resumed.stderr, resumed.stderr
    fresh = subprocess.run([*argv[:-1], str(tmp_path / "fresh"), "--in-process"], capture_output=True, text=True,
                           env=env, timeout=600, check=False)
    assert fresh.returncode == 0, fresh.stderr
    a, _ = read_results(out)
    b, _ = read_results(tmp_path / "fresh")
    key = ["tokenizer", "corpus", "metric", "language", "split"]
    cols = [c for c in a.columns if c not in ("seconds",)]
    pd.testing.assert_frame_equal(a[cols].sort_values(key).reset_index(drop=True),
                                  b[cols].sort_values(key).reset_index(drop=True))


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc (Linux)")
def test_a_terminated_report_stops_its_check_children(tmp_path: Path) -> None:
    """kill -TERM of `tokbench report --inspect` while tokenizers are checked in child processes: one line,
    exit 130, no child, forkserver or temp file left, nothing reported leaked."""
    env = {**os.environ, "TOKBENCH_CACHE": str(tmp_path / "cache"), "TOKBENCH_BACKEND": "reference"}
    run = tmp_path / "run"
    assert main(["run", "--quiet", "--corpora", "udhr", "--tokenizers", "r50k_base", "p50k_base", "mistral_v1",
                 "--metrics", "ctc", "--langs", "eng_Latn", "--out", str(run)]) == 0
    out = tmp_path / "site"
    proc = subprocess.Popen([sys.executable, "-m", "tokbench.cli", "report", str(run), "--inspect", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 300
    kids: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        kids |= _descendants(proc.pid)
        if len(_alive(kids)) >= 3:  # the forkserver and two checking children
            break
        time.sleep(0.2)
    assert proc.poll() is None, "the report ended before it could be interrupted"
    kids |= _descendants(proc.pid)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    text = err.decode()
    assert proc.returncode == 130, text
    assert "interrupted" in text and "Traceback" not in text and "leaked" not in text, text
    deadline = time.monotonic() + 15
    while _alive(kids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(kids), f"left running: {_alive(kids)}"
    assert not list(out.rglob("*.tmp"))


# --- leftovers of a killed command ----------------------------------------------------------------------------
def test_report_removes_the_temp_files_a_killed_report_left(
    results_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rep"
    left = [out / ".index.html.k1ll3d.tmp", out / "tables" / ".leaderboard.csv.k1ll3d.tmp",
            out / "tokenizers" / ".r50k_base.html.k1ll3d.tmp", tmp_path / ".lb.md.k1ll3d.tmp"]
    for p in left:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("partial")
    other = tmp_path / ".someone_elses.md.x.tmp"  # beside --markdown, but not its temp file: kept
    other.write_text("not ours")
    code = main(["report", str(results_dir), "--out", str(out), "--markdown", str(tmp_path / "lb.md"), "-q",
                 "--viewer-corpus", "none"])
    capsys.readouterr()
    assert code == 0
    assert not [p for p in left if p.exists()] and not list(out.rglob("*.tmp"))
    assert other.exists() and (out / "index.html").is_file() and (tmp_path / "lb.md").is_file()


def test_fetch_removes_the_temp_files_a_killed_fetch_left(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Even a fetch that then fails (no tarball) clears them: they are never valid data."""
    leftover = tmp_path / "data" / "corpora" / "flores200" / "devtest" / ".eng_Latn.parquet.k1ll3d.tmp"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"PAR1 partial")
    line = one_line_error(capsys, ["fetch", "flores200", "--tarball", str(tmp_path / "missing.tar.gz"),
                                   "--to", str(tmp_path / "data")])
    assert "no such file" in line
    assert not leftover.exists()


# --- values accepted without checks ---------------------------------------------------------------------------
@pytest.fixture
def spm_folder(tmp_path: Path) -> Path:
    """A folder with two SentencePiece models (copies of the vendored mistral_v1 one)."""
    import gzip

    from tokbench.datadirs import VENDORED_DIR

    data = gzip.decompress((VENDORED_DIR / "tokenizers" / "mistral_v1" / "tokenizer.model.gz").read_bytes())
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "a.model").write_bytes(data)
    (folder / "b.model").write_bytes(data)
    return folder


@pytest.mark.usefixtures("home")
@pytest.mark.parametrize(("extra", "message"), [
    (["--name", ""], "--name ''"),
    (["--option", "foo=1"], "--option foo: not an option of the sentencepiece format"),
    (["--option", "nfc=true"], "--option nfc: not an option of the sentencepiece format"),
])
def test_register_refuses_values_it_would_ignore(
    extra: list[str], message: str, spm_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = one_line_error(capsys, ["register", str(spm_folder / "a.model"), *extra])
    assert message in line


@pytest.mark.usefixtures("home")
@pytest.mark.parametrize(("option", "message"), [
    ("nfc=maybe", "must be true or false"), ("nfc=[1", "must be true or false"), ("encoding=", "must be a name"),
    ("encoding=nosuch", "not a tiktoken encoding"), ("lowercase=true", "not an option of the hf_json format"),
])
def test_register_option_types_are_checked(
    option: str, message: str, trained_bpe: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = trained_bpe if not option.startswith("encoding") else _ranks_file(trained_bpe.parent.parent)
    line = one_line_error(capsys, ["register", str(target), "--name", "typed", "--option", option])
    assert message in line


def _ranks_file(folder: Path) -> Path:
    """The vendored r50k_base ranks under another name (so `encoding` must be given)."""
    from tokbench.datadirs import VENDORED_DIR

    out = folder / "ranks.tiktoken.gz"
    out.write_bytes((VENDORED_DIR / "tokenizers" / "gpt2" / "r50k_base.tiktoken.gz").read_bytes())
    return out


@pytest.mark.usefixtures("home")
def test_register_a_folder_with_two_models_asks_which(spm_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = one_line_error(capsys, ["register", str(spm_folder)])
    assert "2 .model files (a.model, b.model)" in line
    assert main(["register", str(spm_folder / "b.model"), "--name", "the_b", "-q"]) == 0  # the file itself works


@pytest.mark.parametrize("flag", ["--metrics", "--tokenizers", "--corpora", "--langs"])
def test_run_list_flags_that_name_nothing_are_refused(
    flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", *UDHR_RUN, "--out", str(tmp_path / "o")]
    argv[argv.index(flag) + 1] = ","  # e.g. --metrics , (it ran the default suite)
    line = one_line_error(capsys, argv)
    assert f"{flag} ',' names nothing" in line
    assert not (tmp_path / "o").exists()


def test_inspect_unknown_corpus_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = one_line_error(capsys, ["inspect", "r50k_base", "--corpora", "nosuch", "--lineage", "off",
                                   "--out", str(tmp_path / "i")])
    assert "unknown corpus 'nosuch'" in line


# --- report on odd results ------------------------------------------------------------------------------------
def test_report_names_that_clean_alike_get_distinct_pages_and_null_metrics_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`a/b` and `a b` were both written to tokenizers/a-b.html (the second overwrote the first); a name too
    long for a file name, and a metric whose every value is null, must not stop the report either."""
    import numpy as np

    from tokbench.report.writer import write_site

    res = tmp_path / "res"
    assert main(["run", "--tokenizers", "r50k_base", "p50k_base", "cl100k_base", "--corpora", "udhr", "--metrics",
                 "ctc", "bytes_per_token", "--langs", "eng_Latn", "--option", "bootstrap=0", "-q", "--in-process",
                 "--out", str(res)]) == 0
    capsys.readouterr()
    table, prov = read_results(res)
    names = {"r50k_base": "a/b", "p50k_base": "a b", "cl100k_base": "t" * 300}
    table["tokenizer"] = table["tokenizer"].map(names)
    table.loc[table.metric == "bytes_per_token", ["value", "ci_low", "ci_high"]] = np.nan
    written = write_site(table, prov, tmp_path / "site", "odd names", viewer_corpus=None, quiet=True)
    pages = sorted((tmp_path / "site" / "tokenizers").glob("*.html"))
    assert len(pages) == 3
    for name in names.values():
        assert sum(f">{name}<" in p.read_text(encoding="utf-8") for p in pages) == 1, name
    index = written.index_html.read_text(encoding="utf-8")
    assert all(f'href="tokenizers/{p.name}"' in index for p in pages)


# --- report --mixture JSON ------------------------------------------------------------------------------------
GOOD_SHARES = {"eng_Latn": 0.5, "code:python": 0.3, "fra_Latn": 0.2}


@pytest.mark.parametrize(("doc", "message"), [
    ('{"results": {"r50k_base": {"byte_weights": [0.5, 0.5]}}}', "byte_weights must map categories"),
    ('{"results": {"r50k_base": "0.5"}}', "a result must be an object"),
    ('{"results": {"r50k_base": {"byte_weights": {"eng_Latn": "half", "fra_Latn": 0.5}}}}', "'half'"),
    ('{"results": {"r50k_base": {"byte_weights": {"eng_Latn": NaN, "fra_Latn": 1.0}}}}', "nan"),
    ('{"results": {"r50k_base": {"byte_weights": {"eng_Latn": Infinity, "fra_Latn": 0}}}}', "inf"),
    ('{"results": {"r50k_base": {"byte_weights": {"eng_Latn": -0.5, "fra_Latn": 1.5}}}}', "-0.5"),
    ('{"results": {"r50k_base": {"byte_weights": {"eng_Latn": 0.3, "fra_Latn": 0.2}}}}', "sum to 0.5, not 1"),
    ('{"results": {"r50k_base": {"byte_weights": {"eng_Latn": 0.5, "klingon": 0.5}}}}', "unknown category 'klingon'"),
    (json.dumps({"tokenizer": "r50k_base", "byte_weights": GOOD_SHARES,
                 "ci95": {"byte_weights": {"eng_Latn": [0.6, 0.4]}}}), "expected [low, high]"),
    (json.dumps({"tokenizer": "r50k_base", "byte_weights": GOOD_SHARES, "merges_used": "many"}),
     "merges_used must be a count"),
    ("[1, 2]", "not a mixture result"),
    ("{not json", "cannot read it as JSON"),
])
def test_report_mixture_json_is_validated(
    doc: str, message: str, results_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "mixture.json"
    bad.write_text(doc, encoding="utf-8")
    line = one_line_error(capsys, ["report", str(results_dir), "--out", str(tmp_path / "rep"), "--mixture", str(bad)])
    assert "--mixture" in line and message in line, line
    assert not (tmp_path / "rep").exists()


def test_report_mixture_json_valid_shapes_pass(results_dir: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    one = tmp_path / "one.json"
    one.write_text(json.dumps({"tokenizer": "r50k_base", "byte_weights": GOOD_SHARES, "merges_used": 3000,
                               "ci95": {"byte_weights": {"eng_Latn": [0.45, 0.55]}}}), encoding="utf-8")
    failed = tmp_path / "failed.json"
    failed.write_text(json.dumps({"results": {"p50k_base": {"error": "LP time limit"}}}), encoding="utf-8")
    code = main(["report", str(results_dir), "--out", str(tmp_path / "rep"), "--mixture", str(one), "--mixture",
                 str(failed), "-q", "--viewer-corpus", "none"])
    capsys.readouterr()
    assert code == 0 and (tmp_path / "rep" / "index.html").is_file()


def test_list_metrics_shows_needs_as_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "metrics"]) == 0
    out = capsys.readouterr().out
    bpt = next(line for line in out.splitlines() if line.startswith("bytes_per_token "))
    assert " nothing " in bpt and "[" not in out.split("definition")[0] and "['" not in out


# --- dask executor --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("address", ["nonsense", "tcp://", "::::"])
def test_dask_malformed_address_is_one_line(address: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("dask.distributed", reason="the dask executor needs dask[distributed]")
    line = one_line_error(capsys, ["run", *UDHR_RUN, "--executor", "dask", "--address", address,
                                   "--out", str(tmp_path / "o")])
    assert "cannot reach the Dask scheduler" in line and "tcp://host:8786" in line


def test_dask_run_keeps_dask_logging_off_stderr(tmp_path: Path) -> None:
    """A local cluster's scheduler/nanny/worker INFO lines (24-88 of them) were printed on every run."""
    pytest.importorskip("dask.distributed", reason="the dask executor needs dask[distributed]")
    env = {**os.environ, "TOKBENCH_CACHE": str(tmp_path / "cache")}
    argv = [sys.executable, "-m", "tokbench.cli", "run", *UDHR_RUN, "--executor", "dask", "--workers", "1",
            "--out", str(tmp_path / "o")]
    r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600, check=False)
    assert r.returncode == 0, r.stderr
    assert not [line for line in r.stderr.splitlines() if "distributed" in line or "Nanny" in line
                or "Scheduler" in line or "Worker" in line], r.stderr


# --- unknown names: the closest match, long alternatives compactly, and all of it before a progress bar
_TYPOS = {
    "run_tokenizer": (["run", "--tokenizers", "r50k_base,cl100k", "--corpora", "udhr", "--out", "OUT"],
                      r"unknown tokenizer 'cl100k': did you mean cl100k_base\?"),
    "run_language": (["run", "--tokenizers", "r50k_base", "--corpora", "udhr", "--langs", "eng_latn", "--out", "OUT"],
                     r"corpus 'udhr' has no language 'eng_latn': did you mean eng_Latn\?$"),
    "run_languages_listed": (["run", "--tokenizers", "r50k_base", "--corpora", "udhr", "--langs", "xxx_Yyyy", "--out",
                              "OUT"],
                             r"has no language 'xxx_Yyyy'; it has aar_Latn, abk_Cyrl, (\w+, ){7}\w+ \.\.\. and "
                             r"\d+ more; `tokbench list languages udhr`$"),
    "run_corpus": (["run", "--tokenizers", "r50k_base", "--corpora", "udrh", "--out", "OUT"],
                   r"unknown corpus 'udrh': did you mean udhr\?$"),
    "run_metric": (["run", "--tokenizers", "r50k_base", "--corpora", "udhr", "--metrics", "fertilty", "--out", "OUT"],
                   r"unknown metric 'fertilty': did you mean fertility\?$"),
    "run_metrics_listed": (["run", "--tokenizers", "r50k_base", "--corpora", "udhr", "--metrics", "zzz", "--out",
                            "OUT"],
                           r"unknown metric 'zzz'; choose one of (\S+, ){9}\S+ \.\.\. and \d+ more; "
                           r"`tokbench list metrics`$"),
    "encode_tokenizer": (["encode", "--tokenizer", "o200k", "--corpus", "udhr"],
                         r"unknown tokenizer 'o200k': did you mean o200k_base\?"),
    "encode_language": (["encode", "--tokenizer", "r50k_base", "--corpus", "udhr", "--langs", "tur_Latin"],
                        r"corpus 'udhr' split 'articles' has no language 'tur_Latin': did you mean tur_Latn\?$"),
    "encode_split": (["encode", "--tokenizer", "r50k_base", "--corpus", "udhr", "--split", "article"],
                     r"corpus 'udhr' has no split 'article': did you mean articles\?"),
    "inspect_tokenizer": (["inspect", "p50k", "--out", "OUT"], r"unknown tokenizer 'p50k': did you mean p50k_base\?"),
    "inspect_corpora": (["inspect", "r50k_base", "--corpora", "udhr:articles:fra_latn", "--out", "OUT"],
                        r"has no language 'fra_latn': did you mean fra_Latn\?$"),
    "mixture_tokenizer": (["mixture", "r50k", "--categories", "udhr:articles:eng_Latn,fra_Latn", "--merges", "300"],
                          r"unknown tokenizer 'r50k': did you mean r50k_base\?"),
    "mixture_category": (["mixture", "r50k_base", "--categories", "udhr:articles:eng_Latn,fra_latn", "--merges", "300"],
                         r"has no language 'fra_latn': did you mean fra_Latn\?$"),
    "sweep_language": (["sweep", "--out", "OUT", "--train", "udhr", "--eval", "udhr", "--langs", "eng_Latn", "tur_latn",
                        "--vocab-sizes", "400", "500"],
                       r"corpus 'udhr' has no language 'tur_latn': did you mean tur_Latn\?$"),
    "sweep_corpus": (["sweep", "--out", "OUT", "--train", "udrh", "--langs", "eng_Latn", "tur_Latn"],
                     r"unknown training corpus 'udrh': did you mean udhr\?$"),
    "list_languages": (["list", "languages", "flores20"], r"unknown corpus 'flores20': did you mean flores200\?$"),
}


@pytest.mark.parametrize("case", list(_TYPOS))
def test_unknown_names_suggest_the_closest_before_any_bar(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not -q: a progress bar drawn before the error would show on stderr (tqdm draws when not a terminal)."""
    import re

    argv, pattern = _TYPOS[case]
    out = tmp_path / "out"
    line = one_line_error(capsys, [str(out) if a == "OUT" else a for a in argv])
    assert re.search(pattern, line), line
    assert not (out / "results.parquet").exists() and not (out / "cells").exists()


def test_list_languages(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "languages", "udhr", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"code": "tur_Latn", "name": "Turkish"} in rows and len(rows) == len({r["code"] for r in rows}) > 400
    assert "`tokbench list languages CORPUS`" not in one_line_error(capsys, ["list", "languages"])
