"""Chunk classes: the rules on hand-made signatures, and the class of real tokenizers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tokbench.digits import chunks
from tokbench.digits.analysis import analyse
from tokbench.digits.chunks import ChunkClass, classify, left_to_right, pattern_consistency, right_to_left


def sig(fn: Callable[[int], tuple[int, ...]], lengths: range = range(1, 31)) -> dict[int, set[tuple[int, ...]]]:
    return {n: {fn(n)} for n in lengths}


def test_group_patterns() -> None:
    assert left_to_right(7, 3) == (3, 3, 1)
    assert right_to_left(7, 3) == (1, 3, 3)
    assert left_to_right(6, 3) == right_to_left(6, 3) == (3, 3)
    assert left_to_right(2, 3) == (2,)


def test_classify_rules() -> None:
    assert classify(sig(lambda n: (1,) * n)) == ChunkClass(chunks.SINGLE, 1)
    assert classify(sig(lambda n: left_to_right(n, 3))).label == "left-to-right-3"
    assert classify(sig(lambda n: right_to_left(n, 3))).label == "right-to-left-3"
    assert classify(sig(lambda n: left_to_right(n, 2))).label == "left-to-right-2"
    # GPT-2 style: 7 digits as 3|2|2 is neither direction
    assert classify({**sig(lambda n: left_to_right(n, 3)), 7: {(3, 2, 2)}}) == ChunkClass(chunks.IRREGULAR, 3)
    # one length cut two ways is irregular even if one of the ways fits a direction
    two_ways = {**sig(lambda n: left_to_right(n, 3)), 4: {(3, 1), (2, 2)}}
    assert classify(two_ways).kind == chunks.IRREGULAR
    assert pattern_consistency(two_ways) == pytest.approx(31 / 30)
    assert pattern_consistency(sig(lambda n: (1,) * n)) == 1.0


def test_signature_is_readable() -> None:
    groups = [(3, 3, 1), (3, 1), (2, 2), (3, 1)]
    assert chunks.signature(groups) == {4: [("3-1", 2), ("2-2", 1)], 7: [("3-3-1", 1)]}


@pytest.mark.parametrize(
    "name, label",
    [
        ("cl100k_base", "left-to-right-3"),
        ("o200k_base", "left-to-right-3"),
        ("r50k_base", "irregular"),
        ("xlm_roberta", "irregular"),
        ("mistral_v1", "single-digit"),
        ("falcon", "irregular"),
    ],
)
def test_chunk_class_of_vendored_tokenizers(tok: Callable[[str], Any], name: str, label: str) -> None:
    r = analyse(tok(name), {"digit_samples": 8, "digit_integers": 50, "digit_problems": 2})
    assert r.chunk_class.label == label
    if label == "left-to-right-3":
        assert [p for p, _ in r.signature[7]] == ["3-3-1"] and r.signature[30] == [("-".join(["3"] * 10), 8)]
        assert r.pattern_consistency == 1.0


@pytest.mark.parametrize(
    "name, label", [("llama2", "single-digit"), ("gpt2", "irregular"), ("llama3", "left-to-right-3")]
)
def test_chunk_class_of_shared_tokenizers(shared_tok: Callable[[str], Any], name: str, label: str) -> None:
    r = analyse(shared_tok(name), {"digit_samples": 8, "digit_integers": 50, "digit_problems": 2})
    assert r.chunk_class.label == label
    if name == "gpt2":  # GPT-2 merges digit runs by frequency: 4 digits come out as 4, 2|2, 1|3, ...
        assert len(r.signature[4]) > 1 and r.pattern_consistency > 2


def test_falcon_is_left_to_right_3_but_for_two_missing_groups(tok: Callable[[str], Any]) -> None:
    # falcon groups digits in threes from the left, but `097` and `957` are not tokens (`09|7`, `95|7`):
    # lengths 1-3 are probed exhaustively, so the class does not depend on whether the sample hits them
    r = analyse(tok("falcon"), {"digit_samples": 2, "digit_integers": 50, "digit_problems": 2})
    assert r.chunk_class.label == "irregular"
    assert r.signature[3][0][0] == "3" and r.signature[3][1] == ("2-1", 2) and r.signature[7] == [("3-3-1", 2)]
    assert r.inventory.three_digit_single == pytest.approx(0.998)


def test_a_right_to_left_tokenizer(tmp_path: Path) -> None:
    """A BPE built here whose pre-tokenizer groups digits in threes from the right (as thousands
    separators force): every probe must then call it right-to-left-3, aligned and never misaligned."""
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers

    from tokbench.tokenizers import load_tokenizer

    vocab = {"[UNK]": 0, **{c: i + 1 for i, c in enumerate(" +=,.$-x")}}
    for n in (1, 2, 3):
        for i in range(10**n):
            vocab.setdefault(f"{i:0{n}d}", len(vocab))
    two = [(f"{i:02d}"[0], f"{i:02d}"[1]) for i in range(100)]
    three = [(s[:2], s[2]) for s in (f"{i:03d}" for i in range(1000))] + [
        (s[0], s[1:]) for s in (f"{i:03d}" for i in range(1000))
    ]  # both merge orders, so every 3-digit group becomes one token whichever pair ranks first
    bpe = Tokenizer(models.BPE(vocab, two + three, unk_token="[UNK]"))
    bpe.pre_tokenizer = pre_tokenizers.Split(Regex(r"\d{1,3}(?=(?:\d{3})*(?!\d))|[^\d]"), behavior="isolated")
    bpe.save(str(tmp_path / "tokenizer.json"))
    r = analyse(load_tokenizer(str(tmp_path / "tokenizer.json")), {"digit_samples": 4, "digit_problems": 5})
    assert r.chunk_class.label == "right-to-left-3"
    assert r.signature[7] == [("1-3-3", 4)] and r.signature[8] == [("2-3-3", 4)]
    assert r.alignment == 1.0 and r.alignment_comma == 1.0
    assert r.misalignment["plain"].overall == 0.0 and r.misalignment["plain"].n_longer > 0
    assert r.context_change["thousands"] == 0.0  # separators only confirm its own cut
    assert r.inventory.total == 1110 and r.inventory.three_digit_single == 1.0
