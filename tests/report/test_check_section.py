"""The `checks` report section: verdicts cached by tokenizer sha256 + check version, shown per tokenizer page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tokbench.check import CHECK_VERSION, CHECKS, CheckResult
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
