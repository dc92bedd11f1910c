"""`tokbench fetch`: build a corpus's pinned files from where they are published, then verify them.

FLORES-200's manifest pins derived files (one parquet per split and language in the FLORES+
schema: id, iso_639_3, iso_15924, text), not the published tarball, so a user without the data
directory had no way to obtain them. Two sources are converted here into exactly those files:

- the NLLB tarball (`flores200_dataset/{dev,devtest}/<lang>.<split>`, one sentence per line;
  the sentence id is the line number), downloaded by the user from the manifest's URL;
- the hub's FLORES+ (`datasets.load_dataset(id, revision=...)`, per-split per-language parquet
  `<split>/<lang>.parquet`), at a revision the user pins.

Every built file is checked against the manifest's sha256 in memory before anything is written,
and nothing is written unless all match: a different text version (FLORES+ has corrected some
sentences since FLORES-200) or a different parquet writer fails loudly, naming the files.
The pinned files were written by pandas.to_parquet(zstd level 19, no index) with pandas 3.1.1 and
pyarrow 26.0.1, whose versions are embedded in the file, so other versions give other bytes.
"""

from __future__ import annotations

import io
import re
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tokbench.errors import TokbenchError
from tokbench.io import atomic_write_bytes, sha256_bytes
from tokbench.manifests import CorpusManifest, get_corpus_manifest

FETCHABLE = ("flores200",)
PARQUET_WRITER = {"pandas": "3.1.1", "pyarrow": "26.0.1"}  # read from the pinned files' metadata
_FILE = re.compile(r"^corpora/flores200/(?P<split>dev|devtest)/(?P<lang>[a-z]{3}_[A-Z][a-z]{3})\.parquet$")


@dataclass
class FetchResult:
    corpus: str
    dest: Path
    files: list[Path]
    source: str

    def to_json(self) -> dict[str, Any]:
        return {"corpus": self.corpus, "dest": str(self.dest), "source": self.source,
                "files": len(self.files), "verified": True}


def fetch_hint(name: str) -> str:
    """The command that builds a corpus's files, for 'not found' errors."""
    return f"or build them with `tokbench fetch {name}`" if name in FETCHABLE else ""


def flores_parquet(texts: list[str], lang: str) -> bytes:
    """One split x language file in the pinned layout (ids 1..n in file order)."""
    import pandas as pd

    iso639, iso15924 = lang.split("_")
    df = pd.DataFrame({"id": range(1, len(texts) + 1), "iso_639_3": [iso639] * len(texts),
                       "iso_15924": [iso15924] * len(texts), "text": texts})
    df["id"] = df["id"].astype("int64")
    buf = io.BytesIO()
    df.to_parquet(buf, compression="zstd", compression_level=19, index=False)
    return buf.getvalue()


def _wanted(manifest: CorpusManifest) -> dict[str, tuple[str, str, str]]:
    """Manifest path -> (split, lang, sha256) for each pinned file."""
    out = {}
    for f in manifest.files:
        m = _FILE.match(f.path)
        if m is None:
            raise TokbenchError(f"{manifest.manifest_path}: cannot build {f.path} (not a split/lang parquet)")
        out[f.path] = (m["split"], m["lang"], f.sha256)
    return out


def tarball_texts(tarball: Path) -> Callable[[str, str], list[str] | None]:
    """Reader of `<split>/<lang>.<split>` sentence files from the NLLB FLORES-200 tarball."""
    try:
        tf = tarfile.open(tarball, "r:*")
        members = {Path(m.name).parts[-2:]: m for m in tf.getmembers() if m.isfile()}
    except (OSError, tarfile.TarError) as e:
        raise TokbenchError(f"cannot read {tarball} as a tar archive ({e}); download it again") from None

    def texts(split: str, lang: str) -> list[str] | None:
        m = members.get((split, f"{lang}.{split}"))
        if m is None:
            return None
        fh = tf.extractfile(m)
        assert fh is not None
        try:
            data = fh.read().decode("utf-8")
        except UnicodeDecodeError as e:
            raise TokbenchError(f"{tarball}: {m.name} is not UTF-8 (byte {e.start}); download it again") from None
        return data.split("\n")[:-1] if data.endswith("\n") else data.split("\n")

    return texts


def hub_texts(dataset: str, revision: str) -> Callable[[str, str], list[str] | None]:
    """Reader of FLORES+ `<split>/<lang>.parquet` through `datasets.load_dataset` at `revision`
    (a hub id, or a local folder with the same layout)."""
    import datasets

    def texts(split: str, lang: str) -> list[str] | None:
        try:
            ds = datasets.load_dataset(dataset, data_files={split: f"{split}/{lang}.parquet"}, split=split,
                                       revision=revision)
        except FileNotFoundError:
            return None
        except Exception as e:  # network, auth, unknown revision: one line, no traceback
            raise TokbenchError(f"cannot load {dataset} at revision {revision}: {str(e).splitlines()[0]}") from None
        rows = sorted(zip(ds["id"], ds["text"], strict=True), key=lambda r: int(r[0]))
        return [t for _, t in rows]

    return texts


def _first(paths: list[str], k: int = 5) -> str:
    names = [Path(p).parent.name + "/" + Path(p).stem for p in paths[:k]]
    return ", ".join(names) + (f" and {len(paths) - k} more" if len(paths) > k else "")


def build_verified(manifest: CorpusManifest, texts: Callable[[str, str], list[str] | None]) -> dict[str, bytes]:
    """Every pinned file built in memory and checked against its sha256; raises before writing anything."""
    from tokbench.progress import progress

    wanted = _wanted(manifest)
    built: dict[str, bytes] = {}
    missing, mismatched = [], []
    for rel, (split, lang, sha) in progress(wanted.items(), desc=f"building {manifest.name}", unit="file"):
        lines = texts(split, lang)
        if lines is None:
            missing.append(rel)
            continue
        data = flores_parquet(lines, lang)
        if sha256_bytes(data) != sha:
            mismatched.append(rel)
        built[rel] = data
    if missing:
        raise TokbenchError(f"the source lacks {len(missing)} of {len(wanted)} pinned files ({_first(missing)}); "
                            "is it the FLORES-200 release the manifest names?")
    if mismatched:
        import pandas as pd
        import pyarrow as pa

        versions = f"pandas {pd.__version__}, pyarrow {pa.__version__}"
        want = ", ".join(f"{k} {v}" for k, v in PARQUET_WRITER.items())
        hint = "" if versions == want else f"; the pinned files were written with {want}, this is {versions}"
        raise TokbenchError(
            f"{len(mismatched)} of {len(wanted)} built files differ from the manifest's sha256 "
            f"({_first(mismatched)}): the texts are another version{hint}; nothing was written"
        )
    return built


def fetch_flores200(
    *, tarball: Path | None = None, hub: str | None = None, revision: str | None = None, dest: Path,
    manifest: CorpusManifest | None = None,
) -> FetchResult:
    """Build and verify the files of the flores200 manifest (or `manifest`), then write them under `dest`."""
    manifest = manifest or get_corpus_manifest("flores200")
    if tarball is not None:
        if not Path(tarball).is_file():
            raise TokbenchError(f"no such file: {tarball}; download {manifest.source.get('url')} first")
        texts, source = tarball_texts(Path(tarball)), f"tarball {tarball}"
    elif hub is not None:
        if not revision:
            raise TokbenchError("--hub needs --revision COMMIT: an unpinned dataset could change under the checksums")
        texts, source = hub_texts(hub, revision), f"{hub}@{revision}"
    else:
        raise TokbenchError(
            f"give a source: --tarball PATH (download {manifest.source.get('url')}) "
            "or --hub DATASET --revision COMMIT (FLORES+ parquet on the hub)"
        )
    built = build_verified(manifest, texts)
    paths = []
    for rel, data in built.items():
        atomic_write_bytes(dest / rel, data)
        paths.append(dest / rel)
    return FetchResult("flores200", dest, paths, source)
