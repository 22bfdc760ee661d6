"""Screenshots of the demo report for the README, taken with headless Chromium.

    .venv/bin/align demo                      # writes out/report.html
    .venv/bin/python docs/make_screenshots.py [--report out/report.html]

writes docs/report.png (the top: summary and term table),
docs/report-flagged.png (a flagged row with highlighted terms; with clause
beads, its first source clause hovered, its links lit),
docs/report-400px.png (a phone's 400 px: the columns stacked, source then
each translation) and docs/report-print.png (the print stylesheet as on an
A4 landscape page, two pages' height from the term table on: no toolbar,
the term table whole, badges in colour).
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
DOCS = Path(__file__).resolve().parent

# A row worth showing: flagged, with glossary terms in it; number or
# untranslated flags first, then any other flagged row with terms.
PICK = """() => {
  const rows = [...document.querySelectorAll('#rows > .row')];
  const score = r => (r.dataset.k.includes('|number|') ? 4 : 0) + (r.dataset.k.includes('|untranslated|') ? 4 : 0)
    + (r.dataset.k.includes('|omission|') ? 2 : 0) + Math.min(r.querySelectorAll('mark.term').length, 6)
    - (r.textContent.length > 4000 ? 8 : 0);
  let best = null, bestScore = -1;
  for (const r of rows) { if (!r.dataset.k) continue; const s = score(r); if (s > bestScore) { best = r; bestScore = s; } }
  return best ? best.id : null;
}"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--report", type=Path, default=Path("out/report.html"))
    ap.add_argument("--out", type=Path, default=DOCS)
    ap.add_argument("--row", help="row id to show in report-flagged.png (default: picked automatically)")
    a = ap.parse_args(argv)
    if not a.report.is_file():
        print(f"{a.report}: no such report (run `align demo` first)", file=sys.stderr)
        return 3
    exe = shutil.which("chromium") or "/usr/bin/chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 960}, device_scale_factor=1)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(a.report.resolve().as_uri())
        page.wait_for_load_state("load")
        top = a.out / "report.png"
        page.screenshot(path=str(top))
        row = a.row or page.evaluate(PICK)
        if row is None:
            print("no flagged row in the report", file=sys.stderr)
            return 1
        page.select_option("#f-kind", "*")  # show the "any flag" filter in use
        settle = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        page.evaluate(settle)  # the filter re-lays out the rows: scroll after that
        page.evaluate(f"document.getElementById({row!r}).scrollIntoView({{block: 'start'}})")
        page.evaluate(f"document.getElementById({row!r}).classList.add('cur')")
        clause = f"#{row} .s .cl"
        if page.locator(clause).count():  # with clause beads: show one clause's links lit
            page.hover(f"{clause} >> nth=0")
        page.evaluate(settle)
        flagged = a.out / "report-flagged.png"
        page.screenshot(path=str(flagged))

        narrow = a.out / "report-400px.png"
        phone = browser.new_page(viewport={"width": 400, "height": 860}, device_scale_factor=1)
        phone.on("pageerror", lambda e: errors.append(str(e)))
        phone.goto(a.report.resolve().as_uri() + f"#{row}")
        phone.wait_for_load_state("load")
        phone.evaluate(settle)
        phone.screenshot(path=str(narrow))

        # A4 landscape less 10 mm margins at 96 dpi: 1047 x 718 px a page; two pages' height
        printed = a.out / "report-print.png"
        paper = browser.new_page(viewport={"width": 1047, "height": 1436}, device_scale_factor=1)
        paper.on("pageerror", lambda e: errors.append(str(e)))
        paper.goto(a.report.resolve().as_uri())
        paper.wait_for_load_state("load")
        paper.emulate_media(media="print")
        paper.evaluate(settle)
        # from the term table (printed whole) into the rows (no toolbar above their column header)
        y = paper.evaluate("document.querySelector('table.terms').closest('section').getBoundingClientRect().top + scrollY - 8")
        paper.screenshot(path=str(printed), full_page=True, clip={"x": 0, "y": y, "width": 1047, "height": 1436})
        browser.close()
    if errors:
        print("console errors: " + "; ".join(errors), file=sys.stderr)
        return 1
    print(f"{top}\n{flagged} (row {row})\n{narrow} (row {row})\n{printed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
