"""Addition probe sets following Singh & Strouse (2024), as seeded JSONL.

Addends have 7-9 digits and every (len a, len b) pair is cycled in turn; a k-shot prompt holds k
solved examples whose addends have the same lengths as the query's, then the query `a+b=`. A
format writes every number of the prompt (shots, query and expected answer) the same way:

- ``plain``: digits only (cl100k-style tokenizers then group them left to right);
- ``comma_r2l``: thousands separators, groups of 3 counted from the right (forces right-to-left);
- delimiter controls: `,`, space, `.`, `$`, `#` every 3 digits, counted from the right (``*_r2l``) or
  the left (``*_l2r``), to separate the effect of the grouping direction from that of the symbol.

The same problems appear in every format and shot count, so accuracies are paired.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np

from tokbench.digits.sampling import random_numbers
from tokbench.digits.segment import with_separators
from tokbench.errors import TokbenchError
from tokbench.io import atomic_write_text
from tokbench.native import first_line

ADDEND_LENGTHS = (7, 8, 9)
SHOTS = (1, 2, 4, 8)
DELIMITERS = {"comma": ",", "space": " ", "dot": ".", "dollar": "$", "hash": "#"}


@dataclass(frozen=True)
class NumberFormat:
    name: str
    delimiter: str = ""
    right_to_left: bool = True

    def write(self, digits: str) -> str:
        return with_separators(digits, self.delimiter, 3, self.right_to_left)

    def read(self, text: str) -> str:
        """The digits of a number written in this format (delimiters removed)."""
        return text.replace(self.delimiter, "") if self.delimiter else text


FORMATS: dict[str, NumberFormat] = {"plain": NumberFormat("plain")}
for _name, _sym in DELIMITERS.items():
    for _r2l in (True, False):
        _f = NumberFormat(f"{_name}_{'r2l' if _r2l else 'l2r'}", _sym, _r2l)
        FORMATS[_f.name] = _f


@dataclass(frozen=True)
class Problem:
    a: str
    b: str

    @property
    def answer(self) -> str:
        return str(int(self.a) + int(self.b))

    @property
    def answer_longer(self) -> bool:
        """The answer has more digits than both addends (Singh & Strouse's length-mismatch case)."""
        return len(self.answer) > max(len(self.a), len(self.b))

    def equation(self, fmt: NumberFormat, with_answer: bool = True) -> str:
        lhs = f"{fmt.write(self.a)}+{fmt.write(self.b)}="
        return lhs + fmt.write(self.answer) if with_answer else lhs


def get_format(name: str) -> NumberFormat:
    if name not in FORMATS:
        raise TokbenchError(f"unknown number format {name!r}; known: {', '.join(FORMATS)}")
    return FORMATS[name]


def length_pairs(lengths: Sequence[int] = ADDEND_LENGTHS) -> list[tuple[int, int]]:
    return list(product(lengths, lengths))


def sample_problems(
    seed: int, per_pair: int, lengths: Sequence[int] = ADDEND_LENGTHS, shots: bool = True
) -> list[tuple[Problem, list[Problem]]]:
    """`per_pair` queries for each addend-length pair, cycled pair by pair, each with max(SHOTS)
    candidate shots of the same addend lengths (a k-shot prompt uses the first k). Queries and shots
    come from separate streams, so the queries do not depend on whether shots are drawn."""
    pairs = length_pairs(lengths)
    n = per_pair * len(pairs)
    la = np.array([pairs[i % len(pairs)][0] for i in range(n)], dtype=np.int64)
    lb = np.array([pairs[i % len(pairs)][1] for i in range(n)], dtype=np.int64)
    q_rng = np.random.default_rng([seed, 0])
    queries = [Problem(a, b) for a, b in zip(random_numbers(q_rng, la), random_numbers(q_rng, lb), strict=True)]
    if not shots:
        return [(q, []) for q in queries]
    k = max(SHOTS)
    s_rng = np.random.default_rng([seed, 1])
    sa, sb = random_numbers(s_rng, np.repeat(la, k)), random_numbers(s_rng, np.repeat(lb, k))
    return [
        (q, [Problem(a, b) for a, b in zip(sa[i * k : (i + 1) * k], sb[i * k : (i + 1) * k], strict=True)])
        for i, q in enumerate(queries)
    ]


@dataclass(frozen=True)
class ProbeRecord:
    """One prompt of a probe set (a JSONL line)."""

    id: str
    seed: int
    format: str
    shots: int
    a: str
    b: str
    answer: str  # digits of the true sum
    answer_longer: bool
    prompt: str
    target: str  # the answer as written in the format

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def build_probe_set(
    seed: int = 0,
    per_pair: int = 100,
    formats: Iterable[str] = ("plain", "comma_r2l"),
    shots: Iterable[int] = (8,),
    lengths: Sequence[int] = ADDEND_LENGTHS,
) -> list[ProbeRecord]:
    """Every (format, shot count) prompt of the seeded problems."""
    fmts = [get_format(f) for f in formats]
    shot_counts = sorted(set(shots))
    if any(k < 0 or k > max(SHOTS) for k in shot_counts):
        raise TokbenchError(f"shot counts must be between 0 and {max(SHOTS)}, got {shot_counts}")
    if per_pair < 1:
        raise TokbenchError(f"problems per length pair must be >= 1, got {per_pair}")
    records = []
    for qi, (query, pool) in enumerate(sample_problems(seed, per_pair, lengths)):
        for fmt in fmts:
            for k in shot_counts:
                prompt = "".join(p.equation(fmt) + "\n" for p in pool[:k]) + query.equation(fmt, with_answer=False)
                records.append(
                    ProbeRecord(
                        id=f"{qi}-{fmt.name}-{k}shot",
                        seed=seed,
                        format=fmt.name,
                        shots=k,
                        a=query.a,
                        b=query.b,
                        answer=query.answer,
                        answer_longer=query.answer_longer,
                        prompt=prompt,
                        target=fmt.write(query.answer),
                    )
                )
    return records


def write_jsonl(records: Sequence[ProbeRecord], path: str | Path) -> None:
    atomic_write_text(path, "".join(r.as_json() + "\n" for r in records))


def read_jsonl(path: str | Path) -> list[ProbeRecord]:
    """Probe records from a JSONL file; a malformed line is a one-line error naming it."""
    p = Path(path)
    if not p.is_file():
        raise TokbenchError(f"probe set {p} does not exist; write one with `tokbench probe-arithmetic --write-probes`")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise TokbenchError(f"probe set {p} is not UTF-8 text (byte {e.start}); give a JSONL file written by "
                            "--write-probes") from None
    except OSError as e:
        raise TokbenchError(f"cannot read probe set {p} ({e.strerror or type(e).__name__})") from None
    out: list[ProbeRecord] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = _record(json.loads(line))
        except (ValueError, TypeError, RecursionError, TokbenchError) as e:
            raise TokbenchError(f"{p}:{n} is not a probe record ({first_line(e)})") from None
        if rec.id in seen:
            raise TokbenchError(f"{p}:{n}: id {rec.id!r} repeats line {seen[rec.id]}; ids key the predictions")
        seen[rec.id] = n
        out.append(rec)
    if not out:
        raise TokbenchError(f"probe set {p} is empty")
    return out


_FIELD_TYPES = {"id": str, "seed": int, "format": str, "shots": int, "a": str, "b": str, "answer": str,
                "answer_longer": bool, "prompt": str, "target": str}


def _record(d: Any) -> ProbeRecord:
    """A JSON value checked as a probe record: the fields and their types, addends of digits, an answer
    that is their sum and a target written in the record's format (a wrong one would be scored as truth)."""
    if not isinstance(d, dict):
        raise ValueError(f"a JSON object per line, got {type(d).__name__}")
    if set(d) != set(_FIELD_TYPES):
        raise ValueError(f"keys {sorted(set(d) ^ set(_FIELD_TYPES))} differ from a probe record's")
    for key, want in _FIELD_TYPES.items():
        if not isinstance(d[key], want) or (want is int and isinstance(d[key], bool)):
            raise ValueError(f"{key} must be {want.__name__}, got {d[key]!r:.40}")
    rec = ProbeRecord(**d)
    fmt = get_format(rec.format)
    if not (rec.a.isascii() and rec.a.isdigit() and rec.b.isascii() and rec.b.isdigit()):
        raise ValueError(f"addends must be digits, got a={rec.a!r:.20} b={rec.b!r:.20}")
    problem = Problem(rec.a, rec.b)
    if rec.answer != problem.answer or rec.answer_longer != problem.answer_longer:
        raise ValueError(f"answer {rec.answer!r} / answer_longer {rec.answer_longer} do not match {rec.a}+{rec.b}")
    if rec.target != fmt.write(rec.answer):
        raise ValueError(f"target {rec.target!r:.30} is not the answer written as {fmt.name}")
    if not 0 <= rec.shots <= max(SHOTS):
        raise ValueError(f"shots must be between 0 and {max(SHOTS)}, got {rec.shots}")
    if not rec.prompt.endswith(problem.equation(fmt, with_answer=False)):
        raise ValueError("the prompt does not end with the query a+b= written in the record's format")
    return rec
