"""Site-only helpers: what every number is computed on, tokenizer algorithms for the filter, notes as
footnotes. Kept out of writer.py so the report's Markdown and the site share data, not markup."""

from __future__ import annotations

from typing import Any

import pandas as pd

# per-language metrics whose row `n` counts text units (sentences / aligned units / articles)
UNIT_COUNTED = ("premium", "ctc", "unk_char_frac", "bytes_per_token", "chars_per_token", "fertility",
                "continued_words", "nsl", "unk_rate")
ALGORITHM_NAMES = {"bpe": "BPE", "unigram": "unigram", "wordpiece": "WordPiece", "byte": "bytes"}


def computed_on(table: pd.DataFrame) -> list[str]:
    """One line per (corpus, split, unit count): which metrics were measured on how much text."""
    d = table[(table["language"] != "ALL") & ~table["corpus"].isin(["mixture", "-"])]
    lines = []
    for (corpus, split), g in d.groupby(["corpus", "split"], sort=True):
        langs = g["language"].nunique()
        counted = g[g["metric"].isin(UNIT_COUNTED)]
        by_n: dict[str, list[str]] = {}
        for metric, m in counted.groupby("metric", sort=True):
            lo, hi = int(m["n"].min()), int(m["n"].max())
            by_n.setdefault(f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}", []).append(str(metric))
        other = sorted(set(g["metric"]) - set(counted["metric"]))
        for n, metrics in by_n.items():
            lines.append(f"{corpus} · split {split} · {langs} languages · {n} text units per language: "
                         f"{', '.join(metrics)}")
        if other:
            lines.append(f"{corpus} · split {split} · {langs} languages: {', '.join(other)}")
    if (table["corpus"] == "-").any():  # e.g. the digit probes: their "languages" are probe categories
        names = sorted({str(m).split(".")[0] for m in table.loc[table["corpus"] == "-", "metric"]})
        lines.append(f"no corpus ({', '.join(names)}): computed from the tokenizer alone, on generated probes")
    if (table["corpus"] == "mixture").any():
        lines.append("mixture: shares inferred from each tokenizer's merge list (tokbench mixture), not from a corpus")
    return lines


def algorithms(names: list[str], anatomy: dict[str, Any] | None = None) -> dict[str, str]:
    """Tokenizer -> 'BPE' / 'unigram' / 'WordPiece' from its manifest (or its anatomy), '' when unknown."""
    from tokbench.manifests import tokenizer_manifests

    manifests = tokenizer_manifests()
    out = {}
    for n in names:
        algo = manifests[n].algorithm if n in manifests else ((anatomy or {}).get(n) or {}).get("algorithm", "")
        out[n] = ALGORITHM_NAMES.get(str(algo), str(algo))
    return out


def footnotes(notes: dict[str, str]) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Distinct notes numbered in order of first use: tokenizer -> number, and the numbered list."""
    numbers: dict[str, int] = {}
    index: dict[str, int] = {}
    listed: list[dict[str, Any]] = []
    for tok, note in notes.items():
        if not note:
            continue
        if note not in index:
            index[note] = len(listed) + 1
            listed.append({"n": index[note], "text": note, "tokenizers": []})
        numbers[tok] = index[note]
        listed[index[note] - 1]["tokenizers"].append(tok)
    return numbers, listed
