"""The report's clauses: each clause an element linked to its clause beads,
omitted clauses marked in place; on hand-built clause beads (the sample, and
the real 98号 alignment with trivial clause beads attached), since the
aligner does not fill ``Alignment.clauses`` yet."""
from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from align.model import Alignment, Bead, ClauseAlignment, MultiAlignment, Segment
from align.report import build_report_html

from test_report import sample

REPO = Path(__file__).resolve().parents[1]

# ------------------------------------------------------------ trivial clause beads

_CUT = re.compile(r"[，,；;：:]")


def clause_segments(sentences: list[Segment]) -> tuple[tuple[Segment, ...], tuple[int, ...]]:
    """Each sentence cut after its commas, semicolons and colons: the clauses
    (offsets into the same document) and the sentence holding each."""
    out: list[Segment] = []
    owner: list[int] = []
    for s, seg in enumerate(sentences):
        pos = 0
        for cut in [m.end() for m in _CUT.finditer(seg.text)] + [len(seg.text)]:
            piece = seg.text[pos:cut]
            a = pos + len(piece) - len(piece.lstrip())
            b = pos + len(piece.rstrip())
            if a < b:
                out.append(Segment(index=len(out), text=seg.text[a:b], start=seg.start + a, end=seg.start + b,
                                   level="clause", lang=seg.lang))
                owner.append(s)
            pos = cut
    return tuple(out), tuple(owner)


def trivial_clauses(al: Alignment, omit: set[int] = frozenset()) -> ClauseAlignment:
    """Clause beads inside each sentence bead: the i-th clauses paired, the
    rest joined into the last bead; in the sentence beads numbered in
    ``omit`` the last source clause is left out (a 1:0 clause bead)."""
    src, src_owner = clause_segments(al.source)
    tgt, tgt_owner = clause_segments(al.target)
    by_src: dict[int, list[int]] = {}
    by_tgt: dict[int, list[int]] = {}
    for i, s in enumerate(src_owner):
        by_src.setdefault(s, []).append(i)
    for j, t in enumerate(tgt_owner):
        by_tgt.setdefault(t, []).append(j)
    beads: list[Bead] = []
    for k, sb in enumerate(al.beads):
        S = [i for s in sb.src for i in by_src.get(s, [])]
        T = [j for t in sb.tgt for j in by_tgt.get(t, [])]
        left_out = S.pop() if k in omit and len(S) > 1 else None
        if S and T:
            n = min(len(S), len(T))
            beads += [Bead((S[i],), (T[i],), 1.0, 0.9) for i in range(n - 1)]
            beads.append(Bead(tuple(S[n - 1:]), tuple(T[n - 1:]), 1.0, 0.9))
        else:
            beads += [Bead((i,), ()) for i in S] + [Bead((), (j,)) for j in T]
        if left_out is not None:
            beads.append(Bead((left_out,), ()))
    return ClauseAlignment(src, tgt, src_owner, tgt_owner, tuple(beads))


def with_clauses(multi: MultiAlignment, omit: dict[str, set[int]] | None = None) -> MultiAlignment:
    """``multi`` with trivial clause beads attached to every alignment."""
    omit = omit or {}
    alignments = {tid: dataclasses.replace(a, clauses=trivial_clauses(a, omit.get(tid, set())))
                  for tid, a in multi.alignments.items()}
    return dataclasses.replace(multi, alignments=alignments)


# ------------------------------------------------------------------ reading the page

@dataclasses.dataclass
class Clause:
    row: str
    column: str  # "source" or a translation id
    cls: set[str]
    links: list[str]
    text: str
    attrs: dict


class Clauses(HTMLParser):
    """The clause elements of a report, with their row and column, in page order."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.open: list[Clause] = []
        self.found: list[Clause] = []
        self.cell_text: dict[tuple[str, str], list[str]] = {}

    def _where(self) -> tuple[str, str]:
        row = column = ""
        for _, a in self.stack:
            if "row" in (a.get("class") or "").split():
                row = a.get("id", "")
            cls = (a.get("class") or "").split()
            if "s" in cls:
                column = "source"
            elif "c" in cls and a.get("data-tid"):
                column = a["data-tid"]
        return row, column

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("br", "meta", "input"):
            return
        self.stack.append((tag, a))
        if "data-l" in a:
            row, column = self._where()
            c = Clause(row, column, set((a.get("class") or "").split()), a["data-l"].split(), "", a)
            self.open.append(c)
            self.found.append(c)

    def handle_endtag(self, tag):
        while self.stack:
            t, a = self.stack.pop()
            if "data-l" in a:
                self.open.pop()
            if t == tag:
                break

    def handle_data(self, data):
        for c in self.open:
            c.text += data
        row, column = self._where()
        if row and column and not any("gap" in c.cls for c in self.open) and not any(
                "flag" in (a.get("class") or "").split() or "meta" in (a.get("class") or "").split() for _, a in self.stack):
            self.cell_text.setdefault((row, column), []).append(data)


def read(html: str) -> Clauses:
    p = Clauses()
    p.feed(html[html.index('<main id="rows">'):])
    return p


def cell_texts(html: str) -> dict[tuple[str, str], str]:
    return {k: re.sub(r"\s+", " ", "".join(v)).strip() for k, v in read(html).cell_text.items()}


# ------------------------------------------------------------------------- tests

def test_without_clause_beads_the_rows_are_sentences():
    multi, flags, gl = sample()
    html = build_report_html(multi, flags, glossary_report=gl, embed_font=False)
    assert "data-l=" not in html and read(html).found == []


def test_every_clause_is_one_element_in_order_and_the_text_is_unchanged():
    multi, flags, gl = sample()
    plain = build_report_html(multi, flags, glossary_report=gl, embed_font=False)
    cm = with_clauses(multi)
    html = build_report_html(cm, flags, glossary_report=gl, embed_font=False)
    found = read(html).found
    src = [c for c in found if c.column == "source"]
    assert [c.text for c in src] == [c.text for c in cm.alignments["clt"].clauses.source]
    for tid, a in cm.alignments.items():
        mine = [c for c in found if c.column == tid and "gap" not in c.cls]
        assert [c.text for c in mine] == [c.text for c in a.clauses.target]
    assert cell_texts(html) == cell_texts(plain)  # the marks and the text, cut into clauses, not changed
    # the glossary marks are still inside the clauses
    assert '<mark class="term' in html[html.index('data-l='):]
    s3 = next(c for c in src if c.text.startswith("信用"))
    assert s3.row == "r3"


def test_clauses_carry_the_tokens_of_their_beads_in_every_translation():
    multi, flags, gl = sample()
    cm = with_clauses(multi)
    found = read(build_report_html(cm, flags, glossary_report=gl, embed_font=False)).found
    tids = cm.translation_ids
    beads_of = {tid: {i: b for b, bead in enumerate(cm.alignments[tid].clauses.beads) for i in bead.src} for tid in tids}
    src = [c for c in found if c.column == "source"]
    for i, c in enumerate(src):
        assert c.links == [f"{k}.{beads_of[tid][i]}" for k, tid in enumerate(tids)]
    # a target clause: its own bead first, then the beads of the other translations of its source clauses
    for k, tid in enumerate(tids):
        ca = cm.alignments[tid].clauses
        targets = [c for c in found if c.column == tid and "gap" not in c.cls]
        for j, c in enumerate(targets):
            b = next(b for b, bead in enumerate(ca.beads) if j in bead.tgt)
            want = {f"{k}.{b}"} | {t for i in ca.beads[b].src for t in src[i].links}
            assert c.links[0] == f"{k}.{b}" and set(c.links) == want
    # 诚信是社会和谐的基础， lights "Creditworthiness is ... harmony," in clt and "Sincerity ... harmony;" in blog
    first = next(c for c in src if c.text.startswith("诚信是"))
    lit = {(c.column, c.text) for c in found if set(c.links) & set(first.links) and c.column != "source"}
    assert lit == {("clt", "Creditworthiness is the foundation of social harmony,"),
                   ("blog", "Sincerity is the foundation of social harmony;")}


def test_an_omitted_clause_is_marked_in_place_in_both_columns():
    multi, flags, gl = sample()
    cm = with_clauses(multi, omit={"blog": {2}})  # blog leaves out 信用是市场经济的基石。
    found = read(build_report_html(cm, flags, glossary_report=gl, embed_font=False)).found
    omitted = [c for c in found if "om" in c.cls and c.row != "r7"]  # clt leaves row 7 out
    assert [(c.row, c.text, c.attrs["data-om"]) for c in omitted] == [("r3", "信用是市场经济的基石。", "blog")]
    gaps = [c for c in found if "gap" in c.cls and c.row != "r7"]
    assert [(g.row, g.column) for g in gaps] == [("r3", "blog")]
    assert gaps[0].attrs["title"] == "left out: 信用是市场经济的基石。"
    assert set(omitted[0].links) & set(gaps[0].links)
    # the placeholder stands after the clause of the bead before it
    blog_r3 = [c for c in found if c.row == "r3" and c.column == "blog"]
    assert [("gap" in c.cls) for c in blog_r3] == [False, False, True]  # both blog clauses went to the first


def test_a_whole_sentence_left_out_gets_its_placeholders_in_the_empty_cell():
    multi, flags, gl = sample()
    cm = with_clauses(multi)  # clt has no translation of the last source sentence (row 7)
    found = read(build_report_html(cm, flags, glossary_report=gl, embed_font=False)).found
    gaps = [c for c in found if "gap" in c.cls]
    assert [(g.row, g.column) for g in gaps] == [("r7", "clt")]
    src7 = [c for c in found if c.row == "r7" and c.column == "source"]
    assert all(c.attrs.get("data-om") == "clt" for c in src7)


def test_clause_text_that_the_offsets_do_not_reproduce_is_found_in_its_sentence():
    multi, flags, gl = sample()
    cm = with_clauses(multi)
    ca = cm.alignments["clt"].clauses
    shifted = tuple(dataclasses.replace(c, start=c.start + 1000, end=c.end + 1000) for c in ca.target)  # segment-relative or bad
    cm.alignments["clt"] = dataclasses.replace(cm.alignments["clt"], clauses=dataclasses.replace(ca, target=shifted))
    found = read(build_report_html(cm, flags, glossary_report=gl, embed_font=False)).found
    assert [c.text for c in found if c.column == "clt" and "gap" not in c.cls] == [c.text for c in ca.target]


# ------------------------------------------------------------------ the real corpus

@pytest.fixture(scope="module")
def real():
    from align import pipeline

    analysis = pipeline.analyse(REPO / "data/zh/guobanfa-2016-98.txt",
                                [REPO / "data/en/guobanfa-2016-98.clt.txt", REPO / "data/en/guobanfa-2016-98.blog.txt"],
                                settings=pipeline.Settings(encoder="lexical"), glossary=REPO / "glossary.yaml")
    return analysis


def test_the_98_report_with_clauses_covers_every_clause_once_and_stays_under_2_mb(real, tmp_path):
    from align.report import notes_of, write_report

    blog = real.multi.alignments["blog"]
    _, owner = clause_segments(blog.source)
    several = [k for k, b in enumerate(blog.beads) if sum(owner.count(s) for s in b.src) > 1 and b.tgt]
    cm = with_clauses(real.multi, omit={"blog": set(several[3:5])})
    path = write_report(cm, real.flags, tmp_path / "report.html", glossary_report=real.glossary_report)
    html = path.read_text(encoding="utf-8")
    size = path.stat().st_size
    print(f"98号 report with clauses and the embedded font: {size / 1e6:.2f} MB")
    assert size < 2_000_000
    assert html.count("url(data:font/woff2;base64,") == 1
    found = read(html).found
    for tid, a in cm.alignments.items():
        assert [c.text for c in found if c.column == tid and "gap" not in c.cls] == [c.text for c in a.clauses.target]
    assert [c.text for c in found if c.column == "source"] == [c.text for c in cm.alignments["clt"].clauses.source]
    assert len([c for c in found if "gap" in c.cls]) == 2
    # the translator's notes, found beside the inputs, show with clt
    assert list(notes_of(cm)) == ["clt"]
    notes = html[html.index('<div class="tnotes"'):]
    assert "Credit vs. Creditworthiness" in notes and 'data-tid="clt"' in notes
    assert 'href="#notes-1"' in html  # the marker in clt's column header


def test_clause_beads_on_one_translation_only():
    multi, flags, gl = sample()
    cm = with_clauses(multi)
    cm.alignments["clt"] = dataclasses.replace(cm.alignments["clt"], clauses=None)
    found = read(build_report_html(cm, flags, glossary_report=gl, embed_font=False)).found
    assert not [c for c in found if c.column == "clt"]  # clt's cells stay sentences
    blog = cm.alignments["blog"].clauses
    assert [c.text for c in found if c.column == "blog" and "gap" not in c.cls] == [c.text for c in blog.target]
    src = [c for c in found if c.column == "source"]
    assert [c.text for c in src] == [c.text for c in blog.source]
    assert all(len(c.links) == 1 and c.links[0].startswith("1.") for c in src)  # blog is the second translation


def test_another_translations_source_clauses_link_by_their_offsets():
    """blog's clause beads cut the source into whole sentences: each of its
    beads is linked to every shown (clt) source clause it overlaps."""
    multi, flags, gl = sample()
    cm = with_clauses(multi)
    blog = cm.alignments["blog"]
    whole = tuple(dataclasses.replace(s, level="clause") for s in blog.source)
    beads = tuple(Bead(b.src, b.tgt) for b in blog.beads)  # one clause per sentence: the sentence beads
    tgt_whole = tuple(dataclasses.replace(s, level="clause") for s in blog.target)
    cm.alignments["blog"] = dataclasses.replace(blog, clauses=ClauseAlignment(
        whole, tgt_whole, tuple(range(len(whole))), tuple(range(len(tgt_whole))), beads))
    found = read(build_report_html(cm, flags, glossary_report=gl, embed_font=False)).found
    r3 = [c for c in found if c.row == "r3" and c.column == "source"]
    assert [c.text for c in r3] == ["诚信是社会和谐的基础，", "信用是市场经济的基石。"]  # clt's cut
    blog_tokens = [[t for t in c.links if t.startswith("1.")] for c in r3]
    assert blog_tokens[0] == blog_tokens[1] and len(blog_tokens[0]) == 1  # both in blog's one bead
    blog_cell = [c for c in found if c.row == "r3" and c.column == "blog"]
    assert len(blog_cell) == 1 and set(blog_cell[0].links) >= set(r3[0].links) | set(r3[1].links)
