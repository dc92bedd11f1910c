"""`tokbench check` verdicts in a report: a table of every tokenizer's checks, and each tokenizer's own
verdicts (check, pass/warn/fail, the one line) on its page.

Registered as the report section `checks` through the `tokbench.report_sections` entry point (pyproject),
so the report core does not name it. Verdicts are cached in TOKBENCH_CACHE/checks, keyed by the tokenizer's
name, its files' sha256 (from the run's provenance) and CHECK_VERSION, so a warm report loads no tokenizer.
A tokenizer is loaded and checked only when the report may load tokenizers (`tokbench report --inspect`), each
in its own short-lived process, two at a time (see `_checked_in_children`);
otherwise the section shows the cached verdicts and says which tokenizers have none. Token strings in the
lines are kept only for tokenizers tokbench vendors (as the anatomy does): for the others the examples are
dropped and the counts stay.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
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


def _release_loaded() -> None:
    """Drop the tokenizer (and its encodings) a verdict just loaded; nothing to do when it came from the cache."""
    from tokbench.encode import release_encodings
    from tokbench.tokenizers import load_tokenizer

    if load_tokenizer.cache_info().currsize:
        load_tokenizer.cache_clear()
        release_encodings()


def _verdicts_in_child(name: str, sha: str, env: dict[str, str], data_dirs: list[str]
                       ) -> tuple[list[dict[str, Any]] | None, str]:
    """One tokenizer's verdicts, computed (and cached) in a child process; plain dicts cross the pipe."""
    import os
    import signal

    from tokbench.datadirs import set_cli_data_dirs
    from tokbench.executors.local import exit_quietly_on_sigterm

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the process group: the report stops its children
    # with SIGTERM, which unwinds (so the semaphores of its progress bars are unregistered, not reported leaked)
    signal.signal(signal.SIGTERM, exit_quietly_on_sigterm)
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: a killed report takes its children
    except (OSError, AttributeError):
        pass
    os.environ.update(env)
    set_cli_data_dirs(data_dirs)
    results, why = verdicts(name, sha, True)
    return (None if results is None else [vars(r) for r in results]), why


def _checked_in_children(todo: list[str], shas: dict[str, str], workers: int, bar: Any
                         ) -> Iterator[tuple[str, list[CheckResult] | None, str]]:
    """The verdicts of the tokenizers in `todo`, each computed in a fresh child process, `workers` at a time, as
    they finish. A child exits after one tokenizer, so its memory goes back at once (in one process a cold
    leaderboard's 26 checks took the report from 1.1 to 2.1 GB before they were released one by one), and two
    run side by side on two cores: they are mostly single-threaded (the cold leaderboard's checks took 5.5 of
    its report's 9 minutes in one process)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    from tokbench.executors.work import worker_settings

    data_dirs, env = worker_settings()
    mp = multiprocessing.get_context("forkserver")
    mp.set_forkserver_preload(["tokbench.check_report", "tokbench.check", "tokbench.tokenizers"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp, max_tasks_per_child=1)
    finished = False
    try:
        futures = {pool.submit(_verdicts_in_child, tok, shas.get(tok, ""), env, data_dirs): tok for tok in todo}
        for fut in as_completed(futures):
            tok = futures[fut]
            try:
                got, why = fut.result()
            except BrokenProcessPool:
                got, why = None, "not checked: the process checking it died (out of memory?); run the report again"
            bar.update(1)
            yield tok, None if got is None else [CheckResult(**r) for r in got], why
        finished = True
    finally:
        if not finished:  # an error or Ctrl-C: the running checks (~10 s each) are stopped, not awaited
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                proc.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        from tokbench.executors.local import stop_forkserver

        stop_forkserver()  # started for these children: nothing of the report outlives it (the resource tracker
        # exits by itself with this process)


def _all_verdicts(ctx: ReportContext, toks: list[str], shas: dict[str, str]
                  ) -> dict[str, tuple[list[CheckResult] | None, str]]:
    """Every tokenizer's verdicts: the cached ones here, the others computed in child processes when the report
    may load tokenizers (in this process when only one is missing)."""
    out: dict[str, tuple[list[CheckResult] | None, str]] = {t: verdicts(t, shas.get(t, ""), False) for t in toks}
    todo = [t for t, (res, _) in out.items() if res is None] if ctx.load_tokenizers else []
    if not todo:
        return out
    from tokbench.executors.local import default_workers

    workers = min(default_workers(), len(todo))
    with progress(total=len(todo), desc="check tokenizers", unit="tokenizer", disable=ctx.quiet) as bar:
        if workers < 2:
            for tok in todo:
                try:
                    out[tok] = verdicts(tok, shas.get(tok, ""), True)
                finally:  # one tokenizer in memory at a time
                    _release_loaded()
                bar.update(1)
        else:
            for tok, res, why in _checked_in_children(todo, shas, workers, bar):
                out[tok] = (res, why)
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
