"""Code mixtures that generalize across projects (issue 24, part 1), on `code_corpus`.

Each seed draws n of the 16 languages (all 16 with --langs 16) and Dirichlet(1) weights, draws
training text from half `a` (`mixture_controlled.draw_tagged`: files with replacement until language i
holds w_i x budget bytes, or with --draw cycle each file once in a shuffled order, as the paper's code),
trains a byte-level BPE with the `tokenizers` trainer, and infers the mixture with category samples from
half `b`: other upstream projects, never used in training. The score is log10 MSE against the exact byte
shares of the training text. Each tokenizer is trained
once and inferred at every --caps size (bytes per language; 0 = all of half b, 1.1-2.5 MB), so the curve
shows how the error falls with sample size and nothing else changes along it.

Samples take half b's files round-robin over projects by default (--order projects): in corpus order the
first 100 KB of a language can be one project. Diagnostic switches (the variant label names them):
  --infer-on train    in-sample: the training text itself (pipeline check)
  --infer-on a        half a's files, each once (the training pool: same projects, no repeats)
  --draw cycle --budget-mb 0   training text without repeated files, as large as the pools allow
  --per-doc-cap N     keep the first N bytes of each sample file
  --separation        no inference: TV distance of each language's half a vs half b samples, and to the
                      nearest other language (--variants ws: whitespace-only words left out)
  --swap              train on half b, infer from half a (do per-language errors flip sign?)
  --order corpus|shuffle|projects   which files of half b a capped sample takes first (see sample_order)
  --variants V1,V2    sample/LP treatments inferred on the same tokenizer, each '+'-joined tokens:
                      plain; ws (whitespace-only words left out of the counts); minproj=K (words found in fewer
                      than K projects of the sample left out); merges=M (first M merges only); sub=K (each
                      language split by project into K sub-categories, weights summed; 0 = one per project);
                      pboot=K:steps|pairs|both (slack costs 1 / spread over K project-bootstrap replicates);
                      relw=P (step slack costs (mean y / y_t)^P, y_t the merged pair's count);
                      projw=P (each project of a sample weighs (its bytes)^-P: 1 = every project counts
                      the same in its language's pair counts, 0.5 = square-root damping, 0 = plain)
Also reported per row: the pair-space truth (pairs of the training text per language, counted with
the tokenizer's pre-tokenizer) and the log10 MSE of the LP's pair-space weights against it, which
separates the LP's error from the bytes-per-pair conversion.

Usage: TOKBENCH_DATA=../shared/assets nice -n 10 python benchmarks/mixture_code_corpus.py
       [--langs 10] [--seeds 0,1,2,3,4] [--merges 3000] [--budget-mb 3] [--draw replace]
       [--caps 30000,100000,300000,1000000,0] [--variants plain]
       [--out reports/mixture/code_corpus_controlled.json]
(appends/replaces its variant's rows in the JSON and writes a Markdown table beside it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mixture_code_curve import cap_docs, noise_costs, step_noise  # noqa: E402
from mixture_controlled import byte_shares, draw_tagged, log_mse, train_tokenizer  # noqa: E402

from tokbench.corpora import load_corpus  # noqa: E402
from tokbench.mixture.history import History, build_history, counts_at  # noqa: E402
from tokbench.mixture.infer import (  # noqa: E402
    _replay_all,
    byte_space,
    infer_mixture,
    mixture_pre_tokenizer,
    prepare_table,
)
from tokbench.mixture.lp import solve_lp  # noqa: E402
from tokbench.mixture.replay import encode_words  # noqa: E402
from tokbench.mixture.words import CategoryWords, count_words  # noqa: E402
from tokbench.tokenizers.hf import from_rust  # noqa: E402


def halves(langs: list[str], swap: bool = False) -> tuple[dict[str, list[str]], dict[str, list[str]],
                                                          dict[str, list[str]]]:
    """Training half's and sample half's files per language (corpus order), and the sample half's project of
    each file: a and b, or b and a with ``swap``."""
    c = load_corpus("code_corpus")
    tr, te = ("b", "a") if swap else ("a", "b")
    a = {x: c.texts(tr, x) for x in langs}
    b = {x: c.texts(te, x) for x in langs}
    proj = {x: c._column(te, x, "project") for x in langs}
    return a, b, proj


def sample_order(projects: list[str], how: str, seed: int) -> np.ndarray:
    """The order files enter a capped sample. ``corpus``: as stored (the first files of a half can all come
    from one project: JavaScript's first 100 KB of half b is one project); ``shuffle``: a seeded random order
    (projects in proportion to their files); ``projects``: round-robin over projects (each project's files in
    a seeded random order, projects in a seeded random order), so even a small sample spans many projects."""
    n = len(projects)
    if how == "corpus":
        return np.arange(n)
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    if how == "shuffle":
        return perm
    by: dict[str, list[int]] = defaultdict(list)
    for i in perm:
        by[projects[i]].append(int(i))
    queues = list(by.values())  # projects in order of first appearance in the permutation
    out: list[int] = []
    depth = 0
    while len(out) < n:
        out += [q[depth] for q in queues if depth < len(q)]
        depth += 1
    return np.array(out)


def pair_shares(tagged: list[tuple[str, str]], names: list[str], pre) -> np.ndarray:
    """Each language's share of the byte pairs inside the training text's words (the LP's own space)."""
    pos = {x: i for i, x in enumerate(names)}
    p = np.zeros(len(names))
    for t, d in tagged:
        p[pos[t]] += sum(len(w) - 1 for w in pre(d))
    return p / p.sum()


GROUPS = (("javascript", "typescript"), ("java", "kotlin"), ("c", "cpp", "cuda"))


def grouped_log_mse(row: dict) -> float:
    """log10 MSE with the close pairs of languages (GROUPS) scored as one category each: how much of the error is
    confusion inside a group (category granularity) rather than between groups."""
    est = dict(zip(row["langs"], row["est_bytes"], strict=True))
    truth = dict(zip(row["langs"], row["truth"], strict=True))
    group = {x: next((g for g in GROUPS if x in g), (x,)) for x in row["langs"]}
    keys = sorted(set(group.values()))
    e = np.array([sum(est.get(x, 0.0) for x in g) for g in keys])
    t = np.array([sum(truth.get(x, 0.0) for x in g) for g in keys])
    return log_mse(e, t)


def table(rows: list[dict]) -> str:
    """Markdown: per variant, languages and cap: worst-of-seeds and median log10 MSE (byte space)."""
    import pandas as pd

    df = pd.DataFrame(rows)
    df["grouped"] = [grouped_log_mse(r) for r in rows]
    lines = ["| variant | languages | cap / language | sample MB (mean) | seeds | worst | median | best | "
             "pair space vs pair truth (median) | close languages grouped (worst / median) | uniform (median) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for (variant, n, cap), g in df.groupby(["variant", "n_langs", "cap"], sort=False):
        cap_s = "whole" if cap == 0 else f"{cap / 1e3:g} KB"
        lines.append(
            f"| {variant} | {n} | {cap_s} | {g.sample_bytes.mean() / 1e6:.2f} | {len(g)} | "
            f"{g.log10_mse_bytes.max():.2f} | {g.log10_mse_bytes.median():.2f} | {g.log10_mse_bytes.min():.2f} | "
            f"{g.log10_mse_pairs_vs_pair_truth.median():.2f} | {g.grouped.max():.2f} / {g.grouped.median():.2f} | "
            f"{g.baseline_uniform.median():.2f} |")
    return "\n".join(lines) + "\n"


def filter_words(cw: CategoryWords, keep: np.ndarray) -> CategoryWords:
    """The sample with the occurrences of words where ``keep`` is False left out (documents keep their bytes,
    so the byte-space conversion still covers the whole sample)."""
    occ = keep[cw.doc_word_ids]
    per_doc = np.add.reduceat(occ.astype(np.int64), cw.doc_offsets[:-1]) if len(occ) else np.zeros(cw.n_docs, int)
    per_doc[np.diff(cw.doc_offsets) == 0] = 0  # reduceat repeats a value for empty documents
    return CategoryWords(cw.name, cw.words, cw.doc_word_ids[occ], np.concatenate([[0], np.cumsum(per_doc)]),
                         cw.doc_bytes)


def word_projects(cw: CategoryWords, projects: list[str]) -> np.ndarray:
    """Number of distinct projects of the sample each word occurs in."""
    if len(projects) != cw.n_docs:
        raise RuntimeError(f"{cw.name}: {cw.n_docs} documents but {len(projects)} project labels")
    pid = np.unique(np.asarray(projects), return_inverse=True)[1]
    doc_of = np.repeat(np.arange(cw.n_docs), np.diff(cw.doc_offsets))
    pairs = np.unique(cw.doc_word_ids.astype(np.int64) * (pid.max() + 1) + pid[doc_of])
    return np.bincount(pairs // (pid.max() + 1), minlength=len(cw.words))


def select_docs(cw: CategoryWords, name: str, docs: np.ndarray) -> CategoryWords:
    """The sub-sample of ``cw`` made of the documents ``docs`` (indices), under a new name."""
    parts = [cw.doc_word_ids[cw.doc_offsets[d]:cw.doc_offsets[d + 1]] for d in docs]
    lens = np.array([len(p) for p in parts], np.int64)
    return CategoryWords(name, cw.words, np.concatenate(parts), np.concatenate([[0], np.cumsum(lens)]),
                         cw.doc_bytes[docs])


def project_groups(cw: CategoryWords, projects: list[str], k: int) -> list[CategoryWords]:
    """A language's sample cut into sub-categories by project: the k - 1 projects with the most bytes each on
    their own, the rest pooled (k = 0: every project on its own). Their LP weights are summed afterwards."""
    pid = np.asarray(projects)
    size = defaultdict(int)
    for p, b in zip(pid, cw.doc_bytes, strict=True):
        size[str(p)] += int(b)
    ranked = sorted(size, key=lambda p: (-size[p], p))
    own = ranked if k <= 0 else ranked[: k - 1]
    groups = [select_docs(cw, f"{cw.name}#{i}", np.flatnonzero(pid == p)) for i, p in enumerate(own)]
    rest = np.flatnonzero(~np.isin(pid, own))
    if len(rest):
        groups.append(select_docs(cw, f"{cw.name}#rest", rest))
    return groups


def treat(cw: CategoryWords, spec: str, projects: list[str] | None) -> CategoryWords:
    """Apply a variant's sample treatments (see --variants) to one counted sample."""
    for tok in spec.split("+"):
        if tok == "ws":
            cw = filter_words(cw, np.array([not w.isspace() for w in cw.words]))
        elif tok.startswith("minproj="):
            if projects is None:
                raise SystemExit("minproj needs samples from half b (project labels)")
            cw = filter_words(cw, word_projects(cw, projects) >= int(tok.split("=")[1]))
    return cw


def project_weighed(src, cats: dict[str, CategoryWords], projects: dict[str, list[str]], k: int, merges: int,
                    which: str, power: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """The LP re-solved with slack costs 1 / (spread over ``k`` *project* bootstrap replicates): each replicate
    draws a category's projects with replacement (a document weighs as often as its project was drawn), so the
    spread is the between-project variation that separates training projects from sample projects. ``which``:
    steps (v_t), pairs (v_p) or both. Returns (byte-space, pair-space) weights."""
    words = list(cats.values())
    table = prepare_table(src, words)
    stop = min(table.n_merges, merges)
    encoded = [encode_words(cw.words, table) for cw in words]

    def hist_of(dws: list[np.ndarray] | None) -> History:
        return build_history(_replay_all(words, table, 0, stop, 2, dws, None, encoded), table, 0)

    rng = np.random.default_rng(0)
    pid = [np.unique(np.asarray(projects[cw.name]), return_inverse=True)[1] for cw in words]

    def project_draw(_doc_draws: list[np.ndarray] | None) -> History:
        dws = [rng.multinomial(p.max() + 1, np.full(p.max() + 1, 1.0 / (p.max() + 1)))[p] for p in pid]
        return hist_of(dws)

    h = hist_of(None)
    lp0 = solve_lp(h)
    w = lp0.alpha
    s0 = float(h.n_pairs.mean())
    pair_at = None
    if which in ("pairs", "both"):  # each pair's step: where its weighted count peaks on a grid of 11 steps
        grid = np.linspace(0, h.n_steps - 1, 11).astype(np.int64)
        P = h.n_gids
        cnt = counts_at(h, np.repeat(grid, P), np.tile(np.arange(P), len(grid))) @ (w * s0 / h.n_pairs)
        pair_at = (h.keys, grid[np.argmax(cnt.reshape(len(grid), P), axis=0)])
    sd, psd = step_noise(project_draw, [cw.n_docs for cw in words], k, w, s0, "merged", pair_at)
    step_costs = noise_costs(sd, power, True, 1.0) if which in ("steps", "both") else None
    pair_costs = noise_costs(psd, power, True, 1.0) if psd is not None else None
    lp = solve_lp(h, step_costs=step_costs, pair_costs=pair_costs)
    n_bytes = np.array([cw.n_bytes() for cw in words], np.float64)
    return byte_space(lp.alpha, n_bytes, h.n_pairs), lp.alpha


def relative_weighed(src, cats: dict[str, CategoryWords], merges: int, power: float) -> tuple[np.ndarray, np.ndarray]:
    """The LP re-solved with each step's slack v_t costing (mean y / y_t)^power, y_t the merged pair's weighted
    count at step t under the point estimate: power 1 makes a violation cost its size relative to the step's
    count (early, huge-count merges stop drowning the rest), 0.5 scales it to Poisson noise."""
    words = list(cats.values())
    table = prepare_table(src, words)
    stop = min(table.n_merges, merges)
    h = build_history(_replay_all(words, table, 0, stop, 2), table, 0)
    lp0 = solve_lp(h)
    s0 = float(h.n_pairs.mean())
    y = (lp0.alpha * s0 / h.n_pairs) @ h.merged
    y = np.maximum(y, np.percentile(y[y > 0], 1) if np.any(y > 0) else 1.0)
    c = (y.mean() / y) ** power
    lp = solve_lp(h, step_costs=c / c.mean())
    n_bytes = np.array([cw.n_bytes() for cw in words], np.float64)
    return byte_space(lp.alpha, n_bytes, h.n_pairs), lp.alpha


def project_doc_weights(cats: dict[str, CategoryWords], projects: dict[str, list[str]],
                        power: float) -> tuple[dict[str, np.ndarray], float]:
    """Integer document weights that make each project of a sample weigh (its bytes)^-power in total, scaled
    so that each language keeps (up to rounding) its own byte total times one common factor; the factor makes
    the smallest weight at least 20, so rounding moves no project's weight by more than 2.5%. Returns the
    weights and that factor."""
    raw = {}
    for x, cw in cats.items():
        pid = np.unique(np.asarray(projects[x]), return_inverse=True)[1]
        size = np.bincount(pid, weights=cw.doc_bytes.astype(np.float64))
        f = size ** -power
        f *= cw.doc_bytes.sum() / (f * size).sum()  # the language's weighted bytes = its bytes
        raw[x] = f[pid]
    q = max(1.0, 20.0 / min(float(f.min()) for f in raw.values()))
    return {x: np.maximum(1, np.rint(f * q)).astype(np.int64) for x, f in raw.items()}, q


def project_equalised(src, cats: dict[str, CategoryWords], projects: dict[str, list[str]], merges: int,
                      power: float):
    """The plain LP (as ``infer_mixture``: same solver and defaults) on pair counts where each project of a
    language's sample weighs (its bytes)^-power (see project_doc_weights). Byte-space conversion with the
    weighted bytes and pairs. Returns (byte-space, pair-space weights, LP result, effective projects per
    language: 1 / sum of squared project weight shares)."""
    words = list(cats.values())
    dws, q = project_doc_weights(cats, projects, power)
    dw_list = [dws[cw.name] for cw in words]
    table = prepare_table(src, words)
    stop = min(table.n_merges, merges)
    h = build_history(_replay_all(words, table, 0, stop, 2, dw_list), table, 0)
    lp = solve_lp(h, tol=1e-2 * q)  # infer_mixture's tolerance, in occurrences of the unweighted sample
    n_bytes = np.array([cw.n_bytes(dw) for cw, dw in zip(words, dw_list, strict=True)], np.float64)
    eff = {}
    for cw, dw in zip(words, dw_list, strict=True):
        pid = np.unique(np.asarray(projects[cw.name]), return_inverse=True)[1]
        share = np.bincount(pid, weights=(cw.doc_bytes * dw).astype(np.float64))
        share /= share.sum()
        eff[cw.name] = float(1.0 / (share ** 2).sum())
    return byte_space(lp.alpha, n_bytes, h.n_pairs), lp.alpha, lp, eff


def separation(cap: int, drop_ws: bool) -> list[dict]:
    """No inference: total-variation distance between byte-pair distributions (inside pre-tokenized words, what
    the first merges see) of each language's half a and half b samples (first ``cap`` bytes in corpus order),
    against the nearest other language's half b sample."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    from tokbench.mixture.separation import pair_counts, total_variation

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)  # as train_tokenizer's
    pre0 = from_rust(tok, "bytelevel").pre_tokenize
    pre = (lambda d: [w for w in pre0(d) if not w.isspace()]) if drop_ws else pre0
    c = load_corpus("code_corpus")
    langs = c.languages("b")
    pc = {h: {x: pair_counts(count_words(x, cap_docs(c.texts(h, x), cap), pre)) for x in langs} for h in "ab"}
    rows = []
    for x in langs:
        other = {y: total_variation(pc["a"][x], pc["b"][y]) for y in langs if y != x}
        near = min(other, key=other.__getitem__)
        rows.append({"lang": x, "cap": cap, "drop_ws": drop_ws, "a_vs_b": total_variation(pc["a"][x], pc["b"][x]),
                     "nearest_other": near, "a_vs_nearest_other_b": other[near]})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def write_markdown(out: Path, rows: list[dict]) -> None:
    """The table of ``rows`` beside the JSON, headed by the commands that made them."""
    commands = sorted({r["command"] for r in rows if "command" in r})
    out.with_suffix(".md").write_text(
        "# Code mixtures across projects on code_corpus (log10 MSE, byte space)\n\n"
        "Trained on half a, inferred from half b unless the variant says otherwise (infer=a: half a; infer=train: "
        "the training text; swap: trained on b, inferred from a). Worst, median and best over seeds; cap = bytes "
        "per language of the sample (whole: all of it, 1.1-2.5 MB per language for a half). See "
        "code_corpus_findings.md. Rows from (with `TOKBENCH_DATA=../shared/assets`):\n\n"
        + "".join(f"    {c}\n" for c in commands) + "\n" + table(rows))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--langs", type=int, default=10, help="languages per mixture (of 16)")
    ap.add_argument("--seeds", default="0,1,2,3,4", help="comma-separated seeds (mixture, languages, draw)")
    ap.add_argument("--merges", type=int, default=3000)
    ap.add_argument("--budget-mb", type=float, default=3.0,
                    help="training text; 0 = the largest that repeats no file (with --draw cycle)")
    ap.add_argument("--caps", default="30000,100000,300000,1000000,0", help="bytes per language; 0 = all of half b")
    ap.add_argument("--infer-on", choices=("b", "a", "train"), default="b")
    ap.add_argument("--per-doc-cap", type=int, default=0)
    ap.add_argument("--order", choices=("corpus", "shuffle", "projects"), default="projects",
                    help="which files a capped sample takes first (see sample_order)")
    ap.add_argument("--variants", default="plain",
                    help="comma-separated sample treatments, each '+'-joined tokens: plain, ws (whitespace-only words "
                    "left out of the counts), minproj=K (words found in fewer than K projects of the sample left out), "
                    "merges=M (solve on the first M merges), projw=P (projects weigh bytes^-P; see the docstring)")
    ap.add_argument("--draw", choices=("replace", "cycle"), default="replace",
                    help="training text: files drawn with replacement, or cycled as in the paper's code")
    ap.add_argument("--swap", action="store_true", help="train on half b, take the samples from half a")
    ap.add_argument("--out", default="reports/mixture/code_corpus_controlled.json")
    ap.add_argument("--separation", action="store_true",
                    help="no inference: half a vs b pair distributions per language (first --caps value), to --out")
    a = ap.parse_args()
    caps = [int(x) for x in a.caps.split(",")]
    if a.separation:
        Path(a.out).write_text(json.dumps(separation(caps[0], "ws" in a.variants), indent=1))
        return
    setting = "+".join(
        [f"infer={a.infer_on}", f"{a.merges}m", f"{a.budget_mb:g}MB" if a.budget_mb > 0 else "maxMB"]
        + ([f"draw={a.draw}"] if a.draw != "replace" else [])
        + ([f"per_doc_cap={a.per_doc_cap}"] if a.per_doc_cap else [])
        + ([f"order={a.order}"] if a.infer_on == "b" else []) + (["swap"] if a.swap else []))
    specs = a.variants.split(",")
    labels = [f"{setting}|{v}" for v in specs]
    out = Path(a.out)
    rows: list[dict] = json.loads(out.read_text()) if out.exists() else []
    rows = [r for r in rows if not (r.get("variant") in labels and r.get("n_langs") == a.langs)]
    all_langs = load_corpus("code_corpus").languages("b")
    train_all, test_all, proj_all = halves(all_langs, a.swap)
    for seed in (int(s) for s in a.seeds.split(",")):
        rng = np.random.default_rng(10_000 + 100 * a.langs + seed)
        names = sorted(rng.choice(all_langs, size=a.langs, replace=False).tolist())
        w = rng.dirichlet(np.ones(a.langs))
        train = {x: train_all[x] for x in names}
        budget = a.budget_mb * 1e6
        if budget <= 0:  # the largest budget that needs no file twice: every language's share fits its pool
            budget = min(sum(len(d.encode()) for d in train[x]) / wi for x, wi in zip(names, w, strict=True))
        tagged = draw_tagged(train, w, budget, rng, a.draw)
        truth = byte_shares(tagged, names)
        t0 = time.perf_counter()
        tok = train_tokenizer([d for _, d in tagged], a.merges)
        src = from_rust(tok, f"code{a.langs}-s{seed}")
        t_train = time.perf_counter() - t0
        pre = mixture_pre_tokenizer(src)
        truth_p = pair_shares(tagged, names, pre)
        if a.infer_on == "train":
            pool = {x: [d for t, d in tagged if t == x] for x in names}
        elif a.infer_on == "a":
            pool = train
        else:
            order = {x: sample_order(proj_all[x], a.order, 7) for x in names}  # the same samples for every seed
            pool = {x: [test_all[x][i] for i in order[x]] for x in names}
            pool_proj = {x: [proj_all[x][i] for i in order[x]] for x in names}
        if a.per_doc_cap:
            pool = {x: [cap_docs([d], a.per_doc_cap)[0] for d in v] for x, v in pool.items()}
        for cap in caps:
            sub = {x: cap_docs(pool[x], cap) for x in names}
            projects = {x: pool_proj[x][: len(sub[x])] for x in names} if a.infer_on == "b" else None
            t0 = time.perf_counter()
            counted = {x: count_words(x, sub[x], pre) for x in names}
            t_count = time.perf_counter() - t0
            for spec, label in zip(specs, labels, strict=True):
                t0 = time.perf_counter()
                cats = {x: treat(cw, spec, projects[x] if projects else None) for x, cw in counted.items()}
                m = next((int(t.split("=")[1]) for t in spec.split("+") if t.startswith("merges=")), a.merges)
                sub_k = next((int(t.split("=")[1]) for t in spec.split("+") if t.startswith("sub=")), None)
                pw = next((float(t.split("=")[1]) for t in spec.split("+") if t.startswith("projw=")), None)
                eff_proj = None
                if pw is not None:
                    if projects is None:
                        raise SystemExit("projw needs samples from half b (project labels)")
                    est_b, est_p, lp_pw, eff_proj = project_equalised(src, cats, projects, m, pw)
                    r = argparse.Namespace(lp=lp_pw)
                elif sub_k is not None:
                    if projects is None:
                        raise SystemExit("sub needs samples from half b (project labels)")
                    groups = {g.name: g for x, cw in cats.items() for g in project_groups(cw, projects[x], sub_k)}
                    r = infer_mixture(src, groups, merges=m, threads=2)
                    est_b = np.array([sum(v for g, v in r.byte_weights.items() if g.split("#")[0] == x) for x in names])
                    est_p = np.array([sum(v for g, v in r.weights.items() if g.split("#")[0] == x) for x in names])
                else:
                    r = infer_mixture(src, cats, merges=m, threads=2)
                    est_b = np.array([r.byte_weights[x] for x in names])
                    est_p = np.array([r.weights[x] for x in names])
                rw = next((float(t.split("=")[1]) for t in spec.split("+") if t.startswith("relw=")), None)
                if rw is not None:
                    est_b, est_p = relative_weighed(src, cats, m, rw)
                pb = next((t.split("=")[1].split(":") for t in spec.split("+") if t.startswith("pboot=")), None)
                if pb is not None:
                    if projects is None:
                        raise SystemExit("pboot needs samples from half b (project labels)")
                    est_b, est_p = project_weighed(src, cats, projects, int(pb[0]), m, pb[1] if len(pb) > 1 else "both",
                                                   float(pb[2]) if len(pb) > 2 else 1.0)
                row = {
                    "variant": label, "n_langs": a.langs, "seed": seed, "cap": cap, "langs": names,
                    "sample_bytes": int(sum(c.n_bytes() for c in cats.values())),
                    "sample_projects": {x: len(set(p)) for x, p in projects.items()} if projects else {},
                    "merges": m, "budget_mb": budget / 1e6, "truth": truth.tolist(), "truth_pairs": truth_p.tolist(),
                    "dirichlet": w.tolist(), "est_bytes": est_b.tolist(), "est_pairs": est_p.tolist(),
                    "log10_mse_bytes": log_mse(est_b, truth),
                    "log10_mse_pairs_vs_pair_truth": log_mse(est_p, truth_p),
                    "baseline_uniform": log_mse(np.full(a.langs, 1 / a.langs), truth),
                    **({"effective_projects": eff_proj} if eff_proj is not None else {}),
                    "unexplained_merges": r.lp.skipped_steps, "lp_rounds": r.lp.rounds, "train_s": t_train,
                    "count_s": t_count, "infer_s": time.perf_counter() - t0,
                    "command": " ".join(["python", "benchmarks/mixture_code_corpus.py", *sys.argv[1:]]),
                }
                rows.append(row)
                err = {x: round(float(e - t), 4) for x, e, t in zip(names, est_b, truth, strict=True)}
                print(json.dumps({k: v for k, v in row.items() if not isinstance(v, list | dict)} | {"err": err}),
                      flush=True)
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(json.dumps(rows, indent=1))
    write_markdown(out, rows)
    print(out.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
