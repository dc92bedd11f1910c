"""Built-in corpus loaders: each turns verified local files into a DatasetDict (id, lang, text)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from tokbench.corpora.base import CORPUS_LOADERS
from tokbench.errors import TokbenchError
from tokbench.manifests import CorpusManifest


def _by_split(files: dict[str, Path], manifest: CorpusManifest) -> dict[str, list[str]]:
    """Group file paths by their split folder (`corpora/<name>/<split>/...`)."""
    out: dict[str, list[str]] = {s: [] for s in manifest.splits}
    for rel, path in files.items():
        parts = Path(rel).parts
        split = next((p for p in parts if p in out), None)
        if split is not None:
            out[split].append(str(path))
    return {s: sorted(v) for s, v in out.items() if v}


@CORPUS_LOADERS.register("flores200")
def load_flores(manifest: CorpusManifest, files: dict[str, Path]) -> datasets.DatasetDict:
    """FLORES-200 / FLORES+ parquet, one file per split and language (id, iso_639_3, iso_15924, text)."""
    data_files = _by_split(files, manifest)
    ds = datasets.load_dataset("parquet", data_files=data_files)
    ds = ds.cast_column("id", datasets.Value("string"))  # sentence ids align across languages

    def add_lang(batch: dict) -> dict:
        return {"lang": [f"{a}_{b}" for a, b in zip(batch["iso_639_3"], batch["iso_15924"], strict=True)]}

    return ds.map(add_lang, batched=True, batch_size=10_000, desc=None)


@CORPUS_LOADERS.register("jsonl_records")
def load_jsonl_records(manifest: CorpusManifest, files: dict[str, Path]) -> datasets.DatasetDict:
    """JSON lines already in the id/lang/text shape (the vendored UDHR); one split."""
    paths = [str(p) for p in files.values()]  # datasets reads .gz itself
    ds = datasets.load_dataset("json", data_files={manifest.splits[0]: paths})
    return ds


@CORPUS_LOADERS.register("udhr")
def load_udhr(manifest: CorpusManifest, files: dict[str, Path]) -> datasets.DatasetDict:
    """UDHR article records, one split; the id is the article number, shared by all translations."""
    ds = load_jsonl_records(manifest, files)
    return ds.map(lambda b: {"id": [str(a) for a in b["article"]]}, batched=True)


@CORPUS_LOADERS.register("code_samples")
def load_code_samples(manifest: CorpusManifest, files: dict[str, Path]) -> datasets.DatasetDict:
    """Source files per programming language (JSONL lang, path, source, license, text); lang = language name."""
    paths = [str(p) for rel, p in files.items() if rel.endswith(".jsonl")]
    ds = datasets.load_dataset("json", data_files={manifest.splits[0]: paths})
    return ds.map(lambda b: {"id": [f"{lg}/{p}" for lg, p in zip(b["lang"], b["path"], strict=True)]}, batched=True)


def _paragraph_records(paths: dict[str, Path], lang_of: dict[str, str]) -> list[dict]:
    """Blank-line-separated paragraphs of text files, tagged with their language/domain."""
    rows = []
    for rel, path in sorted(paths.items()):
        raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise TokbenchError(f"{path}: not UTF-8 (byte {e.start}); re-encode the file as UTF-8") from None
        stem = Path(rel).name.split(".")[0]
        paras = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]
        rows += [
            {"id": f"{stem}/{i}", "lang": lang_of[stem], "source": stem, "text": p} for i, p in enumerate(paras) if p
        ]
    return rows


@CORPUS_LOADERS.register("text_paragraphs")
def load_text_paragraphs(manifest: CorpusManifest, files: dict[str, Path]) -> datasets.DatasetDict:
    """Plain text files split into paragraphs; `options.lang_of` maps file stem → language/domain."""
    lang_of = manifest.options.get("lang_of") or {}
    missing = [Path(r).name for r in files if Path(r).name.split(".")[0] not in lang_of]
    if missing:
        raise TokbenchError(f"corpus {manifest.name!r}: options.lang_of has no entry for {missing}")
    rows = _paragraph_records(files, lang_of)
    return datasets.DatasetDict({manifest.splits[0]: datasets.Dataset.from_list(rows)})


@CORPUS_LOADERS.register("turkish_mmlu")
def load_turkish_mmlu(manifest: CorpusManifest, files: dict[str, Path]) -> datasets.DatasetDict:
    """TurkishMMLU questions per subject (question + choices as one text), dev and test splits."""
    out = {}
    for split, paths in _by_split(files, manifest).items():
        rows = []
        for p in paths:
            subject = Path(p).stem.removeprefix("TurkishMMLU_")
            items = json.loads(Path(p).read_text(encoding="utf-8"))
            for i, q in enumerate(items):
                text = " ".join([" ".join(q["question"].split()), *(" ".join(str(c).split()) for c in q["choices"])])
                rows.append({"id": f"{subject}/{i}", "lang": "tur_Latn", "subject": subject, "text": text})
        out[split] = datasets.Dataset.from_list(rows)
    return datasets.DatasetDict(out)


@CORPUS_LOADERS.register("turkish_mmlu_lines")
def load_turkish_mmlu_lines(manifest: CorpusManifest, files: dict[str, Path]) -> datasets.DatasetDict:
    """TurkishMMLU as Bayram et al. (2025) build their %TR text: the question, then each option, one per line
    (one document per line, unmodified), so no token spans a question and its options."""
    out = {}
    for split, paths in _by_split(files, manifest).items():
        rows = []
        for p in paths:
            subject = Path(p).stem.removeprefix("TurkishMMLU_")
            for i, q in enumerate(json.loads(Path(p).read_text(encoding="utf-8"))):
                for j, line in enumerate([q["question"], *(str(c) for c in q["choices"])]):
                    rows.append({"id": f"{subject}/{i}/{j}", "lang": "tur_Latn", "subject": subject, "text": line})
        out[split] = datasets.Dataset.from_list(rows)
    return datasets.DatasetDict(out)


CODE_CORPUS_FIELDS = ("lang", "path", "source", "license", "project", "half", "text")


def _read_code_corpus_file(rel: str, path: Path) -> pa.Table:
    """One `<lang>.jsonl.gz` file as an Arrow table, checked: every field a non-null string, `lang` = the
    file's stem, half a or b. pyarrow's reader keeps the 60 MB of text out of Python objects (150 MB peak
    instead of 650 MB)."""
    schema = pa.schema([(k, pa.string()) for k in CODE_CORPUS_FIELDS])
    opts = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    table = pa_json.read_json(path, parse_options=opts)
    lang_of_file = Path(rel).name.split(".")[0]
    for k in CODE_CORPUS_FIELDS:
        if table.column(k).null_count:
            raise TokbenchError(f"{path}: {table.column(k).null_count} record(s) lack the string field {k!r}")
    if table.num_rows == 0:
        raise TokbenchError(f"{path}: no records")
    if not pc.all(pc.equal(table.column("lang"), lang_of_file)).as_py():
        raise TokbenchError(f"{path}: records of another language than {lang_of_file!r} (field 'lang')")
    if not pc.all(pc.is_in(table.column("half"), value_set=pa.array(["a", "b"]))).as_py():
        raise TokbenchError(f"{path}: field 'half' must be 'a' or 'b' in every record")
    ids = pc.binary_join_element_wise(table.column("lang"), table.column("source"), table.column("path"), "/")
    return table.add_column(0, "id", ids)


@CORPUS_LOADERS.register("code_corpus")
def load_code_corpus(manifest: CorpusManifest, files: dict[str, Path]) -> datasets.DatasetDict:
    """Source files of many projects per language (`<lang>.jsonl.gz`); splits `a` and `b` are the `half` field
    (disjoint projects: train on one, take category samples from the other) and `all` is both.
    id = lang/source/path (paths repeat across projects)."""
    tables = [_read_code_corpus_file(rel, p) for rel, p in sorted(files.items()) if rel.endswith(".jsonl.gz")]
    table = pa.concat_tables(tables)
    half = table.column("half")
    out = {}
    for split in manifest.splits:
        if split == "all":
            out[split] = datasets.Dataset(table)
        elif split in ("a", "b"):
            out[split] = datasets.Dataset(table.filter(pc.equal(half, split)))
        else:
            raise TokbenchError(f"corpus {manifest.name!r}: split {split!r} is not a, b or all")
    return datasets.DatasetDict(out)
