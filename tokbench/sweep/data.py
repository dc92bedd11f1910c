"""Training text with equal budgets per language, the control that makes tokenizers comparable.

Arnett et al. (2025) hold the training-data size fixed across languages; here a budget is a number
of UTF-8 bytes (or characters) and every language gets exactly that much: whole documents in corpus
order while they fit, then the next document cut at a character boundary (so a byte budget is met to
within the 1-3 bytes of one character). A language with less text than the budget is an error, never
a smaller silent budget. Text comes from any corpus `tokbench run` reads, or from a `datasets` source
with a pinned revision (a large monolingual corpus such as FineWeb-2, for users with a hub).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tokbench.cache import texts_sha256
from tokbench.errors import TokbenchError


@dataclass(frozen=True)
class TrainingText:
    lines: tuple[str, ...]
    sha256: str
    size: int  # in `unit`
    unit: str
    source: str


def measure(text: str, unit: str) -> int:
    return len(text.encode("utf-8")) if unit == "bytes" else len(text)


def _cut(text: str, room: int, unit: str) -> str:
    """The longest prefix of `text` within `room` units, at a character boundary."""
    if unit == "chars":
        return text[:room]
    return text.encode("utf-8")[:room].decode("utf-8", errors="ignore")


def take_budget(docs: Iterable[str], budget: int, unit: str, where: str) -> TrainingText:
    """Documents in order until exactly `budget` units (bytes: minus at most one partial character)."""
    if unit not in ("bytes", "chars"):
        raise TokbenchError(f"budget unit {unit!r} is not bytes or chars")
    if budget <= 0:
        raise TokbenchError(f"training budget must be > 0 {unit}, got {budget}")
    lines: list[str] = []
    used = 0
    for doc in docs:
        doc = doc.strip()
        if not doc:
            continue
        n = measure(doc, unit)
        if used + n <= budget:
            lines.append(doc)
            used += n
        else:
            part = _cut(doc, budget - used, unit)
            if part:
                lines.append(part)
                used += measure(part, unit)
            break
        if used == budget:
            break
    if budget - used >= 4 or (unit == "chars" and used < budget):
        raise TokbenchError(
            f"{where} has only {used:,} {unit} of text, less than the training budget of {budget:,}; "
            f"lower --budget (every language gets the same amount) or train on a larger source"
        )
    return TrainingText(tuple(lines), texts_sha256(lines), used, unit, where)


def corpus_training_text(corpus: str, split: str, lang: str, budget: int, unit: str) -> TrainingText:
    """Training text from a registered corpus (FLORES dev, UDHR, manpages, a user's corpus)."""
    from tokbench.corpora import load_corpus

    c = load_corpus(corpus)
    if split not in c.splits:
        raise TokbenchError(f"corpus {corpus!r} has no split {split!r}; splits: {', '.join(c.splits)}")
    return take_budget(c.texts(split, lang), budget, unit, f"{corpus}:{split}:{lang}")


def hub_training_text(
    dataset: str,
    lang: str,
    budget: int,
    unit: str,
    *,
    revision: str | None,
    config: str | None = None,
    split: str = "train",
    column: str = "text",
) -> TrainingText:
    """Training text streamed from `datasets.load_dataset(dataset, config, revision=...)`.

    A hub dataset must be pinned to a revision (a commit) so the sweep is reproducible, and is read
    only with TOKBENCH_ALLOW_HUB=1 (as corpora are); a local folder or file is read as is. `config`
    may contain `{lang}` (FineWeb-2's configs are language codes: `--train-config {lang}`)."""
    import datasets

    local = Path(dataset).expanduser().exists()
    name = config.format(lang=lang) if config else None
    if not local:
        if not revision:
            raise TokbenchError(f"--train-hub {dataset}: pin --train-revision to a commit so the sweep is reproducible")
        if os.environ.get("TOKBENCH_ALLOW_HUB") != "1":
            raise TokbenchError(f"--train-hub {dataset} is not a local path; set TOKBENCH_ALLOW_HUB=1 to read the hub")
    kwargs = {} if local else {"revision": revision}
    try:
        ds = datasets.load_dataset(str(Path(dataset).expanduser()) if local else dataset, name, split=split,
                                   streaming=True, **kwargs)  # fmt: skip
        docs = (row[column] for row in ds)
        where = f"{dataset}{'@' + revision if revision and not local else ''}:{name or split}"
        return take_budget(docs, budget, unit, where)
    except TokbenchError:
        raise
    except KeyError:
        raise TokbenchError(f"{dataset}: no column {column!r}; name the text column with --train-column") from None
    except Exception as e:  # datasets raises many types for a missing file, config or split
        raise TokbenchError(f"cannot read training text from {dataset} ({type(e).__name__}: {e})") from None


def char_ngrams(lines: Iterable[str], n: int = 3) -> dict[str, int]:
    """Character n-gram counts (spaces included): a script-neutral unit for train/eval overlap."""
    out: dict[str, int] = {}
    for line in lines:
        for i in range(len(line) - n + 1):
            g = line[i : i + n]
            out[g] = out.get(g, 0) + 1
    return out


def overlap(train: Iterable[str], evaluation: Iterable[str], n: int = 3) -> float:
    """Share of the evaluation text's character n-gram occurrences whose n-gram occurs in the training
    text: how similar training and evaluation data are (the factor of Arnett et al.'s finding 2)."""
    seen = char_ngrams(train, n)
    ev = char_ngrams(evaluation, n)
    total = sum(ev.values())
    return sum(c for g, c in ev.items() if g in seen) / total if total else float("nan")


def whitespace_share(lines: Iterable[str]) -> float:
    """Share of characters that are whitespace: how much a whitespace pre-tokenizer cuts a language."""
    chars = spaces = 0
    for line in lines:
        chars += len(line)
        spaces += sum(1 for ch in line if ch.isspace())
    return spaces / chars if chars else float("nan")
