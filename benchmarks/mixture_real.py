"""Mixture estimates for real tokenizers with FLORES languages, code and English domains.

Usage: TOKBENCH_DATA=../shared/assets python benchmarks/mixture_real.py [--merges 2000]
       [--langs paper|N] [--tokenizers gpt2,...] [--time-limit 150] [--out reports/mixture]
       [--extra-langs jpn_Jpan,kor_Hang] [--exact] [--bootstrap 20] [--update] [--lineage-only]
       [--code code_corpus|code_samples] [--code-split all] [--code-chars 600000]
Writes real.json, real.md and real.png (byte shares: English, code, other languages, and the
languages with the largest shares). Every tokenizer that extends another of the list is solved on
its extension (llama3 over cl100k); each result records its `lineage` among the list, with the
overlap of the solved merges (tokbench.inspection.lineage.lineage_among), which the report reads.
--lineage-only records that for an existing real.json without solving again.
Code categories (code:<language>) come from code_corpus by default (16 languages, 580 projects; see
`code_categories`); --code code_samples selects the older 15-language sample (mostly one project per
language) for comparison.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np

from tokbench.corpora import load_corpus
from tokbench.errors import TokbenchError
from tokbench.inspection.lineage import lineage_among, relative_json
from tokbench.inspection.lineage_cache import merge_order
from tokbench.io import atomic_write_text
from tokbench.mixture.categories import PAPER_LANGUAGES
from tokbench.mixture.infer import infer_mixture
from tokbench.mixture.report_rows import category_group, group_shares
from tokbench.tokenizers import load_tokenizer

TOKENIZERS = "gpt2,cl100k_base,o200k_base,llama2,llama3,mistral_v1,claude_legacy,gemma3,gpt_neox_20b,qwen3"


def code_categories(code: str = "code_corpus", split: str = "all", max_chars: int = 600_000) -> dict[str, list[str]]:
    """code:<language> -> documents. code_corpus: per language, files in round-robin order across their
    packages (each package's files in sha256(id) order, so the pick is fixed and no package dominates),
    until `max_chars` characters (0: all; ~3.6M per language, which mostly costs pre-tokenizing time).
    code_samples: its first split, whole."""
    if code not in ("code_corpus", "code_samples"):
        raise TokbenchError(f"--code {code!r}: choose code_corpus or code_samples")
    cs = load_corpus(code)
    if code == "code_samples":
        return {f"code:{x}": cs.texts(cs.splits[0], x) for x in cs.languages(cs.splits[0])}
    out = {}
    for lang in cs.languages(split):
        texts, ids = cs.texts(split, lang), cs.doc_ids(split, lang)
        by_pkg: dict[str, list[tuple[str, str]]] = {}
        for doc_id, text in zip(ids, texts, strict=True):
            if text:
                by_pkg.setdefault(doc_id.split("/")[1], []).append((hashlib.sha256(doc_id.encode()).hexdigest(), text))
        queues = [sorted(v) for _, v in sorted(by_pkg.items())]
        picked: list[str] = []
        n = 0
        for rank in range(max(map(len, queues), default=0)):
            for q in queues:
                if rank < len(q) and (max_chars <= 0 or n < max_chars):
                    picked.append(q[rank][1])
                    n += len(q[rank][1])
        out[f"code:{lang}"] = picked
    return out


def categories(n_langs: int | str, extra: tuple[str, ...] = (), code: str = "code_corpus", code_split: str = "all",
               code_chars: int = 600_000) -> dict[str, list[str]]:
    """FLORES devtest languages, code (see `code_categories`) and English domains.

    n_langs="paper" takes the paper's language list (PAPER_LANGUAGES); a number spreads that many
    languages evenly over FLORES' alphabetical list, plus eng/zho/spa/rus.
    """
    fl = load_corpus("flores200")
    langs = fl.languages("devtest")
    if n_langs == "paper":
        pick = sorted(set(PAPER_LANGUAGES) | set(extra))
    else:
        idx = np.linspace(0, len(langs) - 1, int(n_langs)).round().astype(int)
        pick = sorted({langs[i] for i in idx} | {"eng_Latn", "zho_Hans", "spa_Latn", "rus_Cyrl"} | set(extra))
    cats = {x: fl.texts("devtest", x) for x in pick}
    cats |= code_categories(code, code_split, code_chars)
    ds = load_corpus("domain_samples")
    for x in ds.languages(ds.splits[0]):
        cats[f"en:{x}"] = ds.texts(ds.splits[0], x)
    return cats


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--merges", type=int, default=2000)
    ap.add_argument("--langs", default="paper", help='how many FLORES languages, or "paper" (PAPER_LANGUAGES)')
    ap.add_argument("--tokenizers", default=TOKENIZERS)
    ap.add_argument("--time-limit", type=float, default=150)
    ap.add_argument("--out", default="reports/mixture")
    ap.add_argument("--update", action="store_true", help="keep other tokenizers' results in real.json")
    ap.add_argument("--extra-langs", default="", help="FLORES languages added to the spread, e.g. jpn_Jpan,kor_Hang")
    ap.add_argument("--exact", action="store_true", help="run the LP to its optimum (no weights-stable stop)")
    ap.add_argument("--bootstrap", type=int, default=0,
                    help="document-bootstrap replicates: 95%% intervals per category and per group")
    ap.add_argument("--code", default="code_corpus", help="code categories: code_corpus or code_samples")
    ap.add_argument("--code-split", default="all", help="code_corpus split: all, a or b (project halves)")
    ap.add_argument("--code-chars", type=int, default=600_000, help="code_corpus characters per language (0: all)")
    ap.add_argument("--compare", default="",
                    help="an earlier real.json (e.g. real.code_samples.json): real.md gains how code shares moved")
    ap.add_argument("--report-only", action="store_true", help="rewrite real.md/real.png from real.json")
    ap.add_argument("--lineage-only", action="store_true",
                    help="only record each result's lineage in the existing real.json (no solving)")
    a = ap.parse_args()
    if a.lineage_only:
        path = Path(a.out) / "real.json"
        doc = json.loads(path.read_text())
        record_lineage(doc["results"])
        atomic_write_text(path, json.dumps(doc, indent=1))
        return
    compare = json.loads(Path(a.compare).read_text())["results"] if a.compare else None
    if a.report_only:
        doc = json.loads((Path(a.out) / "real.json").read_text())
        write_report(doc["results"], doc["categories"], Path(a.out), compare=compare)
        return
    cats = categories(a.langs if a.langs == "paper" else int(a.langs), tuple(x for x in a.extra_langs.split(",") if x),
                      a.code, a.code_split, a.code_chars)
    out_dir = Path(a.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = {}
    if a.update and (out_dir / "real.json").exists():
        results = json.loads((out_dir / "real.json").read_text())["results"]
    names = a.tokenizers.split(",")
    lineage = lineage_among(sequences(sorted(set(names) | set(results))))
    for name in names:
        t0 = time.perf_counter()
        try:
            tok = load_tokenizer(name)
            parent = lineage[name].parent if name in lineage else None
            start = parent.shared if parent else 0  # the same rule for every tokenizer of the list
            r = infer_mixture(tok, cats, merges=a.merges, start_merge=start, time_limit=a.time_limit,
                              exact=a.exact, bootstrap=a.bootstrap)
            groups = group_shares(r.byte_weights, r.replicates.get("byte_weights"), r.categories)
            results[name] = {"byte_weights": r.byte_weights, "weights": r.weights, "start_merge": start,
                             "converged": r.lp.converged,
                             "merges_used": r.merges_used, "lp_rounds": r.lp.rounds,
                             "unexplained_merges": r.lp.skipped_steps, "lp_seconds": r.timings.get("solve"),
                             "seconds": time.perf_counter() - t0}
            if a.bootstrap:  # intervals only where there are replicates (no NaN in the JSON)
                js = r.to_json()
                results[name].update(
                    bootstrap=a.bootstrap, ci95=js["ci95"], bootstrap_mean=js["bootstrap_mean"],
                    bootstrap_seconds=r.timings.get("bootstrap"),
                    # per stage, summed over replicates (two run at once): where the bootstrap's time goes
                    bootstrap_stages={k.removeprefix("bootstrap_"): round(v, 1) for k, v in r.timings.items()
                                      if k.startswith("bootstrap_")},
                    group_ci95={g: [v[1], v[2]] for g, v in groups.items()})
        except TokbenchError as e:
            results[name] = {"error": str(e), "merges": a.merges, "seconds": time.perf_counter() - t0}
        print(name, json.dumps({k: v for k, v in results[name].items() if k not in ("weights",)})[:400], flush=True)
        atomic_write_text(out_dir / "real.json", json.dumps({"categories": list(cats), "results": results}, indent=1))
    record_lineage(results)
    atomic_write_text(out_dir / "real.json", json.dumps({"categories": list(cats), "results": results}, indent=1))
    write_report(results, list(cats), out_dir, compare=compare)


def sequences(names: list[str]) -> dict[str, list[bytes]]:
    """Token sequences (merge-creation order) of the BPE tokenizers among `names` that load here."""
    out = {}
    for name in names:
        try:
            tok = load_tokenizer(name)
            if tok.algorithm == "bpe":
                out[name] = merge_order(tok)[0]
        except TokbenchError as e:
            print(f"lineage: {name} skipped: {e}", flush=True)
    return out


def record_lineage(results: dict) -> None:
    """Each solved result's `lineage` among the results, with the overlap of the merges they were solved on."""
    solved = {k: v for k, v in results.items() if "byte_weights" in v}
    windows = {k: (int(v["start_merge"]), int(v["merges_used"])) for k, v in solved.items()}
    lineage = lineage_among(sequences(sorted(solved)), windows)
    for name, v in solved.items():
        lin = lineage.get(name)
        v["lineage"] = [relative_json(r) for r in lin.relatives] if lin else []
        parent = lin.parent if lin else None
        if (parent.shared if parent else 0) != v["start_merge"]:
            print(f"lineage: {name} was solved from merge {v['start_merge']}, its lineage says "
                  f"{parent.shared if parent else 0}: re-run it", flush=True)


def totals(result: dict) -> dict[str, tuple[float, float, float]]:
    """English (eng_Latn and the English domains), code and other languages: share and 95% interval
    (the leaderboard's groups; NaN ends without --bootstrap)."""
    ci = result.get("group_ci95") or {}
    share = group_shares(result["byte_weights"])
    nan = (float("nan"), float("nan"))
    return {label: (share[g][0], *ci.get(g, nan))
            for label, g in (("English", "English"), ("code", "code"), ("other languages", "non-English"))}


def code_split(byte_weights: dict[str, float]) -> dict[str, float]:
    """Each code language's share of the code bytes (code:x / all code)."""
    code = {c.removeprefix("code:"): w for c, w in byte_weights.items() if category_group(c) == "code"}
    tot = sum(code.values())
    return {k: (v / tot if tot > 0 else float("nan")) for k, v in code.items()}


def _with_interval(x: tuple[float, float, float]) -> str:
    return f"{x[0]:.3f}" + (f" [{x[1]:.3f}, {x[2]:.3f}]" if not np.isnan(x[1]) else "")


def code_comparison(results: dict, old: dict, n_top: int = 4) -> list[str]:
    """real.md lines: each tokenizer's code share and its largest code languages, now and in `old`."""
    rows = []
    for n, v in results.items():
        if "byte_weights" not in v:
            continue
        o = old.get(n, {})
        code = totals(v)["code"]
        new_split, old_split = code_split(v["byte_weights"]), code_split(o.get("byte_weights", {}))
        top = ", ".join(f"{k} {x:.0%}" for k, x in sorted(new_split.items(), key=lambda kv: -kv[1])[:n_top])
        top_old = ", ".join(f"{k} {x:.0%}" for k, x in sorted(old_split.items(), key=lambda kv: -kv[1])[:n_top])
        cell = _with_interval(code)
        old_cell = _with_interval(totals(o)["code"]) if "byte_weights" in o else "-"
        rows.append({"tokenizer": n, "code share, before": old_cell, "code share, now": cell,
                     "largest code languages before (share of code)": top_old,
                     "largest code languages now (share of code)": top})
    import pandas as pd

    return ["", "## Code share before and after the code categories changed", "",
            "Before: the `code_samples` categories (15 languages, 4-54 files each, mostly one project per "
            "language; the numbers of reports/mixture/real.code_samples.json). Now: the categories of this run. "
            "Hayase et al. (2024) publish about 60% code for cl100k/GPT-3.5-era tokenizers.", "",
            pd.DataFrame(rows).to_markdown(index=False)]


def write_report(results: dict, cats: list[str], out_dir: Path, n_langs_shown: int = 8,
                 compare: dict | None = None) -> None:
    """real.md (totals, then the languages with the largest summed share) and real.png (the same, stacked)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    ok = {k: v for k, v in results.items() if "byte_weights" in v}
    langs = [c for c in cats if category_group(c) not in ("English", "code")]
    lang_tot = {c: sum(v["byte_weights"].get(c, 0.0) for v in ok.values()) for c in langs}
    shown = sorted(langs, key=lambda c: -lang_tot[c])[:n_langs_shown]
    rows, shares = [], []  # the table's cells (intervals as text) and the plotted numbers
    for n, v in ok.items():
        bw = v["byte_weights"]
        tot = totals(v)
        share = {g: x[0] for g, x in tot.items()} | {c: bw.get(c, 0.0) for c in shown}
        share["other languages, rest"] = share["other languages"] - sum(bw.get(c, 0.0) for c in shown)
        row: dict = {"tokenizer": n, "merges": f"{v['start_merge']}+{v['merges_used']}",
                     "unexplained": v.get("unexplained_merges", "?")} | share
        for g, x in tot.items():  # as text in every row: a column mixing intervals and floats printed 16 digits
            row[g] = _with_interval(x)
        rows.append(row)
        shares.append(share)
    df = pd.DataFrame(rows).set_index("tokenizer")
    num = pd.DataFrame(shares, index=df.index)
    lines = ["# Mixture estimates of real tokenizers (byte shares)", "",
             f"{len(cats)} categories. English = eng_Latn + the English domains (en:*), code = the code:* "
             f"categories, other languages = the rest (the leaderboard's groups; [95% bootstrap interval] where "
             f"run with --bootstrap); then the {len(shown)} languages with the largest share summed over the "
             "tokenizers.", "",
             df.to_markdown(floatfmt=".3f")]
    for n, v in results.items():
        if "error" in v:
            lines.append(f"\n- {n}: not solved ({v.get('merges', '?')} merges): {v['error'][:160]}")
    if compare is not None:
        lines += code_comparison(results, compare)
    fig, ax = plt.subplots(figsize=(11, 5))
    bottom = np.zeros(len(num))
    for ci, c in enumerate(["English", "code", *shown, "other languages, rest"]):
        ax.bar(num.index, num[c].to_numpy(float), bottom=bottom, label=c, color=plt.cm.tab20.colors[ci % 20])
        bottom += num[c].to_numpy(float)
    ax.set_ylabel("estimated byte share")
    ax.legend(loc="center left", bbox_to_anchor=(1, 0.5), fontsize=8)
    plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    fig.tight_layout()
    fig.savefig(out_dir / "real.png", dpi=110)
    (out_dir / "real.md").write_text("\n".join(lines) + "\n\n![stacked bars](real.png)\n")


if __name__ == "__main__":
    main()
