"""Llama-2 and cl100k_base reproduce Petrov et al. (2023)'s published reference tokenizations exactly.

`reference/petrov2023/examples.tar.xz` holds, per FLORES-200 language, 10 sentences with the ids
of the Llama-2 (`LLAMA`, HF `meta-llama/Llama-2-7b-chat-hf`) and `cl100k_base` tokenizers,
grouped into *displayed tokens*. How the groups were made (their `compute/tokenizer_interface.py`,
`TokenizerInterface.align_tokens_to_text`): ids are encoded without special tokens (HF
`convert_tokens_to_ids(tokenize(text))`, tiktoken `encode`; no BOS anywhere — checked below),
then accumulated until `decode(group)` is longer than one character or is one character other
than U+FFFD, which closes the group. A trailing group that never closes (a lone '▁' that
decodes to '' or an incomplete UTF-8 byte run that decodes to '\\ufffd') is never emitted, so
the published `tokens` (and `num_tokens`) drop it. We rebuild the groups from our own ids and
our own `decode` with the same rule and require equality of groups, group strings and the
dropped tail — i.e. every id, not just counts. The FLORES text is read from the archive at
test time (vendor: no) and never stored in the repository.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pytest

from tokbench.tokenizers import load_tokenizer

KEYS = {"LLAMA": "llama2", "cl100k_base": "cl100k_base"}


@pytest.fixture(scope="module")
def examples(shared_assets: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    archive = shared_assets / "reference" / "petrov2023" / "examples.tar.xz"
    if not archive.is_file():
        pytest.skip(f"{archive} is absent")
    out = tmp_path_factory.mktemp("petrov_examples")
    with tarfile.open(archive) as tar:
        tar.extractall(out, filter="data")
    files = sorted(out.rglob("*.json"))
    return {f.stem: json.loads(f.read_text(encoding="utf-8")) for f in files}


def display_groups(tok, ids: list[int]) -> tuple[list[list[int]], list[str], list[int]]:
    """Petrov's align_tokens_to_text on our ids: (closed groups, their strings, unclosed tail)."""
    groups, strings, pending = [], [], []
    for t in ids:
        cur = pending + [t]
        dec = tok.decode(cur)
        if len(dec) > 1 or (len(dec) == 1 and dec != "\ufffd"):
            groups.append(cur)
            strings.append(dec)
            pending = []
        else:
            pending = cur
    return groups, strings, pending


def test_archive_covers_all_flores_languages(examples: dict[str, dict]) -> None:
    assert len(examples) == 204
    for lang, doc in examples.items():
        assert set(doc) == set(KEYS), lang
        for key in KEYS:
            assert sorted(doc[key], key=int) == [str(i) for i in range(10)], (lang, key)


@pytest.mark.parametrize("key", list(KEYS))
def test_reference_tokenizations_exact(examples: dict[str, dict], key: str) -> None:
    tok = load_tokenizer(KEYS[key])
    items = [(lang, i, e) for lang, doc in sorted(examples.items()) for i, e in sorted(doc[key].items())]
    ours = tok.encode_batch([e["text"] for _, _, e in items])
    bos_like = 0
    dropped_tails = 0
    mismatches = []
    for (lang, i, e), ids in zip(items, ours, strict=True):
        ref_flat = [t for group in e["tokens"] for t in group]
        assert len(ref_flat) == e["num_tokens"], (lang, i)
        bos_like += bool(ref_flat) and ref_flat[0] in tok.special_ids
        groups, strings, tail = display_groups(tok, ids)
        if groups != e["tokens"] or strings != e["tokens-text"]:
            mismatches.append((lang, i, e["tokens"][:6], groups[:6]))
            continue
        # what the publication dropped is exactly the unclosed tail of our own ids
        assert ids == ref_flat + tail, (lang, i)
        dropped_tails += bool(tail)
    assert not mismatches, f"{len(mismatches)}/{len(items)} differ, first: {mismatches[:3]}"
    assert bos_like == 0, "reference ids start with a special token (BOS); they were encoded without specials"
    assert len(items) == 2040
    # the tail rule matters: these sentences' last id is not in the published list (measured: 113 for
    # Llama-2 — 56 trailing '▁', 57 incomplete byte runs — and 49 for cl100k_base)
    assert dropped_tails > 0


def test_llama2_without_bos_and_with_bos(shared_assets: Path) -> None:
    """The reference has no BOS; asking for specials adds exactly one (id 1) in front."""
    tok = load_tokenizer("llama2")
    plain, with_bos = tok.encode_batch(["Hello world"]), tok.encode_batch(["Hello world"], add_special_tokens=True)
    assert with_bos[0] == [1, *plain[0]]
    assert 1 in tok.special_ids
