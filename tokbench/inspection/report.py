"""The Markdown page and PNG of `tokbench inspect`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tokbench.io import atomic_write_bytes, atomic_write_text


def _plot(info: dict[str, Any]) -> bytes:
    """Stacked class shares by merge rank; matplotlib's object API (no pyplot: ~2 s less to import)."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.cm import tab20
    from matplotlib.figure import Figure

    br = info["by_rank"]
    edges = np.array(br["edges"])
    mids = (edges[:-1] + edges[1:]) / 2
    shares = np.array(br["shares"])
    fig = Figure(figsize=(9, 4.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.stackplot(mids, shares.T, labels=br["classes"], colors=tab20.colors[: len(br["classes"])])
    ax.set_xlabel("merge rank" if info["algorithm"] == "bpe" else "token id")
    ax.set_ylabel("share of tokens")
    ax.set_title(f"{info['name']}: token classes by rank")
    ax.set_ylim(0, 1)
    ax.legend(loc="center left", bbox_to_anchor=(1, 0.5), fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, dpi=110, format="png")
    return buf.getvalue()


def _lineage_lines(info: dict[str, Any]) -> list[str]:
    lines = []
    for r in info["lineage"]:
        if r["extends"]:
            lines.append(f"- lineage: extends {r['tokenizer']} (all {r['their_merges']:,} of its merges "
                         "first, in order): solve the mixture from there (`--start-merge auto`)")
        elif r["shared_merges"] >= 1000:
            lines.append(f"- lineage: shares the first {r['shared_merges']:,} merges of {r['tokenizer']} "
                         f"({r['their_merges']:,} merges)")
        else:
            lines.append(f"- lineage: holds {r['token_overlap']:.1%} of {r['tokenizer']}'s tokens "
                         "(in another merge order)")
    compared = info.get("lineage_compared", [])
    if not info["lineage"]:
        lines.append(f"- lineage: none of the {len(compared)} compared tokenizers shares its leading merges")
    if info.get("lineage_mode") == "cached":
        lines.append(f"- lineage compared with {len(compared)} registered tokenizer(s) already fingerprinted "
                     "(`--lineage all` compares with every registered BPE tokenizer once, then it is cached)")
    return lines


def write_report(info: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Markdown summary + PNG of class shares by merge rank; returns their paths."""
    png = out_dir / f"{info['name']}_by_rank.png"
    atomic_write_bytes(png, _plot(info))
    lines = [f"# {info['name']}", "", f"- algorithm: {info['algorithm']}", f"- vocab size: {info['vocab_size']:,}"]
    if "merges" in info:
        lines.append(f"- merges: {info['merges']:,} ({info['merges_one_per_token']:,} creating a new token)")
    if "lineage" in info:
        lines += _lineage_lines(info)
    lines += ["", "## Token classes", "", "| class | share |", "|---|---|"]
    lines += [f"| {k} | {v:.3f} |" for k, v in list(info["class_shares"].items())[:15]]
    lines += ["", f"![classes by rank]({png.name})", "", "## Longest tokens", ""]
    lines += [f"- `{t!r}`" for t in info["longest_tokens"]]
    if "never_produced" in info:
        npd = info["never_produced"]
        lines += ["", "## Never produced on the registered corpora", "",
                  f"{npd['count']:,} tokens never appear when encoding {npd['documents']:,} documents of "
                  f"{', '.join(npd['corpora']) or '(no corpus available)'} (under-trained candidates); longest:", ""]
        lines += [f"- `{t!r}`" for t in npd["examples"]]
    else:
        lines += ["", "(never-produced tokens: not computed; `--never-produced` encodes the default corpora)"]
    if "mixture" in info:
        mx = info["mixture"]
        lines += ["", "## Mixture estimate", "", f"{mx['merges_used']:,} merges from #{mx['start_merge']}", "",
                  "| category | byte share | pair share |", "|---|---|---|"]
        for k in sorted(mx["byte_weights"], key=lambda k: -mx["byte_weights"][k]):
            lines.append(f"| {k} | {mx['byte_weights'][k]:.4f} | {mx['weights'][k]:.4f} |")
    md = out_dir / f"{info['name']}.md"
    atomic_write_text(md, "\n".join(lines) + "\n")
    return md, png
