"""The report anywhere (issue 15): the embedded CJK font's cost, the size of
98号's report, and how it prints.

    .venv/bin/python bench/bench_report_anywhere.py [--report out/report.html]

Prints the time to subset the font for 98号's characters (uncached, then from
the cache), the subset's size, the report's size and, with headless Chromium,
the number of A4 pages it prints to (portrait and landscape) and whether
anything runs off the side at 400 px.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from align.report import font

REPO = Path(__file__).resolve().parents[1]
PAGE = re.compile(rb"/Type\s*/Page(?![s\w])")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--report", type=Path, default=REPO / "out" / "report.html")
    a = ap.parse_args(argv)
    if not a.report.is_file():
        print(f"{a.report}: no such report (run `align demo` first)", file=sys.stderr)
        return 3
    html = a.report.read_text(encoding="utf-8")
    chars = font.cjk_chars([html])
    source = font.find_font()
    if source is None:
        print("no CJK font package installed", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as cache:
        t0 = time.perf_counter()
        data = font.cached_subset(source, chars, Path(cache))
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        font.cached_subset(source, chars, Path(cache))
        warm = time.perf_counter() - t0
    print(f"font: {source.package} {source.version} {source.path.name} ({source.path.stat().st_size / 1e6:.1f} MB)")
    print(f"subset: {len(chars)} characters -> {len(data) / 1e3:.0f} kB WOFF2 ({len(data) * 4 / 3 / 1e3:.0f} kB base64); "
          f"{cold:.2f} s uncached, {warm * 1000:.1f} ms from the cache")
    print(f"report: {a.report} {a.report.stat().st_size / 1e6:.2f} MB")

    exe = shutil.which("chromium") or "/usr/bin/chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=["--no-sandbox", "--disable-gpu"])
        page = b.new_page(viewport={"width": 1047, "height": 740})
        page.goto(a.report.resolve().as_uri())
        page.wait_for_load_state("load")
        for label, kw in (("A4 portrait", {"format": "A4"}), ("A4 landscape", {"format": "A4", "landscape": True})):
            pdf = page.pdf(print_background=True, **kw)
            print(f"print, {label}: {len(PAGE.findall(pdf))} pages")
        page.set_viewport_size({"width": 400, "height": 800})
        off = page.evaluate("""() => { const w = document.documentElement.clientWidth; let n = 0;
            for (const e of document.querySelectorAll('body *')) { const r = e.getBoundingClientRect(); if (r.width && r.right > w + 0.5) n++; }
            return [n, document.documentElement.scrollWidth]; }""")
        print(f"400 px: {off[0]} elements past the right edge, page {off[1]} px wide")
        b.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
