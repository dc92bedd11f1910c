"""Mixture inference's per-category stages on a Dask cluster give the LP the same input as in-process.

One module-scoped 2-worker LocalCluster; the categories are vendored (UDHR articles, code samples),
the tokenizers real ones from the shared assets (loaded on the workers by their registered names).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tokbench.cli import main
from tokbench.mixture.infer import infer_mixture, mixture_pre_tokenizer, prepare_table
from tokbench.mixture.replay import Replay
from tokbench.mixture.tasks import DaskStages, replay_category
from tokbench.mixture.words import CategoryWords, count_words

distributed = pytest.importorskip("dask.distributed")

CATS = ["udhr:articles:eng_Latn,fra_Latn,tur_Latn", "code_samples:samples:python,go"]
MERGES = 300


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def setup(shared_assets):
    from tokbench.mixture.categories import load_categories
    from tokbench.tokenizers import load_tokenizer

    return load_tokenizer("r50k_base"), load_categories(CATS)


def same_words(a: CategoryWords, b: CategoryWords) -> None:
    assert a.name == b.name and a.words == b.words
    for f in ("doc_word_ids", "doc_offsets", "doc_bytes"):
        x, y = getattr(a, f), getattr(b, f)
        assert x.dtype == y.dtype and np.array_equal(x, y), f


def same_replay(a: Replay, b: Replay) -> None:
    assert a.n_pairs == b.n_pairs
    for f in ("times", "keys", "deltas", "merged"):
        x, y = getattr(a, f), getattr(b, f)
        assert x.dtype == y.dtype and np.array_equal(x, y), f


def test_stages_bit_identical(client, setup):
    tok, cats = setup
    pre = mixture_pre_tokenizer(tok)
    local = [count_words(n, d, pre) for n, d in cats.items()]
    stages = DaskStages(client, "r50k_base")
    remote = stages.count(cats)
    assert [w.name for w in remote] == list(cats)
    for a, b in zip(local, remote, strict=True):
        same_words(a, b)
    table = prepare_table(tok, local)
    rng = np.random.default_rng(0)
    dws = [rng.multinomial(cw.n_docs, np.full(cw.n_docs, 1.0 / cw.n_docs)) for cw in local]
    for weights in (None, dws):  # the plain replay and a bootstrap replicate's reweighted one
        got = stages.replay(remote, table, 0, MERGES, weights)
        for i, cw in enumerate(local):
            want = replay_category(cw, table, 0, MERGES, None if weights is None else weights[i])
            same_replay(want, got[i])
            assert len(got[i].times) > 0 and int(got[i].merged.sum()) > 0  # the window saw real merges


@pytest.mark.parametrize("tok_name", ["r50k_base", "llama2"])  # byte-level BPE; SentencePiece (chars, trainer view)
def test_mixture_identical_local_and_dask(client, setup, tok_name):
    from tokbench.tokenizers import load_tokenizer

    tok = setup[0] if tok_name == "r50k_base" else load_tokenizer(tok_name)
    cats = setup[1]
    kw = dict(merges=MERGES, threads=2, bootstrap=2, seed=3)
    local = infer_mixture(tok, cats, **kw)
    dask = infer_mixture(tok, cats, stages=DaskStages(client, tok_name), **kw)
    assert dask.weights == local.weights and dask.byte_weights == local.byte_weights
    assert dask.bytes_per_pair == local.bytes_per_pair and dask.ci == local.ci
    assert np.array_equal(dask.lp.alpha, local.lp.alpha) and dask.lp.objective == local.lp.objective
    assert dask.lp.rounds == local.lp.rounds and dask.lp.n_rows == local.lp.n_rows
    assert abs(sum(local.weights.values()) - 1) < 1e-9 and set(local.weights) == set(cats)


def test_cli_dask_address_matches_local(client, synthetic, tmp_path: Path, capsys):
    # a tokenizer given by path: the workers load the same file (the path is valid on a local cluster)
    tok_path = tmp_path / "tokenizer.json"
    synthetic["tok"].save(str(tok_path))
    cat_dir = tmp_path / "cats"
    cat_dir.mkdir()
    for name, docs in synthetic["samples"].items():
        (cat_dir / f"{name}.txt").write_text("\n".join(docs) + "\n")
    base = ["mixture", str(tok_path), "--categories", str(cat_dir), "--merges", "150", "--json"]
    assert main(base) == 0
    local = json.loads(capsys.readouterr().out)
    assert main([*base, "--executor", "dask", "--address", client.scheduler.address]) == 0
    dask = json.loads(capsys.readouterr().out)
    assert dask["weights"] == local["weights"] and dask["byte_weights"] == local["byte_weights"]
    assert dask["lp_rows"] == local["lp_rows"] and dask["lp_rounds"] == local["lp_rounds"]


def test_cli_cluster_options_need_dask(synthetic, tmp_path: Path, capsys):
    tok_path = tmp_path / "tokenizer.json"
    synthetic["tok"].save(str(tok_path))
    cat_dir = tmp_path / "cats"
    cat_dir.mkdir()
    (cat_dir / "aa.txt").write_text("\n".join(synthetic["samples"]["aa"]) + "\n")
    rc = main(["mixture", str(tok_path), "--categories", str(cat_dir), "--merges", "10", "--workers", "2"])
    assert rc == 2
    assert "--executor dask" in capsys.readouterr().err
