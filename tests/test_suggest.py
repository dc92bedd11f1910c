"""tokbench.suggest: the closest valid name for a typo, and compact lists of the alternatives."""

from __future__ import annotations

import pytest

from tokbench.suggest import closest, compact, no_language, unknown

CODES = ["eng_Latn", "fra_Latn", "tur_Latn", "xsm_Latn", "zho_Hans", "zho_Hant", "rus_Cyrl"]


@pytest.mark.parametrize(("typo", "match"), [
    ("eng_latn", "eng_Latn"), ("ENG_LATN", "eng_Latn"), ("en_Latn", "eng_Latn"), ("tur_Latin", "tur_Latn"),
    ("fra_Lant", "fra_Latn"), ("eng", "eng_Latn"),
    ("xxx_Latn", None),  # the shared `_Latn` alone is no likeness (xsm_Latn is not meant)
    ("zho", None),  # two candidates by prefix, neither closer
])
def test_closest_language_code(typo: str, match: str | None) -> None:
    assert closest(typo, CODES) == match


def test_closest_names() -> None:
    toks = ["cl100k_base", "o200k_base", "r50k_base", "p50k_base", "llama3", "qwen3", "gpt2"]
    assert closest("cl100k", toks) == "cl100k_base"
    assert closest("o200k_bse", toks) == "o200k_base"
    assert closest("qwen", toks) == "qwen3"
    assert closest("udrh", ["udhr", "flores200"]) == "udhr"
    assert closest("zzz", toks) is None and closest("", toks) is None and closest("a", []) is None


def test_compact_and_messages() -> None:
    assert compact(["a", "b", "c"]) == "a, b, c"
    many = [f"l{i:03d}" for i in range(204)]
    assert compact(many, "tokbench list languages x") == (
        "l000, l001, l002, l003, l004, l005, l006, l007, l008, l009 ... and 194 more; `tokbench list languages x`")
    assert unknown("metric", "fertilty", ["fertility", "ctc"]) == "unknown metric 'fertilty': did you mean fertility?"
    assert unknown("executor", "dsk", ["local", "dask", "x"]) == "unknown executor 'dsk': did you mean dask?"
    assert unknown("executor", "zzz", ["local", "dask"]) == "unknown executor 'zzz'; choose one of local, dask"
    assert no_language("udhr", ["eng_latn", "qqq_Qqqq"], CODES) == (
        "corpus 'udhr' has no language 'eng_latn' (did you mean eng_Latn?), 'qqq_Qqqq'")
    assert no_language("c", ["qqq_Qqqq"], CODES, "dev") == (
        "corpus 'c' split 'dev' has no language 'qqq_Qqqq'; it has " + ", ".join(CODES))
