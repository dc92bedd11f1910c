"""Exact fast encoders behind a verification gate (see `base`, `certify`, `gate`).

Importing the package registers the built-in accelerators; third-party ones register through the
`tokbench.accelerators` entry-point group.
"""

from tokbench.backends import fastokens_, gigatoken_, word_memo  # noqa: F401  (register them; gigatoken is tried first)
from tokbench.backends.base import ACCELERATORS, Accelerator, FastEncoder
from tokbench.backends.gate import configure, configured, describe, encode, provenance, reset

__all__ = [
    "ACCELERATORS", "Accelerator", "FastEncoder", "configure", "configured", "describe", "encode", "provenance",
    "reset",
]
