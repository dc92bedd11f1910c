"""The release artefacts: `python -m build` makes a wheel and an sdist that pass `twine check`, with complete
metadata (version = tokbench.__version__, license, classifiers, dependencies = pyproject's) and the files a
user needs (package code, vendored data, manifests) and nothing generated.

The wheel is also installed into a fresh venv and used there (`tb.evaluate` on the vendored data, from a
folder outside the repository). Resolving every dependency from the registry would take minutes, so the
fresh venv borrows them from the running environment (one .pth line) and gets only the wheel itself,
`--no-deps --no-index`; the build is offline too (`--no-isolation` with the `dev` extra's hatchling)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import tokbench

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("build") is None or importlib.util.find_spec("hatchling") is None,
    reason="`build` and `hatchling` are not installed (pip install -e '.[dev]')",
)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    return {"wheel": wheels[0], "sdist": sdists[0]}


def test_twine_check_passes(dist: dict[str, Path]) -> None:
    if importlib.util.find_spec("twine") is None:
        pytest.skip("twine is not installed (pip install -e '.[dev]')")
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(dist["wheel"]), str(dist["sdist"])],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


def test_wheel_metadata_is_complete(dist: dict[str, Path]) -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    with zipfile.ZipFile(dist["wheel"]) as whl:
        info = f"tokbench-{tokbench.__version__}.dist-info"
        meta = Parser().parsestr(whl.read(f"{info}/METADATA").decode())
        entry_points = whl.read(f"{info}/entry_points.txt").decode()
    assert dist["wheel"].name == f"tokbench-{tokbench.__version__}-py3-none-any.whl"
    assert meta["Name"] == "tokbench" and meta["Version"] == tokbench.__version__
    assert meta["License-Expression"] == "Apache-2.0" and meta["Requires-Python"] == ">=3.11"
    classifiers = meta.get_all("Classifier")
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert any(c.startswith("Topic ::") for c in classifiers)
    assert meta["Description-Content-Type"] == "text/markdown" and "## Python API" in meta.get_payload()
    requires = [Requirement(r) for r in meta.get_all("Requires-Dist") if "extra ==" not in r]
    wanted = [Requirement(d) for d in project["dependencies"]]
    assert {r.name: r.specifier for r in requires} == {r.name: r.specifier for r in wanted}
    assert "tokbench = tokbench.cli:main" in entry_points and "[tokbench.report_sections]" in entry_points


def test_wheel_and_sdist_contents(dist: dict[str, Path]) -> None:
    names = set(zipfile.ZipFile(dist["wheel"]).namelist())
    for needed in ("tokbench/__init__.py", "tokbench/api.py", "tokbench/tokenizers/memory.py",
                   "tokbench/vendored/corpora/udhr/udhr_articles.jsonl.gz",
                   "tokbench/vendored/tokenizers/cl100k_base/cl100k_base.tiktoken.gz",
                   "tokbench/data_manifests/tokenizers/cl100k_base.yaml"):
        assert needed in names, needed
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "reports/"))]
    with tarfile.open(dist["sdist"]) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
    for needed in ("pyproject.toml", "README.md", "CHANGELOG.md", "constraints.txt", "docs/notebook_example.py",
                   "tests/test_api.py", "tokbench/api.py", "data_manifests/tokenizers/cl100k_base.yaml"):
        assert needed in members, needed
    assert not [m for m in members if m.startswith(("reports/", "benchmarks/", ".venv")) or "__pycache__" in m]


def test_changelog_names_this_version() -> None:
    text = (REPO / "CHANGELOG.md").read_text()
    assert f"## [{tokbench.__version__}]" in text


def test_wheel_installs_into_a_fresh_venv_and_evaluates(dist: dict[str, Path], tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # dependencies from this environment, after the venv's own site-packages (so the wheel's tokbench wins)
    (Path(purelib) / "_deps_from_test_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(dist["wheel"])],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    script = (
        "import json, tokbench as tb\n"
        "df = tb.evaluate('cl100k_base', corpora='udhr', metrics=['ctc'], langs=['eng_Latn', 'deu_Latn'],\n"
        "                 options={'protocol': 'sentence'}, quiet=True)\n"
        "print(json.dumps({'file': tb.__file__, 'version': tb.__version__,\n"
        "                  'ctc': df[df.metric == 'ctc'].set_index('language')['value'].to_dict()}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOKBENCH_", "PYTHON"))}
    env["TOKBENCH_CACHE"] = str(tmp_path / "cache")
    work = tmp_path / "elsewhere"
    work.mkdir()
    ran = subprocess.run([str(python), "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert ran.returncode == 0, ran.stderr[-3000:]
    got = json.loads(ran.stdout.strip().splitlines()[-1])
    assert Path(got["file"]).resolve().is_relative_to(Path(purelib).resolve())  # the wheel's copy, not the repo's
    assert got["version"] == tokbench.__version__

    # the same counts from the tokenizer itself, one call per document (the sentence protocol's definition)
    from tokbench.corpora import load_corpus
    from tokbench.tokenizers import load_tokenizer

    udhr = load_corpus("udhr")
    enc = load_tokenizer("cl100k_base")
    split = udhr.splits[0]
    for lang in ("eng_Latn", "deu_Latn"):
        expected = sum(len(ids) for ids in enc.encode_batch(udhr.texts(split, lang)))
        assert got["ctc"][lang] == expected, lang
