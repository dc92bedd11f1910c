"""Results ledger: atomic per-cell files, resume keys, combined parquet/JSON with provenance."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import tokbench
from tokbench.errors import TokbenchError
from tokbench.metrics import make_row
from tokbench.results import COLUMNS, Cell, ResultStore, read_results


def cell(metric: str = "premium", **opts: object) -> Cell:
    return Cell("cl100k_base", "a" * 64, "flores200", "b" * 64, metric, {"pivot": "eng_Latn", **opts}, None)


def rows(value: float) -> list[dict]:
    return [
        make_row("premium", "eng_Latn", "dev+devtest", 1.0, "ratio", 2011, (1.0, 1.0)),
        make_row("premium", "mya_Mymr", "dev+devtest", value, "ratio", 2011, None, "unk_chars>0.1"),
    ]


def test_cell_key_tracks_everything_that_changes_numbers() -> None:
    base = cell()
    assert base.key == cell().key
    assert base.key != cell(pivot="fra_Latn").key
    assert base.key != Cell("cl100k_base", "c" * 64, "flores200", "b" * 64, "premium", base.options).key
    one_lang = Cell("cl100k_base", "a" * 64, "flores200", "b" * 64, "premium", base.options, ("eng_Latn",))
    assert base.key != one_lang.key


def test_save_resume_and_write(tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "out")
    c = cell()
    assert not store.has(c)
    store.save_cell(c, rows(11.7), seconds=0.5)
    assert store.has(c) and not store.has(cell(pivot="fra_Latn"))
    assert not list((tmp_path / "out" / "cells").glob(".*.tmp"))  # atomic: no temp leftovers
    df = store.write()
    assert list(df.columns) == list(COLUMNS) and len(df) == 2
    assert math.isnan(df.loc[df.language == "mya_Mymr", "ci_low"].item())

    table, prov = read_results(tmp_path / "out")
    assert table.equals(df)
    assert prov["tokbench_version"] == tokbench.__version__
    (meta,) = prov["cells"]
    assert meta["tokenizer_sha256"] == "a" * 64 and meta["corpus_sha256"] == "b" * 64
    assert meta["options"] == {"pivot": "eng_Latn"} and meta["key"] == c.key

    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    mya = next(r for r in doc["rows"] if r["language"] == "mya_Mymr")
    assert mya["ci_low"] is None and mya["flags"] == "unk_chars>0.1"  # NaN -> null, valid JSON
    j_table, j_prov = read_results(tmp_path / "out" / "results.json")
    assert j_table["value"].tolist() == df["value"].tolist()
    # the parquet (tracked in git) carries no timestamps, timings or encoder; results.json keeps them
    assert "written" in j_prov and "written" not in prov
    stable = [{k: v for k, v in c.items() if k not in ("finished", "seconds", "encoder")} for c in j_prov["cells"]]
    assert stable == prov["cells"]


def test_newer_cell_wins_on_overlap(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    store.save_cell(cell(), rows(11.7), 0.1)
    (old,) = (tmp_path / "cells").glob("*.json")
    doc = json.loads(old.read_text())
    doc["finished"] = "2000-01-01T00:00:00+00:00"
    old.write_text(json.dumps(doc))
    store.save_cell(cell(seed=1), rows(12.0), 0.1)  # same rows under new options
    df = store.table()
    assert len(df) == 2 and df.loc[df.language == "mya_Mymr", "value"].item() == 12.0


def test_bad_rows_and_bad_paths(tmp_path: Path) -> None:
    store = ResultStore(tmp_path)
    with pytest.raises(TokbenchError, match="make_row"):
        store.save_cell(cell(), [{"language": "x", "value": 1.0}], 0.0)
    (tmp_path / "file").write_text("x")
    with pytest.raises(TokbenchError, match="is a file"):
        ResultStore(tmp_path / "file")
    with pytest.raises(TokbenchError, match="no results"):
        read_results(tmp_path / "nothing")


# --- reading what `tokbench report` is given: every bad input is one clear error ----------------
def _written(tmp_path: Path) -> Path:
    store = ResultStore(tmp_path / "out")
    store.save_cell(cell(), rows(11.7), seconds=0.5)
    store.write()
    return tmp_path / "out"


BAD_RESULTS = {
    "truncated parquet": (lambda out: _truncate(out / "results.parquet"), "corrupt or truncated"),
    "garbage parquet": (lambda out: (out / "results.parquet").write_bytes(b"PAR1 nope"), "corrupt or truncated"),
    "truncated json only": (
        lambda out: (_rm(out / "results.parquet"), _truncate(out / "results.json")),
        "corrupt or truncated",
    ),
    "json of another shape": (
        lambda out: (_rm(out / "results.parquet"), (out / "results.json").write_text('{"rows": 5}')),
        "not a tokbench results file",
    ),
    "json a list": (
        lambda out: (_rm(out / "results.parquet"), (out / "results.json").write_text("[1, 2]")),
        "not a tokbench results file",
    ),
    "non-utf8 json": (
        lambda out: (_rm(out / "results.parquet"), (out / "results.json").write_bytes(b'{"rows": "\xff\xfe"}')),
        "not UTF-8",
    ),
    "parquet of another table": (lambda out: _other_table(out / "results.parquet"), "not a tokbench results table"),
    "wrong value types": (
        lambda out: (
            _rm(out / "results.parquet"),
            (out / "results.json").write_text(json.dumps({"columns": list(COLUMNS), "rows": [["x"] * len(COLUMNS)]})),
        ),
        "wrong type",
    ),
}


def _rm(p: Path) -> None:
    p.unlink()


def _truncate(p: Path) -> None:
    p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2])


def _other_table(p: Path) -> None:
    import pandas as pd

    pd.DataFrame({"a": [1, 2]}).to_parquet(p)


@pytest.mark.parametrize("case", list(BAD_RESULTS))
def test_bad_results_are_one_clear_error(tmp_path: Path, case: str) -> None:
    damage, fragment = BAD_RESULTS[case]
    out = _written(tmp_path)
    damage(out)
    with pytest.raises(TokbenchError, match=fragment):
        read_results(out)


def test_folder_with_only_json_is_read(tmp_path: Path) -> None:
    out = _written(tmp_path)
    (out / "results.parquet").unlink()
    table, prov = read_results(out)
    assert len(table) == 2 and prov["tokbench_version"] == tokbench.__version__


def test_a_file_that_is_not_results(tmp_path: Path) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("hello")
    with pytest.raises(TokbenchError, match="not a results folder"):
        read_results(f)
    with pytest.raises(TokbenchError, match="no results in"):
        read_results(tmp_path)
