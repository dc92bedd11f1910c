"""The grid runner behind `tokbench run`: tokenizers x corpora x metrics, cached and resumable.

Order of work: per corpus, per tokenizer, all metrics share one MetricContext, so each protocol's
texts are encoded once (through the encode cache) and every metric reads those encodings. A cell
already in the output ledger (same tokenizer/corpus checksums, metric, options, languages) is
skipped without loading the tokenizer.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from tokbench.cache import EncodeCache
from tokbench.errors import TokbenchError
from tokbench.executors.base import EXECUTORS, Executor, interrupts_kept
from tokbench.executors.work import NO_CORPUS
from tokbench.metrics import DEFAULT_METRICS, get_metric
from tokbench.metrics.families import expand_metric_families
from tokbench.progress import progress
from tokbench.results import Cell, ResultStore
from tokbench.suggest import check_languages
from tokbench.tokenizers.loader import combined_sha256, display_name, spec_sha256

DEFAULT_CORPORA = ("flores200",)
STALE_CACHE_TEMP_SECONDS = 600  # a cache temp file untouched this long belongs to a killed run


@dataclass
class RunConfig:
    out: Path
    tokenizers: Sequence[str] | None = None  # None: every registered tokenizer whose files are available
    corpora: Sequence[str] = DEFAULT_CORPORA
    metrics: Sequence[str] | None = None  # None: DEFAULT_METRICS
    langs: Sequence[str] | None = None  # None: all languages of each corpus
    options: dict[str, Any] = field(default_factory=dict)  # protocol options, e.g. {"pivot": "eng_Latn"}
    force: bool = False  # recompute finished cells
    isolate: bool = True  # local executor: each tokenizer in a child process (bounded memory)
    executor: str = "local"  # a registered executor: local, dask, or a plugin's
    executor_options: dict[str, Any] = field(default_factory=dict)  # e.g. {"address": "tcp://host:8786"}


@dataclass
class RunSummary:
    table: pd.DataFrame
    computed: int
    skipped: int
    seconds: float


def available_tokenizers() -> list[str]:
    """Registered tokenizer names (aliases collapsed) whose files are present in the data dirs."""
    from tokbench.manifests import tokenizer_manifests

    seen: dict[str, Any] = {}
    for m in tokenizer_manifests().values():
        seen.setdefault(m.name, m)
    return sorted(n for n, m in seen.items() if m.availability() != "missing")


def corpus_sha256(name: str) -> str:
    from tokbench.manifests import corpus_manifests

    m = corpus_manifests().get(name)
    if m is None:
        from tokbench.suggest import unknown_corpus

        raise TokbenchError(unknown_corpus(name))
    return combined_sha256(sorted(f.sha256 for f in m.files))


def check_options(metric_names: Sequence[str], options: dict[str, Any]) -> None:
    """A typo in --option must not silently run the default protocol."""
    known = {k for m in metric_names for k in get_metric(m).card.options}
    unknown = sorted(set(options) - known)
    if unknown:
        raise TokbenchError(
            f"option(s) {', '.join(unknown)} are not read by metrics {', '.join(metric_names)}; "
            f"known options: {', '.join(sorted(known)) or 'none'}"
        )


def make_executor(
    cfg: RunConfig,
    load_tokenizer: Callable[[str], Any] | None = None,
    load_corpus: Callable[[str], Any] | None = None,
    encode: Callable[[Any, list[str]], Any] | None = None,
) -> Executor:
    """The executor `cfg` names, built with its options (`local` also takes injected loaders)."""
    import tokbench.executors.dask_cluster  # noqa: F401  (registers the built-in executors)
    import tokbench.executors.local  # noqa: F401

    cls = EXECUTORS.get(cfg.executor)
    if cfg.executor == "local":
        return cls(isolate=cfg.isolate, load_tokenizer=load_tokenizer, load_corpus=load_corpus, encode=encode,
                   workers=cfg.executor_options.get("workers"))
    if load_tokenizer is not None or load_corpus is not None or encode is not None:
        raise TokbenchError(f"executor {cfg.executor!r} loads tokenizers and corpora by name on its workers")
    return cls(**cfg.executor_options)


def _write_table(store: ResultStore, computed: int, failed: BaseException | None, log: Callable[[str], None]) -> Any:
    """Rebuild the combined table from the ledger. After a failure the finished cells are still
    combined, but an error doing so (say, the disk that just filled up) must not hide the first one."""
    try:
        if computed or not (store.out / "results.parquet").exists():
            return store.write()
        return store.table()
    except Exception as e:
        if failed is None:
            raise
        log(f"tokbench: the finished cells stay in {store.cells_dir}; combining them failed too ({e})")
        return None


def run_grid(
    cfg: RunConfig,
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr),
    load_tokenizer: Callable[[str], Any] | None = None,
    load_corpus: Callable[[str], Any] | None = None,
    encode: Callable[[Any, list[str]], Any] | None = None,
) -> RunSummary:
    """Run every missing cell of the grid, saving each as it finishes; returns the combined table."""
    t0 = time.perf_counter()
    metric_names = expand_metric_families(cfg.metrics or DEFAULT_METRICS)  # `tr` -> tr.unique, tr.weighted
    for m in metric_names:
        get_metric(m)  # unknown name -> TokbenchError listing the known ones
    check_options(metric_names, cfg.options)
    tokenizers = list(dict.fromkeys(cfg.tokenizers or available_tokenizers()))  # a repeated entry runs once
    if not tokenizers:
        raise TokbenchError("no tokenizer available; pass --tokenizers or --data-dir with tokenizer files")
    # results name a tokenizer given by path after its file or folder (or NAME=PATH), not the raw path
    labels = {spec: display_name(spec) for spec in tokenizers}
    clash = sorted({n for n in labels.values() if list(labels.values()).count(n) > 1})
    if clash:
        raise TokbenchError(f"two --tokenizers entries would both be named {clash[0]!r}; name them with NAME=PATH")
    langs = tuple(cfg.langs) if cfg.langs else None
    # every name checked (a typo fails with a suggestion) before the out folder is touched or a bar drawn
    check_languages(cfg.corpora, langs)
    corpus_shas = {c: corpus_sha256(c) for c in cfg.corpora}
    tok_shas = {t: spec_sha256(t) for t in tokenizers}  # from the manifest pins or the files, without loading
    resolved = {m: get_metric(m).resolve_options(cfg.options) for m in metric_names}  # bad values refused here
    store = ResultStore(cfg.out)
    with store.writing(on_wait=log):
        EncodeCache().remove_stale_temp_files(time.time() - STALE_CACHE_TEMP_SECONDS)
        # the plan first (cheap: checksums come from manifests), so progress can count cells and ETA
        plan: list[tuple[str, str, list[Cell]]] = []
        skipped = 0
        # corpus-free metrics (card.corpus False, e.g. digits.*) run once per tokenizer, under corpus "-"
        on_corpus = [m for m in metric_names if get_metric(m).card.corpus]
        passes = [(c, on_corpus) for c in cfg.corpora if on_corpus]
        if len(on_corpus) < len(metric_names):
            passes.append((NO_CORPUS, [m for m in metric_names if m not in on_corpus]))
        c_shas = {c: corpus_shas[c] if c != NO_CORPUS else "" for c, _ in passes}
        # tokenizer-major: a tokenizer is loaded once for all its corpora (loading costs more than a corpus)
        for tok_name in tokenizers:
            t_sha = tok_shas[tok_name]
            for corpus_name, names in passes:
                c_sha = c_shas[corpus_name]
                c_langs = langs if corpus_name != NO_CORPUS else None
                cells = [
                    Cell(labels[tok_name], t_sha, corpus_name, c_sha, m, resolved[m], c_langs,
                         get_metric(m).card.revision)  # fmt: skip
                    for m in names
                ]
                todo = [c for c in cells if cfg.force or not store.has(c)]
                skipped += len(cells) - len(todo)
                if todo:
                    plan.append((corpus_name, tok_name, todo))
        computed = 0
        failed: BaseException | None = None
        executor: Executor | None = None
        bar = progress(total=sum(len(t) for _, _, t in plan), unit="cell", desc="grid", smoothing=0.1)
        say = bar.write if not bar.disable else log
        if skipped:
            say(f"{skipped} cells already finished in {store.out}; computing {bar.total}")
        try:
            executor = make_executor(cfg, load_tokenizer, load_corpus, encode)
            results = executor.run(plan, langs)
            with interrupts_kept() as raise_kept_interrupt:
                for corpus_name, tok_name, cell, rows, dt in results:
                    store.save_cell(cell, rows, dt)
                    computed += 1
                    bar.set_postfix_str(f"{tok_name} x {corpus_name}", refresh=False)
                    bar.update(1)
                    if bar.disable:
                        log(f"{tok_name} {corpus_name} {cell.metric}: {len(rows)} rows in {dt:.2f}s")
                    raise_kept_interrupt()
        except BaseException as e:
            failed = e
            raise
        finally:
            bar.close()
            if executor is not None:
                executor.close()
            table = _write_table(store, computed, failed, log)
    return RunSummary(table, computed, skipped, time.perf_counter() - t0)
