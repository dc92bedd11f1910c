"""`tokbench check`: each sanity check on vendored tokenizers, exit codes and --json."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tokbench.check import (
    CheckResult,
    check_padding,
    check_round_trip,
    check_special_in_text,
    check_superwords,
    check_utf8,
    exit_code,
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


def test_cli_json_and_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _cli(capsys, "check", "bert_base_uncased", "--json")
    doc: dict[str, Any] = json.loads(out)
    by_name = {c["name"]: c for c in doc["checks"]}
    assert code == doc["exit_code"] == 2  # its round trip fails
    assert by_name["padding_truncation"]["status"] == "warn"
    assert by_name["round_trip"]["status"] == "fail"
    assert set(by_name) == {"round_trip", "utf8_integrity", "special_tokens_in_text", "padding_truncation",
                            "unicode_normalization", "superword_tokens", "digit_chunking"}
    assert all(c["status"] in ("pass", "warn", "fail") and c["line"] for c in doc["checks"])


def test_cli_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _cli(capsys, "check", "cl100k_base")
    lines = out.strip().splitlines()
    assert len(lines) == 7 and lines[0].startswith("PASS  round_trip")
    # cl100k has no normalizer: NFD text gets other tokens (a warning), nothing fails
    assert code == 1 and any(line.startswith("WARN  unicode_normalization") for line in lines)


def test_unknown_tokenizer_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "no_such_tokenizer_xyz"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err

