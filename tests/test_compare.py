"""Comparison checks on small hand-built alignments."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from align.compare import (
    KINDS, CheckSettings, check_additions, check_alignment, check_duplicates, check_english_only, check_length,
    check_low_confidence, check_numbers, check_omissions, check_untranslated, find_cjk_runs, find_repeats,
    flag_counts, flag_from_dict, flag_to_dict, flags_by_group,
)
from align.model import Alignment, Bead, Group, MultiAlignment, Segment
from builders import segments as segs




def build(src_texts, translations, rows):
    """``translations``: {tid: [texts]}; ``rows``: [(src_idx, {tid: (tgt_idx, confidence)})]."""
    source = segs(src_texts, "zh")
    targets = {tid: segs(t, "en") for tid, t in translations.items()}
    groups, beads = [], {tid: [] for tid in translations}
    for src, per in rows:
        tg = {tid: tuple(per.get(tid, ((), 0.0))[0]) for tid in translations}
        conf = {tid: float(per.get(tid, ((), 0.0))[1]) for tid in translations}
        groups.append(Group(tuple(src), tg, conf))
        for tid in translations:
            if src or tg[tid]:
                beads[tid].append(Bead(tuple(src), tg[tid], 0.0, conf[tid]))
    alignments = {tid: Alignment(source, targets[tid], beads[tid], tid, {"encoder": "hand"}) for tid in translations}
    return MultiAlignment(source, alignments, groups, {"encoder": "hand", "level": "sentence", "version": "test"})


def kinds(flags):
    return [(f.kind, f.translation, f.src, f.tgt) for f in flags]


def test_omission_when_no_target_or_very_low_confidence():
    m = build(["甲。", "乙。", "丙。"], {"a": ["A.", "C."], "b": ["A.", "B.", "C."]},
              [([0], {"a": ([0], .9), "b": ([0], .9)}),
               ([1], {"b": ([1], .05)}),
               ([2], {"a": ([1], .8), "b": ([2], .8)})])
    flags = check_omissions(m)
    assert kinds(flags) == [("omission", "a", (1,), ()), ("omission", "b", (1,), (1,))]
    assert all(f.details["group"] == 1 for f in flags)
    # the threshold is a setting
    assert kinds(check_omissions(m, CheckSettings(omission_confidence=0.01))) == [("omission", "a", (1,), ())]


def test_addition_when_target_has_no_source():
    m = build(["甲。"], {"a": ["Note by translator.", "A."], "b": ["A."]},
              [((), {"a": ([0], 0.0)}), ([0], {"a": ([1], .9), "b": ([0], .9)})])
    flags = check_additions(m)
    assert kinds(flags) == [("addition", "a", (), (0,))]
    assert "Note by translator" in flags[0].message


def test_untranslated_chinese_runs_with_positions():
    text = "(Provincial Propaganda Department: 省委宣传部、省文明办牵头,省网宣办等按职责分工负责)"
    m = build(["甲。"], {"a": ["Intro.", text]}, [([0], {"a": ([0, 1], .9)})])
    flags = check_untranslated(m)
    assert len(flags) == 1
    f = flags[0]
    assert (f.kind, f.translation, f.tgt, f.src) == ("untranslated", "a", (1,), (0,))
    run = f.details["runs"][0]
    assert run["text"] == "省委宣传部、省文明办牵头,省网宣办等按职责分工负责"
    seg = m.alignments["a"].target[1]
    assert text[run["start"]:run["end"]] == run["text"]
    assert run["doc_start"] == seg.start + run["start"]
    assert str(run["doc_start"]) in f.message


def test_find_cjk_runs_and_min_chars():
    assert find_cjk_runs("no chinese here, “quotes” — dashes") == []
    runs = find_cjk_runs("terms 守信 信用 诚信 and 征信")
    assert [r[2] for r in runs] == ["守信 信用 诚信", "征信"]
    assert find_cjk_runs("a 信 b 守信用", min_chars=2) == [(6, 9, "守信用")]


def test_english_only_documents():
    en = segs(["I. General Requirements", "(Led by 省委宣传部、省文明办)", "Done."], "en")
    flags = check_english_only(en, translation="anhui")
    assert kinds(flags) == [("untranslated", "anhui", (), (1,))]
    assert check_english_only(segs(["All English."], "en")) == []


def test_numbers_agree_and_disagree():
    src = ["国办发〔2016〕98号", "国务院办公厅 2016年12月23日", "全面贯彻党的十八大和十八届三中、四中、五中、六中全会精神。"]
    good = ["SGO release No. 98 (2016)", "General Office of the State Council, December 23, 2016",
            "Implement the spirit of the 18th Party Congress's 3rd, 4th, 5th, and sixth plenary sessions."]
    bad = ["GBF No. (2016)98", "State Council General Office 23 December 2015",
           "the 18th Party Congress and the 3rd, 4th, 5th and 6rh Plenums of the 19th Party Congress"]
    rows = [([i], {"good": ([i], .9), "bad": ([i], .9)}) for i in range(3)]
    m = build(src, {"good": good, "bad": bad}, rows)
    flags = check_numbers(m)
    assert kinds(flags) == [("number", "bad", (1,), (1,)), ("number", "bad", (2,), (2,))]
    date_flag, congress_flag = flags
    assert [d["value"] for d in date_flag.details["missing"]] == ["2016-12-23"]
    assert [d["value"] for d in date_flag.details["extra"]] == ["2015-12-23"]
    assert congress_flag.details["missing"] == []
    assert [d["value"] for d in congress_flag.details["extra"]] == ["19"]


def test_numbers_ignore_enumeration_markers():
    m = build(["（一）指导思想。", "一是政府推动。"], {"a": ["(1) Guiding thought.", "First, government promotion."]},
              [([0], {"a": ([0], .9)}), ([1], {"a": ([1], .9)})])
    assert check_numbers(m) == []


def test_length_outlier_relative_to_document_median():
    src = [f"第{i}句话的内容在这里写，这是一个比较长一点的句子。" for i in range(12)]
    tgt = [f"Sentence number {i} has content written here." for i in range(12)]
    tgt[5] = tgt[5] + " " + "And a very long addition that the translator made up on the spot. " * 4
    m = build(src, {"a": tgt}, [([i], {"a": ([i], .9)}) for i in range(12)])
    flags = check_length(m)
    assert kinds(flags) == [("length", "a", (5,), (5,))]
    assert flags[0].details["z"] > 3.5 and "long" in flags[0].message
    # too few rows for statistics: nothing
    assert check_length(m, CheckSettings(length_min_rows=20)) == []
    # headings and short rows are left out
    assert check_length(m, CheckSettings(length_min_source_chars=100)) == []
    heads = [dataclasses.replace(s, is_heading=(s.index == 5)) for s in m.source]
    m2 = MultiAlignment(heads, m.alignments, m.groups, m.signature)
    assert check_length(m2) == []


def test_low_confidence_between_thresholds():
    m = build(["甲。", "乙。", "丙。"], {"a": ["A.", "B.", "C."]},
              [([0], {"a": ([0], .9)}), ([1], {"a": ([1], .2)}), ([2], {"a": ([2], .05)})])
    assert kinds(check_low_confidence(m)) == [("low-confidence", "a", (1,), (1,))]


def test_check_alignment_order_is_deterministic_and_by_row():
    m = build(["甲 2016年。", "乙。", "丙。"], {"b": ["A 2017.", "省委 C."], "a": ["A 2016.", "B.", "C."]},
              [([0], {"a": ([0], .9), "b": ([0], .9)}),
               ([1], {"a": ([1], .9)}),
               ([2], {"a": ([2], .9), "b": ([1], .9)})])
    flags = check_alignment(m)
    assert kinds(flags) == [
        ("number", "b", (0,), (0,)),
        ("omission", "b", (1,), ()),
        ("untranslated", "b", (2,), (1,)),
    ]
    assert check_alignment(m) == flags
    by = flags_by_group(m, flags)
    assert sorted(by) == [0, 1, 2]
    assert flag_counts(flags) == {"b": {"number": 1, "omission": 1, "untranslated": 1}}
    # only some checks
    only = check_alignment(m, settings=CheckSettings(checks=("omission",)))
    assert kinds(only) == [("omission", "b", (1,), ())]


def test_flag_dict_round_trip_is_json():
    m = build(["甲。"], {"a": ["省 A."]}, [([0], {"a": ([0], .9)})])
    f = check_alignment(m)[0]
    d = json.loads(json.dumps(flag_to_dict(f), ensure_ascii=False))
    assert flag_from_dict(d) == f


def test_glossary_flags_are_included(monkeypatch):
    """The glossary checker is called when a glossary is given and its flags are merged in row order."""
    glossary = pytest.importorskip("align.glossary")
    if not hasattr(glossary, "check_glossary"):
        pytest.skip("glossary checker not available yet")
    from align.model import Flag

    m = build(["诚信。", "信用。"], {"a": ["Sincerity.", "Credit."]},
              [([0], {"a": ([0], .9)}), ([1], {"a": ([1], .9)})])
    seen = {}

    class Report:
        flags = [Flag("inconsistent", "诚信 rendered two ways", "a", (1,), (1,), term="诚信"),
                 Flag("inconsistent", "诚信 rendered two ways", "a", (0,), (0,), term="诚信")]

    def fake_check(multi, g):
        seen["args"] = (multi, g)
        return Report()

    monkeypatch.setattr(glossary, "check_glossary", fake_check)
    sentinel = object()
    flags = check_alignment(m, glossary=sentinel)
    assert seen["args"] == (m, sentinel)
    assert [f.src for f in flags] == [(0,), (1,)]


GOLD = Path(__file__).resolve().parent / "data" / "gold"


def gold_alignment(level: str, tid: str):
    """The hand-checked gold beads of 国办发〔2016〕98号 as an Alignment (confidence 1 where both sides)."""
    from align.export import as_multi

    src = segs((GOLD / level / "zh.txt").read_text(encoding="utf-8").splitlines(), "zh")
    tgt = segs((GOLD / level / f"{tid}.txt").read_text(encoding="utf-8").splitlines(), "en")
    beads = []
    for line in (GOLD / level / f"{tid}.beads").read_text(encoding="utf-8").splitlines():
        left, right = line.split(":")
        s = tuple(int(x) for x in left.strip("[]").split(",") if x)
        t = tuple(int(x) for x in right.strip("[]").split(",") if x)
        beads.append(Bead(s, t, 0.0, 1.0 if s and t else 0.0))
    return as_multi(Alignment(src, tgt, beads, tid, {"encoder": "gold", "level": level}))


@pytest.mark.parametrize("level", ["sentence", "clause"])
def test_checks_on_the_gold_alignment(level):
    """On the hand-made alignment the checks report the faults the gold notes record: CLT leaves out
    组织签署入职信用承诺书…培育企业信用文化 (1:0 beads at clause level, a short 2:1 bead at sentence
    level) and the blog writes "19th Party Congress" for 十八届; nothing is untranslated."""
    clt = check_alignment(gold_alignment(level, "clt"))
    blog = check_alignment(gold_alignment(level, "blog"))
    assert not [f for f in clt + blog if f.kind in ("untranslated", "addition", "low-confidence")]
    omitted = {i for i, s in enumerate(gold_alignment(level, "clt").source) if "组织签署入职信用承诺书" in s.text
               or "培育企业信用文化" in s.text}
    if level == "clause":
        assert sorted(f.src for f in clt if f.kind == "omission") == [(82,), (83,)]
        assert omitted == {82, 83}
    else:
        assert [f.kind for f in clt if set(f.src) & omitted] == ["length"]
    assert [f.kind for f in clt if f.kind == "number"] == []
    numbers = [f for f in blog if f.kind == "number"]
    assert len(numbers) == 1 and [x["value"] for x in numbers[0].details["extra"]] == ["19"]


# --------------------------------------------------------------------------- numbers: severities (issue 13.4)

#: the six false alarms seen on two real laws, all of them errors before
FALSE_ALARMS = [
    ("第一章 总则", "Chapter I General Provisions"),
    ("第三，加强诚信教育。", "Third, strengthen sincerity education."),
    ("二十世纪以来，我国建成了大量工程。", "Since the 20th century, China has built a great many projects."),
    ("塔高为十米至三百米。", "Towers are 10-300 metres high."),
    ("自公布之日起十五日内提出。", "It shall be raised within 15 days of publication."),
    ("奏唱国歌《义勇军进行曲》。", "Sing the national anthem, the March of the Volunteers."),
]


def one_to_one(src, tgt, tid="a"):
    return build(src, {tid: tgt}, [([i], {tid: ([i], .9)}) for i in range(len(src))])


def test_the_six_real_false_alarms_raise_no_number_flag():
    m = one_to_one([zh for zh, _ in FALSE_ALARMS], [en for _, en in FALSE_ALARMS])
    assert check_numbers(m) == []
    assert [f for f in check_alignment(m) if f.severity == "error"] == []


def test_true_number_disagreements_are_errors():
    rows = [("二十世纪以来，我国建成了大量工程。", "Since the 19th century, China has built a great many projects.",
             ["20"], ["19"]),
            ("自公布之日起十五日内提出。", "It shall be raised within 16 days of publication.", ["15"], ["16"]),
            ("比上年增长百分之五。", "An increase of 50% on the year before.", ["5%"], ["50%"])]
    m = one_to_one([r[0] for r in rows], [r[1] for r in rows])
    flags = check_numbers(m)
    assert kinds(flags) == [("number", "a", (i,), (i,)) for i in range(3)]
    assert [f.severity for f in flags] == ["error"] * 3
    assert all(f.message.startswith("numbers disagree: ") for f in flags)
    assert [[d["value"] for d in f.details["missing"]] for f in flags] == [r[2] for r in rows]
    assert [[d["value"] for d in f.details["extra"]] for f in flags] == [r[3] for r in rows]


def test_chapter_numbers_that_differ_are_an_info_note_not_a_number_error():
    m = one_to_one(["第三章 法律责任", "第三章 法律责任"], ["Chapter IV Legal Liability", "Chapter III Legal Liability"])
    flags = check_numbers(m)
    assert kinds(flags) == [("number", "a", (0,), (0,))]
    f = flags[0]
    assert f.severity == "info" and f.details["structure"] is True
    assert f.details["missing"] == [] and f.details["extra"] == []
    assert "numbers disagree" not in f.message and "enumeration differs" in f.message
    assert [d["text"] for d in f.details["source"]] == ["第三章"]
    assert [d["text"] for d in f.details["target"]] == ["Chapter IV"]


def test_a_number_on_one_side_only_is_a_warning():
    m = one_to_one(["自公布之日起十五日内提出。", "及时公布处理结果。"],
                   ["It shall be raised within a fortnight of publication.",
                    "Results shall be published within 30 days."])
    flags = check_numbers(m)
    assert kinds(flags) == [("number", "a", (0,), (0,)), ("number", "a", (1,), (1,))]
    assert [f.severity for f in flags] == ["warning", "warning"]
    assert [d["value"] for d in flags[0].details["missing"]] == ["15"]
    assert [d["value"] for d in flags[1].details["extra"]] == ["30"]
    assert all("one side only" in f.message for f in flags)


def test_the_blogs_19th_party_congress_is_an_error_beside_the_sources_18():
    m = one_to_one(["全面贯彻党的十八大和十八届三中、四中、五中、六中全会精神。"],
                   ["the 18th Party Congress and the 3rd, 4th, 5th and 6rh Plenums of the 19th Party Congress"], "blog")
    [f] = check_numbers(m)
    assert f.severity == "error"
    assert [d["value"] for d in f.details["extra"]] == ["19"]
    assert [d["text"] for d in f.details["source"]] == ["十八届"]
    assert "where the source has 18 (十八届)" in f.message


def test_a_marker_at_the_start_of_a_merged_segment_is_read_as_a_marker():
    """Rows are scanned one segment a line: "II." opening the second segment of a bead is a heading marker."""
    m = build(["二、主要任务", "（一）加强教育。"], {"a": ["II. Main tasks", "(1) Strengthen education."]},
              [([0, 1], {"a": ([0, 1], .9)})])
    assert check_numbers(m) == []


# --------------------------------------------------------------------------- duplicates (issue 13.5)

SENTENCE = "Strengthen the education of personal creditworthiness in all schools."


def test_a_sentence_repeated_inside_one_bead_is_a_duplicate():
    """The case seen: an English sentence repeated across two paragraphs, merged 1:2 at 0.998, no flag."""
    m = build(["总体要求。", "加强个人诚信教育。"],
              {"a": ["General requirements.", SENTENCE, SENTENCE], "b": ["General requirements.", SENTENCE]},
              [([0], {"a": ([0], .99), "b": ([0], .99)}), ([1], {"a": ([1, 2], .998), "b": ([1], .99)})])
    flags = check_duplicates(m)
    assert kinds(flags) == [("duplicate", "a", (1,), (1, 2))]
    f = flags[0]
    assert f.severity == "warning"
    assert "segment 3 repeats segment 2" in f.message
    assert f.details["group"] == 1 and f.details["groups"] == [1, 1] and f.details["similarity"] == 100.0
    # it is one of the checks run by default, listed after the row's other kinds in KINDS order
    assert "duplicate" in KINDS
    assert [x.kind for x in check_alignment(m)] == ["duplicate"]
    assert check_alignment(m, settings=CheckSettings(checks=("number",))) == []


def test_a_near_duplicate_in_another_row_names_both_rows():
    near = SENTENCE.upper().replace("SCHOOLS.", "SCHOOLS!!").replace("EDUCATION", "EDUCATON")
    m = one_to_one(["加强个人诚信教育。", "完善守信激励机制。"], [SENTENCE, near])
    [f] = check_duplicates(m)
    assert (f.src, f.tgt) == ((0, 1), (0, 1)) and f.details["groups"] == [0, 1] and f.details["group"] == 1
    assert 95 <= f.details["similarity"] < 100
    assert "segment 2 repeats segment 1" in f.message
    # below the threshold: two different sentences
    assert check_duplicates(m, CheckSettings(duplicate_similarity=99.5)) == []


def test_no_duplicate_where_the_source_repeats_too():
    m = one_to_one(["加强个人诚信教育。", "加强个人诚信教育。"], [SENTENCE, SENTENCE])
    assert check_duplicates(m) == []
    # 国务院办公厅 in the title and alone in the signature: the English line repeats because the source does
    m = build(["国务院办公厅关于加强个人诚信体系建设的指导意见", "国务院办公厅"],
              {"a": ["Guiding Opinion on Personal Creditworthiness", "State Council General Office",
                     "State Council General Office"]},
              [([0], {"a": ([0, 1], .97)}), ([1], {"a": ([2], .99)})])
    assert check_duplicates(m) == []


def test_short_repeats_and_different_sentences_are_not_duplicates():
    m = one_to_one(["甲。", "乙。", "丙。", "丁。"],
                   ["Done.", "Done.", SENTENCE, "Strengthen the education of corporate creditworthiness in all firms."])
    assert check_duplicates(m) == []
    assert len(check_duplicates(m, CheckSettings(duplicate_min_chars=3))) == 1


def test_three_copies_are_two_repeats_of_the_first():
    m = one_to_one(["甲。", "乙。", "丙。"], [SENTENCE, SENTENCE, SENTENCE])
    assert [(f.tgt, f.details["first"], f.details["repeat"]) for f in check_duplicates(m)] == [
        ((0, 1), 0, 1), ((0, 2), 0, 2)]


def test_find_repeats_across_blocks_of_a_long_text():
    """Texts are compared in blocks of similar length: a repeat far away, of a slightly different length, is found."""
    import random

    rng = random.Random(13)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(400)]
    texts = [" ".join(rng.choice(vocab) for _ in range(rng.randint(4, 25))) + "." for _ in range(800)]
    texts[5] = texts[5] + " and so on"
    texts.append(texts[5][:-1] + "s")  # one letter more
    texts.append(texts[700])
    found = find_repeats(texts, similarity=95.0, min_chars=20)
    assert [(r.first, r.repeat) for r in found] == [(5, 800), (700, 801)]
    assert found[1].similarity == 100.0 and 95 <= found[0].similarity < 100
    # one text a block puts the two copies of each pair in different blocks: the same repeats
    assert find_repeats(texts, similarity=95.0, min_chars=20, block=1) == found
    assert find_repeats(texts, similarity=95.0, min_chars=20, block=7) == found
    assert find_repeats([]) == []


def test_the_report_shows_a_duplicate_flag():
    from align.report import KIND_ORDER, build_report_html

    assert set(KINDS) <= set(KIND_ORDER)
    assert KIND_ORDER.index("duplicate") == KIND_ORDER.index("addition") + 1
    m = build(["加强个人诚信教育。"], {"a": [SENTENCE, SENTENCE]}, [([0], {"a": ([0, 1], .998)})])
    flags = check_alignment(m)
    html = build_report_html(m, flags)
    assert 'class="badge k-duplicate">duplicate<' in html
    assert '<option value="duplicate">duplicate</option>' in html
    assert "segment 2 repeats segment 1" in html
