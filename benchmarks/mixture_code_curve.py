"""Code mixtures: log10 MSE against the per-language inference sample size (issue 13, part 2).

Same trials, seeds and tokenizers as `mixture_controlled.py --setups code15` (byte-level BPE on
a random Dirichlet mixture of the 15 `code_samples` languages, even files for training, odd
files for inference). Each trial's tokenizer is trained once; inference is then repeated with
every language's sample capped at each of --caps bytes (0 = the whole sample), so the curve
shows how the error falls with sample size and nothing else changes along it.

Diagnostic switches (one hypothesis at a time, see reports/mixture/code.md):
  --draw cycle       training text as in the paper's train_mixed_tokenizer.py: each language's
                     files shuffled once and cycled, the last one truncated (default: files
                     drawn with replacement, as mixture_controlled.py does)
  --infer-on train   in-sample: infer from the very documents the tokenizer was trained on
                     (with their repeats); `pool`: the training files, each once
  --clean boilerplate  strip lines repeated in >= 25% of a language's files (license headers,
                     import blocks) from the inference samples
  --drop ws          leave whitespace-only words out of the counts (bytes still counted)
  --count-cap K      count a word at most K times per document (burstiness)
  --doc-cap N        keep only the first N bytes of each inference document
  --start-merge S / --infer-merges M   solve on merges [S, M) only
  --bag K            average K document-bootstrap estimates
  --weigh-steps K    solve once with each step's slack v_t costing mean(sd)/sd_t (clipped to
                     [0.1, 10]) instead of 1: sd_t is the spread over K document-bootstrap
                     replicates of step t's merged-pair count (--weigh-stat merged) or of its
                     margin over the top competitor (margin), weighted uniformly or by the point
                     estimate (--weigh-at); --weigh-pairs weighs each pair's v_p the same way (its
                     count at the step where it peaks); --weigh-power p raises the costs to p
                     (0: all 1, the unweighted LP), --weigh-norm rescales them to mean 1 and
                     --weigh-scale multiplies them
  --swap             train on the odd files, infer from the even ones
  --separation code15,lang5   no inference: split-half noise vs nearest-other distance of the
                     samples (tokbench.mixture.separation), rows to --out

Usage: TOKBENCH_DATA=../shared/assets nice -n 10 python benchmarks/mixture_code_curve.py
       [--trials 3] [--merges 2000] [--budget-mb 2] [--caps 10000,30000,100000,0]
       [--out reports/mixture/code_curve.json]
(writes the JSON rows and a Markdown table beside it).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mixture_controlled import byte_shares, draw_tagged, log_mse, setup_data, train_tokenizer  # noqa: E402

from tokbench.mixture.history import History, build_history, counts_at, find_violations  # noqa: E402
from tokbench.mixture.infer import (  # noqa: E402
    MergeSource,
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


def cap_docs(docs: list[str], cap: int) -> list[str]:
    """The first documents up to ``cap`` UTF-8 bytes; the last one cut at a line boundary."""
    if cap <= 0:
        return list(docs)
    out: list[str] = []
    got = 0
    for d in docs:
        b = len(d.encode())
        if got + b <= cap:
            out.append(d)
            got += b
            continue
        head = d.encode()[: cap - got].decode("utf-8", errors="ignore")
        cut = head.rfind("\n")
        head = head[: cut + 1] if cut >= 0 else head
        if head:
            out.append(head)
        break
    return out


def strip_boilerplate(cats: dict[str, list[str]], min_df: float = 0.25) -> dict[str, list[str]]:
    """Diagnostic: drop lines (over 3 non-blank characters) found in >= min_df of a language's files
    (license headers, include/import blocks every file repeats)."""
    from collections import Counter

    out = {}
    for x, docs in cats.items():
        df = Counter(ln for d in docs for ln in set(d.split("\n")) if len(ln.strip()) > 3)
        common = {ln for ln, c in df.items() if c >= min_df * len(docs)}
        out[x] = [t for t in ("\n".join(ln for ln in d.split("\n") if ln not in common) for d in docs) if t.strip()]
    return out


def capped(pre: Callable[[str], list[bytes]], k: int) -> Callable[[str], list[bytes]]:
    """Diagnostic: a pre-tokenizer that keeps each word at most ``k`` times per document (burstiness)."""
    def words(doc: str) -> list[bytes]:
        seen: dict[bytes, int] = {}
        out = []
        for w in pre(doc):
            if seen.get(w, 0) < k:
                seen[w] = seen.get(w, 0) + 1
                out.append(w)
        return out
    return words


def dropping(pre: Callable[[str], list[bytes]], drop: Callable[[bytes], bool]) -> Callable[[str], list[bytes]]:
    """Diagnostic: a pre-tokenizer that leaves out the words ``drop`` selects (documents keep their bytes)."""
    return lambda doc: [w for w in pre(doc) if not drop(w)]


def resample(cw: CategoryWords, rng: np.random.Generator) -> CategoryWords:
    """A document bootstrap replicate of a counted sample (documents drawn with replacement)."""
    pick = rng.integers(cw.n_docs, size=cw.n_docs)
    parts = [cw.doc_word_ids[cw.doc_offsets[d]:cw.doc_offsets[d + 1]] for d in pick]
    lens = np.array([len(p) for p in parts], np.int64)
    return CategoryWords(cw.name, cw.words, np.concatenate(parts), np.concatenate([[0], np.cumsum(lens)]),
                         cw.doc_bytes[pick])


def step_noise(hist_of: Callable[[list[np.ndarray] | None], History], n_docs: list[int], k: int, w: np.ndarray,
               s0: float, stat: str, pair_at: tuple[np.ndarray, np.ndarray] | None = None,
               seed: int = 0) -> tuple[np.ndarray, np.ndarray | None]:
    """Spread (sd over ``k`` document-bootstrap replicates, drawn as `infer_mixture` draws them) of
    each step's merged-pair count, or of its margin over the top competitor, at weights ``w`` in
    the point LP's units (s0 / N_i per raw count, N_i each replicate's own pair total).
    ``pair_at`` (pair keys, one step each): also the spread of each pair's count at its step."""
    rng = np.random.default_rng(seed)
    vals, pvals = [], []
    for _ in range(k):
        h = hist_of([rng.multinomial(d, np.full(d, 1.0 / d)) for d in n_docs])
        ws = w * s0 / h.n_pairs
        y = ws @ h.merged
        if stat == "margin":
            T = h.n_steps
            st, _, viol = find_violations(h, ws, np.zeros(T), np.zeros(h.n_gids), np.zeros(T), -1e300, 2)
            first = np.unique(st, return_index=True)[1]  # each step's rows come most violated first
            best = np.zeros(T)  # a step with no competitor at all: margin = merged count
            best[st[first]] = viol[first] + y[st[first]]
            y = y - best
        vals.append(y)
        if pair_at is not None:
            keys, at = pair_at
            pos = np.minimum(np.searchsorted(h.keys, keys), len(h.keys) - 1)
            there = h.keys[pos] == keys  # a pair the replicate's documents never form counts 0
            c = np.zeros(len(keys))
            c[there] = counts_at(h, at[there], pos[there]) @ ws
            pvals.append(c)
    return np.std(vals, axis=0, ddof=1), (np.std(pvals, axis=0, ddof=1) if pair_at is not None else None)


def noise_costs(sd: np.ndarray, power: float, norm: bool, scale: float) -> np.ndarray:
    """(mean sd / sd)^power clipped to [0.1, 10] (sd 0: 10), optionally rescaled to mean 1, times scale."""
    ref = sd[sd > 0].mean()
    c = np.clip(np.divide(ref, sd, out=np.full_like(sd, np.inf), where=sd > 0) ** power, 0.1, 10.0)
    return (c / c.mean() if norm else c) * scale


def weighed_estimate(src: MergeSource, cats: dict, kw: dict, a: argparse.Namespace,
                     check: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict]:
    """Diagnostic: the point LP re-solved with each step's slack (and with --weigh-pairs each pair's)
    costing 1 / its bootstrap noise (see the module docstring).

    Rebuilds `infer_mixture`'s point estimate from its own pieces (checked against ``check``, the
    pair-space weights infer_mixture returned) so the replicates and the weighted LP see the same
    history."""
    pre = mixture_pre_tokenizer(src)
    words = [c if isinstance(c, CategoryWords) else count_words(x, c, pre) for x, c in cats.items()]
    table = prepare_table(src, words)
    start = kw["start_merge"]
    stop = min(table.n_merges, start + kw["merges"])
    encoded = [encode_words(cw.words, table) for cw in words]

    def hist_of(dws: list[np.ndarray] | None) -> History:
        return build_history(_replay_all(words, table, start, stop, 2, dws, None, encoded), table, start)

    h = hist_of(None)
    lp0 = solve_lp(h)
    if np.abs(lp0.alpha - check).max() > 1e-12:
        raise RuntimeError("the rebuilt point estimate differs from infer_mixture's")
    w = np.full(h.n_cat, 1.0 / h.n_cat) if a.weigh_at == "uniform" else lp0.alpha
    s0 = float(h.n_pairs.mean())
    t0 = time.perf_counter()
    pair_at = None
    if a.weigh_pairs:  # each pair's step: where its weighted count peaks on a grid of 11 steps
        grid = np.linspace(0, h.n_steps - 1, 11).astype(np.int64)
        P = h.n_gids
        cnt = (counts_at(h, np.repeat(grid, P), np.tile(np.arange(P), len(grid))) @ (w * s0 / h.n_pairs))
        pair_at = (h.keys, grid[np.argmax(cnt.reshape(len(grid), P), axis=0)])
    sd, psd = step_noise(hist_of, [cw.n_docs for cw in words], a.weigh_steps, w, s0, a.weigh_stat, pair_at)
    costs = noise_costs(sd, a.weigh_power, a.weigh_norm, a.weigh_scale)
    pcosts = noise_costs(psd, a.weigh_power, a.weigh_norm, a.weigh_scale) if psd is not None else None
    t_noise = time.perf_counter() - t0
    lp = solve_lp(h, step_costs=costs, pair_costs=pcosts)
    n_bytes = np.array([cw.n_bytes() for cw in words], np.float64)
    info = {"noise_s": t_noise, "cost_q": np.percentile(costs, [5, 25, 50, 75, 95]).round(3).tolist(),
            "clipped_lo": int((costs <= 0.1 * a.weigh_scale).sum()),
            "clipped_hi": int((costs >= 10 * a.weigh_scale).sum()),
            "identical_to_point": bool(np.array_equal(lp.alpha, lp0.alpha))}
    return byte_space(lp.alpha, n_bytes, h.n_pairs), lp.alpha, info


def table(rows: list[dict], key: str = "cap") -> str:
    """Markdown: mean +- sd of log10 MSE per cap (and per variant)."""
    import pandas as pd

    df = pd.DataFrame(rows)
    lines = ["| variant | cap / language | sample MB (mean) | trials | byte space | pair space | uniform |",
             "|---|---|---|---|---|---|---|"]
    for (variant, cap), g in df.groupby(["variant", key], sort=False):
        cap_s = "whole" if cap == 0 else f"{cap / 1e3:g} KB"
        lines.append(
            f"| {variant} | {cap_s} | {g.sample_bytes.mean() / 1e6:.3f} | {len(g)} | "
            f"{g.log10_mse_bytes.mean():.2f} ± {g.log10_mse_bytes.std():.2f} | "
            f"{g.log10_mse_pairs.mean():.2f} ± {g.log10_mse_pairs.std():.2f} | "
            f"{g.baseline_uniform.mean():.2f} |")
    return "\n".join(lines) + "\n"


def separation_rows(setups: list[str], caps: list[int]) -> list[dict]:
    """Split-half noise vs nearest-other distance (tokbench.mixture.separation) of the inference
    samples, plus the distance between each language's training and inference files."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    from tokbench.mixture.separation import pair_counts, separation, total_variation

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)  # as train_tokenizer's
    pre = from_rust(tok, "bytelevel").pre_tokenize
    rows = []
    for setup in setups:
        rng = np.random.default_rng(len(setup))  # trial 0's seed (the code split does not depend on it)
        train, test = setup_data(setup if setup.startswith("lang") else "code", rng)
        for cap in caps:
            cats = {x: count_words(x, cap_docs(test[x], cap), pre) for x in test}
            train_pairs = {x: pair_counts(count_words(x, train[x], pre)) for x in train}
            for sep in separation(cats):
                rows.append({"setup": setup, "cap": cap, "category": sep.name, "split_half": sep.split_half,
                             "nearest": sep.nearest, "nearest_tv": sep.nearest_tv, "ratio": sep.ratio,
                             "train_vs_test": total_variation(pair_counts(cats[sep.name]), train_pairs[sep.name])})
            r = [x for x in rows if x["setup"] == setup and x["cap"] == cap]
            print(f"{setup} cap {cap}: split-half {np.mean([x['split_half'] for x in r]):.3f}, train-vs-test "
                  f"{np.mean([x['train_vs_test'] for x in r]):.3f}, nearest other "
                  f"{np.mean([x['nearest_tv'] for x in r]):.3f}, ratio {np.mean([x['ratio'] for x in r]):.2f}",
                  flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--merges", type=int, default=2000)
    ap.add_argument("--budget-mb", type=float, default=2.0)
    ap.add_argument("--caps", default="10000,30000,100000,0", help="bytes per language; 0 = whole sample")
    ap.add_argument("--draw", choices=("replace", "cycle"), default="replace")
    ap.add_argument("--infer-on", choices=("test", "train", "pool"), default="test")
    ap.add_argument("--clean", choices=("", "boilerplate"), default="",
                    help="boilerplate: strip lines repeated across a language's files from the samples")
    ap.add_argument("--count-cap", type=int, default=0, help="count a word at most K times per document")
    ap.add_argument("--drop", choices=("", "ws"), default="", help="ws: whitespace-only words left out of the counts")
    ap.add_argument("--doc-cap", type=int, default=0, help="keep only the first N bytes of each sample document")
    ap.add_argument("--bag", type=int, default=0, help="average the estimates of K document-bootstrap replicates")
    ap.add_argument("--weigh-steps", type=int, default=0, help="weigh each step's slack by 1 / its noise over "
                    "K document-bootstrap replicates")
    ap.add_argument("--weigh-at", choices=("uniform", "point"), default="uniform",
                    help="weights at which the step noise is measured")
    ap.add_argument("--weigh-stat", choices=("merged", "margin"), default="merged",
                    help="noise of the merged-pair count, or of its margin over the top competitor")
    ap.add_argument("--weigh-power", type=float, default=1.0, help="costs (mean sd / sd)^p; 0: all 1")
    ap.add_argument("--weigh-norm", action="store_true", help="rescale the clipped costs to mean 1")
    ap.add_argument("--weigh-scale", type=float, default=1.0, help="multiply the costs (control: --weigh-power 0)")
    ap.add_argument("--weigh-pairs", action="store_true", help="weigh each pair's slack v_p by its noise too")
    ap.add_argument("--swap", action="store_true", help="train on the odd files, infer from the even ones")
    ap.add_argument("--start-merge", type=int, default=0, help="solve on merges from this one on")
    ap.add_argument("--infer-merges", type=int, default=0, help="solve on the first M merges (default: all)")
    ap.add_argument("--variant", default="", help="label of this run in the table (default: from the switches)")
    ap.add_argument("--out", default="reports/mixture/code_curve.json")
    ap.add_argument("--separation", default="", help="setups (e.g. code15,lang5): write sample separation rows "
                    "to --out instead of inferring")
    a = ap.parse_args()
    caps = [int(x) for x in a.caps.split(",")]
    if a.separation:
        Path(a.out).write_text(json.dumps(separation_rows(a.separation.split(","), caps), indent=1))
        return
    steps = [a.clean] if a.clean else []
    variant = a.variant or "+".join(
        [f"draw={a.draw}", f"infer={a.infer_on}"] + ([f"clean={a.clean}"] if steps else [])
        + ([f"count_cap={a.count_cap}"] if a.count_cap else []) + ([f"drop={a.drop}"] if a.drop else [])
        + ([f"infer_merges={a.infer_merges}"] if a.infer_merges else [])
        + ([f"start={a.start_merge}"] if a.start_merge else []) + (["swap"] if a.swap else [])
        + ([f"bag={a.bag}"] if a.bag else []) + ([f"doc_cap={a.doc_cap}"] if a.doc_cap else [])
        + ([f"weigh={a.weigh_steps}:{a.weigh_at}:{a.weigh_stat}:p{a.weigh_power:g}"
             + (":norm" if a.weigh_norm else "") + (f":x{a.weigh_scale:g}" if a.weigh_scale != 1 else "")
             + (":pairs" if a.weigh_pairs else "")] if a.weigh_steps else []))
    cleaner = (lambda c: strip_boilerplate(c)) if "boilerplate" in steps else None
    out = Path(a.out)
    rows: list[dict] = json.loads(out.read_text()) if out.exists() else []
    rows = [r for r in rows if r.get("variant") != variant]
    setup = "code15"
    for trial in range(a.trials):
        rng = np.random.default_rng(1000 * trial + len(setup))  # mixture_controlled.py's seeds
        train, test = setup_data("code", rng)
        if a.swap:
            train, test = test, train
        names = list(test)
        n = len(names)
        w = rng.dirichlet(np.ones(n))
        tagged = draw_tagged(train, w, a.budget_mb * 1e6, rng, a.draw)
        truth = byte_shares(tagged, names)  # exact byte shares of the training text
        t0 = time.perf_counter()
        tok = train_tokenizer([d for _, d in tagged], a.merges)
        src = from_rust(tok, f"{setup}-t{trial}")
        t_train = time.perf_counter() - t0
        if a.infer_on == "train":
            sample = {x: [d for t, d in tagged if t == x] for x in names}
        elif a.infer_on == "pool":
            sample = {x: train[x] for x in names}
        else:
            sample = test
        if cleaner is not None:
            sample = cleaner(sample)
        if a.doc_cap:
            sample = {x: [cap_docs([d], a.doc_cap)[0] for d in sample[x]] for x in names}
        for cap in caps:
            sub = {x: cap_docs(sample[x], cap) for x in names}
            t0 = time.perf_counter()
            cats: dict = sub
            if a.count_cap or a.drop:
                pre = mixture_pre_tokenizer(src)
                if a.count_cap:
                    pre = capped(pre, a.count_cap)
                if a.drop == "ws":
                    pre = dropping(pre, bytes.isspace)
                cats = {x: count_words(x, sub[x], pre) for x in names}
            kw = {"merges": (a.infer_merges or a.merges) - a.start_merge, "start_merge": a.start_merge, "threads": 2}
            r = infer_mixture(src, cats, **kw)
            est_b = np.array([r.byte_weights[x] for x in names])
            est_p = np.array([r.weights[x] for x in names])
            if a.bag:
                pre = mixture_pre_tokenizer(src)
                counted = {x: c if isinstance(c, CategoryWords) else count_words(x, c, pre) for x, c in cats.items()}
                brng = np.random.default_rng(trial)
                B, P = [], []
                for _ in range(a.bag):
                    rep = {x: resample(c, brng) for x, c in counted.items()}
                    rb = infer_mixture(src, rep, **kw)
                    B.append([rb.byte_weights[x] for x in names])
                    P.append([rb.weights[x] for x in names])
                est_b, est_p = np.mean(B, axis=0), np.mean(P, axis=0)
            extra: dict = {}
            if a.weigh_steps:
                est_b, est_p, extra = weighed_estimate(src, cats, kw, a, est_p)
            row = {
                "variant": variant, "setup": setup, "trial": trial, "cap": cap, "langs": names,
                "sample_bytes": int(sum(len(d.encode()) for v in sub.values() for d in v)),
                "merges": a.merges, "truth": truth.tolist(), "dirichlet": w.tolist(),
                "est_bytes": est_b.tolist(), "est_pairs": est_p.tolist(),
                "log10_mse_bytes": log_mse(est_b, truth), "log10_mse_pairs": log_mse(est_p, truth),
                "log10_mse_bytes_vs_dirichlet": log_mse(est_b, w),
                "baseline_uniform": log_mse(np.full(n, 1 / n), truth),
                "unexplained_merges": r.lp.skipped_steps, "train_s": t_train,
                "infer_s": time.perf_counter() - t0, **extra,
            }
            rows.append(row)
            print(json.dumps({k: v for k, v in row.items() if not isinstance(v, list)}), flush=True)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(rows, indent=1))
    out.with_suffix(".md").write_text(
        f"# Code mixtures: log10 MSE by per-language sample cap ({a.merges} merges, {a.budget_mb:g} MB training)\n\n"
        + table(rows))
    print(out.with_suffix(".md").read_text())


if __name__ == "__main__":
    main()
