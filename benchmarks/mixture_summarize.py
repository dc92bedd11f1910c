"""Summarise controlled-experiment rows as mean/sd log10 MSE tables in Markdown.

Usage: python benchmarks/mixture_summarize.py reports/mixture/controlled.json [more.json ...]
(writes controlled.md beside the first file)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd


def main(*paths: str) -> None:
    paths = paths or ("reports/mixture/controlled.json",)
    path = paths[0]
    df = pd.DataFrame([row for p in paths for row in json.loads(Path(p).read_text())])
    if "trainer" in df:  # rows of the SentencePiece arm: one table row per (setup, trainer)
        df["setup"] = df["setup"] + " " + df["trainer"].fillna("bytelevel")
    if "draw" in df:  # the paper's cycled training text gets rows of its own
        df["setup"] = df["setup"] + df["draw"].map(lambda d: " cycle" if d == "cycle" else "")
    cols = ["log10_mse_bytes", "log10_mse_pairs", "baseline_uniform", "baseline_random_simplex",
            "baseline_encoding_efficiency"]
    heads = ["ours, byte space", "ours, pair space", "uniform", "random simplex", "encoding efficiency"]
    if "log10_mse_bytes_vs_dirichlet" in df:  # rows scored against the training text's byte shares
        cols.insert(1, "log10_mse_bytes_vs_dirichlet")
        heads.insert(1, "byte space vs w (old score)")
    g = df.groupby(["setup", "sample_frac"])
    agg = g[cols].agg(["mean", "std"])
    table = pd.DataFrame({
        "setup": [setup for setup, _ in agg.index],
        "sample": [f"{frac:g}" for _, frac in agg.index],
        "MB (mean)": [f"{g.get_group(k).sample_bytes.mean() / 1e6:.2f}" for k in agg.index],
        "trials": [len(g.get_group(k)) for k in agg.index],
        **{h: [f"{m:.2f} ± {sd:.2f}" for m, sd in zip(agg[(c, "mean")], agg[(c, "std")], strict=True)]
           for c, h in zip(cols, heads, strict=True)},
    })
    md = Path(path).with_suffix(".md")
    md.write_text(
        f"# Controlled experiments: log10 MSE (mean ± sd over trials), {df.merges.min()}-{df.merges.max()} merges\n\n"
        + table.to_markdown(index=False, tablefmt="github", disable_numparse=True) + "\n"
    )
    print(md.read_text())


if __name__ == "__main__":
    main(*sys.argv[1:])
