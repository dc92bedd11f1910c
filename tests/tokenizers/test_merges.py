"""Canonical merge lists reproduce the libraries: applying `merges()` in order to `pre_tokenize`
words gives the library's own tokens, on real FLORES-200 sentences from many scripts.

gpt2 (HF tokenizer.json merges), cl100k_base (merges derived from tiktoken ranks) and llama2
(merges derived from SentencePiece BPE pieces and scores). Tokens are compared as surface byte
strings (`token_bytes()` of the library's ids). SentencePiece byte-fallback: a character that
is not a piece never merges (no merge contains it), and the library then emits one `<0xNN>`
token per UTF-8 byte; the reference does the same by splitting any merged part that is not in
the vocabulary into bytes, and the test checks that this case really occurs in the sample.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tokbench.datadirs import find
from tokbench.tokenizers import load_tokenizer
from tokbench.tokenizers.merges import apply_merges, check_merges, split_bytes, split_chars

# several scripts, including ones Llama-2 mostly covers by byte fallback (Ethiopic, Thai, Khmer, ...)
LANGS = (
    "eng_Latn", "tur_Latn", "vie_Latn", "rus_Cyrl", "ell_Grek", "heb_Hebr", "arb_Arab", "hin_Deva",
    "tam_Taml", "amh_Ethi", "tha_Thai", "khm_Khmr", "kor_Hang", "jpn_Jpan", "zho_Hans",
)  # fmt: skip
PER_LANG = 20


@pytest.fixture(scope="module")
def sentences(shared_assets: Path) -> list[str]:
    out = []
    for lang in LANGS:
        path = find(f"corpora/flores200/dev/{lang}.parquet")
        assert path is not None, lang
        out += pq.read_table(path, columns=["text"]).column("text").to_pylist()[:PER_LANG]
    assert len(out) == len(LANGS) * PER_LANG == 300
    return out


def reference_tokens(tok, texts: list[str]) -> tuple[list[list[bytes]], int, int]:
    """Per text, the surface tokens from apply_merges; plus (#words, #byte-fallback symbols)."""
    split = split_bytes if tok.symbol_unit == "byte" else split_chars
    words_per_text = [tok.pre_tokenize(t) for t in texts]
    merged = apply_merges([split(w) for ws in words_per_text for w in ws], tok.merges())
    vocab = {b for b in tok.token_bytes() if b is not None}
    out, k, fallback = [], 0, 0
    for ws in words_per_text:
        toks: list[bytes] = []
        for parts in merged[k : k + len(ws)]:
            for p in parts:
                if p in vocab:
                    toks.append(p)
                else:  # not a token: SentencePiece byte fallback
                    assert tok.symbol_unit == "char", p
                    toks += split_bytes(p)
                    fallback += 1
        out.append(toks)
        k += len(ws)
    return out, k, fallback


@pytest.mark.parametrize("name", ["gpt2", "cl100k_base", "llama2"])
def test_apply_merges_equals_library(sentences: list[str], name: str) -> None:
    tok = load_tokenizer(name)
    ref, n_words, n_fallback = reference_tokens(tok, sentences)
    table = tok.token_bytes()
    lib = [[table[i] for i in ids] for ids in tok.encode_batch(sentences)]
    bad = [(s[:40], r[:8], g[:8]) for s, r, g in zip(sentences, ref, lib, strict=True) if r != g]
    print(f"{name}: {len(sentences)} sentences, {n_words} words, {sum(map(len, lib))} tokens, "
          f"{n_fallback} byte-fallback symbols, {len(bad)} differ")  # fmt: skip
    assert not bad, f"{len(bad)}/{len(sentences)} sentences differ; first: {bad[0]}"
    assert n_words > 3000
    # the reconstruction is lossless: tokens concatenate to the (normalized) text
    for s, r in zip(sentences, lib, strict=True):
        assert b"".join(r) == b"".join(tok.pre_tokenize(s))
    if name == "llama2":
        assert n_fallback > 100  # Ethiopic, Khmer, ... really go through byte fallback


@pytest.mark.parametrize("name", ["gpt2", "cl100k_base", "llama2"])
def test_merge_lists_well_formed(shared_assets: Path, name: str) -> None:
    tok = load_tokenizer(name)
    merges = tok.merges()
    table = tok.token_bytes()
    if tok.symbol_unit == "byte":
        base = [bytes([b]) for b in range(256)]
    else:  # SentencePiece: single-character pieces
        base = [b for b in table if b is not None and len(b.decode("utf-8", "replace")) == 1]
    check_merges(merges, base)
    vocab = {b for b in table if b is not None}
    assert all(a + b in vocab for a, b in merges)
    assert len(set(merges)) == len(merges)
    assert len({a + b for a, b in merges}) == len(merges)  # one merge per token


def test_gpt2_json_merges_equal_r50k_derived(shared_assets: Path) -> None:
    """HF's stored merge list and the one derived from the same vocabulary's tiktoken ranks agree."""
    hf, tk = load_tokenizer("gpt2").merges(), load_tokenizer("r50k_base").merges()
    assert len(hf) == 50_000
    assert hf == tk
