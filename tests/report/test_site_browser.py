"""The static site in a real headless Chromium (Debian `chromium` + `chromium-driver`, via selenium).

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


def _column(driver: Any, table_id: str, index: int, attr: str | None = None) -> list[str]:
    from selenium.webdriver.common.by import By

    cells = driver.find_elements(By.CSS_SELECTOR, f"#{table_id} tbody tr td:nth-child({index})")
    return [c.get_attribute(attr) if attr else c.text for c in cells]


def test_index_loads_without_console_errors(browser: Any, small_report: Path) -> None:
    browser.get((small_report / "index.html").resolve().as_uri())
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    assert browser.execute_script("return typeof Tablesort") == "function"
    for page in ("languages.html", "tokenizers/cl100k_base.html"):
        browser.get((small_report / page).resolve().as_uri())
        assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"], page


def test_clicking_a_header_reorders_rows(browser: Any, small_report: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, small_report / "index.html")
    before = _column(browser, "leaderboard", 2)
    headers = browser.find_elements(By.CSS_SELECTOR, "#leaderboard thead th")
    idx = next(i for i, h in enumerate(headers, 1) if "unscreened" in h.text and "corpus tokens" in h.text)
    headers[idx - 1].click()
    after = _column(browser, "leaderboard", 2)
    values = [float(v) for v in _column(browser, "leaderboard", idx, "data-sort")]
    assert sorted(after) == sorted(before) and after != before
    assert values == sorted(values) or values == sorted(values, reverse=True)
    headers[idx - 1].click()  # second click: the other direction
    again = [float(v) for v in _column(browser, "leaderboard", idx, "data-sort")]
    assert again == values[::-1]


def test_filter_hides_rows(browser: Any, small_report: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, small_report / "index.html")
    browser.find_element(By.ID, "lb-filter").send_keys("k_base")
    rows = browser.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr")
    shown = [r.text.split()[1] for r in rows if r.is_displayed()]
    assert shown and all(name.endswith("k_base") for name in shown) and len(shown) < len(rows)


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
    assert browser.find_element(By.CSS_SELECTOR, ".pivot-name").text == "deu_Latn"
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_screenshot_is_not_blank(browser: Any, small_report: Path, tmp_path: Path) -> None:
    import matplotlib.image as mpimg

    _open(browser, small_report / "index.html")
    png = browser.get_screenshot_as_png()
    (tmp_path / "index.png").write_bytes(png)
    img = mpimg.imread(io.BytesIO(png), format="png")
    assert img.shape[0] > 100 and img.shape[1] > 100
    colours = np.unique((img[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 20  # text, table rules, links: far from a blank page
