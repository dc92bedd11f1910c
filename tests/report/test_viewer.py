"""The tokenization viewer's data: compact forms that reproduce each tokenizer's tokens exactly."""

from __future__ import annotations

import pytest

from tokbench.report.viewer import build_viewer, encode_unit, pack_lengths, unpack_lengths


def _tokens(entry: dict, text: str) -> list[str]:
    """What the page shows, decoded the way site.js does it (byte mode: UTF-8 slices, display mode: code points)."""
    if "b" in entry:
        raw = (b" " if entry.get("p") else b"") + entry.get("t", text).encode("utf-8")
        out, pos = [], 0
        for n in unpack_lengths(entry["b"]):
            out.append(raw[pos:pos + n].decode("utf-8", "replace"))
            pos += n
        assert pos == len(raw)
        return out
    d = entry.get("d", text)
    out, pos = [], 0
    for n in unpack_lengths(entry["l"]):
        out.append(d[pos:pos + n])
        pos += n
    assert pos == len(d)
    return out


def test_pack_lengths_round_trips_long_tokens() -> None:
    lengths = [0, 1, 9, 10, 35, 61, 62, 100, 3]
    packed = pack_lengths(lengths)
    assert unpack_lengths(packed) == lengths
    assert len(pack_lengths([1, 2, 3])) == 3  # one character per short token


def test_encode_unit_forms() -> None:
    table = [b"ab", b" c", b"\xe1\x80", b"\xa1", None, b"x"]
    # lossless: byte lengths only
    assert encode_unit([0, 1], table, None, "ab c", ["ab", " c"]) == {"b": pack_lengths([2, 2])}
    # SentencePiece's dummy prefix
    assert encode_unit([1], table, None, "c", [" c"]) == {"b": pack_lengths([2]), "p": 1}
    # a character split over two byte tokens stays lossless (the page shows the bytes)
    assert encode_unit([2, 3], table, None, "အ", ["x", "y"]) == {"b": pack_lengths([2, 1])}
    # UNK: display form with the replaced text, kind u
    e = encode_unit([0, 4, 5], table, 4, "abQx", ["ab", "[UNK]", "x"], unk_text=[None, "Q", None])
    assert _tokens(e, "abQx") == ["ab", "Q", "x"] and e["k"] == {"u": [1]} and "d" not in e
    # UNK without offsets: the token's own string, never invented text
    e = encode_unit([4], table, 4, "Q", ["[UNK]"])
    assert _tokens(e, "Q") == ["[UNK]"] and e["d"] == "[UNK]"
    # a normalizing tokenizer: its own text, still byte lengths
    e = encode_unit([5, 2, 3], table, 4, "Xအ", ["x", "a", "b"])
    assert e == {"b": pack_lengths([1, 2, 1]), "t": "xအ"} and _tokens(e, "Xအ") == ["x", "\ufffd", "\ufffd"]
    # bytes that never complete a character: hex in the display form, kind b, hint
    e = encode_unit([2, 4], table, 4, "?Q", ["a", "[UNK]"], unk_text=[None, "Q"])
    assert _tokens(e, "?Q") == ["E1 80", "Q"] and e["k"] == {"b": [0], "u": [1]} and "bytes E1 80" in e["h"]["0"]


def test_build_viewer_on_vendored_udhr() -> None:
    v = build_viewer(["cl100k_base", "bert_base_uncased", "no_such_tokenizer", "p50k_base", "r50k_base"], "udhr",
                     max_languages=30, n_units=3)
    assert v["corpus"] == "udhr" and v["tokenizers"] == ["cl100k_base", "bert_base_uncased", "p50k_base", "r50k_base"]
    assert v["enc"]["r50k_base"] == {"same": "p50k_base"}  # identical tokens are stored once
    assert "no_such_tokenizer" in v["missing"]
    langs = [x["code"] for x in v["languages"]]
    assert len(langs) == 30 and "eng_Latn" in langs and "amh_Ethi" in langs
    from tokbench.report.plots import script_of

    assert len({script_of(x) for x in langs}) == 30  # one language per script before a second one
    assert {x["label"] for x in v["languages"]} >= {"English (eng_Latn)", "Amharic (amh_Ethi)"}
    units = {u["unit"] for u in v["units"] if u["lang"] == "eng_Latn"}
    assert len(units) == 3
    from tokbench.tokenizers import load_tokenizer

    cl = load_tokenizer("cl100k_base")
    for i, u in enumerate(v["units"]):
        toks = _tokens(v["enc"]["cl100k_base"][i], u["text"])
        assert len(toks) == len(cl.encode_batch([u["text"]])[0])  # the same tokens the metrics count
    amh = [i for i, u in enumerate(v["units"]) if u["lang"] == "amh_Ethi"]
    assert amh and all("u" in v["enc"]["bert_base_uncased"][i].get("k", {}) for i in amh)


def test_build_viewer_rejects_a_missing_split() -> None:
    from tokbench.errors import TokbenchError

    with pytest.raises(TokbenchError, match="no split"):
        build_viewer(["cl100k_base"], "udhr", split="nope")


def test_warm_viewer_loads_no_tokenizer(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tokbench.tokenizers
    from tokbench.tokenizers import load_tokenizer

    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path))
    shas = {"cl100k_base": load_tokenizer("cl100k_base").sha256}
    cold = build_viewer(["cl100k_base"], "udhr", max_languages=5, n_units=2, shas=shas)
    assert list((tmp_path / "viewer").glob("*.json"))

    def no_loading(name: str, *a: object, **k: object) -> None:
        raise AssertionError(f"loaded {name} although its rows are cached")

    monkeypatch.setattr(tokbench.tokenizers, "load_tokenizer", no_loading)
    assert build_viewer(["cl100k_base"], "udhr", max_languages=5, n_units=2, shas=shas) == cold
    with pytest.raises(AssertionError, match="loaded"):  # another sha (other files): computed again
        build_viewer(["cl100k_base"], "udhr", max_languages=5, n_units=2, shas={"cl100k_base": "0" * 64})
