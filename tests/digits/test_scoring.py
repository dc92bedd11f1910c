"""Scoring on a known answer key, with a scripted fake model reaching every branch."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tokbench.digits.model import run_probes
from tokbench.digits.probeset import ProbeRecord, build_probe_set
from tokbench.digits.scoring import first_error, parse_answer, score, summarise
from tokbench.errors import TokbenchError


def rec(a: str, b: str, fmt: str = "plain", shots: int = 1) -> ProbeRecord:
    from tokbench.digits.probeset import FORMATS, Problem

    p, f = Problem(a, b), FORMATS[fmt]
    return ProbeRecord(
        f"{a}+{b}-{fmt}", 0, fmt, shots, a, b, p.answer, p.answer_longer, p.equation(f, False), f.write(p.answer)
    )


@pytest.mark.parametrize(
    "output, delimiter, parsed",
    [
        ("12345678\n1+1=2", "", "12345678"),
        (" 12,345,678\n", ",", "12,345,678"),
        ("12,345,678,\n", ",", "12,345,678"),  # trailing delimiter is not part of the number
        ("12 345 is it", " ", "12 345"),
        ("12,345", "", "12"),  # plain format: a comma ends the number
        ("answer: 5", "", ""),
        ("", "", ""),
        ("\n123", "", ""),  # only the first line counts
        ("1.234.567.", ".", "1.234.567"),
    ],
)
def test_parse_answer(output: str, delimiter: str, parsed: str) -> None:
    assert parse_answer(output, delimiter) == parsed


def test_first_error_positions() -> None:
    assert first_error("12345678", "12345678") is None
    assert first_error("12335678", "12345678") == 4
    assert first_error("1234567", "12345678") == 8  # stops one digit early
    assert first_error("123456789", "12345678") == 9  # runs on
    assert first_error("", "12345678") == 1


class Scripted:
    """A fake model: returns a scripted continuation per prompt, and records batch sizes."""

    name = "scripted"

    def __init__(self, script: dict[str, str]) -> None:
        self.script = script
        self.batches: list[int] = []

    def generate(self, prompts: Sequence[str]) -> list[str]:
        self.batches.append(len(prompts))
        return [self.script[p] for p in prompts]


def test_every_scoring_branch_through_run_probes() -> None:
    same = rec("1234567", "7654321")  # 8888888, not longer
    longer = rec("9999999", "1000001")  # 11000000, longer than both
    comma = rec("9999999", "1000001", "comma_r2l")  # target 11,000,000
    comma_plain = rec("1234567", "7654321", "comma_r2l")
    empty = rec("2222222", "1111111")
    runon = rec("3333333", "1111111")
    script = {
        same.prompt: "8888888\n2+2=4",  # correct, exact format
        longer.prompt: "11100000\n",  # wrong at digit 3
        comma.prompt: "11,000,000",  # correct with delimiters
        comma_plain.prompt: "8888888",  # right digits, wrong format: correct, not format_exact
        empty.prompt: "I think",  # no number
        runon.prompt: "44444440",  # 4444444 + extra digit: first error at 8
    }
    model = Scripted(script)
    recs = [same, longer, comma, comma_plain, empty, runon]
    scored = run_probes(model, recs, batch_size=4)
    assert model.batches == [4, 2]
    by = {s.id: s for s in scored}
    assert [s.id for s in scored] == [r.id for r in recs]  # input order kept despite length sorting
    assert by[same.id].correct and by[same.id].format_exact and by[same.id].first_error is None
    assert not by[longer.id].correct and by[longer.id].first_error == 3 and by[longer.id].answer_longer
    assert by[comma.id].correct and by[comma.id].format_exact
    assert by[comma_plain.id].correct and not by[comma_plain.id].format_exact
    assert by[empty.id].parsed == "" and by[empty.id].first_error == 1 and not by[empty.id].correct
    assert by[runon.id].first_error == 8

    rows = {(r["split"], r["language"], r["metric"]): r for r in summarise(scored)}
    acc = rows[("plain", "1shot", "digits.arith.accuracy")]
    assert (acc["value"], acc["n"]) == (pytest.approx(1 / 4), 4) and acc["ci_low"] < 0.25 < acc["ci_high"]
    assert rows[("plain", "1shot", "digits.arith.accuracy.answer_longer")]["value"] == 0.0
    assert rows[("plain", "1shot", "digits.arith.accuracy.answer_not_longer")]["value"] == pytest.approx(1 / 3)
    assert rows[("comma_r2l", "1shot", "digits.arith.accuracy")]["value"] == 1.0
    assert rows[("comma_r2l", "1shot", "digits.arith.format_exact")]["value"] == 0.5
    # first errors among the 3 wrong plain answers: digit 3, none (no number), digit 8
    for pos, share in [("3", 1 / 3), ("8", 1 / 3), ("none", 1 / 3), ("1", 0.0), ("4", 0.0)]:
        r = rows[("plain", "1shot", f"digits.arith.first_error.{pos}")]
        assert r["value"] == pytest.approx(share) and r["n"] == 3
    assert ("comma_r2l", "1shot", "digits.arith.first_error.1") not in rows  # no wrong answers there


def test_empty_split_gives_nan_not_a_crash() -> None:
    rows = summarise([score(rec("1234567", "7654321"), "8888888")])
    longer = next(r for r in rows if r["metric"] == "digits.arith.accuracy.answer_longer")
    assert longer["n"] == 0 and longer["value"] != longer["value"]


def test_model_returning_wrong_count_is_an_error() -> None:
    class Short:
        name = "short"

        def generate(self, prompts: Sequence[str]) -> list[str]:
            return []

    with pytest.raises(TokbenchError, match="returned 0 continuations for 1 prompts"):
        run_probes(Short(), build_probe_set(per_pair=1, formats=["plain"], shots=[1])[:1])
