"""`tokbench mixture`: infer a BPE tokenizer's training-data mixture (Hayase et al. 2024)."""

from __future__ import annotations

import argparse
import sys

from tokbench.argtypes import non_negative_int, positive_float, positive_int
from tokbench.errors import TokbenchError
from tokbench.mixture import SOLVERS
from tokbench.output import print_json, print_table

NAME = "mixture"
HELP = "estimate the share of each category (language, code, domain) in a BPE tokenizer's training data"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tokenizer", help="registered name or path to a tokenizer file/folder")
    parser.add_argument("--name", help="name for a tokenizer given by path (default: its file or folder name)")
    parser.add_argument(
        "--categories", nargs="+", required=True, metavar="DIR|CORPUS[:SPLIT][:LANGS]",
        help="a folder with one <name>.txt(.gz) per category, or a registered corpus "
             "(e.g. flores200:devtest:eng_Latn,fra_Latn or code_samples; flores200:devtest:@hayase2024 "
             "is the paper's language list)",
    )
    parser.add_argument(
        "--merges", type=positive_int, default=30000, help="merges to solve on (default 30000, the paper's)"
    )
    parser.add_argument("--start-merge", default="0",
                        help="first merge to solve on, or 'auto' to skip merges inherited from a registered tokenizer")
    parser.add_argument("--solver", choices=SOLVERS, default="highs", help="LP solver (default highs: highspy, warm)")
    parser.add_argument(
        "--bootstrap", type=non_negative_int, default=0, help="bootstrap replicates over documents for 95%% CIs"
    )
    parser.add_argument("--other", action="store_true", help="add an 'other' category for unexplained mass")
    parser.add_argument("--time-limit", type=positive_float, default=600.0, help="LP time limit in seconds")
    parser.add_argument("--threads", type=positive_int, default=2, help="parallel category replays")
    parser.add_argument("--seed", type=non_negative_int, default=0)
    parser.add_argument(
        "--executor", choices=("local", "dask"), default="local",
        help="where the per-category counting and merge replays run: local (this process, default) or dask "
             "(one task per category on a Dask cluster; the LP stays here)",
    )
    parser.add_argument("--address", help="Dask scheduler address, e.g. tcp://login-node:8786 (--executor dask)")
    parser.add_argument("--workers", type=positive_int, help="workers of a local Dask cluster (default 2)")
    parser.add_argument("--exact", action="store_true",
                        help="run the LP to its exact optimum instead of stopping once the weights are stable")
    parser.add_argument("--separation", action="store_true",
                        help="also check that each category's sample tells it apart from the nearest other one "
                             "(split-half noise / nearest distance; flags ratios above 0.5)")


def resolve_start(tok: object, spec: str, quiet: bool) -> tuple[int, list[dict[str, object]] | None]:
    """(first merge to solve on, the lineage records when 'auto' looked them up: the JSON result carries
    them, so a report can say whose merges were skipped)."""
    if spec != "auto":
        try:
            k = int(spec)
        except ValueError:
            raise TokbenchError(f"--start-merge must be an integer or 'auto', not {spec!r}") from None
        return k, None
    from tokbench.inspection.lineage import find_lineage, relative_json

    lin = find_lineage(tok)
    records = [relative_json(r) for r in lin.relatives]
    parent = lin.parent
    if parent is None:
        return 0, records
    if not quiet:
        print(f"{tok.name} extends {parent.name}: solving on merges from #{parent.shared} on", file=sys.stderr)
    return parent.shared, records


def run(args: argparse.Namespace) -> int:
    from tokbench.mixture.categories import load_categories
    from tokbench.mixture.infer import infer_mixture
    from tokbench.tokenizers import load_tokenizer

    if args.merges <= 0:
        raise TokbenchError("--merges must be positive")
    tok = load_tokenizer(args.tokenizer, name=args.name)
    if tok.algorithm != "bpe":
        raise TokbenchError(f"{tok.name} is a {tok.algorithm} tokenizer: mixture inference needs a BPE merge list")
    cats = load_categories(args.categories)
    start, lineage = resolve_start(tok, args.start_merge, args.quiet or args.json)
    say = None if (args.quiet or args.json) else (lambda m: print(m, file=sys.stderr))
    options = dict(
        merges=args.merges, start_merge=start, solver=args.solver, other=args.other, bootstrap=args.bootstrap,
        seed=args.seed, threads=args.threads, time_limit=args.time_limit, exact=args.exact, progress=say,
    )
    if args.executor == "dask":
        import logging

        from tokbench.executors.dask_cluster import DaskExecutor

        try:
            import distributed  # noqa: F401  (configures its loggers on import: quiet them after)
        except ImportError:
            pass  # DaskExecutor says how to install it
        logging.getLogger("distributed").setLevel(logging.WARNING)  # cluster start/stop chatter is not our output
        from tokbench.mixture.tasks import DaskStages

        with DaskExecutor(address=args.address, workers=args.workers) as ex:  # workers load the tokenizer by spec
            res = infer_mixture(tok, cats, stages=DaskStages(ex.client, args.tokenizer, args.name), **options)
    else:
        if args.address or args.workers:
            raise TokbenchError("--address and --workers need --executor dask")
        res = infer_mixture(tok, cats, **options)
    seps = None
    if args.separation:  # on the words the inference counted
        from tokbench.mixture.separation import WARN_RATIO, separation

        unit = getattr(tok, "symbol_unit", "byte")  # the pairs the merges start from
        seps = sorted(separation({cw.name: cw for cw in res.words}, unit), key=lambda s: -s.ratio)
    if args.json:
        out = res.to_json()
        if lineage is not None:
            out["lineage"] = lineage
        if seps is not None:
            out["separation"] = {s.name: {"split_half": s.split_half, "nearest": s.nearest,
                                          "nearest_tv": s.nearest_tv, "ratio": s.ratio} for s in seps}
        print_json(out)
        return 0
    rows = []
    outside = 0
    for name in sorted(res.categories, key=lambda n: -res.byte_weights[n]):
        row = {"category": name, "byte_share": res.byte_weights[name], "pair_share": res.weights[name]}
        if res.ci:
            lo, hi = res.ci["byte_weights"][name]
            row["byte_ci95"] = f"[{lo:.3f}, {hi:.3f}]"
            row["byte_boot_mean"] = res.boot_mean["byte_weights"][name]
            outside += not lo <= res.byte_weights[name] <= hi
        rows.append(row)
    print_table(rows)
    print(f"\n{res.merges_used} merges from #{res.start_merge}, solver {res.solver}, "
          f"{res.lp.rounds} LP rounds ({res.lp.converged}), {res.lp.n_rows} rows, {res.timings['total']:.1f}s")
    if outside:
        print(f"note: {outside} of {len(res.categories)} byte shares lie outside their bootstrap interval: the "
              "estimate moves when the samples are resampled (compare byte_boot_mean); read the intervals as "
              "sampling spread, not as bounds around the estimate")
    if seps is not None:
        print()
        print_table([{"category": s.name, "split_half_tv": s.split_half, "nearest": s.nearest,
                      "nearest_tv": s.nearest_tv, "ratio": s.ratio} for s in seps])
        weak = [s.name for s in seps if s.ratio > WARN_RATIO]
        if weak:
            print(f"note: {len(weak)} of {len(seps)} samples are too small to tell their category from the nearest "
                  f"other one (split-half distance > {WARN_RATIO:g} x nearest distance: {', '.join(weak[:5])}"
                  f"{', ...' if len(weak) > 5 else ''}): their shares are limited by the samples; use bigger ones")
    return 0
