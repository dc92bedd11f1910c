"""The `checks` report section: verdicts cached by tokenizer sha256 + check version, shown per tokenizer page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tokbench.check import CHECK_VERSION, CHECKS, CheckResult, run_checks
from tokbench.check_report import _cache_file, checks_section, redact, verdicts
from tokbench.report.base import ReportContext
from tokbench.tokenizers import load_tokenizer


def test_redact_drops_the_shown_examples_only() -> None:
    r = CheckResult("unreachable_vocab", "warn", "3 of 9 entries are never produced (shadowed 1; e.g. 'abc' "
                    "(shadowed), 'a b' (pre-tokenizer), 'a ' (pre-tokenizer))",
                    {"examples": ["'abc' (shadowed)", "'a b' (pre-tokenizer)", "'a ' (pre-tokenizer)"]})
    out = redact(r)
    assert out.line == "3 of 9 entries are never produced (shadowed 1)" and out.details["examples"] == []
    plain = CheckResult("superword_tokens", "warn", "2 tokens span whitespace (e.g. 'of the'): read differently",
                        {"examples": ["'of the'"]})
    assert redact(plain).line == "2 tokens span whitespace: read differently"


def test_section_computes_caches_and_serves_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference_encoder: None
) -> None:
    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path / "cache"))
    name = "cl100k_base"
    sha = load_tokenizer(name).sha256
    table = pd.DataFrame([{"tokenizer": name, "corpus": "udhr", "split": "articles", "language": "eng_Latn",
                           "metric": "bytes_per_token", "value": 4.0, "unit": "", "ci_low": None, "ci_high": None,
                           "n": 1, "flags": ""}])
    prov = {"cells": [{"tokenizer": name, "tokenizer_sha256": sha}]}
    # without permission to load tokenizers and with nothing cached: no section
    assert checks_section(ReportContext(table, prov, {}, None, load_tokenizers=False)) is None
    sec = checks_section(ReportContext(table, prov, {}, None, load_tokenizers=True))
    assert sec is not None and _cache_file(name, sha).is_file()
    assert load_tokenizer.cache_info().currsize == 0  # each checked tokenizer is released (a leaderboard has 26)
    row = sec.tables["checks"].iloc[0]
    assert row["tokenizer"] == name and set(CHECKS) <= set(sec.tables["checks"].columns)
    assert row["unreachable_vocab"] == "pass" and row["exit"] == "warn"  # NFD text gets other tokens
    (page,) = sec.per_tokenizer[name].values()
    assert list(page["check"]) == list(CHECKS)
    assert f"check version {CHECK_VERSION}" in next(iter(sec.per_tokenizer[name]))
    # a warm report reads the cache: the same verdicts without loading anything
    cached, why = verdicts(name, sha, load=False)
    assert why == "" and cached is not None and [r.status for r in cached] == list(page["verdict"])
    # another sha (another file under the same name) is not served the cached verdicts
    assert verdicts(name, "0" * 64, load=False)[0] is None


def test_several_tokenizers_are_checked_in_child_processes_that_all_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference_encoder: None
) -> None:
    """Two missing verdicts: each computed in its own child (nothing loaded here), the same verdicts as this
    process computes, cached, and no child or forkserver left once the section is built."""
    import psutil

    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path / "cache"))
    names = ["r50k_base", "p50k_base"]
    shas = {n: load_tokenizer(n).sha256 for n in names}
    load_tokenizer.cache_clear()
    table = pd.DataFrame([{"tokenizer": n, "corpus": "udhr", "split": "articles", "language": "eng_Latn",
                           "metric": "bytes_per_token", "value": 4.0, "unit": "", "ci_low": None, "ci_high": None,
                           "n": 1, "flags": ""} for n in names])
    prov = {"cells": [{"tokenizer": n, "tokenizer_sha256": shas[n]} for n in names]}
    sec = checks_section(ReportContext(table, prov, {}, None, load_tokenizers=True))
    assert sec is not None and load_tokenizer.cache_info().currsize == 0  # nothing loaded in this process
    left = [p.cmdline() for p in psutil.Process().children(recursive=True)]
    assert not [c for c in left if "resource_tracker" not in " ".join(c)], left  # the tracker exits with us
    assert sorted(sec.tables["checks"]["tokenizer"]) == sorted(names)
    assert all(_cache_file(n, shas[n]).is_file() for n in names)
    here = run_checks("r50k_base", load_tokenizer("r50k_base"))  # the same file, checked in this process
    (page,) = sec.per_tokenizer["r50k_base"].values()
    assert list(page["verdict"]) == [r.status for r in here] and list(page["finding"]) == [r.line for r in here]
