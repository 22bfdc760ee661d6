"""Glossary mining: multi-word term candidates, renderings per translation,
the draft glossary and ``align glossary mine``.

A law of another domain (tests/data/mining/npc-law.*, written for these
tests: a Chinese text about the National People's Congress and the people's
courts, and two English translations, one spelling names out, one using
NPC/PRC) is aligned by hand, one paragraph per group, so that these tests
need no encoder. 国办发〔2016〕98号 is aligned once with the lexical encoder.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from align.cli import main
from align.glossary import load_glossary, mine_glossary, parse_glossary
from align.glossary.candidates import candidates
from align.glossary.mine import draft_glossary
from align.model import Alignment, Bead, Group, MultiAlignment

from builders import segments

ROOT = Path(__file__).resolve().parent.parent
LAW = Path(__file__).resolve().parent / "data" / "mining"
SMALL = Path(__file__).resolve().parent / "data" / "glossary" / "small.yaml"
ZH98 = ROOT / "data" / "zh" / "guobanfa-2016-98.txt"
EN98 = [ROOT / "data" / "en" / "guobanfa-2016-98.clt.txt", ROOT / "data" / "en" / "guobanfa-2016-98.blog.txt"]


def paragraphs(path: Path) -> list[str]:
    return [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]


def by_hand(source: list[str], translations: dict[str, list[str]]) -> MultiAlignment:
    """One group per source paragraph, aligned to the same paragraph of each translation."""
    src = segments(source, "zh")
    alignments, n = {}, len(source)
    for tid, texts in translations.items():
        assert len(texts) == n
        tgt = segments(texts, "en")
        alignments[tid] = Alignment(src, tgt, [Bead((i,), (i,)) for i in range(n)], tid)
    groups = [Group((i,), {tid: (i,) for tid in translations}, {tid: 1.0 for tid in translations})
              for i in range(n)]
    return MultiAlignment(src, alignments, groups)


@pytest.fixture(scope="module")
def law() -> MultiAlignment:
    return by_hand(paragraphs(LAW / "npc-law.zh.txt"),
                   {"a": paragraphs(LAW / "npc-law.a.txt"), "b": paragraphs(LAW / "npc-law.b.txt")})


@pytest.fixture(scope="module")
def law_mined(law):
    return {m.term: m for m in mine_glossary(law, None, min_count=3, top=None)}


@pytest.fixture(scope="module")
def mined98():
    from align import pipeline

    multi = pipeline.run(ZH98, EN98, settings=pipeline.Settings(encoder="lexical")).multi
    return mine_glossary(multi, None, min_count=3, top=None)


# --- candidates -----------------------------------------------------------------


def test_candidates_are_multi_word_terms():
    texts = ["依法公开公共信用信息。", "建立公共信用信息目录。", "共享公共信用信息和其他信用信息。",
             "归集信用信息。", "信用信息共享平台汇集公共信用信息。"]
    got = {c.term: c for c in candidates(texts, min_count=2)}
    assert got["公共信用信息"].count == 4 and got["公共信用信息"].pieces == ("公共", "信用", "信息")
    # nested, and also used on its own: kept as well, with every occurrence counted
    assert got["信用信息"].count == 7
    # a fragment of a longer unit is not a term: 公共信用 is always followed by 信息
    assert "公共信用" not in got


def test_nested_names_kept_apart_and_words_inside_names_left_out(law):
    got = {c.term: c for c in candidates([s.text for s in law.source], min_count=3)}
    assert got["全国人民代表大会常务委员会"].count == 5
    npc = got["全国人民代表大会"]
    assert npc.count == 13 and len(npc.standalone) == 8  # 5 inside the Standing Committee's name
    # 人民 occurs 30 times, but only inside names (人民法院, 中华人民共和国, ...)
    assert "人民" not in got and "代表大会" not in got


def _rank_frequency_of(c) -> float:
    """The frequency behind a candidate's score: the score over its other factors, as log2(1 + f)."""
    from align.glossary.candidates import SPEC_POWER, _pos_weight

    rest = c.specificity ** SPEC_POWER * c.boundary * c.spread * _pos_weight(c.head_tag)
    return 2 ** (c.score / rest) - 1


def test_a_word_ranks_by_its_occurrences_outside_the_compounds_it_is_part_of():
    # 惩戒 six times, three of them inside 联合惩戒: it ranks as a word seen 6 - 3 times
    texts = ["实施联合惩戒。", "加强联合惩戒。", "完善联合惩戒。", "依法惩戒失信。", "严格惩戒。", "及时惩戒违法。"]
    got = {c.term: c for c in candidates(texts, min_count=3)}
    assert got["惩戒"].count == 6 and _rank_frequency_of(got["惩戒"]) == pytest.approx(3)
    assert _rank_frequency_of(got["联合惩戒"]) == pytest.approx(3)  # a compound ranks by its frequency
    # 书房 six times, three of them in 书房 + 去 ("to the study"): a clause about it, no compound
    texts = ["我到书房去。", "他们回书房去。", "快去书房去。", "书房很大。", "这书房里。", "走进书房。"]
    got = {c.term: c for c in candidates(texts, min_count=3)}
    assert "书房去" in got and _rank_frequency_of(got["书房"]) == pytest.approx(6)
    # a verb of two characters after it makes a compound: 隐私 + 保护, privacy protection
    texts = ["加强隐私保护。", "完善隐私保护。", "重视隐私保护。", "尊重隐私。", "保护个人隐私和信息。", "隐私的边界。"]
    got = {c.term: c for c in candidates(texts, min_count=3)}
    assert "隐私保护" in got and _rank_frequency_of(got["隐私"]) == pytest.approx(3)


def test_generic_verbs_and_filler_rank_low_in_98():
    texts = [line for line in ZH98.read_text(encoding="utf-8").splitlines() if line.strip()]
    cands = candidates(texts, min_count=3)
    ranked = [c.term for c in cands]
    top = ranked[:40]
    for filler in ("加强", "建立", "推进", "工作", "相关", "建设", "推动", "完善"):
        assert filler not in top, (filler, ranked.index(filler) if filler in ranked else None)
    for term in ("诚信", "信用", "失信", "征信", "信用信息", "征信机构", "公共信用信息"):
        assert term in top, term
    # a verb governing an object is no term: 加强 + 个人诚信..., 完善 + 个人...
    assert not any(c.term.startswith(("加强", "完善", "建立")) for c in cands if len(c.pieces) > 1)


# --- renderings -----------------------------------------------------------------


def test_full_spans_of_names(law_mined):
    a = {t: next(iter(law_mined[t].renderings["a"])) for t in
         ("人民法院", "中华人民共和国", "全国人民代表大会", "全国人民代表大会常务委员会", "最高人民法院", "人民检察院")}
    assert a == {
        "人民法院": "people's courts",
        "中华人民共和国": "People's Republic of China",
        "全国人民代表大会": "National People's Congress",
        "全国人民代表大会常务委员会": "Standing Committee of the National People's Congress",
        "最高人民法院": "Supreme People's Court",
        "人民检察院": "people's procuratorates",
    }
    # every occurrence is counted, the nested ones too
    assert law_mined["全国人民代表大会"].renderings["a"] == {"National People's Congress": 13}


def test_each_translation_keeps_its_own_rendering_with_counts(law_mined):
    npc = law_mined["全国人民代表大会"]
    assert npc.renderings["b"] == {"NPC": 13}
    assert npc.main == {"a": "National People's Congress", "b": "NPC"} and not npc.agree
    assert law_mined["全国人民代表大会常务委员会"].renderings["b"] == {"NPC Standing Committee": 5}
    assert law_mined["中华人民共和国"].renderings["b"] == {"PRC": 5}
    assert law_mined["人民法院"].agree


def test_key_terms_of_another_domain_lead_the_draft(law):
    draft = draft_glossary(mine_glossary(law, None, min_count=3, top=8))
    first = {e.term: e for e in draft.entries[:8]}
    for term, english in (("人民法院", "people's courts"), ("全国人民代表大会", "National People's Congress"),
                          ("中华人民共和国", "People's Republic of China"), ("人民检察院", "people's procuratorates"),
                          ("全国人民代表大会常务委员会", "Standing Committee of the National People's Congress")):
        assert term in first, term
        assert english in [first[term].preferred, *first[term].accepted]
    e = first["中华人民共和国"]
    assert {e.preferred, *e.accepted} == {"People's Republic of China", "PRC"}
    assert "disagree" in e.note and "a: People's Republic of China x5" in e.note and "b: PRC x5" in e.note


def test_both_translators_renderings_of_chengxin_in_98(mined98):
    m = next(m for m in mined98 if m.term == "诚信")
    assert m.renderings["clt"]["creditworthiness"] >= 40
    assert m.renderings["blog"]["sincerity"] >= 40
    e = draft_glossary(mined98).entry("诚信")
    assert {e.preferred, *e.accepted} == {"creditworthiness", "sincerity"}
    assert "The translations disagree" in e.note


def test_multi_word_terms_and_no_filler_in_the_first_entries_of_98(mined98):
    first = [m.term for m in mined98[:40]]
    for term in ("信用信息", "公共信用信息", "征信机构", "联合惩戒", "信用修复", "信用记录"):
        assert term in first, term
    for filler in ("加强", "建立", "推进", "工作", "相关", "建设"):
        assert filler not in first, filler
    by = {m.term: m for m in mined98}
    assert by["信用信息"].main == {"clt": "credit information", "blog": "credit information"}
    assert by["失信"].main["clt"] == "untrustworthiness"


def test_renderings_with_counts_from_a_small_alignment():
    zh = ["表彰守信个人。", "激励守信企业。", "宣传守信典型。", "建立守信激励机制。", "加强组织领导。", "明确工作分工。"]
    clt = ["Commend individuals keeping promises.", "Encourage enterprises that keep their promises.",
           "Publicize models of keeping promises.", "Establish incentive mechanisms for keeping promises.",
           "Strengthen organizational leadership.", "Clarify the division of work."]
    blog = ["Commend trustworthy individuals.", "Encourage trustworthy enterprises.",
            "Publicize models of trustworthiness.", "Establish incentives for trustworthiness.",
            "Strengthen leadership.", "Clarify the division of labour."]
    mined = {m.term: m for m in mine_glossary(by_hand(zh, {"clt": clt, "blog": blog}), min_count=3)}
    m = mined["守信"]
    # inflections are one rendering, named by the form used most (keep their promises ~ keeping
    # promises; trustworthy ~ trustworthiness), counted per translation
    assert m.renderings == {"clt": {"keeping promises": 4}, "blog": {"trustworthy": 4}}
    assert m.missing == {"clt": 0, "blog": 0}
    assert m.count == 4 and not m.agree
    assert set(mined) == {"守信"}  # 加强, 组织, 领导 ... occur once


# --- the draft and the command ------------------------------------------------------


def test_draft_reads_back_with_its_evidence(law, tmp_path):
    draft = draft_glossary(mine_glossary(law, None, min_count=3, top=10))
    path = tmp_path / "draft.yaml"
    path.write_text(draft.dump_yaml(), encoding="utf-8")
    back = load_glossary(path)
    assert back.entries == draft.entries
    e = back.entry("人民法院")
    assert len(e.evidence) == 2
    ev = e.evidence[0]
    assert "«人民法院»" in ev.source and "«people's courts»" in ev.targets["a"] and set(ev.targets) == {"a", "b"}
    assert "occurrences" in e.note


def test_evidence_is_optional_and_checked():
    g = parse_glossary("entries:\n  - term: 诚信\n    preferred: integrity\n    evidence:\n"
                       "      - source: 弘扬«诚信»文化\n        targets: {clt: a culture of «integrity»}\n", "g.yaml")
    assert g.entry("诚信").evidence[0].targets == {"clt": "a culture of «integrity»"}
    from align.errors import InputError

    with pytest.raises(InputError, match="line 5: .*unknown field"):
        parse_glossary("entries:\n  - term: 诚信\n    preferred: integrity\n    evidence:\n"
                       "      - sauce: 弘扬诚信文化\n", "g.yaml")


def test_known_terms_marked_and_kept(law):
    base = parse_glossary("entries:\n  - term: 人民法院\n    preferred: people's court\n"
                          "  - term: 宪法\n    preferred: Constitution\n  - term: 仲裁\n    preferred: arbitration\n",
                          "g.yaml")
    mined = mine_glossary(law, base, min_count=3, top=5)
    known = {m.term: m for m in mined if m.in_glossary}
    assert set(known) == {"人民法院", "宪法"}  # 仲裁 does not occur
    assert known["人民法院"].renderings["a"] == {"people's court": 9}  # the checker's count, by listed rendering
    draft = draft_glossary(mined, base)
    e = draft.entry("人民法院")
    assert e.preferred == "people's court" and e.note.startswith("Known term")
    assert draft.entry("仲裁").note.endswith("Not found in this text.")
    assert sum(1 for m in mined if not m.in_glossary) == 5


def run(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return exc.value.code, out, err


def test_cli_top_and_no_default_glossary(tmp_path, capsys, monkeypatch):
    # a glossary.yaml in the working directory is not read unless given with -g
    (tmp_path / "glossary.yaml").write_text("entries:\n  - term: 人民法院\n    preferred: court\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    draft = tmp_path / "draft.yaml"
    code, out, err = run(["glossary", "mine", LAW / "npc-law.zh.txt", LAW / "npc-law.a.txt", LAW / "npc-law.b.txt",
                          "--encoder", "lexical", "--top", "4", "-o", draft, "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert len(data) == 4 and not any(m["in_glossary"] for m in data)
    g = load_glossary(draft)
    assert len(g) == 4 and all(e.evidence for e in g.entries)
    assert not any("Known term" in e.note for e in g.entries)
    assert yaml.safe_load(draft.read_text(encoding="utf-8"))["entries"][0]["evidence"]
    # with -g the known terms are marked
    code, out, err = run(["glossary", "mine", LAW / "npc-law.zh.txt", LAW / "npc-law.a.txt",
                          "--encoder", "lexical", "--top", "4", "-o", draft, "-g", tmp_path / "glossary.yaml"], capsys)
    assert code == 0, err
    assert "人民法院 *" in out and "already in the glossary" in err
    assert load_glossary(draft).entry("人民法院").preferred == "court"


def test_cli_nothing_to_draft(tmp_path, capsys):
    zh, en = tmp_path / "doc.txt", tmp_path / "doc.en.txt"
    zh.write_text("你好。\n", encoding="utf-8")
    en.write_text("Hello.\n", encoding="utf-8")
    code, _, err = run(["glossary", "mine", zh, en, "--encoder", "lexical", "-o", tmp_path / "d.yaml"], capsys)
    assert code == 0 and "nothing written" in err and not (tmp_path / "d.yaml").exists()


def test_cli_small_glossary_still_marks_and_keeps(tmp_path, capsys):
    zh, clt = tmp_path / "doc.txt", tmp_path / "doc.clt.txt"
    zh.write_text("加强诚信教育。\n\n弘扬诚信文化。\n\n褒扬诚信。\n", encoding="utf-8")
    clt.write_text("Strengthen creditworthiness education.\n\nPromote a culture of honesty.\n\n"
                   "Praise creditworthiness.\n", encoding="utf-8")
    draft = tmp_path / "draft.yaml"
    code, out, err = run(["glossary", "mine", zh, clt, "-g", SMALL, "-o", draft, "--encoder", "lexical",
                          "--min-count", "2", "--json"], capsys)
    assert code == 0, err
    mined = {m["term"]: m for m in json.loads(out)}
    assert mined["诚信"]["in_glossary"] and mined["诚信"]["count"] == 3
    g = load_glossary(draft)
    assert g.entry("诚信").preferred == "integrity" and g.entry("黑名单").note.endswith("Not found in this text.")
