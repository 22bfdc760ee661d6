"""Glossary mining of strings seen too few times for statistics: proposed
when built on a candidate of the text and attested by the translations;
basic vocabulary and verb phrases kept out; on hand-built cases, the law of
another domain (tests/data/mining) and 国办发〔2016〕98号."""
from __future__ import annotations

import json
import math

import pytest

from align.cli import main
from align.glossary import mine_glossary
from align.glossary.candidates import Morphemes, _quoted, candidates
from align.glossary.mine import draft_glossary

from test_glossary_mine import LAW, by_hand, law, law_mined, mined98  # noqa: F401 (the fixtures)

CREDIT_ZH = ["完善信用记录。", "共享信用记录。", "查询信用记录。", "发布信用报告。", "优化信用环境。", "加强组织领导。"]
CREDIT_CLT = ["Improve credit records.", "Share credit records.", "Query credit records.", "Publish credit reports.",
              "Optimise the credit environment.", "Strengthen organisational leadership."]
CREDIT_BLOG = ["Perfect credit records.", "Share credit records.", "Look up credit records.",
               "Release credit reports.", "Better the climate of trust.", "Strengthen leadership."]


@pytest.fixture(scope="module")
def credit():
    return by_hand(CREDIT_ZH, {"clt": CREDIT_CLT, "blog": CREDIT_BLOG})


def test_a_string_seen_once_is_proposed_when_two_translations_give_it_the_same_words(credit):
    mined = {m.term: m for m in mine_glossary(credit, min_count=3)}
    report = mined["信用报告"]
    assert report.count == 1 and report.renderings == {"clt": {"credit reports": 1}, "blog": {"credit reports": 1}}
    assert "same words" in report.attested.reason
    # 信用环境 is seen once too, but rendered two ways (credit environment, climate of trust): a free phrase
    assert "信用环境" not in mined
    # 组织领导 is built on no candidate of the text
    assert "组织领导" not in mined
    assert mined["信用记录"].attested is None  # seen three times: statistics, no attestation needed
    note = draft_glossary(list(mined.values())).entry("信用报告").note
    assert "Seen too rarely for statistics; proposed because clt and blog give it the same words" in note


def test_rare_strings_can_be_left_out(credit):
    mined = mine_glossary(credit, min_count=3, rare=False)
    assert {m.term for m in mined} == {"信用", "信用记录"}
    assert all(m.count >= 3 for m in mined)


def test_a_quoted_dictionary_word_counts_as_named():
    assert _quoted("建立“黑名单”制度", 3, 6) and _quoted("依托《信用中国》网站", 3, 7)
    assert not _quoted("建立黑名单制度", 2, 5) and not _quoted("“黑名单", 1, 4)
    quoted = {c.term: c for c in candidates(["建立“黑名单”制度。"], min_count=3, rare=True)}["黑名单"]
    plain = {c.term: c for c in candidates(["建立黑名单制度。"], min_count=3, rare=True)}["黑名单"]
    assert quoted.rare and plain.rare
    # quoted, it is as specific as a word seen min_count times; unquoted, as one seen once
    assert quoted.specificity - plain.specificity == pytest.approx(math.log(3))


def test_a_quoted_string_ranks_as_seen_min_count_times():
    base = ["完善信用记录。", "共享信用记录。", "查询信用记录。"]
    quoted = {c.term: c for c in candidates(base + ["依托“信用中国”网站。"], min_count=3, rare=True)}["信用中国"]
    plain = {c.term: c for c in candidates(base + ["依托信用中国网站。"], min_count=3, rare=True)}["信用中国"]
    assert quoted.rare and plain.rare and quoted.specificity == pytest.approx(plain.specificity)
    assert quoted.boundary == plain.boundary == 1.0
    # seen once either way; named by the text (quoted), as if seen 3 times, else as if seen 2 times
    assert quoted.score / plain.score == pytest.approx(math.log2(4) / math.log2(3))


def test_a_dictionary_word_seen_once_built_on_the_texts_morpheme_counts_as_named():
    # 信 is this text's subject (诚信, 失信, 守信, 信用): 公信力, seen once, is built on it; 高质量 is not
    texts = ["加强诚信建设。", "惩戒失信行为。", "激励守信行为。", "完善信用记录。", "共享信用记录。",
             "推进诚信教育。", "提高政府公信力。", "推动高质量发展。"]
    morphemes = Morphemes.of(texts, 3)
    assert morphemes.domain("公信力") and morphemes.domain("诚信")
    assert not morphemes.domain("高质量") and not morphemes.domain("政府")
    got = {c.term: c for c in candidates(texts, min_count=3, rare=True)}
    quoted = [t.replace("公信力", "“公信力”").replace("高质量", "“高质量”") for t in texts]
    named = {c.term: c for c in candidates(quoted, min_count=3, rare=True)}
    assert got["公信力"].rare and got["高质量"].rare and got["公信力"].count == 1
    # 公信力 is as specific as when the text names it in quotes (as if seen min_count times);
    # 高质量 only as specific as its one occurrence says
    assert got["公信力"].specificity == pytest.approx(named["公信力"].specificity)
    assert named["高质量"].specificity - got["高质量"].specificity == pytest.approx(math.log(3))


def test_words_the_dictionary_lists_as_one_headword_have_a_terms_shape():
    # 市场 occurs twice: 市场经济 is built on no candidate of the text, but CC-CEDICT lists it as
    # one headword (market economy); 市场秩序 it does not, and 组织领导 neither
    texts = ["促进经济发展。", "推动经济增长。", "优化经济结构。", "发展市场经济。", "维护市场秩序。", "加强组织领导。"]
    got = {c.term: c for c in candidates(texts, min_count=3, rare=True)}
    assert got["市场经济"].rare and got["市场经济"].count == 1
    assert "市场秩序" not in got and "组织领导" not in got
    assert not got["经济"].rare


def test_a_verb_that_modifies_verbs_starts_a_compound():
    texts = ["实施联合惩戒。", "开展联合惩戒。", "加强联合惩戒。", "健全守信激励。", "完善守信激励。",
             "创新守信激励。", "推动守信联合激励。"]
    got = {c.term: c for c in candidates(texts, min_count=3, rare=True)}
    # 联合 is followed by a verbal word every time it occurs: it modifies 激励 as it does 惩戒
    assert got["联合激励"].rare and got["联合激励"].count == 1
    assert not got["联合惩戒"].rare


def test_rare_terms_of_another_domain_and_no_verb_phrases(law_mined):
    for term, english in (("自治区", "autonomous regions"), ("组织法", "organic law")):
        m = law_mined[term]
        assert m.attested is not None and m.count == 1
        assert english in {r.lower() for counts in m.renderings.values() for r in counts}
    # a verb before its object or after its subject is not a term, however it is rendered
    for phrase in ("监督人民法院", "最高人民法院监督", "国家发展", "监督地方"):
        assert phrase not in law_mined, phrase


def test_key_terms_of_the_law_still_lead(law):
    first = [m.term for m in mine_glossary(law, None, min_count=3, top=10)]
    for term in ("人民法院", "全国人民代表大会", "中华人民共和国", "人民检察院", "全国人民代表大会常务委员会",
                 "最高人民法院"):
        assert term in first[:8], (term, first)


# --- 国办发〔2016〕98号 ----------------------------------------------------------------


def test_terms_seen_once_in_98_that_both_translators_render_alike(mined98):
    by = {m.term: m for m in mined98}
    first = [m.term for m in mined98[:40]]
    assert by["信用报告"].main == {"clt": "credit reports", "blog": "credit reports"}
    assert {by["信用中国"].main["clt"], by["信用中国"].main["blog"]} == {"China Credit", "Credit China"}
    for term in ("信用报告", "信用中国"):
        assert term in first, term
    # 社会信用体系 and 信用体系 are one place: one of them is proposed
    assert ("信用体系" in by) != ("社会信用体系" in by)
    assert by["黑名单"].renderings["blog"] == {"blacklist": 1} and "CC-CEDICT" in by["黑名单"].attested.reason


def test_basic_vocabulary_is_no_entry_of_98(mined98):
    first = [m.term for m in mined98[:40]]
    for word in ("个人", "信息", "建立", "加强", "工作"):
        assert word not in first, word


def test_a_rare_string_ranks_below_what_it_extends(mined98):
    often = {m.term: m.score for m in mined98 if m.attested is None}
    rare = [m for m in mined98 if m.attested is not None]
    assert len(rare) >= 10
    for m in rare:
        base = max((t for t in often if t in m.term), key=len, default=None)
        if base is not None:
            assert m.score <= often[base] + 1e-9, (m.term, base)


def test_cli_json_says_why_a_rare_term_is_proposed(tmp_path, capsys):
    args = ["glossary", "mine", LAW / "npc-law.zh.txt", LAW / "npc-law.a.txt", LAW / "npc-law.b.txt",
            "--encoder", "lexical", "--top", "30", "-o", tmp_path / "d.yaml", "--json"]
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert exc.value.code == 0, err
    data = {m["term"]: m for m in json.loads(out)}
    assert data["自治区"]["attested"] and data["人民法院"]["attested"] is None
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args + ["--no-rare"]])
    out, err = capsys.readouterr()
    assert exc.value.code == 0, err
    assert all(m["count"] >= 3 and m["attested"] is None for m in json.loads(out))


def test_basic_vocabulary_counts_half_as_a_one_word_term(monkeypatch):
    import align.glossary.candidates as cands

    texts = ["完善个人征信。", "保护个人信息。", "查询个人记录。", "规范征信市场。", "发展征信业务。"]
    halved = {c.term: c.score for c in candidates(texts, min_count=3)}
    monkeypatch.setattr(cands, "BASIC_WEIGHT", 1.0)
    full = {c.term: c.score for c in candidates(texts, min_count=3)}
    # 个人 is among the commonest words of general Chinese, 征信 is not
    assert halved["个人"] == pytest.approx(full["个人"] / 2)
    assert halved["征信"] == pytest.approx(full["征信"])


def test_a_neighbour_seen_once_tells_nothing_of_a_boundary():
    # 发布 occurs once, followed by 信用报告: that says nothing of where 信用报告 begins
    got = {c.term: c for c in candidates(["完善信用记录。", "共享信用记录。", "查询信用记录。", "发布信用报告。"],
                                         min_count=3, rare=True)}
    assert got["信用报告"].left_entropy == 1.0
    # 人民 is always followed by 法院 here: a string starting after it is a fragment, the string
    # starting with it is not
    texts = ["人民法院院长。", "法院判决。", "法院执行。", "上级法院裁定。", "人民法院审理。", "人民法院公开。"]
    got = {c.term: c for c in candidates(texts, min_count=3, rare=True)}
    assert "法院" in got and not got["法院"].rare
    assert "法院院长" not in got and got["人民法院院长"].rare


def test_a_string_met_on_its_own_once_is_a_fragment():
    texts = ["依托全国信用信息共享平台。", "接入全国信用信息共享平台。", "完善全国信用信息共享平台。",
             "设立全国信用记录日。", "加强全国信用信息共享平台和全国信用记录日。"]
    got = {c.term: c for c in candidates(texts, min_count=3)}
    assert got["全国信用信息共享平台"].count == 4
    # 全国信用 occurs 6 times, 4 of them inside the platform's name: on its own (C-value) 2
    assert got["全国信用"].own == pytest.approx(2.0)
    texts = texts[:3] + ["设立全国信用记录日。"]
    got = {c.term: c for c in candidates(texts, min_count=3)}
    assert "全国信用" not in got  # 4 times, 3 inside the name: on its own once


HEAD_ZH = CREDIT_ZH + ["实施信用分类监管。"]
HEAD_CLT = CREDIT_CLT + ["Implement credit classification supervision."]


def test_a_rare_string_whose_next_word_is_rendered_right_after_it_is_a_modifier_of_a_longer_unit():
    # 信用分类 + 监管 -> "credit classification" + "supervision" in both: 信用分类 modifies 监管 in both
    # languages (the unit is 信用分类监管); 信用报告 ends its clause and stays
    mined = {m.term: m for m in mine_glossary(by_hand(HEAD_ZH, {"clt": HEAD_CLT, "blog": CREDIT_BLOG + [
        "Carry out credit classification supervision."]}), min_count=3)}
    assert "信用报告" in mined and "信用分类" not in mined


def test_a_translation_that_renders_the_next_word_further_on_keeps_the_string_apart():
    # blog has words between "credit classification" and "supervision": the two are not one compound there
    mined = {m.term: m for m in mine_glossary(by_hand(HEAD_ZH, {"clt": HEAD_CLT, "blog": CREDIT_BLOG + [
        "Carry out credit classification and its supervision."]}), min_count=3)}
    assert "信用分类" in mined and mined["信用分类"].attested is not None


def test_a_verb_after_a_rare_string_is_no_head():
    from align.glossary.mine import _head_glosses

    # 有权 "to have the right to": defendants *have* ... is a subject and its verb
    assert "have" not in _head_glosses("有权") and "supervis" in _head_glosses("监管")
