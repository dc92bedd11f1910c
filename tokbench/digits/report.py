"""The digits part of a report: one summary table and one figure from the tidy results table.

Registered as the report section `digit_probes` through the `tokbench.report_sections` entry point
(pyproject), so `tokbench report DIR` renders it for any results folder holding `digits.*` rows, with
tokenizers in leaderboard order; its figure (left: the modal chunk pattern of a 7-, 8- and 10-digit
number per tokenizer) is the one reports/digits/README.md shows. The pure functions `summary_table`
and `figure` are reusable by other report layouts; the family's columns are in tokbench.digits.columns.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tokbench.report.base import Section, register_section
from tokbench.report.plots import OKABE_ITO, RC, save

# summary column -> (metric, how to show it)
COLUMNS: dict[str, tuple[str, str]] = {
    "class": ("digits.chunk_class", "flags"),
    "patterns/length": ("digits.pattern_consistency", "f2"),
    "place-value aligned": ("digits.place_value_alignment", "pct"),
    "aligned with commas": ("digits.place_value_alignment.comma", "pct"),
    "misaligned, longer answer": ("digits.misalignment.plain.longer", "pct"),
    "misaligned, same length": ("digits.misalignment.plain.not_longer", "pct"),
    "misaligned with commas, longer": ("digits.misalignment.comma.longer", "pct"),
    "space merged": ("digits.space_merged", "pct"),
    "number tokens": ("digits.inventory", "int"),
    "bare": ("digits.inventory.bare", "int"),
    "with space": ("digits.inventory.space", "int"),
    "000-999 one token": ("digits.single_token.three_digit", "pct"),
    "' 000'-' 999' one token": ("digits.single_token.three_digit.space", "pct"),
    "0-999 one token": ("digits.single_token.0_999", "pct"),
}
EXAMPLE_LENGTHS = (7, 8, 10)  # the paper's addend/answer lengths, and one longer number


def _fmt(value: Any, how: str) -> str:
    if how == "flags":
        return str(value)
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if how == "pct":
        return f"{100 * float(value):.1f}%"
    if how == "int":
        return f"{int(value):,}"
    return f"{float(value):.2f}"


def summary_table(table: pd.DataFrame, formatted: bool = True, order: list[str] | None = None) -> pd.DataFrame:
    """One row per tokenizer with the family's headline numbers (and the modal cuts of EXAMPLE_LENGTHS);
    tokenizers in `order` first, in that order (the leaderboard's), the others by name."""
    d = table[table["metric"].str.startswith("digits.") & (table["language"] == "ALL")]
    rows = []
    for tok, g in d.groupby("tokenizer", sort=True):
        by = g.set_index("metric")
        row: dict[str, Any] = {"tokenizer": tok}
        for col, (metric, how) in COLUMNS.items():
            value = by.at[metric, "flags" if how == "flags" else "value"] if metric in by.index else None
            row[col] = _fmt(value, how) if formatted else value
        sig = _signature(table, str(tok))
        for n in EXAMPLE_LENGTHS:
            row[f"{n} digits"] = sig.get(n, "")
        rows.append(row)
    out = pd.DataFrame(rows)
    if order and len(out):
        rank = {t: i for i, t in enumerate(order)}
        out = out.sort_values("tokenizer", key=lambda c: c.map(lambda t: (rank.get(t, len(rank)), t)), kind="stable")
    return out.reset_index(drop=True)


def _signature(table: pd.DataFrame, tokenizer: str) -> dict[int, str]:
    """Modal pattern per length from digits.chunk_signature rows (`3-3-1`, `+n` when more patterns exist)."""
    s = table[(table["metric"] == "digits.chunk_signature") & (table["tokenizer"] == tokenizer)]
    out = {}
    for lang, value, flags in zip(s["language"], s["value"], s["flags"], strict=True):
        modal = str(flags).split(";", 1)[0].split(":", 1)[0]
        out[int(str(lang).removeprefix("len"))] = modal + (f" (+{int(value) - 1})" if value > 1 else "")
    return out


def figure(table: pd.DataFrame, order: list[str] | None = None) -> Any:
    """Left: how each tokenizer cuts a 7-, 8- and 10-digit number (modal pattern, one box per token);
    right: place-value alignment and operand-answer misalignment per tokenizer."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({k: v for k, v in RC.items() if not k.startswith("svg.")})
    summary = summary_table(table, formatted=False, order=order)
    toks = list(summary["tokenizer"])
    fig, (ax1, ax2) = plt.subplots(
        1, 2, figsize=(13, 0.32 * len(toks) + 1.6), gridspec_kw={"width_ratios": [1.5, 1]}, sharey=True
    )
    palette = (OKABE_ITO[4], OKABE_ITO[1])
    x0 = 0
    for n in EXAMPLE_LENGTHS:
        for y, tok in enumerate(toks):
            modal = _signature(table, tok).get(n, "")
            pattern = [int(g) for g in modal.split(" ", 1)[0].split("-") if g.isdigit()]
            x = x0
            for i, g in enumerate(pattern):
                ax1.barh(y, g, left=x, color=palette[i % 2], edgecolor="white", height=0.7)
                x += g
            if "(+" in modal:
                ax1.text(x0 + n + 0.2, y, "*", va="center", fontsize=9)
        ax1.text(x0 + n / 2, -1, f"{n} digits", ha="center", fontsize=9)
        x0 += n + 2
    ax1.set_yticks(range(len(toks)), toks, fontsize=8)
    ax1.set_xticks([])
    ax1.invert_yaxis()
    ax1.set_title("digits per token, bare number (* = more than one cut at this length)", fontsize=9)
    series = [
        ("place-value aligned", OKABE_ITO[2]),
        ("misaligned, longer answer", OKABE_ITO[5]),
        ("misaligned with commas, longer", OKABE_ITO[0]),
    ]
    h = 0.8 / len(series)
    for i, (col, color) in enumerate(series):
        vals = pd.to_numeric(summary[col], errors="coerce").fillna(0) * 100
        ax2.barh([y - 0.4 + h * (i + 0.5) for y in range(len(toks))], vals, height=h, color=color, label=col)
    ax2.set_xlim(0, 100)
    ax2.set_xlabel("% of numbers / problems")
    ax2.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=1, frameon=False)
    ax2.set_title("alignment (1-12 digits) and a+b=c misalignment (7-9 digit addends)", fontsize=9)
    fig.tight_layout()
    return fig


@register_section("digit_probes")
def digit_probes(ctx: Any) -> Section | None:
    if not ctx.table["metric"].str.startswith("digits.").any():
        return None
    order = ctx.leaderboard.tokenizers if getattr(ctx, "leaderboard", None) is not None else None
    return Section(
        title="Digit probes (chunk direction, place-value alignment, inventory)",
        text=(
            "Digit-direction probes from the tokenizer alone (Singh & Strouse 2024), definitions in "
            "`tokbench list metrics` (digits.*). Class: how bare digit strings of 1-30 digits are cut "
            "(left-to-right-3 = cl100k's 123|456|7). Place-value aligned: integers of 1-12 digits whose tokens "
            "respect the thousands groups. Misaligned: a+b=c problems (7-9 digit addends, plain digits) whose "
            "answer is cut at other place values than the longer addend, split by whether the answer is longer "
            "than both addends. Number tokens: vocabulary entries of only digits, with or without a leading "
            "space (the paper's count)."
        ),
        tables={"digit_probes": summary_table(ctx.table, order=order)},
        figures={"digit_probes": save(figure(ctx.table, order))},
        order=55,
        key="digit_probes",
    )
