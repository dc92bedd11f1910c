"""tokbench inspect: token classes, report files, lineage (cached and full) and never-produced tokens."""

from __future__ import annotations

import json

import pytest
from fontTools.unicodedata import script, script_name

from tokbench.cli import main
from tokbench.inspection.classes import class_shares_by_rank, token_class
from tokbench.tokenizers import load_tokenizer


def _reference_class(tok: bytes) -> str:
    """The definition, without the ASCII fast path: the Unicode script of the first letter that has one of its
    own, else the fixed classes."""
    try:
        s = tok.decode("utf-8")
    except UnicodeDecodeError:
        return "bytes"
    core = s.strip()
    if not core:
        return "whitespace"
    if all(ch.isdigit() for ch in core):
        return "digit"
    scripts = [script(ch) for ch in core if ch.isalpha()]
    if not scripts:
        return "punctuation"
    specific = [s for s in scripts if s not in ("Zyyy", "Zinh", "Zzzz")]
    return script_name(specific[0]) if specific else "Common"


def test_token_class():
    assert token_class(b" the") == "Latin"
    assert token_class(" мир".encode()) == "Cyrillic"
    assert token_class("中文".encode()) == "Han"
    assert token_class(b" 123") == "digit"
    assert token_class(b"  \n") == "whitespace"
    assert token_class(b"();") == "punctuation"
    assert token_class(b"\xe4\xb8") == "bytes"


def test_token_class_is_the_unicode_script_property():
    """Not the first word of the character's name, which made "µ" script "Micro" and "ａ" "Fullwidth"."""
    assert token_class("µm".encode()) == "Latin"  # MICRO SIGN has no script of its own (Common)
    assert token_class(" µ".encode()) == "Common"
    assert token_class("ａｂｃ".encode()) == "Latin"
    assert token_class("ーカ".encode()) == "Katakana"  # the prolonged sound mark is Common
    assert token_class("가나".encode()) == "Hangul"
    assert token_class("々".encode()) == "Han"


def test_token_class_fast_path_matches_definition():
    toks = [bytes([i]) for i in range(256)] + [t for t in load_tokenizer("r50k_base").token_bytes() if t]
    assert [token_class(t) for t in toks] == [_reference_class(t) for t in toks]


def test_class_shares_rows_sum_to_one():
    toks = [b"a", b"b", b"1", b" ", "ж".encode()] * 20
    edges, labels, shares = class_shares_by_rank(toks, n_bins=4)
    assert edges[-1] == len(toks) and abs(shares.sum(axis=1) - 1).max() < 1e-9
    assert "Latin" in labels


def test_inspect_vendored_tokenizer(tmp_path, capsys):
    # r50k_base is vendored: works without shared assets; code_samples is vendored too
    rc = main(["inspect", "r50k_base", "--out", str(tmp_path), "--corpora", "code_samples:samples:python",
               "--no-lineage", "--json"])
    assert rc == 0
    info = json.loads(capsys.readouterr().out)
    assert info["algorithm"] == "bpe" and info["merges"] == 50000
    npd = info["never_produced"]
    assert npd["count"] > 1000 and npd["corpora"] == ["code_samples:samples:python"]
    assert (tmp_path / "r50k_base.md").read_text().startswith("# r50k_base")
    assert (tmp_path / "r50k_base_by_rank.png").stat().st_size > 1000


def test_inspect_default_is_light_and_says_where_it_wrote(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("TOKBENCH_HOME", str(tmp_path / "home"))
    assert main(["inspect", "r50k_base"]) == 0
    out = capsys.readouterr().out
    md = tmp_path / "home" / "inspect" / "r50k_base.md"
    assert f"wrote {md} and " in out and md.is_file()
    assert "never-produced tokens: not computed" in out  # the corpus pass is opt-in
    assert "lineage compared with" in out


def test_inspect_path_tokenizer_named(trained_bpe, tmp_path, capsys):
    assert main(["inspect", str(trained_bpe), "--out", str(tmp_path), "--lineage", "off", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "udhr_bpe_1k"
    assert main(["inspect", str(trained_bpe), "--name", "mine", "--out", str(tmp_path), "--json"]) == 0
    assert (tmp_path / "mine.md").is_file()


def test_cached_lineage_grows_and_matches_full(tmp_path, monkeypatch, capsys):
    """'all' fingerprints every registered BPE once; afterwards the default (cached) finds the same
    relatives without loading them. gpt2's HF json and r50k's .tiktoken are the same merge list."""
    from tokbench.inspection.lineage import find_lineage
    from tokbench.inspection.lineage_cache import cached_lineage

    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path / "cache"))
    tok = load_tokenizer("p50k_base")
    names = ["cl100k_base", "r50k_base"]
    lin0, compared0 = cached_lineage(tok, names=names)
    assert compared0 == [] and lin0.relatives == []
    lin_all, compared_all = cached_lineage(tok, refresh=True, names=names)
    assert compared_all == names
    lin_cached, compared = cached_lineage(tok, names=names)
    full = find_lineage(tok, names)
    key = lambda lin: [(r.name, r.shared, r.their_merges, round(r.overlap, 6)) for r in lin.relatives]  # noqa: E731
    assert key(lin_cached) == key(lin_all) == key(full) and compared == names
    assert lin_cached.parent is not None and lin_cached.parent.name == "r50k_base"  # p50k extends r50k


def test_lineage_llama3_extends_cl100k(shared_assets):
    from tokbench.inspection.lineage import find_lineage

    lin = find_lineage(load_tokenizer("llama3"), ["cl100k_base", "r50k_base"])
    assert lin.parent is not None and lin.parent.name == "cl100k_base" and lin.parent.shared == 100_000


def test_inspect_non_bpe(tmp_path, capsys):
    rc = main(["inspect", "bert_base_uncased", "--out", str(tmp_path), "--corpora", "--json"])
    assert rc == 0
    info = json.loads(capsys.readouterr().out)
    assert info["algorithm"] == "wordpiece" and "merges" not in info and "never_produced" not in info


def test_inspect_bad_flag_one_line(capsys):
    with pytest.raises(SystemExit) as e:
        main(["inspect", "r50k_base", "--lineage", "sometimes"])
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.count("\n") == 1 and "choose from 'cached', 'all', 'off'" in err


def test_merge_order_cached_equals_merge_list(tmp_path, monkeypatch):
    """The cached token order is vocab_order's, and a second inspect does not derive the merges again."""
    from tokbench.inspection.classes import vocab_order
    from tokbench.inspection.lineage_cache import merge_order

    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path / "cache"))
    tok = load_tokenizer("r50k_base")
    calls = []

    class Counting:
        sha256, algorithm = tok.sha256, tok.algorithm

        def merges(self):
            calls.append(1)
            return tok.merges()

    first = merge_order(Counting())
    second = merge_order(Counting())
    assert first == second == (vocab_order(tok), len(tok.merges())) and len(calls) == 1
