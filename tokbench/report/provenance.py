"""Provenance footer: tokbench version, code commit and its date, tokenizer and corpus sha256,
protocol options. Taken from the results and from git, never from the clock, so the same results
and code give the same pages (the date shown is the commit date of the code)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import tokbench

CODE_PATHS = ("tokbench", "data_manifests", "pyproject.toml")


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        r = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return r.stdout.strip() if r.returncode == 0 else None


def code_version() -> dict[str, str]:
    """Last commit touching the code (not reports/docs), its date, and whether the code has local edits."""
    root = Path(tokbench.__file__).resolve().parents[1]
    line = _git(["log", "-1", "--format=%H %cs", "--", *CODE_PATHS], root)
    if not line:
        return {"commit": "unknown (not a git checkout)", "date": "unknown"}
    commit, date = line.split(" ", 1)
    dirty = _git(["status", "--porcelain", "--untracked-files=no", "--", *CODE_PATHS], root)
    return {"commit": commit + (" + uncommitted changes" if dirty else ""), "date": date}


def summarise_provenance(provenance: dict[str, Any]) -> dict[str, Any]:
    """What the footer shows, from the results' provenance (cells) plus the code version."""
    cells = provenance.get("cells", []) or []
    toks = {c["tokenizer"]: c.get("tokenizer_sha256", "") for c in cells if "tokenizer" in c}
    corpora = {c["corpus"]: c.get("corpus_sha256", "") for c in cells if "corpus" in c}
    options: dict[str, dict[str, Any]] = {}
    for c in cells:
        if c.get("options"):
            options.setdefault(c["metric"], c["options"])
    return {
        "tokbench_version": provenance.get("tokbench_version", tokbench.__version__),
        "report_tokbench_version": tokbench.__version__,
        "python": provenance.get("python", ""),
        "numpy": provenance.get("numpy", ""),
        "code": code_version(),
        "tokenizers": dict(sorted(toks.items())),
        "corpora": dict(sorted(corpora.items())),
        "options": dict(sorted(options.items())),
    }
