"""SentencePiece path of the mixture inference: trainer rules, and a controlled recovery.

The controlled test trains a SentencePiece BPE (the library's own trainer, byte fallback) and a
byte-level BPE with as many merges on the same known mixture of FLORES dev text in English,
Chinese, Thai and Japanese (three scripts without spaces), then infers the mixture from FLORES
devtest. Measured on this mixture: byte-level -5.57; SentencePiece before the trainer view (code of
333e64e) -2.79, with trainer words and pair rules -2.73, plus character-rank rows -5.16.
"""

from __future__ import annotations

import numpy as np
import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, trainers

from tokbench.mixture.infer import infer_mixture
from tokbench.mixture.trainer_view import trainer_view
from tokbench.tokenizers.hf import from_rust
from tokbench.tokenizers.spm_words import PieceRules, trainer_segments

LANGS = ("eng_Latn", "zho_Hans", "tha_Thai", "jpn_Jpan")
TRUE = np.array([0.4, 0.3, 0.2, 0.1])


def test_segments_cut_where_no_piece_can_cross():
    r = PieceRules(split_digits=True, allow_whitespace_only_pieces=True)
    assert trainer_segments(" hello,world2019", r, ws=" ") == [" hello", ",", "world", "2", "0", "1", "9"]
    # kana joins Han (one script for the trainer); the ideographic full stop is Common
    assert trainer_segments(" 東京タワーです。", r, ws=" ") == [" 東京タワーです", "。"]
    # a combining mark takes the script of the letter before it
    assert trainer_segments(" cafe\u0301s", r, ws=" ") == [" cafe\u0301s"]
    # an unknown character (below character_coverage) is dropped and splits the word
    assert trainer_segments(" abxcd", r, known=lambda c: c != "x", ws=" ") == [" ab", "cd"]


def test_piece_rules_read_off_pieces_match_the_trainer_spec(shared_assets):
    from tokbench.tokenizers import load_tokenizer

    tok = load_tokenizer("llama2")
    spec = tok.piece_rules
    made = [(a + b).decode("utf-8") for a, b in tok.merges()]
    inferred = PieceRules.infer(made, ws=" ")
    assert (inferred.max_length, inferred.split_by_unicode_script, inferred.split_digits,
            inferred.allow_whitespace_only_pieces) == (spec.max_length, True, True, True)
    # training (id) order: Llama 2's first merge is the whitespace pair its scores moved to the end
    assert tok.training_merges()[0] == (b" ", b" ") and tok.merges()[0] == (b" ", b"t")
    view = trainer_view(tok)
    assert view is not None and view.ranked is not None and view.ranked[:3] == [" ", "e", "t"]


def _train_docs(flores) -> list[str]:
    rng = np.random.default_rng(0)
    docs: list[str] = []
    for lang, w in zip(LANGS, TRUE, strict=True):
        pool = flores.texts("dev", lang)
        got = 0
        while got < w * 400_000:
            d = pool[int(rng.integers(len(pool)))]
            docs.append(d)
            got += len(d.encode())
    rng.shuffle(docs)
    return docs


def _log_mse(r) -> float:
    est = np.array([r.byte_weights[x] for x in LANGS])
    return float(np.log10(np.mean((est - TRUE) ** 2)))


@pytest.fixture(scope="module")
def controlled(shared_assets):
    from tokbench.corpora import load_corpus
    from tokbench.tokenizers.spm import train_bpe

    fl = load_corpus("flores200")
    docs = _train_docs(fl)
    return {"docs": docs, "test": {x: fl.texts("devtest", x) for x in LANGS},
            "spm": train_bpe(docs, 3500, "controlled-spm")}


def test_sentencepiece_mixture_recovered_as_well_as_byte_level(controlled):
    docs, test, spm_tok = controlled["docs"], controlled["test"], controlled["spm"]
    merges = len(spm_tok.merges())
    assert 500 < merges < 1500
    spm_res = infer_mixture(spm_tok, test, merges=None, threads=2)

    bl = Tokenizer(models.BPE())
    bl.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bl.train_from_iterator(docs, trainers.BpeTrainer(vocab_size=256 + merges, show_progress=False,
                                                     initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    bl_res = infer_mixture(from_rust(bl, "controlled-bytelevel"), test, merges=merges, threads=2)

    spm_mse, bl_mse = _log_mse(spm_res), _log_mse(bl_res)
    assert spm_mse < -3.0, spm_res.byte_weights
    assert spm_mse <= bl_mse + 0.5, (spm_mse, bl_mse)
    assert spm_res.byte_weights["zho_Hans"] == pytest.approx(0.3, abs=0.05)


def test_sentencepiece_bootstrap_reweights_rank_counts(controlled):
    r = infer_mixture(controlled["spm"], controlled["test"], merges=200, bootstrap=2, seed=3, threads=2)
    for lang in LANGS:
        lo, hi = r.ci["byte_weights"][lang]
        assert 0 <= lo <= hi <= 1
    assert r.byte_weights["zho_Hans"] == pytest.approx(0.3, abs=0.1)


def test_pairs_the_trainer_cannot_merge_are_masked():
    from tokbench.mixture.replay import compile_merges
    from tokbench.mixture.trainer_view import TrainerView

    # pieces: "  " (whitespace only), " a", "ab", " ab"
    merges = [(b" ", b" "), (b" ", b"a"), (b"a", b"b"), (b" a", b"b")]
    table = compile_merges(merges, "char", {" ", "a", "b"})
    ids = table.token_ids

    def key(x: bytes, y: bytes) -> int:
        return ids[x] * table.n_tokens + ids[y]

    view = TrainerView(PieceRules(max_length=3, allow_whitespace_only_pieces=True), None, None)
    ok = view.pair_ok(table)
    keys = np.array([key(b" ", b" "), key(b" ", b"ab"), key(b"a", b" "), key(b"  ", b" a"), key(b" a", b"ab"),
                     key(b"ab", b"a")])
    # whitespace only: kept; '▁' as prefix: kept; '▁' after a letter or inside: dropped; 4 > 3 chars: dropped
    assert ok(keys).tolist() == [True, True, False, False, False, True]
    strict = TrainerView(PieceRules(max_length=16, allow_whitespace_only_pieces=False), None, None).pair_ok(table)
    assert strict(keys[:1]).tolist() == [False]
