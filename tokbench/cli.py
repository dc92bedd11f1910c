"""The `tokbench` command. Subcommands live one per module in tokbench/commands/ and are found
automatically: a module defines NAME, HELP, add_arguments(parser) and run(args) -> int.

Every subcommand accepts --data-dir, --json and --quiet. Bad input ends with one line on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import logging
import os
import pkgutil
import sys
import warnings
from collections.abc import Sequence
from typing import NoReturn

import tokbench.commands
from tokbench import __version__, heap
from tokbench.datadirs import set_cli_data_dirs
from tokbench.errors import TokbenchError
from tokbench.native import first_line, stdout_reserved_for_json


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (what is wrong, where to look) instead of a usage block."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(2)


def _common_options() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument(
        "--data-dir",
        action="append",
        metavar="DIR",
        help="data directory holding tokenizers/ and corpora/ (repeatable; also TOKBENCH_DATA)",
    )
    common.add_argument("--json", action="store_true", help="print machine-readable JSON")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    return common


# commands that encode texts in bulk through tokbench.encode (the gate in tokbench.backends)
_ENCODING_COMMANDS = {"run", "encode", "inspect", "report", "sweep"}


def _encoder_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("encoder (tokbench.backends)")
    g.add_argument("--backend", metavar="NAME", help="who encodes: auto (default: a certified accelerator such as "
                   "gigatoken where it holds a certificate for the tokenizer file, else the reference library), "
                   "reference, or an accelerator's name (also TOKBENCH_BACKEND)")
    g.add_argument("--verify", choices=("spot", "full"), help="spot (default): re-encode a sample of each new "
                   "corpus language with the reference; full: encode everything with both, exit 2 on any "
                   "difference (also TOKBENCH_VERIFY)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
        if mod.NAME in _ENCODING_COMMANDS:
            _encoder_options(p)
        p.set_defaults(func=mod.run)
    return parser


def _quiet_libraries() -> None:
    """Keep third-party advice off the terminal: our one line must be what a user reads first
    (transformers prints "PyTorch was not found" on import and warnings before refusing remote code)."""
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("DATASETS_VERBOSITY", "critical")
    for name in ("transformers", "datasets", "huggingface_hub", "filelock", "fsspec"):
        logging.getLogger(name).setLevel(logging.CRITICAL)  # their failures reach the user as our one line
    warnings.filterwarnings("ignore", module=r"(transformers|datasets|huggingface_hub)(\..*)?")


def main(argv: Sequence[str] | None = None) -> int:
    _quiet_libraries()
    heap.cap_arenas()  # before any library starts its threads
    parser = build_parser()
    args = parser.parse_args(argv)
    set_cli_data_dirs(args.data_dir)
    if args.quiet:
        os.environ["TQDM_DISABLE"] = "1"
    logging.basicConfig(level=logging.WARNING, format="tokbench: %(message)s")
    guard = stdout_reserved_for_json() if args.json else contextlib.nullcontext()
    try:
        settings: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
        if getattr(args, "backend", None) or getattr(args, "verify", None):
            from tokbench.backends import configured

            settings = configured(args.backend, args.verify)  # environment: worker processes inherit it
        with settings, guard:
            return int(args.func(args) or 0)
    except TokbenchError as e:
        print(f"tokbench: error: {one_line(str(e))}", file=sys.stderr)
        return e.exit_code
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            print(f"tokbench: error: no space left on the device writing {e.filename or 'a file'}; free space or "
                  "point --out / TOKBENCH_CACHE elsewhere (nothing partial was kept)", file=sys.stderr)
            return 2
        if isinstance(e, BrokenPipeError):
            return 0
        return _internal_error(e)
    except KeyboardInterrupt:
        print("tokbench: interrupted; finished work is saved, run the same command again to resume", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001
        return _internal_error(e)
    except BaseException as e:  # Rust panics (pyo3 PanicException) derive from BaseException
        if isinstance(e, SystemExit):
            raise
        return _internal_error(e)


def one_line(message: str) -> str:
    """Messages are one line by contract; fold any stray newline a library put into one."""
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


def _internal_error(e: BaseException) -> int:
    """A bug, not bad input: one line (exit 1), the traceback only with TOKBENCH_DEBUG=1."""
    if os.environ.get("TOKBENCH_DEBUG") == "1":
        import traceback

        traceback.print_exception(e)
    print(
        f"tokbench: internal error ({type(e).__name__}: {first_line(e)}); please report it with the command "
        "you ran (TOKBENCH_DEBUG=1 shows the traceback)",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
