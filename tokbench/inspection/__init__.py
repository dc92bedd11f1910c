"""`tokbench inspect`: what a tokenizer's vocabulary and merge order say about it.

Algorithm and sizes, which scripts (and digits, whitespace, punctuation) the vocabulary spends
its merges on and in what order, the longest tokens, lineage against registered tokenizers,
tokens never produced on the registered corpora (candidates for under-trained embeddings), and
optionally the data-mixture estimate. Writes Markdown and a PNG.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from tokbench.errors import TokbenchError

CLASSES_FIXED = ("whitespace", "digit", "punctuation", "bytes")
DEFAULT_CORPORA = ("flores200:devtest", "code_samples", "domain_samples")


def token_class(tok: bytes) -> str:
    """Script of a token's letters, or whitespace / digit / punctuation / bytes (not valid UTF-8)."""
    try:
        s = tok.decode("utf-8")
    except UnicodeDecodeError:
        return "bytes"
    core = s.strip()
    if not core:
        return "whitespace"
    if all(ch.isdigit() for ch in core):
        return "digit"
    for ch in core:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            script = name.split(" ")[0] if name else "OTHER"
            if script in ("CJK", "KANGXI"):
                return "Han"
            return script.capitalize()
    return "punctuation"


def vocab_order(tok: Any) -> list[bytes]:
    """Tokens in creation order: merge order for BPE (one entry per token), id order otherwise."""
    if tok.algorithm == "bpe":
        from tokbench.mixture.lineage import token_sequence

        return token_sequence(tok.merges())
    return [b for b in tok.token_bytes() if b]


def class_shares_by_rank(tokens: list[bytes], n_bins: int = 25) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Share of each class per rank bin: (bin edges, classes, shares[bins, classes])."""
    classes = [token_class(t) for t in tokens]
    top = [c for c, _ in Counter(classes).most_common()]
    keep = [c for c in top if c in CLASSES_FIXED] + [c for c in top if c not in CLASSES_FIXED][:8]
    labels = sorted(set(keep), key=keep.index) + (["other"] if len(set(classes) - set(keep)) else [])
    idx = {c: i for i, c in enumerate(labels)}
    col = np.array([idx.get(c, len(labels) - 1) for c in classes], np.int64)
    edges = np.linspace(0, len(tokens), n_bins + 1).astype(int)
    shares = np.zeros((n_bins, len(labels)))
    for b in range(n_bins):
        seg = col[edges[b]:edges[b + 1]]
        if len(seg):
            shares[b] = np.bincount(seg, minlength=len(labels)) / len(seg)
    return edges, labels, shares


def never_produced(tok: Any, corpora: tuple[str, ...]) -> tuple[list[int], int, list[str]]:
    """Ids no text of the given corpora encodes to (special ids excluded); (ids, docs, corpora used)."""
    from tokbench.encode import encode_texts
    from tokbench.mixture.categories import load_category_spec

    seen = np.zeros(tok.vocab_size, bool)
    n_docs = 0
    used = []
    for spec in corpora:
        try:
            cats = load_category_spec(spec)
        except TokbenchError:
            continue  # a corpus that is not available here
        used.append(spec)
        for docs in cats.values():
            enc = encode_texts(tok, docs)
            seen[enc.ids[enc.ids < len(seen)]] = True
            n_docs += len(docs)
    tb = tok.token_bytes()
    special = set(getattr(tok, "special_ids", ()) or ())
    ids = [i for i in np.flatnonzero(~seen).tolist() if i < len(tb) and tb[i] and i not in special]
    return ids, n_docs, used


def inspect_tokenizer(
    tok: Any, *, corpora: tuple[str, ...] = DEFAULT_CORPORA, lineage: bool = True,
    categories: dict[str, list[str]] | None = None, mixture_kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    info: dict[str, Any] = {"name": tok.name, "algorithm": tok.algorithm, "vocab_size": int(tok.vocab_size)}
    order = vocab_order(tok)
    if tok.algorithm == "bpe":
        info["merges"] = len(tok.merges())
        info["merges_one_per_token"] = len(order)
    edges, labels, shares = class_shares_by_rank(order)
    info["by_rank"] = {"edges": edges.tolist(), "classes": labels, "shares": shares.round(4).tolist()}
    overall = Counter(token_class(t) for t in order)
    info["class_shares"] = {k: v / max(1, len(order)) for k, v in overall.most_common()}
    tb = [b for b in tok.token_bytes() if b]
    info["longest_tokens"] = [t.decode("utf-8", "backslashreplace") for t in sorted(tb, key=len, reverse=True)[:15]]
    if lineage and tok.algorithm == "bpe":
        from tokbench.mixture.lineage import find_lineage

        lin = find_lineage(tok)
        info["lineage"] = [
            {"tokenizer": r.name, "shared_merges": r.shared, "their_merges": r.their_merges, "extends": r.extends,
             "token_overlap": round(r.overlap, 4)}
            for r in lin.relatives
        ]
        info["extends"] = lin.parent.name if lin.parent else None
        info["start_merge"] = lin.parent.shared if lin.parent else 0
    if corpora:
        ids, n_docs, used = never_produced(tok, corpora)
        info["never_produced"] = {
            "count": len(ids), "corpora": used, "documents": n_docs,
            "examples": [tok.token_bytes()[i].decode("utf-8", "backslashreplace") for i in
                         sorted(ids, key=lambda i: -len(tok.token_bytes()[i]))[:25]],
        }
    if categories:
        from tokbench.mixture.infer import infer_mixture

        kw = dict(mixture_kwargs or {})
        kw.setdefault("start_merge", info.get("start_merge", 0))
        res = infer_mixture(tok, categories, **kw)
        info["mixture"] = res.to_json()
    return info


def write_report(info: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Markdown summary + PNG of class shares by merge rank."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from tokbench.io import atomic_write_text

    out_dir.mkdir(parents=True, exist_ok=True)
    png = out_dir / f"{info['name']}_by_rank.png"
    br = info["by_rank"]
    edges = np.array(br["edges"])
    mids = (edges[:-1] + edges[1:]) / 2
    shares = np.array(br["shares"])
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.stackplot(mids, shares.T, labels=br["classes"], colors=plt.cm.tab20.colors[: len(br["classes"])])
    ax.set_xlabel("merge rank" if info["algorithm"] == "bpe" else "token id")
    ax.set_ylabel("share of tokens")
    ax.set_title(f"{info['name']}: token classes by rank")
    ax.set_ylim(0, 1)
    ax.legend(loc="center left", bbox_to_anchor=(1, 0.5), fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)
    lines = [f"# {info['name']}", "", f"- algorithm: {info['algorithm']}", f"- vocab size: {info['vocab_size']:,}"]
    if "merges" in info:
        lines.append(f"- merges: {info['merges']:,} ({info['merges_one_per_token']:,} creating a new token)")
    if "lineage" in info:
        if info["lineage"]:
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
        else:
            lines.append("- lineage: no registered tokenizer shares its leading merges")
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
    if "mixture" in info:
        mx = info["mixture"]
        lines += ["", "## Mixture estimate", "", f"{mx['merges_used']:,} merges from #{mx['start_merge']}", "",
                  "| category | byte share | pair share |", "|---|---|---|"]
        for k in sorted(mx["byte_weights"], key=lambda k: -mx["byte_weights"][k]):
            lines.append(f"| {k} | {mx['byte_weights'][k]:.4f} | {mx['weights'][k]:.4f} |")
    md = out_dir / f"{info['name']}.md"
    atomic_write_text(md, "\n".join(lines) + "\n")
    return md, png
