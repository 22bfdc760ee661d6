"""Chinese segmenter: hand-written edge cases and the real corpus."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from align.segment import SegmentSettings, detect_lang, segment, segment_lines

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


def texts(source: str, level: str = "sentence", **kw) -> list[str]:
    return [s.text for s in segment(source, "zh", level, **kw)]


def load_zh_original() -> str:
    """The Chinese original of 国办发〔2016〕98号: data/ when ingested, else
    the part of seed 003 after the blog translation."""
    data = ROOT / "data" / "zh" / "guobanfa-2016-98.txt"
    if data.exists():
        return data.read_text(encoding="utf-8")
    seeds = sorted(SEEDS.glob("003_*.txt")) if SEEDS.is_dir() else []
    if not seeds:
        pytest.skip("neither data/zh/guobanfa-2016-98.txt nor the raw seeds are available")
    raw = seeds[0].read_text(encoding="utf-8")
    start = raw.index("国务院办公厅关于加强")
    end = raw.index("Advertisements", start)
    return raw[start:end]


# --- sentence level ---------------------------------------------------------

def test_basic_sentence_ends_full_and_half_width():
    assert texts("今天天气很好。我们去公园吧！你来吗？好") == ["今天天气很好。", "我们去公园吧！", "你来吗？", "好"]
    assert texts("第一句.第二句!第三句?第四句。") == ["第一句.", "第二句!", "第三句?", "第四句。"]


def test_repeated_end_marks_and_ellipsis_stay_together():
    assert texts("真的吗？！当然。。然后") == ["真的吗？！", "当然。。", "然后"]
    assert texts("他想了想……然后离开了。") == ["他想了想……", "然后离开了。"]


def test_decimals_urls_and_ascii_dots_are_not_sentence_ends():
    assert texts("数值为3.5元。网址www.gov.cn很好。") == ["数值为3.5元。", "网址www.gov.cn很好。"]


def test_semicolon_is_not_a_sentence_end():
    assert texts("第一句话；第二句话。") == ["第一句话；第二句话。"]


def test_closing_quote_stays_with_its_sentence():
    assert texts("他说：“我来了。”然后走了。") == ["他说：“我来了。”", "然后走了。"]
    assert texts("他说：「好。」她说：『行。』") == ["他说：「好。」", "她说：『行。』"]


def test_never_split_inside_title_marks_or_brackets():
    assert texts("请阅读《关于加强。个人诚信的意见》的全文。然后执行。") == [
        "请阅读《关于加强。个人诚信的意见》的全文。", "然后执行。"]
    assert texts("这是（第一句。第二句。）的说明。下一句。") == ["这是（第一句。第二句。）的说明。", "下一句。"]
    assert texts("引用“守信光荣。失信可耻”的口号。完。") == ["引用“守信光荣。失信可耻”的口号。", "完。"]


def test_stray_quote_does_not_swallow_the_rest():
    src = "他说：“我来了。后面很多句子。还有一句。\n第二段。第三句。"
    assert texts(src) == ["他说：“我来了。", "后面很多句子。", "还有一句。", "第二段。", "第三句。"]


def test_bracket_protection_is_capped():
    inner = "很长的引文。" * 60  # 360 characters, beyond max_bracket_span_zh
    segs = texts("“" + inner + "”结束。")
    assert len(segs) > 50
    short = texts("“" + inner + "”结束。", settings=SegmentSettings(max_bracket_span_zh=1000))
    assert short == ["“" + inner + "”", "结束。"]  # the quotation ends with 。: cut after ”


def test_line_breaks_always_end_segments():
    segs = segment("第一行没有句号\n第二行也没有\n\n\n第三行。", "zh")
    assert [s.text for s in segs] == ["第一行没有句号", "第二行也没有", "第三行。"]
    assert [s.paragraph for s in segs] == [0, 1, 2]


# --- markers and headings ---------------------------------------------------

def test_headings_and_markers():
    src = "一、总体要求\n（一）指导思想。全面贯彻落实。\n(二)基本原则。\n一是政府推动，社会共建。充分发挥作用。"
    segs = segment(src, "zh")
    got = [(s.text, s.marker, s.marker_kind, s.is_heading) for s in segs]
    assert got == [
        ("一、总体要求", "一、", "chapter", True),
        ("（一）指导思想。", "（一）", "section", True),
        ("全面贯彻落实。", None, None, False),
        ("(二)基本原则。", "(二)", "section", True),
        ("一是政府推动，社会共建。", "一是", "enumeration", False),
        ("充分发挥作用。", None, None, False),
    ]


@pytest.mark.parametrize("line,marker,kind", [
    ("1. 加强组织领导。", "1.", "item"),
    ("2、建立工作机制。", "2、", "item"),
    ("（3）完善制度。", "（3）", "subitem"),
    ("(4)完善制度。", "(4)", "subitem"),
    ("第一条 为了规范管理，制定本办法。", "第一条", "article"),
    ("第三章 法律责任", "第三章", "chapter"),
    ("十二、附则", "十二、", "chapter"),
])
def test_marker_kinds(line, marker, kind):
    first = segment(line, "zh")[0]
    assert (first.marker, first.marker_kind) == (marker, kind)


def test_item_sentence_is_not_a_heading_but_short_title_line_is():
    assert segment("1. 加强组织领导。", "zh")[0].is_heading is False
    assert segment("1. 组织领导", "zh")[0].is_heading is True
    long_first = "（一）" + "很长的第一句" * 10 + "。后面。"
    assert segment(long_first, "zh")[0].is_heading is False


def test_number_dot_inside_text_is_not_a_marker_split():
    assert texts("增长3.5个百分点。") == ["增长3.5个百分点。"]


# --- clause level -----------------------------------------------------------

def test_clause_semicolon_and_colon():
    assert texts("第一句话；第二句话。", "clause") == ["第一句话；", "第二句话。"]
    assert texts("主要任务：加强诚信教育和信用记录建设。", "clause") == ["主要任务：", "加强诚信教育和信用记录建设。"]


def test_colon_before_quote_or_inside_brackets_is_not_a_boundary():
    assert texts("口号是：“守信光荣、失信可耻”。", "clause") == ["口号是：“守信光荣、失信可耻”。"]
    assert texts("（注：此处不拆分的内容较长）后文继续说明情况。", "clause") == ["（注：此处不拆分的内容较长）后文继续说明情况。"]


def test_comma_between_clauses_splits():
    assert texts("加强组织领导，建立健全工作推进机制，确保各项任务落到实处。", "clause") == [
        "加强组织领导，", "建立健全工作推进机制，", "确保各项任务落到实处。"]


def test_policy_verbs_that_jieba_mistags_still_start_clauses():
    # jieba tags 弘扬 as a name and 营造 as a noun
    assert texts("以培育和践行社会主义核心价值观为根本，大力弘扬诚信文化，积极营造良好社会氛围。", "clause") == [
        "以培育和践行社会主义核心价值观为根本，", "大力弘扬诚信文化，", "积极营造良好社会氛围。"]


def test_enumerations_of_nouns_stay_together():
    for src in ["以食品药品、安全生产、消防安全、交通安全等领域为重点。",
                "国家发展改革委员会，中国人民银行总行，国家市场监督管理总局。",
                "褒扬诚信，惩戒失信。"]:
        assert texts(src, "clause") == [src]


def test_clause_never_inside_brackets():
    src = "依托“信用中国，信用网站，共享平台”网站，向社会公开披露各级人民政府掌握的信息。"
    segs = texts(src, "clause")
    for s in segs:
        assert s.count("“") == s.count("”")


def test_heading_is_not_split_into_clauses():
    segs = segment("四、完善个人信息安全、隐私保护与信用修复机制\n（三）推动形成市场性，社会性约束和惩戒。其他。", "zh", "clause")
    assert segs[0].text == "四、完善个人信息安全、隐私保护与信用修复机制" and segs[0].is_heading
    assert segs[1].text == "（三）推动形成市场性，社会性约束和惩戒。" and segs[1].is_heading


# --- long runs --------------------------------------------------------------

def test_long_unpunctuated_line_is_cut_at_word_boundaries():
    rng = random.Random(0)
    words = ["社会信用", "体系建设", "个人诚信", "信息安全", "隐私保护", "联合惩戒", "守信激励", "统一代码"]
    src = "".join(rng.choice(words) for _ in range(25000))  # 100,000 characters, no punctuation
    assert len(src) == 100_000
    segs = segment(src, "zh")
    limit = SegmentSettings().max_chars_zh
    assert all(len(s.text) <= limit for s in segs)
    assert len(segs) >= len(src) // limit
    assert "".join(s.text for s in segs) == src
    # an odd limit: cutting at the limit would land on odd offsets; jieba boundaries fall between
    # the two-character words
    small = segment(src, "zh", settings=SegmentSettings(max_chars_zh=51))
    assert all(len(s.text) <= 51 for s in small)
    assert all(s.start % 2 == 0 for s in small)


def test_long_line_prefers_punctuation_cuts():
    src = "，".join(["加强个人诚信体系建设工作"] * 100) + "。"
    segs = segment(src, "zh", settings=SegmentSettings(max_chars_zh=100))
    assert all(len(s.text) <= 100 for s in segs)
    assert all(s.text.endswith(("，", "。")) for s in segs)


# --- the real corpus --------------------------------------------------------

CHAPTERS = ["一、总体要求", "二、加强个人诚信教育", "三、加快推进个人诚信记录建设",
            "四、完善个人信息安全、隐私保护与信用修复机制", "五、规范推进个人诚信信息共享使用",
            "六、完善个人守信激励和失信惩戒机制", "七、强化保障措施"]
SECTIONS_PER_CHAPTER = [2, 5, 2, 3, 2, 3, 4]


@pytest.mark.parametrize("level", ["sentence", "clause"])
def test_corpus_chinese_original_structure(level):
    text = load_zh_original()
    assert detect_lang(text) == "zh"
    segs = segment(text, "zh", level)
    chapters = [s.text for s in segs if s.marker_kind == "chapter" and s.is_heading]
    assert chapters == CHAPTERS
    counts: list[int] = []
    for s in segs:
        if s.marker_kind == "chapter":
            counts.append(0)
        elif s.marker_kind == "section" and s.is_heading:
            counts[-1] += 1
    assert counts == SECTIONS_PER_CHAPTER
    first_sections = [s.text for s in segs if s.marker_kind == "section"][:2]
    assert [re.sub(r"[（(]|[）)].*", "", t) for t in first_sections] == ["一", "二"]
    assert any(s.text == "(一)指导思想。" and s.is_heading for s in segs)
    enumerations = [s.marker for s in segs if s.marker_kind == "enumeration"]
    assert enumerations == ["一是", "二是", "三是", "四是"]
    for s in segs:
        assert text[s.start:s.end] == s.text


def test_corpus_clause_level_is_finer_and_keeps_quotes_whole():
    text = load_zh_original()
    sentences = segment(text, "zh", "sentence")
    clauses = segment(text, "zh", "clause")
    assert len(clauses) > 1.5 * len(sentences)
    quoted = [s.text for s in clauses if "“" in s.text]
    assert quoted and all(s.count("“") == s.count("”") for s in quoted)
    # every sentence boundary is also a clause boundary
    clause_ends = {s.end for s in clauses}
    assert all(s.end in clause_ends for s in sentences)


def test_segment_lines_keeps_lines_and_detects_markers():
    src = "一、总体要求\n\n（一）指导思想。全面贯彻落实。\n普通一行，不再拆分。还是同一行。"
    segs = segment_lines(src, "zh")
    assert [s.text for s in segs] == ["一、总体要求", "（一）指导思想。全面贯彻落实。", "普通一行，不再拆分。还是同一行。"]
    assert [s.marker_kind for s in segs] == ["chapter", "section", None]
    assert segs[0].is_heading and not segs[2].is_heading
    assert [s.paragraph for s in segs] == [0, 1, 2]
