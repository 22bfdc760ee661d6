"""Number, date and document-number extraction and comparison across Chinese and English."""
from __future__ import annotations

from pathlib import Path

import pytest

from align.numbers import (
    chinese_to_int, compare_mentions, compare_numbers, english_numbers, extract_en, extract_zh, roman_to_int,
)

ROOT = Path(__file__).resolve().parents[1]


def values(mentions, strong_only=False):
    return [m.describe() for m in mentions if m.strong or not strong_only]


@pytest.mark.parametrize("text, n", [
    ("十八", 18), ("二〇一六", 2016), ("一百零五", 105), ("三", 3), ("十", 10), ("两万", 20000),
    ("二十一", 21), ("三千五百", 3500), ("一亿二千万", 120_000_000), ("一万亿", 10 ** 12),
    ("一亿零五百万", 105_000_000), ("两千", 2000), ("二十万零五", 200_005), ("两万三千", 23_000), ("零", 0), ("〇", 0),
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
    c = compare_numbers(zh, blog)
    # ... and a disagreement, not a number the source leaves out: it stands where 十八届 stands
    assert c.severity == "error" and [m.text for m in c.against_source] == ["十八届"]


def markers(mentions):
    """The enumeration markers (kind ``enum``) as values; fails if anything else was read."""
    assert [m.kind for m in mentions] == ["enum"] * len(mentions), [(m.kind, m.text) for m in mentions]
    return [m.describe() for m in mentions]


def test_enumeration_markers_are_structure():
    assert markers(extract_zh("（一）指导思想。一是政府推动，社会共建。二、加强个人诚信教育")) == ["1", "1", "2"]
    assert markers(extract_zh("1. 建立制度；2、完善机制")) == ["1", "2"]
    assert markers(extract_zh("①建立制度②完善机制")) == ["1", "2"]
    assert markers(extract_zh("第一，建立制度。第三章 法律责任。依照第二十条至第二十二条")) == ["1", "3", "20", "22"]
    assert markers(extract_zh("首先，建立制度；其次，完善机制")) == ["1", "2"]
    assert markers(extract_en("(1) Guiding Thought. I. General Requirements")) == ["1"]  # "I." mid-line: the pronoun
    assert markers(extract_en("I. General Requirements")) == ["1"]
    assert markers(extract_en("II. Strengthen education (iv) and (b) things")) == ["2", "4", "2"]
    assert markers(extract_en("1. Improve legal and regulatory systems for credit.")) == ["1"]
    assert markers(extract_en("First, government promotion. Secondly, social construction.")) == ["1", "2"]
    # the blog writes its headings "I, Guiding thought"
    assert markers(extract_en("I, Guiding thought\nVII, Strengthen organization")) == ["1", "7"]


@pytest.mark.parametrize("text, n", [("I", 1), ("IV", 4), ("IX", 9), ("XIV", 14), ("XX", 20), ("XL", 40),
                                     ("XC", 90), ("CD", 400), ("MCMXCIV", 1994), ("xiv", 14)])
def test_roman_to_int(text, n):
    assert roman_to_int(text) == n


@pytest.mark.parametrize("text", ["", "IIII", "VX", "IC", "ABC", "MMMMM"])
def test_roman_to_int_rejects_malformed(text):
    with pytest.raises(ValueError):
        roman_to_int(text)


@pytest.mark.parametrize("en, values", [
    ("Chapter I General Provisions", ["1"]), ("Chapter XX", ["20"]), ("Chapter XXIV", ["24"]),
    ("Part III", ["3"]), ("Section IV", ["4"]), ("Article 5", ["5"]), ("Book II", ["2"]), ("Title IX", ["9"]),
    ("Volume XL", ["40"]), ("Chapter MCM", ["1900"]), ("Chapter Three", ["3"]), ("Articles 3 and 4", ["3", "4"]),
    ("Articles 12 to 15", ["12", "15"]), ("III. Tasks", ["3"]), ("XII. Supplementary provisions", ["12"]),
])
def test_roman_numerals_and_structure_words_are_read_as_markers(en, values):
    assert markers(extract_en(en)) == values


@pytest.mark.parametrize("en", [
    "I think so.", "Then I.", "I. ", "MIX. them well", "MIX the paint", "in part I think it is wrong",
    "Did I mention it? I did.", "CD. players", "Louis XIV was king",
])
def test_roman_numerals_are_not_read_elsewhere(en):
    assert extract_en(en) == []


@pytest.mark.parametrize("text, values", [
    ("twenty-five", [25]), ("one hundred and five", [105]), ("two thousand three hundred", [2300]),
    ("twenty-first", [21]), ("five million three hundred thousand", [5_300_000]), ("ninety-nine", [99]),
    ("one thousand and one", [1001]), ("two three", [2, 3]), ("thirtieth", [30]), ("hundredth", [100]),
    ("two hundred and fifty thousand", [250_000]), ("one and two", [1, 2]),
])
def test_english_number_words(text, values):
    assert [n.value for n in english_numbers(text)] == values


def test_english_number_word_strength():
    def strong(text):
        return [(m.describe(), m.strong) for m in extract_en(text)]
    assert strong("one of the first steps") == [("1", False), ("1", False)]
    assert strong("three tasks and the tenth item") == [("3", False), ("10", False)]
    assert strong("the eighteenth congress, twelve provinces") == [("18", True), ("12", True)]
    assert strong("twenty-five people, one hundred yuan, a hundred reasons") == [
        ("25", True), ("100", True), ("100", False)]


def test_ordinary_words_with_numerals_are_not_numbers():
    assert values(extract_zh("统一社会信用代码，进一步加强，唯一性，一些"), strong_only=True) == []
    # English number words are weak: never reported on their own
    missing, extra = compare_mentions([], extract_en("one of the first steps"))
    assert extra == []


def test_years_ranges_percent_and_units():
    assert values(extract_zh("社会信用体系建设规划纲要（2014—2020年）")) == ["2014", "2020"]
    assert values(extract_en("Social Credit System Construction Plan Outline (2014-2020)")) == ["2014", "2020"]
    assert values(extract_zh("百分之五，3.5%，1万元")) == ["5%", "3.5%", "10000"]
    assert values(extract_en("5 percent, 3.5%, 10,000 yuan, 1.2 million")) == ["5%", "3.5%", "10000", "1200000"]
    assert values(extract_zh("建立健全18岁以上成年学生诚信档案")) == ["18"]


@pytest.mark.parametrize("zh, en", [
    ("第一章 总则", "Chapter I General Provisions"),
    ("第三，加强诚信教育。", "Third, strengthen sincerity education."),
    ("第三条 本法自公布之日起施行。", "Article 3 This Law takes effect on the day of its promulgation."),
    ("第三条 本法自公布之日起施行。", "Third: this Law takes effect on the day of its promulgation."),
    ("第三批示范城市", "the third batch of model cities"),
    ("二十世纪以来", "since the 20th century"),
    ("二十世纪以来", "since the twentieth century"),
    ("十米至三百米", "10-300 metres"),
    ("十米至三百米", "10 to 300 metres"),
    ("高度为十至三百米", "a height of 10–300 m"),
    ("自公布之日起十五日内", "within 15 days of publication"),
    ("自公布之日起十五日内", "within fifteen days of publication"),
    ("奏唱国歌《义勇军进行曲》", "sing the national anthem, the March of the Volunteers"),
])
def test_the_six_real_false_alarms_agree(zh, en):
    """Every number flag on two real laws was one of these, all errors; none is a disagreement."""
    c = compare_numbers(extract_zh(zh), extract_en(en))
    assert c.severity in (None, "info"), (c.missing, c.extra)
    assert not c.missing and not c.extra


@pytest.mark.parametrize("zh, en, missing, extra", [
    ("二十世纪以来", "since the 19th century", ["20"], ["19"]),
    ("自公布之日起十五日内", "within 16 days of publication", ["15"], ["16"]),
    ("增长百分之五", "grew by 50%", ["5%"], ["50%"]),
    ("增长百分之五", "grew by fifty percent", ["5%"], ["50%"]),
    ("三分之一以上", "more than one half", ["1/3"], ["1/2"]),
    ("十米至三百米", "10-200 metres", ["300"], ["200"]),
    ("2016年12月23日", "23 December 2015", ["2016-12-23"], ["2015-12-23"]),
    ("国办发〔2016〕98号", "No. 99 (2016)", ["〔2016〕98"], ["〔2016〕99"]),
])
def test_true_disagreements_are_errors(zh, en, missing, extra):
    c = compare_numbers(extract_zh(zh), extract_en(en))
    assert values(c.missing) == missing and values(c.extra) == extra
    assert c.disagree and c.severity == "error"


def test_a_weak_value_on_the_other_side_still_disagrees():
    """十五日 against "ten days": "ten" alone is never reported, but it stands against 15."""
    c = compare_numbers(extract_zh("十五日内"), extract_en("within ten days"))
    assert values(c.missing) == ["15"] and c.extra == ()
    assert values(c.against_target) == ["10"] and c.severity == "error"


def test_a_value_on_one_side_only_is_a_warning():
    c = compare_numbers(extract_zh("自公布之日起十五日内"), extract_en("within a fortnight of publication"))
    assert values(c.missing) == ["15"] and not c.disagree and c.severity == "warning"
    c = compare_numbers(extract_zh("及时公布"), extract_en("publish within 30 days"))
    assert values(c.extra) == ["30"] and c.severity == "warning"
    # a year does not stand against a count, nor "one" against anything
    c = compare_numbers(extract_zh("三项制度"), extract_en("the 2016 systems"))
    assert values(c.extra) == ["2016"] and c.severity == "warning"
    c = compare_numbers(extract_zh("十五日内"), extract_en("within one month"))
    assert c.severity == "warning"


def test_enumeration_mismatch_is_structure_not_a_number_error():
    c = compare_numbers(extract_zh("第三章 法律责任"), extract_en("Chapter IV Legal Liability"))
    assert c.missing == () and c.extra == () and not c.disagree
    assert c.severity == "info"
    assert values(c.markers_source) == ["3"] and values(c.markers_target) == ["4"]
    for zh, en in [("（一）指导思想", "(2) Guiding thought"), ("一、总体要求", "II. General requirements"),
                   ("第一，", "Second,")]:
        assert compare_numbers(extract_zh(zh), extract_en(en)).severity == "info"
    # a marker on one side only is no news
    assert compare_numbers(extract_zh("（一）指导思想"), extract_en("Guiding thought")).severity is None
    assert compare_numbers(extract_zh("第三章 法律责任"), extract_en("Chapter III Legal Liability")).severity is None


@pytest.mark.parametrize("en, expected", [
    ("March 3", ["?-03-03"]), ("3 March 2016", ["2016-03-03"]), ("March 2016", ["2016-03-?"]),
    ("on 3rd March", ["?-03-03"]), ("May 4, 2019", ["2019-05-04"]), ("in May 2016", ["2016-05-?"]),
])
def test_month_names_inside_dates_are_dates(en, expected):
    found = extract_en(en)
    assert [m.kind for m in found] == ["date"] and values(found, strong_only=True) == expected


@pytest.mark.parametrize("en", ["the March of the Volunteers", "May the best team win", "they march to the square",
                                "as you may know", "in June", "by the end of May"])
def test_month_names_alone_are_not_dates(en):
    """A month name alone is at most a weak date: never reported, never against a date."""
    assert values(extract_en(en), strong_only=True) == []
    c = compare_numbers(extract_zh("2016年4月"), extract_en(en))
    assert c.severity in ("warning", None) and not c.disagree


@pytest.mark.parametrize("zh, expected", [
    ("十五日", ["15"]), ("二十世纪", ["20"]), ("21世纪", ["21"]), ("十米至三百米", ["10", "300"]),
    ("三至五公里", ["3", "5"]), ("两万人", ["20000"]), ("一亿二千万元", ["120000000"]), ("1.2亿元", ["120000000"]),
    ("三万亿元", ["3000000000000"]), ("百分之五", ["5%"]), ("百分之零点五", ["0.5%"]), ("五个百分点", ["5%"]),
    ("三分之一", ["1/3"]), ("四分之二", ["1/2"]), ("三百米", ["300"]), ("六个月", ["6"]), ("十八周岁", ["18"]),
    ("二〇一六年", ["2016"]), ("零点五吨", ["0.5"]),
])
def test_chinese_numerals_in_numeric_contexts(zh, expected):
    assert values(extract_zh(zh), strong_only=True) == expected


def test_chinese_numerals_in_ordinary_words_are_never_reported():
    """Read everywhere, but outside a numeric context only *bare*: they satisfy, they never stand against."""
    found = extract_zh("统一社会信用代码，进一步加强，唯一性，一些，千方百计，三令五申")
    assert found and all(not m.strong for m in found)
    # 进一步 and 千方 look like counters (weak); a lone 一 is never read bare
    assert [m.text for m in found if not m.bare] == ["一", "千"]
    assert [m.text for m in found if m.bare] == ["百", "三", "五"]
    c = compare_numbers(extract_zh("三令五申"), extract_en("repeatedly, 3 times"))
    assert c.severity is None  # the 3 is there, bare
    c = compare_numbers(extract_zh("三令五申"), extract_en("repeatedly, 4 times"))
    assert c.severity == "warning"  # bare numerals never stand against a value


@pytest.mark.parametrize("zh, en", [
    ("增长百分之五", "grew by 5%"), ("增长百分之五", "grew by five percent"), ("增长百分之五", "grew by 5 per cent"),
    ("三分之一以上", "more than one third"), ("三分之一以上", "more than one-third"), ("三分之二", "two thirds"),
    ("三分之一以上", "more than 1/3"), ("四分之一", "25%"), ("二分之一", "one half"), ("一半", "half"),
    ("两年内", "within two years"), ("一亿二千万元", "120 million yuan"), ("一亿二千万元", "RMB 120,000,000"),
    ("二十一世纪", "the twenty-first century"), ("一百零五人", "one hundred and five people"),
    ("五个百分点", "5 percentage points"), ("2017年6月底前", "by the end of June"),
])
def test_percentages_fractions_and_words_agree(zh, en):
    assert compare_numbers(extract_zh(zh), extract_en(en)).severity is None


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

_ALPHABET = st.sampled_from(list("0123456789年月日号〔〕()（）、。,. 第十百千万亿两一二三四五六七八九〇届中全会岁个章条至点分之%-\n"
                                 "No.thstndrdIVXLCM") +
                            ["December ", "June ", "March ", "May ", " of ", "2016", "percent", "six", "sixth",
                             "twenty", "-five", " hundred", " and ", "third", "Chapter ", "Article ", "世纪", "百分之"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join))
def test_extraction_never_fails_and_offsets_hold(text):
    for extract in (extract_zh, extract_en):
        found = extract(text)
        for m in found:
            assert text[m.start:m.end] == m.text
        assert compare_mentions(found, found) == ([], [])
        assert compare_numbers(found, found).severity is None


_RULE_PIECES = _ALPHABET | st.sampled_from([
    "Jan. ", "Sept. ", "Sep ", "PERCENT", "Per Cent", "percentage points", "FIRST, ", "First, ", "Secondly: ",
    "\u0130", "\u0131", "\u017f", "\u212a", "http://x.cn/a ", "WWW.", "https://", "quarter", "halves", "a half",
    " thousand", "MILLION", "/", "／", "亩", "公里", "平方米", "个月", "工作日", "是", "首先，", "其次，", "大，",
    "一半", "十三五", "规划", "No. ", "#", "Number ", "(a)", "（2）", "III. ", "\n", "ONE", "Twenty-First",
    "Sections ", "ANNEX ", "〔2016〕", "98号", "二〇一六", "２０１６", "％", "～", "－", "①", "项", "周岁"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_RULE_PIECES, max_size=24).map("".join))
def test_a_rule_skipped_for_lacking_its_words_could_not_have_matched(text):
    """The scan skips a rule when the text holds none of the words every one
    of its matches holds (case-folded as a pattern ignoring case folds): the
    mentions are those of the scan that tries every rule."""
    from align import numbers

    for rules in (numbers._ZH_RULES, numbers._EN_RULES):
        assert numbers._scan(text, rules) == numbers._scan(text, rules, prefilter=False)


@pytest.mark.parametrize("text, needs, may", [
    ("Twenty PERCENT", ("percent",), True), ("\u0130n", ("in",), True), ("\u212ailo", ("kilo",), True),
    ("twenty", ("percent",), False), ("", ("x",), False), ("anything", (), True),
])
def test_what_a_rule_needs_is_looked_for_case_folded(text, needs, may):
    from align import numbers

    rule = numbers.Rule(numbers.re.compile("x"), lambda m: None, needs)
    assert rule.may_match(numbers.fold_for_needs(text)) is may
