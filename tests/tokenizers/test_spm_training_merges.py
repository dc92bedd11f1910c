"""The merges a SentencePiece trainer made, recovered from a tokenizer.json conversion of its model.

A conversion lists every split of a piece whose two halves are pieces; the split the trainer joined
is the one BPE reaches with the earlier pieces. Gemma 3 ships only as such a conversion: keeping
the first listed split made 8,918 of its first 30k merges pairs that BPE never forms.
"""

from __future__ import annotations

import pytest
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

from tokbench.corpora import load_corpus
from tokbench.tokenizers.hf import from_rust
from tokbench.tokenizers.spm import SentencePieceTokenizer, train_bpe


@pytest.fixture(scope="module")
def spm_model() -> SentencePieceTokenizer:
    udhr = load_corpus("udhr")
    docs = [t for lang in ("eng_Latn", "fra_Latn", "tur_Latn", "rus_Cyrl") for t in udhr.texts("articles", lang)]
    return train_bpe(docs, 1200, "udhr-spm")


def _converted(tok: SentencePieceTokenizer) -> Tokenizer:
    """tokenizer.json the way SentencePiece converters write it: every split of a piece whose halves
    are both pieces, pieces in id order, splits by the ids of their halves."""
    vocab = {p.piece: i for i, p in enumerate(tok._proto.pieces)}
    merges: list[tuple[str, str]] = []
    for piece, _ in sorted(vocab.items(), key=lambda kv: kv[1]):
        splits = [(piece[:k], piece[k:]) for k in range(1, len(piece)) if piece[:k] in vocab and piece[k:] in vocab]
        merges.extend(sorted(splits, key=lambda s: (vocab[s[0]], vocab[s[1]])))
    rust = Tokenizer(models.BPE(vocab, merges, unk_token="<unk>", byte_fallback=True, fuse_unk=True))
    rust.normalizer = normalizers.Replace(" ", "\u2581")
    rust.pre_tokenizer = pre_tokenizers.Split(" ", "merged_with_previous")
    return rust


def test_converted_list_gives_back_the_trainers_merges(spm_model):
    hf = from_rust(_converted(spm_model), "converted")
    assert hf.symbol_unit == "char"
    want = spm_model.training_merges()
    assert hf.training_merges() == want
    # the first listed split is not the trainer's for some pieces (the bug this guards against)
    listed_first = hf.merges()
    assert {a + b for a, b in listed_first} == {a + b for a, b in want}
    assert sum(m not in set(want) for m in listed_first) > 0


def test_a_list_with_one_split_per_piece_is_kept():
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.normalizer = normalizers.Replace(" ", "\u2581")
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    udhr = load_corpus("udhr")
    tok.train_from_iterator(udhr.texts("articles", "eng_Latn"),
                            trainers.BpeTrainer(vocab_size=400, special_tokens=["<unk>"], show_progress=False))
    hf = from_rust(tok, "hf-char-bpe")
    assert hf.symbol_unit == "char"
    assert hf.training_merges() == hf.merges()


def test_llama2_json_and_model_agree(shared_assets):
    from tokbench.tokenizers import load_tokenizer

    model, converted = load_tokenizer("llama2"), load_tokenizer("llama2_hf")
    assert converted.training_merges() == model.training_merges()


def test_trainer_view_of_the_conversion_matches_the_model(spm_model):
    from tokbench.mixture.trainer_view import trainer_view

    model, conv = trainer_view(spm_model), trainer_view(from_rust(_converted(spm_model), "converted"))
    assert model is not None and conv is not None
    assert conv.ranked == model.ranked and conv.ranked[0] == " "
    assert conv.known == model.known
    assert conv.rules.split_digits and conv.rules.split_by_unicode_script
