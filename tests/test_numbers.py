"""Number, date and document-number extraction and comparison across Chinese and English."""
from __future__ import annotations

from pathlib import Path

import pytest

from align.numbers import chinese_to_int, compare_mentions, extract_en, extract_zh

ROOT = Path(__file__).resolve().parents[1]


def values(mentions, strong_only=False):
    return [m.describe() for m in mentions if m.strong or not strong_only]


@pytest.mark.parametrize("text, n", [
    ("十八", 18), ("二〇一六", 2016), ("一百零五", 105), ("三", 3), ("十", 10), ("两万", 20000),
    ("二十一", 21), ("三千五百", 3500), ("一亿二千万", 120_000_000),
])
def test_chinese_to_int_agrees_with_cn2an(text, n):
    cn2an = pytest.importorskip("cn2an")
    assert chinese_to_int(text) == n == cn2an.cn2an(text, "smart")


def test_chinese_to_int_rejects_non_numerals():
    with pytest.raises(ValueError):
        chinese_to_int("十八大")


@pytest.mark.parametrize("zh", ["2016年12月23日", "二〇一六年十二月二十三日", "2016 年 12 月 23 日"])
@pytest.mark.parametrize("en", ["December 23, 2016", "23 December 2016", "2016-12-23", "Dec. 23, 2016",
                                "the 23rd of December, 2016"])
def test_dates_agree_across_languages(zh, en):
    z, e = extract_zh(zh), extract_en(en)
    assert values(z) == ["2016-12-23"]
    assert values(e) == ["2016-12-23"]
    assert compare_mentions(z, e) == ([], [])


@pytest.mark.parametrize("zh", ["国办发〔2016〕98号", "国办发[2016]98号", "（2016）98号"])
@pytest.mark.parametrize("en", ["SGO release No. 98 (2016)", "Guobanfa (2016) No. 98", "GBF No. (2016)98",
                                "[2016] No. 98", "国办发〔2016〕98号"])
def test_document_numbers_agree(zh, en):
    z, e = extract_zh(zh), extract_en(en)
    assert values(z) == ["〔2016〕98"]
    assert values(e) == ["〔2016〕98"]
    assert compare_mentions(z, e) == ([], [])


def test_altered_numbers_disagree():
    z = extract_zh("国办发〔2016〕98号，2016年12月23日")
    missing, extra = compare_mentions(z, extract_en("No. 99 (2016), December 23, 2016"))
    assert values(missing) == ["〔2016〕98"] and values(extra) == ["〔2016〕99"]
    missing, extra = compare_mentions(z, extract_en("No. 98 (2016), December 24, 2016"))
    assert values(missing) == ["2016-12-23"] and values(extra) == ["2016-12-24"]


def test_document_number_written_out():
    z = extract_zh("国办发〔2016〕98号")
    assert compare_mentions(z, extract_en("State Council General Office Document No. 98 of 2016")) == ([], [])
    missing, extra = compare_mentions(z, extract_en("Document No. 99 of 2016"))
    assert values(missing) == ["〔2016〕98"] and values(extra) == ["99"]


def test_five_year_plans():
    z = extract_zh("“十三五”规划期间")
    assert values(z, strong_only=True) == ["13"]
    assert compare_mentions(z, extract_en("during the 13th Five-Year Plan")) == ([], [])


def test_party_congress_ordinals():
    zh = extract_zh("全面贯彻落实党的十八大和十八届三中、四中、五中、六中全会精神")
    assert sorted(set(values(zh, strong_only=True)), key=int) == ["3", "4", "5", "6", "18"]
    clt = extract_en("Fully put in place the spirit of the 18th Party Congress's 3rd, 4th, 5th, and sixth plenary sessions")
    assert compare_mentions(zh, clt) == ([], [])  # "sixth" (a word) satisfies 六中
    blog = extract_en("the spirit of the 18th Party Congress and the 3rd, 4th, 5th and 6rh Plenums of the 19th Party Congress")
    missing, extra = compare_mentions(zh, blog)
    assert values(missing) == [] and values(extra) == ["19"]  # the blog's "19th" is a mistake


def test_enumeration_markers_are_structure():
    assert extract_zh("（一）指导思想。一是政府推动，社会共建。二、加强个人诚信教育") == []
    assert extract_zh("1. 建立制度；2、完善机制") == []
    assert extract_en("(1) Guiding Thought. I. General Requirements") == []
    assert extract_en("II. Strengthen education (iv) and (b) things") == []
    assert extract_en("1. Improve legal and regulatory systems for credit.") == []


def test_ordinary_words_with_numerals_are_not_numbers():
    assert values(extract_zh("统一社会信用代码，进一步加强，唯一性，一些"), strong_only=True) == []
    # English number words are weak: never reported on their own
    missing, extra = compare_mentions([], extract_en("one of the first steps"))
    assert extra == []


def test_years_ranges_percent_and_units():
    assert values(extract_zh("社会信用体系建设规划纲要（2014—2020年）")) == ["2014", "2020"]
    assert values(extract_en("Social Credit System Construction Plan Outline (2014-2020)")) == ["2014", "2020"]
    assert values(extract_zh("百分之五，3.5%，1万元")) == ["5", "3.5", "10000"]
    assert values(extract_en("5 percent, 3.5%, 10,000 yuan, 1.2 million")) == ["5", "3.5", "10000", "1200000"]
    assert values(extract_zh("建立健全18岁以上成年学生诚信档案")) == ["18"]


def test_partial_dates_are_compatible():
    zh = extract_zh("2017年6月底前，各地区")
    assert values(zh) == ["2017-06-?"]
    assert compare_mentions(zh, extract_en("Before the end of June 2017, each area")) == ([], [])
    assert compare_mentions(zh, extract_en("by the end of June")) == ([], [])
    missing, extra = compare_mentions(zh, extract_en("by the end of July 2017"))
    assert values(missing) == ["2017-06-?"] and values(extra) == ["2017-07-?"]
    # a bare year matches the year of a date on the other side
    assert compare_mentions(extract_zh("2017年底前"), extract_en("before the end of 2017")) == ([], [])


def test_urls_are_ignored_and_offsets_point_into_text():
    assert extract_en("Source: http://www.gov.cn/zhengce/content/2016-12/30/content_5154830.htm") == []
    text = "截至2016年12月23日，共98项"
    for m in extract_zh(text):
        assert text[m.start:m.end] == m.text


def test_date_line_of_the_corpus_pair():
    """The date line and document number of 国办发〔2016〕98号 against both translations' headers."""
    seeds = Path("/work/shared/seeds")
    data = ROOT / "data"
    zh_path = data / "zh" / "guobanfa-2016-98.txt"
    clt_path = data / "en" / "guobanfa-2016-98.clt.txt"
    blog_path = data / "en" / "guobanfa-2016-98.blog.txt"
    if zh_path.exists():
        zh, clt, blog = (p.read_text(encoding="utf-8") for p in (zh_path, clt_path, blog_path))
    elif seeds.exists():
        blog_full = next(seeds.glob("003_*.txt")).read_text(encoding="utf-8")
        clt = next(seeds.glob("002_*.txt")).read_text(encoding="utf-8")
        i = blog_full.index("国务院办公厅关于加强")
        zh, blog = blog_full[i:], blog_full[:i]
    else:
        pytest.skip("corpus not available")
    zh_vals = set(values(extract_zh(zh)))
    assert "〔2016〕98" in zh_vals
    assert "〔2016〕98" in set(values(extract_en(clt)))   # "SGO release No. 98 (2016)"
    assert "〔2016〕98" in set(values(extract_en(blog)))  # "GBF No. (2016)98"
    assert "2016-12-23" in set(values(extract_en(clt)))  # "Promulgation Date: 2016-12-23"


from hypothesis import given, settings, strategies as st  # noqa: E402

_ALPHABET = st.sampled_from(list("0123456789年月日号〔〕()（）、。,. 第十百千万一二三四五六七八九〇届中全会岁个No.thstndrd") +
                            ["December ", "June ", " of ", "2016", "percent", "six", "sixth"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join))
def test_extraction_never_fails_and_offsets_hold(text):
    for extract in (extract_zh, extract_en):
        found = extract(text)
        for m in found:
            assert text[m.start:m.end] == m.text
        assert compare_mentions(found, found) == ([], [])
