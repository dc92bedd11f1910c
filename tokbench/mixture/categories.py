"""Where category samples come from: a folder of <name>.txt(.gz) files or registered corpora."""

from __future__ import annotations

from pathlib import Path

from tokbench.errors import TokbenchError
from tokbench.io import read_text
from tokbench.mixture.words import split_documents


def load_category_dir(path: Path) -> dict[str, list[str]]:
    """One category per ``<name>.txt`` / ``<name>.txt.gz``; each file is cut into documents."""
    if not path.is_dir():
        raise TokbenchError(f"categories folder {path} does not exist: give a folder of <name>.txt files")
    files = sorted(p for p in path.iterdir() if p.name.endswith((".txt", ".txt.gz")))
    if not files:
        raise TokbenchError(f"categories folder {path} has no <name>.txt or <name>.txt.gz files")
    out: dict[str, list[str]] = {}
    for f in files:
        name = f.name.removesuffix(".gz").removesuffix(".txt")
        try:
            text = read_text(f)
        except UnicodeDecodeError as e:
            raise TokbenchError(
                f"category file {f} is not UTF-8 (byte 0x{e.object[e.start]:02x} at offset {e.start}); "
                "re-encode it as UTF-8, e.g. iconv -f latin1 -t utf-8"
            ) from None
        except (OSError, EOFError) as e:
            raise TokbenchError(f"cannot read category file {f}: {e}") from None
        if not text.strip():
            raise TokbenchError(f"category {name!r} ({f}) is empty: give it a text sample or remove the file")
        out[name] = split_documents(text)
    return out


def load_category_spec(spec: str) -> dict[str, list[str]]:
    """A folder, or ``CORPUS[:SPLIT][:LANG,LANG...]`` naming a registered corpus (each language a category)."""
    p = Path(spec)
    if p.exists() or "/" in spec or spec.startswith("."):
        return load_category_dir(p)
    from tokbench.corpora import load_corpus

    parts = spec.split(":")
    corpus = load_corpus(parts[0])
    split = parts[1] if len(parts) > 1 and parts[1] else corpus.splits[-1]
    langs = parts[2].split(",") if len(parts) > 2 and parts[2] else corpus.languages(split)
    out = {}
    for lang in langs:
        texts = [t for t in corpus.texts(split, lang) if t]
        if not texts:
            raise TokbenchError(f"category {lang!r} of corpus {parts[0]!r} split {split!r} is empty")
        out[lang] = texts
    return out


def load_categories(specs: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for spec in specs:
        for name, docs in load_category_spec(spec).items():
            if name in out:
                raise TokbenchError(f"category {name!r} given twice; rename one of them")
            out[name] = docs
    return out
