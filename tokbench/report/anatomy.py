"""Per-tokenizer anatomy for the site (`tokbench inspect`: classes by merge rank, lineage, longest and
never-produced tokens), cached next to the pages by tokenizer sha256 so a warm report loads nothing.

Lineage is computed among the report's own tokenizers with tokbench.inspection.lineage's rules, each
token sequence built once (find_lineage per tokenizer would rebuild every other one: N^2 loads).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tokbench.errors import TokbenchError
from tokbench.io import atomic_write_text
from tokbench.progress import progress


def never_produced_specs(table: pd.DataFrame) -> tuple[str, ...]:
    """`CORPUS:SPLIT:LANGS` specs of the texts the per-sentence metrics encoded (encode-cache hits)."""
    specs = []
    for corpus, d in table[(table["corpus"] != "mixture") & (table["language"] != "ALL")].groupby("corpus"):
        splits = d["split"][~d["split"].str.contains("+", regex=False)]
        if splits.empty:
            continue
        split = str(splits.value_counts().sort_index().idxmax())
        langs = ",".join(sorted(d.loc[d["split"] == split, "language"].unique()))
        # a long list is (nearly) the whole corpus: name the split alone (a spec is also tried as a path)
        specs.append(f"{corpus}:{split}:{langs}" if len(langs) < 200 else f"{corpus}:{split}")
    return tuple(specs)


def _cache_path(out: Path, tok: str) -> Path:
    from tokbench.report.writer import safe_name

    return out / "tokenizers" / f"{safe_name(tok)}.inspect.json"


def _omit_strings_unless_redistributable(name: str, info: dict[str, Any]) -> None:
    """Token strings are an excerpt of the vocabulary file: keep them only for tokenizers tokbench vendors
    (redistributable); for the others the page shows counts and classes only."""
    from tokbench.manifests import tokenizer_manifests

    m = tokenizer_manifests().get(name)
    if m is not None and m.vendored:
        return
    info["longest_tokens"] = []
    if info.get("never_produced"):
        info["never_produced"]["examples"] = []
    info["strings_omitted"] = "token strings not shown: this tokenizer's files are not redistributable with tokbench"


def _hashed(tokens: list[bytes]) -> np.ndarray:
    """A vocabulary order as 64-bit hashes of its token strings, for the lineage comparisons below: 8 bytes a
    token instead of a bytes object (26 vocabularies as lists and sets held ~0.3 GB of the report). Equal
    tokens hash equal within this process; two different tokens of these vocabularies colliding has odds
    of about 1e-9 and could only lengthen one shared-prefix count."""
    return np.fromiter(map(hash, tokens), dtype=np.int64, count=len(tokens))


def _common_prefix(a: np.ndarray, b: np.ndarray) -> int:
    n = min(len(a), len(b))
    differ = np.flatnonzero(a[:n] != b[:n])
    return int(differ[0]) if len(differ) else n


# what an inspecting child imports (the PNG of classes by rank needs matplotlib)
_PRELOAD = ["tokbench.report.anatomy", "tokbench.inspection.summary", "tokbench.inspection.report",
            "matplotlib.figure", "matplotlib.backends.backend_agg"]


def _inspect_one(tok: str, corpora: tuple[str, ...], png_dir: str
                 ) -> tuple[dict[str, Any] | None, np.ndarray | None, str]:
    """(inspect info, token hashes in creation order for a BPE, "") of one tokenizer, its PNG of classes by rank
    written into `png_dir`; (None, None, why) when it cannot be loaded here. Runs in a child process."""
    from tokbench.inspection.classes import vocab_order
    from tokbench.inspection.report import write_report
    from tokbench.inspection.summary import inspect_tokenizer
    from tokbench.tokenizers import load_tokenizer

    try:
        t = load_tokenizer(tok)
        info = inspect_tokenizer(t, corpora=corpora, lineage="off")
        seq = _hashed(vocab_order(t)) if t.algorithm == "bpe" else None
        md, _ = write_report(info, Path(png_dir))  # the PNG of classes by rank; the site page replaces its Markdown
        md.unlink(missing_ok=True)
        info["png"] = f"{info['name']}_by_rank.png"
        _omit_strings_unless_redistributable(tok, info)
        return info, seq, ""
    except TokbenchError as e:
        return None, None, f"not available here: {e}"


def collect_anatomy(table: pd.DataFrame, provenance: dict[str, Any], out: Path, quiet: bool = True) -> dict[str, Any]:
    """tokenizer -> inspect info (with 'png' beside its page); '__why__' -> tokenizer -> reason when unavailable."""
    from tokbench.executors.short_lived import per_tokenizer, release_tokenizers
    from tokbench.inspection.classes import vocab_order
    from tokbench.inspection.lineage import MIN_OVERLAP, MIN_SHARED
    from tokbench.tokenizers import load_tokenizer

    shas = {c["tokenizer"]: c.get("tokenizer_sha256", "") for c in provenance.get("cells", []) or []}
    corpora = never_produced_specs(table)
    names = sorted(set(table.loc[table["corpus"] != "mixture", "tokenizer"]))
    infos: dict[str, Any] = {}
    why: dict[str, str] = {}
    todo = []
    for tok in names:
        p = _cache_path(out, tok)
        if p.is_file():
            doc = json.loads(p.read_text(encoding="utf-8"))
            if doc.get("sha256") == shas.get(tok) and doc.get("corpora") == list(corpora):
                infos[tok] = doc["info"]
                _omit_strings_unless_redistributable(tok, infos[tok])
                continue
        todo.append(tok)
    sequences: dict[str, np.ndarray] = {}  # token hashes in creation order (see _hashed)
    if todo:  # each tokenizer inspected in its own short-lived child process (tokbench.executors.short_lived)
        jobs = [(t, (t, corpora, str(out / "tokenizers"))) for t in todo]
        with progress(total=len(todo), desc="inspect tokenizers", unit="tokenizer", disable=quiet) as bar:
            for tok, got, died in per_tokenizer(_inspect_one, jobs, bar, preload=_PRELOAD):
                info, seq, reason = got if not died else (None, None, f"not available here: {died}")
                if info is None:
                    why[tok] = reason
                    continue
                infos[tok] = info
                if seq is not None:
                    sequences[tok] = seq
        # the order they finished in is not the report's: back to name order
        infos = {t: infos[t] for t in names if t in infos}
        sequences = {t: sequences[t] for t in names if t in sequences}
    # lineage among the report's BPE tokenizers (rules of tokbench.inspection.lineage)
    if todo:
        for tok in names:
            if tok not in sequences and tok in infos and infos[tok].get("algorithm") == "bpe" and tok not in todo:
                try:
                    sequences[tok] = _hashed(vocab_order(load_tokenizer(tok)))
                except TokbenchError:
                    pass
                finally:
                    release_tokenizers()
        sets = {k: np.unique(v) for k, v in sequences.items()}
        for tok in todo:
            if tok not in sequences:
                continue
            rel = []
            for other, theirs in sequences.items():
                if other == tok or np.array_equal(sequences[tok], theirs):
                    continue
                k = _common_prefix(sequences[tok], theirs)
                overlap = len(np.intersect1d(sets[tok], theirs, assume_unique=False)) / max(1, len(theirs))
                if k >= MIN_SHARED or overlap >= MIN_OVERLAP:
                    rel.append({"tokenizer": other, "shared_merges": k, "their_merges": len(theirs),
                                "extends": k == len(theirs),
                                "token_overlap": round(overlap, 4)})
            infos[tok]["lineage"] = sorted(rel, key=lambda r: (-r["shared_merges"], -r["token_overlap"],
                                                               r["tokenizer"]))
    for tok in todo:
        if tok in infos:
            atomic_write_text(_cache_path(out, tok), json.dumps(
                {"sha256": shas.get(tok), "corpora": list(corpora), "info": infos[tok]},
                sort_keys=True, ensure_ascii=False, indent=1))
    infos["__why__"] = why
    return infos
