"""The document verdict (align.verdict): each signal on small hand-made
alignments, then pairs built for each kind, then where it lands (JSON,
stderr, --strict, the report's banner)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from align import pipeline, verdict
from align.model import Alignment, Bead, MultiAlignment, Verdict
from align.report import build_report_html
from align.verdict import (Finding, Row, SourceRange, VerdictSettings, added_dates, confidence_share, decide,
                           expected_ratio, judge_confidence, judge_dates, judge_length, judge_missing,
                           judge_numbered_extra, judge_outline, judge_segment_counts, judge_structure, large_beads,
                           length_ratio, marker_number, marks_of, missing_ranges, numbered_extra, outline_diff,
                           outline_gaps, rows_of, segment_counts, short_stretches, structure_agreement,
                           unaligned_source, verdict_of)

from builders import segments

ROOT = Path(__file__).resolve().parents[1]
ZH = ROOT / "data" / "zh" / "guobanfa-2016-98.txt"
CLT = ROOT / "data" / "en" / "guobanfa-2016-98.clt.txt"
BLOG = ROOT / "data" / "en" / "guobanfa-2016-98.blog.txt"
ANHUI = ROOT / "data" / "en" / "anhui-2018-personal-creditworthiness.txt"
HAINAN = ROOT / "data" / "en" / "hainan-personal-creditworthiness.txt"
PARK_ZH = ROOT / "tests" / "data" / "verdict" / "park.zh.txt"
PARK_EN = ROOT / "tests" / "data" / "verdict" / "park.en.txt"
MAC_DEV = ROOT.parent / "shared" / "bench" / "mac-dev"
LEXICAL = pipeline.Settings(encoder="lexical")


# --------------------------------------------------------------------------- hand-made alignments


def multi_of(src: list[str], tgt: list[str], beads: list[tuple[tuple[int, ...], tuple[int, ...], float]],
             tid: str = "t") -> MultiAlignment:
    """A one-translation MultiAlignment of the texts with the given (src, tgt, confidence) beads."""
    s, t = segments(src, "zh"), segments(tgt, "en")
    al = Alignment(s, t, [Bead(a, b, 0.0, c) for a, b, c in beads], tid)
    return MultiAlignment(s, {tid: al}, [], {}, [])


def one_to_one(n: int, conf: float = 0.95) -> list[tuple[tuple[int, ...], tuple[int, ...], float]]:
    return [((i,), (i,), conf) for i in range(n)]


ZH_SENT = "本办法适用于本市行政区域内公园的规划建设保护和管理。"  # 26 characters
EN_SENT = "These Measures apply to the planning, construction, protection and management of parks here."  # ~80


def law(n: int, *, en_numbers: list[int] | None = None) -> tuple[list[str], list[str]]:
    """``n`` articles 第一条… and their English Article 1… (or the numbers ``en_numbers``)."""
    cn = "一二三四五六七八九十"
    zh = [f"第{cn[i] if i < 10 else '十' + cn[i - 10]}条 {ZH_SENT}" for i in range(n)]
    nums = en_numbers or list(range(1, n + 1))
    en = [f"Article {k} {EN_SENT}" for k in nums]
    return zh, en


# --------------------------------------------------------------------------- rows and counts


def test_rows_count_non_space_characters_and_keep_the_beads_order():
    m = multi_of(["甲 乙", "丙"], ["a b c", "d"], [((0,), (0,), 0.9), ((1,), (), 0.8), ((), (1,), 0.7)])
    rows = rows_of(m, "t")
    assert [(r.src, r.tgt, r.src_chars, r.tgt_chars, r.confidence) for r in rows] == [
        ((0,), (0,), 2, 3, 0.9), ((1,), (), 1, 0, 0.8), ((), (1,), 0, 1, 0.7)]
    assert [r.aligned for r in rows] == [True, False, False]


def test_segment_counts_eight_times_the_source_is_another_text_eight_times_fewer_a_hint():
    assert judge_segment_counts(verdict.SegmentCounts(25, 300)).strength == "strong"
    weak = judge_segment_counts(verdict.SegmentCounts(300, 25))
    assert (weak.says, weak.strength) == ("different", "weak")
    assert judge_segment_counts(verdict.SegmentCounts(25, 150)) is None  # 6 times
    assert judge_segment_counts(verdict.SegmentCounts(2, 19)) is None  # too small to say
    m = multi_of(["一"] * 3, ["a"] * 30, [])
    assert segment_counts(m, "t") == verdict.SegmentCounts(3, 30)


def test_length_ratio_inside_the_band_says_nothing_twice_the_norm_is_another_text():
    settings = VerdictSettings()
    low, high = settings.band
    assert low < settings.norm_ratio < high
    rows = [Row(0, (0,), (0,), 100, int(100 * settings.norm_ratio), 0.9)]
    assert judge_length(length_ratio(rows), ()) is None
    long = [Row(0, (0,), (0,), 100, int(100 * 2.1 * settings.norm_ratio), 0.9)]
    f = judge_length(length_ratio(long), ())
    assert (f.says, f.strength) == ("different", "strong")
    longish = [Row(0, (0,), (0,), 100, int(100 * high * 1.1), 0.9)]
    f = judge_length(length_ratio(longish), ())
    assert f.strength == "weak" and "long" in f.message
    short = [Row(0, (0,), (0,), 100, int(100 * low * 0.8), 0.9)]
    assert "short" in judge_length(length_ratio(short), ()).message
    assert judge_length(length_ratio([Row(0, (0,), (), 100, 0, 0.9)]), ()).strength == "strong"
    assert judge_length(length_ratio([]), ()) is None


def test_length_ratio_of_a_partial_translation_is_read_over_what_it_covers():
    rows = [Row(0, (0,), (0,), 100, 350, 0.9), Row(1, (1,), (), 100, 0, 0.9)]
    missing = (verdict.MissingRange(1, 1, 0.5),)
    lr = length_ratio(rows, missing)
    assert lr.ratio == pytest.approx(1.75) and lr.covered_ratio == pytest.approx(3.5)
    assert judge_length(lr, missing) is None
    assert judge_length(lr, ()) is not None  # read over the whole, it would be short


def test_confidence_share_half_the_rows_low_is_another_text():
    rows = [Row(k, (k,), (k,), 10, 35, 0.2 if k < 6 else 0.9) for k in range(10)]
    c = confidence_share(rows)
    assert (c.rows, c.low_rows, c.share) == (10, 6, 0.6)
    assert judge_confidence(c).strength == "strong"
    assert judge_confidence(confidence_share(rows[4:])) is None  # 2 of 6 low, and too few rows
    rows_ok = [Row(k, (k,), (k,), 10, 35, 0.2 if k < 3 else 0.9) for k in range(10)]
    assert judge_confidence(confidence_share(rows_ok)) is None


def test_unaligned_source_gives_the_runs_and_their_share():
    m = multi_of(["一二", "三四", "五六", "七八"], ["a", "b"],
                 [((0,), (0,), 0.9), ((1,), (), 0.9), ((2,), (), 0.9), ((3,), (1,), 0.9)])
    u = unaligned_source(m, rows_of(m, "t"))
    assert (u.segments, u.share) == (2, 0.5)
    assert [(r.start, r.end, r.share) for r in u.ranges] == [(1, 2, 0.5)]


def test_half_the_source_with_no_counterpart_outside_a_missing_range_is_another_text():
    beads = [((i,), (), 0.9) for i in range(10)] + [((), (j,), 0.9) for j in range(10)]
    m = multi_of([ZH_SENT] * 10, [EN_SENT] * 10, beads)
    rows = rows_of(m, "t")
    f = verdict.judge_unaligned(m, rows, ())
    assert (f.says, f.strength) == ("different", "strong") and "100% of the source" in f.message
    assert verdict.judge_unaligned(m, rows, [SourceRange(0, 9, 1.0)]) is None  # a missing range explains it
    assert verdict_of(m, "t").kind == "different"


def test_large_beads_counts_1_to_n_with_a_large_n():
    rows = [Row(0, (0,), (0, 1, 2, 3, 4), 10, 50, 0.9), Row(1, (1,), (5,), 10, 10, 0.9),
            Row(2, (2, 3, 4, 5), (6,), 10, 10, 0.9), Row(3, (6,), (), 10, 0, 0.9)]
    b = large_beads(rows)
    assert (b.count, b.largest, b.share) == (2, "1:5", pytest.approx(2 / 3))
    assert b.examples[0] == ((0,), (0, 1, 2, 3, 4))


def test_expected_ratio_is_the_median_of_plain_confident_rows():
    rows = [Row(k, (k,), (k,), 20, 80, 0.9) for k in range(6)] + [Row(6, (6, 7, 8, 9, 10), (6,), 100, 20, 0.95)]
    assert expected_ratio(rows) == 4.0
    assert expected_ratio([]) == VerdictSettings().norm_ratio


# --------------------------------------------------------------------------- missing ranges


def _half_translated(n: int = 20, spread: bool = True):
    """``n`` source sentences; the English translates the first half, and the
    aligner spread its last sentences over the rest (as it does)."""
    src = [ZH_SENT] * n
    tgt = [EN_SENT] * (n // 2)
    beads = one_to_one(n // 2 - 2)
    if spread:  # the last two English sentences carry the rest of the source, 1:n
        rest = list(range(n // 2 - 2, n))
        half = len(rest) // 2
        beads += [(tuple(rest[:half]), (n // 2 - 2,), 0.6), (tuple(rest[half:]), (n // 2 - 1,), 0.6)]
    else:
        beads += [((n // 2 - 2,), (n // 2 - 2,), 0.95), ((n // 2 - 1,), (n // 2 - 1,), 0.95)]
        beads += [((i,), (), 0.8) for i in range(n // 2, n)]
    return multi_of(src, tgt, beads)


@pytest.mark.parametrize("spread", [True, False])
def test_a_translation_that_stops_halfway_has_the_end_missing(spread):
    m = _half_translated(spread=spread)
    (r,) = short_stretches(m, rows_of(m, "t"))
    assert r.edge == "end" and r.end == 19 and r.start in (10, 11)
    assert r.share == pytest.approx((20 - r.start) / 20)
    f = judge_missing((r,))
    assert f.says == "partial" and f"segments {r.start}-19" in f.message and "stops near" in f.message


def test_a_translation_that_starts_late_has_the_start_missing():
    n = 20
    src, tgt = [ZH_SENT] * n, [EN_SENT] * (n // 2)
    beads = [((i,), (), 0.8) for i in range(n // 2)] + [((n // 2 + k,), (k,), 0.95) for k in range(n // 2)]
    m = multi_of(src, tgt, beads)
    (r,) = missing_ranges(m, rows_of(m, "t"))
    assert (r.start, r.end, r.edge) == (0, 9, "start")
    assert "starts near source segment 10" in judge_missing((r,)).message


def test_a_whole_translation_or_a_short_one_has_no_missing_range():
    m = multi_of([ZH_SENT] * 20, [EN_SENT] * 20, one_to_one(20))
    assert short_stretches(m, rows_of(m, "t")) == ()
    # short as a whole (every row at a third of the ratio): not a range, the length speaks
    m = multi_of([ZH_SENT] * 20, ["Parks."] * 20, one_to_one(20))
    assert short_stretches(m, rows_of(m, "t")) == ()
    # one omitted sentence is an omission flag's business, not a missing range
    beads = one_to_one(20)
    beads[7] = ((7,), (), 0.8)
    m = multi_of([ZH_SENT] * 20, [EN_SENT] * 20, beads)
    assert short_stretches(m, rows_of(m, "t")) == ()


def test_headings_place_a_gap_inside_the_document():
    zh, en = law(10)
    keep = [0, 1, 2, 7, 8, 9]  # the English lacks articles 4-7
    m = multi_of(zh, [en[i] for i in keep], [((0,), (0,), 0.95), ((1,), (1,), 0.95), ((2, 3, 4), (2,), 0.5),
                                            ((5, 6), (), 0.7), ((7,), (3,), 0.95), ((8,), (4,), 0.95),
                                            ((9,), (5,), 0.95)])
    rows = rows_of(m, "t")
    gaps = outline_gaps(m, rows, marks_of(m.source), marks_of(m.alignments["t"].target))
    assert [(g.start, g.end) for g in gaps] == [(3, 6)]
    (r,) = missing_ranges(m, rows, marks_of(m.source), marks_of(m.alignments["t"].target))
    assert (r.start, r.end, r.found_by, r.edge) == (3, 6, "headings", None)
    assert "about source segments 3-6" in judge_missing((r,)).message


# --------------------------------------------------------------------------- structure


@pytest.mark.parametrize("marker,number", [("第十二条", 12), ("第一百零五条", 105), ("第三章", 3), ("一、", 1), ("十一、", 11),
                                           ("（一）", 1), ("(12)", 12), ("Article 12", 12), ("Chapter III", 3),
                                           ("Chapter Three", 3), ("XI.", 11), ("I.", 1), ("II,", 2), ("(1)", 1),
                                           ("Section 2", 2), ("第一节", 1), ("(a)", 1), ("Secondly,", 2),
                                           ("第", None)])
def test_marker_number_reads_chinese_roman_and_english_numbers(marker, number):
    assert marker_number(marker) == number


def test_marks_of_finds_articles_chapters_and_sections_at_segment_starts():
    segs = segments(["第一章 总则", "第一条 为了加强管理。", "（一）指导思想。", "一是政府推动。", "根据第五条的规定。"], "zh")
    assert [(m.segment, m.kind, m.number) for m in marks_of(segs)] == [
        (0, "chapter", 1), (1, "article", 1), (2, "section", 1)]
    en = segments(["Chapter II General", "Article 7 The", "I. General Requirements", "(3) Basic", "First, it"], "en")
    assert [(m.kind, m.number) for m in marks_of(en)] == [("chapter", 2), ("article", 7), ("chapter", 1),
                                                          ("section", 3)]


def test_structure_agreement_counts_rows_whose_numbers_agree_and_those_that_do_not():
    zh, en = law(6, en_numbers=[1, 2, 3, 5, 6, 7])
    m = multi_of(zh, en, one_to_one(6))
    rows = rows_of(m, "t")
    sm, tm = marks_of(m.source), marks_of(m.alignments["t"].target)
    a = structure_agreement(rows, sm, tm)
    assert (a.agree, a.disagree, a.counts["article"]) == (3, 3, (6, 6))
    assert a.examples[0].source == ("第四条",) and a.examples[0].target == ("Article 5",)
    # rows inside a missing range are not read
    b = structure_agreement(rows, sm, tm, [SourceRange(3, 5, 0.5)])
    assert (b.agree, b.disagree) == (3, 0)


def test_judge_structure_strong_weak_and_support():
    outline_same = verdict.OutlineDiff(("article",), 10, 10, 0, 0, 0, 0)
    agreement = verdict.StructureAgreement({}, 7, 3, ())
    assert judge_structure(agreement, outline_same).strength == "strong"
    assert judge_structure(verdict.StructureAgreement({}, 17, 2, ()), outline_same).strength == "weak"
    support = judge_structure(verdict.StructureAgreement({}, 20, 0, ()), outline_same)
    assert (support.says, support.strength) == ("clean", "support")
    assert judge_structure(verdict.StructureAgreement({}, 3, 1, ()), outline_same) is None  # too few rows
    assert judge_structure(verdict.StructureAgreement({}, 20, 0, ()),
                           verdict.OutlineDiff(("article",), 10, 11, 0, 0, 1, 1)) is None


def test_numbered_extra_the_english_has_articles_the_source_has_not():
    zh, _ = law(10)
    _, en = law(13)
    sm, tm = marks_of(segments(zh, "zh")), marks_of(segments(en, "en"))
    extra = numbered_extra(sm, tm)
    assert extra["article"].extra == (11, 12, 13) and extra["article"].missing == ()
    f = judge_numbered_extra(extra)
    assert f.strength == "strong" and "Article 11-13" in f.message and f.version
    assert judge_numbered_extra(numbered_extra(tm, sm)) is None  # fewer: a partial translation's business
    assert judge_numbered_extra(numbered_extra(sm, marks_of(segments(law(11)[1], "en")))) is None  # one more


def test_outline_diff_headings_only_one_side_has():
    zh, en = law(8)
    sm = marks_of(segments(zh, "zh"))
    tm = marks_of(segments([en[i] for i in (0, 2, 3, 5, 6, 7)], "en"))  # 2 and 5 left out, apart
    o = outline_diff(sm, tm)
    assert (o.source_only, o.source_only_places, o.target_only) == (2, 2, 0)
    assert judge_outline(o).strength == "weak"
    # the same two inside a missing range are explained
    assert outline_diff(sm, tm, [SourceRange(1, 4, 0.5)]).source_only == 0
    assert judge_outline(outline_diff(sm, marks_of(segments(en, "en")))) is None


def test_added_dates_rows_where_the_english_gives_a_date_the_source_does_not():
    src = ["建立个人诚信档案。", "完善信用修复机制。", "加强隐私保护。", "2020年1月1日起施行。"]
    tgt = ["Before the end of 2017, establish personal records.", "By June 2018, improve credit restoration.",
           "Before 2019, strengthen privacy protection.", "It comes into force on January 1, 2020."]
    m = multi_of(src, tgt, one_to_one(4))
    d = added_dates(m, "t", rows_of(m, "t"))
    assert (d.rows, d.added_rows) == (4, 3)
    assert judge_dates(d, confidence_share(rows_of(m, "t"))).strength == "weak"
    m2 = multi_of(src, ["Establish records.", "Improve restoration.", "Protect privacy.", tgt[3]], one_to_one(4))
    assert added_dates(m2, "t", rows_of(m2, "t")).added_rows == 0


# --------------------------------------------------------------------------- deciding


def _f(says, strength, signal="x", version=False):
    return Finding(signal, says, strength, f"{signal} {strength}", version)


def test_decide_one_strong_or_two_weak_make_different_unless_the_structure_confirms():
    assert decide([_f("different", "strong", "confidence")])[0] == "different"
    assert decide([_f("different", "weak")])[0] == "clean"
    kind, message = decide([_f("different", "weak", "dates", True), _f("different", "weak", "outline", True)])
    assert kind == "different" and message.startswith("different version? dates weak; outline weak")
    assert decide([_f("different", "weak"), _f("different", "weak"), _f("clean", "support")])[0] == "clean"
    assert decide([_f("different", "strong", "numbering", True), _f("clean", "support")])[0] == "different"
    assert decide([_f("partial", "strong", "missing")]) == ("partial", "partial translation? missing strong")
    assert decide([_f("partial", "strong"), _f("different", "strong", "confidence")])[0] == "different"
    assert decide([]) == ("clean", "clean: a translation of the whole source")
    assert decide([_f("different", "strong", "confidence")])[1].startswith("different text? ")


def test_verdict_of_hand_made_laws():
    zh, en = law(12)
    clean = verdict_of(multi_of(zh, en, one_to_one(12)), "t")
    assert clean.kind == "clean" and clean.clean and "12 of 12" in clean.message
    assert set(clean.evidence) >= {"segments", "length", "confidence", "unaligned", "missing", "large_beads",
                                   "structure", "dates", "findings"}
    json.dumps(clean.evidence)  # JSON-ready
    # the English of a revision: three articles more, the rest renumbered, folded into the rows
    _, en15 = law(15)
    beads = one_to_one(4) + [((4,), (4, 5, 6, 7), 0.9)] + [((i,), (i + 3,), 0.9) for i in range(5, 12)]
    revised = verdict_of(multi_of(zh, en15, beads), "t")
    assert revised.kind == "different" and revised.message.startswith("different version? ")
    assert "Article 13-15" in revised.message
    assert revised.warning().startswith("t: different version? ")


# --------------------------------------------------------------------------- pairs built for each kind


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Translations built from the corpus and the park law, each aligned once (lexical encoder)."""
    folder = tmp_path_factory.mktemp("verdict")
    clt = CLT.read_text(encoding="utf-8").splitlines()
    half = folder / "half.en.txt"
    half.write_text("\n".join(clt[:len(clt) // 2]) + "\n", encoding="utf-8")
    paras = PARK_EN.read_text(encoding="utf-8").split("\n\n")
    arts = [i for i, p in enumerate(paras) if p.startswith("Article ")]
    bodies = [re.sub(r"^Article \d+ ", "", paras[i]) for i in arts]
    order = [2, 0, 3, 9, 4, 8, 1, 5, 7, 6]
    shuffled = list(paras)
    for k, i in enumerate(arts):  # the articles in another order, each with its number
        shuffled[i] = f"Article {order[k] + 1} {bodies[order[k]]}"
    (folder / "shuffled.en.txt").write_text("\n\n".join(shuffled), encoding="utf-8")
    revised, n = [], 0  # the English of a revision: three new articles after the 4th, the rest renumbered
    for p in paras:
        if not p.startswith("Article "):
            revised.append(p)
            continue
        n += 1
        revised.append(f"Article {n} {re.sub(r'^Article [0-9]+ ', '', p)}")
        if n == 4:
            for text in ("Park management units shall formulate emergency plans and organize drills regularly.",
                         "Parks shall provide barrier-free facilities for the elderly and persons with disabilities.",
                         "Commercial activities in parks shall be carried out at designated locations."):
                n += 1
                revised.append(f"Article {n} {text}")
    (folder / "revised.en.txt").write_text("\n\n".join(revised), encoding="utf-8")
    pairs = {"clean": (ZH, CLT), "half": (ZH, half), "anhui": (ZH, ANHUI), "hainan": (ZH, HAINAN),
             "park": (PARK_ZH, PARK_EN), "shuffled": (PARK_ZH, folder / "shuffled.en.txt"),
             "revised": (PARK_ZH, folder / "revised.en.txt")}
    out = {}
    for name, (zh, en) in pairs.items():
        (v,) = pipeline.run(zh, [en], settings=LEXICAL).verdicts.values()
        out[name] = v
    return out


def test_a_clean_pair_is_clean(built):
    for name in ("clean", "park"):
        v = built[name]
        assert v.kind == "clean", v.message
        assert v.evidence["structure"]["disagree"] == 0 and v.evidence["missing"] == []
    assert built["clean"].evidence["structure"]["agree"] == 28  # 7 chapters and 21 sections, all agree


def test_a_translation_cut_in_half_is_partial_and_names_the_missing_range(built):
    v = built["half"]
    assert v.kind == "partial", v.message
    (missing,) = v.evidence["missing"]
    # the English ends in 三、(一) (source 42-46): what follows has no translation
    assert 44 <= missing["start"] <= 50 and missing["end"] == 100 and missing["edge"] == "end"
    assert f"segments {missing['start']}-100" in v.message
    assert v.message.startswith("partial translation? the English stops near source segment")


@pytest.mark.parametrize("name", ["anhui", "hainan"])
def test_the_two_provincial_plans_against_98_are_different_texts(built, name):
    v = built[name]
    assert v.kind == "different", v.message
    assert v.message.startswith("different ")
    assert len(v.evidence["findings"]) >= 2


def test_a_law_with_its_articles_shuffled_is_a_different_version(built):
    v = built["shuffled"]
    assert v.kind == "different" and v.message.startswith("different version? "), v.message
    s = v.evidence["structure"]
    assert s["disagree"] > s["agree"]


def test_the_english_of_a_revision_with_new_articles_renumbered_is_a_different_version(built):
    v = built["revised"]
    assert v.kind == "different", v.message
    assert v.evidence["structure"]["numbered"]["article"]["extra"] == [11, 12, 13]
    assert "3 articles the source has not (Article 11-13" in v.message


@pytest.mark.skipif(not (MAC_DEV / "zh").is_dir(), reason="mac-dev not found (../shared/bench/mac-dev)")
def test_chapters_of_two_different_books_are_different_texts():
    a = pipeline.run(MAC_DEV / "zh" / "001", [MAC_DEV / "en" / "002"],
                     settings=pipeline.Settings(encoder="lexical", presegmented=True))
    (v,) = a.verdicts.values()
    assert v.kind == "different" and v.message.startswith("different text? "), v.message
    assert v.evidence["confidence"]["low_share"] >= 0.5


@pytest.mark.slow
def test_98_with_either_translation_is_clean_with_the_default_encoder():
    a = pipeline.run(ZH, [CLT, BLOG])
    assert {tid: v.kind for tid, v in a.verdicts.items()} == {"clt": "clean", "blog": "clean"}
    assert a.warnings == []
    for v in a.verdicts.values():
        assert v.evidence["structure"]["agree"] == 28 and v.evidence["structure"]["disagree"] == 0
        assert v.evidence["confidence"]["low_rows"] == 0


@pytest.mark.slow
@pytest.mark.skipif(not (MAC_DEV / "zh").is_dir(), reason="mac-dev not found (../shared/bench/mac-dev)")
def test_the_mac_dev_chapters_are_clean_with_the_default_encoder():
    settings = pipeline.Settings(presegmented=True)
    for chapter in sorted(p.name for p in (MAC_DEV / "zh").iterdir()):
        (v,) = pipeline.run(MAC_DEV / "zh" / chapter, [MAC_DEV / "en" / chapter], settings=settings).verdicts.values()
        assert v.kind == "clean", (chapter, v.message)


# --------------------------------------------------------------------------- where it lands


def cli(argv, capsys):
    """Run the CLI in-process; return (exit code, stdout, stderr)."""
    from align.cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_cli_json_of_a_clean_pair_has_no_warnings(capsys):
    code, out, err = cli(["pair", str(ZH), str(CLT), "--json", "--encoder", "lexical", "--strict"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["warnings"] == []
    assert data["verdicts"]["clt"]["kind"] == "clean"
    assert {"signature", "alignments"} <= set(data)  # the keys it had
    assert "warning" not in err
    code, out, err = cli(["check", str(ZH), str(CLT), "--json", "--encoder", "lexical"], capsys)
    data = json.loads(out)
    assert data["warnings"] == [] and data["verdicts"]["clt"]["kind"] == "clean" and isinstance(data["flags"], list)


def test_cli_strict_fails_on_a_different_text_and_says_why_on_stderr(capsys, tmp_path):
    code, out, err = cli(["pair", str(ZH), str(ANHUI), "--encoder", "lexical", "-f", "tsv", "--strict"], capsys)
    assert code == 1
    assert len([x for x in out.splitlines() if "\t" in x]) > 50  # the rows were written all the same
    (line,) = [x for x in err.splitlines() if x.startswith("align: warning: ")]
    assert line.startswith("align: warning: anhui-2018-personal-creditworthiness: different version? ")
    code, out, err = cli(["pair", str(ZH), str(ANHUI), "--encoder", "lexical", "-f", "tsv"], capsys)
    assert code == 0  # without --strict the warning is all
    code, out, err = cli(["check", str(ZH), str(ANHUI), "--encoder", "lexical", "--json", "--strict"], capsys)
    assert code == 1
    data = json.loads(out)
    assert data["verdicts"]["anhui-2018-personal-creditworthiness"]["kind"] == "different"
    assert data["warnings"] == [line.removeprefix("align: warning: ")]


def test_cli_strict_fails_on_a_partial_translation_without_flags(capsys, tmp_path):
    """--strict on pair looks at the verdict only."""
    clt = CLT.read_text(encoding="utf-8").splitlines()
    half = tmp_path / "half.en.txt"
    half.write_text("\n".join(clt[:len(clt) // 2]) + "\n", encoding="utf-8")
    code, out, err = cli(["pair", str(ZH), str(half), "--encoder", "lexical", "--json", "--strict"], capsys)
    assert code == 1
    data = json.loads(out)
    assert data["verdicts"]["en"]["kind"] == "partial"
    assert data["warnings"][0].startswith("en: partial translation? the English stops near source segment")


def test_cli_report_shows_the_banner_for_a_translation_that_is_not_clean(capsys, tmp_path):
    html = tmp_path / "r.html"
    code, out, err = cli(["report", str(ZH), str(CLT), str(HAINAN), "--encoder", "lexical", "-o", str(html),
                          "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["verdicts"]["clt"]["kind"] == "clean"
    assert data["verdicts"]["hainan-personal-creditworthiness"]["kind"] == "different"
    assert len(data["warnings"]) == 1 and data["warnings"][0].startswith("hainan-personal-creditworthiness: ")
    page = html.read_text(encoding="utf-8")
    banner = page[page.index('<section class="verdict"'):page.index("</section>", page.index('class="verdict"'))]
    assert page.index('class="verdict"') < page.index('class="summary"')
    assert "hainan-personal-creditworthiness" in banner and "different version?" in banner
    assert "<b>clt</b>" not in banner  # the clean one is not in it
    code, out, err = cli(["report", str(ZH), str(CLT), "--encoder", "lexical", "-o", str(html)], capsys)
    assert code == 0 and 'class="verdict"' not in html.read_text(encoding="utf-8")


def test_report_banner_escapes_the_message():
    m = multi_of(["一"], ["a"], [((0,), (0,), 0.9)])
    bad = Verdict("t", "different", "different text? <script>alert(1)</script>", {})
    page = build_report_html(m, [], verdicts={"t": bad})
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'class="verdict"' not in build_report_html(m, [], verdicts={"t": Verdict("t", "clean", "clean", {})})


def test_a_saved_alignment_gets_its_verdict_again(tmp_path):
    analysis = pipeline.run(PARK_ZH, [PARK_EN], settings=LEXICAL)
    saved = pipeline.save_alignment(analysis, tmp_path / "a.jsonl")
    again = pipeline.run(saved=saved)
    assert again.verdicts["en"].as_dict() == analysis.verdicts["en"].as_dict()
