"""End-to-end mixture inference: count words, replay merges, solve the LP, convert, bootstrap."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from tokbench.errors import TokbenchError
from tokbench.mixture.history import build_history
from tokbench.mixture.lp import LPResult, RankedCounts, WarmStart, solve_lp
from tokbench.mixture.replay import MergeTable, Replay, WordTable, compile_merges, encode_words, replay
from tokbench.mixture.tasks import CategoryStages
from tokbench.mixture.trainer_view import char_ranks, filter_replay, trainer_view
from tokbench.mixture.words import CategoryWords, count_words

DEFAULT_MERGES = 30_000  # the paper's protocol: the first 30k merges
# A bootstrap replicate starts at the point estimate's weights and rows, so the first round whose
# weights move less than the LP's alpha_tol ends it. Measured on gpt2, 30k x 112, 3 replicates, each
# against a cold solve of the same resampled data (87/78/80 rounds, 46-62 s): patience 1 ends after
# 18-21 rounds (24-28 s), RMS gap to the cold answer 0.0009-0.0011 (max 0.007); patience 2 after
# 19-38 rounds (27-38 s), 0.0010-0.0021 (max 0.019). 20 replicates: gpt2 420 -> 374 s, trained
# 267 -> 228 s (benchmarks/mixture_stages.py --bootstrap 20; with lp's first-solve pricing as well,
# 278-292 s and 225 s).
REPLICATE_PATIENCE = 1
OTHER = "other"


class MergeSource(Protocol):
    """The slice of the Tokenizer protocol the solver needs."""

    name: str
    algorithm: str
    symbol_unit: str

    def merges(self) -> list[tuple[bytes, bytes]]: ...

    def pre_tokenize(self, text: str) -> list[bytes]: ...


@dataclass
class MixtureResult:
    tokenizer: str
    categories: list[str]
    weights: dict[str, float]  # pair space (what the LP solves)
    byte_weights: dict[str, float]
    merges_used: int
    start_merge: int
    solver: str
    lp: LPResult
    timings: dict[str, float]
    bytes_per_pair: dict[str, float]
    ci: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)  # space -> name -> (lo, hi)
    # space -> name -> mean over replicates: where the estimator lands on resampled data. It can sit
    # away from the point estimate (gpt2, 30k x 112: English 0.937, interval 0.877-0.904, and cold
    # solves of the same replicates agree), so the shift is reported rather than hidden
    boot_mean: dict[str, dict[str, float]] = field(default_factory=dict)
    bootstrap: int = 0
    # the categories' counted words, for checks on the same samples (e.g. separation) without
    # pre-tokenizing them again; not part of the JSON
    words: list[CategoryWords] = field(default_factory=list, repr=False)
    # space -> [replicate, category] estimates, so sums over categories (e.g. "all code") get their
    # own intervals; not part of the JSON (ci95 and bootstrap_mean summarise it)
    replicates: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "tokenizer": self.tokenizer,
            "weights": self.weights,
            "byte_weights": self.byte_weights,
            "merges_used": self.merges_used,
            "start_merge": self.start_merge,
            "solver": self.solver,
            "objective": self.lp.objective,
            "lp_rounds": self.lp.rounds,
            "lp_rows": self.lp.n_rows,
            "lp_pair_vars": self.lp.n_pair_vars,
            "lp_converged": self.lp.converged,
            "lp_max_violation": self.lp.max_violation,
            "unexplained_merges": self.lp.skipped_steps,
            "bootstrap": self.bootstrap,
            "ci95": {s: {k: list(v) for k, v in d.items()} for s, d in self.ci.items()},
            "bootstrap_mean": self.boot_mean,
            "bytes_per_pair": self.bytes_per_pair,
            "timings": self.timings,
        }


def byte_space(alpha: np.ndarray, n_bytes: np.ndarray, n_pairs: np.ndarray) -> np.ndarray:
    """Pair-space weights -> byte-space shares: alpha_i * bytes_i / pairs_i, renormalised."""
    b = alpha * (n_bytes / n_pairs)
    s = b.sum()
    return b / s if s > 0 else b


def mixture_pre_tokenizer(source: MergeSource) -> Callable[[str], list[bytes]]:
    """Document -> words as the tokenizer's trainer counted them: the tokenizer's own pre-tokenizer,
    cut further for SentencePiece-family tokenizers (lines, scripts, digits, unknown characters)."""
    view = trainer_view(source)
    return source.pre_tokenize if view is None else view.words(source.pre_tokenize)


def _replay_all(
    words: Sequence[CategoryWords], table: MergeTable, start: int, stop: int, threads: int,
    doc_weights: Sequence[np.ndarray | None] | None = None,
    pair_ok: Callable[[np.ndarray], np.ndarray] | None = None,
    encoded: Sequence[tuple[np.ndarray, np.ndarray]] | None = None,
) -> list[Replay]:
    """Replay every category; ``encoded`` (from `encode_words`) saves re-encoding the same words,
    e.g. across bootstrap replicates, which only reweight them."""
    if encoded is None:
        encoded = [encode_words(cw.words, table) for cw in words]

    def one(i: int) -> Replay:
        flat, off = encoded[i]
        dw = doc_weights[i] if doc_weights is not None else None
        rep = replay(WordTable(flat, off, words[i].counts(dw)), table, start, stop)
        return rep if pair_ok is None else filter_replay(rep, pair_ok)

    if threads <= 1 or len(words) == 1:
        return [one(i) for i in range(len(words))]
    # the numba kernel releases the GIL: threads give real parallelism without copying data
    with ThreadPoolExecutor(threads) as ex:
        return list(ex.map(one, range(len(words))))


def prepare_table(source: MergeSource, words: Sequence[CategoryWords]) -> MergeTable:
    """Compile the tokenizer's merge list (checked) in its symbol unit."""
    if getattr(source, "algorithm", "bpe") != "bpe":
        raise TokbenchError(
            f"{source.name} is a {source.algorithm} tokenizer: mixture inference needs a BPE merge list"
        )
    # SentencePiece: the order of training (ids), which can differ from the encoding order (scores)
    merges = getattr(source, "training_merges", source.merges)()
    if not merges:
        raise TokbenchError(f"{source.name} has an empty merge list")
    extra = None
    if source.symbol_unit == "char":
        extra = {ch for cw in words for w in cw.words for ch in w.decode("utf-8", errors="replace")}
    return compile_merges(merges, source.symbol_unit, extra)


def infer_mixture(
    source: MergeSource,
    categories: Mapping[str, Sequence[str]] | Mapping[str, CategoryWords],
    *,
    merges: int | None = DEFAULT_MERGES,
    start_merge: int = 0,
    solver: str = "highs",
    other: bool = False,
    bootstrap: int = 0,
    seed: int = 0,
    threads: int = 2,
    tol: float = 1e-2,
    time_limit: float = 600.0,
    exact: bool = False,
    table: MergeTable | None = None,
    progress: Callable[[str], None] | None = None,
    stages: CategoryStages | None = None,
) -> MixtureResult:
    """Estimate the training-data share of each category from ``source``'s merge list.

    ``categories`` maps a name to its sample documents (or to already counted words: count them
    with ``mixture_pre_tokenizer(source)``; SentencePiece's character-rank rows need the documents).
    Solves on merges [start_merge, start_merge + merges); ``merges=None`` takes the rest.
    ``stages`` runs the per-category counting and replays elsewhere (e.g. `tasks.DaskStages`);
    the LP always runs here, on the same input.
    """
    say = progress or (lambda _m: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if not categories:
        raise TokbenchError("no categories given: pass --categories DIR with one <name>.txt per category")
    view = trainer_view(source)
    pre_tokenize = source.pre_tokenize if view is None else view.words(source.pre_tokenize)
    words: list[CategoryWords] = []
    raw = all(not isinstance(d, CategoryWords) for d in categories.values())
    if stages is not None and raw:
        words = stages.count(categories)  # type: ignore[arg-type]
    else:
        for name, docs in categories.items():
            if isinstance(docs, CategoryWords):
                words.append(docs)
            else:
                words.append(count_words(name, docs, pre_tokenize))
    # SentencePiece's character order is a second, unigram merge list (needs the raw text)
    rank_mats: list | None = None
    n_ranked = 0
    if view is not None and raw:
        dummy = source.pre_tokenize("a")[:1] == [b" a"]
        got = char_ranks(view, list(categories.values()), dummy)  # type: ignore[arg-type]
        if got is not None:
            rank_mats, n_ranked = got
    names = [cw.name for cw in words]
    timings["pretokenize"] = time.perf_counter() - t0
    say(f"counted words of {len(words)} categories in {timings['pretokenize']:.1f}s")
    t0 = time.perf_counter()
    if table is None:
        table = prepare_table(source, words)
    pair_ok = view.pair_ok(table) if view is not None else None
    total = table.n_merges
    if start_merge < 0 or start_merge >= total:
        raise TokbenchError(f"--start-merge {start_merge} is outside the merge list (0..{total - 1})")
    stop = total if merges is None else min(total, start_merge + merges)
    timings["compile"] = time.perf_counter() - t0

    def lp_progress(k: int, _alpha: np.ndarray, max_violation: float) -> None:
        if k % 10 == 0:
            say(f"LP round {k}: largest violation {max_violation:.3g} occurrences")

    # the words' symbol sequences do not change between the point estimate and bootstrap replicates
    encoded = [encode_words(cw.words, table) for cw in words] if stages is None else None

    def solve_once(doc_weights: Sequence[np.ndarray | None] | None, warm: WarmStart | None = None,
                   replay_threads: int = threads) -> tuple[LPResult, np.ndarray, dict[str, float]]:
        tt: dict[str, float] = {}
        a = time.perf_counter()
        if stages is None:
            reps = _replay_all(words, table, start_merge, stop, replay_threads, doc_weights, pair_ok, encoded)
        else:
            reps = stages.replay(words, table, start_merge, stop, doc_weights)
            reps = reps if pair_ok is None else [filter_replay(r, pair_ok) for r in reps]
        tt["replay"] = time.perf_counter() - a
        a = time.perf_counter()
        hist = build_history(reps, table, start_merge)
        n_pairs = hist.n_pairs.copy()
        del reps
        ranks = None
        if rank_mats is not None:
            dws = doc_weights if doc_weights is not None else [None] * len(words)
            ranks = RankedCounts(
                np.stack([np.asarray(m.sum(axis=0)).ravel() if dw is None else m.T @ dw.astype(np.int64)
                          for m, dw in zip(rank_mats, dws, strict=True)]),
                n_ranked,
            )
        tt["index"] = time.perf_counter() - a
        a = time.perf_counter()
        lp = solve_lp(hist, solver=solver, tol=tol, other=other, time_limit=time_limit, threads=1,
                      **({"alpha_tol": 0.0} if exact else {}),
                      on_round=lp_progress if doc_weights is None else None, ranks=ranks,
                      # a replicate starts at the point estimate (loosest anchor) and stops at its first
                      # stable round (see REPLICATE_PATIENCE)
                      **({"start": warm, "patience": REPLICATE_PATIENCE} if warm is not None else {}))
        tt["solve"] = time.perf_counter() - a
        tt["lp_search"] = lp.timings["search"]
        tt["lp_solver"] = lp.timings["solve"]
        return lp, n_pairs, tt

    lp, n_pairs, tt = solve_once(None)
    timings.update(tt)
    say(f"replayed {stop - start_merge} merges in {tt['replay']:.1f}s, LP {tt['solve']:.1f}s ({lp.rounds} rounds)")
    n_bytes = np.array([cw.n_bytes() for cw in words], np.float64)
    out_names = names + ([OTHER] if other else [])

    def shares(lpr: LPResult, npairs: np.ndarray, nbytes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a = lpr.alpha
        if other:
            a = np.append(a, lpr.alpha_other or 0.0)
            # other's bytes per pair are unknown: use the listed categories' pooled ratio
            nbytes = np.append(nbytes, nbytes.sum())
            npairs = np.append(npairs, npairs.sum())
        return a, byte_space(a, nbytes, npairs)

    a, b = shares(lp, n_pairs, n_bytes)
    result = MixtureResult(
        tokenizer=source.name, categories=out_names,
        weights=dict(zip(out_names, map(float, a), strict=True)),
        byte_weights=dict(zip(out_names, map(float, b), strict=True)),
        merges_used=stop - start_merge, start_merge=start_merge, solver=solver, lp=lp, timings=timings,
        bytes_per_pair={n: float(x / p) for n, x, p in zip(names, n_bytes, n_pairs, strict=True)},
        bootstrap=bootstrap, words=words,
    )
    if bootstrap > 0:
        t0 = time.perf_counter()
        rng = np.random.default_rng(seed)
        draws = [[rng.multinomial(cw.n_docs, np.full(cw.n_docs, 1.0 / cw.n_docs)) for cw in words]
                 for _ in range(bootstrap)]
        warm = WarmStart.of(lp)
        done = [0]

        def replicate(dws: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
            # warm: the point estimate's weights and live rows, so a replicate re-solves a nearby LP
            lpr, npairs, tt_ = solve_once(dws, warm, replay_threads=1 if par > 1 else threads)
            nb_ = np.array([cw.n_bytes(dw) for cw, dw in zip(words, dws, strict=True)], np.float64)
            done[0] += 1
            say(f"bootstrap {done[0]}/{bootstrap}")
            return (*shares(lpr, npairs, nb_), tt_ | {"rounds": float(lpr.rounds)})

        # replicates are independent; HiGHS and the numba kernels release the GIL, so threads run them
        # side by side (results in draw order, so a seed gives the same intervals at any thread count)
        par = 1 if stages is not None else max(1, min(threads, bootstrap))
        if par == 1:
            got = [replicate(d) for d in draws]
        else:
            with ThreadPoolExecutor(par) as ex:
                got = list(ex.map(replicate, draws))
        A = [g[0] for g in got]
        B = [g[1] for g in got]
        for key in got[0][2]:  # where replicates spend their time, summed (threads overlap)
            timings[f"bootstrap_{key}"] = sum(g[2][key] for g in got)
        for space, M in (("weights", np.array(A)), ("byte_weights", np.array(B))):
            lo, hi = np.percentile(M, [2.5, 97.5], axis=0)
            result.ci[space] = {n: (float(x), float(y)) for n, x, y in zip(out_names, lo, hi, strict=True)}
            result.boot_mean[space] = dict(zip(out_names, map(float, M.mean(axis=0)), strict=True))
            result.replicates[space] = M
        timings["bootstrap"] = time.perf_counter() - t0
    stages = ("pretokenize", "compile", "replay", "index", "solve", "bootstrap")
    timings["total"] = sum(v for k, v in timings.items() if k in stages)
    return result
