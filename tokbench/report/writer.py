"""The report writer: results -> leaderboard, tables, plots, Markdown and the static site in one folder.

Layout of OUT:
  index.html, languages.html, tokenizers/<name>.html, compare.html   the static site (no network needed)
  report.md                                                         leaderboard + sections in Markdown
  tables/*.{csv,md,tex}, plots/*.{png,svg}                          per-metric tables and figures
  results.parquet                                                   the numbers the report was made from
Everything is written atomically and deterministically: the same results give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tokbench.errors import TokbenchError
from tokbench.io import atomic_write_bytes, atomic_write_text
from tokbench.report import site as site_help
from tokbench.report.base import ReportContext, Section, collect_sections
from tokbench.report.languages import language_label, script_name
from tokbench.report.leaderboard import Leaderboard, build_leaderboard, fmt_value
from tokbench.report.plots import class_colour, script_of
from tokbench.report.provenance import summarise_provenance
from tokbench.report.tables import to_markdown, write_table

HERE = Path(__file__).parent


@dataclass
class ReportInput:
    """One results set (a `tokbench run` folder) with a label for comparisons."""

    label: str
    table: pd.DataFrame
    provenance: dict[str, Any]
    parquet: Path | None = None


@dataclass
class Written:
    out: Path
    report_md: Path
    index_html: Path
    files: list[Path] = field(default_factory=list)


def safe_name(name: str) -> str:
    """A file name for a tokenizer's page. Names that are already safe keep it; any other gets a hash of
    the name, so `a/b` and `a b` (both `a-b` once cleaned) never share, and overwrite, one page; a long
    name is cut to fit the file system's 255 bytes with its suffixes."""
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}", name):
        return name
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).lstrip(".")[:100]
    return f"{cleaned}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def intro_paragraphs(lb: Leaderboard) -> list[str]:
    """How the leaderboard is ranked and how to read it (the same text on the site and in Markdown)."""
    s = lb.screens[lb.primary]
    out = [lb.rule()]
    if lb.rank is not None and lb.rank.col.key == "tokens_all":
        out.append(
            "Why an absolute cost: on the same text, fewer tokens is cheaper whatever the pivot, so a tokenizer "
            "that is poor at the pivot language cannot look fair. Why the two conditions: a tokenizer that maps a "
            "language to UNK, or lowercases and strips accents, looks cheap because it drops information. Whether "
            "a tokenizer is ranked depends on it alone, never on the other tokenizers in the table. Equal totals "
            "share a rank; a range (3–4) is where a tokenizer ranks in 95% of bootstrap resamples of the sentences, "
            "each resample shared by every tokenizer, so they are compared on the same text."
        )
    if s.pivot:
        out.append(
            f"Premiums are relative to {s.pivot}; premium aggregates are over the languages each tokenizer "
            "represents, with the unscreened mean beside them. Every column sorts."
        )
    out.append(
        "95% confidence intervals in brackets: percentile bootstrap over aligned sentences (premium) or sentences "
        "(compression). A value without brackets has no interval (a mean over languages, or a screened aggregate "
        "that differs from the one the metric bootstrapped). Arrows: ↑ higher is better, ↓ lower is better."
    )
    dup = [t for t in lb.tokenizers if lb.identity.aliases.get(t) or lb.identity.same_encoding.get(t)]
    if dup:
        out.append(
            "Registrations with identical results on every metric are one tokenizer and get one row (other names "
            "in the notes); tokenizers that differ but encode this text token for token alike are marked."
        )
    return out


def _cells(lb: Leaderboard, tok: str) -> list[dict[str, str]]:
    out = []
    for c in lb.columns:
        v = lb.values.at[tok, c.key]
        lo, hi = lb.values.at[tok, c.key + ":lo"], lb.values.at[tok, c.key + ":hi"]
        out.append({"text": fmt_value(v, lo, hi, c.col.digits, c.col.ci), "sort": "" if pd.isna(v) else repr(float(v))})
    return out


def _section_view(s: Section) -> dict[str, Any]:
    return {
        "key": s.key, "title": s.title, "markdown": s.markdown,
        "paragraphs": [p.strip() for p in s.text.split("\n\n") if p.strip()],
        "figures": [{"name": n, "png": f"plots/{n}.png", "svg": f"plots/{n}.svg"} for n in s.figures],
        "tables": [{"name": n, "base": f"tables/{n}", "html": _html_table(df, f"t-{n}")} for n, df in s.tables.items()],
        "detail": [{"name": n, "base": f"tables/{n}"} for n in s.detail],
    }


# a number, also one formatted with its CI, count or unit: '4.99 (22)', '0.65 [0.61, 0.70]', '[-0.99, -0.90]', '<0.01%'
_NUMBER_LIKE = re.compile(r"^\s*[\[(]?\s*[<>~≈]?\s*[-+\u2212]?\.?\d")
_PLACEHOLDER = re.compile(r"^\s*[–—-]?\s*$")
_WRAP_CHARS = 40  # a text column with a longer value wraps instead of widening the table


def _text_columns(df: pd.DataFrame) -> tuple[list[int], list[int]]:
    """1-based positions of prose columns after the first two (the stylesheet already left-aligns those), and
    which of them hold long text. Numbers, also numbers already formatted as strings, stay right-aligned."""
    text, wrap = [], []
    for i, col in enumerate(df.columns):
        if i < 2 or df[col].dtype.kind != "O":
            continue
        values = [v for v in map(str, df[col].dropna()) if not _PLACEHOLDER.match(v)]
        if values and sum(not _NUMBER_LIKE.match(v) for v in values) * 2 > len(values):
            text.append(i + 1)
            if max(map(len, values)) > _WRAP_CHARS:
                wrap.append(i + 1)
    return text, wrap


def _html_table(df: pd.DataFrame, table_id: str) -> str:
    """The table's HTML with a rule scoped to it: prose columns (a check's finding, a note) read left-aligned
    and wrap, as every family's tables need, whatever the family."""
    html = df.to_html(index=False, border=0, classes="sortable", table_id=table_id, na_rep="–", escape=True)
    text, wrap = _text_columns(df)
    if not text:
        return html
    scope = f'table[id="{table_id}"]'  # any id a family chose, without CSS escaping
    left = ", ".join(f"{scope} {cell}:nth-child({i})" for i in text for cell in ("td", "th"))
    rules = [left + " { text-align: left; }"]
    if wrap:
        long = ", ".join(f"{scope} td:nth-child({i})" for i in wrap)
        rules.append(long + " { white-space: normal; min-width: 14em; }")
    return "<style>" + " ".join(rules) + "</style>\n" + html


def _assets() -> dict[str, str]:
    static = HERE / "static"
    return {
        "css": (static / "site.css").read_text(encoding="utf-8"),
        "js": (static / "site.js").read_text(encoding="utf-8"),
        "tablesort": (static / "vendor" / "tablesort" / "tablesort.min.js").read_text(encoding="utf-8"),
    }


def _env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _figure_bytes(fig: Any) -> dict[str, bytes]:
    return fig if isinstance(fig, dict) else {"png": fig}


def _languages_page(lb: Leaderboard, table: pd.DataFrame) -> dict[str, Any] | None:
    """Per-language premium view data: token counts per language so the page can switch pivots."""
    corpus = lb.primary
    s = lb.screens[corpus]
    ctc = table[(table["corpus"] == corpus) & (table["metric"] == "ctc") & (table["language"] != "ALL")]
    if ctc.empty or not s.pivot:
        return None
    m = ctc.pivot_table(index="language", columns="tokenizer", values="value", aggfunc="first")
    toks = [t for t in lb.tokenizers if t in m.columns]
    m = m[toks]
    langs = sorted(m.index, key=lambda lang: (script_of(lang), lang))
    pivot = s.pivot if s.pivot in m.index else langs[0]
    unk = {t: sorted(set(s.languages) - s.represented.get(t, set(s.languages))) for t in toks}
    rows = []
    for lang in langs:
        cells = []
        for t in toks:
            v = float(m.at[lang, t] / m.at[pivot, t])
            ok = np.isfinite(v)
            cells.append({"text": f"{v:.3f}" if ok else "–", "sort": repr(v) if ok else "", "unk": lang in unk[t]})
        rows.append({"lang": lang, "label": language_label(lang), "script": script_of(lang),
                     "script_name": script_name(script_of(lang)), "cells": cells})
    data = {"tokenizers": toks, "unk": unk, "labels": {x: language_label(x) for x in langs},
            "tokens": {t: {lang: (None if pd.isna(m.at[lang, t]) else float(m.at[lang, t])) for lang in langs}
                       for t in toks}}
    prem = table[(table["corpus"] == corpus) & (table["metric"] == "premium")]
    partial = bool((prem["n"] < prem["n"].max()).any()) if not prem.empty else False
    return {"corpus": corpus, "pivot": pivot, "pivot_label": language_label(pivot),
            "languages": [{"code": x, "label": language_label(x)} for x in langs], "tokenizers": toks, "rows": rows,
            "threshold": f"{100 * s.threshold:g}%", "partial": partial,
            "data_json": json.dumps(data, sort_keys=True, ensure_ascii=True).replace("</", "<\\/")}


def _anatomy_view(info: dict[str, Any] | None) -> dict[str, Any] | None:
    if not info:
        return None
    lines = []
    for r in info.get("lineage", []) or []:
        if r.get("extends"):
            lines.append(f"extends {r['tokenizer']} (all {r['their_merges']:,} of its merges first, in order)")
        elif r.get("shared_merges", 0) >= 1000:
            lines.append(f"shares the first {r['shared_merges']:,} merges of {r['tokenizer']}")
        else:
            lines.append(f"holds {r['token_overlap']:.1%} of {r['tokenizer']}'s tokens (in another merge order)")
    if "lineage" in info and not lines:
        lines.append("no registered tokenizer shares its leading merges")
    return {
        "algorithm": info.get("algorithm", ""), "vocab_size": int(info.get("vocab_size", 0)),
        "merges": info.get("merges"), "lineage_lines": lines,
        # explicit order: the cached JSON has sorted keys, the fresh dict frequency order
        "classes": [(k, v, class_colour(k)) for k, v in
                    sorted(info.get("class_shares", {}).items(), key=lambda kv: (-kv[1], kv[0]))[:15]],
        "longest": [repr(t) for t in info.get("longest_tokens", [])],
        "never": _never_view(info.get("never_produced")), "png": info.get("png"),
        "strings_omitted": info.get("strings_omitted", ""),
    }


def _never_view(npd: dict[str, Any] | None) -> dict[str, Any] | None:
    """Corpus specs 'flores200:devtest:L1,L2,...' shown as 'flores200:devtest (204 languages)'."""
    if not npd:
        return None
    names = []
    for spec in npd.get("corpora", []):
        parts = spec.split(":")
        names.append(":".join(parts[:2]) + (f" ({len(parts[2].split(','))} languages)" if len(parts) > 2 else ""))
    return {**npd, "corpora": names}


def tokenizer_pages(lb: Leaderboard, table: pd.DataFrame, anatomy: dict[str, dict[str, Any]],
                    sections: list[Section] | None = None) -> dict[str, dict]:
    pages = {}
    for tok in lb.tokenizers:
        metrics = [
            {"header": c.header, "corpus": c.corpus,
             "text": fmt_value(lb.values.at[tok, c.key], lb.values.at[tok, c.key + ":lo"],
                               lb.values.at[tok, c.key + ":hi"], c.col.digits, c.col.ci)}
            for c in lb.columns
        ]
        per_corpus = []
        for corpus, s in lb.screens.items():
            p = table[(table["tokenizer"] == tok) & (table["corpus"] == corpus) & (table["metric"] == "premium")
                      & (table["language"] != "ALL")]
            if p.empty:
                continue
            v = p.set_index("language")["value"].sort_values(kind="stable")
            per_corpus.append({
                "corpus": corpus, "pivot": s.pivot,
                "pivot_label": language_label(s.pivot) if s.pivot else "",
                "highest": [(language_label(k), f"{x:.2f}") for k, x in v.iloc[::-1].head(10).items()],
                "lowest": [(language_label(k), f"{x:.2f}") for k, x in v.head(10).items()],
                "unk": [language_label(x) for x in sorted(set(s.languages) - s.represented.get(tok, set(s.languages)))],
            })
        info = anatomy.get(tok)
        pages[tok] = {
            "tok": tok, "rank": lb.rank_text(tok), "ranked": tok in lb.ranks, "n_ranked": len(lb.ranked),
            "note": lb.note(tok),
            "rank_header": lb.rank.header if lb.rank else "no ranking column",
            "metrics": metrics, "per_corpus": per_corpus, "anatomy": _anatomy_view(info),
            "anatomy_missing": (anatomy.get("__why__", {}) or {}).get(
                tok, "not computed: run the report with --inspect"),
            # each section's tables for this tokenizer (a family's per-tokenizer part, e.g. check verdicts)
            "family_parts": [{"title": sec.title, "tables": [
                {"caption": cap, "html": _html_table(df, f"{safe_name(tok)}-{sec.key}-{k}")}
                for k, (cap, df) in enumerate(sec.per_tokenizer[tok].items())]}
                for sec in sections or [] if sec.per_tokenizer.get(tok)],
        }
    return pages


def _lb_tables(lb: Leaderboard, algos: dict[str, str], note_no: dict[str, int]) -> list[dict[str, Any]]:
    """The leaderboard's tables for the site (ranked, then the others), generic over the groups it has."""
    groups = [("leaderboard", "Ranked", lb.ranked), ("leaderboard-others", "Not ranked: partial coverage or lossy",
                                                     lb.others)]
    out = []
    for table_id, title, toks in groups:
        if not toks:
            continue
        rows = [{"rank": lb.rank_text(t), "rank_sort": str(lb.ranks[t][0]) if t in lb.ranks else "",
                 "tokenizer": t, "file": safe_name(t) + ".html", "algorithm": algos.get(t, ""),
                 "cells": _cells(lb, t), "note": lb.note(t), "note_no": note_no.get(t),
                 "search": " ".join([t, algos.get(t, ""), lb.note(t)]).lower()} for t in toks]
        out.append({"id": table_id, "title": title if len(groups) > 1 and lb.others else "", "rows": rows})
    return out


def _viewer_page(lb: Leaderboard, corpus: str, quiet: bool, provenance: dict[str, Any]) -> dict[str, Any]:
    """The tokenization viewer's data (tokbench.report.viewer), embedded as JSON; its size is on the page."""
    from tokbench.report.viewer import build_viewer

    shas = {c["tokenizer"]: c.get("tokenizer_sha256", "") for c in provenance.get("cells", []) or []}
    data = build_viewer(lb.tokenizers, corpus, quiet=quiet, shas=shas)
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return {"viewer_json": blob, "viewer_kb": round(len(blob.encode("utf-8")) / 1024), "viewer_corpus": corpus,
            "viewer_split": data["split"], "viewer_missing": data["missing"],
            "viewer_n_units": len(data["units"]), "viewer_n_langs": len(data["languages"]),
            "viewer_default": data["tokenizers"][:3]}


def markdown_report(title: str, lb: Leaderboard, sections: list[Section], prov: dict[str, Any], prefix: str = "",
                    compare_md: str = "") -> str:
    """report.md / LEADERBOARD.md: headline leaderboard, the sections, provenance. `prefix` rebases links."""
    parts = [f"# {title}", ""]
    parts += [p + "\n" for p in intro_paragraphs(lb)]
    parts += [to_markdown(lb.display(headline_only=True, group="ranked")), ""]
    if lb.others:
        parts += ["### Not ranked: partial coverage or lossy", "",
                  "Listed with the same columns, not ranked: each note says which languages the tokenizer does not "
                  "represent or what its round trip loses; their totals are not comparable with the ranked ones.", "",
                  to_markdown(lb.display(headline_only=True, group="others")), ""]
    parts.append(f"All columns, sortable and filterable: [{prefix}index.html]({prefix}index.html); numbers with CI "
                 f"bounds: [{prefix}tables/leaderboard.csv]({prefix}tables/leaderboard.csv).\n")
    if compare_md:
        parts += ["## Comparison of runs", "", compare_md, ""]
    for s in sections:
        v = _section_view(s)
        parts += [f"## {s.title}", ""]
        parts += [p + "\n" for p in v["paragraphs"]]
        for f in v["figures"]:
            parts.append(f"![{f['name']}]({prefix}{f['png']}) ([SVG]({prefix}{f['svg']}))\n")
        for name, df in s.tables.items():
            parts += [to_markdown(df), ""]
            del name
        if v["detail"]:
            parts.append("Per-language detail: " + ", ".join(
                f"[{d['name']}]({prefix}{d['base']}.csv)" for d in v["detail"]) + "\n")
        if s.markdown:
            parts += [s.markdown.strip(), ""]
    code = prov["code"]
    parts += ["## Provenance", "",
              f"tokbench {prov['tokbench_version']}, code commit `{code['commit']}` of {code['date']}; tokenizer and "
              f"corpus sha256 and protocol options in the [site footer]({prefix}index.html) and in results.parquet.",
              ""]
    return "\n".join(parts)


def write_report(
    table: pd.DataFrame,
    provenance: dict[str, Any],
    out_dir: Path,
    title: str = "tokbench report",
    *,
    compare: list[ReportInput] | None = None,
    anatomy: dict[str, dict[str, Any]] | None = None,
    parquet: Path | None = None,
    markdown_copy: Path | None = None,
) -> Path:
    """Write the whole report into out_dir; returns the path of report.md."""
    return write_site(table, provenance, out_dir, title, compare=compare, anatomy=anatomy,
                      parquet=parquet, markdown_copy=markdown_copy).report_md


def write_site(
    table: pd.DataFrame,
    provenance: dict[str, Any],
    out_dir: Path,
    title: str = "tokbench report",
    *,
    compare: list[ReportInput] | None = None,
    anatomy: dict[str, dict[str, Any]] | None = None,
    parquet: Path | None = None,
    markdown_copy: Path | None = None,
    viewer_corpus: str | None = None,
    quiet: bool = True,
) -> Written:
    from tokbench.metrics import metric_cards
    from tokbench.report.compare import compare_runs

    if table is None or table.empty:
        raise TokbenchError("the results table is empty; run `tokbench run` with some tokenizers and corpora first")
    table = table.copy()
    table["flags"] = table["flags"].fillna("") if "flags" in table else ""
    lb = build_leaderboard(table, provenance)
    ctx = ReportContext(table, provenance, {c["name"]: c for c in metric_cards()}, lb,
                        load_tokenizers=anatomy is not None, quiet=quiet)
    sections = collect_sections(ctx)
    prov = summarise_provenance(provenance)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []

    files += write_table(lb.display(), out / "tables", "leaderboard", caption=f"tokbench leaderboard ({lb.primary})")
    atomic_write_text(out / "tables" / "leaderboard.csv", lb.numbers().to_csv(index=False, lineterminator="\n"))
    for s in sections:
        for name, df in {**s.tables, **s.detail}.items():
            files += write_table(df, out / "tables", name, caption=f"{s.title}: {name}")
        for name, fig in s.figures.items():
            for ext, data in _figure_bytes(fig).items():
                atomic_write_bytes(out / "plots" / f"{name}.{ext}", data)
                files.append(out / "plots" / f"{name}.{ext}")

    compare_md = ""
    compare_tables = []
    if compare:
        base = ReportInput("A", table, provenance)
        for other in compare:
            diff = compare_runs(base, other)
            stem = f"compare_{safe_name(other.label)}"
            files += write_table(diff, out / "tables", stem, caption=f"differences {other.label} - {base.label}")
            compare_tables.append({"title": f"{other.label} minus this run", "id": stem, "base": f"tables/{stem}",
                                   "html": _html_table(diff, stem)})
            compare_md += f"### {other.label} minus this run\n\n{to_markdown(diff)}\n\n"

    if parquet is not None and parquet.is_file() and parquet.resolve() != (out / "results.parquet").resolve():
        atomic_write_bytes(out / "results.parquet", parquet.read_bytes())
    has_parquet = (out / "results.parquet").is_file()

    env = _env()
    lang_page = _languages_page(lb, table)
    viewer = _viewer_page(lb, viewer_corpus, quiet, provenance) if viewer_corpus else None
    common = {"title": title, "prov": prov, "assets": _assets(), "has_languages": lang_page is not None,
              "has_compare": bool(compare_tables), "has_viewer": viewer is not None,
              "computed_on": site_help.computed_on(table)}
    algos = site_help.algorithms(lb.tokenizers, anatomy)
    note_no, notes = site_help.footnotes({t: lb.note(t) for t in lb.tokenizers})
    lb_tables = _lb_tables(lb, algos, note_no)
    lb_columns = [{"header": c.header, "family": c.col.family, "metric": c.col.metric} for c in lb.columns]
    index = env.get_template("index.html.j2").render(
        **common, root="", page_title="Leaderboard", intro=intro_paragraphs(lb), lb_columns=lb_columns,
        lb_tables=lb_tables, notes=notes, sections=[_section_view(s) for s in sections], has_parquet=has_parquet)
    atomic_write_text(out / "index.html", index)
    files.append(out / "index.html")
    if lang_page is not None:
        atomic_write_text(out / "languages.html", env.get_template("languages.html.j2").render(
            **common, root="", page_title="Per language", **lang_page))
        files.append(out / "languages.html")
    if viewer is not None:
        atomic_write_text(out / "viewer.html", env.get_template("viewer.html.j2").render(
            **common, root="", page_title="Tokenization viewer", **viewer))
        files.append(out / "viewer.html")
    if compare_tables:
        atomic_write_text(out / "compare.html", env.get_template("compare.html.j2").render(
            **common, root="", page_title="Comparison", tables=compare_tables,
            intro=["Per-tokenizer differences of every leaderboard column between the runs (other minus this run; "
                   "relative change in percent)."]))
        files.append(out / "compare.html")
    anatomy = dict(anatomy or {})
    for tok, page in tokenizer_pages(lb, table, anatomy, sections).items():
        path = out / "tokenizers" / f"{safe_name(tok)}.html"
        page["algorithm_name"] = algos.get(tok, "")
        if page["anatomy"] is not None and (anatomy.get(tok) or {}).get("by_rank"):
            from tokbench.report.plots import token_class_plot

            png = token_class_plot(anatomy[tok])
            atomic_write_bytes(out / "tokenizers" / f"{safe_name(tok)}_classes.png", png)
            files.append(out / "tokenizers" / f"{safe_name(tok)}_classes.png")
            page["anatomy"]["png"] = f"{safe_name(tok)}_classes.png"
        atomic_write_text(path, env.get_template("tokenizer.html.j2").render(
            **common, root="../", page_title=tok, **page))
        files.append(path)

    md = markdown_report(title, lb, sections, prov, "", compare_md)
    report_md = out / "report.md"
    atomic_write_text(report_md, md)
    files.append(report_md)
    if markdown_copy is not None:
        prefix = os.path.relpath(out.resolve(), markdown_copy.resolve().parent).replace(os.sep, "/") + "/"
        atomic_write_text(markdown_copy, markdown_report(title, lb, sections, prov, prefix, compare_md))
        files.append(markdown_copy)
    return Written(out, report_md, out / "index.html", files)
