"""Leaderboard hooks and ranking rules on small hand-made tables (no data directory needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tokbench.mixture.report_rows import category_group, group_shares, load_mixture
from tokbench.report import LEADERBOARD_COLUMNS, Column, register_column
from tokbench.report.leaderboard import build_leaderboard
from tokbench.results import COLUMNS


def row(tok: str, metric: str, lang: str, value: float, corpus: str = "par", unit: str = "", n: int = 10) -> dict:
    return {"tokenizer": tok, "corpus": corpus, "split": "s", "language": lang, "metric": metric, "value": value,
            "unit": unit, "ci_low": float("nan"), "ci_high": float("nan"), "n": n, "flags": ""}


def parallel_table(counts: dict[str, dict[str, float]], unk: dict[str, dict[str, float]] | None = None) -> pd.DataFrame:
    """ctc, premium (vs eng_Latn) and unk_char_frac rows from token counts per tokenizer and language."""
    rows = []
    for tok, c in counts.items():
        for lang, v in c.items():
            rows.append(row(tok, "ctc", lang, v))
            rows.append(row(tok, "premium", lang, v / c["eng_Latn"]))
            rows.append(row(tok, "unk_char_frac", lang, (unk or {}).get(tok, {}).get(lang, 0.0)))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def test_a_tokenizer_poor_at_the_pivot_does_not_rank_first() -> None:
    # 'toy' spends 3x the tokens on English, so its premiums look fair (mean 1.33 vs 2.0) while it costs
    # more tokens on every language: the absolute cost ranks it last
    t = parallel_table({"big": {"eng_Latn": 100, "tur_Latn": 200, "mya_Mymr": 500},
                        "toy": {"eng_Latn": 300, "tur_Latn": 400, "mya_Mymr": 600}})
    lb = build_leaderboard(t, {})
    assert lb.tokenizers == ["big", "toy"]
    prem = lb.column("premium_mean").key
    assert lb.value("toy", prem) < lb.value("big", prem)
    assert lb.value("big", lb.rank.key) == 800 and lb.value("toy", lb.rank.key) == 1300


def test_a_tokenizer_missing_a_language_is_listed_not_ranked() -> None:
    # 'unky' maps Burmese to UNK: 20 tokens make its total the smallest (330 < 800), yet it is not ranked
    t = parallel_table({"a": {"eng_Latn": 100, "tur_Latn": 200, "mya_Mymr": 500},
                        "unky": {"eng_Latn": 100, "tur_Latn": 210, "mya_Mymr": 20}},
                       unk={"unky": {"mya_Mymr": 0.9}})
    lb = build_leaderboard(t, {})
    assert lb.ranked == ["a"] and lb.others == ["unky"]
    assert lb.tokenizers == ["a", "unky"]  # never interleaved: the ranked table first
    assert lb.value("unky", lb.column("tokens_all").key) == 330
    assert lb.value("unky", lb.column("coverage").key) == 2
    assert "represents 2 of 3 languages" in lb.note("unky") and "mya_Mymr" in lb.note("unky")
    assert lb.rank_text("unky") == "–"


def test_a_lossy_tokenizer_is_listed_not_ranked_and_says_what_it_loses() -> None:
    t = parallel_table({"a": {"eng_Latn": 100, "tur_Latn": 200}, "lower": {"eng_Latn": 90, "tur_Latn": 150}})
    rt = [row("a", "roundtrip.exact_normalized", "ALL", 1.0), row("lower", "roundtrip.exact_normalized", "ALL", 0.25),
          row("lower", "roundtrip.changes.case", "ALL", 0.7), row("lower", "roundtrip.changes.accents", "ALL", 0.05)]
    lb = build_leaderboard(pd.concat([t, pd.DataFrame(rt, columns=list(COLUMNS))], ignore_index=True), {})
    assert lb.ranked == ["a"] and lb.others == ["lower"]
    note = lb.note("lower")
    assert "25.0% of sentences round-trip" in note and "case 70%" in note and "accents 5%" in note


def test_the_ranked_set_does_not_depend_on_the_pool() -> None:
    counts = {"a": {"eng_Latn": 100, "tur_Latn": 200, "mya_Mymr": 500},
              "b": {"eng_Latn": 110, "tur_Latn": 190, "mya_Mymr": 400},
              "c": {"eng_Latn": 120, "tur_Latn": 300, "mya_Mymr": 900}}
    unk = {"partial": {"mya_Mymr": 0.5}}
    full = build_leaderboard(parallel_table({**counts, "partial": {"eng_Latn": 1, "tur_Latn": 1, "mya_Mymr": 1}},
                                            unk), {})
    for drop in ("a", "b", "c", "partial"):
        sub = build_leaderboard(parallel_table({k: v for k, v in {**counts, "partial": {
            "eng_Latn": 1, "tur_Latn": 1, "mya_Mymr": 1}}.items() if k != drop}, unk), {})
        assert sub.ranked == [t for t in full.ranked if t != drop]
        # the ranking number of a tokenizer is its own: all languages, whatever the pool
        for tok in sub.ranked:
            assert sub.value(tok, sub.rank.key) == full.value(tok, full.rank.key)


def test_equal_totals_share_a_rank_and_overlapping_intervals_give_a_range() -> None:
    t = parallel_table({"a": {"eng_Latn": 100, "tur_Latn": 200}, "a2": {"eng_Latn": 100, "tur_Latn": 200},
                        "b": {"eng_Latn": 101, "tur_Latn": 201}, "c": {"eng_Latn": 150, "tur_Latn": 300}})
    ci = {"a": (290, 310), "a2": (290, 310), "b": (295, 312), "c": (440, 460)}
    t = pd.concat([t, pd.DataFrame([{**row(k, "ctc", "ALL", sum(v for v in t[(t.tokenizer == k) & (t.metric == "ctc")][
        "value"])), "ci_low": lo, "ci_high": hi} for k, (lo, hi) in ci.items()], columns=list(COLUMNS))])
    lb = build_leaderboard(t, {})
    assert lb.values.at["a", lb.rank.key + ":lo"] == 290  # the shared-resample interval of the ALL row
    # a and a2 tie (competition ranking: if b beats them both, they share rank 2); b could be first or third
    assert lb.rank_text("a") == lb.rank_text("a2") == "1–2"
    assert lb.rank_text("b") == "1–3" and lb.rank_text("c") == "4"
    assert "shares its rank with a2" in lb.note("a")


def test_family_columns_appear_only_with_their_results() -> None:
    base = parallel_table({"a": {"eng_Latn": 100, "tur_Latn": 200}, "b": {"eng_Latn": 90, "tur_Latn": 250}})
    lb = build_leaderboard(base, {})
    assert lb.column("tr.weighted") is None and lb.column("digits.place_value_alignment") is None
    extra = pd.DataFrame([
        row("a", "tr.weighted", "tur_Latn", 0.42, corpus="turkish", unit="share of tokens"),
        row("b", "tr.weighted", "tur_Latn", 0.31, corpus="turkish", unit="share of tokens"),
        row("a", "digits.place_value_alignment", "ALL", 87.5, corpus="numbers", unit="percent"),
    ], columns=list(COLUMNS))
    lb = build_leaderboard(pd.concat([base, extra], ignore_index=True), {})
    tr = lb.column("tr.weighted")
    assert tr is not None and tr.header == "%TR (weighted) (%) @turkish ↑"
    assert lb.value("a", tr.key) == pytest.approx(42.0)  # a share becomes percent
    dg = lb.column("digits.place_value_alignment")
    assert lb.value("a", dg.key) == pytest.approx(87.5)  # already percent: unchanged
    assert pd.isna(lb.value("b", dg.key))


def test_a_plugin_column_needs_no_edit_to_the_core() -> None:
    col = register_column(Column("test.col", "test.metric", "my metric", "widgets", True, summary="ALL"))
    try:
        t = parallel_table({"a": {"eng_Latn": 100, "tur_Latn": 200}})
        t = pd.concat([t, pd.DataFrame([row("a", "test.metric", "ALL", 3.0)], columns=list(COLUMNS))])
        lb = build_leaderboard(t, {})
        c = lb.column("test.col")
        assert c is not None and c.header == "my metric (widgets) ↑" and lb.value("a", c.key) == 3.0
        assert "my metric (widgets) ↑" in lb.display().columns
    finally:
        LEADERBOARD_COLUMNS._items.pop(col.key)


def test_mixture_results_of_both_formats(tmp_path: Path) -> None:
    one = {"tokenizer": "a", "byte_weights": {"eng_Latn": 0.5, "en:books": 0.1, "code:python": 0.25,
                                              "fra_Latn": 0.15}, "merges_used": 100,
           "ci95": {"byte_weights": {"eng_Latn": [0.4, 0.6]}}}
    many = {"categories": ["tur_Latn", "code:c"], "results": {"b": {"byte_weights": {"tur_Latn": 0.7, "code:c": 0.3}}}}
    (tmp_path / "one.json").write_text(json.dumps(one), encoding="utf-8")
    (tmp_path / "many.json").write_text(json.dumps(many), encoding="utf-8")
    rows = load_mixture([tmp_path / "one.json", tmp_path / "many.json"])
    shares = rows[rows.language == "ALL"].pivot(index="tokenizer", columns="metric", values="value")
    assert shares.loc["a", "mixture.code_share"] == pytest.approx(0.25)
    assert shares.loc["a", "mixture.english_share"] == pytest.approx(0.6)
    assert shares.loc["a", "mixture.non_english_share"] == pytest.approx(0.15)
    assert shares.loc["b", "mixture.non_english_share"] == pytest.approx(0.7)
    ci = rows[(rows.tokenizer == "a") & (rows.language == "eng_Latn")].iloc[0]
    assert (ci.ci_low, ci.ci_high) == (0.4, 0.6)
    assert [category_group(c) for c in ("code:go", "en:docs", "eng_Latn", "zho_Hans", "other")] == [
        "code", "English", "English", "non-English", "other"]
    t = parallel_table({"a": {"eng_Latn": 100, "tur_Latn": 200}})
    lb = build_leaderboard(pd.concat([t, rows], ignore_index=True), {})
    assert lb.tokenizers == ["a"]  # a mixture result alone adds no row
    assert lb.value("a", lb.column("mixture.code_share").key) == pytest.approx(25.0)


def test_group_shares_take_their_interval_from_the_replicates(tmp_path: Path) -> None:
    names = ["eng_Latn", "code:c", "code:go", "fra_Latn"]
    # two code languages trade weight between replicates: each one's interval is wide, their sum's is not
    reps = np.array([[0.5, 0.3, 0.1, 0.1], [0.5, 0.1, 0.3, 0.1], [0.5, 0.2, 0.2, 0.1]])
    g = group_shares(dict(zip(names, reps[2], strict=True)), reps, names)
    assert g["code"][0] == pytest.approx(0.4)
    assert g["code"][1:] == pytest.approx((0.4, 0.4))
    assert g["English"] == pytest.approx((0.5, 0.5, 0.5)) and g["non-English"][0] == pytest.approx(0.1)
    assert all(np.isnan(x) for x in group_shares({"code:c": 1.0})["code"][1:])
    doc = {"results": {"a": {"byte_weights": dict(zip(names, reps[2], strict=True)),
                             "group_ci95": {k: [v[1], v[2]] for k, v in g.items()}}}}
    (tmp_path / "m.json").write_text(json.dumps(doc), encoding="utf-8")
    rows = load_mixture([tmp_path / "m.json"])
    code = rows[rows.metric == "mixture.code_share"].iloc[0]
    assert (code.value, code.ci_low, code.ci_high) == pytest.approx((0.4, 0.4, 0.4))


def test_few_equal_numbers_do_not_make_two_tokenizers_one() -> None:
    # digit probes alone agree for many different tokenizers: no token counts or |V|, no folding
    t = pd.DataFrame([row(tok, "digits.place_value_alignment", "ALL", 0.5, unit="fraction of numbers")
                      for tok in ("a", "b")], columns=list(COLUMNS))
    assert build_leaderboard(t, {}).tokenizers == ["a", "b"]
    # with token counts and vocabulary use identical too, they are one tokenizer under two names
    more = [row(tok, m, lang, v) for tok in ("a", "b") for m, lang, v in
            (("ctc", "eng_Latn", 10.0), ("vocab_utilisation", "ALL", 0.1))]
    lb = build_leaderboard(pd.concat([t, pd.DataFrame(more, columns=list(COLUMNS))]), {})
    assert lb.tokenizers == ["a"] and lb.identity.aliases["a"] == ["b"]


def test_partial_coverage_is_said_in_the_notes() -> None:
    t = parallel_table({"a": {"eng_Latn": 100, "tur_Latn": 200, "mya_Mymr": 500},
                        "unky": {"eng_Latn": 100, "tur_Latn": 190, "mya_Mymr": 20}},
                       unk={"unky": {"mya_Mymr": 0.9}})
    lb = build_leaderboard(t, {})
    assert lb.tokenizers == ["a", "unky"]  # 'unky' is cheaper in total only because it maps Burmese to UNK
    assert "represents 2 of 3 languages" in lb.note("unky") and lb.note("a") == ""
    assert "round trip was not measured" in lb.rule()  # said once, not on every row



def test_rank_ranges_come_from_the_shared_resamples_when_the_run_kept_them() -> None:
    # per-resample totals: 'b' is above 'a' in every resample although their marginal intervals overlap
    # (sentence lengths vary a lot, both totals move together); 'c' crosses 'b' in 10% of resamples
    rng = np.random.default_rng(0)
    level = rng.uniform(250, 350, 100)
    reps = {"a": level, "b": level + 5, "c": level + 5 + np.where(np.arange(100) < 10, -1, 3)}
    t = parallel_table({"a": {"eng_Latn": 100, "tur_Latn": 200}, "b": {"eng_Latn": 102, "tur_Latn": 203},
                        "c": {"eng_Latn": 104, "tur_Latn": 204}})
    extra = []
    for tok, r in reps.items():
        total = float(t[(t.tokenizer == tok) & (t.metric == "ctc")]["value"].sum())
        extra.append({**row(tok, "ctc", "ALL", total), "ci_low": float(np.quantile(r, 0.025)),
                      "ci_high": float(np.quantile(r, 0.975))})
        extra += [row(tok, "ctc.resample", "ALL", float(v)) | {"split": f"s#b{k:04d}"} for k, v in enumerate(r)]
    t = pd.concat([t, pd.DataFrame(extra, columns=list(COLUMNS))], ignore_index=True)
    lb = build_leaderboard(t, {})
    assert lb.paired_ranks
    assert lb.rank_text("a") == "1" and lb.rank_text("b") == "2–3" and lb.rank_text("c") == "2–3"
    assert "in 95% of the shared resamples" in lb.note("b")
    # without the replicates only the overlapping intervals are left: every rank is uncertain
    lb2 = build_leaderboard(t[t.metric != "ctc.resample"], {})
    assert not lb2.paired_ranks and lb2.rank_text("a") == "1–3"
