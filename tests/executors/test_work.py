"""The forkserver's warm-up: what the plan's children would each load first is loaded once, including each
planned metric's `warm` (zeyrek's Turkish analyzer for the %L family); a failing warm-up is the child's to
meet, never the forkserver's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tokbench.executors import work
from tokbench.metrics import METRICS
from tokbench.morphology import resource_for
from tokbench.results import Cell


@pytest.fixture()
def clean_warm(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(work.WARM_ENV, raising=False)
    yield
    work._warm_views.clear()


def _cell(metric: str, **options: Any) -> Cell:
    return Cell("r50k_base", "sha", "udhr", "csha", metric, options)


def test_spec_names_each_planned_metric_with_its_options(clean_warm: None) -> None:
    plan = [("udhr", "r50k_base", [_cell("lex", split="articles"), _cell("ctc", protocol="petrov", splits=[])]),
            ("udhr", "gpt2", [_cell("lex", split="articles")])]  # fmt: skip
    spec = json.loads(work.warm_spec(plan, ("tur_Latn",)))
    assert spec["metrics"] == {"lex": {"split": "articles"}, "ctc": {"protocol": "petrov", "splits": []}}
    assert spec["langs"] == ["tur_Latn"] and spec["corpora"] == {"udhr": [[]]}


def test_lex_warms_the_turkish_analyzer_once_for_every_child(clean_warm: None, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("zeyrek")
    turkish = resource_for("tur_Latn")
    turkish.__dict__.pop("analyzer", None)  # as in a fresh forkserver
    monkeypatch.setenv(work.WARM_ENV, json.dumps({
        "data_dirs": [], "langs": ["tur_Latn", "deu_Latn"], "corpora": {}, "metrics": {"lex.unique": {"split": ""}},
    }))  # fmt: skip
    work.warm_from_env()
    assert "analyzer" in turkish.__dict__  # built: a child forked now inherits it
    assert turkish.decide(["ev", "evler", "xqz"])[0]  # and it decides as without the warm-up


def test_a_failing_warm_up_is_left_to_the_child(clean_warm: None, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def boom(cls: type, langs: Any, opts: Any) -> None:
        calls.append("boom")
        raise RuntimeError("not here")

    def fine(cls: type, langs: Any, opts: Any) -> None:
        calls.append("fine")

    monkeypatch.setattr(METRICS.get("lex.weighted"), "warm", classmethod(boom))
    monkeypatch.setattr(METRICS.get("pure.unique"), "warm", classmethod(fine))
    monkeypatch.setenv(work.WARM_ENV, json.dumps({
        "data_dirs": [], "langs": None, "corpora": {"no_such_corpus": []},
        "metrics": {"lex.weighted": {}, "pure.unique": {}},
    }))  # fmt: skip
    work.warm_from_env()  # neither the missing corpus nor the failing warm-up raises
    assert calls == ["boom", "fine"] and work._warm_views == {}


def test_a_cell_s_reference_tokenizer_is_released_before_the_next_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    """NSL loads a second tokenizer (and its encoder) that no later cell needs: compute_cells lets it go after
    the cell, from the context and from the loader's cache, so it does not add to every later cell's memory."""
    from functools import lru_cache

    from tokbench.corpora import load_corpus
    from tokbench.metrics import CorpusView, MetricContext
    from tokbench.tokenizers import load_tokenizer

    loader = lru_cache(maxsize=8)(load_tokenizer.__wrapped__)
    contexts: list[MetricContext] = []

    class Recorded(MetricContext):
        def __init__(self, *a: Any, **k: Any) -> None:
            super().__init__(*a, **k)
            contexts.append(self)

    monkeypatch.setattr(work, "MetricContext", Recorded)
    tok = loader("r50k_base")
    asked = (("nsl", {"split": "articles", "reference": "p50k_base"}), ("bytes_per_token", {"split": "articles"}))
    cells = [_cell(m, **{**METRICS.get(m).card.options, **o}) for m, o in asked]
    results = work.compute_cells(tok, CorpusView(load_corpus("udhr")), cells, ("eng_Latn",), loader)
    cell, rows, _ = next(results)
    assert cell.metric == "nsl" and rows and all(r["value"] > 0 for r in rows)
    ctx = contexts[0]  # the cell's own context; the reference was a second one, now gone
    assert ctx._refs == {} and loader.cache_info().currsize == 0
    assert [c.metric for c, _, _ in results] == ["bytes_per_token"]
