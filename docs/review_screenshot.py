"""The screenshot of the review page for the README, taken with headless Chromium.

    .venv/bin/python docs/review_screenshot.py      # writes docs/review.png

Makes a review project of 98号 (both translations, lexical encoder) in a
temporary folder, does a few edits through the API (a row approved, two
rows merged, a flag dismissed with a comment, a row commented on), serves
it with ``align review`` on 127.0.0.1 (a free port) and photographs the
``blog`` translation around its flagged row.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DOCS / "review.png")
    opts = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "tests"))
    from playwright.sync_api import expect, sync_playwright

    from align.pipeline import Settings
    from align.review.service import create_project, open_review
    from align.review.store import Ref
    from review_fixtures import SOURCE, TRANSLATIONS, Server

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "guobanfa-2016-98.sqlite"
        create_project(db, SOURCE, TRANSLATIONS, settings=Settings(encoder="lexical")).close()
        r = open_review(db)
        try:
            rows = r.rows("blog")["rows"]
            flagged = next(x for x in rows if x["flags"])
            k = flagged["position"] - 1
            r.approve("blog", "Ann", Ref(rows[k - 1]["id"], rows[k - 1]["version"]))
            r.decide("blog", "Ann", Ref(flagged["id"], flagged["version"]), flagged["flags"][0]["key"],
                     "accept", "the source has the 18th Party Congress")
            after = r.rows("blog")["rows"]
            a, b = after[k + 1], after[k + 2]
            r.merge("blog", "Bob", Ref(a["id"], a["version"]), Ref(b["id"], b["version"]))
            row = r.rows("blog")["rows"][k - 2]
            r.comment("blog", "Bob", Ref(row["id"], row["version"]), "Check the title against the official English.")
        finally:
            r.store.close()
        with Server(db) as s, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                         headless=True, args=ARGS)
            context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)  # init script
            context.add_init_script("localStorage.setItem('align-review-editor', 'Ann')")
            page = context.new_page()
            page.goto(s.base + "/?poll=0&t=blog")
            page.wait_for_selector("#rows .row")
            page.keyboard.press("n")
            page.keyboard.press("?")
            page.locator("#rows > .row.cur").scroll_into_view_if_needed()
            page.evaluate("() => window.scrollBy(0, -260)")
            page.keyboard.press("c")
            page.keyboard.type("Should say 18th, as the source does")
            expect(page.locator("[data-form=comment] textarea")).to_have_value("Should say 18th, as the source does")
            page.screenshot(path=str(opts.out))
            browser.close()
    print(f"wrote {opts.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
