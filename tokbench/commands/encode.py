"""`tokbench encode`: fill the encode cache for a tokenizer x corpus and summarise per language."""

from __future__ import annotations

import argparse

from tokbench.argtypes import positive_int
from tokbench.errors import TokbenchError
from tokbench.output import print_json, print_table
from tokbench.suggest import no_language

NAME = "encode"
HELP = "encode a corpus with a tokenizer into the cache and print documents, bytes, tokens, bytes/token"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tokenizer", required=True, help="registered name or path to a tokenizer file/folder")
    parser.add_argument("--name", help="name for a tokenizer given by path (default: its file or folder name)")
    parser.add_argument("--corpus", required=True, help="registered corpus name")
    parser.add_argument("--split", nargs="+", help="splits (default: all)")
    parser.add_argument("--langs", nargs="+", help="language codes (default: all)")
    parser.add_argument("--jobs", type=positive_int, default=1, help="worker processes for uncached cells (default 1)")


def summarize(
    tokenizer_name: str,
    corpus_name: str,
    splits: list[str] | None,
    langs: list[str] | None,
    jobs: int = 1,
    quiet: bool = False,
    name: str | None = None,
) -> list[dict]:
    # imported here: `tokbench --help` and every other command would otherwise pay for datasets (~3 s)
    from tokbench.corpora import load_corpus
    from tokbench.encode import encode_cells
    from tokbench.tokenizers import load_tokenizer

    tok = load_tokenizer(tokenizer_name, name=name)
    corpus = load_corpus(corpus_name)
    splits = splits or corpus.splits
    cells: dict[str, list[str]] = {}
    for split in splits:
        have = corpus.languages(split)
        if langs:
            missing = [x for x in langs if x not in have]
            if missing:
                raise TokbenchError(no_language(corpus_name, missing, have, split))
        for lang in langs or have:
            cells[f"{split}\t{lang}"] = corpus.texts(split, lang)
    if not cells:
        raise TokbenchError(f"nothing to encode: corpus {corpus_name!r} selection is empty")
    encoded = encode_cells(tok, cells, jobs=jobs, tokenizer_ref=tokenizer_name, quiet=quiet)
    rows = []
    for cell, enc in encoded.items():
        split, lang = cell.split("\t")
        n_bytes = sum(len(t.encode("utf-8")) for t in cells[cell])
        rows.append(
            {
                "split": split,
                "lang": lang,
                "documents": enc.n_docs,
                "bytes": n_bytes,
                "tokens": enc.n_tokens,
                "bytes_per_token": n_bytes / enc.n_tokens if enc.n_tokens else float("nan"),
            }
        )
    total_bytes = sum(r["bytes"] for r in rows)
    total_tokens = sum(r["tokens"] for r in rows)
    rows.append(
        {
            "split": "all",
            "lang": "TOTAL",
            "documents": sum(r["documents"] for r in rows),
            "bytes": total_bytes,
            "tokens": total_tokens,
            "bytes_per_token": total_bytes / total_tokens if total_tokens else float("nan"),
        }
    )
    return rows


def run(args: argparse.Namespace) -> int:
    from tokbench.tokenizers import load_tokenizer

    rows = summarize(args.tokenizer, args.corpus, args.split, args.langs, args.jobs, args.quiet, args.name)
    if args.json:
        name = load_tokenizer(args.tokenizer, name=args.name).name
        print_json({"tokenizer": name, "corpus": args.corpus, "rows": rows})
    else:
        print_table(rows)
    return 0
