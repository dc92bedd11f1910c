"""Where category samples come from: a folder of <name>.txt(.gz) files or registered corpora."""

from __future__ import annotations

import os
from pathlib import Path

from tokbench.errors import TokbenchError
from tokbench.io import read_text
from tokbench.mixture.words import split_documents

# The natural-language categories Hayase et al. (2024, sec. 5) used on released tokenizers: the 112
# OSCAR 23.01 languages they processed (codes listed in their repository, alisawuffles/tokenizer-attack,
# constants.py), as FLORES-200 codes. 17 have no FLORES text (sah os cv br mhr ce nds xmf bpy new pms
# gom jbo la fy dv pnb). Listing every language a tokenizer may have seen matters: an unlisted one
# that shares a script with a listed one lends it weight (gemma3: Japanese inflates Chinese tenfold,
# reports/mixture/gemma3.md). Spec name: ``flores200:devtest:@hayase2024``.
PAPER_LANGUAGES: tuple[str, ...] = tuple(
    "zho_Hans eng_Latn rus_Cyrl spa_Latn fra_Latn deu_Latn ita_Latn jpn_Jpan hun_Latn pol_Latn vie_Latn "
    "nld_Latn arb_Arab por_Latn ell_Grek pes_Arab tha_Thai ces_Latn tur_Latn swe_Latn ron_Latn ukr_Cyrl "
    "bul_Cyrl fin_Latn kor_Hang hin_Deva ind_Latn slk_Latn ben_Beng heb_Hebr tam_Taml cat_Latn dan_Latn "
    "lit_Latn kat_Geor est_Latn srp_Cyrl lvs_Latn mal_Mlym khk_Cyrl guj_Gujr npi_Deva hye_Armn mkd_Cyrl "
    "mar_Deva tel_Telu urd_Arab kaz_Cyrl als_Latn khm_Khmr azj_Latn mya_Mymr sin_Sinh nob_Latn kan_Knda "
    "bel_Cyrl isl_Latn slv_Latn pan_Guru eus_Latn tgk_Cyrl tat_Cyrl ckb_Arab tgl_Latn ory_Orya bod_Tibt "
    "amh_Ethi kir_Cyrl epo_Latn lao_Laoo asm_Beng bak_Cyrl cym_Latn pbt_Arab glg_Latn uig_Arab kmr_Latn "
    "ydd_Hebr snd_Arab gle_Latn san_Deva ceb_Latn afr_Latn azb_Arab hrv_Latn ltz_Latn uzn_Latn plt_Latn "
    "min_Latn arz_Arab nno_Latn tuk_Latn zsm_Latn mlt_Latn swh_Latn".split()
)
LANGUAGE_SETS = {"@hayase2024": PAPER_LANGUAGES}


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
        try:  # a name the file system gave us undecodable bytes for cannot label a category in text or JSON
            name.encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(f.name).decode("utf-8", "backslashreplace")
            raise TokbenchError(
                f"category file name '{shown}' in {path} is not UTF-8: rename it (the name labels the category), "
                "e.g. convmv -f latin1 -t utf-8 --notest"
            ) from None
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
    """A folder, or ``CORPUS[:SPLIT][:LANG,LANG...]`` naming a registered corpus (each language a category).

    LANG may be a named set (``LANGUAGE_SETS``, e.g. ``@hayase2024``)."""
    p = Path(spec)
    if p.exists() or "/" in spec or spec.startswith("."):
        return load_category_dir(p)
    from tokbench.corpora import load_corpus

    parts = spec.split(":")
    corpus = load_corpus(parts[0])
    split = parts[1] if len(parts) > 1 and parts[1] else corpus.splits[-1]
    langs = parts[2].split(",") if len(parts) > 2 and parts[2] else corpus.languages(split)
    langs = [x for lang in langs for x in _expand(lang)]
    out = {}
    for lang in langs:
        texts = [t for t in corpus.texts(split, lang) if t]
        if not texts:
            raise TokbenchError(f"category {lang!r} of corpus {parts[0]!r} split {split!r} is empty")
        out[lang] = texts
    return out


def _expand(lang: str) -> tuple[str, ...]:
    if not lang.startswith("@"):
        return (lang,)
    if lang not in LANGUAGE_SETS:
        raise TokbenchError(f"unknown language set {lang!r}: choose one of {', '.join(LANGUAGE_SETS)}")
    return LANGUAGE_SETS[lang]


def load_categories(specs: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for spec in specs:
        for name, docs in load_category_spec(spec).items():
            if name in out:
                raise TokbenchError(f"category {name!r} given twice; rename one of them")
            out[name] = docs
    return out
