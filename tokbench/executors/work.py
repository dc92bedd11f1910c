"""The grid's unit of work: one tokenizer's metric cells on one corpus.

Every executor runs the same function, so results are identical wherever they were computed:
`compute_group` for a tokenizer and corpus already loaded here, `run_group` for a worker that loads
them itself by name (a picklable call: names, cells and options travel, never a tokenizer object
built from a user's file). Workers return rows; only the driver writes the results ledger.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from tokbench import heap
from tokbench.backends.gate import release_encoders
from tokbench.encode import release_encodings
from tokbench.errors import TokbenchError
from tokbench.metrics import METRICS, CorpusView, MetricContext
from tokbench.results import Cell

NO_CORPUS = "-"  # the corpus of corpus-free metrics (e.g. digits.*), which read the tokenizer alone
Group = tuple[str, str, list[Cell]]  # corpus, tokenizer, cells to compute
Result = tuple[str, str, Cell, list[dict[str, Any]], float]  # corpus, tokenizer, cell, rows, seconds
CellResult = tuple[Cell, list[dict[str, Any]], float]


RELEASE_AFTER_CHARS = 2_000_000  # an accelerator that encoded less (probes, word lists) is kept between cells


def compute_cells(
    tok: Any,
    view: CorpusView | None,
    todo: list[Cell],
    langs: tuple[str, ...] | None,
    load_tokenizer: Callable[[str], Any],
    encode: Callable[[Any, list[str]], Any] | None = None,
) -> Iterator[CellResult]:
    """Compute one tokenizer's cells on one corpus; yields (cell, rows, seconds) as each finishes.
    The cells share one MetricContext, so each protocol's texts are encoded once."""
    ctx = MetricContext(tok, view, langs, encode=encode, load_tokenizer=load_tokenizer)
    for cell in todo:
        t = time.perf_counter()
        rows = METRICS.get(cell.metric)().compute(ctx, dict(cell.options))
        # what one cell loaded for itself goes before the next: NSL's reference tokenizer, and an accelerator
        # that encoded a corpus (its memo; the next cells read the encode cache). The leaderboard's cells, cold:
        # llama3's child peaked at 1.13 GB instead of 1.43 (benchmarks/bench_backends.md)
        if ctx.release_references() | release_encoders(RELEASE_AFTER_CHARS):
            heap.trim()
        dt = time.perf_counter() - t
        heap.log_cell(
            tokenizer=getattr(tok, "name", "-"),
            corpus=getattr(view, "name", "-"),
            metric=cell.metric,
            seconds=round(dt, 3),
        )
        yield cell, rows, dt


def run_tokenizer(
    tok_name: str,
    groups: list[tuple[str, list[Cell]]],
    langs: tuple[str, ...] | None,
    load_tokenizer: Callable[[str], Any],
    corpus_view: Callable[[str], CorpusView],
    encode: Callable[[Any, list[str]], Any] | None = None,
    release: bool = True,
) -> Iterator[Result]:
    """One tokenizer, loaded once, over each of its (corpus, cells) groups; then everything it held
    is released, so the next tokenizer starts from the same memory. `release=False` (a process that
    exits next) only waits for the encode cache's background writes: freeing a loaded accelerator and
    collecting the heap cost ~1 s that the exit does for free."""
    t = time.perf_counter()
    heap.log_cell(tokenizer=tok_name, corpus="-", metric="(start)", seconds=0.0)
    tok = load_tokenizer(tok_name)
    heap.log_cell(tokenizer=tok_name, corpus="-", metric="(load)", seconds=round(time.perf_counter() - t, 3))
    try:
        for corpus_name, todo in groups:
            view = corpus_view(corpus_name) if corpus_name != NO_CORPUS else None
            for cell, rows, dt in compute_cells(tok, view, todo, langs, load_tokenizer, encode):
                yield corpus_name, tok_name, cell, rows, dt
    finally:
        if release:
            del tok
            release_encodings()
            if hasattr(load_tokenizer, "cache_clear"):  # the loader's lru_cache would keep all tokenizers
                load_tokenizer.cache_clear()
        else:
            from tokbench.encode import flush_writes

            flush_writes()


def by_tokenizer(plan: list[Group]) -> list[tuple[str, list[tuple[str, list[Cell]]]]]:
    """Consecutive groups of one tokenizer together (the runner plans tokenizer-major)."""
    out: list[tuple[str, list[tuple[str, list[Cell]]]]] = []
    for corpus_name, tok_name, todo in plan:
        if not out or out[-1][0] != tok_name:
            out.append((tok_name, []))
        out[-1][1].append((corpus_name, todo))
    return out


def worker_settings() -> tuple[list[str], dict[str, str]]:
    """What a worker must be told, since it may not share this process's state: the `--data-dir`
    folders and the tokbench/tqdm/Hugging Face environment (cache and data directories, quiet)."""
    from tokbench.datadirs import cli_data_dirs

    env = {k: v for k, v in os.environ.items() if k.startswith(("TOKBENCH_", "TQDM_", "HF_", "TRANSFORMERS_"))}
    return cli_data_dirs(), env


# --- the forkserver's warm-up -------------------------------------------------------------------
WARM_ENV = "TOKBENCH_FORKSERVER_WARM"  # what the local executor's forkserver loads before forking children
_warm_views: dict[str, CorpusView] = {}  # corpus name -> view loaded by the forkserver (children inherit it)


def warm_spec(plan: list[Group], langs: tuple[str, ...] | None) -> str:
    """What every child of this plan would load first, for the forkserver to load once: the corpora,
    and the Petrov texts' layouts (their splits, read from the cells' resolved options)."""
    corpora: dict[str, set[tuple[str, ...]]] = {}
    metrics: dict[str, dict[str, Any]] = {}  # metric -> its options (one per metric: the warm-up is a hint)
    for corpus_name, _, cells in plan:
        for cell in cells:
            metrics.setdefault(cell.metric, dict(cell.options))
        if corpus_name == NO_CORPUS:
            continue
        joined = corpora.setdefault(corpus_name, set())
        for cell in cells:
            opts = dict(cell.options)
            if opts.get("protocol") == "petrov":
                joined.add(tuple(opts.get("splits") or ()))
    from tokbench.datadirs import cli_data_dirs

    return json.dumps({
        "data_dirs": cli_data_dirs(), "langs": list(langs) if langs else None,
        "corpora": {name: sorted(list(s) for s in joined) for name, joined in corpora.items()},
        "metrics": metrics,
    }, default=str)  # fmt: skip


def warm_from_env() -> None:
    """In the forkserver (the import of tokbench.executors.warm): load the manifests, each corpus with all
    its texts and ids, and its Petrov layouts, then what each planned metric loads for any tokenizer, so
    that every child forked afterwards inherits them instead of loading them again (~1-2 s per tokenizer on
    FLORES-200 for the corpora). Anything that fails here is left for the child to load, and to report, as
    without a warm-up."""
    spec = os.environ.get(WARM_ENV)
    if not spec:
        return
    doc = json.loads(spec)
    try:
        from tokbench.corpora import load_corpus
        from tokbench.datadirs import set_cli_data_dirs
        from tokbench.manifests import corpus_manifests, tokenizer_manifests

        set_cli_data_dirs(doc["data_dirs"])
        tokenizer_manifests(), corpus_manifests()
        for name, joined in doc["corpora"].items():
            view = CorpusView(load_corpus(name))
            wanted = set(doc["langs"]) if doc["langs"] else None
            for split in view.splits:
                for lang in view.languages(split):
                    if wanted is None or lang in wanted:
                        view.docs(split, lang)
            for splits in joined:
                splits = tuple(splits) or tuple(view.splits)
                common = set.intersection(*(set(view.languages(s)) for s in splits))
                for lang in sorted(common):
                    if wanted is None or lang in wanted:
                        view.joined_doc(splits, lang)
            _warm_views[name] = view
    except Exception:  # noqa: BLE001 - the child loads it itself and reports what is wrong
        _warm_views.clear()
    _warm_metrics(doc.get("metrics") or {}, doc.get("langs"))


def _warm_metrics(metrics: dict[str, dict[str, Any]], langs: list[str] | None) -> None:
    """Each planned metric's `warm` (what it loads for any tokenizer, e.g. the Turkish analyzer: ~1.7 s per
    child otherwise). A failure is the child's to meet and report, so it is ignored here."""
    from tokbench.metrics import METRICS

    for name, opts in metrics.items():
        try:
            METRICS.get(name).warm(tuple(langs) if langs else None, opts)
        except Exception:  # noqa: BLE001, S112 - the child loads it itself and reports what is wrong
            continue


def run_group(
    tok_name: str,
    groups: list[tuple[str, list[Cell]]],
    langs: tuple[str, ...] | None,
    data_dirs: list[str],
    env: dict[str, str],
    release: bool = True,
) -> list[Result]:
    """A worker's whole task: load by name, compute, return rows. Errors come back as TokbenchError
    (a Rust panic is a BaseException that may not pickle across processes). `release=False`: the
    worker process exits next (see run_tokenizer)."""
    from tokbench.corpora import load_corpus
    from tokbench.datadirs import set_cli_data_dirs
    from tokbench.native import first_line
    from tokbench.tokenizers import load_tokenizer

    os.environ.update(env)
    set_cli_data_dirs(data_dirs)
    views: dict[str, CorpusView] = {}

    def view(name: str) -> CorpusView:
        if name not in views:
            # the forkserver's view when it loaded this corpus with the same data folders (see warm_from_env)
            warm = _warm_views.get(name)
            same = warm is not None and warm.corpus is load_corpus(name)
            views[name] = warm if same and warm is not None else CorpusView(load_corpus(name))
        return views[name]

    where = f"{tok_name} on {', '.join(c for c, _ in groups)}"
    try:
        return list(run_tokenizer(tok_name, groups, langs, load_tokenizer, view, release=release))
    except TokbenchError:
        raise
    except Exception as e:
        raise TokbenchError(f"{where}: {type(e).__name__}: {first_line(e)}") from None
    except BaseException as e:
        if isinstance(e, KeyboardInterrupt | SystemExit):
            raise
        raise TokbenchError(f"{where}: {type(e).__name__}: {first_line(e)}") from None
