"""How the HTML report scales: a synthetic 5,000-row, 4-translation report.

    .venv/bin/python bench/report_large.py [--rows 5000] [--translations 4]

Prints the time to render the page, its size, and (with headless Chromium)
the time to load it, to apply a flag filter, a text search and the
low-confidence filter, and to step to the next flagged row.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from align.model import Alignment, Flag, Group, MultiAlignment, Segment, TermHit
from align.report import write_report

ZH = "第{i}条 加强个人诚信体系建设，提高全社会信用水平，到2020年基本建立个人诚信记录。"
EN = "Article {i}: strengthen the personal creditworthiness system and raise the level of credit in society by 2020."


def build(rows: int, n_tr: int):
    src = [Segment(i, ZH.format(i=i), 0, 0) for i in range(rows)]
    tids = [f"t{k + 1}" for k in range(n_tr)]
    tgt = {t: [Segment(i, EN.format(i=i), 0, 0, lang="en") for i in range(rows)] for t in tids}
    groups = [Group((i,), {t: (i,) for t in tids}, {t: ((i * 37 + k * 11) % 100) / 100 for k, t in enumerate(tids)})
              for i in range(rows)]
    multi = MultiAlignment(src, {t: Alignment(src, tgt[t], [], t) for t in tids}, groups,
                           signature={"encoder": "synthetic", "level": "sentence"})
    flags = [Flag(("number", "omission", "length")[i % 3], f"flag on row {i}", tids[i % n_tr], (i,), (i,))
             for i in range(0, rows, 7)]

    class Gloss:
        occurrences = [TermHit("诚信", t, i, src[i].text.index("诚信"), src[i].text.index("诚信") + 2, src[i].text,
                               (i,), tgt[t][i].text, "creditworthiness") for i in range(rows) for t in tids]
        flags: list = []
        table = {"诚信": {t: {"creditworthiness": rows} for t in tids}}

    return multi, flags, Gloss()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--translations", type=int, default=4)
    a = ap.parse_args()
    multi, flags, gloss = build(a.rows, a.translations)
    tmp = Path(tempfile.mkdtemp())
    t0 = time.perf_counter()
    path = write_report(multi, flags, tmp / "large.html", glossary_report=gloss)
    render = time.perf_counter() - t0
    print(f"rows={a.rows} translations={a.translations} flags={len(flags)}")
    print(f"render+write: {render:.2f} s   size: {path.stat().st_size / 1e6:.1f} MB")
    exe = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(exe).exists():
        print("chromium not found: browser timings skipped")
        return
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"]
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=args)
        page = b.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        t0 = time.perf_counter()
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("load")
        print(f"chromium load: {time.perf_counter() - t0:.2f} s")

        def timed(label: str, js: str) -> None:
            ms = page.evaluate(f"() => {{ const t = performance.now(); {js}; document.body.offsetHeight; return performance.now() - t; }}")
            shown = page.evaluate("document.getElementById('f-count').textContent")
            print(f"{label:<28} {ms:7.1f} ms   ({shown})")

        timed("flag filter (number)", "const k = document.getElementById('f-kind'); k.value = 'number'; k.dispatchEvent(new Event('change'))")
        timed("flag filter off", "const k = document.getElementById('f-kind'); k.value = ''; k.dispatchEvent(new Event('change'))")
        timed("low confidence < 0.35", "const c = document.getElementById('f-low'); c.checked = true; c.dispatchEvent(new Event('change'))")
        page.evaluate("() => { const c = document.getElementById('f-low'); c.checked = false; c.dispatchEvent(new Event('change')); }")
        page.fill("#f-q", "article 4999")
        t0 = time.perf_counter()
        page.wait_for_function("document.getElementById('f-count').textContent.startsWith('1 of')")
        print(f"{'text search (incl. 150 ms debounce)':<28} {1000 * (time.perf_counter() - t0):7.1f} ms")
        page.fill("#f-q", "")
        page.wait_for_function(f"document.getElementById('f-count').textContent.startsWith('{a.rows} of')")
        page.locator("body").click(position={"x": 5, "y": 5})
        t0 = time.perf_counter()
        for _ in range(20):
            page.keyboard.press("j")
        at = page.evaluate("document.querySelector('.row.cur').id")
        print(f"{'20 x next flagged row (j)':<28} {1000 * (time.perf_counter() - t0):7.1f} ms   (at {at})")
        b.close()
        if errors:
            print("page errors:", errors)


if __name__ == "__main__":
    main()
