"""The grid runner behind `tokbench run`: tokenizers x corpora x metrics, cached and resumable.

Order of work: per corpus, per tokenizer, all metrics share one MetricContext, so each protocol's
texts are encoded once (through the encode cache) and every metric reads those encodings. A cell
already in the output ledger (same tokenizer/corpus checksums, metric, options, languages) is
skipped without loading the tokenizer.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from tokbench.cache import EncodeCache
from tokbench.errors import TokbenchError
from tokbench.metrics import DEFAULT_METRICS, METRICS, CorpusView, MetricContext, get_metric
from tokbench.metrics.families import expand_metric_families
from tokbench.progress import progress
from tokbench.results import Cell, ResultStore
from tokbench.tokenizers.loader import combined_sha256

DEFAULT_CORPORA = ("flores200",)
NO_CORPUS = "-"  # corpus name of rows from metrics that read the tokenizer alone
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
    isolate: bool = True  # each tokenizer in a child process (bounded memory); see _run_isolated


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


def tokenizer_sha256(name: str) -> str:
    """Checksum for the cell key without loading the tokenizer (from its manifest when registered)."""
    from tokbench.manifests import tokenizer_manifests

    m = tokenizer_manifests().get(name)
    if m is not None:
        return combined_sha256([f.sha256 for f in m.files])
    from tokbench.tokenizers import load_tokenizer

    return load_tokenizer(name).sha256


def corpus_sha256(name: str) -> str:
    from tokbench.manifests import corpus_manifests

    m = corpus_manifests().get(name)
    if m is None:
        raise TokbenchError(f"unknown corpus {name!r}; `tokbench list corpora` shows the registered ones")
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


def _release_encodings() -> None:
    """Drop tokbench.encode's in-process memo between tokenizers: the context held what the metrics
    needed, and the memo would otherwise keep every tokenizer's ids alive (> 1 GB on the full grid)."""
    from tokbench.encode import clear_memo

    clear_memo()
    gc.collect()
    _trim_heap()


def _trim_heap() -> None:
    """Hand freed heap pages back to the OS (glibc only): the tokenizer libraries' per-thread arenas
    otherwise keep the peak of every earlier tokenizer resident."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def compute_group(
    view: CorpusView | None,
    tok_name: str,
    todo: list[Cell],
    langs: tuple[str, ...] | None,
    load_tokenizer: Callable[[str], Any],
    encode: Callable[[Any, list[str]], Any] | None = None,
) -> Iterator[tuple[Cell, list[dict[str, Any]], float]]:
    """Compute one tokenizer's cells on one corpus; yields (cell, rows, seconds) as each finishes, for
    the driver to save (it alone writes the ledger). The cells share one MetricContext: one encode
    per protocol."""
    tok = load_tokenizer(tok_name)
    ctx = MetricContext(tok, view, langs, encode=encode, load_tokenizer=load_tokenizer)
    for cell in todo:
        t = time.perf_counter()
        rows = METRICS.get(cell.metric)().compute(ctx, dict(cell.options))
        yield cell, rows, time.perf_counter() - t
    del ctx, tok
    _release_encodings()
    if hasattr(load_tokenizer, "cache_clear"):  # the loader's lru_cache would keep all tokenizers
        load_tokenizer.cache_clear()


def _isolate(cfg: RunConfig, plan: list, load_tokenizer: Any, load_corpus: Any, encode: Any) -> bool:
    """Each tokenizer in a child process when there are several and the standard loaders are used
    (callables injected by a caller, e.g. tests, cannot cross a process boundary)."""
    from tokbench.corpora import load_corpus as std_corpus
    from tokbench.tokenizers import load_tokenizer as std_tokenizer

    standard = load_tokenizer is std_tokenizer and load_corpus is std_corpus and encode is None
    return cfg.isolate and standard and len({tok for _, tok, _ in plan}) > 1


Result = tuple[str, str, Cell, list[dict[str, Any]], float]  # corpus, tokenizer, cell, rows, seconds


def _run_here(
    plan: list[tuple[str, str, list[Cell]]],
    langs: tuple[str, ...] | None,
    load_tokenizer: Callable[[str], Any],
    load_corpus: Callable[[str], Any],
    encode: Callable[[Any, list[str]], Any] | None,
) -> Iterator[Result]:
    """Every group in this process, one corpus in memory at a time."""
    views: dict[str, CorpusView] = {}
    for corpus_name, tok_name, todo in plan:
        if corpus_name not in views and corpus_name != NO_CORPUS:
            views = {corpus_name: CorpusView(load_corpus(corpus_name))}
        for cell, rows, dt in compute_group(views.get(corpus_name), tok_name, todo, langs, load_tokenizer, encode):
            yield corpus_name, tok_name, cell, rows, dt


def _run_isolated(
    plan: list[tuple[str, str, list[Cell]]], cfg: RunConfig, langs: tuple[str, ...] | None
) -> Iterator[Result]:
    """Run each (corpus, tokenizer) group in a fresh child process, one at a time, in plan order.

    Why: a loaded 256k-vocabulary tokenizer keeps ~500 MB that the allocator does not hand back, so a
    26-tokenizer grid in one process peaks at ~1.3 GB; a child returns everything when it exits. The
    children come from a forkserver that has already imported tokbench (a start costs ~0.1 s, not a
    fresh interpreter's imports), and never fork a parent whose Rust/OpenMP threads are running."""
    from tokbench.datadirs import cli_data_dirs

    mp = multiprocessing.get_context("forkserver")
    mp.set_forkserver_preload(["tokbench.runner", "tokbench.corpora", "tokbench.corpora.loaders", "datasets"])
    env = {k: v for k, v in os.environ.items() if k.startswith(("TOKBENCH_", "TQDM_", "HF_", "TRANSFORMERS_"))}
    for corpus_name, tok_name, todo in plan:
        with ProcessPoolExecutor(1, mp_context=mp) as pool:
            fut = pool.submit(_child_group, corpus_name, tok_name, todo, langs, cli_data_dirs(), env)
            try:
                done = fut.result()
            except BrokenProcessPool:
                raise TokbenchError(
                    f"the process computing {tok_name} on {corpus_name} died (out of memory?); cells finished "
                    "before it are saved: run the same command again to resume, or with --in-process"
                ) from None
        for cell, rows, dt in done:
            yield corpus_name, tok_name, cell, rows, dt


def _child_group(
    corpus_name: str,
    tok_name: str,
    todo: list[Cell],
    langs: tuple[str, ...] | None,
    data_dirs: list[str],
    env: dict[str, str],
) -> list[tuple[Cell, list[dict[str, Any]], float]]:
    """In the child: the same computation as in-process; errors come back as plain, picklable ones."""
    from tokbench.corpora import load_corpus
    from tokbench.datadirs import set_cli_data_dirs
    from tokbench.native import first_line
    from tokbench.tokenizers import load_tokenizer

    os.environ.update(env)
    set_cli_data_dirs(data_dirs)
    try:
        view = CorpusView(load_corpus(corpus_name)) if corpus_name != NO_CORPUS else None
        return list(compute_group(view, tok_name, todo, langs, load_tokenizer))
    except TokbenchError:
        raise
    except Exception as e:
        raise TokbenchError(f"{tok_name} on {corpus_name}: {type(e).__name__}: {first_line(e)}") from None
    except BaseException as e:  # a Rust panic is a BaseException that may not pickle
        if isinstance(e, KeyboardInterrupt | SystemExit):
            raise
        raise TokbenchError(f"{tok_name} on {corpus_name}: {type(e).__name__}: {first_line(e)}") from None


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
    if load_tokenizer is None:
        from tokbench.tokenizers import load_tokenizer
    if load_corpus is None:
        from tokbench.corpora import load_corpus
    t0 = time.perf_counter()
    metric_names = expand_metric_families(cfg.metrics or DEFAULT_METRICS)  # `tr` -> tr.unique, tr.weighted
    for m in metric_names:
        get_metric(m)  # unknown name -> TokbenchError listing the known ones
    check_options(metric_names, cfg.options)
    tokenizers = list(cfg.tokenizers or available_tokenizers())
    if not tokenizers:
        raise TokbenchError("no tokenizer available; pass --tokenizers or --data-dir with tokenizer files")
    langs = tuple(cfg.langs) if cfg.langs else None
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
        for corpus_name, names in passes:
            c_sha = corpus_sha256(corpus_name) if corpus_name != NO_CORPUS else ""
            c_langs = langs if corpus_name != NO_CORPUS else None
            for tok_name in tokenizers:
                t_sha = tokenizer_sha256(tok_name)
                cells = [
                    Cell(tok_name, t_sha, corpus_name, c_sha, m, get_metric(m).resolve_options(cfg.options), c_langs)
                    for m in names
                ]
                todo = [c for c in cells if cfg.force or not store.has(c)]
                skipped += len(cells) - len(todo)
                if todo:
                    plan.append((corpus_name, tok_name, todo))
        computed = 0
        failed: BaseException | None = None
        bar = progress(total=sum(len(t) for _, _, t in plan), unit="cell", desc="grid", smoothing=0.1)
        say = bar.write if not bar.disable else log
        if skipped:
            say(f"{skipped} cells already finished in {store.out}; computing {bar.total}")
        try:
            if _isolate(cfg, plan, load_tokenizer, load_corpus, encode):
                results = _run_isolated(plan, cfg, langs)
            else:
                results = _run_here(plan, langs, load_tokenizer, load_corpus, encode)
            for corpus_name, tok_name, cell, rows, dt in results:
                store.save_cell(cell, rows, dt)
                computed += 1
                bar.set_postfix_str(f"{tok_name} x {corpus_name}", refresh=False)
                bar.update(1)
                if bar.disable:
                    log(f"{tok_name} {corpus_name} {cell.metric}: {len(rows)} rows in {dt:.2f}s")
        except BaseException as e:
            failed = e
            raise
        finally:
            bar.close()
            table = _write_table(store, computed, failed, log)
    return RunSummary(table, computed, skipped, time.perf_counter() - t0)
