"""The HTML diff report, on hand-built alignments (and once on the real corpus via the CLI)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from align.errors import InputError
from align.model import Alignment, Bead, Flag, Group, MultiAlignment, Segment, TermHit
from align.report import build_report_html, summarize, write_report

# --------------------------------------------------------------- sample data

SOURCE = [
    "关于加强个人诚信体系建设的指导意见",
    "国办发〔2016〕98号",
    "诚信是社会和谐的基础，信用是市场经济的基石。",
    "到2020年，基本建立个人诚信记录。",
    "各地区要加强领导。<script>alert('x')</script>",
    "其他事项另行通知。",
]
CLT = [
    "Guiding Opinion on Strengthening the Establishment of the Personal Creditworthiness System",
    "Guobanfa (2016) No. 98",
    "Creditworthiness is the foundation of social harmony, and credit is the cornerstone of the market economy.",
    "By 2018, basic personal creditworthiness records will be established.",
    "All regions must strengthen leadership.",
]
BLOG = [
    "Guiding Opinions concerning Strengthening the Construction of a Personal Sincerity System",
    "GBF No. (2016)98",
    "Sincerity is the foundation of social harmony; trust is the cornerstone of the market economy.",
    "By 2020, personal 诚信 records will be basically established.",
    "Translator's note: this paragraph is an insertion.",
    "All regions must strengthen leadership <b>now</b>.",
    "Other matters will be announced separately.",
]


def segments(texts: list[str], lang: str) -> list[Segment]:
    """Segments with offsets into the texts joined by newlines (document offsets)."""
    out, pos = [], 0
    for i, t in enumerate(texts):
        out.append(Segment(index=i, text=t, start=pos, end=pos + len(t), lang=lang, is_heading=i == 0))
        pos += len(t) + 1
    return out


@dataclass
class FakeGlossaryReport:
    occurrences: list[TermHit]
    flags: list[Flag] = field(default_factory=list)
    table: dict = field(default_factory=dict)


def hit(src: list[Segment], s: int, term: str, tid: str, tgt_segs: list[Segment], t: tuple[int, ...],
        rendering: str | None, *, doc_offsets: bool = False, target_offsets: bool = False) -> TermHit:
    seg = src[s]
    i = seg.text.index(term)
    start = i + (seg.start if doc_offsets else 0)
    target_text = " ".join(tgt_segs[k].text for k in t)
    ts = te = None
    matched = None
    if rendering:
        m = re.search(re.escape(rendering), target_text, re.IGNORECASE)
        if m:
            matched = m.group(0)
            if target_offsets:
                ts, te = m.start(), m.end()
    return TermHit(term=term, translation=tid, source_segment=s, source_start=start, source_end=start + len(term),
                   source_text=seg.text, target_segments=t, target_text=target_text, rendering=rendering,
                   target_start=ts, target_end=te, matched=matched)


def sample(n_translations: int = 2):
    """A 6-segment source with two translations (or the same two repeated
    under new ids), covering every kind of row the report draws."""
    src = segments(SOURCE, "zh")
    clt, blog = segments(CLT, "en"), segments(BLOG, "en")
    groups_clt = [(0,), (1,), (2,), (3,), (), (4,), ()]
    groups_blog = [(0,), (1,), (2,), (3,), (4,), (5,), (6,)]
    srcs = [(0,), (1,), (2,), (3,), (), (4,), (5,)]
    conf_clt = [0.93, 0.81, 0.88, 0.72, 0.0, 0.9, 0.0]
    conf_blog = [0.9, 0.62, 0.85, 0.31, 0.0, 0.77, 0.66]
    base = {"clt": (clt, groups_clt, conf_clt), "blog": (blog, groups_blog, conf_blog)}
    ids = list(base)
    while len(ids) < n_translations:
        ids.append(f"{ids[len(ids) % 2]}-{len(ids)}")
    tids = {tid: base[tid.split("-")[0]] for tid in ids[:n_translations]}
    alignments = {}
    for tid, (segs, gs, cs) in tids.items():
        beads = [Bead(s, t, 1.0, c) for s, t, c in zip(srcs, gs, cs) if s or t]
        alignments[tid] = Alignment(source=src, target=segs, beads=beads, translation_id=tid,
                                    signature={"encoder": "lexical", "level": "sentence"})
    groups = [Group(src=s, targets={tid: v[1][i] for tid, v in tids.items()},
                    confidence={tid: v[2][i] for tid, v in tids.items()}) for i, s in enumerate(srcs)]
    multi = MultiAlignment(source=src, alignments=alignments, groups=groups,
                           signature={"encoder": "lexical", "level": "sentence", "params": {"window": 3}})
    flags = [
        # details as align.compare writes them: missing = source only, extra = translation only
        Flag("number", "2020 in the source, 2018 in the translation", "clt", (3,), (3,),
             details={"group": 3, "missing": [{"value": "2020", "kind": "year", "text": "2020年"}],
                      "extra": [{"value": "2018", "kind": "year", "text": "2018"}]}),
        Flag("untranslated", "Chinese left in the translation: 诚信", "blog", (3,), (3,), severity="error"),
        Flag("addition", "target with no source", "blog", (), (4,)),
        Flag("omission", "source segment 6 has no translation", "clt", (5,), ()),
        Flag("length", "the translations differ a lot in length overall", None),
    ]
    hits = []
    for tid in tids:
        segs = tids[tid][0]
        kind = tid.split("-")[0]
        r_cx, r_xy = ("creditworthiness", "credit") if kind == "clt" else ("sincerity", "trust")
        hits.append(hit(src, 0, "诚信", tid, segs, (0,), r_cx))
        hits.append(hit(src, 2, "诚信", tid, segs, (2,), r_cx, target_offsets=True))
        hits.append(hit(src, 2, "信用", tid, segs, (2,), r_xy, doc_offsets=True))
        hits.append(hit(src, 3, "诚信", tid, segs, (3,), r_cx if kind == "clt" else None))
    table: dict = {}
    for h in hits:
        cell = table.setdefault(h.term, {}).setdefault(h.translation, {})
        cell[h.rendering] = cell.get(h.rendering, 0) + 1
    glossary = FakeGlossaryReport(
        occurrences=hits, table=table,
        flags=[Flag("inconsistent", "诚信 rendered as creditworthiness (2) and not at all (1)", "blog", (0, 2, 3), term="诚信")],
    )
    return multi, flags, glossary


def sample_with_findings(n_translations: int = 2):
    """The sample plus two document flags: blog's 'sincerity' for 诚信 in rows
    1 to 4 (row 2 has no flag of its own) -- as the glossary checker writes it: no src/tgt, its rows in
    details["groups"], its occurrences in details["occurrences"]), and a
    divergence with its occurrences only."""
    multi, flags, gl = sample(n_translations)
    occ = [{"translation": "blog", "source_segment": s, "group": s, "rendering": "sincerity"} for s in (0, 1, 2, 3)]
    doc = [
        Flag("off-glossary", "blog renders 诚信 as discouraged 'sincerity' in 3 of 4 occurrences <b>", "blog",
             term="诚信", details={"scope": "document", "groups": [0, 1, 2, 3], "occurrences": occ}),
        Flag("divergent", "the translations render 信用 differently (1 place)", None, term="信用", severity="info",
             details={"scope": "document", "occurrences": [{"source_segment": 2, "renderings": {}}]}),
    ]
    return multi, flags + doc, gl


# ------------------------------------------------------------- HTML parsing

class Tree(HTMLParser):
    """Collects elements as (tag, attrs, text inside) plus the rows' structure."""

    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.stack: list[tuple[str, dict, list[str]]] = []
        self.marks: list[tuple[dict, str]] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.elements.append((tag, a))
        if tag not in ("meta", "br", "input", "link", "img"):
            self.stack.append((tag, a, []))

    def handle_endtag(self, tag):
        while self.stack:
            t, a, text = self.stack.pop()
            content = "".join(text)
            if self.stack:
                self.stack[-1][2].append(content)
            if t == "mark":
                self.marks.append((a, content))
            if t == "script":
                self.scripts.append(content)
            if t == tag:
                break

    def handle_data(self, data):
        if self.stack:
            self.stack[-1][2].append(data)


def parse(html: str) -> Tree:
    t = Tree()
    t.feed(html)
    return t


def rows_of(tree: Tree) -> list[dict]:
    return [a for tag, a in tree.elements if tag == "div" and "row" in (a.get("class") or "").split()]


def row_html(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    nxt = html.find('<div class="grid row', start)
    return html[start: nxt if nxt > 0 else len(html)]


# -------------------------------------------------------------------- tests

def test_one_row_per_group_and_a_column_per_translation():
    multi, flags, gl = sample()
    html = build_report_html(multi, flags, glossary_report=gl)
    tree = parse(html)
    rows = rows_of(tree)
    assert [r["id"] for r in rows] == [f"r{i}" for i in range(1, len(multi.groups) + 1)]
    cells = [a for tag, a in tree.elements if tag == "div" and a.get("data-tid")]
    assert len(cells) == len(multi.groups) * 2
    assert [a["data-tid"] for a in cells[:2]] == ["clt", "blog"]
    head = html[html.index('class="grid colhead"'):]
    head = head[:head.index("</nav>")]
    assert ">clt<" in head and ">blog<" in head


def test_four_translations_get_four_columns():
    multi, flags, gl = sample(4)
    html = build_report_html(multi, flags, glossary_report=gl)
    tree = parse(html)
    cells = [a["data-tid"] for tag, a in tree.elements if tag == "div" and a.get("data-tid")]
    assert cells[:4] == ["clt", "blog", "clt-2", "blog-3"]
    assert len(cells) == 4 * len(multi.groups)
    assert "--n:4" in html


def test_flags_are_inline_in_the_right_cell_and_rows_carry_their_kinds():
    multi, flags, gl = sample()
    html = build_report_html(multi, flags, glossary_report=gl)
    tree = parse(html)
    kinds = {r["id"]: r["data-k"] for r in rows_of(tree)}
    assert kinds["r4"] == "|inconsistent|number|untranslated|"
    assert kinds["r5"] == "|addition|"
    assert kinds["r7"] == "|omission|"
    assert kinds["r2"] == ""
    r4 = row_html(html, "r4")
    clt_cell = r4[r4.index('data-tid="clt"'):r4.index('data-tid="blog"')]
    assert "2020 in the source, 2018 in the translation" in clt_cell
    assert "Chinese left in the translation" not in clt_cell
    blog_cell = r4[r4.index('data-tid="blog"'):]
    assert "Chinese left in the translation" in blog_cell
    # the addition row has an empty source cell, the omission an empty target cell
    r5 = row_html(html, "r5")
    assert "no source: added by the translator" in r5
    r7 = row_html(html, "r7")
    clt7 = r7[r7.index('data-tid="clt"'):r7.index('data-tid="blog"')]
    assert "not translated" in clt7 and "source segment 6 has no translation" in clt7
    # a flag with evidence in several rows: in full in the first, clipped with a link back in the others
    assert '<div class="flag sev-warning" title="warning"><span class="badge k-inconsistent">' in row_html(html, "r1")
    assert re.search(r'<div class="flag rep sev-warning" title="诚信 rendered as[^"]*"><span[^>]*>inconsistent</span>'
                     r'<a class="back" href="#r1"', r4)
    # a flag that points at no row goes to the summary
    top = html[:html.index('<nav class="toolbar"')]
    assert "the translations differ a lot in length overall" in top


def test_term_and_its_renderings_share_a_colour_class():
    multi, flags, gl = sample()
    html = build_report_html(multi, flags, glossary_report=gl)
    r3 = row_html(html, "r3")
    tree = parse(r3)
    by_term: dict[str, set[str]] = {}
    texts: dict[str, list[str]] = {}
    for a, text in tree.marks:
        if "term" in a.get("class", ""):
            colour = [c for c in a["class"].split() if re.fullmatch(r"t\d+", c)]
            by_term.setdefault(a["data-term"], set()).update(colour)
            texts.setdefault(a["data-term"], []).append(text)
    assert set(by_term) == {"诚信", "信用"}
    assert all(len(c) == 1 for c in by_term.values())  # one colour per term, source and targets
    assert by_term["诚信"] != by_term["信用"]
    # source (segment offsets and document offsets both found), clt and blog renderings
    assert sorted(texts["诚信"]) == sorted(["诚信", "Creditworthiness", "Sincerity"])
    assert sorted(texts["信用"]) == sorted(["信用", "credit", "trust"])
    # "credit" is the word, not the start of "Creditworthiness"
    assert '<mark class="term t1" title="信用 → credit" data-term="信用">credit</mark>' in r3 or \
        re.search(r'data-term="信用">credit</mark> is the cornerstone', r3)


def test_untranslated_chinese_and_disputed_numbers_are_marked():
    multi, flags, gl = sample()
    html = build_report_html(multi, flags, glossary_report=gl)
    tree = parse(row_html(html, "r4"))
    untr = [t for a, t in tree.marks if a.get("class") == "untr"]
    nums = [t for a, t in tree.marks if a.get("class") == "num"]
    assert untr == ["诚信"]
    assert sorted(nums) == ["2018", "2020年"]  # source-side mention in the source, extra one in clt
    # the 8 of 2018 is not marked on its own anywhere
    assert all(len(n) > 1 for n in nums)


def test_segment_text_is_escaped():
    multi, flags, gl = sample()
    html = build_report_html(multi, flags, glossary_report=gl)
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;alert(" in html
    assert "<b>now</b>" not in html and "&lt;b&gt;now&lt;/b&gt;" in html
    tree = parse(html)
    assert len(tree.scripts) == 1  # only the page's own script


def test_page_is_self_contained():
    multi, flags, gl = sample()
    html = build_report_html(multi, flags, glossary_report=gl)
    tree = parse(html)
    for tag, a in tree.elements:
        for attr in ("src", "href"):
            v = a.get(attr)
            if v is not None:
                assert v.startswith("#"), f"<{tag} {attr}={v!r}> leaves the page"
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "@import" not in html
    assert html.count("url(") == html.count("url(data:font/woff2;base64,") == 1  # the embedded CJK font only
    assert tree.elements[0][0] == "html" or html.lstrip().lower().startswith("<!doctype html>")


def test_summary_counts_and_links_point_at_rows():
    multi, flags, gl = sample()
    html = build_report_html(multi, flags, glossary_report=gl)
    top = html[:html.index('<nav class="toolbar"')]
    tree = parse(top)
    links = {(a.get("data-kind"), a["href"]) for tag, a in tree.elements if tag == "a" and a.get("data-kind")}
    assert ("omission", "#r7") in links
    assert ("number", "#r4") in links
    assert ("addition", "#r5") in links
    # term table: each rendering chip links to the first row using it
    chips = {(a["data-term"], a["href"]) for tag, a in tree.elements if tag == "a" and "chip" in a.get("class", "")}
    assert ("信用", "#r3") in chips and ("诚信", "#r1") in chips
    assert "not rendered" in top  # blog left 诚信 unrendered once
    s = {x.translation: x for x in summarize(multi, flags)}
    assert s["clt"].source_covered == 5 and s["clt"].source_segments == 6
    assert s["blog"].target_aligned == 6 and s["blog"].target_segments == 7
    assert s["clt"].flag_counts == {"number": 1, "omission": 1}
    assert f"{100 * 5 / 6:.1f}%" in top and f"{100 * 6 / 7:.1f}%" in top


def test_low_confidence_cells_and_row_minimum():
    multi, flags, gl = sample()
    html = build_report_html(multi, flags, glossary_report=gl)
    rows = {r["id"]: r for r in rows_of(parse(html))}
    assert rows["r4"]["data-c"] == "0.310"
    assert rows["r7"]["data-c"] == "0.000"  # an omission counts as no confidence
    r4 = row_html(html, "r4")
    assert re.search(r'class="c low" data-tid="blog"', r4)
    assert not re.search(r'class="c low" data-tid="clt"', r4)


def test_output_is_deterministic_and_carries_a_signature():
    multi, flags, gl = sample()
    a = build_report_html(multi, flags, glossary_report=gl, title="T")
    b = build_report_html(multi, flags, glossary_report=gl, title="T")
    assert a == b
    sig = a[a.index('<footer class="sig">'):]
    assert "<dt>encoder</dt><dd>lexical</dd>" in sig and "<dt>level</dt><dd>sentence</dd>" in sig
    assert '{&#34;window&#34;: 3}' in sig or "{&quot;window&quot;: 3}" in sig
    assert not re.search(r"20\d\d-\d\d-\d\d", sig)


def test_report_without_glossary_or_flags():
    multi, _, _ = sample(1)
    html = build_report_html(multi, [])
    assert "No flags." in html
    assert "<mark class=\"term" not in html[html.index('<main id="rows">'):]
    assert len(rows_of(parse(html))) == len(multi.groups)


def test_large_report_stays_small_per_row():
    """5,000 rows: no per-row script or handler, linear size."""
    multi, flags, gl = sample()
    src = [Segment(i, f"第{i}条 诚信建设。", 0, 8) for i in range(5000)]
    tgt = [Segment(i, f"Article {i}: integrity.", 0, 10, lang="en") for i in range(5000)]
    groups = [Group((i,), {"clt": (i,)}, {"clt": (i % 100) / 100}) for i in range(5000)]
    big = MultiAlignment(src, {"clt": Alignment(src, tgt, [])}, groups)
    html = build_report_html(big, [Flag("number", "n", "clt", (i,), (i,)) for i in range(0, 5000, 7)])
    assert html.count('class="grid row') == 5000
    assert html.count("<script") == 1 and "onclick" not in html
    assert len(html) / 5000 < 1200


def test_write_report_is_atomic(tmp_path, monkeypatch):
    multi, flags, gl = sample()
    out = tmp_path / "report.html"
    write_report(multi, flags, out, glossary_report=gl)
    good = out.read_text(encoding="utf-8")
    assert good.startswith("<!doctype html>")

    import align.report._view as view

    def boom(*a, **k):
        raise RuntimeError("render failed")

    monkeypatch.setattr(view, "build_rows", boom)
    with pytest.raises(RuntimeError):
        write_report(multi, flags, out, glossary_report=gl)
    assert out.read_text(encoding="utf-8") == good  # old file untouched
    monkeypatch.undo()

    # a failure while the file is being written leaves neither a partial file nor a temp file
    import align.textio

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(align.textio.os, "fsync", disk_full)
    with pytest.raises(InputError, match="new.html: cannot write the report .No space left on device."):
        write_report(multi, flags, tmp_path / "new.html", glossary_report=gl)
    with pytest.raises(InputError):
        write_report(multi, flags, out, glossary_report=gl)
    monkeypatch.undo()
    assert out.read_text(encoding="utf-8") == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_empty_alignment_renders():
    multi = MultiAlignment([], {"clt": Alignment([], [], [])}, [])
    html = build_report_html(multi, [])
    assert rows_of(parse(html)) == [] and "0 of 0 rows" in html


def test_template_is_package_data():
    from importlib.resources import files

    t = files("align.report").joinpath("templates/report.html.j2")
    assert t.is_file() and "{%" in t.read_text(encoding="utf-8")


def test_terms_sharing_a_row_get_different_colours_beyond_the_palette():
    from align.report._view import N_TERM_COLOURS, term_colours

    terms = [f"术语{i}" for i in range(N_TERM_COLOURS + 4)]
    rows = [terms[:N_TERM_COLOURS], terms[N_TERM_COLOURS:] + terms[:2], terms[N_TERM_COLOURS - 3:N_TERM_COLOURS + 2]]
    hits = [TermHit(t, "clt", r, 0, len(t), t, (), "", None) for r, ts in enumerate(rows) for t in ts]
    colours = term_colours(hits, row_of_segment={0: 0, 1: 1, 2: 2})
    assert set(colours) == set(terms)
    for ts in rows:
        assert len({colours[t] for t in ts}) == len(ts), ts
    assert term_colours(hits, row_of_segment={0: 0, 1: 1, 2: 2}) == colours  # deterministic


def test_low_confidence_threshold_matches_the_checks():
    from align.compare import CheckSettings
    from align.report import LOW_CONFIDENCE

    assert LOW_CONFIDENCE == CheckSettings().low_confidence


def test_source_term_offsets_segment_or_document_relative_and_aliases():
    from align.report._view import locate_source_term

    text = "加强个人诚信体系建设，褒扬诚信"
    seg = Segment(3, text, 100, 100 + len(text))

    def h(start, end):
        return TermHit("诚信", "clt", 3, start, end, text, (), "", None)

    assert locate_source_term(h(13, 15), seg) == (13, 15)  # segment offsets
    assert locate_source_term(h(113, 115), seg) == (13, 15)  # document offsets
    assert locate_source_term(h(2, 6), seg) == (2, 6)  # the alias 个人诚信 contains the term
    assert locate_source_term(h(102, 106), seg) == (2, 6)
    # offsets that fit nothing: the first occurrence not already marked
    assert locate_source_term(h(500, 502), seg, used=[(2, 6)]) == (13, 15)


# ------------------------------------------------ document findings (issue 13.3)

def test_a_document_flag_is_listed_once_in_the_summary_and_on_no_row():
    multi, flags, gl = sample_with_findings()
    html = build_report_html(multi, flags, glossary_report=gl)
    top, body = html[:html.index('<nav class="toolbar"')], html[html.index('<main id="rows">'):]
    assert top.count("discouraged &#39;sincerity&#39; in 3 of 4 occurrences &lt;b&gt;") == 1  # escaped, once
    assert "sincerity&#39; in 3 of 4" not in body and "render 信用 differently" not in body
    tree = parse(top)
    items = [a for tag, a in tree.elements if tag == "li" and a.get("data-finding")]
    assert [a["data-finding"] for a in items] == ["1", "2", "3"]  # warning, info, then the rowless length note
    buttons = [a["data-finding"] for tag, a in tree.elements if tag == "button"]
    assert buttons == ["1", "2"]  # the rowless note has no rows to show
    assert "4 occurrences in 4 rows" in top and "1 occurrence in 1 row" in top
    rows = {r["id"]: r for r in rows_of(parse(html))}
    assert rows["r1"]["data-d"] == "|1|" and rows["r3"]["data-d"] == "|1|2|" and rows["r4"]["data-d"] == "|1|"
    assert rows["r2"]["data-d"] == "|1|" and rows["r2"]["data-k"] == "" and rows["r6"]["data-d"] == ""
    # a document flag is no row flag: the rows' kinds, the kind filter and the flagged count leave it out
    assert all("off-glossary" not in r["data-k"] and "divergent" not in r["data-k"] for r in rows.values())
    assert '<option value="off-glossary">' not in html and '<option value="divergent">' not in html
    finding_options = re.findall(r'<option value="(\d+)">', html)
    assert finding_options == ["1", "2"]  # the Finding filter offers the findings with rows
    assert "5 flagged" in top and "2 document findings" not in top and "3 document findings" in top


def test_the_flag_counts_separate_row_flags_from_document_findings():
    multi, flags, gl = sample_with_findings()
    top = build_report_html(multi, flags, glossary_report=gl)
    top = top[:top.index('<nav class="toolbar"')]
    row = re.search(r'<tr><td><span class="badge k-off-glossary">.*?</tr>', top, re.S).group(0)
    cells = re.findall(r'<td class="num">(.*?)</td>', row)
    assert [re.sub(r"<[^>]+>", "", c) for c in cells] == ["0", "0", "", "0", "1"]  # clt, blog, across, rows, document
    assert 'href="#finding-1"' in row


def test_messages_and_row_labels_count_segments_alike():
    """Every segment number a comparison message names is one the report
    shows (§) in the row that carries the flag: both count from 1."""
    from markupsafe import escape

    from align.compare import check_alignment

    multi, _, _ = sample()
    flags = [f for f in check_alignment(multi) if re.search(r"segments? \d", f.message)]
    assert {f.kind for f in flags} >= {"omission", "addition"}
    html = build_report_html(multi, flags)
    for f in flags:
        row = f"r{f.details['group'] + 1}"
        labels = set()
        for a, b in re.findall(r"§(\d+)(?:–(\d+))?", row_html(html, row)):
            labels.update(range(int(a), int(b or a) + 1))
        named = {int(n) for n in re.findall(r"segments? (\d+)", f.message)}
        named |= {int(n) for n in re.findall(r"segments \d+–(\d+)", f.message)}
        assert named and named <= labels, (f.message, row, labels)
        assert str(escape(f.message)) in row_html(html, row)
    # and what the JSON says is the 0-based index of the same segment
    (om,) = [f for f in flags if f.kind == "omission"]
    assert om.src == (5,) and "source segment 6 " in om.message
