"""Site helpers: what the numbers are computed on, footnotes."""

from __future__ import annotations

import pandas as pd

from tokbench.report.site import computed_on, footnotes


def test_computed_on_names_split_languages_and_units() -> None:
    rows = []
    for lang in ("eng_Latn", "tur_Latn"):
        rows.append({"tokenizer": "t", "corpus": "flores200", "split": "devtest", "language": lang,
                     "metric": "bytes_per_token", "value": 4.0, "n": 1012})
        rows.append({"tokenizer": "t", "corpus": "flores200", "split": "dev+devtest", "language": lang,
                     "metric": "ctc", "value": 9.0, "n": 2009})
        rows.append({"tokenizer": "t", "corpus": "flores200", "split": "devtest", "language": lang,
                     "metric": "renyi_efficiency", "value": 0.4, "n": 60000})
    rows.append({"tokenizer": "t", "corpus": "flores200", "split": "devtest", "language": "ALL",
                 "metric": "premium_mean", "value": 1.0, "n": 2})
    lines = computed_on(pd.DataFrame(rows))
    assert "flores200 · split dev+devtest · 2 languages · 2,009 text units per language: ctc" in lines
    assert "flores200 · split devtest · 2 languages · 1,012 text units per language: bytes_per_token" in lines
    assert "flores200 · split devtest · 2 languages: renyi_efficiency" in lines  # its n is not a text count


def test_footnotes_number_distinct_notes() -> None:
    numbers, listed = footnotes({"a": "x", "b": "", "c": "y", "d": "x"})
    assert numbers == {"a": 1, "c": 2, "d": 1}
    assert [(n["n"], n["tokenizers"]) for n in listed] == [(1, ["a", "d"]), (2, ["c"])]


def test_text_columns_are_prose_not_numbers() -> None:
    """Which columns the site left-aligns (and wraps when long): prose after the first two, never numbers, even
    numbers already formatted as strings."""
    import pandas as pd

    from tokbench.report.writer import _html_table, _text_columns

    df = pd.DataFrame({"tokenizer": ["a", "b"], "lang": ["x", "y"], "value": ["4.99 (22)", "0.65 [0.61, 0.70]"],
                       "pct": ["12.5%", "[-0.995, -0.896]"],
                       "verdict": ["ok", "warn"], "finding": ["a long sentence explaining what was found " * 2, "-"]})
    assert _text_columns(df) == ([5, 6], [6])
    html = _html_table(df, "t-x")
    assert html.startswith('<style>table[id="t-x"] td:nth-child(5)') and 'id="t-x"' in html
    assert _html_table(df[["tokenizer", "lang", "value"]], "t-y").startswith("<table")
