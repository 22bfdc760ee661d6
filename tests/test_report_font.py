"""The CJK font subset the report embeds (align.report.font); that Chinese
renders with it in a browser with no CJK font is in
tests/test_report_anywhere_browser.py."""
from __future__ import annotations

import base64
import io
import re
import warnings

import pytest

from align.errors import Note
from align.report import build_report_html, font
from align.report.notes import notes_of, read_notes

from test_report import sample


def embedded_woff2(html: str) -> bytes:
    m = re.search(r"url\(data:font/woff2;base64,([A-Za-z0-9+/=]+)\)", html)
    assert m, "no embedded font"
    return base64.b64decode(m.group(1))


def test_the_subset_holds_exactly_the_pages_cjk_characters(tmp_path, monkeypatch):
    from fontTools.ttLib import TTFont

    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path))
    multi, flags, gl = sample()
    html = build_report_html(multi, flags, glossary_report=gl)
    data = embedded_woff2(html)
    assert data[:4] == b"wOF2"
    tt = TTFont(io.BytesIO(data))
    cmap = set(tt.getBestCmap())
    page_chars = set(font.cjk_chars([html[:html.index("@font-face")] + html[html.index("format(\"woff2\")"):]]))
    assert {ord(c) for c in page_chars} <= cmap
    assert {ord(c) for c in "诚信〔〕，。中文原文"} <= cmap  # text, full-width punctuation, the column header
    assert ord("龘") not in cmap and ord("A") not in cmap  # only what the page uses: no Latin, no other Han
    assert "Noto Sans CJK" in tt["name"].getDebugName(1)
    assert "SIL Open Font License" in (tt["name"].getDebugName(13) or "")  # the licence travels with the subset
    assert len(data) < 60_000


def test_cjk_chars_are_han_and_full_width_punctuation_only():
    assert font.cjk_chars(["A 诚信，诚！（1）〔2016〕98号 abc ½"]) == "".join(sorted(set("诚信，！（）〔〕号")))
    assert font.cjk_chars(["no Chinese here"]) == ""


def test_a_page_without_chinese_embeds_no_font(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path))
    assert font.font_face(["only English, digits 1998 and a dash –"]) is None


def test_the_subset_is_cached_by_its_characters(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path))
    first = font.font_face(["诚信体系"])
    cached = list((tmp_path / "fonts").glob("*.woff2"))
    assert len(cached) == 1 and first is not None

    def no_subsetting(*a, **k):
        raise AssertionError("subset again")

    monkeypatch.setattr(font, "subset_woff2", no_subsetting)
    again = font.font_face(["体系诚信"])  # the same characters: read from the cache
    assert again == first
    with pytest.raises(AssertionError, match="subset again"):
        font.font_face(["诚信体系建设"])  # new characters: a new subset
    # a damaged cache file is made again, not embedded
    cached[0].write_bytes(b"not a font")
    monkeypatch.undo()
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path))
    assert font.font_face(["诚信体系"]) == first


def test_an_unwritable_cache_still_embeds(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(blocker))  # a file where the folder should be
    face = font.font_face(["诚信"])
    assert face is not None and face.chars == 2


def test_without_the_font_package_one_note_and_the_report_renders(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(font, "FONT_SOURCES", (("no-such-font-package", "x.otf"),))
    monkeypatch.setattr(font.find_font, "__defaults__", (font.FONT_SOURCES,))
    multi, flags, gl = sample()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        html = build_report_html(multi, flags, glossary_report=gl)
    notes = [str(w.message) for w in caught if issubclass(w.category, Note)]
    assert notes == ["no CJK font package installed (no-such-font-package): the report's Chinese shows only "
                     "where the reader has a CJK font"]
    assert "@font-face" not in html and "url(" not in html
    assert html.count('class="grid row') == len(multi.groups)


def test_the_font_comes_from_the_installed_package_without_importing_it():
    import sys

    found = font.find_font()
    assert found is not None and found.package == "mplfonts" and found.path.name == "NotoSansCJKsc-Regular.otf"
    assert "mplfonts" not in sys.modules and "matplotlib" not in sys.modules


# ------------------------------------------------------------------ translator notes

def test_notes_are_read_from_beside_the_inputs(tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "notes").mkdir()
    tr = tmp_path / "en" / "doc.clt.txt"
    tr.write_text("Text.\n", encoding="utf-8")
    (tmp_path / "notes" / "doc.clt.notes.yaml").write_text(
        "file: en/doc.clt.txt\nnotes:\n- author: T <b>\n  post_author: true\n  date: '2017-01-02'\n"
        "  text: |-\n    Line one <script>\n    line two\n", encoding="utf-8")
    multi, flags, gl = sample()
    multi.signature = {"inputs": {"translations": {"clt": {"path": str(tr)}, "blog": {"path": str(tmp_path / "x.txt")}}}}
    notes = notes_of(multi)
    assert list(notes) == ["clt"] and notes["clt"][0].text == "Line one <script>\nline two"
    assert notes["clt"][0].by_translator and notes["clt"][0].author == "T <b>"
    html = build_report_html(multi, flags, glossary_report=gl, notes=notes, embed_font=False)
    start = html.index('<div class="tnotes"')
    section = html[start:html.index("<h2>Reading the rows", start)]
    assert "Line one &lt;script&gt;\nline two" in section and "T &lt;b&gt; (the translator), 2017-01-02" in section
    assert 'id="notes-1" data-tid="clt"' in section  # clt is the first translation
    head = html[html.index('<div class="wrap" id="headwrap">'):]
    assert '<a class="nmark" href="#notes-1"' in head[:head.index("</nav>")]
    # a notes file about another file is not shown; a broken one is one note
    assert read_notes(tmp_path / "notes" / "doc.clt.notes.yaml", tmp_path / "en" / "other.txt") == []
    (tmp_path / "notes" / "doc.clt.notes.yaml").write_text("notes: [unclosed", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert notes_of(multi) == {}
    msgs = [str(w.message) for w in caught if issubclass(w.category, Note)]
    assert len(msgs) == 1 and msgs[0].startswith(str(tmp_path / "notes" / "doc.clt.notes.yaml") + ": translator notes not shown")


def test_the_subset_is_the_same_bytes_every_time():
    """The report is deterministic: no timestamp in the subset."""
    source = font.find_font()
    assert font.subset_woff2(source, "诚信体系") == font.subset_woff2(source, "诚信体系")
