"""`align report` and `align demo` end to end, through the real command line.

The demo runs ONCE on the real corpus with the default encoder (module
fixture); the report command runs on small hand-written texts with the
lexical encoder.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "glossary.yaml"
DATA = ROOT / "data"

ZH = """关于加强个人诚信体系建设的指导意见

为弘扬诚信传统美德，加强个人诚信体系建设，现提出以下意见。

到2020年，个人诚信记录基本建立。

各地区要加强组织领导，完善信用记录。
"""
EN = """Guiding Opinion on Strengthening the Establishment of the Personal Creditworthiness System

This opinion is put forward to carry forward the traditional virtue of creditworthiness and strengthen the personal creditworthiness system.

By 2020, personal creditworthiness records will be basically established.

All regions shall strengthen organisational leadership and improve credit records.
"""
EN2 = """Guiding Opinions concerning the Construction of a Personal Sincerity System

In order to carry forward the traditional virtue of sincerity and strengthen the personal sincerity system, the following opinions are put forward.

By 2018, personal sincerity records will be basically established.

This sentence was added by the translator.

All regions must strengthen leadership and perfect credit records.
"""


def align_cmd(*args: str, cwd: Path | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("align")
    cmd = [str(script)] if script.exists() else [sys.executable, "-c", "from align.cli import main; main()"]
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(cmd + list(args), capture_output=True, text=True, cwd=cwd, timeout=timeout, env=env)


class Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows: list[dict] = []
        self.cells: list[str] = []
        self.marks: list[dict] = []
        self.target_segments: dict[str, list[int]] = {}  # translation -> data-t of its cells, in page order
        self.source_segments: list[int] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "div" and "row" in cls:
            self.rows.append(a)
        if tag == "div" and a.get("data-tid"):
            self.cells.append(a["data-tid"])
        if tag == "span" and "seg" in cls and "data-t" in a:
            self.target_segments.setdefault(self.cells[-1], []).append(int(a["data-t"]))
        if tag == "span" and "seg" in cls and "data-s" in a:
            self.source_segments.append(int(a["data-s"]))
        if tag == "mark":
            self.marks.append(a)


def parse(path: Path) -> Rows:
    p = Rows()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture
def texts(tmp_path):
    (tmp_path / "doc.zh.txt").write_text(ZH, encoding="utf-8")
    (tmp_path / "doc.clt.txt").write_text(EN, encoding="utf-8")
    (tmp_path / "doc.blog.txt").write_text(EN2, encoding="utf-8")
    return tmp_path


def test_report_command_writes_one_page(texts):
    out = texts / "r" / "report.html"
    r = align_cmd("report", str(texts / "doc.zh.txt"), str(texts / "doc.clt.txt"), str(texts / "doc.blog.txt"),
                  "--glossary", str(GLOSSARY), "--encoder", "lexical", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert f"report: {out}" in r.stdout
    assert re.search(r"^  clt\s+\d+ segments\s+source covered", r.stdout, re.M)
    assert re.search(r"^  blog\s+\d+ segments", r.stdout, re.M)
    page = parse(out)
    assert page.rows and set(page.cells) == {"clt", "blog"}
    assert len(page.cells) == 2 * len(page.rows)
    # every clause is shown once, in order, whatever the aligner made of the added sentence
    html = out.read_text(encoding="utf-8")
    assert page.source_segments == list(range(1, 5))
    assert page.target_segments == {"clt": list(range(1, 5)), "blog": list(range(1, 6))}
    # and the glossary terms are marked
    assert any(m.get("data-term") == "诚信" for m in page.marks)
    assert "sincerity" in html and 'class="chip' in html
    # 2020 vs 2018 is flagged as a number disagreement
    assert any("|number|" in r.get("data-k", "") for r in page.rows)
    assert not list(out.parent.glob(".*.tmp"))


def test_report_command_four_translations_and_json(texts):
    out = texts / "four.html"
    (texts / "more").mkdir()  # the same two translations again, as other files with the same names
    for name in ("doc.clt.txt", "doc.blog.txt"):
        (texts / "more" / name).write_text((texts / name).read_text(encoding="utf-8"), encoding="utf-8")
    t = [str(texts / "doc.clt.txt"), str(texts / "doc.blog.txt"),
         str(texts / "more" / "doc.clt.txt"), str(texts / "more" / "doc.blog.txt")]
    r = align_cmd("report", str(texts / "doc.zh.txt"), *t, "--encoder", "lexical", "-o", str(out), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert [x["translation"] for x in data["translations"]] == ["clt", "blog", "clt-2", "blog-2"]
    assert data["report"] == str(out)
    page = parse(out)
    assert page.cells[:4] == ["clt", "blog", "clt-2", "blog-2"]
    assert len(page.cells) == 4 * len(page.rows)
    # the copies align exactly like the originals
    assert page.target_segments["clt"] == page.target_segments["clt-2"]
    assert page.target_segments["blog"] == page.target_segments["blog-2"]


@pytest.mark.parametrize("args, code, message", [
    (["missing.txt", "doc.clt.txt"], 3, "missing.txt: no such file"),
    (["doc.zh.txt", "doc.clt.txt", "--glossary", "nope.yaml"], 3, "nope.yaml: no such glossary file"),
    (["doc.zh.txt", "doc.clt.txt", "--level", "word"], 2, "unknown level 'word'"),
])
def test_report_command_errors_are_one_line(texts, args, code, message):
    out = texts / "bad.html"
    r = align_cmd("report", *args, "--encoder", "lexical", "-o", str(out), cwd=texts)
    assert r.returncode == code, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], r.stderr
    assert not out.exists()


def test_bad_output_paths_are_one_line_errors(texts):
    (texts / "afile").write_text("x", encoding="utf-8")
    r = align_cmd("demo", "--out", str(texts / "afile"), "--encoder", "lexical")
    assert r.returncode == 2 and "afile: output is not a directory but a file" in r.stderr  # a usage error
    r = align_cmd("report", str(texts / "doc.zh.txt"), str(texts / "doc.clt.txt"), "-o", str(texts), "--encoder", "lexical")
    assert r.returncode == 2 and "the output is a directory" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_demo_fails_cleanly_without_data(tmp_path):
    r = align_cmd("demo", "--data", str(tmp_path / "nodata"), "--out", str(tmp_path / "out"))
    assert r.returncode == 3
    assert "nodata: data directory not found" in r.stderr
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------ the real job

@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    if not (DATA / "zh" / "guobanfa-2016-98.txt").is_file():
        pytest.fail("the corpus is missing: data/zh/guobanfa-2016-98.txt")
    work = tmp_path_factory.mktemp("demo")
    r = align_cmd("demo", "-o", str(work / "out"), "--json", cwd=ROOT)
    return work / "out", r


@pytest.mark.slow
def test_demo_on_the_real_corpus(demo_run):
    out, r = demo_run
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["report"] == str(out / "report.html")
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["report.html", "guobanfa-2016-98.tsv", "guobanfa-2016-98.clt.tmx",
                            "guobanfa-2016-98.blog.tmx", "guobanfa-2016-98.jsonl"])
    tids = [t["translation"] for t in result["translations_summary"]]
    assert tids == ["clt", "blog"]
    for t in result["translations_summary"]:
        assert t["source_coverage"] > 0.8, t  # both translate (nearly) the whole document
        assert 0 < t["mean_confidence"] <= 1
    assert result["glossary"] and result["glossary"].endswith("glossary.yaml")
    assert result["notes"] == []

    page = parse(out / "report.html")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert len(page.rows) == result["rows"] > 50
    assert set(page.cells) == {"clt", "blog"}
    # every source segment is shown exactly once, in order
    segs = [int(x) for x in re.findall(r'<span class="seg(?: h)?" data-s="(\d+)"', html)]
    assert segs == list(range(1, len(segs) + 1))
    # the term table shows the known divergence: the blog renders 诚信 as "sincerity", CLT as "creditworthiness"
    terms = html[html.index('<table class="terms">'):html.index("</table>", html.index('<table class="terms">'))]
    row = terms[terms.index(">诚信</mark>"):]
    row = row[:row.index("</tr>")]
    assert "creditworthiness" in row and "sincerity" in row
    # TSV: a signature line, a header, one line per row
    tsv = (out / "guobanfa-2016-98.tsv").read_text(encoding="utf-8").splitlines()
    assert tsv[0].startswith("# align") and len(tsv) == 2 + result["rows"]


@pytest.mark.slow
def test_demo_report_opens_in_chromium(demo_run, tmp_path):
    out, r = demo_run
    assert r.returncode == 0, r.stderr
    from test_report_browser import CHROMIUM_ARGS, _chromium, _unavailable

    exe = _chromium()
    if exe is None:
        _unavailable("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 900})
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("requestfailed", lambda q: problems.append(q.url))
        page.goto((out / "report.html").resolve().as_uri())
        page.keyboard.press("j")
        cur = page.evaluate("document.querySelector('.row.cur') && document.querySelector('.row.cur').dataset.k")
        assert cur, "j moves to a flagged row"
        page.screenshot(path=str(tmp_path / "demo.png"))
        b.close()
    assert problems == []
