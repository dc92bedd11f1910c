"""`tokbench register`: make a tokenizer file of one's own a registered tokenizer in one command."""

from __future__ import annotations

import argparse

from tokbench.output import print_json

NAME = "register"
HELP = ("register your tokenizer (tokenizer.json, .model, .tiktoken, vocab.json+merges.txt, or a folder): "
        "checksums, files and manifest written where every command finds them")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", help="tokenizer file or folder")
    parser.add_argument("--name", help="name to register (default: from the file or folder name, e.g. my_bpe)")
    parser.add_argument("--license", default="", help="license of the tokenizer (default: unspecified)")
    parser.add_argument("--citation", default="", help="how to cite it (shown in reports)")
    parser.add_argument(
        "--option", action="append", metavar="KEY=VALUE",
        help="format option (repeatable): nfc=true (add NFC normalizer), encoding=cl100k_base (the regex and "
             "specials of a .tiktoken file), lowercase=false (WordPiece), add_prefix_space=true (vocab+merges)",
    )
    parser.add_argument("--force", action="store_true", help="replace an earlier registration under this name")
    parser.epilog = (
        "Files are copied to $TOKBENCH_HOME/tokenizers/NAME/ (default ~/.local/share/tokbench) unless they already "
        "sit in a TOKBENCH_DATA folder; the manifest goes to $TOKBENCH_HOME/manifests/tokenizers/NAME.yaml."
    )


def run(args: argparse.Namespace) -> int:
    from tokbench.datadirs import user_dir
    from tokbench.io import check_writable
    from tokbench.registration import parse_option_values, register_tokenizer

    check_writable(user_dir(), "TOKBENCH_HOME (where register writes)")
    reg = register_tokenizer(args.path, name=args.name, license=args.license, citation=args.citation,
                             options=parse_option_values(args.option), force=args.force)
    if args.json:
        print_json(reg.to_json())
        return 0
    verb = "replaced" if reg.replaced else "registered"
    print(f"{verb} {reg.name}: {reg.format}, {reg.algorithm}, vocab {reg.vocab_size:,}")
    print(f"  manifest  {reg.manifest_file}")
    for f in reg.files:
        how = f"copied from {f.origin}" if f.copied else "used in place"
        print(f"  file      {f.manifest_path} ({how}; sha256 {f.sha256[:16]}...)")
    print(f"  source    local {reg.manifest['source']['local']} (sha256 pinned)")
    print(f"next: tokbench run --corpora udhr --out reports/{reg.name}   (it and every other available tokenizer)")
    print(f"      tokbench report reports/{reg.name}")
    return 0
