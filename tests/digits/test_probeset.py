"""The addition probe set: seeded, lengths cycled, shots matched in lengths, formats, JSONL round trip."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tokbench.digits.probeset import (
    FORMATS,
    Problem,
    build_probe_set,
    length_pairs,
    read_jsonl,
    sample_problems,
    write_jsonl,
)
from tokbench.errors import TokbenchError


def test_formats_write_numbers_both_directions() -> None:
    p = Problem("1234567", "89012345")
    assert p.answer == "90246912"
    assert p.equation(FORMATS["plain"]) == "1234567+89012345=90246912"
    assert p.equation(FORMATS["comma_r2l"]) == "1,234,567+89,012,345=90,246,912"
    assert p.equation(FORMATS["comma_l2r"]) == "123,456,7+890,123,45=902,469,12"
    assert p.equation(FORMATS["space_r2l"], with_answer=False) == "1 234 567+89 012 345="
    assert FORMATS["hash_l2r"].write("1234") == "123#4" and FORMATS["dollar_r2l"].write("1234") == "1$234"
    assert FORMATS["dot_r2l"].read("1.234") == "1234"
    assert len(FORMATS) == 11  # plain + 5 delimiters x 2 directions


def test_answer_longer_than_both_addends() -> None:
    assert Problem("9999999", "1000000").answer_longer
    assert not Problem("9999999", "10000000").answer_longer  # 8 digits, as long as the longer addend
    assert not Problem("1000000", "1000000").answer_longer


def test_problems_cycle_length_pairs_and_shots_match() -> None:
    probs = sample_problems(seed=3, per_pair=4)
    pairs = length_pairs()
    assert len(pairs) == 9 and len(probs) == 36
    for i, (q, shots) in enumerate(probs):
        assert (len(q.a), len(q.b)) == pairs[i % 9]
        assert all((len(s.a), len(s.b)) == (len(q.a), len(q.b)) for s in shots) and len(shots) == 8
        assert q.a[0] != "0" and q.b[0] != "0"
    assert Counter((len(q.a), len(q.b)) for q, _ in probs) == {p: 4 for p in pairs}
    assert sample_problems(seed=3, per_pair=4) == probs  # seeded
    assert sample_problems(seed=4, per_pair=4) != probs


def test_k_shot_prompts() -> None:
    recs = build_probe_set(seed=0, per_pair=1, formats=["plain", "comma_r2l"], shots=[0, 2])
    assert len(recs) == 9 * 2 * 2
    r = next(r for r in recs if r.format == "comma_r2l" and r.shots == 2)
    lines = r.prompt.split("\n")
    assert len(lines) == 3 and lines[-1] == f"{FORMATS['comma_r2l'].write(r.a)}+{FORMATS['comma_r2l'].write(r.b)}="
    for shot in lines[:2]:
        lhs, rhs = shot.split("=")
        a, b = (FORMATS["comma_r2l"].read(x) for x in lhs.split("+"))
        assert FORMATS["comma_r2l"].read(rhs) == str(int(a) + int(b)) and "," in rhs
        assert (len(a), len(b)) == (len(r.a), len(r.b))
    assert r.target == FORMATS["comma_r2l"].write(r.answer) and r.answer == str(int(r.a) + int(r.b))
    zero = next(r for r in recs if r.shots == 0)
    assert "\n" not in zero.prompt and zero.prompt.endswith("=")
    # the same query under every format and shot count (paired accuracies)
    assert len({(r.a, r.b) for r in recs}) == 9


def test_jsonl_round_trip_and_errors(tmp_path: Path) -> None:
    recs = build_probe_set(seed=1, per_pair=1, formats=["hash_l2r"], shots=[1])
    path = tmp_path / "p.jsonl"
    write_jsonl(recs, path)
    assert read_jsonl(path) == recs
    bad = tmp_path / "bad.jsonl"
    bad.write_text(path.read_text().splitlines()[0] + "\n{not json\n")
    with pytest.raises(TokbenchError, match=r"bad.jsonl:2 is not a probe record"):
        read_jsonl(bad)
    bad.write_text('{"id": "x"}\n')
    with pytest.raises(TokbenchError, match="bad.jsonl:1"):
        read_jsonl(bad)
    with pytest.raises(TokbenchError, match="does not exist"):
        read_jsonl(tmp_path / "missing.jsonl")
    with pytest.raises(TokbenchError, match="unknown number format 'roman'"):
        build_probe_set(formats=["roman"])
    with pytest.raises(TokbenchError, match="shot counts"):
        build_probe_set(shots=[9])


@pytest.mark.parametrize(("change", "message"), [
    ("[1, 2]", "a JSON object per line, got list"),
    ("5", "a JSON object per line, got int"),
    ("[" * 100_000, "is not a probe record"),
    ({"shots": "8"}, "shots must be int"),
    ({"shots": True}, "shots must be int"),
    ({"prompt": None}, "prompt must be str"),
    ({"a": "12x4567"}, "addends must be digits"),
    ({"answer": "1"}, "do not match"),
    ({"answer_longer": None}, "answer_longer must be bool"),
    ({"target": "0"}, "is not the answer written as plain"),
    ({"shots": 9}, "shots must be between 0 and 8"),
    ({"prompt": "1+1="}, "does not end with the query"),
    ({"format": "roman"}, "unknown number format 'roman'"),
])
def test_malformed_probe_records_are_named(tmp_path: Path, change: str | dict, message: str) -> None:
    """Every field of a probe file is checked before a model sees it: a wrong answer or target would be
    scored as the truth, a wrong type would crash scoring after the model ran."""
    import json

    rec = build_probe_set(seed=3, per_pair=1, formats=["plain"], shots=[1])[0]
    line = change if isinstance(change, str) else json.dumps({**json.loads(rec.as_json()), **change})
    path = tmp_path / "p.jsonl"
    path.write_text(rec.as_json() + "\n" + line + "\n")
    with pytest.raises(TokbenchError, match=r"p.jsonl:2") as e:
        read_jsonl(path)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_probe_file_that_is_not_text_or_repeats_ids(tmp_path: Path) -> None:
    recs = build_probe_set(seed=3, per_pair=1, formats=["plain"], shots=[1])
    path = tmp_path / "p.jsonl"
    path.write_bytes(b"\xff\xfe" + recs[0].as_json().encode("utf-16-le"))
    with pytest.raises(TokbenchError, match="is not UTF-8 text"):
        read_jsonl(path)
    path.write_text(recs[0].as_json() + "\n" + recs[0].as_json() + "\n")
    with pytest.raises(TokbenchError, match=r"p.jsonl:2: id '0-plain-1shot' repeats line 1"):
        read_jsonl(path)
    with pytest.raises(TokbenchError, match="does not exist"):
        read_jsonl(tmp_path)  # a folder
