"""TSV / TMX / JSONL exports on hand-built alignments."""
from __future__ import annotations

import csv
import io
import json

import pytest

from align.errors import UsageError
from align.export import as_multi, export, export_string, format_for_path, to_tsv_string, unescape_field
from align.model import Alignment, Bead, Flag, Group, MultiAlignment, Segment

NASTY = "tab\there, line\nbreak, cr\rreturn, crlf\r\n, backslash \\t not a tab, \u2028sep, \x0bvt, 引号“”, <xml & 'stuff'>"




@pytest.fixture
def multi():
    source = segs(["国办发〔2016〕98号", "第一句。", "第二句" + NASTY, "第三句。"], "zh")
    a_t = segs(["No. 98 (2016)", "First sentence.", "Second " + NASTY, "Third.", "Translator's note."], "en")
    b_t = segs(["GBF No. (2016)98", "First and second sentence.", "Third."], "en")
    a = Alignment(source, a_t, [Bead((0,), (0,), 1.0, .9), Bead((1,), (1,), 1.0, .8), Bead((2,), (2,), 1.0, .7),
                                Bead((3,), (3,), 1.0, .95), Bead((), (4,), 0.0, .93)], "a", {"encoder": "hand"})
    b = Alignment(source, b_t, [Bead((0,), (0,), 1.0, .9), Bead((1, 2), (1,), 1.0, .6), Bead((3,), (), 0.0, .97)],
                  "b", {"encoder": "hand"})
    groups = [Group((0,), {"a": (0,), "b": (0,)}, {"a": .9, "b": .9}),
              Group((1, 2), {"a": (1, 2), "b": (1,)}, {"a": .75, "b": .6}),
              Group((3,), {"a": (3,), "b": ()}, {"a": .95, "b": .97}),
              Group((), {"a": (4,), "b": ()}, {"a": .93, "b": 1.0})]
    sig = {"encoder": "hand", "level": "sentence", "version": "0.1.0", "params": {"max_bead": 3}}
    return MultiAlignment(source, {"a": a, "b": b}, groups, sig)


def read_tsv(text):
    lines = text.split("\n")
    assert lines[-1] == ""
    return lines[0], [line.split("\t") for line in lines[1:-1]]


def test_tmx_min_confidence_leaves_out_doubtful_units(multi):
    from translate.storage.tmx import tmxfile

    store = tmxfile.parsestring(export_string(multi, "tmx", min_confidence=0.75).encode("utf-8"))
    ids = [u.getid() for u in store.units]
    assert ids == ["a:0", "a:1", "a:3", "a:4", "b:0", "b:2"]  # 0.7 and 0.6 are left out; the sure addition
    # and omission (0.93, 0.97: their segments surely have no counterpart) stay
    assert 'type="x-min-confidence">0.75<' in export_string(multi, "tmx", min_confidence=0.75)


def test_tsv_signature_header_and_rows(multi):
    text = to_tsv_string(multi)
    first, rows = read_tsv(text)
    assert first.startswith("# align ")
    sig = json.loads(unescape_field(first[len("# align "):]))
    assert sig["encoder"] == "hand" and sig["level"] == "sentence" and sig["translations"] == ["a", "b"]
    header, body = rows[0], rows[1:]
    assert header == ["group", "src_idx", "src_text", "a_idx", "a_text", "a_conf", "a_kind",
                      "b_idx", "b_text", "b_conf", "b_kind"]
    assert len(body) == len(multi.groups)
    assert all(len(r) == len(header) for r in body)
    assert body[1][:2] == ["1", "1,2"] and body[1][3] == "1,2" and body[1][5:7] == ["0.7500", "aligned"]
    # an omission in b: no target, and its confidence (that source 3 has no counterpart) as a number
    assert body[2][7:] == ["", "", "0.9700", "omission"]
    assert body[3][1:3] == ["", ""] and body[3][4] == "Translator's note."
    assert body[3][5:7] == ["0.9300", "addition"]  # a's addition
    assert body[3][7:] == ["", "", "", ""]  # b has no bead in a's addition row
    assert [r[6] for r in body] == ["aligned", "aligned", "aligned", "addition"]
    assert [r[10] for r in body] == ["aligned", "aligned", "omission", ""]


def test_tsv_escaping_keeps_rows_intact_and_round_trips(multi):
    text = to_tsv_string(multi)
    assert len(text.splitlines()) == 2 + len(multi.groups)  # splitlines breaks on \u2028, \x0b, \r too
    _, rows = read_tsv(text)
    nasty_row = rows[2]
    assert unescape_field(nasty_row[2]) == "第一句。 第二句" + NASTY
    assert unescape_field(nasty_row[4]) == "First sentence. Second " + NASTY
    # the csv module reads it with the same shape
    parsed = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert [len(r) for r in parsed[1:]] == [11] * (1 + len(multi.groups))


def test_tsv_for_a_single_alignment_has_one_row_per_bead(multi):
    al = multi.alignments["b"]
    _, rows = read_tsv(export_string(al, "tsv"))
    assert rows[0] == ["group", "src_idx", "src_text", "b_idx", "b_text", "b_conf", "b_kind"]
    assert [r[1] for r in rows[1:]] == ["0", "1,2", "3"]
    assert [r[5:] for r in rows[1:]] == [["0.9000", "aligned"], ["0.6000", "aligned"], ["0.9700", "omission"]]
    assert as_multi(al).groups[1] == Group((1, 2), {"b": (1,)}, {"b": .6})


def test_tmx_round_trip_with_translate_toolkit(multi, tmp_path):
    from translate.storage.tmx import tmxfile

    path = export(multi, tmp_path / "out.tmx")
    store = tmxfile(path.open("rb"))
    units = list(store.units)
    # one unit per bead, omissions and additions included: a has 5, b has 3
    assert len(units) == 8
    pairs = [(u.source, u.target) for u in units]
    assert pairs[0] == ("国办发〔2016〕98号", "No. 98 (2016)")
    assert pairs[4] == ("", "Translator's note.")  # a's addition, with an empty source side
    assert pairs[5] == ("国办发〔2016〕98号", "GBF No. (2016)98")
    # text survives verbatim, except the one character XML 1.0 cannot carry (\x0b)
    assert pairs[6] == ("第一句。 第二句" + NASTY.replace("\x0b", ""), "First and second sentence.")
    assert pairs[7] == ("第三句。", "")  # b's omission
    kinds = [u.xmlelement.find("prop[@type='x-bead']").text for u in units]
    assert kinds == ["aligned"] * 4 + ["addition"] + ["aligned"] * 2 + ["omission"]
    assert pairs[1] == ("第一句。", "First sentence.")
    assert "<xml & 'stuff'>" in pairs[2][1]
    raw = path.read_text(encoding="utf-8")
    assert 'version="1.4"' in raw and 'srclang="zh-CN"' in raw and 'xml:lang="en"' in raw
    assert 'type="x-align-signature"' in raw and '"encoder": "hand"' in raw
    assert [u.getid() for u in units][:2] == ["a:0", "a:1"]
    # restricted to one translation
    only_b = tmxfile.parsestring(export_string(multi, "tmx", translation="b").encode("utf-8"))
    assert len(only_b.units) == 3
    with pytest.raises(UsageError):
        export_string(multi, "tmx", translation="nope")


def test_jsonl_fields_flags_and_signature(multi):
    flags = [Flag("omission", "source 3 has no translation", "b", (3,), (), severity="error", details={"group": 2}),
             Flag("addition", "a 4 has no source", "a", (), (4,), details={"group": 3})]
    lines = export_string(multi, "jsonl", flags=flags).splitlines()
    records = [json.loads(line) for line in lines]
    header, rows = records[0], records[1:]
    assert header["record"] == "header" and header["format"] == "align-jsonl/1"
    assert header["signature"]["encoder"] == "hand" and header["signature"]["params"] == {"max_bead": 3}
    assert header["translations"]["a"]["segments"] == 5 and header["groups"] == 4
    assert [r["group"] for r in rows] == [0, 1, 2, 3]
    r1 = rows[1]
    assert r1["src"] == [1, 2] and r1["source_text"].startswith("第一句。")
    assert r1["source_segments"][1]["text"] == "第二句" + NASTY
    assert set(r1["source_segments"][0]) >= {"index", "text", "start", "end", "marker", "is_heading", "lang"}
    assert r1["translations"]["b"] == {"tgt": [1], "text": "First and second sentence.", "confidence": 0.6,
                                      "kind": "aligned",
                                      "segments": [dataclass_dict(multi.alignments["b"].target[1])],
                                      "beads": [{"src": [1, 2], "tgt": [1], "kind": "aligned", "confidence": 0.6,
                                                 "score": 1.0}]}
    assert rows[2]["translations"]["b"]["kind"] == "omission" and rows[2]["translations"]["b"]["confidence"] == 0.97
    assert rows[2]["translations"]["b"]["beads"] == [{"src": [3], "tgt": [], "kind": "omission", "confidence": 0.97,
                                                     "score": 0.0}]
    assert rows[3]["translations"]["a"]["kind"] == "addition" and rows[3]["translations"]["b"]["kind"] == ""
    assert [b["kind"] for b in rows[3]["translations"]["a"]["beads"]] == ["addition"]
    assert [f["kind"] for f in rows[2]["flags"]] == ["omission"]
    assert [f["kind"] for f in rows[3]["flags"]] == ["addition"]
    assert rows[0]["flags"] == []


def test_a_row_of_several_kinds_says_so_in_every_export():
    from translate.storage.tmx import tmxfile

    from align.aligner.multi import group_alignments

    source = segs(["第一句。", "第二句。"], "zh")
    x = Alignment(source, segs(["One."], "en"), [Bead((0,), (0,), 1.0, .8), Bead((1,), (), 0.0, .3)], "x")
    y = Alignment(source, segs(["One and two."], "en"), [Bead((0, 1), (0,), 1.0, .9)], "y")
    groups = group_alignments(source, {"x": x, "y": y})
    assert len(groups) == 1  # y's 2:1 holds both source segments in one row
    multi = MultiAlignment(source, {"x": x, "y": y}, groups, {"encoder": "hand"})
    _, rows = read_tsv(to_tsv_string(multi))
    cells = dict(zip(rows[0], rows[1]))
    assert cells["x_kind"] == "aligned+omission" and cells["x_conf"] == "0.3000"  # the weakest bead
    assert cells["y_kind"] == "aligned" and cells["y_conf"] == "0.9000"
    row = [json.loads(line) for line in export_string(multi, "jsonl").splitlines()][1]
    assert row["translations"]["x"]["kind"] == "aligned+omission"
    assert [b["kind"] for b in row["translations"]["x"]["beads"]] == ["aligned", "omission"]
    store = tmxfile.parsestring(export_string(multi, "tmx").encode("utf-8"))
    assert [u.xmlelement.find("prop[@type='x-bead']").text for u in store.units] == ["aligned", "omission", "aligned"]


def test_jsonl_computes_flags_when_none_given(multi):
    rows = [json.loads(x) for x in export_string(multi, "jsonl").splitlines()[1:]]
    kinds = {(f["kind"], f["translation"]) for r in rows for f in r["flags"]}
    assert ("omission", "b") in kinds and ("addition", "a") in kinds


def dataclass_dict(seg):
    import dataclasses

    return dataclasses.asdict(seg)


def test_export_writes_atomically_and_infers_format(multi, tmp_path):
    for name in ("x.tsv", "x.jsonl", "x.tmx"):
        p = export(multi, tmp_path / name)
        assert p.read_bytes()
    assert sorted(f.name for f in tmp_path.iterdir()) == ["x.jsonl", "x.tmx", "x.tsv"]  # no temp files left
    with pytest.raises(UsageError):
        format_for_path("x.docx")
    with pytest.raises(UsageError, match="directory"):
        export(multi, tmp_path, "tsv")
    with pytest.raises(UsageError):
        export_string(multi, "xlsx")


def test_failed_export_leaves_no_file(multi, tmp_path, monkeypatch):
    import align.export.tsv as tsv

    target = tmp_path / "keep.tsv"
    target.write_text("old content\n", encoding="utf-8")

    def boom(obj):
        raise RuntimeError("boom")

    monkeypatch.setattr("align.export.to_tsv_string", boom)
    with pytest.raises(RuntimeError):
        export(multi, target)
    assert target.read_text(encoding="utf-8") == "old content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.tsv"]
    assert tsv  # imported module stays usable


from hypothesis import given, settings, strategies as st  # noqa: E402

from align.export.tsv import escape_field  # noqa: E402
from builders import segments as segs


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_tsv_escape_round_trips_and_never_breaks_a_row(text):
    cell = escape_field(text)
    assert "\t" not in cell and len(cell.splitlines()) <= 1
    assert unescape_field(cell) == text
