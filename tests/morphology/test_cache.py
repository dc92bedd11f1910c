"""The per-type decision cache: reused across calls and processes, merged, and never trusted when foreign."""

from __future__ import annotations

import json
from collections.abc import Sequence

from tokbench.morphology import PURE, VALID, decide_types
from tokbench.morphology.base import LexicalResource
from tokbench.morphology.cache import DecisionCache, cache_path


class CountingResource(LexicalResource):
    """A fake resource: words of length >= 3 are valid, 'ev' is pure; records what it was asked."""

    name = "counting"
    languages = ("tur_Latn",)
    description = "test double"

    def __init__(self, lang: str, tag: str = "v1") -> None:
        super().__init__(lang)
        self.tag = tag
        self.asked: list[str] = []

    @property
    def version(self) -> str:
        return self.tag

    def decide(self, tokens: Sequence[str]) -> list[int]:
        self.asked += list(tokens)
        return [(VALID | PURE) if t == "ev" else (VALID if len(t) >= 3 else 0) for t in tokens]


def test_each_type_is_decided_once(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TOKBENCH_CACHE", str(tmp_path))
    import tokbench.morphology.decide as decide

    monkeypatch.setattr(decide, "_caches", {})
    r = CountingResource("tur_Latn", tag="once")
    assert decide_types(r, ["ev", "abc", "ev", "x"]) == {"ev": 3, "abc": 1, "x": 0}
    assert sorted(r.asked) == ["abc", "ev", "x"]
    assert decide_types(r, ["abc", "yeni"]) == {"abc": 1, "yeni": 1}
    assert sorted(r.asked) == ["abc", "ev", "x", "yeni"]  # only the new type reached the resource
    # a new process (fresh memo) reads the decisions from disk
    monkeypatch.setattr(decide, "_caches", {})
    r2 = CountingResource("tur_Latn", tag="once")
    assert decide_types(r2, ["ev", "x", "yeni"]) == {"ev": 3, "x": 0, "yeni": 1}
    assert r2.asked == []
    # another version of the resource is another cache
    r3 = CountingResource("tur_Latn", tag="twice")
    decide_types(r3, ["ev"])
    assert r3.asked == ["ev"]


def test_merge_and_foreign_files(tmp_path) -> None:
    a, b = DecisionCache("fp", tmp_path), DecisionCache("fp", tmp_path)
    a.update({"ev": 3})
    b.update({"ler": 3})  # b never saw 'ev' in memory, but the write merges with the file
    assert DecisionCache("fp", tmp_path).decisions == {"ev": 3, "ler": 3}
    path = cache_path("fp", tmp_path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["fingerprint"] = "other"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert DecisionCache("fp", tmp_path).decisions == {}  # not this resource's decisions
    path.write_text("{truncated", encoding="utf-8")
    assert DecisionCache("fp", tmp_path).decisions == {}
