"""Tables of reports/morphology/README.md from `tokbench run` result folders (see the README for the commands).

    python reports/morphology/tables.py --mmlu DIR --flores DIR [--suite DIR]

Prints markdown: %TR/%Pure on TurkishMMLU with Spearman correlations against the paper's values and
its TR-MMLU scores (Bayram et al. 2025), %TR/%Pure on the whole Turkish suite, and %L on FLORES.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from scipy.stats import spearmanr

# Bayram et al. (2025), Table: tokenizer -> (paper model, %TR, %Pure, TR-MMLU score); unique-type form.
PAPER = {
    "gemma3": ("gemma-2", 48.63, 37.05, 72.10),
    "llama3": ("Llama-3.1", 45.80, 30.91, 70.42),
    "qwen3": ("Qwen2.5", 40.33, 30.15, 61.68),
    "mistral_tekken": ("Mistral-Nemo", 45.27, 36.08, 46.89),
    "phi3": ("Phi-3.5", 43.93, 34.42, 29.37),
    "o200k_base": ("gpt-4o", 42.14, 28.68, 84.84),
}
TR_METRICS = ["tr.unique", "pure.unique", "tr.weighted", "pure.weighted"]


def load(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "results.parquet")


def wide(table: pd.DataFrame, lang: str = "tur_Latn") -> pd.DataFrame:
    t = table[table["language"] == lang]
    values = t.pivot_table(index="tokenizer", columns="metric", values="value")
    counts = t.pivot_table(index="tokenizer", columns="metric", values="n")
    values["types"] = counts["tr.unique"].astype(int)
    values["tokens"] = counts["tr.weighted"].astype(int)
    return values


def fmt(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"


def mmlu_tables(table: pd.DataFrame) -> str:
    w = wide(table)
    lines = [
        "| tokenizer | paper model | %TR | %Pure | %TR weighted | %Pure weighted | types | tokens "
        "| paper %TR | paper %Pure | TR-MMLU |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for tok, (model, p_tr, p_pure, score) in PAPER.items():
        r = w.loc[tok]
        lines.append(
            f"| {tok} | {model} | {fmt(r['tr.unique'])} | {fmt(r['pure.unique'])} | {fmt(r['tr.weighted'])} | "
            f"{fmt(r['pure.weighted'])} | {int(r['types']):,} | {int(r['tokens']):,} | {p_tr} | {p_pure} | {score} |"
        )
    paper = pd.DataFrame(PAPER, index=["model", "%TR", "%Pure", "score"]).T
    rows = [
        "",
        "Spearman rank correlation over the six tokenizers (n = 6; |rho| >= 0.886 is needed for p < 0.05):",
        "",
        "| ours | vs paper %TR | vs paper %Pure | vs TR-MMLU score |",
        "|---|---:|---:|---:|",
    ]
    toks = list(PAPER)
    for m in TR_METRICS:
        ours = w.loc[toks, m].astype(float).to_numpy()
        cells = []
        for col in ("%TR", "%Pure", "score"):
            res = spearmanr(ours, paper.loc[toks, col].astype(float).to_numpy())
            cells.append(f"{res.statistic:+.3f} (p={res.pvalue:.2f})")
        rows.append(f"| {m} | {' | '.join(cells)} |")
    for col in ("%TR", "%Pure"):
        res = spearmanr(paper.loc[toks, col].astype(float), paper.loc[toks, "score"].astype(float))
        rows.append(f"| paper {col} (reference) | | | {res.statistic:+.3f} (p={res.pvalue:.2f}) |")
    for ours_m, col in (("tr.unique", "%TR"), ("pure.unique", "%Pure")):
        diff = (w.loc[toks, ours_m].astype(float) - paper.loc[toks, col].astype(float)).abs()
        rows.append(
            f"\nMean |ours - paper| for {ours_m} vs paper {col}: {diff.mean():.2f} points (max {diff.max():.2f})."
        )
    rest = w.drop(index=toks, errors="ignore").sort_values("tr.unique", ascending=False)
    others = [
        "",
        "All other available tokenizers on the same text:",
        "",
        "| tokenizer | %TR | %Pure | %TR weighted | %Pure weighted | types | tokens |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for tok, r in rest.iterrows():
        others.append(
            f"| {tok} | {fmt(r['tr.unique'])} | {fmt(r['pure.unique'])} | {fmt(r['tr.weighted'])} | "
            f"{fmt(r['pure.weighted'])} | {int(r['types']):,} | {int(r['tokens']):,} |"
        )
    return "\n".join(lines + rows + others)


def suite_table(table: pd.DataFrame) -> str:
    lines = [
        "| tokenizer | corpus | %TR | %Pure | %TR weighted | %Pure weighted | types |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for corpus, t in table.groupby("corpus"):
        w = wide(t)
        for tok, r in w.sort_values("tr.unique", ascending=False).iterrows():
            lines.append(
                f"| {tok} | {corpus} | {fmt(r['tr.unique'])} | {fmt(r['pure.unique'])} | {fmt(r['tr.weighted'])} | "
                f"{fmt(r['pure.weighted'])} | {int(r['types']):,} |"
            )
    return "\n".join(lines)


def flores_table(table: pd.DataFrame, metric: str) -> str:
    t = table[table["metric"] == metric]
    w = t.pivot_table(index="tokenizer", columns="language", values="value")
    langs = [c for c in w.columns if c != "ALL"] + (["ALL"] if "ALL" in w.columns else [])
    w = w[langs].sort_values("ALL" if "ALL" in w.columns else langs[0], ascending=False)
    head = "| tokenizer | " + " | ".join(x.split("_")[0] if x != "ALL" else "mean" for x in langs) + " |"
    lines = [head, "|---|" + "---:|" * len(langs)]
    for tok, r in w.iterrows():
        lines.append(f"| {tok} | " + " | ".join(fmt(r[x], 1) for x in langs) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mmlu", type=Path)
    ap.add_argument("--suite", type=Path)
    ap.add_argument("--flores", type=Path)
    args = ap.parse_args()
    if args.mmlu:
        table = load(args.mmlu)
        table = table[table["corpus"].str.startswith("turkish_mmlu")]
        for corpus, t in table.groupby("corpus"):
            print(f"## TurkishMMLU ({corpus}, split {', '.join(sorted(set(t['split'])))})\n\n" + mmlu_tables(t) + "\n")
    if args.suite:
        print("## Turkish suite\n\n" + suite_table(load(args.suite)) + "\n")
    if args.flores:
        table = load(args.flores)
        for m in ("lex.unique", "lex.weighted", "lex_pure.unique", "lex_pure.weighted"):
            if m in set(table["metric"]):
                print(f"## {m} on FLORES-200 devtest\n\n" + flores_table(table, m) + "\n")


if __name__ == "__main__":
    main()
