"""Which rows of a leaderboard are the same tokenizer, and which merely encode the corpus identically.

Judged from the numbers alone, so it works on any results table: two registrations whose every
result row is equal (token counts, UNK shares, vocabulary use: which also fixes |V|) are one
tokenizer under two names (gpt2 / r50k_base, llama2 / llama2_hf, the two BERT files) and get one
row listing the other names. Tokenizers whose token counts agree on every language but whose other
numbers differ (p50k_base vs r50k_base: 24 more ids) encode this corpus identically; their rows stay
separate and are marked, so a reader sees why they match.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

ENCODING_METRICS = ("ctc", "bytes_per_token", "unk_char_frac")
# folding needs this much evidence: token counts on a corpus (ctc) and the vocabulary's size (vocab_utilisation);
# a handful of probe metrics (e.g. digits only) can agree for tokenizers that are plainly different
ALIAS_EVIDENCE = ("ctc", "vocab_utilisation")


@dataclass
class Identity:
    representative: dict[str, str] = field(default_factory=dict)  # every name -> the name its row is shown under
    aliases: dict[str, list[str]] = field(default_factory=dict)  # representative -> its other names
    same_encoding: dict[str, list[str]] = field(default_factory=dict)  # representative -> others encoding alike

    @property
    def shown(self) -> list[str]:
        return sorted(self.aliases)

    def note(self, tok: str) -> str:
        parts = []
        if self.aliases.get(tok):
            parts.append("also registered as " + ", ".join(self.aliases[tok]))
        if self.same_encoding.get(tok):
            parts.append("encodes this text exactly as " + ", ".join(self.same_encoding[tok]))
        return "; ".join(parts)


def _fingerprint(rows: pd.DataFrame) -> tuple:
    r = rows.sort_values(["corpus", "split", "language", "metric"])
    vals = r["value"].round(12).fillna(-1.0)
    return tuple(zip(r["corpus"], r["language"], r["metric"], vals, strict=True))


def find_identity(table: pd.DataFrame) -> Identity:
    """Group registrations with identical results (aliases) and identical encodings (marked)."""
    ident = Identity()
    full: dict[tuple, list[str]] = {}
    for tok, rows in table.groupby("tokenizer", sort=True):
        enough = all((rows["metric"] == m).any() for m in ALIAS_EVIDENCE)
        key = _fingerprint(rows) if enough else ("unique", str(tok))
        full.setdefault(key, []).append(str(tok))
    for names in full.values():
        rep = min(names, key=lambda n: (len(n), n))
        ident.aliases[rep] = sorted(n for n in names if n != rep)
        for n in names:
            ident.representative[n] = rep
    enc: dict[tuple, list[str]] = {}
    for rep in ident.aliases:
        rows = table[(table["tokenizer"] == rep) & table["metric"].isin(ENCODING_METRICS)]
        if not rows.empty:
            enc.setdefault(_fingerprint(rows), []).append(rep)
    for names in enc.values():
        for n in names:
            ident.same_encoding[n] = sorted(m for m in names if m != n)
    return ident
