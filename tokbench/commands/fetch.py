"""`tokbench fetch`: build a corpus's pinned files from its published source and verify them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tokbench.output import print_json

NAME = "fetch"
HELP = "build a corpus's pinned files (flores200) from a downloaded tarball or the hub's FLORES+, verified by sha256"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("corpus", choices=("flores200",), help="corpus to build")
    parser.add_argument("--tarball", type=Path,
                        help="the NLLB FLORES-200 tarball, downloaded from the URL in the manifest "
                             "(https://dl.fbaipublicfiles.com/nllb/flores200_dataset.tar.gz)")
    parser.add_argument("--hub", metavar="DATASET", help="FLORES+ on the hub (or a local folder with its "
                        "<split>/<lang>.parquet layout), read with datasets.load_dataset")
    parser.add_argument("--revision", help="commit of --hub to read (required with --hub)")
    parser.add_argument("--to", type=Path,
                        help="data directory to write corpora/flores200/ into (default: $TOKBENCH_HOME, "
                             "i.e. ~/.local/share/tokbench, always on the data search path)")


def run(args: argparse.Namespace) -> int:
    from tokbench.corpora.fetch import fetch_flores200
    from tokbench.datadirs import user_dir
    from tokbench.io import TEMP_SUFFIX, check_writable, holding
    from tokbench.manifests import corpus_manifests

    dest = check_writable(args.to, "--to") if args.to else check_writable(user_dir(), "TOKBENCH_HOME")
    # the lock of the data directory, and the temp files a killed fetch left beside the corpus files
    folders = sorted({(dest / f.path).parent for f in corpus_manifests()[args.corpus].files})
    with holding(dest, [(d, f".*{TEMP_SUFFIX}") for d in folders], on_wait=lambda s: print(s, file=sys.stderr)):
        res = fetch_flores200(tarball=args.tarball, hub=args.hub, revision=args.revision, dest=dest)
    if args.json:
        print_json(res.to_json())
    else:
        print(f"built and verified {len(res.files)} files of {res.corpus} from {res.source} "
              f"into {res.dest / 'corpora' / res.corpus}")
        if args.to:
            print(f"pass --data-dir {args.to} (or add it to TOKBENCH_DATA) to use them")
    return 0
