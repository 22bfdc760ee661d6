"""The report in a real headless Chromium (Playwright driving the system browser).

Skipped when Chromium or Playwright is missing, unless ALIGN_REQUIRE_BROWSER=1
(CI sets it) — then missing pieces fail the test.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from align.report import write_report

from test_report import sample, sample_with_findings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _chromium() -> str | None:
    for p in (os.environ.get("ALIGN_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
              shutil.which("chromium-browser")):
        if p and Path(p).exists():
            return p
    return None


def _unavailable(reason: str):
    if os.environ.get("ALIGN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (ALIGN_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    exe = _chromium()
    if exe is None:
        _unavailable("Chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page_of(browser, tmp_path):
    """Open a report from file:// and record console errors and failed requests."""
    opened = []

    def open_report(n_translations: int = 2, make=sample):
        multi, flags, gl = make(n_translations)
        path = write_report(multi, flags, tmp_path / f"report{n_translations}.html", glossary_report=gl)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("load")
        opened.append(page)
        return page, problems, requests

    yield open_report
    for p in opened:
        p.close()


def visible_rows(page) -> list[str]:
    return page.eval_on_selector_all("#rows > .row", "rs => rs.filter(r => !r.hidden && r.offsetParent !== null).map(r => r.id)")


def test_loads_cleanly_from_disk_and_screenshots(page_of, tmp_path):
    page, problems, requests = page_of()
    assert page.title() == "Alignment report"
    assert visible_rows(page) == [f"r{i}" for i in range(1, 8)]
    assert page.locator("#f-count").inner_text() == "7 of 7 rows"
    assert [u for u in requests if not u.startswith("file://")] == []
    assert len(requests) == 1  # the page itself, nothing else
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert problems == []


def test_flag_filter_hides_rows_without_that_flag(page_of):
    page, problems, _ = page_of()
    page.select_option("#f-kind", "omission")
    assert visible_rows(page) == ["r7"]
    page.select_option("#f-kind", "number")
    assert visible_rows(page) == ["r4"]
    page.select_option("#f-kind", "*")
    assert visible_rows(page) == ["r1", "r3", "r4", "r5", "r7"]
    page.select_option("#f-kind", "")
    assert len(visible_rows(page)) == 7
    # a count in the summary applies the filter and jumps to the first row
    page.click('table.flagcounts a[data-kind="addition"] >> nth=0')
    assert visible_rows(page) == ["r5"]
    assert page.evaluate("location.hash") == "#r5"
    assert problems == []


def test_text_search(page_of):
    page, problems, _ = page_of()
    page.fill("#f-q", "cornerstone")
    page.wait_for_function("document.getElementById('f-count').textContent.startsWith('1 of')")
    assert visible_rows(page) == ["r3"]
    page.fill("#f-q", "加强")
    page.wait_for_function("document.getElementById('f-count').textContent.startsWith('2 of')")
    assert visible_rows(page) == ["r1", "r6"]
    page.fill("#f-q", "no such words anywhere")
    page.wait_for_function("document.getElementById('f-count').textContent.startsWith('0 of')")
    assert visible_rows(page) == []
    assert page.locator("#nomatch").is_visible()
    page.locator("#f-q").press("Escape")
    page.keyboard.press("Escape")  # clears every filter
    assert len(visible_rows(page)) == 7
    assert problems == []


def test_low_confidence_filter_and_threshold(page_of):
    page, problems, _ = page_of()
    page.check("#f-low")
    # minimum per row: r4 0.31, r5 addition 0, r7 omission 0 (threshold 0.5)
    assert visible_rows(page) == ["r4", "r5", "r7"]
    page.eval_on_selector("#f-thr", "e => { e.value = '0.8'; e.dispatchEvent(new Event('input')); }")
    assert page.locator("#thr-out").inner_text() == "0.80"
    assert visible_rows(page) == ["r2", "r4", "r5", "r6", "r7"]  # r3 (0.85) and r1 stay hidden
    page.uncheck("#f-low")
    assert len(visible_rows(page)) == 7
    assert problems == []


def test_keyboard_moves_between_flagged_rows(page_of):
    page, problems, _ = page_of()
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    assert page.evaluate("document.querySelector('.row.cur').id") == "r1"
    page.keyboard.press("j")
    assert page.evaluate("document.querySelector('.row.cur').id") == "r3"  # r2 has no flag
    page.keyboard.press("n")
    assert page.evaluate("location.hash") == "#r4"
    page.keyboard.press("k")
    assert page.evaluate("document.querySelector('.row.cur').id") == "r3"
    # with a filter on, navigation only visits the visible flagged rows
    page.select_option("#f-kind", "omission")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    assert page.evaluate("document.querySelector('.row.cur').id") == "r7"
    page.keyboard.press("p")  # no earlier omission: stays
    assert page.evaluate("document.querySelector('.row.cur').id") == "r7"
    # the cursor row is scrolled into view
    box = page.locator("#r7").bounding_box()
    assert box is not None and 0 <= box["y"] < 900
    # "/" focuses the search box
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "f-q"
    assert problems == []


def test_four_translations_fit_side_by_side(page_of, tmp_path):
    page, problems, _ = page_of(4)
    widths = page.eval_on_selector_all("#r3 > div", "cs => cs.map(c => c.getBoundingClientRect().width)")
    assert len(widths) == 6  # number, source, 4 translations
    text_cols = widths[1:]
    assert max(text_cols) - min(text_cols) < 2  # equal columns
    assert min(text_cols) > 150
    # no horizontal overflow at 1400px
    assert page.evaluate("document.getElementById('bodywrap').scrollWidth <= document.getElementById('bodywrap').clientWidth + 1")
    page.screenshot(path=str(tmp_path / "four.png"))
    assert problems == []


def test_keyboard_starts_from_where_the_reader_is(page_of):
    page, problems, _ = page_of()
    page.set_viewport_size({"width": 1400, "height": 500})
    page.evaluate("""() => {  // r4 right under the sticky toolbar
        const r = document.getElementById('r4');
        window.scrollBy(0, r.getBoundingClientRect().top - 200);
        const bar = document.querySelector('.toolbar').getBoundingClientRect().bottom;
        window.scrollBy(0, r.getBoundingClientRect().top - bar);
    }""")
    page.keyboard.press("j")  # nothing selected yet: the first flagged row on screen, not r1
    assert page.evaluate("document.querySelector('.row.cur').id") == "r4"
    page.keyboard.press("k")
    assert page.evaluate("document.querySelector('.row.cur').id") == "r3"
    assert problems == []


def test_term_table_links_filter_by_term(page_of):
    page, problems, _ = page_of()
    page.click('table.terms a.chip[data-term="信用"] >> nth=0')
    assert page.locator("#f-term").input_value() == "信用"
    assert visible_rows(page) == ["r3"]
    assert page.evaluate("location.hash") == "#r3"
    page.select_option("#f-term", "诚信")
    assert visible_rows(page) == ["r1", "r3", "r4"]
    assert problems == []


def current_row(page) -> str:
    return page.evaluate("document.querySelector('.row.cur').id")


def test_a_document_finding_shows_its_rows(page_of):
    page, problems, _ = page_of(make=sample_with_findings)
    assert len(visible_rows(page)) == 7
    page.click('.findings button[data-finding="1"]')
    assert visible_rows(page) == ["r1", "r2", "r3", "r4"]  # its rows, r2 without a flag of its own among them
    assert page.locator("#f-doc").input_value() == "1"
    assert page.locator("#f-count").inner_text() == "4 of 7 rows"
    assert page.evaluate("document.querySelector('#finding-1').classList.contains('on')")
    assert page.evaluate("location.hash") == "#r1" and current_row(page) == "r1"
    # j/k walk the finding's rows, flagged or not
    page.keyboard.press("j")
    assert current_row(page) == "r2"
    page.keyboard.press("j")
    assert current_row(page) == "r3"
    page.click('.findings button[data-finding="2"]')
    assert visible_rows(page) == ["r3"]
    page.keyboard.press("Escape")  # clears the finding too
    assert len(visible_rows(page)) == 7 and page.locator("#f-doc").input_value() == ""
    assert not page.evaluate("document.querySelector('#finding-2').classList.contains('on')")
    # the flag filter does not offer the document kinds: they are on no row
    options = page.eval_on_selector_all("#f-kind option", "os => os.map(o => o.value)")
    assert "off-glossary" not in options and "divergent" not in options
    assert problems == []


def test_j_stops_only_at_rows_with_flags_of_their_own(page_of):
    """r2 is one of a document finding's rows but has no flag of its own: j passes it."""
    page, problems, _ = page_of(make=sample_with_findings)
    page.locator("body").click(position={"x": 5, "y": 5})
    seen = []
    for _ in range(6):
        page.keyboard.press("j")
        seen.append(current_row(page))
    assert seen == ["r1", "r3", "r4", "r5", "r7", "r7"]
    for _ in range(4):
        page.keyboard.press("k")
    assert current_row(page) == "r1"
    assert problems == []
