"""`tokbench check` verdicts in a report: a table of every tokenizer's checks, and each tokenizer's own
verdicts (check, pass/warn/fail, the one line) on its page.

Registered as the report section `checks` through the `tokbench.report_sections` entry point (pyproject),
so the report core does not name it. Verdicts are cached in TOKBENCH_CACHE/checks, keyed by the tokenizer's
name, its files' sha256 (from the run's provenance) and CHECK_VERSION, so a warm report loads no tokenizer.
A tokenizer is loaded and checked only when the report may load tokenizers (`tokbench report --inspect`), each
in its own short-lived process, two at a time (`tokbench.executors.short_lived`);
otherwise the section shows the cached verdicts and says which tokenizers have none. Token strings in the
lines are kept only for tokenizers tokbench vendors (as the anatomy does): for the others the examples are
dropped and the counts stay.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from tokbench.check import CHECK_VERSION, CHECKS, CheckResult, exit_code
from tokbench.errors import TokbenchError
from tokbench.io import atomic_write_text
from tokbench.progress import progress
from tokbench.report.base import ReportContext, Section, register_section

log = logging.getLogger(__name__)
EXAMPLE_KEYS = ("examples", "never_valid_examples")
VERDICT = {0: "pass", 1: "warn", 2: "fail"}


def _cache_file(name: str, sha: str) -> Path:
    from tokbench.datadirs import cache_dir

    h = hashlib.sha256(f"{name}\0{sha}\0{CHECK_VERSION}".encode()).hexdigest()[:32]
    return cache_dir() / "checks" / f"{h}.json"


def _vendored(name: str) -> bool:
    from tokbench.manifests import tokenizer_manifests

    m = tokenizer_manifests().get(name)
    return bool(m is not None and m.vendored)


def redact(r: CheckResult) -> CheckResult:
    """The result without token strings: the 'e.g. …' part of its line (the exact examples it shows) and the
    example lists of its details removed."""
    line = r.line
    details = dict(r.details)
    for key in EXAMPLE_KEYS:
        ex = [str(x) for x in details.get(key) or []]
        for k in (3, 1):
            frag = "e.g. " + ", ".join(ex[:k])
            if ex and frag in line:
                line = line.replace(f" ({frag})", "").replace(f"; {frag}", "").replace(frag, "")
                break
        if key in details:
            details[key] = []
    return CheckResult(r.name, r.status, line, details)


def verdicts(name: str, sha: str, load: bool) -> tuple[list[CheckResult] | None, str]:
    """(results, '') from the cache, or computed when `load`; (None, why) when there are none."""
    path = _cache_file(name, sha) if sha else None
    if path is not None and path.is_file():
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if doc.get("version") == CHECK_VERSION and doc.get("sha256") == sha:
                return [CheckResult(**c) for c in doc["checks"]], ""
        except (OSError, ValueError, TypeError, KeyError) as e:
            log.warning("ignoring the cached check verdicts %s (%s)", path, e)
    if not load:
        return None, "not checked: run the report with --inspect (loads the tokenizers)"
    from tokbench.check import run_checks
    from tokbench.tokenizers import load_tokenizer

    try:
        tok = load_tokenizer(name)
        if sha and tok.sha256 != sha:
            return None, "not checked: the tokenizer here is not the one the results were computed with"
        results = run_checks(name, tok)
    except TokbenchError as e:
        return None, f"not checked: {e}"
    if path is not None:
        doc = {"tokenizer": name, "sha256": sha, "version": CHECK_VERSION,
               "checks": [{"name": r.name, "status": r.status, "line": r.line, "details": r.details}
                          for r in results]}
        try:
            atomic_write_text(path, json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str))
        except OSError as e:
            log.warning("could not cache the check verdicts in %s (%s)", path, e)
    return results, ""


def _verdicts_as_dicts(name: str, sha: str) -> tuple[list[dict[str, Any]] | None, str]:
    """`verdicts(name, sha, load=True)` with plain dicts, to cross from a child process."""
    results, why = verdicts(name, sha, True)
    return (None if results is None else [vars(r) for r in results]), why


def _all_verdicts(ctx: ReportContext, toks: list[str], shas: dict[str, str]
                  ) -> dict[str, tuple[list[CheckResult] | None, str]]:
    """Every tokenizer's verdicts: the cached ones, and when the report may load tokenizers the others, each
    computed in its own short-lived child process (`tokbench.executors.short_lived`)."""
    from tokbench.executors.short_lived import per_tokenizer

    out: dict[str, tuple[list[CheckResult] | None, str]] = {t: verdicts(t, shas.get(t, ""), False) for t in toks}
    todo = [t for t, (res, _) in out.items() if res is None] if ctx.load_tokenizers else []
    if not todo:
        return out
    jobs = [(t, (t, shas.get(t, ""))) for t in todo]
    with progress(total=len(todo), desc="check tokenizers", unit="tokenizer", disable=ctx.quiet) as bar:
        preload = ["tokbench.check_report", "tokbench.metrics.roundtrip"]
        for tok, got, died in per_tokenizer(_verdicts_as_dicts, jobs, bar, preload=preload):
            if died:
                out[tok] = (None, f"not checked: {died}")
            else:
                res, why = got
                out[tok] = (None if res is None else [CheckResult(**r) for r in res], why)
    return out


def _tokenizers(ctx: ReportContext) -> list[str]:
    names = set(ctx.table.loc[ctx.table["corpus"] != "mixture", "tokenizer"])
    ranked = ctx.leaderboard.tokenizers if ctx.leaderboard is not None else []
    return [t for t in ranked if t in names] + sorted(names - set(ranked))


@register_section("checks")
def checks_section(ctx: ReportContext) -> Section | None:
    toks = _tokenizers(ctx)
    if not toks:
        return None
    shas = {c["tokenizer"]: c.get("tokenizer_sha256", "") for c in ctx.provenance.get("cells", []) or []}
    rows: list[dict[str, Any]] = []
    per_tok: dict[str, dict[str, pd.DataFrame]] = {}
    missing: dict[str, str] = {}
    found = _all_verdicts(ctx, toks, shas)
    for tok in toks:
        results, why = found[tok]
        if results is None:
            missing[tok] = why
            continue
        if not _vendored(tok):
            results = [redact(r) for r in results]
        row: dict[str, Any] = {"tokenizer": tok, "exit": VERDICT[exit_code(results)]}
        row.update({r.name: r.status for r in results})
        rows.append(row)
        per_tok[tok] = {f"tokbench check {tok}: exit code {exit_code(results)} ({row['exit']}); check version "
                        f"{CHECK_VERSION}": pd.DataFrame([{"check": r.name, "verdict": r.status, "finding": r.line}
                                                          for r in results])}
    if not rows and not ctx.load_tokenizers:
        return None  # nothing cached and not allowed to compute: no section rather than an empty one
    text = [
        "`tokbench check` on every tokenizer of the report: a sanity gate with CI exit codes (0 pass, 1 warn, "
        "2 fail) for the ways a tokenizer silently misbehaves in a pipeline: round trip on the vendored UDHR, "
        "ids that decode alone to invalid UTF-8, special tokens matched in ordinary text, padding or truncation "
        "in tokenizer.json, NFC/NFD giving different tokens, unreachable vocabulary entries, superword tokens, "
        "digit chunking. Each tokenizer's page lists its verdicts with one line per check; `tokbench check NAME "
        "--json` gives the details."
    ]
    if missing:
        text.append("Not checked: " + "; ".join(f"{t} ({w})" for t, w in missing.items()) + ".")
    table = pd.DataFrame(rows, columns=["tokenizer", "exit", *[c for c in CHECKS if any(c in r for r in rows)]])
    return Section("Sanity checks (tokbench check)", text="\n\n".join(text), tables={"checks": table},
                   per_tokenizer=per_tok, order=85, key="checks")
