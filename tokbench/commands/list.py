"""`tokbench list tokenizers|corpora|metrics|languages CORPUS`: what is registered and whether its files are here."""

from __future__ import annotations

import argparse
import re

from tokbench.manifests import corpus_manifests, tokenizer_manifests
from tokbench.output import print_json, print_table

NAME = "list"
HELP = ("list registered tokenizers, corpora or metrics (with vendored/available/missing status), or a corpus's "
        "language codes (list languages CORPUS)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", choices=["tokenizers", "corpora", "metrics", "languages"])
    parser.add_argument("corpus", nargs="?", help="with `languages`: the corpus whose language codes to list")


def _language_rows(corpus: str | None) -> list[dict]:
    """A corpus's declared codes with their English names (from its manifest: no data files needed)."""
    from tokbench.errors import TokbenchError
    from tokbench.manifests import get_corpus_manifest
    from tokbench.report.languages import language_name

    if corpus is None:
        raise TokbenchError(f"name the corpus: tokbench list languages CORPUS (one of {', '.join(corpus_manifests())})")
    m = get_corpus_manifest(corpus)
    if m.languages:
        return [{"code": c, "name": language_name(c)} for c in m.languages]
    return [{"code": s, "name": "(subset)"} for s in m.subsets]


def _tokenizer_rows() -> list[dict]:
    rows = []
    for name, m in sorted(tokenizer_manifests().items()):
        rows.append(
            {
                "name": name,
                "format": m.format,
                "algorithm": m.algorithm,
                "status": m.availability(),
                "license": m.license,
                "source": m.source.get("package")
                or m.source.get("hub")
                or m.source.get("github")
                or m.source.get("url")
                or m.source.get("local"),
            }
        )
    return rows


def _corpus_rows(full: bool) -> list[dict]:
    rows = []
    for name, m in sorted(corpus_manifests().items()):
        row = {
            "name": name,
            "languages": len(m.languages) or len(m.subsets),
            "splits": ",".join(m.splits),
            "parallel": m.parallel,
            "domain": m.domain,
            "status": m.availability(),
            "license": m.license,
        }
        if full:
            row |= {"language_codes": list(m.languages), "subsets": list(m.subsets), "citation": m.citation}
        rows.append(row)
    return rows


def run(args: argparse.Namespace) -> int:
    if args.corpus is not None and args.what != "languages":
        from tokbench.errors import TokbenchError

        raise TokbenchError(f"`tokbench list {args.what}` takes no corpus; did you mean "
                            f"`tokbench list languages {args.corpus}`?")
    if args.what == "languages":
        rows = _language_rows(args.corpus)
    elif args.what == "tokenizers":
        rows = _tokenizer_rows()
    elif args.what == "corpora":
        rows = _corpus_rows(full=args.json)
    else:
        from tokbench.metrics import metric_cards

        rows = metric_cards()
    if args.json:
        print_json(rows)
    else:
        cols = ["name", "unit", "higher_is_better", "needs", "definition"] if args.what == "metrics" else None
        if args.what == "metrics":  # whole cards run to 1,000 characters: the table shows their first sentence
            rows = [{**r, "definition": _first_sentence(r["definition"])} for r in rows]
        # lists read as words in a table (`nothing`, `lexicon, tokenizer only`), not Python reprs
        print_table([{k: ", ".join(map(str, v)) if isinstance(v, list | tuple) else v for k, v in r.items()}
                     for r in rows], cols)
    if args.what == "metrics" and not args.json:
        print("whole definitions, citations and options: tokbench list metrics --json")
    return 0


def _first_sentence(text: str, width: int = 110) -> str:
    """A definition's first sentence (not ending inside brackets or at "et al."), cut to `width` characters."""
    depth, end = 0, len(text)
    for i, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "." and depth <= 0 and text[i + 1 : i + 2] in ("", " ") and not _ABBREVIATION.search(text[: i + 1]):
            end = i + 1
            break
    head = text[:end]
    if len(head) <= width:
        return head
    return head[: width - 1].rsplit(" ", 1)[0] + "…"


_ABBREVIATION = re.compile(r"(?:\bal|\be\.g|\bi\.e|\bcf|\bvs|\bsec|\bno)\.$")
