"""`tokbench check`: each sanity check on vendored tokenizers, exit codes and --json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tokbench import check
from tokbench.check import (
    CheckResult,
    check_padding,
    check_round_trip,
    check_special_in_text,
    check_superwords,
    check_unreachable,
    check_utf8,
    exit_code,
    unreachable_entries,
    utf8_completions,
    utf8_fragment,
)
from tokbench.cli import main
from tokbench.tokenizers import load_tokenizer

SOME_UDHR = ("eng_Latn", "tur_Latn", "rus_Cyrl", "cmn_Hans", "arb_Arab", "hin_Deva")


@pytest.fixture(scope="module")
def udhr() -> list[tuple[str, list[str]]]:
    from tokbench.check import _udhr

    return [(lang, ts) for lang, ts in _udhr() if lang in SOME_UDHR]


def test_utf8_fragment_rules() -> None:
    assert utf8_fragment("é".encode()[1:])  # tail of a character
    assert utf8_fragment("中".encode()[:2])  # head of a character
    assert utf8_fragment(b"\x80" + b"ab" + "中".encode()[:1])  # tail, text, head
    assert not utf8_fragment(b"\xc0\xaf")  # overlong: never valid
    assert not utf8_fragment(b"a\x80")  # a continuation byte after ASCII
    assert not utf8_fragment(b"\x80\x80\x80\x80a")  # four continuation bytes cannot end one character


def test_exit_codes() -> None:
    def r(status: str) -> CheckResult:
        return CheckResult("x", status, "")  # type: ignore[arg-type]

    assert exit_code([r("pass"), r("pass")]) == 0
    assert exit_code([r("pass"), r("warn")]) == 1
    assert exit_code([r("warn"), r("fail"), r("pass")]) == 2


def test_cl100k_round_trip_passes(udhr: list[tuple[str, list[str]]]) -> None:
    res = check_round_trip(load_tokenizer("cl100k_base"), udhr)
    assert res.status == "pass"
    assert res.details["exact_share"] == 1.0 and res.details["languages"] == len(SOME_UDHR)


def test_bert_uncased_round_trip_fails_with_reasons(udhr: list[tuple[str, list[str]]]) -> None:
    res = check_round_trip(load_tokenizer("bert_base_uncased"), udhr)
    assert res.status == "fail"
    assert res.details["exact_share"] < 0.1
    assert {"case", "whitespace"} <= set(res.details["kinds"])
    assert res.details["examples"] and "->" in res.details["examples"][0]


def test_bert_uncased_ships_padding_and_truncation() -> None:
    res = check_padding("bert_base_uncased")
    assert res.status == "warn"
    assert res.details["truncation"]["max_length"] == 128
    assert "128" in res.line and "padding" in res.line
    assert check_padding("cl100k_base").status == "pass"  # tiktoken has no such settings


def test_special_tokens_in_text() -> None:
    bert = check_special_in_text(load_tokenizer("bert_base_uncased"))
    assert bert.status == "warn" and "[CLS]" in bert.details["examples"]
    cl100k = check_special_in_text(load_tokenizer("cl100k_base"))  # encode_ordinary: specials stay text
    assert cl100k.status == "pass" and cl100k.details["probed"] >= 1


def test_utf8_integrity_counts_byte_pieces() -> None:
    res = check_utf8(load_tokenizer("cl100k_base"))
    assert res.status == "pass"
    assert res.details["partial_characters"] > 0 and res.details["never_valid"] == 0
    assert check_utf8(load_tokenizer("bert_base_uncased")).details["partial_characters"] == 0


class _Table:
    """A stand-in with a fixed vocabulary of surfaces."""

    special_ids: frozenset[int] = frozenset({2})

    def __init__(self, surfaces: list[bytes | None]) -> None:
        self.surfaces = surfaces

    def token_bytes(self) -> list[bytes | None]:
        return self.surfaces


def test_superword_tokens() -> None:
    res = check_superwords(_Table([b" the", b"of the", b"<s> x", b"   ", b"\n\n", b"a\tb", b"//\n//", b"x =\n"]))
    assert res.status == "warn" and res.details["superword_tokens"] == 2  # 'of the', 'a\tb'; id 2 is special
    assert check_superwords(_Table([b" the", b"   ", None])).status == "pass"
    assert check_superwords(load_tokenizer("cl100k_base")).status == "pass"


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_cli_json_and_exit_code(capsys: pytest.CaptureFixture[str], reference_encoder: None) -> None:
    code, out = _cli(capsys, "check", "bert_base_uncased", "--json")
    doc: dict[str, Any] = json.loads(out)
    by_name = {c["name"]: c for c in doc["checks"]}
    assert code == doc["exit_code"] == 2  # its round trip fails
    assert by_name["padding_truncation"]["status"] == "warn"
    assert by_name["round_trip"]["status"] == "fail"
    assert set(by_name) == {"round_trip", "utf8_integrity", "special_tokens_in_text", "padding_truncation",
                            "unicode_normalization", "unreachable_vocab", "superword_tokens", "digit_chunking"}
    assert all(c["status"] in ("pass", "warn", "fail") and c["line"] for c in doc["checks"])


def test_cli_lines(capsys: pytest.CaptureFixture[str], reference_encoder: None) -> None:
    code, out = _cli(capsys, "check", "cl100k_base")
    lines = out.strip().splitlines()
    assert len(lines) == 8 and lines[0].startswith("PASS  round_trip")
    # cl100k has no normalizer: NFD text gets other tokens (a warning), nothing fails
    assert code == 1 and any(line.startswith("WARN  unicode_normalization") for line in lines)


def test_unknown_tokenizer_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "no_such_tokenizer_xyz"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err



# -- unreachable vocabulary --------------------------------------------------------------------------------------
def _toy_bpe(tmp_path: Path) -> Path:
    """Byte-level BPE, GPT-2 pre-tokenizer. Merges: b+c, a+b, ab+c, a+' ', 'a '+b. 'abc' is shadowed (b+c
    outranks a+b, so 'abc' becomes a|bc), 'a ' and 'a b' cross the pre-tokenizer's word boundary."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    vocab = {"a": 0, "b": 1, "c": 2, "Ġ": 3, "bc": 4, "ab": 5, "abc": 6, "aĠ": 7, "aĠb": 8}
    merges = [("b", "c"), ("a", "b"), ("ab", "c"), ("a", "Ġ"), ("aĠ", "b")]
    tok = Tokenizer(models.BPE(vocab, merges))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    path = tmp_path / "toy" / "tokenizer.json"
    path.parent.mkdir()
    tok.save(str(path))
    return path


def test_unreachable_toy_bpe_causes(tmp_path: Path) -> None:
    tok = load_tokenizer(str(_toy_bpe(tmp_path)))
    ids, causes, tested = unreachable_entries(tok)
    assert tested == 9
    assert causes == {6: "shadowed", 7: "pre-tokenizer", 8: "pre-tokenizer"} and ids == [6, 7, 8]
    assert tok.encode_batch(["abc"]) == [[0, 4]]  # the proof of 'shadowed': its own text is a|bc
    res = check_unreachable(tok)
    assert res.status == "fail" and res.details["unreachable"] == 3  # a third of the vocabulary
    assert res.details["by_cause"] == {"pre-tokenizer": 2, "shadowed": 1}


def test_unreachable_search_in_small_batches_finds_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The witness texts go to the encoder in bounded batches (memory); the verdicts do not depend on it."""
    tok = load_tokenizer(str(_toy_bpe(tmp_path)))
    whole = unreachable_entries(tok)
    monkeypatch.setattr(check, "_UNREACHABLE_BATCH", 2)
    assert unreachable_entries(tok) == whole


def test_utf8_completions_hold_the_fragment() -> None:
    for frag in (b"\xa2", "中".encode()[:2], b"\xa0\xe1\x83", b"\xe0", b"\xf0\x9f", "é".encode()[1:] + b"ab"):
        texts = utf8_completions(frag)
        assert texts and all(frag in t.encode() for t in texts)


def test_cl100k_vocabulary_is_reachable() -> None:
    """Every cl100k entry is produced by some text: its lone lead bytes (b'\\xe6') only inside the few
    characters whose two-byte pieces the vocabulary lacks (found by completing the fragment exhaustively)."""
    tok = load_tokenizer("cl100k_base")
    ids, _, tested = unreachable_entries(tok)
    assert tested > 100_000 and ids == []
    lone = tok.token_bytes().index(b"\xe6")
    assert any(lone in ids_ for ids_ in tok.encode_batch(["悀", "a悀a"]))  # e6 82 80: no token e6 82
    assert check_unreachable(tok).status == "pass"


def test_mistral_byte_fallback_of_known_characters_is_unreachable() -> None:
    """SentencePiece byte fallback encodes a byte as <0xNN> only when its character is not a piece: the
    byte pieces of ASCII characters the vocabulary holds are dead; mistral_v3 holds all but NUL."""
    tok = load_tokenizer("mistral_v3")
    ids, causes, _ = unreachable_entries(tok)
    table = tok.token_bytes()
    names = tok.tokens(list(range(len(table))))
    pieces = {table[i] for i, n in enumerate(names) if table[i] and not n.startswith("<0x")}
    expected = {i for i, n in enumerate(names) if n.startswith("<0x") and int(n[3:5], 16) < 0x80
                and table[i] in pieces}
    assert len(expected) > 100
    assert expected <= set(ids) and all(causes[i] == "same surface" for i in expected)


def test_bert_unused_and_split_entries() -> None:
    tok = load_tokenizer("bert_base_uncased")
    ids, causes, _ = unreachable_entries(tok)
    names = tok.tokens(ids)
    unused = [n for n in names if n.startswith("[unused")]
    assert len(unused) == 994 and all(causes[i] == "pre-tokenizer" for i, n in zip(ids, names, strict=True)
                                  if n.startswith("[unused"))
    # a CJK continuation ('##一') cannot happen: the normalizer puts spaces around CJK characters
    assert any(n.startswith("##") and causes[i] == "normalizer" for i, n in zip(ids, names, strict=True))


def test_unreachable_real_bpe(shared_assets: Path) -> None:
    """GPT-2 and Llama 3 (data directory): byte-level BPE whose vocabulary is (nearly) all reachable."""
    del shared_assets
    for name in ("gpt2", "llama3"):
        ids, causes, tested = unreachable_entries(load_tokenizer(name))
        assert tested > 50_000 and len(ids) < 10, (name, len(ids))


def test_a_tiny_nonzero_share_never_reads_zero() -> None:
    """1 unreachable entry of 127,987 (llama3) printed as '0.00%' read as 'none'."""
    from tokbench.check import _share

    assert _share(1 / 127_987) == "<0.01%"
    assert _share(0.0) == "0.00%" and _share(0.0001) == "0.01%" and _share(0.25) == "25.00%"
