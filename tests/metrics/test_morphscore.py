"""morphscore: character boundaries from byte offsets, and the metric against the reference definition."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from tokbench.errors import TokbenchError
from tokbench.metrics import MetricContext, get_metric
from tokbench.metrics.morphscore import CODES, LANGUAGES, Gold, char_boundaries, load_gold, score_words


def test_boundaries_are_character_positions() -> None:
    # "ağ" + "a": 'ğ' is 2 bytes; a byte-level cut inside it (at byte 2) is no character boundary
    word = "ağa"
    assert char_boundaries(word, [(0, 2), (2, 3), (3, 4)]) == {2}
    assert char_boundaries(word, [(0, 1), (1, 3), (3, 4)]) == {1, 2}
    assert char_boundaries(word, [(0, 4)]) == set()
    # a zero-width first piece (SentencePiece's lone '▁') adds no internal boundary
    assert char_boundaries("lighted", [(0, 0), (0, 7)]) == set()
    assert char_boundaries("lighted", [(0, 0), (0, 5), (5, 7)]) == {5}


def test_language_map_is_flores_style() -> None:
    assert len(LANGUAGES) == 22
    assert LANGUAGES["turkish"] == "tur_Latn" and LANGUAGES["japanese"] == "jpn_Jpan"
    assert all(len(c) == 8 and c[3] == "_" for c in CODES)


class _Spans:
    """A stand-in tokenizer returning fixed byte spans per word (ids are irrelevant to the metric)."""

    def __init__(self, spans: dict[str, list[tuple[int, int]]]) -> None:
        self.spans = spans

    def encode_with_offsets(self, words: list[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        return [(list(range(len(self.spans[w]))), self.spans[w]) for w in words]


def test_score_words_hand_cases() -> None:
    gold = Gold(("lighted", "metrics", "uploads", "ağa", "éé"), (5, 6, 6, 2, 1), 0, 0)
    tok = _Spans({
        "lighted": [(0, 5), (5, 7)],
        "metrics": [(0, 3), (3, 7)],
        "uploads": [(0, 0), (0, 7)],  # a lone zero-width '▁' and the word: one token, excluded
        "ağa": [(0, 2), (2, 4)],  # cut only inside 'ğ': several tokens, no boundary at the morpheme: 0
        "éé": [(0, 2), (2, 4)],
    })
    assert np.array_equal(score_words(tok, gold), [1.0, 0.0, np.nan, 0.0, 1.0], equal_nan=True)


@pytest.fixture(scope="module")
def morph_data(shared_assets: object) -> Iterator[None]:
    from tokbench.metrics.morphscore import data_available

    if not data_available():
        pytest.skip("needs reference/morphscore_v1 (MorphScore gold data, never vendored) in TOKBENCH_DATA")
    yield


def _rows(name: str, **opts: object) -> dict[str, dict]:
    from tokbench.tokenizers import load_tokenizer

    cls = get_metric("morphscore")
    ctx = MetricContext(load_tokenizer(name), None)
    return {r["language"]: r for r in cls().compute(ctx, cls.resolve_options(dict(opts)))}


def _reference(tok: object, word: str, cut: int) -> float:
    """The reference code's rule (catherinearnett/morphscore): decode each token alone, exclude one-token
    words, score 1 when some split of the decoded pieces gives exactly [pt1, rest]."""
    ids = tok.encode_batch([word])[0]  # type: ignore[attr-defined]
    pieces = [tok.decode([i]) for i in ids]  # type: ignore[attr-defined]
    if len(pieces) == 1:
        return np.nan
    pt1, rest = word[:cut], word[cut:]
    hits = sum(["".join(pieces[: t + 1]), "".join(pieces[t + 1 :])] == [pt1, rest] for t in range(len(pieces) - 1))
    return 1.0 if hits == 1 else 0.0


# Latin-script languages whose words cl100k never cuts inside a character, so per-token decoding is lossless
LOSSLESS_LATIN = ["eng_Latn", "spa_Latn", "tur_Latn", "hun_Latn", "ind_Latn", "zul_Latn"]


@pytest.mark.usefixtures("morph_data")
def test_matches_reference_definition_on_latin_script() -> None:
    from tokbench.tokenizers import load_tokenizer

    tok = load_tokenizer("cl100k_base")
    rows = _rows("cl100k_base", languages=",".join(LOSSLESS_LATIN), bootstrap=0)
    for code in LOSSLESS_LATIN:
        gold = load_gold(code)
        ref = np.array([_reference(tok, w, c) for w, c in zip(gold.words, gold.pt1_chars, strict=True)])
        assert rows[code]["value"] == pytest.approx(float(np.nanmean(ref)), abs=1e-12), code
        assert rows[code]["n"] == int((~np.isnan(ref)).sum()), code


@pytest.mark.usefixtures("morph_data")
def test_rows_ci_and_exclusions() -> None:
    rows = _rows("cl100k_base", bootstrap=200)
    assert set(rows) == set(CODES)
    for code, r in rows.items():
        assert r["split"] == "-" and r["unit"] == "fraction of words"
        assert 0.0 <= r["value"] <= 1.0, code
        assert r["ci_low"] <= r["value"] <= r["ci_high"], code
        assert r["flags"].startswith("one_token="), code
    # the Gujarati file's misaligned rows and Turkish/Zulu empty `rest` rows are set aside and counted
    assert "malformed=191" in rows["guj_Gujr"]["flags"]
    assert "empty_rest=7" in rows["tur_Latn"]["flags"]
    # English: cl100k keeps many frequent inflected words whole; they are excluded, not scored 0
    one = int(rows["eng_Latn"]["flags"].split(";")[0].split("=")[1])
    assert one > 100 and rows["eng_Latn"]["n"] + one == len(load_gold("eng_Latn").words)


@pytest.mark.usefixtures("morph_data")
def test_byte_pieces_are_not_decoded_one_by_one() -> None:
    # cl100k cuts many Korean syllables into byte pieces; decoding each alone gives U+FFFD and the reference rule
    # scores 0.20, while every character boundary that is a token boundary counts here
    rows = _rows("cl100k_base", languages="kor_Hang", bootstrap=0)
    assert rows["kor_Hang"]["value"] > 0.9


def test_unknown_language_is_an_error() -> None:
    with pytest.raises(TokbenchError, match="no language"):
        load_gold("xxx_Latn")
