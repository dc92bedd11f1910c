"""canonical_merges: one merge per token, user-defined pieces dropped, bad lists refused."""

from __future__ import annotations

import pytest

from tokbench.errors import TokbenchError
from tokbench.tokenizers.merges import apply_merges, canonical_merges


def test_redundant_splits_keep_the_one_that_can_fire() -> None:
    # as in Llama-3's tokenizer.json: every split of "    " is listed, the first before "   " exists
    merges = [(b" ", b" "), (b" ", b"   "), (b"  ", b"  "), (b"  ", b" "), (b" ", b"  ")]
    assert canonical_merges(merges, "byte") == [(b" ", b" "), (b"  ", b"  "), (b"  ", b" ")]


def test_user_defined_piece_is_dropped_not_an_error() -> None:
    nl30 = b"\n" * 30  # Gemma 3 matches such pieces whole; no merge builds them
    merges = [(nl30, b"\n"), (b"a", b"b")]
    assert canonical_merges(merges, "char", vocab={nl30, nl30 + b"\n", b"a", b"b", b"ab"}) == [(b"a", b"b")]


def test_out_of_order_and_unknown_parts_are_errors() -> None:
    with pytest.raises(TokbenchError, match="out of order or cyclic"):
        canonical_merges([(b"a", b"b"), (b"xy", b"z"), (b"x", b"y")], "byte")
    with pytest.raises(TokbenchError, match="not in the vocabulary"):
        canonical_merges([(b"a", b"b"), (b"qq", b"a")], "byte", vocab={b"a", b"b", b"ab"})


def test_char_unit_keeps_multibyte_characters_as_base_symbols() -> None:
    merges = canonical_merges([("ü".encode(), b"n"), (b"d", "ün".encode())], "char")
    assert apply_merges([[b"d", "ü".encode(), b"n"]], merges) == [["dün".encode()]]
