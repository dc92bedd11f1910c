"""Evaluate trained tokenizers through `run`'s machinery: the same metric plugins, cells, ledger,
encode cache and executors, so a sweep's numbers are the numbers `tokbench run` would write.

Each monolingual tokenizer is evaluated on its own language only (a Turkish tokenizer's cost on
English says nothing about premiums), under the sentence protocol on the held-out split: the sum of
per-sentence token counts (`ctc`) and UTF-8 bytes per token, with their bootstrap CIs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tokbench.executors.base import Executor
from tokbench.metrics import get_metric
from tokbench.results import Cell, ResultStore
from tokbench.runner import corpus_sha256
from tokbench.sweep.train import Trained
from tokbench.tokenizers.loader import spec_sha256

EVAL_METRICS = ("ctc", "bytes_per_token")


def eval_options(split: str, bootstrap: int) -> dict[str, Any]:
    return {"protocol": "sentence", "split": split, "bootstrap": bootstrap}


def tokenizer_ref(t: Trained) -> str:
    """How executors load a trained tokenizer: NAME=PATH (the label names its result rows)."""
    return f"{t.spec.label}={t.path}"


def evaluate(
    trained: list[Trained],
    corpus: str,
    split: str,
    store: ResultStore,
    executor: Executor,
    *,
    bootstrap: int = 1000,
    force: bool = False,
    log: Callable[[str], None] = lambda s: None,
) -> tuple[int, int]:
    """Compute every missing (tokenizer, metric) cell on the tokenizer's language; (computed, skipped)."""
    c_sha = corpus_sha256(corpus)
    options = eval_options(split, bootstrap)
    by_lang: dict[str, list[Trained]] = {}
    for t in trained:
        by_lang.setdefault(t.spec.language, []).append(t)
    computed = skipped = 0
    for lang, toks in sorted(by_lang.items()):
        plan = []
        for t in toks:
            ref = tokenizer_ref(t)
            cells = [Cell(t.spec.label, spec_sha256(ref), corpus, c_sha, m, get_metric(m).resolve_options(options),
                          (lang,))  # fmt: skip
                     for m in EVAL_METRICS]
            todo = [c for c in cells if force or not store.has(c)]
            skipped += len(cells) - len(todo)
            if todo:
                plan.append((corpus, ref, todo))
        if not plan:
            continue
        for _, _, cell, rows, dt in executor.run(plan, (lang,)):
            store.save_cell(cell, rows, dt)
            computed += 1
        log(f"evaluated {len(plan)} tokenizers on {corpus}:{split}:{lang}")
    return computed, skipped
