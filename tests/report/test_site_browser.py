"""The static site in a real headless Chromium (Debian `chromium` + `chromium-driver`, via selenium):
sorting (missing values last both ways), filter, pivot, frozen columns and sticky header, the
tokenization viewer, and no sideways scrolling of the page at 420 px.

The session fixture installs the two Debian packages with apt-get when they are missing and we are
root (as in CI); the tests skip with the reason only when the browser cannot be installed.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tokbench.results import read_results

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1000")


def _binaries() -> tuple[str | None, str | None]:
    return shutil.which("chromium"), shutil.which("chromedriver")


def ensure_chromium() -> tuple[str, str]:
    """Paths of chromium and chromedriver, installing Debian's packages when missing (root only)."""
    browser, driver = _binaries()
    if browser and driver:
        return browser, driver
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("needs Debian packages chromium and chromium-driver (not installed, and not root to apt-get them)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"]):
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200, check=False)
        if r.returncode != 0:
            tail = (r.stderr or r.stdout).strip().splitlines()[-1:] or ["no output"]
            pytest.skip(f"could not install chromium/chromium-driver with apt-get: {tail[0]}")
    browser, driver = _binaries()
    if not (browser and driver):
        pytest.skip("apt-get installed chromium but chromium/chromedriver are not on PATH")
    return browser, driver


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in the dev extra")
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = ensure_chromium()
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for f in FLAGS:
        opts.add_argument(f)
    profile = tempfile.mkdtemp(prefix="tokbench-chromium-")
    opts.add_argument(f"--user-data-dir={profile}")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=opts, service=Service(executable_path=chromedriver))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _open(driver: Any, path: Path) -> None:
    driver.get(path.resolve().as_uri())
    driver.get_log("browser")  # drop anything logged before this page


def _severe(driver: Any) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


@pytest.fixture(scope="session")
def gap_report(small_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small run with one tokenizer's Rényi efficiency removed (a failed cell): a column with a missing value."""
    from tokbench.report.writer import write_site

    table, prov = read_results(small_run)
    table = table[~((table["tokenizer"] == "cl100k_base") & (table["metric"] == "renyi_efficiency"))]
    out = tmp_path_factory.mktemp("gap_report")
    write_site(table, prov, out, "gap")
    return out


def _column(driver: Any, table_id: str, index: int, attr: str | None = None) -> list[str]:
    from selenium.webdriver.common.by import By

    cells = driver.find_elements(By.CSS_SELECTOR, f"#{table_id} tbody tr td:nth-child({index})")
    return [c.get_attribute(attr) if attr else c.text for c in cells]


def test_pages_load_without_console_errors(browser: Any, small_report: Path) -> None:
    browser.get((small_report / "index.html").resolve().as_uri())
    assert not _severe(browser)
    assert browser.execute_script("return typeof Tablesort") == "function"
    for page in ("languages.html", "viewer.html", "tokenizers/cl100k_base.html"):
        browser.get((small_report / page).resolve().as_uri())
        assert not _severe(browser), page


def _header_index(driver: Any, table_id: str, text: str) -> int:
    from selenium.webdriver.common.by import By

    headers = driver.find_elements(By.CSS_SELECTOR, f"#{table_id} thead th")
    return next(i for i, h in enumerate(headers, 1) if text in h.text)


def test_clicking_a_header_reorders_rows(browser: Any, small_report: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, small_report / "index.html")
    idx = _header_index(browser, "leaderboard", "bytes/token, mean")
    header = browser.find_elements(By.CSS_SELECTOR, "#leaderboard thead th")[idx - 1]
    header.click()
    first = [float(v) for v in _column(browser, "leaderboard", idx, "data-sort")]
    assert first == sorted(first) or first == sorted(first, reverse=True)
    header.click()  # second click: the other direction
    again = [float(v) for v in _column(browser, "leaderboard", idx, "data-sort")]
    assert sorted(again) == sorted(first) and again == sorted(again, reverse=first == sorted(first))


def test_missing_values_sort_last_in_both_directions(browser: Any, gap_report: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, gap_report / "index.html")
    idx = _header_index(browser, "leaderboard", "Rényi")
    header = browser.find_elements(By.CSS_SELECTOR, "#leaderboard thead th")[idx - 1]
    seen = []
    for _ in range(2):
        header.click()
        keys = _column(browser, "leaderboard", idx, "data-sort")
        assert "" in keys, "the fixture should leave one cell empty"
        present = [float(k) for k in keys if k != ""]
        assert keys[-1] == "" and keys.index("") == len(present)  # every missing value after every number
        assert _column(browser, "leaderboard", idx)[-1] == "–"
        seen.append(present == sorted(present))
    assert seen[0] != seen[1]  # the two clicks sorted in opposite directions
    assert not _severe(browser)


def test_filter_matches_name_algorithm_and_note(browser: Any, small_report: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, small_report / "index.html")
    box = browser.find_element(By.ID, "lb-filter")
    assert "bpe" in box.get_attribute("placeholder")

    def shown() -> list[str]:
        rows = browser.find_elements(By.CSS_SELECTOR, "table.freeze tbody tr")
        return [r.find_element(By.CSS_SELECTOR, "td:nth-child(2) a").text for r in rows if r.is_displayed()]

    everyone = shown()
    box.send_keys("wordpiece")  # the algorithm, not shown as text in the name
    assert shown() == ["bert_base_uncased"]
    box.clear()
    box.send_keys("bpe")
    assert sorted(shown()) == sorted(t for t in everyone if t != "bert_base_uncased")
    box.clear()
    box.send_keys("k_base")
    assert shown() and all(name.endswith("k_base") for name in shown()) and len(shown()) < len(everyone)
    assert "rows" in browser.find_element(By.ID, "lb-count").text


def test_sticky_header_and_frozen_tokenizer_column(browser: Any, small_report: Path) -> None:
    _open(browser, small_report / "languages.html")
    moved = browser.execute_script("""
        var t = document.getElementById('premium-table'), box = t.closest('.scroll');
        box.style.maxHeight = '150px'; box.style.width = '300px';
        var th = t.tHead.rows[0].cells[2], td = t.tBodies[0].rows[3].cells[0];
        var before = [th.getBoundingClientRect().top, td.getBoundingClientRect().left];
        box.scrollTop = 60; box.scrollLeft = 200;
        var after = [th.getBoundingClientRect().top, td.getBoundingClientRect().left];
        return [before, after, box.getBoundingClientRect().top, box.scrollTop, box.scrollLeft];""")
    (top0, left0), (top1, left1), box_top, scrolled_y, scrolled_x = moved
    assert scrolled_y > 0 and scrolled_x > 0
    assert top1 == pytest.approx(box_top + 1, abs=2)  # the header row stays at the top of its box
    assert left1 == pytest.approx(left0, abs=1)  # the language column stays put


def test_pivot_selector_renormalises_premiums(browser: Any, small_run: Path, small_report: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    _open(browser, small_report / "languages.html")
    toks = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#premium-table thead th")][2:]
    col = toks.index("cl100k_base") + 3

    def premium_of(lang: str) -> float:
        row = browser.find_element(By.CSS_SELECTOR, f'#premium-table tbody tr[data-lang="{lang}"]')
        return float(row.find_element(By.CSS_SELECTOR, f"td:nth-child({col})").get_attribute("data-sort"))

    table, _ = read_results(small_run)
    ctc = table[(table.metric == "ctc") & (table.tokenizer == "cl100k_base")].set_index("language")["value"]
    assert premium_of("tur_Latn") == pytest.approx(ctc["tur_Latn"] / ctc["eng_Latn"])
    Select(browser.find_element(By.ID, "pivot-select")).select_by_value("deu_Latn")
    assert premium_of("tur_Latn") == pytest.approx(ctc["tur_Latn"] / ctc["deu_Latn"])
    assert premium_of("deu_Latn") == pytest.approx(1.0)
    assert browser.find_element(By.CSS_SELECTOR, ".pivot-name").text == "German (deu_Latn)"
    row = browser.find_element(By.CSS_SELECTOR, '#premium-table tbody tr[data-lang="tur_Latn"]')
    assert row.find_element(By.CSS_SELECTOR, "td").text == "Turkish (tur_Latn)"
    assert not _severe(browser)


def _viewer_select(browser: Any, lang: str, tokenizers: list[str]) -> dict[str, list[Any]]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.ID, "viewer-lang")).select_by_value(lang)
    for box in browser.find_elements(By.CSS_SELECTOR, "#viewer-tokenizers input"):
        if (box.get_attribute("value") in tokenizers) != box.is_selected():
            box.click()
    rows = browser.find_elements(By.CSS_SELECTOR, "#viewer-out .tok-row")
    return {r.get_attribute("data-tokenizer"): r.find_elements(By.CSS_SELECTOR, ".tokens span") for r in rows}


def test_viewer_shows_each_tokenizers_tokens(browser: Any, small_report: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from tokbench.tokenizers import load_tokenizer

    _open(browser, small_report / "viewer.html")
    shown = _viewer_select(browser, "tur_Latn", ["cl100k_base", "o200k_base"])
    assert set(shown) == {"cl100k_base", "o200k_base"}
    text = browser.find_element(By.ID, "viewer-source").text
    unit = Select(browser.find_element(By.ID, "viewer-unit"))
    label = unit.first_selected_option.text
    assert label.startswith("Article ") and text.startswith(label.split(" · ", 1)[1].rstrip("…"))
    for name, spans in shown.items():
        ids = load_tokenizer(name).encode_batch([text])[0]
        assert len(spans) == len(ids)  # one span per token the library produced
        assert "".join(s.get_attribute("textContent") for s in spans) == text  # lossless: the spans are the text
    unit.select_by_index(1)  # another unit re-renders
    assert browser.find_element(By.ID, "viewer-source").text != text
    twins = _viewer_select(browser, "tur_Latn", ["p50k_base", "r50k_base"])  # identical encodings, stored once
    assert [s.text for s in twins["p50k_base"]] == [s.text for s in twins["r50k_base"]] and twins["r50k_base"]
    heading = browser.find_element(By.CSS_SELECTOR, '#viewer-out .tok-row[data-tokenizer="r50k_base"] h3')
    assert "the same tokens as p50k_base" in heading.text
    assert not _severe(browser)


def test_viewer_marks_unk_and_byte_tokens(browser: Any, small_report: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, small_report / "viewer.html")
    shown = _viewer_select(browser, "amh_Ethi", ["bert_base_uncased", "cl100k_base"])
    text = browser.find_element(By.ID, "viewer-source").text
    unk = [s for s in shown["bert_base_uncased"] if "k-u" in s.get_attribute("class")]
    assert unk and all(s.get_attribute("textContent") in text for s in unk)  # the text each UNK replaced
    assert all("UNK" in s.get_attribute("title") for s in unk)
    heading = browser.find_element(By.CSS_SELECTOR, '#viewer-out .tok-row[data-tokenizer="bert_base_uncased"] h3')
    assert f"{len(unk)} UNK" in heading.text
    # byte-level BPE splits Ethiopic characters: bytes in hex, the character on hover
    byte_spans = [s for s in shown["cl100k_base"] if "k-b" in s.get_attribute("class")]
    assert byte_spans and all(" of '" in s.get_attribute("title") for s in byte_spans)
    assert all(set(s.get_attribute("textContent").replace(" ", "")) <= set("0123456789ABCDEF‹›") or
               "‹" in s.get_attribute("textContent") for s in byte_spans)


@pytest.mark.parametrize("page", ["index.html", "languages.html", "viewer.html", "tokenizers/cl100k_base.html",
                                  "tokenizers/bert_base_uncased.html"])
def test_no_sideways_scrolling_at_420_px(browser: Any, small_report: Path, page: str) -> None:
    browser.set_window_size(420, 900)
    try:
        _open(browser, small_report / page)
        width, client = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert width <= client, f"{page}: the page body is {width} px wide in a {client} px window"
    finally:
        browser.set_window_size(1400, 1000)


def test_screenshot_is_not_blank(browser: Any, small_report: Path, tmp_path: Path) -> None:
    import matplotlib.image as mpimg

    _open(browser, small_report / "index.html")
    png = browser.get_screenshot_as_png()
    (tmp_path / "index.png").write_bytes(png)
    img = mpimg.imread(io.BytesIO(png), format="png")
    assert img.shape[0] > 100 and img.shape[1] > 100
    colours = np.unique((img[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 20  # text, table rules, links: far from a blank page


def test_prose_columns_read_left_and_wrap(browser: Any, tmp_path: Path) -> None:
    """A family table's prose column (a check's finding) is left-aligned and wraps; numbers, also numbers
    formatted as strings, stay right-aligned (the stylesheet's default for every column after the second)."""
    import pandas as pd

    from tokbench.report.writer import _assets, _html_table

    df = pd.DataFrame({"check": ["unk", "bytes"], "verdict": ["warn", "ok"],
                       "finding": ["the UNK id covers 2.1% of tokens in 14 languages; " * 3, "none"],
                       "n": [1.5, 2.0], "share": ["12.5%", "3.0%"]})
    page = tmp_path / "t.html"
    page.write_text(f"<html><head><meta charset='utf-8'><style>{_assets()['css']}</style></head><body>"
                    f"{_html_table(df, 't-checks')}</body></html>", encoding="utf-8")
    browser.get(page.as_uri())
    styles = browser.execute_script("""
        var row = document.getElementById('t-checks').tBodies[0].rows[0];
        return [2, 3, 4].map(function (i) {
            var s = getComputedStyle(row.cells[i]); return [s.textAlign, s.whiteSpace]; });""")
    assert styles[0] == ["left", "normal"]
    assert styles[1][0] == "right" and styles[2][0] == "right"
    width = browser.execute_script("return document.getElementById('t-checks').getBoundingClientRect().width")
    assert width < browser.execute_script("return window.innerWidth")  # wrapped, not one long line
