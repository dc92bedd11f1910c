"""`tokbench report`: results folder(s) -> leaderboard, per-metric tables, plots, Markdown and a static site."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from tokbench.errors import TokbenchError

NAME = "report"
HELP = "write the leaderboard, tables (CSV/Markdown/LaTeX), plots and a static site from `tokbench run` results"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("results", type=Path, nargs="*",
                        help="folder (or results.parquet/json) written by `tokbench run`")
    parser.add_argument("--results", dest="more_results", type=Path, action="append", default=[], metavar="RESULTS",
                        help="another results set (repeatable); with two or more, the first is reported and the "
                        "others are compared with it per tokenizer")
    parser.add_argument("--out", type=Path, help="output folder (default: the first results folder)")
    parser.add_argument("--title", default="tokbench report")
    parser.add_argument("--mixture", type=Path, action="append", default=[], metavar="JSON",
                        help="mixture result (`tokbench mixture --json` output or a collection like "
                        "reports/mixture/real.json), repeatable: adds inferred code/non-English shares")
    parser.add_argument("--inspect", action="store_true",
                        help="add each tokenizer's anatomy (`tokbench inspect`) to its page (loads the tokenizers; "
                        "cached in OUT/tokenizers/*.inspect.json)")
    parser.add_argument("--markdown", type=Path, help="also write the Markdown leaderboard here (links rebased)")
    parser.add_argument("--viewer-corpus", default="udhr", metavar="CORPUS",
                        help="corpus of the site's tokenization viewer (default: udhr, the vendored UDHR, free to "
                        "reproduce; e.g. flores200 for a site kept locally, since FLORES may not be redistributed; "
                        "'none': no viewer). Its units are tokenized by every tokenizer of the report")


_SHARE_SLACK = 1e-6  # an LP's shares may miss [0, 1] by rounding
_SUM_TOLERANCE = 0.01  # byte shares of one result sum to 1 (the LP's constraint)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_mixture_file(path: Path) -> None:
    """Refuse a `--mixture` JSON the report would otherwise show as if valid: wrong types, shares that are
    NaN, infinite, negative or above 1, shares that do not sum to about 1, intervals that are not
    [low, high] pairs, categories the report cannot group (it reads language codes, code:LANG, en:DOMAIN
    and other, as `tokbench mixture` names them)."""
    from tokbench.mixture.report_rows import category_group

    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise TokbenchError(f"--mixture {path}: cannot read it as JSON ({e})") from None
    if isinstance(doc, dict) and isinstance(doc.get("results"), dict):
        results = doc["results"]
    elif isinstance(doc, dict) and "tokenizer" in doc and "byte_weights" in doc:
        results = {str(doc["tokenizer"]): doc}
    else:
        raise TokbenchError(f"--mixture {path}: not a mixture result (the JSON of `tokbench mixture --json`, or "
                            '{"results": {tokenizer: {"byte_weights": {category: share}}}})')
    for tok, r in results.items():
        where = f"--mixture {path}: {tok}"
        if not isinstance(r, dict):
            raise TokbenchError(f"{where}: a result must be an object, not {type(r).__name__}")
        shares = r.get("byte_weights")
        if not shares:
            continue  # a failed solve ({"error": ...}) adds no rows
        if not isinstance(shares, dict):
            raise TokbenchError(f"{where}: byte_weights must map categories to shares, not {type(shares).__name__}")
        for cat, share in shares.items():
            if not _number(share) or not -_SHARE_SLACK <= share <= 1 + _SHARE_SLACK:
                raise TokbenchError(f"{where}: the share of {cat!r} is {share!r}; shares are numbers in [0, 1]")
            if category_group(cat) == "other" and cat != "other":
                raise TokbenchError(f"{where}: unknown category {cat!r}; the report groups language codes "
                                    "(eng_Latn), code:LANG, en:DOMAIN and other")
        total = sum(shares.values())
        if abs(total - 1) > _SUM_TOLERANCE:
            raise TokbenchError(f"{where}: the byte shares sum to {total:.4g}, not 1")
        if "merges_used" in r and not (_number(r["merges_used"]) and r["merges_used"] >= 0):
            raise TokbenchError(f"{where}: merges_used must be a count, not {r['merges_used']!r}")
        ci95 = r.get("ci95") or {}
        if not isinstance(ci95, dict):
            raise TokbenchError(f"{where}: ci95 must be an object of [low, high] intervals")
        for ci in (ci95.get("byte_weights") or {}, r.get("group_ci95") or {}):
            if not isinstance(ci, dict):
                raise TokbenchError(f"{where}: ci95 must be an object of [low, high] intervals")
            for cat, pair in ci.items():
                if not (isinstance(pair, list | tuple) and len(pair) == 2 and all(_number(x) for x in pair)
                        and pair[0] <= pair[1]):
                    raise TokbenchError(f"{where}: the interval of {cat!r} is {pair!r}; expected [low, high]")


def _write(args: argparse.Namespace, inputs: list[Any], out: Path) -> Any:
    from tokbench.report.writer import write_site

    first = inputs[0]
    anatomy = None
    if args.inspect:
        from tokbench.report.anatomy import collect_anatomy

        anatomy = collect_anatomy(first.table, first.provenance, out, quiet=args.quiet or args.json)
    table = first.table
    if args.mixture and not table.empty:  # the mixture family's rows: its own columns and section read them
        import pandas as pd

        from tokbench.mixture.report_rows import load_mixture

        table = pd.concat([table, load_mixture(args.mixture)], ignore_index=True)
    return write_site(
        table, first.provenance, out, args.title, compare=inputs[1:] or None,
        anatomy=anatomy, parquet=first.parquet, markdown_copy=args.markdown,
        viewer_corpus=None if args.viewer_corpus.lower() == "none" else args.viewer_corpus,
        quiet=args.quiet or args.json,
    )


def run(args: argparse.Namespace) -> int:
    from tokbench.io import TEMP_SUFFIX, check_writable, holding, temp_pattern
    from tokbench.output import print_json
    from tokbench.report.writer import ReportInput
    from tokbench.results import RESULTS_PARQUET, read_results

    paths = list(args.results) + list(args.more_results)
    if not paths:
        raise TokbenchError("give a results folder: `tokbench report DIR` (written by `tokbench run --out DIR`)")
    inputs = []
    for p in paths:
        table, prov = read_results(p)
        parquet = p / RESULTS_PARQUET if p.is_dir() else (p if p.suffix == ".parquet" else None)
        inputs.append(ReportInput(p.name if p.is_dir() else p.parent.name, table, prov, parquet))
    out = args.out or (paths[0] if paths[0].is_dir() else paths[0].parent)
    check_writable(out, "--out")
    if args.markdown is not None:
        check_writable(args.markdown, "--markdown", folder=False)
    for m in args.mixture:
        check_mixture_file(m)
    # one report writes a folder at a time; temp files of a killed one are removed under its lock
    sweep = [(d, f".*{TEMP_SUFFIX}") for d in (out, out / "tables", out / "plots", out / "tokenizers")]
    if args.markdown is not None:
        sweep.append((args.markdown.parent, temp_pattern(args.markdown)))
    from tokbench.stopping import terminate_as_interrupt

    # SIGTERM unwinds like Ctrl-C: the check children are stopped and the folder lock released
    with terminate_as_interrupt(), holding(out, sweep, on_wait=lambda s: print(s, file=sys.stderr)):
        written = _write(args, inputs, out)
    if args.json:
        print_json({"report": str(written.report_md), "index": str(written.index_html),
                    "files": sorted(str(f) for f in written.files)})
    else:
        print(f"report written to {written.report_md} and {written.index_html} ({len(written.files)} files)")
    return 0
