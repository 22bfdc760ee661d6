"""Source-side term finding and target-side rendering matching."""
from pathlib import Path

import pytest

from align.glossary import load_glossary, parse_glossary
from align.glossary.render import find_instances, rendering_key, stem, tokenize
from align.glossary.terms import TermFinder

DATA = Path(__file__).resolve().parent / "data" / "glossary"


@pytest.fixture(scope="module")
def finder():
    return TermFinder(load_glossary(DATA / "small.yaml"))


def found(finder, text):
    return [(h.term, text[h.start:h.end]) for h in finder.find(text)]


def test_longest_match_first(finder):
    # 信用信息 is one term, not 信用 + 信息; the platform is one term, not 信用信息
    assert found(finder, "依托全国信用信息共享平台归集信用信息和信用记录") == [
        ("信用信息共享平台", "信用信息共享平台"), ("信用信息", "信用信息"), ("信用", "信用")]
    assert found(finder, "个人公共信用信息") == [("公共信用信息", "公共信用信息")]


def test_overlapping_terms_pick_the_longer(finder):
    # 公共信用信息 and 信用信息共享平台 overlap in 公共信用信息共享平台; the longer wins,
    # and the shorter overlapping one is not counted as well
    hits = found(finder, "公共信用信息共享平台")
    assert hits == [("信用信息共享平台", "信用信息共享平台")]


def test_zhengxin_is_not_xinyong_and_aliases_count_as_the_term(finder):
    assert found(finder, "规范发展征信市场") == [("征信", "征信")]
    assert found(finder, "使守信者受益、失信者受限") == [("守信", "守信者"), ("失信", "失信者")]


def test_jieba_keeps_words_whole():
    g = parse_glossary("entries:\n  - term: 诚信\n    preferred: integrity\n", "g.yaml")
    f = TermFinder(g)
    assert [h.term for h in f.find("真诚信任")] == []  # 真诚 + 信任, no 诚信 in it
    assert [h.term for h in f.find("褒扬诚信")] == ["诚信"]
    assert [h.term for h in TermFinder(g, use_jieba=False).find("真诚信任")] == ["诚信"]


@pytest.mark.parametrize(
    "rendering, text, surface",
    [
        ("trustworthiness", "reward the trustworthy", "trustworthy"),
        ("creditworthiness", "creditworthy members", "creditworthy"),
        ("creditworthiness", "a Credit Worthiness month", "Credit Worthiness"),
        ("creditworthiness", "a creditworworthiness system", "creditworworthiness"),
        ("keeping promises", "he kept his promises", "kept his promises"),
        ("keeping promises", "incentives for promise-keeping", "promise-keeping"),
        ("keeping promises", "enable promise-keepers to gain", "promise-keepers"),
        ("keeping trust", "ensure that trust keepers receive", "trust keepers"),
        ("breaking trust", "punish trust-breaking", "trust-breaking"),
        ("breaking trust", "grave trust-breakers", "trust-breakers"),
        ("breaking trust", "trust breaking information", "trust breaking"),
        ("trust-breaking", "breaking trust is shameful", "breaking trust"),
        ("promise-keeping", "keeping promises is glorious", "keeping promises"),
        ("promise-keeping", "he kept his promise", "kept his promise"),
        ("blacklist", 'a "black list" system', "black list"),
        ("sincerity", "do not pay taxes sincerely", "sincerely"),
        ("public credit information", "public personal credit information", "public personal credit information"),
        ("credit restoration", "the restoration of credit", "restoration of credit"),
        ("honesty", "honest conduct", "honest"),
    ],
)
def test_inflected_and_derived_renderings_match(rendering, text, surface):
    toks = tokenize(text)
    inst = find_instances(toks, [(rendering, "preferred")])
    assert inst, (rendering, text)
    assert text[inst[0].start:inst[0].end] == surface


@pytest.mark.parametrize(
    "rendering, text",
    [
        ("trustworthiness", "untrustworthy individuals"),  # a negative prefix is another word
        ("integrity", "integration and integrating"),  # snowball gives both 'integr'
        ("Credit China", 'the "China Credit" website'),  # a name is not reversible
        ("credit reporting", "for reporting credit"),
        ("credit", "creditworthiness"),
        ("credit", "creditability of organs"),
    ],
)
def test_false_friends_do_not_match(rendering, text):
    assert find_instances(tokenize(text), [(rendering, "preferred")]) == []


def test_closed_compounds_need_two_real_words():
    # "trust" + "is" must not be read as one closed word "trustis"
    inst = find_instances(tokenize("not having trust is fearful"), [("trust", "preferred")])
    assert [(i.start, i.end) for i in inst] == [(11, 16)]


def test_stems_are_stable():
    assert stem("trustworthy") == stem("trustworthiness")
    assert stem("kept") == stem("keeping") == stem("keep")
    assert rendering_key("trust-breaking") == rendering_key("breaking trust")[::-1]
    assert stem("integrity") != stem("integration")
