"""Regenerate data_manifests/corpora/*.yaml (all but udhr) from a data dir, with sha256 of every file.

Run from the repository root: python tools/make_corpus_manifests.py ../shared/assets
Registry-sourced corpora marked vendored are also copied (gzipped) into tokbench/vendored/.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tokbench.io import sha256_file  # noqa: E402

MANPAGE_LANGS = {
    "cs": "ces_Latn",
    "da": "dan_Latn",
    "de": "deu_Latn",
    "el": "ell_Grek",
    "es": "spa_Latn",
    "fi": "fin_Latn",
    "fr": "fra_Latn",
    "hu": "hun_Latn",
    "id": "ind_Latn",
    "it": "ita_Latn",
    "ja": "jpn_Jpan",
    "mk": "mkd_Cyrl",
    "nb": "nob_Latn",
    "nl": "nld_Latn",
    "pl": "pol_Latn",
    "pt-br": "por_Latn",
    "ro": "ron_Latn",
    "ru": "rus_Cyrl",
    "sr": "srp_Cyrl",
    "sv": "swe_Latn",
    "tr": "tur_Latn",
    "uk": "ukr_Cyrl",
    "vi": "vie_Latn",
    "zh": "zho_Hans",
}


def files_of(data: Path, rels: list[str]) -> list[dict]:
    out = []
    for rel in rels:
        p = data / rel if (data / rel).exists() else data / (rel + ".gz")
        out.append({"path": rel, "sha256": sha256_file(p)})
    return out


def vendor(data: Path, rels: list[str]) -> None:
    for rel in rels:
        dst = ROOT / "tokbench" / "vendored" / (rel + ".gz")
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(gzip.compress((data / rel).read_bytes(), compresslevel=9, mtime=0))


def main(data: Path) -> None:
    out = ROOT / "data_manifests" / "corpora"
    out.mkdir(parents=True, exist_ok=True)
    docs = {}

    fl = sorted(p.relative_to(data).as_posix() for p in (data / "corpora/flores200").glob("*/*.parquet"))
    langs = sorted({Path(r).stem for r in fl})
    docs["flores200"] = {
        "name": "flores200",
        "loader": "flores200",
        "description": "FLORES-200 dev (997) + devtest (1,012) sentences, 204 language varieties, sentence-aligned "
        "(FLORES+ parquet schema: id, iso_639_3, iso_15924, text)",
        "files": files_of(data, fl),
        "source": {
            "url": "https://dl.fbaipublicfiles.com/nllb/flores200_dataset.tar.gz",
            "retrieved": "2022-07",
            "derived": "dev/devtest files as parquet in the FLORES+ schema, one per split and language",
        },
        "license": "CC-BY-SA-4.0",
        "citation": "NLLB Team 2022, No Language Left Behind: Scaling Human-Centered Machine Translation; "
        "Goyal et al. 2022, The FLORES-101 Evaluation Benchmark",
        "vendored": False,
        "languages": langs,
        "splits": ["dev", "devtest"],
        "domain": "wikinews, wikivoyage, wikibooks",
        "parallel": True,
        "pivot": "eng_Latn",
    }

    code = sorted(p.relative_to(data).as_posix() for p in (data / "corpora/code_samples").glob("*.jsonl"))
    vendor(data, code)
    docs["code_samples"] = {
        "name": "code_samples",
        "loader": "code_samples",
        "description": "Source code, 15 programming languages, ~400k characters each (kotlin/swift smaller); "
        "JSONL records lang, path, source, license, text",
        "files": files_of(data, code),
        "source": {
            "registry": "pypi",
            "package": "llama-cpp-python",
            "version": "0.3.36",
            "derived": "C/C++/CUDA/Python/TypeScript/Kotlin/Swift/Shell from this sdist; Go, Rust, Ruby, Perl, "
            "PHP, Lua, Java from Debian bookworm packages (golang-1.19-src 1.19.8-2, rust-src 1.63.0+dfsg1-2, "
            "libruby3.1 3.1.7-1~deb12u2, perl-modules-5.36 5.36.0-7+deb12u4, composer 2.5.5-1+deb12u5, "
            "lua-penlight 1.13.1-3, openjdk-17-source 17.0.21.1+2-1~deb12u1); per-file licenses in each record",
        },
        "license": "per file (MIT, BSD-3-Clause, MIT OR Apache-2.0, Ruby, Artistic OR GPL-1+, GPL-2.0 WITH "
        "Classpath-exception)",
        "citation": "tokbench code samples (deterministic md5-ordered file selection from the named packages)",
        "vendored": True,
        "subsets": sorted(Path(r).stem for r in code),
        "splits": ["samples"],
        "domain": "code",
        "parallel": False,
    }

    dom = sorted(
        p.relative_to(data).as_posix() for p in (data / "corpora/domain_samples").glob("*.txt") if p.stem != "SOURCE"
    )
    docs["domain_samples"] = {
        "name": "domain_samples",
        "loader": "text_paragraphs",
        "description": "English domain samples: books (Project Gutenberg, tiny Shakespeare) and technical docs "
        "(Python 3.11 documentation sources), as paragraphs",
        "files": files_of(data, dom),
        "source": {
            "registry": "debian",
            "package": "python3.11-doc",
            "version": "3.11.2-6+deb12u9",
            "derived": "docs from this package; books from GitHub clocasto/HaikuGenerator @ "
            "936af28fdf47e9a50abf52183a04959df01daf17 and karpathy/char-rnn @ "
            "6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e",
        },
        "license": "public domain (books); PSF-2.0 (Python docs)",
        "citation": "Project Gutenberg; Python Software Foundation, Python 3.11 documentation",
        "vendored": False,
        "subsets": ["books", "docs"],
        "splits": ["samples"],
        "domain": "books, technical documentation",
        "parallel": False,
        "options": {"lang_of": {Path(r).stem: ("docs" if "docs" in r else "books") for r in dom}},
    }

    man = sorted(
        p.relative_to(data).as_posix()
        for p in (data / "corpora/manpages_multilingual").glob("*.txt")
        if p.stem not in ("packages", "SOURCE")
    )
    docs["manpages_multilingual"] = {
        "name": "manpages_multilingual",
        "loader": "text_paragraphs",
        "description": "Translated Linux man pages rendered to UTF-8 text, 24 languages (technical domain, "
        "roughly but not sentence-parallel), as paragraphs",
        "files": files_of(data, man),
        "source": {
            "registry": "debian",
            "package": "manpages-l10n",
            "version": "4.18.1-1",
            "derived": "rendered with groff -Tutf8; manpages-tr 2.0.6-2 and manpages-zh 1.6.4.0-1 for tr, zh",
        },
        "license": "GPL-2.0-or-later / GPL-3.0-or-later and the licenses of the original pages",
        "citation": "manpages-l10n project, Debian bookworm",
        "vendored": False,
        "languages": sorted(MANPAGE_LANGS[Path(r).stem] for r in man),
        "splits": ["samples"],
        "domain": "technical documentation",
        "parallel": False,
        "options": {"lang_of": {Path(r).stem: MANPAGE_LANGS[Path(r).stem] for r in man}},
    }

    mmlu = sorted(p.relative_to(data).as_posix() for p in (data / "corpora/turkish_mmlu").glob("*/*.json"))
    docs["turkish_mmlu"] = {
        "name": "turkish_mmlu",
        "loader": "turkish_mmlu",
        "description": "TurkishMMLU exam questions (question + choices), 9 subjects, dev and test",
        "files": files_of(data, mmlu),
        "source": {"github": "ArdaYueksel/TurkishMMLU", "commit": "127b43fb0bc57c59e99b2089172f859c6fef4db3"},
        "license": "none stated (research use only; not redistributed)",
        "citation": "Yüksel et al. 2024, TurkishMMLU: Measuring Massive Multitask Language Understanding in Turkish",
        "vendored": False,
        "languages": ["tur_Latn"],
        "splits": ["dev", "test"],
        "domain": "exam questions",
        "parallel": False,
    }
    for name, doc in docs.items():
        (out / f"{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
