"""Vendored lexicon files verify, and a missing, truncated or non-UTF-8 one is one line and exit 2."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tokbench.cli import main
from tokbench.datadirs import set_cli_data_dirs
from tokbench.errors import TokbenchError
from tokbench.io import sha256_file
from tokbench.morphology.lexicon_files import LexiconFile, vendored_lexicon_files
from tokbench.morphology.zemberek_lexicon import LEXICON


def test_vendored_lexicons_verify_and_decode() -> None:
    files = vendored_lexicon_files()
    assert {f.relpath for f in files} >= {LEXICON.relpath, "lexicons/turkish/hunspell_tr_TR.dic"}
    for f in files:
        assert sha256_file(f.locate()) == f.sha256
    assert LEXICON.read_text().count("\n") > 60000


def test_missing_file_names_it() -> None:
    with pytest.raises(TokbenchError, match=r"lexicon file lexicons/turkish/nope\.csv .* not found"):
        LexiconFile("lexicons/turkish/nope.csv", "0" * 64, "nowhere").read_text()


def _bad_copy(tmp_path: Path, kind: str) -> Path:
    data = gzip.decompress(LEXICON.locate().read_bytes())
    folder = tmp_path / "lexicons" / "turkish"
    folder.mkdir(parents=True)
    if kind == "truncated_gz":
        blob = gzip.compress(data)
        (folder / "zemberek_lexicon.csv.gz").write_bytes(blob[: len(blob) // 2])
    elif kind == "truncated":
        (folder / "zemberek_lexicon.csv").write_bytes(data[: len(data) // 2].rsplit(b"\n", 1)[0])
    else:  # latin-1 bytes where UTF-8 was expected
        (folder / "zemberek_lexicon.csv").write_bytes(data.decode("utf-8").encode("latin-1", errors="replace"))
    return tmp_path


@pytest.mark.parametrize(
    ("kind", "message"),
    [("truncated_gz", "truncated or not gzip"), ("truncated", "truncated or modified"), ("latin1", "is not UTF-8")],
)
def test_bad_lexicon_file_is_one_line_exit_2(tmp_path, capsys, kind, message) -> None:
    data_dir = _bad_copy(tmp_path, kind)
    try:
        code = main([
            "run", "--metrics", "tr", "--corpora", "udhr", "--langs", "tur_Latn", "--tokenizers", "cl100k_base",
            "--option", "resource=zemberek_lexicon", "--out", str(tmp_path / "out"), "--data-dir", str(data_dir), "-q",
        ])  # fmt: skip
    finally:
        set_cli_data_dirs(None)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and message in err[0] and "zemberek_lexicon.csv" in err[0], err
