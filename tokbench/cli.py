"""The `tokbench` command. Subcommands live one per module in tokbench/commands/ and are found
automatically: a module defines NAME, HELP, add_arguments(parser) and run(args) -> int.

Every subcommand accepts --data-dir, --json and --quiet. Bad input ends with one line on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys
from collections.abc import Sequence

import tokbench.commands
from tokbench import __version__
from tokbench.datadirs import set_cli_data_dirs
from tokbench.errors import TokbenchError


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        action="append",
        metavar="DIR",
        help="data directory holding tokenizers/ and corpora/ (repeatable; also TOKBENCH_DATA)",
    )
    common.add_argument("--json", action="store_true", help="print machine-readable JSON")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tokbench", description="Benchmark tokenizers: how good, and what they reveal."
    )
    parser.add_argument("--version", action="version", version=f"tokbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = _common_options()
    for info in sorted(pkgutil.iter_modules(tokbench.commands.__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"tokbench.commands.{info.name}")
        if not all(hasattr(mod, a) for a in ("NAME", "HELP", "add_arguments", "run")):
            continue
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP, parents=[common])
        mod.add_arguments(p)
        p.set_defaults(func=mod.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    set_cli_data_dirs(args.data_dir)
    if args.quiet:
        os.environ["TQDM_DISABLE"] = "1"
    logging.basicConfig(level=logging.WARNING, format="tokbench: %(message)s")
    try:
        return int(args.func(args) or 0)
    except TokbenchError as e:
        print(f"tokbench: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("tokbench: interrupted; finished work is saved, run the same command again to resume", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
