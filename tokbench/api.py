"""The Python API for notebooks: `import tokbench as tb; df = tb.evaluate([...], corpora=["udhr"])`.

Thin wrappers over what the CLI commands call, so a notebook gets the same rows, units, intervals,
provenance, cache and errors as `tokbench run/report/inspect/mixture`: `evaluate` drives the grid
runner (`run_grid`), `report` the site writer, `inspect` and `mixture` the same functions as their
commands. Tokenizers may be registered names, paths, or objects already in memory
(`tokbench.tokenizers.memory`). Bad input raises the `TokbenchError` the CLI prints as one line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tokbench.errors import TokbenchError

if TYPE_CHECKING:
    import pandas as pd

    from tokbench.mixture.infer import MixtureResult
    from tokbench.report.writer import Written
    from tokbench.tokenizers.base import Tokenizer

PathLike = str | os.PathLike[str]
MEMORY_FILE = "in_memory_tokenizers.json"  # beside results.json: which tokenizers came from Python objects


@contextlib.contextmanager
def _session(quiet: bool, data_dir: PathLike | Sequence[PathLike] | None) -> Iterator[None]:
    """What the CLI sets per command, set for one call and then restored: quiet progress bars
    (TQDM_DISABLE, read by tokbench.progress at each bar) and the `--data-dir` search-path entries."""
    from tokbench.datadirs import cli_data_dirs, set_cli_data_dirs

    before_env = os.environ.get("TQDM_DISABLE")
    before_dirs = cli_data_dirs()
    try:
        if quiet:
            os.environ["TQDM_DISABLE"] = "1"
        if data_dir is not None:
            dirs = [data_dir] if isinstance(data_dir, str | os.PathLike) else list(data_dir)
            set_cli_data_dirs([*dirs, *before_dirs])
        yield
    finally:
        if before_env is None:
            os.environ.pop("TQDM_DISABLE", None)
        else:
            os.environ["TQDM_DISABLE"] = before_env
        set_cli_data_dirs(before_dirs)


def _log(quiet: bool) -> Any:
    return (lambda s: None) if quiet else (lambda s: print(s, file=sys.stderr))


def tokenizer(obj: Any, name: str | None = None) -> Tokenizer:
    """A loaded tokbench tokenizer from a registered name, a path, or an in-memory object
    (`tokenizers.Tokenizer`, a fast transformers tokenizer, `tiktoken.Encoding`,
    `sentencepiece.SentencePieceProcessor`), named `name` (default: its registered, file or own name)."""
    from tokbench.tokenizers import load_tokenizer, memory

    if isinstance(obj, str | os.PathLike):
        return load_tokenizer(os.fspath(obj), name=name)
    return memory.from_object(obj, name)


def _specs(tokenizers: Any) -> tuple[list[str] | None, dict[str, dict[str, str]]]:
    """`--tokenizers` entries for the runner, and the in-memory ones' provenance by name. Objects are
    registered with tokbench.tokenizers.memory under a spec only this process resolves."""
    from tokbench.manifests import tokenizer_manifests
    from tokbench.tokenizers import load_tokenizer, memory
    from tokbench.tokenizers.loader import display_name, spec_sha256

    if tokenizers is None:
        return None, {}
    if isinstance(tokenizers, Mapping):
        items = [(str(k), v) for k, v in tokenizers.items()]
    elif isinstance(tokenizers, str | os.PathLike) or memory.supported(tokenizers):
        items = [(None, tokenizers)]
    else:
        items = [(None, t) for t in tokenizers]
    if not items:
        raise TokbenchError("tokenizers names nothing; give at least one name, path or tokenizer object")
    specs: list[str] = []
    objects: dict[str, Tokenizer] = {}  # spec -> adapter, registered once every entry has been checked
    labels: dict[str, str] = {}  # spec -> the name its results carry
    registered = tokenizer_manifests()
    for name, item in items:
        if isinstance(item, str | os.PathLike):
            spec = os.fspath(item)
            if name is not None and name != spec:
                if spec in registered:
                    raise TokbenchError(f"{spec!r} is a registered tokenizer; it keeps its name (not {name!r})")
                spec = f"{name}={spec}"
            labels[spec] = display_name(spec)
        else:
            tok = memory.from_object(item, name)
            if tok.name in registered and spec_sha256(tok.name) == tok.sha256:  # e.g. tb.tokenizer("gpt2")
                labels[tok.name] = tok.name
                specs.append(tok.name)
                continue
            if tok.name in registered:
                raise TokbenchError(f"in-memory tokenizer named {tok.name!r}, the name of a registered tokenizer; "
                                    "give it another name (name=..., or a dict {name: tokenizer})")
            spec = memory.spec_of(tok)
            objects[spec] = tok
            labels[spec] = tok.name
        specs.append(spec)
    names = list(labels.values())  # one per distinct spec: a repeated entry runs once
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise TokbenchError(f"two tokenizers would both be named {clash[0]!r}; name them (a dict {{name: tokenizer}})")
    for tok in objects.values():
        memory.register(tok)
    load_tokenizer.cache_clear()  # a name registered again must not be served from the loader's cache
    in_memory = {t.name: {"sha256": t.sha256, "note": memory.provenance_note(t)} for t in objects.values()}
    return specs, in_memory


def _names(value: str | Sequence[str] | None, what: str, commas: bool = True) -> list[str] | None:
    """A list argument given as a list or a string (`"a,b"` as on the command line when `commas`; category
    specs keep theirs: `flores200:devtest:eng_Latn,fra_Latn` is one)."""
    if value is None:
        return None
    out = [value] if isinstance(value, str) else [str(v) for v in value]
    out = [v.strip() for item in out for v in (item.split(",") if commas else [item]) if v.strip()]
    if not out:
        raise TokbenchError(f"{what} names nothing; give at least one name (or None for the default)")
    return out


def evaluate(
    tokenizers: Any = None,
    corpora: str | Sequence[str] | None = None,
    metrics: str | Sequence[str] | None = None,
    langs: str | Sequence[str] | None = None,
    out: PathLike | None = None,
    quiet: bool = False,
    *,
    options: Mapping[str, Any] | None = None,
    force: bool = False,
    in_process: bool | None = None,
    data_dir: PathLike | Sequence[PathLike] | None = None,
) -> pd.DataFrame:
    """`tokbench run` as a call: the tidy results table (one row per tokenizer, corpus, split, language,
    metric: value, unit, 95% CI, n, flags) with the run's provenance in `df.attrs["tokbench"]`.

    `tokenizers`: None (every available), a name/path/object, a list of them, or a dict {name: tokenizer}.
    `out`: the results folder (kept, resumable, readable by `tokbench report`); None computes in a
    temporary folder, still through the encode cache. `in_process`: None runs each tokenizer in a child
    process (bounded memory, as the CLI) from a notebook or the REPL, and in this process from a script,
    whose main module every child would run again (pass False from a script guarded by
    `if __name__ == "__main__":`). In-memory tokenizers always run in this process.
    """
    import pandas as pd

    from tokbench.io import check_writable
    from tokbench.results import RESULTS_JSON
    from tokbench.runner import DEFAULT_CORPORA, RunConfig, run_grid

    if options is not None and not isinstance(options, Mapping):
        raise TokbenchError(f"options must be a dict such as {{'pivot': 'eng_Latn'}}, not {type(options).__name__}")
    with _session(quiet, data_dir):
        specs, in_memory = _specs(tokenizers)
        with contextlib.ExitStack() as stack:
            if out is None:
                folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tokbench-evaluate-")))
            else:
                folder = check_writable(Path(out), "out")
            cfg = RunConfig(
                out=folder,
                tokenizers=specs,
                corpora=_names(corpora, "corpora") or list(DEFAULT_CORPORA),
                metrics=_names(metrics, "metrics"),
                langs=_names(langs, "langs"),
                options=dict(options or {}),
                force=force,
                isolate=not (_in_process(in_process) or in_memory),  # children load tokenizers by name only
            )
            summary = run_grid(cfg, log=_log(quiet))
            try:
                prov = json.loads((folder / RESULTS_JSON).read_text(encoding="utf-8")).get("provenance") or {}
            except (OSError, ValueError):
                prov = {}
            if in_memory:
                prov["in_memory_tokenizers"] = in_memory
                if out is not None:
                    _write_memory_file(folder, in_memory)
    df = pd.DataFrame(summary.table)
    df.attrs["tokbench"] = prov
    if out is not None:
        df.attrs["tokbench_out"] = str(folder)
    return df


def _in_process(asked: bool | None) -> bool:
    """The default: children only when they would not run a script again. The forkserver's children import
    the parent's main module by path (multiprocessing's rule), so an unguarded script calling evaluate
    would start its grid again in each child, which then waits for the results folder the parent holds."""
    if asked is not None:
        return bool(asked)
    main = sys.modules.get("__main__")
    return bool(getattr(main, "__file__", None)) and not sys.flags.interactive


def _write_memory_file(folder: Path, in_memory: dict[str, dict[str, str]]) -> None:
    """Which tokenizers of the folder's results came from Python objects (kept across calls)."""
    from tokbench.io import atomic_write_text

    path = folder / MEMORY_FILE
    try:
        known = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError):
        known = {}
    known = {**(known if isinstance(known, dict) else {}), **in_memory}
    atomic_write_text(path, json.dumps(known, indent=1, sort_keys=True))


def report(
    results: pd.DataFrame | PathLike,
    out: PathLike | None = None,
    title: str = "tokbench report",
    *,
    viewer_corpus: str | None = "udhr",
    mixture: Sequence[PathLike] = (),
    inspect: bool = False,
    markdown: PathLike | None = None,
    quiet: bool = False,
    data_dir: PathLike | Sequence[PathLike] | None = None,
) -> Written:
    """`tokbench report`: leaderboard, tables, plots and the static site (OUT/report.md, OUT/index.html)
    from a results folder/file or a DataFrame from `evaluate` (its provenance read from `df.attrs`).
    `out` defaults to the results folder (a DataFrame from `evaluate(out=...)`: that folder)."""
    import pandas as pd

    from tokbench.commands.report import _write, check_mixture_file
    from tokbench.io import TEMP_SUFFIX, check_writable, holding, temp_pattern
    from tokbench.report.writer import ReportInput
    from tokbench.results import COLUMNS, RESULTS_PARQUET, read_results

    with _session(quiet, data_dir):
        if isinstance(results, pd.DataFrame):
            missing = [c for c in COLUMNS if c not in results.columns]
            if missing:
                raise TokbenchError(f"the DataFrame is not a tokbench results table (it lacks {missing}); "
                                    "give what tb.evaluate returned or a results folder")
            prov = results.attrs.get("tokbench") or {}
            default_out = results.attrs.get("tokbench_out")
            if out is None and default_out is None:
                raise TokbenchError("give out=FOLDER for the report of a DataFrame computed without out=")
            inp = ReportInput("results", results[list(COLUMNS)].copy(), prov, None)
            folder = Path(out if out is not None else default_out)
        else:
            p = Path(results).expanduser()
            table, prov = read_results(p)
            parquet = p / RESULTS_PARQUET if p.is_dir() else (p if p.suffix == ".parquet" else None)
            inp = ReportInput(p.name if p.is_dir() else p.parent.name, table, prov, parquet)
            folder = Path(out) if out is not None else (p if p.is_dir() else p.parent)
        check_writable(folder, "out")
        md = Path(markdown) if markdown is not None else None
        if md is not None:
            check_writable(md, "markdown", folder=False)
        mixture_files = [Path(m) for m in ([mixture] if isinstance(mixture, str | os.PathLike) else mixture)]
        for m in mixture_files:
            check_mixture_file(m)
        args = argparse.Namespace(inspect=inspect, quiet=quiet, json=False, mixture=mixture_files, markdown=md,
                                  title=title, viewer_corpus=viewer_corpus or "none")
        sweep = [(d, f".*{TEMP_SUFFIX}") for d in (folder, folder / "tables", folder / "plots", folder / "tokenizers")]
        if md is not None:
            sweep.append((md.parent, temp_pattern(md)))
        with holding(folder, sweep, on_wait=_log(quiet)):
            return _write(args, [inp], folder)


@dataclass
class InspectResult:
    """`tokbench inspect` as an object: the summary (`info`, what `--json` prints) and the files written."""

    info: dict[str, Any]
    markdown: Path
    png: Path

    def to_json(self) -> dict[str, Any]:
        return self.info | {"markdown": str(self.markdown), "png": str(self.png)}

    def to_frame(self) -> pd.DataFrame:
        """Token classes by merge (or vocabulary) rank, one row per rank bin and class: what the PNG plots."""
        import pandas as pd

        by = self.info["by_rank"]
        edges, classes = by["edges"], by["classes"]
        rows = [{"rank_from": int(edges[b]), "rank_to": int(edges[b + 1]), "class": c, "share": share}
                for b, shares in enumerate(by["shares"]) for c, share in zip(classes, shares, strict=True)]
        return pd.DataFrame(rows, columns=["rank_from", "rank_to", "class", "share"])


def inspect(
    tokenizer: Any,
    *,
    name: str | None = None,
    out: PathLike | None = None,
    lineage: str = "cached",
    never_produced: bool = False,
    corpora: Sequence[str] | None = None,
    categories: Sequence[str] | None = None,
    merges: int = 30000,
    quiet: bool = False,
    data_dir: PathLike | Sequence[PathLike] | None = None,
) -> InspectResult:
    """`tokbench inspect`: sizes, token classes by merge rank, longest tokens, lineage (and, opt-in,
    never-produced tokens and a mixture estimate); writes NAME.md and NAME_by_rank.png to `out`
    (default $TOKBENCH_HOME/inspect, as the CLI)."""
    from tokbench.inspection.never_produced import DEFAULT_CORPORA
    from tokbench.inspection.report import write_report
    from tokbench.inspection.summary import default_out_dir, inspect_tokenizer
    from tokbench.io import check_writable
    from tokbench.mixture.categories import load_categories, load_category_spec

    if lineage not in ("cached", "all", "off"):
        raise TokbenchError(f"lineage must be 'cached', 'all' or 'off', not {lineage!r}")
    if isinstance(merges, bool) or not isinstance(merges, int) or merges <= 0:
        raise TokbenchError(f"merges must be a positive integer, not {merges!r}")
    with _session(quiet, data_dir):
        folder = check_writable(Path(out), "out") if out is not None else check_writable(default_out_dir(),
                                                                                        "$TOKBENCH_HOME/inspect")
        corpora = _names(corpora, "corpora", commas=False)
        for spec in corpora or []:
            load_category_spec(spec)
        tok = _load(tokenizer, name)
        use = tuple(corpora) if corpora else DEFAULT_CORPORA if never_produced else ()
        cats = load_categories(_names(categories, "categories", commas=False) or []) if categories else None
        info = inspect_tokenizer(tok, corpora=use, lineage=lineage, categories=cats,
                                 mixture_kwargs={"merges": merges})
        md, png = write_report(info, folder)
    return InspectResult(info, md, png)


def _load(obj: Any, name: str | None) -> Tokenizer:
    return tokenizer(obj, name)


@dataclass
class CheckReport:
    """`tokbench check` as an object: one result per sanity check (pass / warn / fail) and the exit code the
    CLI would give (0 pass, 1 warn, 2 fail)."""

    tokenizer: str
    results: list[Any]

    @property
    def exit_code(self) -> int:
        from tokbench.check import exit_code

        return exit_code(self.results)

    def to_json(self) -> dict[str, Any]:
        """What `tokbench check --json` prints."""
        from tokbench.check import as_json

        return as_json(self.tokenizer, self.results)

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([{"check": r.name, "status": r.status, "line": r.line} for r in self.results],
                            columns=["check", "status", "line"])


def check(
    tokenizer: Any,
    *,
    name: str | None = None,
    quiet: bool = False,
    data_dir: PathLike | Sequence[PathLike] | None = None,
) -> CheckReport:
    """`tokbench check`: round trip on the UDHR, UTF-8 integrity, special tokens in text, shipped padding and
    truncation, NFC, superword tokens, digit chunking. An in-memory `tokenizers`/transformers object is
    checked as it is held (its tokenizer.json text, padding included), not as tokbench measures it."""
    from tokbench.check import run_checks
    from tokbench.tokenizers import memory

    with _session(quiet, data_dir):
        if isinstance(tokenizer, str | os.PathLike):
            spec = os.fspath(tokenizer)
            tok = _load(spec, name)
            return CheckReport(spec if name is None else tok.name, run_checks(spec, tok))
        tok = _load(tokenizer, name)
        text = memory.tokenizer_json(tokenizer)
        if text is None:  # tiktoken / SentencePiece objects: no padding or truncation to ship
            return CheckReport(tok.name, run_checks(memory.spec_of(tok), tok))
        with tempfile.TemporaryDirectory(prefix="tokbench-check-") as tmp:
            path = Path(tmp) / "tokenizer.json"
            path.write_text(text, encoding="utf-8")
            return CheckReport(tok.name, run_checks(str(path), tok))


@dataclass
class MixtureReport:
    """`tokbench mixture` as an object: the solver's result plus, when asked, the lineage records behind
    start_merge='auto' and the per-category separation check."""

    result: MixtureResult
    lineage: list[dict[str, Any]] | None = None
    separation: list[Any] | None = field(default=None)

    def to_json(self) -> dict[str, Any]:
        """What `tokbench mixture --json` prints."""
        out = self.result.to_json()
        if self.lineage is not None:
            out["lineage"] = self.lineage
        if self.separation is not None:
            out["separation"] = {s.name: {"split_half": s.split_half, "nearest": s.nearest,
                                          "nearest_tv": s.nearest_tv, "ratio": s.ratio} for s in self.separation}
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per category, largest byte share first (the CLI's table; intervals when bootstrapped)."""
        import pandas as pd

        res = self.result
        rows = []
        for cat in sorted(res.categories, key=lambda n: -res.byte_weights[n]):
            row: dict[str, Any] = {"category": cat, "byte_share": res.byte_weights[cat], "pair_share": res.weights[cat]}
            if res.ci:
                row["byte_ci_low"], row["byte_ci_high"] = res.ci["byte_weights"][cat]
                row["byte_boot_mean"] = res.boot_mean["byte_weights"][cat]
            rows.append(row)
        return pd.DataFrame(rows)


def mixture(
    tokenizer: Any,
    categories: str | Sequence[str] | Mapping[str, Sequence[str]],
    *,
    name: str | None = None,
    merges: int = 30000,
    start_merge: int | str = 0,
    solver: str = "highs",
    bootstrap: int = 0,
    other: bool = False,
    time_limit: float = 600.0,
    threads: int = 2,
    seed: int = 0,
    exact: bool = False,
    separation: bool = False,
    quiet: bool = False,
    data_dir: PathLike | Sequence[PathLike] | None = None,
) -> MixtureReport:
    """`tokbench mixture`: each category's share of a BPE tokenizer's training data (Hayase et al. 2024).
    `categories`: category specs as on the command line (`flores200:devtest:eng_Latn,fra_Latn`,
    `code_samples`, a folder) or a dict {category: [documents]}. Runs here (the CLI's dask option is not
    offered)."""
    from tokbench.commands.mixture import resolve_start
    from tokbench.mixture.categories import load_categories
    from tokbench.mixture.infer import infer_mixture
    from tokbench.mixture.lp import SOLVERS

    for label, value, low in (("merges", merges, 1), ("bootstrap", bootstrap, 0), ("threads", threads, 1),
                              ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise TokbenchError(f"{label} must be an integer >= {low}, not {value!r}")
    if solver not in SOLVERS:
        raise TokbenchError(f"solver {solver!r} is not one of {', '.join(SOLVERS)}")
    if not isinstance(time_limit, int | float) or isinstance(time_limit, bool) or not time_limit > 0:
        raise TokbenchError(f"time_limit must be a positive number of seconds, not {time_limit!r}")
    with _session(quiet, data_dir):
        tok = _load(tokenizer, name)
        if tok.algorithm != "bpe":
            raise TokbenchError(f"{tok.name} is a {tok.algorithm} tokenizer: mixture inference needs a BPE merge list")
        if isinstance(categories, Mapping):
            cats: Mapping[str, Sequence[str]] = {str(k): list(v) for k, v in categories.items()}
            if not cats or any(not docs for docs in cats.values()):
                raise TokbenchError("categories must map each category name to a non-empty list of documents")
        else:
            cats = load_categories(_names(categories, "categories", commas=False) or [])
        start, lineage = resolve_start(tok, str(start_merge), quiet)
        res = infer_mixture(tok, cats, merges=merges, start_merge=start, solver=solver, other=other,
                            bootstrap=bootstrap, seed=seed, threads=threads, time_limit=float(time_limit),
                            exact=exact, progress=None if quiet else _log(False))
        seps = None
        if separation:
            from tokbench.mixture.separation import separation as check_separation

            seps = sorted(check_separation({cw.name: cw for cw in res.words}, getattr(tok, "symbol_unit", "byte")),
                          key=lambda s: -s.ratio)
    return MixtureReport(res, lineage, seps)
