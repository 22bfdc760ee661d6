"""The report anywhere, in a real headless Chromium: linked clauses by hover,
keyboard and tap; the embedded CJK font with the system's CJK fonts hidden;
the 400 px layout; the print stylesheet; anchors below the sticky toolbar.

Skipped like tests/test_report_browser.py where Chromium or Playwright is
missing (failing instead with ALIGN_REQUIRE_BROWSER=1).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from align.report import write_report

from test_report import sample
from test_report_browser import CHROMIUM_ARGS, _chromium, _unavailable
from test_report_clauses import clause_segments, with_clauses

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pw():
    if _chromium() is None:
        _unavailable("Chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(pw):
    b = pw.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS)
    yield b
    b.close()


def open_page(browser, path: Path, **context):
    ctx = browser.new_context(**({"viewport": {"width": 1400, "height": 900}} | context))
    page = ctx.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    return page, problems


@pytest.fixture
def clause_report(tmp_path):
    """The sample with clause beads; blog leaves out 信用是市场经济的基石。 (row 3)."""
    multi, flags, gl = sample()
    return write_report(with_clauses(multi, omit={"blog": {2}}), flags, tmp_path / "clauses.html", glossary_report=gl)


@pytest.fixture(scope="module")
def real_report(tmp_path_factory):
    """98号 (lexical encoder) with trivial clause beads, two clauses left out by blog."""
    from align import pipeline

    analysis = pipeline.analyse(REPO / "data/zh/guobanfa-2016-98.txt",
                                [REPO / "data/en/guobanfa-2016-98.clt.txt", REPO / "data/en/guobanfa-2016-98.blog.txt"],
                                settings=pipeline.Settings(encoder="lexical"), glossary=REPO / "glossary.yaml")
    blog = analysis.multi.alignments["blog"]
    _, owner = clause_segments(blog.source)
    several = [k for k, b in enumerate(blog.beads) if sum(owner.count(s) for s in b.src) > 1 and b.tgt]
    multi = with_clauses(analysis.multi, omit={"blog": set(several[3:5])})
    out = tmp_path_factory.mktemp("real")
    clauses = write_report(multi, analysis.flags, out / "clauses.html", glossary_report=analysis.glossary_report)
    sentences = write_report(analysis.multi, analysis.flags, out / "sentences.html", glossary_report=analysis.glossary_report)
    return clauses, sentences


LIT = "() => [...document.querySelectorAll('.cl.lk')].map(e => [e.closest('.s') ? 'source' : e.closest('.c').dataset.tid, e.textContent])"


# ------------------------------------------------------------------ clause links

def test_hovering_a_clause_lights_its_linked_clauses_in_every_column(browser, clause_report):
    page, problems = open_page(browser, clause_report)
    page.hover('#r3 .s .cl >> nth=0')  # 诚信是社会和谐的基础，
    assert sorted(map(tuple, page.evaluate(LIT))) == sorted([
        ("source", "诚信是社会和谐的基础，"),
        ("clt", "Creditworthiness is the foundation of social harmony,"),
        ("blog", "Sincerity is the foundation of social harmony;"),
        ("blog", "trust is the cornerstone of the market economy."),  # blog's bead holds both its clauses
    ])
    assert page.evaluate("document.querySelector('#r3 .s .cl').classList.contains('here')")
    # a clause of one translation lights the source and the other translation's rendering
    page.hover('#r3 .c[data-tid="clt"] .cl >> nth=1')  # and credit is the cornerstone ...
    lit = sorted(map(tuple, page.evaluate(LIT)))
    assert ("source", "信用是市场经济的基石。") in lit and ("blog", "[left out]") in lit  # blog left it out
    assert all(col != "blog" or text == "[left out]" for col, text in lit)
    # the omitted clause is marked in the source, with the translation that leaves it out
    om = page.locator('#r3 .s .cl.om')
    assert om.count() == 1 and om.get_attribute("data-om") == "blog"
    assert "not in blog" in page.evaluate("getComputedStyle(document.querySelector('#r3 .s .cl.om'), '::after').content")
    page.mouse.move(1390, 5)  # off every clause
    assert page.evaluate(LIT) == []
    assert problems == []


def test_keyboard_focus_lights_the_links(browser, clause_report):
    page, problems = open_page(browser, clause_report)
    page.locator("#f-q").focus()
    for _ in range(60):  # Tab on from the search box: the first clause is reachable
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('cl')"):
            break
    assert page.evaluate("document.activeElement.closest('.row').id") == "r1"
    focused = page.evaluate("document.activeElement.textContent")
    lit = page.evaluate(LIT)
    assert ["source", focused] in lit and {c for c, _ in lit} == {"source", "clt", "blog"}
    assert page.evaluate("[...document.querySelectorAll('.cl.lk')].every(e => e.getAttribute('aria-current') === 'true')")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # row 1's clauses in clt, blog
    page.keyboard.press("Tab")  # row 2's number link: no clause focused, nothing lit
    assert page.evaluate("document.activeElement.matches('#r2 .n a')") and page.evaluate(LIT) == []
    page.keyboard.press("Tab")  # row 2's source clause: the links follow the focus
    assert page.evaluate("document.activeElement.matches('#r2 .s .cl')")
    lit = page.evaluate(LIT)
    assert ["source", focused] not in lit and ["source", "国办发〔2016〕98号"] in lit
    page.evaluate("document.activeElement.blur()")
    assert page.evaluate(LIT) == []
    assert problems == []


def test_a_tap_lights_the_links_on_a_touch_screen(browser, clause_report):
    page, problems = open_page(browser, clause_report, has_touch=True, is_mobile=True,
                               viewport={"width": 400, "height": 800})
    page.tap('#r3 .c[data-tid="blog"] .cl >> nth=0')
    lit = page.evaluate(LIT)
    assert ["source", "诚信是社会和谐的基础，"] in lit and ["clt", "Creditworthiness is the foundation of social harmony,"] in lit
    page.tap("#r1 .n")  # a tap elsewhere puts them out
    assert page.evaluate(LIT) == []
    assert problems == []


# -------------------------------------------------------------------- the font

def _fontconfig_without_cjk(tmp_path: Path) -> Path:
    """A fontconfig file that lists only DejaVu (no CJK font), with its own cache."""
    dirs = [d for d in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu") if Path(d).is_dir()]
    cfg = tmp_path / "fonts.conf"
    cfg.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                   + "".join(f"<dir>{d}</dir>\n" for d in dirs)
                   + f"<cachedir>{tmp_path / 'fc-cache'}</cachedir>\n</fontconfig>\n", encoding="utf-8")
    return cfg


def _fonts_of(page, selector: str) -> list[dict]:
    """The platform fonts Chromium used for the text of ``selector`` (DevTools' CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


def test_chinese_shows_in_the_embedded_font_with_the_system_cjk_fonts_hidden(pw, tmp_path):
    multi, flags, gl = sample()
    embedded = write_report(multi, flags, tmp_path / "embedded.html", glossary_report=gl)
    from align.report import build_report_html

    bare = tmp_path / "bare.html"
    bare.write_text(build_report_html(multi, flags, glossary_report=gl, embed_font=False), encoding="utf-8")
    env = dict(os.environ, FONTCONFIG_FILE=str(_fontconfig_without_cjk(tmp_path)))
    b = pw.chromium.launch(executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS, env=env)
    try:
        page, problems = open_page(b, bare)
        fonts = _fonts_of(page, "#r1 .s .seg")  # 关于加强个人诚信体系建设的指导意见 (all Chinese)
        assert not any(f["isCustomFont"] for f in fonts)
        assert not any(re.search(r"CJK|Hei|Han|Ming|Song|PingFang|YaHei", f["familyName"]) for f in fonts), fonts
        page.close()

        page, problems = open_page(b, embedded)
        page.evaluate("document.fonts.ready")
        # read before DevTools' CSS domain is enabled: it fetches the page's own
        # file: URL for the stylesheet's source, which Chromium logs as an
        # unsafe load on the page's console
        assert problems == []
        assert page.evaluate("document.fonts.check('16px \"Align CJK\"', '诚信')")
        fonts = _fonts_of(page, "#r1 .s .seg")
        assert [f["isCustomFont"] for f in fonts] == [True], fonts
        assert "Noto Sans CJK" in fonts[0]["familyName"]
        assert fonts[0]["glyphCount"] == len("关于加强个人诚信体系建设的指导意见")
        # Chinese left in an English cell uses it too
        fonts = _fonts_of(page, '#r4 .c[data-tid="blog"] mark.untr')
        assert [f["isCustomFont"] for f in fonts] == [True], fonts
    finally:
        b.close()


# ------------------------------------------------------------------ 400 px

OFF_SIDE = """() => {
  const w = document.documentElement.clientWidth, out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width && r.right > w + 0.5) out.push(e.tagName + '.' + e.className + ' ' + Math.round(r.right));
  }
  return out.slice(0, 10);
}"""


@pytest.mark.parametrize("which", ["sample", "98"])
def test_at_400_px_the_columns_stack_and_nothing_runs_off_the_side(browser, clause_report, real_report, which):
    path = clause_report if which == "sample" else real_report[0]
    page, problems = open_page(browser, path, viewport={"width": 400, "height": 800})
    assert page.evaluate(OFF_SIDE) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    row = "#r3"
    boxes = page.eval_on_selector_all(f"{row} > .s, {row} > .c", "cs => cs.map(c => { const r = c.getBoundingClientRect(); return [c.dataset.label, r.left, r.top, r.width]; })")
    assert [b[0] for b in boxes] == ["source", "clt", "blog"]
    assert [b[2] for b in boxes] == sorted(b[2] for b in boxes) and boxes[0][2] < boxes[1][2] < boxes[2][2]  # stacked
    assert all(b[3] > 360 for b in boxes)  # each as wide as the screen
    label = page.evaluate("getComputedStyle(document.querySelector('#r3 > .c'), '::before').content")
    assert label == '"clt"'
    assert problems == []


# ------------------------------------------------------------------ print

def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_the_print_stylesheet(browser, clause_report):
    page, problems = open_page(browser, clause_report, viewport={"width": 1047, "height": 740})  # A4 landscape less margins, at 96 dpi
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('.controls')).display") == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('.toolbar')).position") == "static"
    # badges keep their colour
    badge = page.evaluate("(() => { const s = getComputedStyle(document.querySelector('.badge.k-omission')); return [s.printColorAdjust || s.webkitPrintColorAdjust, s.backgroundColor]; })()")
    assert badge == ["exact", "rgb(207, 34, 46)"]
    # a repeat marker prints as words
    assert page.evaluate("getComputedStyle(document.querySelector('.flag.rep .back'), '::after').content") == '"see row " attr(data-row)' \
        or "see row" in page.evaluate("getComputedStyle(document.querySelector('.flag.rep .back'), '::after').content")
    assert page.evaluate("getComputedStyle(document.querySelector('.flag.rep .back')).fontSize") == "0px"
    # the columns and the term table fit the page: nothing wider than it, nothing clipped
    assert page.evaluate(OFF_SIDE) == []
    assert page.evaluate("(() => { const t = document.querySelector('table.terms'); return t.scrollWidth <= t.clientWidth + 1 && t.getBoundingClientRect().right <= document.documentElement.clientWidth; })()")
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    assert 1 <= _pdf_pages(pdf) <= 3
    assert problems == []


def test_98_prints_to_fewer_a4_landscape_pages_without_the_toolbar(browser, real_report):
    clauses, _ = real_report
    page, problems = open_page(browser, clauses, viewport={"width": 1047, "height": 740})
    page.emulate_media(media="print")
    assert page.evaluate(OFF_SIDE) == []
    assert page.evaluate("getComputedStyle(document.querySelector('.controls')).display") == "none"
    terms = page.locator("table.terms")
    box = terms.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1047
    pages = _pdf_pages(page.pdf(format="A4", landscape=True, print_background=True))
    print(f"98号 with clauses: {pages} A4 landscape pages")
    assert pages <= 40
    assert problems == []


# ------------------------------------------------------------------ anchors

@pytest.mark.parametrize("width", [1400, 1000])
def test_a_jump_to_a_row_is_not_hidden_under_the_toolbar(browser, real_report, width):
    clauses, _ = real_report
    ctx = browser.new_context(viewport={"width": width, "height": 700})
    page = ctx.new_page()
    page.goto(clauses.resolve().as_uri() + "#r7")
    page.wait_for_load_state("load")
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    top = page.evaluate("document.getElementById('r7').getBoundingClientRect().top")
    bar = page.evaluate("document.querySelector('.toolbar').getBoundingClientRect().bottom")
    assert bar > 0 and bar <= top < bar + 40
    # and a row link clicked in the page (the term table's) lands the same way
    page.evaluate("window.scrollTo(0, 0)")
    page.click('table.terms a.chip >> nth=0')
    target = page.evaluate("location.hash.slice(1)")
    top = page.evaluate(f"document.getElementById({target!r}).getBoundingClientRect().top")
    bar = page.evaluate("document.querySelector('.toolbar').getBoundingClientRect().bottom")
    assert bar <= top < bar + 40


def _row_and_bar(page, row: str) -> tuple[float, float]:
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return (page.evaluate(f"document.getElementById({row!r}).getBoundingClientRect().top"),
            page.evaluate("document.querySelector('.toolbar').getBoundingClientRect().bottom"))


def test_a_jump_stays_below_the_toolbar_when_the_toolbar_grows_afterwards(browser, real_report):
    """A toolbar that wraps to more lines after the jump (a late font on a
    loaded machine) pushes the row back below it; once the reader scrolls,
    the page stays where they put it."""
    clauses, _ = real_report
    ctx = browser.new_context(viewport={"width": 1000, "height": 700})
    page = ctx.new_page()
    page.goto(clauses.resolve().as_uri() + "#r7")
    page.wait_for_load_state("load")
    top, bar = _row_and_bar(page, "r7")
    assert bar <= top < bar + 40
    grow = "document.querySelector('.toolbar').insertAdjacentHTML('beforeend', '<div style=\"height:%dpx\"></div>')"
    page.evaluate(grow % 60)
    top2, bar2 = _row_and_bar(page, "r7")
    assert bar2 >= bar + 59
    assert bar2 <= top2 < bar2 + 40, (top2, bar2)
    page.mouse.move(500, 500)
    page.mouse.wheel(0, 300)
    page.wait_for_function("window.scrollY > 0")
    top3, bar3 = _row_and_bar(page, "r7")
    assert top3 < bar3 - 200  # scrolled on past the row
    page.evaluate(grow % 30)
    top4, bar4 = _row_and_bar(page, "r7")
    assert top4 < bar4 - 200, "the page jumped back to the row after the reader scrolled on"
    ctx.close()
