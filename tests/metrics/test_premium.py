"""Token premium and corpus token count: golden numbers of Petrov et al. (2023) for all 204 languages."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tokbench.errors import TokbenchError
from tokbench.metrics import MetricContext, get_metric


def compute(ctx: MetricContext, metric: str, **opts: Any) -> dict[tuple[str, str], dict[str, Any]]:
    cls = get_metric(metric)
    rows = cls().compute(ctx, cls.resolve_options(opts))
    return {(r["metric"], r["language"]): r for r in rows}


def petrov_reference(assets: Path) -> dict[str, dict[str, int]]:
    """FLORES code -> {'LLAMA': count, 'cl100k_base': count} from the published csv."""
    ref_dir = assets / "reference" / "petrov2023"
    with open(ref_dir / "flores_language_map.csv", encoding="utf-8") as fh:
        code = {r[0].strip(): r[1].strip() for r in list(csv.reader(fh))[1:]}
    with open(ref_dir / "tokenization_lengths.csv", encoding="utf-8") as fh:
        return {code[r["Language"]]: {k: int(r[k]) for k in ("LLAMA", "cl100k_base")} for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def reference(assets: Path) -> dict[str, dict[str, int]]:
    ref = petrov_reference(assets)
    assert len(ref) == 204
    return ref


def test_llama2_counts_exact_for_all_204_languages(make_ctx: Callable[..., MetricContext], reference: dict) -> None:
    """Petrov protocol, no BOS: every Llama-2 count equals the published one."""
    got = compute(make_ctx("llama2"), "ctc", bootstrap=0)
    assert {lang for _, lang in got} == set(reference) | {"ALL"}
    assert got["ctc", "ALL"]["value"] == sum(ref["LLAMA"] for ref in reference.values())  # the total of all 204
    wrong = {lang: (int(got["ctc", lang]["value"]), ref["LLAMA"]) for lang, ref in reference.items()
             if int(got["ctc", lang]["value"]) != ref["LLAMA"]}  # fmt: skip
    assert not wrong


def test_cl100k_counts_within_one_token(make_ctx: Callable[..., MetricContext], reference: dict) -> None:
    got = compute(make_ctx("cl100k_base"), "ctc", bootstrap=0)
    diffs = {lang: int(got["ctc", lang]["value"]) - ref["cl100k_base"] for lang, ref in reference.items()}
    assert max(abs(d) for d in diffs.values()) <= 1, {k: d for k, d in diffs.items() if abs(d) > 1}


def test_premium_is_the_ratio_of_published_counts(make_ctx: Callable[..., MetricContext], reference: dict) -> None:
    got = compute(make_ctx("llama2"), "premium")
    eng = reference["eng_Latn"]["LLAMA"]
    for lang, ref in reference.items():
        assert got["premium", lang]["value"] == pytest.approx(ref["LLAMA"] / eng, rel=1e-12)
        assert got["unk_char_frac", lang]["value"] == 0.0  # byte fallback: Llama-2 has no UNK on FLORES
    assert got["premium", "eng_Latn"]["ci_low"] == got["premium", "eng_Latn"]["ci_high"] == 1.0
    prem = np.array([got["premium", lang]["value"] for lang in reference])
    agg = {m: got[m, "ALL"]["value"] for m, lang in got if lang == "ALL"}
    assert agg["premium_mean"] == pytest.approx(prem.mean())
    assert agg["premium_max"] == pytest.approx(prem.max())
    assert agg["premium_n_above_2x"] == (prem > 2).sum() and agg["premium_n_above_4x"] == (prem > 4).sum()
    assert agg["premium_cv"] == pytest.approx(prem.std() / prem.mean())
    for key, row in got.items():  # every bootstrap interval brackets its estimate
        if not np.isnan(row["ci_low"]):
            assert row["ci_low"] <= row["value"] <= row["ci_high"], key


def test_burmese_and_shan_premiums_cl100k_vs_o200k(make_ctx: Callable[..., MetricContext]) -> None:
    langs = ["eng_Latn", "mya_Mymr", "shn_Mymr"]
    cl = compute(make_ctx("cl100k_base", langs), "premium", bootstrap=200)
    o2 = compute(make_ctx("o200k_base", langs), "premium", bootstrap=200)
    for lang in ("mya_Mymr", "shn_Mymr"):
        assert cl["premium", lang]["value"] > 4
        assert o2["premium", lang]["value"] < cl["premium", lang]["value"]
        assert o2["premium", lang]["ci_high"] < cl["premium", lang]["ci_low"]  # clearly separated


def test_sentence_protocol_sums_per_sentence_encodings(make_ctx: Callable[..., MetricContext], flores: Any) -> None:
    ctx = make_ctx("cl100k_base", ["eng_Latn", "tur_Latn"])
    got = compute(ctx, "premium", protocol="sentence", bootstrap=0)
    tok = ctx.tokenizer
    total = {
        lang: sum(len(x) for x in tok.encode_batch(flores.docs("devtest", lang)[1]))
        for lang in ("eng_Latn", "tur_Latn")
    }
    assert got["premium", "tur_Latn"]["value"] == pytest.approx(total["tur_Latn"] / total["eng_Latn"])
    assert got["premium", "tur_Latn"]["split"] == "devtest" and got["premium", "tur_Latn"]["n"] == 1012


def test_bootstrap_is_seeded_and_shared(make_ctx: Callable[..., MetricContext]) -> None:
    ctx = make_ctx("cl100k_base", ["eng_Latn", "tur_Latn"])
    a = compute(ctx, "premium", bootstrap=300, seed=5)
    b = compute(ctx, "premium", bootstrap=300, seed=5)
    c = compute(ctx, "premium", bootstrap=300, seed=6)
    assert a == b
    assert a["premium", "tur_Latn"]["ci_low"] != c["premium", "tur_Latn"]["ci_low"]


def test_unk_char_fraction_flags_and_drops(make_ctx: Callable[..., MetricContext], flores: Any) -> None:
    """BERT (WordPiece, no byte fallback) maps unseen scripts to [UNK]; check against HF offsets."""
    langs = ["eng_Latn", "amh_Ethi", "tir_Ethi", "fra_Latn"]
    ctx = make_ctx("bert_base_uncased", langs)
    got = compute(ctx, "premium", bootstrap=0, unk_threshold=0.1)
    tok = ctx.tokenizer
    for lang in langs:
        text = flores.joined(("dev", "devtest"), lang)[0]
        ((ids, spans),) = tok.encode_with_offsets([text])
        raw = text.encode("utf-8")
        unk = sum(
            len(raw[a:b].decode("utf-8", "replace").replace(" ", ""))
            for i, (a, b) in zip(ids, spans, strict=True)
            if i == tok.unk_id
        )
        expected = unk / len(text.replace(" ", ""))
        assert got["unk_char_frac", lang]["value"] == pytest.approx(expected, abs=0.02), lang
    assert got["premium", "amh_Ethi"]["flags"].startswith("unk_chars>")
    assert got["premium", "eng_Latn"]["flags"] == ""
    dropped = compute(ctx, "premium", bootstrap=0, unk_threshold=0.1, drop_unk=True)
    assert dropped["premium_mean", "ALL"]["n"] == 2
    assert dropped["premium_mean", "ALL"]["value"] == pytest.approx(
        np.mean([got["premium", x]["value"] for x in ("eng_Latn", "fra_Latn")])
    )


def test_bad_input_is_a_one_line_error(make_ctx: Callable[..., MetricContext]) -> None:
    ctx = make_ctx("cl100k_base", ["eng_Latn"])
    with pytest.raises(TokbenchError, match="pivot language 'xxx_Latn'"):
        compute(ctx, "premium", pivot="xxx_Latn")
    with pytest.raises(TokbenchError, match="unknown protocol"):
        compute(ctx, "premium", protocol="joined")
    with pytest.raises(TokbenchError, match="no split"):
        compute(ctx, "premium", protocol="sentence", split="test")
    with pytest.raises(TokbenchError, match="unknown metric 'premum'"):
        get_metric("premum")
    with pytest.raises(TokbenchError, match="not a valid int"):
        get_metric("premium").resolve_options({"bootstrap": "many"})
