"""The report on a real small run: honest ranking, screens, aliases, tables, determinism, CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from tokbench.cli import main
from tokbench.errors import TokbenchError
from tokbench.report import REPORT_SECTIONS, Section, write_report
from tokbench.report.leaderboard import build_leaderboard
from tokbench.results import read_results


def test_ranked_by_total_tokens_on_all_languages_among_full_coverage(small_run: Path) -> None:
    table, prov = read_results(small_run)
    lb = build_leaderboard(table, prov)
    # BERT maps Amharic and Burmese to UNK (Petrov et al.'s 10% screen): listed, not ranked
    assert lb.others == ["bert_base_uncased"]
    assert "bert_base_uncased" not in lb.ranked and lb.tokenizers[-1] == "bert_base_uncased"
    ctc = table[(table.metric == "ctc") & (table.language != "ALL")]
    expected = ctc.groupby("tokenizer")["value"].sum()
    key = lb.rank.key
    for tok in lb.tokenizers:
        assert lb.value(tok, key) == expected[tok]
    values = [lb.value(t, key) for t in lb.ranked]
    assert values == sorted(values)
    # the total's interval is the ctc ALL row's: one resample of aligned units shared by all languages
    agg = table[(table.metric == "ctc") & (table.language == "ALL")].set_index("tokenizer")
    for tok in lb.ranked:
        assert agg.at[tok, "value"] == expected[tok]
        assert lb.values.at[tok, key + ":lo"] == agg.at[tok, "ci_low"] < expected[tok] < agg.at[tok, "ci_high"]
    # rank ranges are paired: each tokenizer ranked within every shared resample of the same articles
    assert lb.paired_ranks
    reps = table[table.metric == "ctc.resample"].pivot_table(index="split", columns="tokenizer", values="value")
    assert len(reps) == 1000 and (reps["o200k_base"] < reps["cl100k_base"]).all()
    assert lb.ranks["o200k_base"][1] < lb.ranks["cl100k_base"][0]


def test_unk_screen_keeps_the_unscreened_value_and_coverage(small_run: Path) -> None:
    table, prov = read_results(small_run)
    lb = build_leaderboard(table, prov)
    prem = table[(table.metric == "premium") & (table.tokenizer == "bert_base_uncased")].set_index("language")["value"]
    cov = lb.column("coverage")
    assert lb.value("bert_base_uncased", cov.key) == 4 and lb.value("cl100k_base", cov.key) == 6
    screened = prem.drop(["amh_Ethi", "mya_Mymr"]).mean()
    assert lb.value("bert_base_uncased", lb.column("premium_mean").key) == pytest.approx(screened)
    assert lb.value("bert_base_uncased", lb.column("premium_mean_all").key) == pytest.approx(prem.mean())
    # screened mean != metric's own aggregate, so no CI is claimed for it
    assert math.isnan(lb.values.at["bert_base_uncased", lb.column("premium_mean").key + ":lo"])
    # nothing screened for cl100k: its aggregate is the metric's own, with the bootstrap CI
    own = table[(table.metric == "premium_mean") & (table.tokenizer == "cl100k_base")].iloc[0]
    assert lb.values.at["cl100k_base", lb.column("premium_mean").key + ":lo"] == own["ci_low"]


def test_aliases_fold_and_identical_encodings_are_marked(small_run: Path) -> None:
    table, prov = read_results(small_run)
    lb = build_leaderboard(table, prov)
    assert "bert_base_uncased" in lb.tokenizers and "bert_base_uncased_vocab" not in lb.tokenizers
    assert lb.identity.aliases["bert_base_uncased"] == ["bert_base_uncased_vocab"]
    # p50k and r50k differ (24 more ids: vocabulary use differs) but give the same tokens here
    assert "p50k_base" in lb.tokenizers and "r50k_base" in lb.tokenizers
    assert lb.identity.same_encoding["p50k_base"] == ["r50k_base"]
    assert "encodes this text exactly as r50k_base" in lb.identity.note("p50k_base")


def test_pivot_named_in_every_premium_header_and_tables_parse(small_report: Path) -> None:
    md = (small_report / "report.md").read_text(encoding="utf-8")
    header = next(line for line in md.splitlines() if line.startswith("| #"))
    premium_cols = [c for c in header.split(" | ") if "premium" in c]
    assert premium_cols and all("vs eng_Latn" in c for c in premium_cols)
    for block in md.split("\n\n"):  # every Markdown table row has as many cells as its header
        rows = [r for r in block.splitlines() if r.startswith("|")]
        if rows:
            counts = {len(r.replace("\\|", "").split("|")) for r in rows}
            assert len(counts) == 1, block[:200]
    assert "log\\|V\\|" in md  # the unit's pipe is escaped, not a cell border
    lb = pd.read_csv(small_report / "tables" / "leaderboard.csv")
    ranked = lb[lb["ranked"]]
    assert list(ranked["rank"]) == sorted(ranked["rank"]) and ranked["rank"].iloc[0] == 1
    assert lb[~lb["ranked"]]["rank"].isna().all() and list(lb["ranked"]) == sorted(lb["ranked"], reverse=True)
    assert lb.set_index("tokenizer").at["bert_base_uncased", "not_ranked_because"].startswith("represents 4 of 6")
    tex = (small_report / "tables" / "leaderboard.tex").read_text(encoding="utf-8")
    assert "\\toprule" in tex and "\\midrule" in tex and "\\bottomrule" in tex
    for stem in ("premium_by_language_udhr", "bytes_per_token_by_language_udhr"):
        for ext in ("csv", "md", "tex"):
            assert (small_report / "tables" / f"{stem}.{ext}").is_file()
    detail = pd.read_csv(small_report / "tables" / "premium_by_language_udhr.csv").set_index("language")
    assert detail.loc["eng_Latn"].dropna().eq(1.0).all()  # the pivot's own premium


def test_plots_and_pages_are_written(small_report: Path) -> None:
    for name in ("premium_heatmap_udhr", "premium_distribution_udhr", "bpt_vs_vocab_udhr"):
        assert (small_report / "plots" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        svg = (small_report / "plots" / f"{name}.svg").read_text(encoding="utf-8")
        assert "<dc:date>" not in svg
    html = (small_report / "index.html").read_text(encoding="utf-8")
    assert "premium vs eng_Latn" in html and "Tablesort" in html and "http://" not in html.split("<script>")[0]
    assert (small_report / "languages.html").is_file()
    assert (small_report / "tokenizers" / "cl100k_base.html").is_file()


def test_same_results_give_byte_identical_outputs(small_run: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert main(["report", str(small_run), "--quiet", "--out", str(out)]) == 0
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_parquet_is_byte_identical_when_recomputed(tmp_path: Path) -> None:
    args = ["run", "--quiet", "--corpora", "udhr", "--tokenizers", "cl100k_base", "--metrics", "ctc",
            "--langs", "eng_Latn", "tur_Latn"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    assert (tmp_path / "a" / "results.parquet").read_bytes() == (tmp_path / "b" / "results.parquet").read_bytes()


def test_third_party_section_is_included(small_run: Path, tmp_path: Path) -> None:
    REPORT_SECTIONS.add("test_extra", lambda ctx: Section("Extra", text=f"{len(ctx.table)} rows", order=99))
    try:
        path = write_report(*read_results(small_run), tmp_path)
        assert "## Extra" in path.read_text(encoding="utf-8")
        assert "Extra" in (tmp_path / "index.html").read_text(encoding="utf-8")
    finally:
        REPORT_SECTIONS._items.pop("test_extra")


def test_compare_runs_shows_per_tokenizer_differences(small_run: Path, tmp_path: Path) -> None:
    table, prov = read_results(small_run)
    b = table.copy()
    sel = (b.metric == "ctc") & (b.tokenizer == "cl100k_base") & (b.language == "tur_Latn")
    b.loc[sel, "value"] += 100
    (tmp_path / "b").mkdir()
    doc = {"provenance": prov, "columns": list(b.columns), "rows": json.loads(b.to_json(orient="records"))}
    (tmp_path / "b" / "results.json").write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["report", str(small_run), "--results", str(tmp_path / "b" / "results.json"), "--quiet",
                 "--out", str(out)]) == 0
    diff = pd.read_csv(out / "tables" / "compare_b.csv", dtype=str).set_index("tokenizer")
    col = next(c for c in diff.columns if c.startswith("corpus tokens, all") and c.endswith(": difference"))
    assert diff.loc["cl100k_base", col] == "+100"
    assert diff.loc["o200k_base", col] == "+0"
    assert (out / "compare.html").is_file()


def test_empty_results_and_bad_input_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(TokbenchError, match="empty"):
        write_report(pd.DataFrame(columns=["tokenizer", "corpus", "metric", "language", "value"]), {}, tmp_path)
    assert main(["report", str(tmp_path / "nothing")]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text('{"x": 1}', encoding="utf-8")
    capsys.readouterr()
    assert main(["report", str(tmp_path / "nothing"), "--mixture", str(bad)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def _report_in_child(*argv: str) -> None:
    """`tokbench report` in its own process: --inspect builds the tokenizers' anatomies in memory (~0.8 GB at
    its peak for six), which in the test process would sit on top of everything the suite has loaded so far."""
    import os
    import subprocess
    import sys

    code = "import sys; from tokbench.cli import main; sys.exit(main(sys.argv[1:]))"
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, env=dict(os.environ),
                          timeout=1800)
    assert done.returncode == 0, done.stderr


def test_tokenizer_pages_carry_the_anatomy_and_reuse_its_cache(tmp_path: Path) -> None:
    # two tokenizers, not small_run's six: --inspect loads and checks every tokenizer of the report (~7 s each)
    run = tmp_path / "run"
    assert main(["run", "--quiet", "--corpora", "udhr", "--tokenizers", "p50k_base", "r50k_base", "--metrics", "ctc",
                 "--langs", "eng_Latn", "tur_Latn", "--out", str(run)]) == 0
    out = tmp_path / "site"
    _report_in_child("report", str(run), "--quiet", "--inspect", "--out", str(out))
    page = (out / "tokenizers" / "p50k_base.html").read_text(encoding="utf-8")
    assert "vocabulary size: 50,281" in page and "Never produced" in page
    assert "r50k_base" in page.split("Anatomy")[1]  # lineage: p50k_base builds on r50k_base's merges
    assert (out / "tokenizers" / "p50k_base_by_rank.png").read_bytes()[:4] == b"\x89PNG"
    cached = json.loads((out / "tokenizers" / "p50k_base.inspect.json").read_text(encoding="utf-8"))
    assert cached["info"]["vocab_size"] == 50281
    first = {p.name: p.read_bytes() for p in (out / "tokenizers").glob("*.html")}
    _report_in_child("report", str(run), "--quiet", "--inspect", "--out", str(out))  # from the cache
    assert first == {p.name: p.read_bytes() for p in (out / "tokenizers").glob("*.html")}
