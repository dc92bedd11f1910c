"""Category specs: folders, corpus languages and the paper's named language set."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokbench.errors import TokbenchError
from tokbench.mixture.categories import PAPER_LANGUAGES, load_category_spec


def test_paper_languages_are_flores_codes_without_repeats(shared_assets: Path) -> None:
    from tokbench.corpora import load_corpus

    flores = set(load_corpus("flores200").languages("devtest"))
    assert len(PAPER_LANGUAGES) == len(set(PAPER_LANGUAGES)) == 95  # 112 OSCAR languages, 17 not in FLORES
    assert set(PAPER_LANGUAGES) <= flores
    # the languages whose absence let Japanese Han merges land on Chinese are in the set
    assert {"zho_Hans", "jpn_Jpan", "kor_Hang", "eng_Latn"} <= set(PAPER_LANGUAGES)


def test_named_set_expands_inside_a_corpus_spec(shared_assets: Path) -> None:
    cats = load_category_spec("flores200:devtest:@hayase2024")
    assert list(cats) == list(PAPER_LANGUAGES)
    mixed = load_category_spec("flores200:devtest:fij_Latn,@hayase2024")
    assert list(mixed)[0] == "fij_Latn" and len(mixed) == 96
    assert all(docs and all(d for d in docs) for docs in cats.values())


def test_unknown_named_set_is_a_clear_error() -> None:
    """On the vendored UDHR, so the check runs without the data directory."""
    with pytest.raises(TokbenchError, match="unknown language set '@nope'"):
        load_category_spec("udhr:articles:@nope")


def test_non_utf8_category_file_name_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    from tokbench.cli import main

    (tmp_path / "eng.txt").write_text("hello world, some English text. " * 50, encoding="utf-8")
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt"), "w", encoding="utf-8") as f:  # a latin-1 name
        f.write("le chat est sur le tapis. " * 50)
    with pytest.raises(TokbenchError, match=r"category file name 'caf\\xe9.txt' .* is not UTF-8: rename it"):
        load_category_spec(str(tmp_path))
    assert main(["mixture", "r50k_base", "--categories", str(tmp_path), "--merges", "50", "--json", "-q"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "not UTF-8" in err
