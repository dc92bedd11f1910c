"""Metric registry: cards of the built-ins, and a third-party metric found through an entry point."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import tokbench.registry
from tokbench.errors import TokbenchError
from tokbench.metrics import DEFAULT_METRICS, METRICS, CorpusView, MetricContext, get_metric, metric_cards

PLUGIN = """
from tokbench.metrics import Metric, MetricCard, make_row, register_metric


@register_metric
class TokensPerDoc(Metric):
    card = MetricCard(name="demo_tokens_per_doc", definition="mean tokens per document", unit="tokens",
                      higher_is_better=None, citation="none", options={"split": ""})

    def compute(self, ctx, opts):
        split = ctx.split_option(opts)
        return [make_row("demo_tokens_per_doc", lang, split, ctx.sentences(split, lang).tokens.mean(), "tokens",
                         len(ctx.sentences(split, lang).tokens)) for lang in ctx.languages(split)]
"""


def test_builtin_cards_are_complete() -> None:
    cards = {c["name"]: c for c in metric_cards()}
    assert set(DEFAULT_METRICS) <= set(cards)
    for card in cards.values():
        assert card["definition"] and card["unit"] and card["citation"] and card["needs"]
        assert card["higher_is_better"] in (True, False, None)
    assert cards["premium"]["needs"] == ["parallel corpus"] and cards["premium"]["higher_is_better"] is False
    assert cards["bytes_per_token"]["unit"] == "UTF-8 bytes per token"
    assert cards["nsl"]["options"]["reference"] == "cl100k_base"


class TinyCorpus:
    """Two languages, not parallel: enough to run a metric without any data files."""

    name = "tiny"
    splits = ["test"]
    manifest = type("M", (), {"name": "tiny", "parallel": False})()
    _texts = {"eng_Latn": ["hello world", "a b c"], "deu_Latn": ["hallo welt"]}

    def languages(self, split: str | None = None) -> list[str]:
        return sorted(self._texts)

    def texts(self, split: str, lang: str) -> list[str]:
        return self._texts[lang]


class Encoded:
    def __init__(self, ids: np.ndarray, offsets: np.ndarray) -> None:
        self.ids, self.doc_offsets = ids, offsets


class ByteTokenizer:
    """One token per UTF-8 byte: the simplest lossless tokenizer."""

    name, unk_id, vocab_size, algorithm = "bytes", None, 256, "byte"

    def token_bytes(self) -> list[bytes]:
        return [bytes([i]) for i in range(256)]


def tiny_ctx() -> MetricContext:
    tok = ByteTokenizer()

    def encode(t: Any, texts: list[str]) -> Encoded:  # one token per byte
        data = [np.frombuffer(x.encode(), dtype=np.uint8).astype(np.uint32) for x in texts]
        off = np.concatenate([[0], np.cumsum([len(d) for d in data])]).astype(np.int64)
        return Encoded(np.concatenate(data) if data else np.zeros(0, np.uint32), off)

    return MetricContext(tok, CorpusView(TinyCorpus()), encode=encode, load_tokenizer=lambda n: tok)


def test_third_party_metric_through_entry_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tb_demo_plugin.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    ep = importlib.metadata.EntryPoint(name="demo", value="tb_demo_plugin", group="tokbench.metrics")
    monkeypatch.setattr(tokbench.registry, "entry_points", lambda group: [ep] if group == "tokbench.metrics" else [])
    monkeypatch.setattr(METRICS, "_entry_points_loaded", False)
    monkeypatch.setattr(METRICS, "_items", dict(METRICS._items))
    assert "demo_tokens_per_doc" in [c["name"] for c in metric_cards()]
    rows = get_metric("demo_tokens_per_doc")().compute(tiny_ctx(), {"split": ""})
    assert {r["language"]: r["value"] for r in rows} == {"deu_Latn": 10.0, "eng_Latn": 8.0}


def test_premium_refuses_a_non_parallel_corpus() -> None:
    cls = get_metric("premium")
    with pytest.raises(TokbenchError, match="needs a parallel corpus"):
        cls().compute(tiny_ctx(), cls.resolve_options({}))
    ctc = get_metric("ctc")
    rows = ctc().compute(tiny_ctx(), ctc.resolve_options({"bootstrap": "0"}))  # no resample rows without bootstrap
    # Petrov protocol: " ".join(lines + [""]) -> one extra space per split
    assert {r["language"]: r["value"] for r in rows} == {"deu_Latn": 11.0, "eng_Latn": 18.0, "ALL": 29.0}
    # the ALL row is the total over the cell's languages; with bootstrap=0 it claims no interval
    (total,) = [r for r in rows if r["language"] == "ALL"]
    assert total["ci_low"] != total["ci_low"] and total["flags"] == "languages=2"



def test_ctc_total_interval_comes_from_one_resample_shared_by_the_languages() -> None:
    from tokbench.metrics.parallel import weights_for
    from tokbench.metrics.stats import percentile_ci

    ctx = tiny_ctx()
    ctc = get_metric("ctc")
    opts = ctc.resolve_options({"bootstrap": "200", "seed": "3"})
    out = ctc().compute(ctx, opts)
    rows = {r["language"]: r for r in out if r["metric"] == "ctc"}
    protocol, splits = "petrov", tuple(rows["eng_Latn"]["split"].split("+"))
    counts = [ctx.unit_counts(protocol, splits, lang)[1] for lang in ("deu_Latn", "eng_Latn")]
    # languages with as many units share one resample (a parallel corpus: all of them); here the two differ,
    # so each count has its own seeded resample and the totals add replicate by replicate
    reps = sum(weights_for(len(c), opts) @ c.astype(float) for c in counts)
    lo, hi = percentile_ci(reps)
    assert rows["ALL"]["value"] == rows["deu_Latn"]["value"] + rows["eng_Latn"]["value"]
    assert (rows["ALL"]["ci_low"], rows["ALL"]["ci_high"]) == (float(lo), float(hi))
    kept = [r["value"] for r in out if r["metric"] == "ctc.resample"]  # the replicates, for paired rank ranges
    assert kept == list(reps) and len(kept) == 200
