"""The whole sweep: training texts, the training grid, evaluation, fits, optimal-size retraining,
derived rows, and the report files. Resumable at every step: trained tokenizers come from the
cache, finished metric cells from the ledger in `--out`.

With `--executor dask` training runs as tasks on the cluster and evaluation as `run`'s groups; the
workers read and write the trained tokenizers in TOKBENCH_CACHE/sweep, so on several machines that
folder must be shared (as the encode cache should be).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from tokbench.errors import TokbenchError
from tokbench.executors.base import Executor
from tokbench.results import Cell, ResultStore
from tokbench.sweep import analysis
from tokbench.sweep.data import TrainingText, corpus_training_text, hub_training_text, overlap, whitespace_share
from tokbench.sweep.evaluate import evaluate
from tokbench.sweep.fit import TARGETS
from tokbench.sweep.specs import (
    ALGORITHMS,
    BUDGET_UNITS,
    DEFAULT_BUDGET,
    DEFAULT_LANGUAGES,
    DEFAULT_TRANSITION,
    DEFAULT_VOCAB_SIZES,
    TrainSpec,
)
from tokbench.sweep.train import Trained, ensure_trained

SPECS_FILE = "specs.json"


@dataclass
class SweepConfig:
    out: Path
    languages: Sequence[str] = DEFAULT_LANGUAGES
    algorithms: Sequence[str] = ALGORITHMS
    vocab_sizes: Sequence[int] = DEFAULT_VOCAB_SIZES
    budget: int = DEFAULT_BUDGET
    unit: str = "bytes"
    train: str | None = None  # CORPUS[:SPLIT]; None: flores200:dev when available, else udhr
    evaluation: str | None = None  # CORPUS[:SPLIT]; None: flores200:devtest, or the training corpus
    hub: dict[str, Any] | None = None  # {dataset, revision, config, split, column}: train from `datasets`
    pivot: str = "eng_Latn"
    shared: int | None = None  # the single shared size; None: the grid's median
    target: str = "pivot"
    transition: float = DEFAULT_TRANSITION
    optimal: bool = True
    bootstrap: int = 1000
    force: bool = False
    executor: str = "local"
    executor_options: dict[str, Any] = field(default_factory=dict)
    keep: Path | None = None  # copy the trained tokenizer.json files here
    register: bool = False  # and register them with `tokbench register` (names = labels)


@dataclass
class SweepSummary:
    table: pd.DataFrame
    trained: list[Trained]
    computed: int
    skipped: int
    seconds: float
    train_seconds: float
    held_out: bool
    files: dict[str, str]


def _corpus_split(value: str, default_split: str | None) -> tuple[str, str | None]:
    name, _, split = value.partition(":")
    return name, split or default_split


def resolve_sources(cfg: SweepConfig) -> tuple[tuple[str, str] | None, tuple[str, str]]:
    """(training corpus and split or None for a hub source, evaluation corpus and split), with defaults."""
    from tokbench.manifests import corpus_manifests
    from tokbench.suggest import unknown

    known = corpus_manifests()
    flores = "flores200" in known and known["flores200"].availability() != "missing"
    train = None
    if cfg.hub is None:
        default = "flores200:dev" if flores else "udhr"
        name, split = _corpus_split(cfg.train or default, None)
        if name not in known:
            raise TokbenchError(unknown("training corpus", name, sorted(known), "tokbench list corpora"))
        splits = list(known[name].splits or [])
        split = split or (splits[0] if splits else "")
        train = (name, split)
    default_eval = "flores200:devtest" if flores else f"{train[0]}:{train[1]}" if train else "flores200:devtest"
    name, split = _corpus_split(cfg.evaluation or default_eval, None)
    if name not in known:
        raise TokbenchError(unknown("evaluation corpus", name, sorted(known), "tokbench list corpora"))
    if not known[name].parallel:
        raise TokbenchError(f"evaluation corpus {name!r} is not parallel; premiums need parallel text (e.g. udhr)")
    splits = list(known[name].splits or [])
    return train, (name, split or (splits[-1] if splits else ""))


def validate(cfg: SweepConfig) -> None:
    bad = sorted(set(cfg.algorithms) - set(ALGORITHMS))
    if bad:
        raise TokbenchError(f"unknown algorithm(s) {', '.join(bad)}; use {', '.join(ALGORITHMS)}")
    if cfg.unit not in BUDGET_UNITS:
        raise TokbenchError(f"--budget-unit {cfg.unit!r}: use bytes or chars")
    if cfg.target not in TARGETS:
        raise TokbenchError(f"--target {cfg.target!r}: use {' or '.join(TARGETS)}")
    if len(set(cfg.vocab_sizes)) < 2 and cfg.optimal:
        raise TokbenchError("--vocab-sizes needs two or more sizes to fit how token counts fall (or --no-optimal)")
    if min(cfg.vocab_sizes) <= 256 + 8:
        raise TokbenchError(f"--vocab-sizes must exceed the 256 byte symbols (got {min(cfg.vocab_sizes)})")
    if cfg.pivot not in cfg.languages:
        raise TokbenchError(f"pivot {cfg.pivot!r} is not among --langs; add it or choose --pivot from them")
    if cfg.shared is not None and cfg.shared not in cfg.vocab_sizes:
        raise TokbenchError(f"--shared-size {cfg.shared} is not one of --vocab-sizes {list(cfg.vocab_sizes)}")
    if not 0 < cfg.transition <= 1:
        raise TokbenchError(f"--transition {cfg.transition} must be in (0, 1]")


def training_texts(cfg: SweepConfig, train: tuple[str, str] | None) -> dict[str, TrainingText]:
    out = {}
    for lang in cfg.languages:
        if train is None:
            h = cfg.hub or {}
            out[lang] = hub_training_text(h["dataset"], lang, cfg.budget, cfg.unit, revision=h.get("revision"),
                                          config=h.get("config"), split=h.get("split") or "train",
                                          column=h.get("column") or "text")  # fmt: skip
        else:
            out[lang] = corpus_training_text(train[0], train[1], lang, cfg.budget, cfg.unit)
    return out


def train_all(specs: list[TrainSpec], texts: dict[str, TrainingText], executor: Executor,
              log: Callable[[str], None]) -> list[Trained]:  # fmt: skip
    """Train (or fetch from the cache) every spec: in this process, whose trainers use every core, or as
    tasks on the executor's Dask client when there is one."""
    from tokbench.progress import progress

    client = getattr(executor, "client", None)
    if client is not None:
        futures = [client.submit(ensure_trained, s, texts[s.language], pure=False) for s in specs]
        return [f.result() for f in futures]
    out = []
    bar = progress(total=len(specs), unit="tokenizer", desc="train")
    for s in specs:
        out.append(ensure_trained(s, texts[s.language]))
        bar.update(1)
    bar.close()
    fresh = [t for t in out if not t.cached]
    log(f"trained {len(fresh)} tokenizers in {sum(t.seconds for t in fresh):.1f}s ({len(out) - len(fresh)} cached)")
    return out


def _vocab_rows(trained: list[Trained], split: str) -> list[tuple[str, str, str, list[dict[str, Any]]]]:
    from tokbench.metrics.base import make_row

    return [(t.spec.label, t.text_sha256, "sweep.vocab_size",
             [make_row("sweep.vocab_size", t.spec.language, split, t.vocab_size, "tokens in the vocabulary", 1,
                       flags="saturated" if t.saturated else "")])
            for t in trained]  # fmt: skip


def run_sweep(cfg: SweepConfig, log: Callable[[str], None] = lambda s: print(s, file=sys.stderr)) -> SweepSummary:
    from tokbench.runner import RunConfig, corpus_sha256, make_executor

    t0 = time.perf_counter()
    validate(cfg)
    # a sweep's tokenizers are small and used once: certifying an accelerator for each would cost more than
    # it saves, so the reference adapter encodes them unless the user chose a backend
    os.environ.setdefault("TOKBENCH_BACKEND", "reference")
    grid = sorted(set(cfg.vocab_sizes))
    shared = cfg.shared or grid[len(grid) // 2]
    train, (ev_corpus, ev_split) = resolve_sources(cfg)
    from tokbench.suggest import check_languages

    check_languages([c for c in (train and train[0], ev_corpus) if c], cfg.languages)  # typos before any work
    held_out = not (train is not None and train == (ev_corpus, ev_split))
    if not held_out:
        log(f"tokbench: training and evaluating on the same text ({ev_corpus}:{ev_split}): token counts are "
            "in-sample (give --eval CORPUS:SPLIT with other text for held-out numbers)")  # fmt: skip
    texts = training_texts(cfg, train)
    hub = cfg.hub or {}
    source = f"{train[0]}:{train[1]}" if train else f"hub:{hub.get('dataset')}@{hub.get('revision') or 'local'}"
    from tokbench.corpora import load_corpus

    ev = load_corpus(ev_corpus)
    missing = [lang for lang in cfg.languages if lang not in ev.languages(ev_split)]
    if missing:
        from tokbench.suggest import no_language

        raise TokbenchError(no_language(ev_corpus, missing, ev.languages(ev_split), ev_split))

    def specs_for(sizes: dict[tuple[str, str], list[int]]) -> list[TrainSpec]:
        return [TrainSpec(a, v, lang, source, cfg.budget, cfg.unit, cfg.transition if a == "superbpe" else 0.0)
                for (a, lang), vs in sizes.items() for v in vs]  # fmt: skip

    run_cfg = RunConfig(out=cfg.out, isolate=False, executor=cfg.executor, executor_options=cfg.executor_options)
    store = ResultStore(cfg.out)
    computed = skipped = 0
    with store.writing(on_wait=log):
        executor = make_executor(run_cfg)
        try:
            t_train = time.perf_counter()
            specs = specs_for({(a, lang): grid for a in cfg.algorithms for lang in cfg.languages})
            trained = train_all(specs, texts, executor, log)
            train_seconds = time.perf_counter() - t_train
            c, s = evaluate(trained, ev_corpus, ev_split, store, executor, bootstrap=cfg.bootstrap, force=cfg.force,
                            log=log)  # fmt: skip
            computed, skipped = computed + c, skipped + s
            c_sha = corpus_sha256(ev_corpus)
            save = _saver(store, ev_corpus, c_sha, {"pivot": cfg.pivot, "shared": shared, "target": cfg.target},
                          tuple(cfg.languages))  # fmt: skip
            save(_vocab_rows(trained, ev_split))
            fits: dict[Any, Any] = {}
            if cfg.optimal:
                m = analysis.measurements(store.table())
                fits = analysis.fit_languages(m, grid, cfg.pivot, shared, cfg.target)
                extra = specs_for({k: [f.optimal.vocab] for k, f in fits.items() if f.optimal.vocab not in grid})
                t_train = time.perf_counter()
                more = train_all(extra, texts, executor, log)
                train_seconds += time.perf_counter() - t_train
                c, s = evaluate(more, ev_corpus, ev_split, store, executor, bootstrap=cfg.bootstrap, force=cfg.force,
                                log=log)  # fmt: skip
                computed, skipped = computed + c, skipped + s
                save(_vocab_rows(more, ev_split))
                trained += more
        finally:
            executor.close()
        m = analysis.measurements(store.table())
        save(analysis.derived_groups(m, fits, grid, cfg.pivot, shared, ev_split))
        ov = {lang: overlap(texts[lang].lines, ev.texts(ev_split, lang)) for lang in cfg.languages}
        ws = {lang: whitespace_share(ev.texts(ev_split, lang)) for lang in cfg.languages}
        feats_sha = hashlib.sha256(json.dumps([ov, ws], sort_keys=True).encode()).hexdigest()
        save([(analysis.FEATURES_TOKENIZER, feats_sha, "sweep.features",
               analysis.feature_rows(ov, ws, ev_split))])  # fmt: skip
        table = store.write()
    files = _write_specs(cfg, trained, grid, shared, source, (ev_corpus, ev_split), held_out, texts)
    if cfg.keep or cfg.register:
        files.update(keep_tokenizers(trained, cfg.keep, cfg.register, log))
    return SweepSummary(table, trained, computed, skipped, time.perf_counter() - t0, train_seconds, held_out, files)


def _saver(store: ResultStore, corpus: str, c_sha: str, options: dict[str, Any],
           langs: tuple[str, ...]) -> Callable[[list[tuple[str, str, str, list[dict[str, Any]]]]], None]:  # fmt: skip
    """Derived rows go to the ledger as cells of their own, so `tokbench report` reads them with the rest."""

    def save(groups: list[tuple[str, str, str, list[dict[str, Any]]]]) -> None:
        for label, sha, family, rows in groups:
            if rows:
                store.save_cell(Cell(label, sha, corpus, c_sha, family, options, langs), rows, 0.0)

    return save


def _write_specs(cfg: SweepConfig, trained: list[Trained], grid: list[int], shared: int, source: str,
                 evaluation: tuple[str, str], held_out: bool,
                 texts: dict[str, TrainingText]) -> dict[str, str]:  # fmt: skip
    """specs.json: every trained tokenizer's spec and provenance (no text, only sizes and hashes)."""
    from tokbench.io import atomic_write_text

    doc = {
        "method": "Arnett et al. 2025 comparable monolingual tokenizers; see tokbench/sweep",
        "grid": grid, "shared_size": shared, "pivot": cfg.pivot, "target": cfg.target,
        "transition": cfg.transition, "training_source": source, "budget": cfg.budget, "unit": cfg.unit,
        "evaluation": f"{evaluation[0]}:{evaluation[1]}", "held_out": held_out,
        "training_text": {lang: {"sha256": t.sha256, "size": t.size, "documents": len(t.lines)}
                          for lang, t in texts.items()},
        "tokenizers": [{k: v for k, v in t.provenance().items() if k != "path"} | {"cache_key": t.path.parent.name}
                       for t in trained],
    }  # fmt: skip
    path = cfg.out / SPECS_FILE
    atomic_write_text(path, json.dumps(doc, indent=1, ensure_ascii=False))
    return {"specs": str(path)}


def keep_tokenizers(trained: list[Trained], keep: Path | None, register: bool,
                    log: Callable[[str], None]) -> dict[str, str]:  # fmt: skip
    """Copy each trained tokenizer.json to KEEP/<label>/ and, with `register`, register it under its label."""
    import shutil

    from tokbench.registration import register_tokenizer

    files: dict[str, str] = {}
    for t in trained:
        src = t.path
        if keep is not None:
            dest = keep / t.spec.label / "tokenizer.json"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(t.path, dest)
            src = dest
        if register:
            reg = register_tokenizer(src, name=t.spec.label, force=True,
                                     citation=f"tokbench sweep: {t.spec.algorithm}, vocabulary {t.vocab_size}, "
                                              f"trained on {t.spec.budget} {t.spec.unit} of {t.spec.source} "
                                              f"({t.spec.language})")  # fmt: skip
            files[t.spec.label] = str(reg.manifest_file)
    if keep is not None:
        files["kept"] = str(keep)
    where = f" in {keep}" if keep else ""
    log(f"kept {len(trained)} tokenizers{where}{' and registered them' if register else ''}")
    return files
