"""A small real run shared by the report tests: UDHR x six vendored tokenizers x six languages.

Chosen so that every honesty rule has a case: BERT maps Amharic and Burmese to UNK (screened),
the two BERT files are one tokenizer (one row), p50k_base and r50k_base encode this text alike.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tokbench.cli import main

LANGS = ["eng_Latn", "tur_Latn", "deu_Latn", "rus_Cyrl", "amh_Ethi", "mya_Mymr"]
TOKENIZERS = ["cl100k_base", "o200k_base", "p50k_base", "r50k_base", "bert_base_uncased", "bert_base_uncased_vocab"]
METRICS = ["premium", "ctc", "bytes_per_token", "vocab_utilisation", "renyi_efficiency"]


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    rc = main(["run", "--quiet", "--corpora", "udhr", "--tokenizers", *TOKENIZERS, "--metrics", *METRICS,
               "--langs", *LANGS, "--out", str(out)])
    assert rc == 0
    return out


@pytest.fixture(scope="session")
def small_report(small_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    assert main(["report", str(small_run), "--quiet", "--out", str(out), "--title", "small"]) == 0
    return out
