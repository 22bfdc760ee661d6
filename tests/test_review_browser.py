"""The review page in a real headless Chromium (Playwright) against a real
``align review`` (uvicorn on 127.0.0.1, a free port): edit with the keys
and the mouse, reload, two editors on one row, hostile text, a restart.

Skipped when Chromium or Playwright is missing, unless ALIGN_REQUIRE_BROWSER=1."""
from __future__ import annotations

import signal

import pytest

from align.pipeline import Settings

from review_fixtures import Server, project, template_db  # noqa: F401 - fixtures
from test_report_browser import CHROMIUM_ARGS, _chromium, _unavailable

pytestmark = [pytest.mark.browser, pytest.mark.slow]

XSS_SCRIPT = "<script>window.__xss = 1</script>"
XSS_IMG = '"><img src=x onerror="window.__xss = 2">'


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


class Page:
    """A page of the review app in its own browser context (its own editor
    name), recording console errors and failed requests."""

    def __init__(self, browser, url: str, who: str | None = "Ann", *, bypass_csp: bool = False):
        # the page's CSP forbids eval, which Playwright's string waits use: wait with expect()
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=bypass_csp)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.open(url)
        if who:
            self.page.fill("#who-input", who)
            self.page.click("#who-form button[type=submit]")

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_selector("#rows .row")

    def status(self, *words: str, timeout: float = 30_000) -> str:
        """Wait until the status line says all of ``words``; return it."""
        from playwright.sync_api import expect

        for w in words:
            expect(self.page.locator("#status")).to_contain_text(w, timeout=timeout)
        return self.page.inner_text("#status")

    def translation(self, tid: str) -> None:
        from playwright.sync_api import expect

        self.page.select_option("#tid", tid)
        expect(self.page.locator("#colhead-t")).to_contain_text(tid)

    def row(self, n: int):
        """The n-th row (1-based)."""
        return self.page.locator("#rows > .row").nth(n - 1)

    def go(self, n: int) -> None:
        self.row(n).locator(".n").click()

    def texts(self, n: int, what: str) -> list[str]:
        return self.row(n).locator(what).all_inner_texts()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def server(project):
    with Server(project) as s:
        yield s


def test_edit_with_keys_and_mouse_and_everything_is_kept_on_reload(browser, server):
    p = Page(browser, server.base + "/?poll=0")
    page = p.page
    n_rows = page.locator("#rows > .row").count()
    assert page.inner_text("#who-name") == "Ann"
    # merge rows 4 and 5 with the keys
    for _ in range(3):
        page.keyboard.press("j")
    assert p.row(4).get_attribute("class").split().count("cur") == 1
    page.keyboard.press("m")
    p.status("merged rows 4 and 5")
    assert page.locator("#rows > .row").count() == n_rows - 1
    assert p.texts(4, ".st") == ["edited"]
    assert len(p.texts(4, ".s .seg")) == 2
    # split it again (the form proposes 1 and 1; Enter splits)
    page.keyboard.press("s")
    page.wait_for_selector("[data-form=split]")
    page.keyboard.press("Enter")
    p.status("split row 4")
    assert page.locator("#rows > .row").count() == n_rows
    assert p.texts(4, ".st") == ["edited"] and p.texts(5, ".st") == ["edited"]
    # approve row 1 with the mouse
    p.row(1).locator("button[data-act=approve]").click()
    p.status("approved row 1")
    assert p.texts(1, ".st") == ["approved"]
    # comment on row 2 with the keys
    p.go(2)
    page.keyboard.press("c")
    page.keyboard.type("check the title")
    page.keyboard.press("Enter")
    p.status("commented on row 2")
    # dismiss blog's number flag as a false positive, with a comment
    p.translation("blog")
    page.keyboard.press("n")
    flagged = page.locator("#rows > .row.cur")
    assert flagged.locator(".badge").first.inner_text() == "number"
    page.keyboard.press("2")
    page.wait_for_selector("[data-form=decide] input")
    page.keyboard.type("the source says 18th")
    page.keyboard.press("Enter")
    p.status("dismissed as a false positive")
    flag_row = int(page.locator("#rows > .row.cur .pos").inner_text())
    assert "false positive by Ann" in p.row(flag_row).locator(".dec").inner_text()
    assert p.problems == []
    # reload: everything is there
    p.open(server.base + "/?poll=0")
    assert p.texts(1, ".st") == ["approved"]
    assert p.texts(4, ".st") == ["edited"] and p.texts(5, ".st") == ["edited"]
    assert p.texts(2, ".cmt")[0].endswith("check the title")
    p.translation("blog")
    dec = p.row(flag_row).locator(".dec").inner_text()
    assert "false positive by Ann" in dec and "the source says 18th" in dec
    # undo with the key takes the last edit back
    page.keyboard.press("u")
    p.status("undo")
    assert p.row(flag_row).locator(".dec").count() == 0
    assert p.problems == []
    assert all(u.startswith(server.base) for u in p.requests)  # nothing from anywhere else
    p.close()


def test_two_editors_on_one_row_one_is_told_and_nothing_is_lost(browser, server):
    ann = Page(browser, server.base + "/?poll=0", who="Ann")
    bob = Page(browser, server.base + "/?poll=0", who="Bob")
    ann.go(3)
    ann.row(3).locator("button[data-act=comment]").click()
    ann.page.keyboard.type("from ann")
    ann.page.keyboard.press("Enter")
    ann.status("commented on row 3")
    # bob still has the old version of row 3
    bob.go(3)
    bob.row(3).locator("button[data-act=comment]").click()
    bob.page.keyboard.type("from bob")
    bob.page.keyboard.press("Enter")
    said = bob.status("Not saved")
    assert "Ann" in said and "changed" in said
    # bob's row now shows ann's comment, and his text is still in the box
    assert [t.endswith("from ann") for t in bob.texts(3, ".cmt")] == [True]
    assert bob.page.input_value("[data-form=comment] textarea") == "from bob"
    bob.page.keyboard.press("Enter")  # save again, on the fresh row
    bob.status("commented on row 3")
    assert [t.rsplit("\n", 1)[-1] for t in bob.texts(3, ".cmt")] == ["from ann", "from bob"]
    ann.open(server.base + "/?poll=0")
    assert [t.rsplit("\n", 1)[-1] for t in ann.texts(3, ".cmt")] == ["from ann", "from bob"]
    assert ann.problems == []
    # Chromium logs every non-2xx answer; bob's one 409 is the conflict he was told about
    assert bob.problems == ["console error: Failed to load resource: the server responded with a status of 409 "
                            "(Conflict)"]
    ann.close()
    bob.close()


@pytest.fixture
def hostile_project(tmp_path):
    from align.review.service import create_project

    zh = tmp_path / "x.zh.txt"
    en = tmp_path / "x.en.txt"
    zh.write_text("第一条 为了规范数据处理活动，制定本法。\n第二条 本法适用于境内的数据处理活动。\n"
                  "第三条 国家保护个人的合法权益。\n第四条 任何组织不得非法处理数据。\n", encoding="utf-8")
    en.write_text(f"Article 1 This Law is formulated to regulate data processing activities {XSS_SCRIPT}.\n"
                  f"Article 2 This Law applies to data processing activities within the territory {XSS_IMG}.\n"
                  "Article 3 The State protects the lawful rights and interests of individuals.\n"
                  "Article 4 No organization may process data illegally &amp; &lt;b&gt;.\n", encoding="utf-8")
    db = tmp_path / "hostile.sqlite"
    create_project(db, zh, [en], settings=Settings(encoder="lexical")).close()
    return db


def test_hostile_text_shows_as_text(browser, hostile_project):
    with Server(hostile_project) as s:
        # without the CSP's help: the page itself must never turn data into markup
        p = Page(browser, s.base + "/?poll=0", who='<img src=x onerror="window.__xss=3">', bypass_csp=True)
        page = p.page
        text = page.inner_text("#rows")
        assert XSS_SCRIPT in text and XSS_IMG in text and "&amp; &lt;b&gt;" in text
        assert page.locator("#rows img, #rows script").count() == 0
        # a hostile comment too
        p.go(1)
        page.keyboard.press("c")
        page.keyboard.type(XSS_IMG + XSS_SCRIPT)
        page.keyboard.press("Enter")
        p.status("commented on row 1")
        assert (XSS_IMG + XSS_SCRIPT) in p.texts(1, ".cmt")[0]
        assert '<img src=x onerror="window.__xss=3">' in p.texts(1, ".cmt")[0]  # the name, as text
        p.open(s.base + "/?poll=0")
        assert page.locator("#rows img, #rows script").count() == 0
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert p.problems == []
        p.close()


def test_a_restart_keeps_the_state(browser, project):
    with Server(project) as s:
        p = Page(browser, s.base + "/?poll=0")
        p.go(6)
        p.page.keyboard.press("a")
        p.status("approved row 6")
        p.close()
        code, _, err = s.stop(signal.SIGINT)
        assert code == 0, err
    with Server(project) as s2:
        p = Page(browser, s2.base + "/?poll=0", who=None)
        assert p.texts(6, ".st") == ["approved"]
        assert p.page.locator("#who-form").is_visible()  # a new origin (port): the name is asked again
        p.close()
