"""MorphScore in the morphology section: per tokenizer x language with the bootstrap CI, and a summary beside
%L and the premium over the same languages."""

from __future__ import annotations

import pandas as pd

from tokbench.morphology.report import morphology, morphscore_tables
from tokbench.report.base import ReportContext


def _row(tok: str, metric: str, lang: str, value: float, corpus: str = "-", lo: float | None = None,
         hi: float | None = None, n: int = 0, flags: str = "") -> dict:
    return {"tokenizer": tok, "corpus": corpus, "split": "-" if corpus == "-" else "devtest", "language": lang,
            "metric": metric, "value": value, "unit": "", "ci_low": lo, "ci_high": hi, "n": n, "flags": flags}


def _table() -> pd.DataFrame:
    rows = [
        _row("a", "morphscore", "tur_Latn", 0.5, lo=0.45, hi=0.55, n=1000, flags="one_token=200;empty_rest=0"),
        _row("a", "morphscore", "eng_Latn", 0.3, lo=0.25, hi=0.35, n=800, flags="one_token=1000;empty_rest=0"),
        _row("b", "morphscore", "tur_Latn", 0.7, lo=0.65, hi=0.75, n=1100, flags="one_token=100;empty_rest=0"),
        _row("a", "premium", "tur_Latn", 2.0, corpus="flores200"), _row("a", "premium", "eng_Latn", 1.0,
                                                                         corpus="flores200"),
        _row("a", "premium", "deu_Latn", 9.0, corpus="flores200"),  # not a MorphScore language here: not averaged
        _row("a", "lex.weighted", "ALL", 55.0, corpus="flores200"),
    ]
    t = pd.DataFrame(rows)
    t["flags"] = t["flags"].fillna("")
    return t


def test_morphscore_tables() -> None:
    t = _table()
    ctx = ReportContext(t, {}, {}, None)
    out = morphscore_tables(ctx, t[t["metric"] == "morphscore"])
    s = out["morphscore_summary"].set_index("tokenizer")
    assert s.loc["a", "MorphScore, mean over languages"] == "0.400" and s.loc["a", "languages"] == 2
    assert s.loc["a", "words scored"] == "1,800" and s.loc["a", "excluded (one token)"] == "1,200"
    assert s.loc["a", "premium, mean over these languages"] == "1.50 (2)"
    assert s.loc["a", "%L weighted (macro)"] == "55.0" and s.loc["b", "%L weighted (macro)"] == "–"
    assert s.loc["a", "lowest"] == "english 0.300" and s.loc["b", "highest"] == "turkish 0.700"
    wide = out["morphscore_by_language"].set_index("language")
    assert wide.loc["turkish (tur_Latn)", "b"] == "0.700 [0.650, 0.750]"
    assert wide.loc["english (eng_Latn)", "b"] == "–"
    assert len(out["morphscore_long"]) == 3


def test_section_with_morphscore_only() -> None:
    t = _table()
    t = t[t["metric"] != "lex.weighted"]
    sec = morphology(ReportContext(t, {}, {}, None))
    assert sec is not None and set(sec.tables) == {"morphscore_summary", "morphscore_by_language"}
    assert "MorphScore (Arnett & Bergen 2024), 2 languages" in sec.text
