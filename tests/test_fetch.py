"""tokbench fetch flores200: a small locally built tarball / FLORES+-layout folder is converted into
exactly the files the repository's flores200 manifest pins (golden: the manifest's sha256)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pandas as pd
import pytest

from tokbench.cli import main
from tokbench.corpora import fetch
from tokbench.errors import TokbenchError
from tokbench.manifests import get_corpus_manifest

LANGS = ("tur_Latn", "mya_Mymr")


def _small_manifest():
    """The real flores200 manifest restricted to 4 of its 408 pinned files (real checksums)."""
    m = get_corpus_manifest("flores200")
    keep = tuple(f for f in m.files if any(f.path.endswith(f"/{lang}.parquet") for lang in LANGS))
    assert len(keep) == 4
    return m.model_copy(update={"files": keep})


def _texts(shared: Path, split: str, lang: str) -> list[str]:
    return pd.read_parquet(shared / "corpora" / "flores200" / split / f"{lang}.parquet")["text"].tolist()


def _tarball(shared: Path, out: Path, alter: str | None = None) -> Path:
    """The NLLB layout: flores200_dataset/<split>/<lang>.<split>, one sentence per line."""
    with tarfile.open(out, "w:gz") as tf:
        for split in ("dev", "devtest"):
            for lang in LANGS:
                lines = _texts(shared, split, lang)
                if alter == f"{split}/{lang}":
                    lines[3] += " "
                data = ("\n".join(lines) + "\n").encode()
                info = tarfile.TarInfo(f"flores200_dataset/{split}/{lang}.{split}")
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return out


@pytest.fixture
def small(monkeypatch):
    m = _small_manifest()
    monkeypatch.setattr(fetch, "get_corpus_manifest", lambda name: m)
    return m


def test_tarball_builds_pinned_files(shared_assets, small, tmp_path, capsys):
    tb = _tarball(shared_assets, tmp_path / "flores200_dataset.tar.gz")
    dest = tmp_path / "data"
    assert main(["fetch", "flores200", "--tarball", str(tb), "--to", str(dest), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"corpus": "flores200", "dest": str(dest), "source": f"tarball {tb}", "files": 4, "verified": True}
    for f in small.files:  # byte-identical to the shared copies the manifest pins
        assert (dest / f.path).read_bytes() == (shared_assets / f.path).read_bytes()


def test_hub_layout_builds_pinned_files(shared_assets, small, tmp_path):
    """FLORES+ parquet carries more columns and need not be in id order; the result is the same."""
    hub = tmp_path / "flores_plus"
    for split in ("dev", "devtest"):
        for lang in LANGS:
            texts = _texts(shared_assets, split, lang)
            df = pd.DataFrame({"id": range(1, len(texts) + 1), "iso_639_3": lang[:3], "iso_15924": lang[4:],
                               "glottocode": "xxxx1234", "text": texts, "domain": "wikinews"}).iloc[::-1]
            (hub / split).mkdir(parents=True, exist_ok=True)
            df.to_parquet(hub / split / f"{lang}.parquet", index=False)
    res = fetch.fetch_flores200(hub=str(hub), revision="main", dest=tmp_path / "data")
    assert len(res.files) == 4
    for f in small.files:
        assert (tmp_path / "data" / f.path).read_bytes() == (shared_assets / f.path).read_bytes()


def test_other_text_version_writes_nothing(shared_assets, small, tmp_path):
    tb = _tarball(shared_assets, tmp_path / "t.tar.gz", alter="devtest/mya_Mymr")
    with pytest.raises(TokbenchError, match=r"1 of 4 built files differ .*devtest/mya_Mymr.*nothing was written"):
        fetch.fetch_flores200(tarball=tb, dest=tmp_path / "data")
    assert not (tmp_path / "data").exists()


def test_fetch_errors(small, tmp_path, capsys):
    assert main(["fetch", "flores200"]) == 2
    assert "--tarball PATH (download https://dl.fbaipublicfiles.com" in capsys.readouterr().err
    assert main(["fetch", "flores200", "--hub", "openlanguagedata/flores_plus"]) == 2
    assert "needs --revision" in capsys.readouterr().err
    bad = tmp_path / "x.tar.gz"
    bad.write_bytes(b"not a tarball")
    assert main(["fetch", "flores200", "--tarball", str(bad)]) == 2
    assert "cannot read" in capsys.readouterr().err
    empty = tmp_path / "empty.tar.gz"
    tarfile.open(empty, "w:gz").close()
    assert main(["fetch", "flores200", "--tarball", str(empty)]) == 2
    assert "lacks 4 of 4 pinned files" in capsys.readouterr().err


def test_missing_flores_names_fetch(tmp_path, monkeypatch):
    """Without the data directory the error says how to get the files, naming `tokbench fetch`."""
    monkeypatch.setenv("TOKBENCH_DATA", str(tmp_path))
    monkeypatch.setenv("TOKBENCH_HOME", str(tmp_path / "home"))
    with pytest.raises(TokbenchError, match="tokbench fetch flores200"):
        get_corpus_manifest("flores200").resolve_files()


def test_hub_layout_missing_language(shared_assets, small, tmp_path):
    hub = tmp_path / "flores_plus"
    for split in ("dev", "devtest"):
        (hub / split).mkdir(parents=True)
        texts = _texts(shared_assets, split, "tur_Latn")
        df = pd.DataFrame({"id": range(1, len(texts) + 1), "iso_639_3": "tur", "iso_15924": "Latn", "text": texts})
        df.to_parquet(hub / split / "tur_Latn.parquet", index=False)
    with pytest.raises(TokbenchError, match=r"lacks 2 of 4 pinned files \(dev/mya_Mymr, devtest/mya_Mymr\)"):
        fetch.fetch_flores200(hub=str(hub), revision="main", dest=tmp_path / "data")
    assert not (tmp_path / "data").exists()
