"""The mixture family's report section: percent shares, intervals where the result has them, and what
each row describes when a tokenizer inherits another's merges (no data directory needed)."""

from __future__ import annotations

import json
from pathlib import Path

from tokbench.inspection.lineage import Relative, lineage_among, relative_json
from tokbench.mixture.report import inherited, mixture
from tokbench.mixture.report_rows import load_mixture, parse_solve, solve_flags
from tokbench.report.base import ReportContext

REAL = Path(__file__).resolve().parents[2] / "reports" / "mixture" / "real.json"


def _section(tmp_path: Path, doc: dict, n_langs: int) -> tuple[object, object]:
    (tmp_path / "m.json").write_text(json.dumps(doc), encoding="utf-8")
    sec = mixture(ReportContext(load_mixture([tmp_path / "m.json"]), {}, {}), n_langs=n_langs)
    assert sec is not None
    return sec, sec.tables["mixture_shares"].set_index("tokenizer")


def test_groups_languages_and_intervals_in_percent(tmp_path: Path) -> None:
    bw = {"eng_Latn": 0.4, "en:books": 0.1, "code:c": 0.2, "code:go": 0.1, "zho_Hans": 0.06,
          "jpn_Jpan": 0.1, "fra_Latn": 0.04}
    doc = {"results": {"a": {"byte_weights": bw, "merges_used": 300,
                             "ci95": {"byte_weights": {"jpn_Jpan": [0.08, 0.12]}},
                             "group_ci95": {"English": [0.45, 0.52], "code": [0.25, 0.33],
                                            "non-English": [0.15, 0.25]}},
                       "b": {"byte_weights": {"eng_Latn": 0.9, "code:c": 0.1}, "merges_used": 300}}}
    sec, t = _section(tmp_path, doc, n_langs=2)
    # English and code summed over their categories, all other languages, then the two largest alone
    assert list(t.columns) == ["merges solved", "English %", "code %", "other languages %", "jpn_Jpan %",
                               "zho_Hans %"]
    assert t.at["a", "English %"] == "50.0 [45.0, 52.0]" and t.at["a", "code %"] == "30.0 [25.0, 33.0]"
    assert t.at["a", "other languages %"] == "20.0 [15.0, 25.0]" and t.at["a", "zho_Hans %"] == "6.00"
    assert t.at["a", "jpn_Jpan %"] == "10.00 [8.00, 12.00]"  # a category's own interval where the result has it
    assert t.at["b", "English %"] == "90.0" and t.at["a", "merges solved"] == "1-300"
    assert "95% bootstrap intervals" in sec.text
    assert "outside its own interval" not in sec.text  # every point estimate lies inside its interval here


def test_point_estimates_outside_their_intervals_are_named(tmp_path: Path) -> None:
    bw = {"eng_Latn": 0.5, "code:c": 0.3, "fra_Latn": 0.2}
    doc = {"results": {"a": {"byte_weights": bw, "group_ci95": {"English": [0.41, 0.48], "code": [0.25, 0.33],
                                                                 "non-English": [0.21, 0.27]}}}}
    sec, t = _section(tmp_path, doc, n_langs=1)
    assert t.at["a", "English %"] == "50.0 [41.0, 48.0]"
    assert "The point estimate lies outside its own interval for a English, a other languages:" in sec.text


def test_language_cells_outside_their_intervals_are_counted(tmp_path: Path) -> None:
    bw = {"eng_Latn": 0.5, "code:c": 0.3, "fra_Latn": 0.2}
    doc = {"results": {"a": {"byte_weights": bw, "ci95": {"byte_weights": {"fra_Latn": [0.25, 0.3]}},
                             "group_ci95": {"English": [0.45, 0.55], "code": [0.25, 0.33],
                                            "non-English": [0.15, 0.25]}}}}
    sec, t = _section(tmp_path, doc, n_langs=1)
    assert t.at["a", "fra_Latn %"] == "20.00 [25.00, 30.00]"
    assert "The point estimate lies outside its own interval in 1 of the 1 language cells that have one:" in sec.text


def test_without_any_interval_says_so(tmp_path: Path) -> None:
    doc = {"results": {"a": {"byte_weights": {"eng_Latn": 0.7, "code:c": 0.2, "fra_Latn": 0.1}}}}
    sec, t = _section(tmp_path, doc, n_langs=1)
    assert t.loc["a"].tolist() == ["not recorded", "70.0", "20.0", "10.0", "10.00"]
    assert "no bootstrap intervals" in sec.text


def test_a_failed_solve_adds_no_rows(tmp_path: Path) -> None:
    doc = {"results": {"a": {"byte_weights": {"eng_Latn": 1.0}}, "x": {"error": "LP time limit"}}}
    (tmp_path / "m.json").write_text(json.dumps(doc), encoding="utf-8")
    assert set(load_mixture([tmp_path / "m.json"])["tokenizer"]) == {"a"}  # no invented zero shares for x


def test_lineage_among_and_its_round_trip_through_flags() -> None:
    base = [b"t%d" % i for i in range(2000)]
    seqs = {"base": base, "ext": base + [b"new%d" % i for i in range(500)],
            "shuffled": base[1000:] + base[:1000], "other": [b"o%d" % i for i in range(2000)]}
    lin = lineage_among(seqs, {"base": (0, 1000), "ext": (2000, 500), "shuffled": (0, 1000), "other": (0, 1000)})
    assert lin["ext"].parent is not None and lin["ext"].parent.name == "base"
    assert lin["shuffled"].parent is None and lin["other"].relatives == []
    rel = next(r for r in lin["shuffled"].relatives if r.name == "base")
    assert rel.overlap == 1.0 and rel.window_overlap == 0.0  # same tokens, but its first 1000 are base's last
    result = {"start_merge": 2000, "merges_used": 500, "lineage": [relative_json(r) for r in lin["ext"].relatives]}
    solve = parse_solve(solve_flags(result))
    assert (solve.start_merge, solve.merges_used) == (2000, 500)
    assert solve.parent is not None and solve.parent.tokenizer == "base" and solve.parent.window_overlap == 0.0


def test_rows_that_describe_another_list_say_so() -> None:
    ext = parse_solve(solve_flags({"start_merge": 100, "merges_used": 50, "lineage": [
        relative_json(Relative("base", 100, 100, 1.0, 0.0))]}))
    assert inherited(ext) is not None and inherited(ext)[0] == "base"
    close = parse_solve(solve_flags({"start_merge": 0, "merges_used": 50, "lineage": [
        relative_json(Relative("base", 3, 100, 0.99, 0.95))]}))
    assert inherited(close) is not None and "restate base's" in inherited(close)[1]
    loose = parse_solve(solve_flags({"start_merge": 0, "merges_used": 50, "lineage": [
        relative_json(Relative("big", 0, 100, 0.97, 0.68))]}))  # a big vocabulary holding a small one's tokens
    assert inherited(loose) is None


def test_real_results_llama3_is_its_extension_and_qwen3_restates_cl100k(tmp_path: Path) -> None:
    sec = mixture(ReportContext(load_mixture([REAL]), {}, {}))
    assert sec is not None
    t = sec.tables["mixture_shares"].set_index("tokenizer")
    assert t.at["llama3", "merges solved"] == "100,001-127,744"
    assert t.at["llama3", "describes"] == "the extension over cl100k_base"
    assert t.at["qwen3", "describes"] == "restates cl100k_base"
    # only those two: every other tokenizer describes its own merges (gemma3's 97.7% of mistral_v1's tokens
    # is a big vocabulary holding a small one's, not the same solved merges)
    assert set(t.index[t["describes"] != ""]) == {"llama3", "qwen3"}
    assert "qwen3 (merges 1-30,000): holds 98.9% of cl100k_base's tokens" in sec.text
    assert "llama3 (merges 100,001-127,744): extension over cl100k_base" in sec.text
    # the same numbers as the leaderboard columns, in percent
    # (with its 95% interval where real.json has one: "2.6 [0.0, 4.7]")
    assert t.at["llama3", "code %"].split(" [")[0] == "2.6" and t.at["qwen3", "English %"].split(" [")[0] == "27.9"
