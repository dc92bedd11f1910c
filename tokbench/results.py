"""The tidy results table: one row per (tokenizer, corpus, split, language, metric), with provenance.

Each finished grid cell (tokenizer x corpus x metric under given options) is written at once,
atomically, as `cells/<...>.json`; that ledger is what resume reads, so an interrupted run loses
at most the cell in progress. `results.parquet` and `results.json` are the combined table, rebuilt
from the ledger; both carry the provenance (tokbench version, tokenizer and corpus sha256,
protocol options) of every cell. JSON and parquet only: no pickle.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import platform
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import tokbench
from tokbench.errors import TokbenchError
from tokbench.io import TEMP_SUFFIX, atomic_write_bytes, atomic_write_text, holding

COLUMNS = ("tokenizer", "corpus", "split", "language", "metric", "value", "unit", "ci_low", "ci_high", "n", "flags")
KEY_COLUMNS = ["tokenizer", "corpus", "split", "language", "metric"]
SCHEMA = pa.schema(
    [
        ("tokenizer", pa.string()),
        ("corpus", pa.string()),
        ("split", pa.string()),
        ("language", pa.string()),
        ("metric", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
        ("ci_low", pa.float64()),
        ("ci_high", pa.float64()),
        ("n", pa.int64()),
        ("flags", pa.string()),
    ]
)
LOCK_FILE = ".tokbench.lock"
RESULTS_PARQUET = "results.parquet"
RESULTS_JSON = "results.json"
CELLS_DIR = "cells"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cell:
    """One unit of work and of resume: a metric for one tokenizer on one corpus, under options."""

    tokenizer: str
    tokenizer_sha256: str
    corpus: str
    corpus_sha256: str
    metric: str
    options: dict[str, Any] = field(default_factory=dict)
    langs: tuple[str, ...] | None = None  # None = all languages of the corpus
    revision: int = 0  # the metric card's revision: a fix that changes its numbers makes older cells stale

    def as_dict(self) -> dict[str, Any]:
        """The cell's fields; revision 0 is left out, so the keys and ledger entries of never-revised
        metrics are those they had before revisions existed."""
        d = asdict(self)
        if not self.revision:
            del d["revision"]
        return d

    @property
    def key(self) -> str:
        """Content key: changes whenever anything that could change the numbers changes."""
        d = self.as_dict()
        d["langs"] = sorted(self.langs) if self.langs else None
        blob = json.dumps(d, sort_keys=True, default=list).encode()
        return hashlib.sha256(blob).hexdigest()[:20]

    @property
    def filename(self) -> str:
        safe = "__".join(re.sub(r"[^A-Za-z0-9_.-]+", "-", x) for x in (self.tokenizer, self.corpus, self.metric))
        return f"{safe}__{self.key}.json"


def _clean(v: Any) -> Any:
    """JSON has no NaN: write null."""
    return None if isinstance(v, float) and math.isnan(v) else v


def provenance_base() -> dict[str, Any]:
    import numpy

    return {
        "tokbench_version": tokbench.__version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _encoder_provenance(tokenizer_sha256: str) -> dict[str, Any]:
    """The --backend/--verify settings and the accelerator certificates held for this tokenizer file
    when the cell was saved (tokbench.backends)."""
    from tokbench.backends import provenance

    return provenance(tokenizer_sha256)


class ResultStore:
    """Output folder of `tokbench run`: the per-cell ledger plus the combined table."""

    def __init__(self, out_dir: str | Path) -> None:
        self.out = Path(out_dir)
        self.cells_dir = self.out / CELLS_DIR
        if self.out.exists() and not self.out.is_dir():
            raise TokbenchError(f"--out {self.out} is a file; give a folder for the results")

    @contextlib.contextmanager
    def writing(self, on_wait: Callable[[str], None] = lambda s: None) -> Iterator[ResultStore]:
        """Hold the folder for one run: create it, take its lock (a second run on the same folder waits
        instead of computing every cell again), and clear temp files an interrupted run left behind."""
        try:
            self.cells_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise TokbenchError(
                f"cannot create the output folder {self.out} ({e.strerror or e}); choose a writable --out"
            ) from None
        # the one folder lock of every writing command (io.holding); under it no other writer is active, so
        # every temp file in the folder or its ledger is a leftover of an interrupted run
        sweep = [(self.cells_dir, f".*{TEMP_SUFFIX}"), (self.out, f".*{TEMP_SUFFIX}")]
        with holding(self.out, sweep, on_wait):
            yield self

    def _read_cell(self, path: Path) -> dict[str, Any] | None:
        """A ledger cell if it is whole and well-formed, else None (it is then recomputed, as a bad
        cache entry is)."""
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return None
        ok = (
            isinstance(doc, dict)
            and isinstance(doc.get("cell"), dict)
            and isinstance(doc.get("finished"), str)
            and isinstance(doc.get("rows"), list)
            and all(isinstance(r, dict) and all(c in r for c in COLUMNS) for r in doc["rows"])
        )
        return doc if ok else None

    def has(self, cell: Cell) -> bool:
        p = self.cells_dir / cell.filename
        return p.is_file() and self._read_cell(p) is not None

    def save_cell(self, cell: Cell, rows: list[dict[str, Any]], seconds: float) -> None:
        """Write one finished cell atomically (rows get the cell's tokenizer and corpus)."""
        full = [{"tokenizer": cell.tokenizer, "corpus": cell.corpus, **r} for r in rows]
        bad = [c for c in COLUMNS if full and c not in full[0]]
        if bad:
            raise TokbenchError(f"metric {cell.metric!r} returned rows without {bad}; use tokbench.metrics.make_row")
        doc = {
            "cell": {**cell.as_dict(), "key": cell.key},
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(seconds, 4),
            "tokbench_version": tokbench.__version__,
            "encoder": _encoder_provenance(cell.tokenizer_sha256),
            "rows": [{c: _clean(r[c]) for c in COLUMNS} for r in full],
        }
        atomic_write_text(self.cells_dir / cell.filename, json.dumps(doc, ensure_ascii=False, default=list))

    def load_cells(self) -> list[dict[str, Any]]:
        if not self.cells_dir.is_dir():
            return []
        docs = []
        for p in sorted(self.cells_dir.glob("*.json")):
            if (doc := self._read_cell(p)) is None:
                log.warning("result cell %s is damaged and left out; the next `tokbench run` recomputes it", p)
                continue
            docs.append(doc)
        return docs

    def table(self, docs: list[dict[str, Any]] | None = None) -> pd.DataFrame:
        """All rows of the ledger; where cells overlap (e.g. options changed), the newest row wins."""
        docs = self.load_cells() if docs is None else docs
        docs = sorted(docs, key=lambda d: d["finished"])
        rows = [r for d in docs for r in d["rows"]]
        df = pd.DataFrame(rows, columns=list(COLUMNS))
        if df.empty:
            return df.astype({"value": float, "ci_low": float, "ci_high": float, "n": "int64"})
        df = df.drop_duplicates(KEY_COLUMNS, keep="last")
        df[["value", "ci_low", "ci_high"]] = df[["value", "ci_low", "ci_high"]].astype(float)
        df["n"] = df["n"].astype("int64")
        df["flags"] = df["flags"].fillna("")
        return df.sort_values(KEY_COLUMNS, kind="stable").reset_index(drop=True)

    def write(self) -> pd.DataFrame:
        """Rebuild results.parquet and results.json from the ledger (atomically) and return the table."""
        docs = self.load_cells()
        df = self.table(docs)
        prov = {
            **provenance_base(),
            "cells": [
                {**d["cell"], "finished": d["finished"], "seconds": d.get("seconds"), "encoder": d.get("encoder")}
                for d in docs
            ],
        }
        # the parquet file is tracked in git (reports/default): no timestamps or timings in it, so the
        # same results give byte-identical files; results.json keeps them
        stable = {k: v for k, v in prov.items() if k != "written"}
        # nor which encoder produced the ids: an accelerator is used only while certified identical
        stable["cells"] = [
            {k: v for k, v in c.items() if k not in ("finished", "seconds", "encoder")} for c in prov["cells"]
        ]
        table = pa.Table.from_pandas(df, schema=SCHEMA, preserve_index=False)
        table = table.replace_schema_metadata({b"tokbench": json.dumps(stable, default=list).encode()})
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        atomic_write_bytes(self.out / RESULTS_PARQUET, sink.getvalue().to_pybytes())
        records = [{c: _clean(v) for c, v in zip(COLUMNS, row, strict=True)} for row in df.itertuples(index=False)]
        doc = {"provenance": prov, "columns": list(COLUMNS), "rows": records}
        atomic_write_text(self.out / RESULTS_JSON, json.dumps(doc, ensure_ascii=False, indent=1, default=list))
        return df


def read_results(path: str | Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """(table, provenance) from a results folder, results.parquet or results.json.

    A folder is read through its parquet file, or its JSON when that is all it holds. Whatever the
    file, it must hold the results table (the COLUMNS, typed): a corrupt, truncated or foreign file
    is one clear error, never a traceback or a report of some other table."""
    p = Path(path)
    if p.is_dir():
        candidates = [p / RESULTS_PARQUET, p / RESULTS_JSON]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise TokbenchError(
                f"no results in {path} (no {RESULTS_PARQUET} or {RESULTS_JSON}); run `tokbench run --out {path}` first"
            )
        p = found
    elif not p.exists():
        raise TokbenchError(f"no results at {path}; run `tokbench run --out DIR` first")
    elif p.suffix not in (".parquet", ".json"):
        raise TokbenchError(
            f"{path} is not a results folder, {RESULTS_PARQUET} or {RESULTS_JSON}; "
            "give the --out folder of `tokbench run`"
        )
    df, prov = _read_json_results(p) if p.suffix == ".json" else _read_parquet_results(p)
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise TokbenchError(
            f"{p} is not a tokbench results table (it lacks the columns {missing}); "
            "give the --out folder of `tokbench run`"
        )
    try:
        df = df[list(COLUMNS)].astype({"value": float, "ci_low": float, "ci_high": float})
        df["n"] = pd.to_numeric(df["n"], errors="raise").fillna(0).astype("int64")
    except (ValueError, TypeError) as e:
        raise TokbenchError(
            f"{p}: the results table has values of the wrong type ({e}); re-run `tokbench run`"
        ) from None
    for c in ("tokenizer", "corpus", "split", "language", "metric", "unit", "flags"):
        df[c] = df[c].fillna("").astype(str)
    return df, prov if isinstance(prov, dict) else {}


def _read_json_results(p: Path) -> tuple[pd.DataFrame, Any]:
    try:
        doc = json.loads(p.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as e:
        raise TokbenchError(f"{p} is not UTF-8 (byte {e.start}); re-run `tokbench run` to rewrite it") from None
    except (OSError, json.JSONDecodeError) as e:
        raise TokbenchError(f"{p} is corrupt or truncated ({e}); re-run `tokbench run` to rewrite it") from None
    ok = (
        isinstance(doc, dict)
        and isinstance(doc.get("rows"), list)
        and isinstance(doc.get("columns"), list)
        and all(isinstance(r, dict | list) for r in doc["rows"])
    )
    if not ok:
        raise TokbenchError(
            f"{p} is not a tokbench results file (expected an object with 'columns' and 'rows'); "
            "give the --out folder of `tokbench run`"
        )
    try:
        df = pd.DataFrame(doc["rows"], columns=doc["columns"])
    except (ValueError, TypeError) as e:
        raise TokbenchError(f"{p}: rows do not match its columns ({e}); re-run `tokbench run`") from None
    return df, doc.get("provenance") or {}


def _read_parquet_results(p: Path) -> tuple[pd.DataFrame, Any]:
    try:
        t = pq.read_table(p)
    except (OSError, pa.ArrowException) as e:
        raise TokbenchError(f"{p} is corrupt or truncated ({e}); re-run `tokbench run` to rewrite it") from None
    try:
        prov = json.loads((t.schema.metadata or {}).get(b"tokbench", b"{}"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        prov = {}
    return t.to_pandas(), prov
