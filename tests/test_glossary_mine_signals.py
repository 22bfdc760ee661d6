"""Termhood signals of glossary mining on small hand-built cases: the
translation's stability over the clause links (a term's rendering lies in the
clause linked to the term's clause, a free phrase's often does not)."""
from __future__ import annotations

import pytest

from align.glossary import mine_glossary
from align.glossary.mine import ClauseLinks
from align.glossary.renderings import Pairing, TermRenderings
from align.model import Alignment, Bead, ClauseAlignment, Group, MultiAlignment, Segment

ZH = "建设信用档案，推进年度报告。"
EN = "Build credit files, push annual reports."


def _clauses(text: str, cuts: list[int], lang: str) -> tuple[Segment, ...]:
    bounds = [0, *cuts, len(text)]
    return tuple(Segment(index=k, text=text[a:b].strip(), start=a + len(text[a:b]) - len(text[a:b].lstrip()),
                         end=b, level="clause", lang=lang) for k, (a, b) in enumerate(zip(bounds, bounds[1:])))


def one_sentence(zh: str = ZH, en: str = EN, zh_cut: int = 7, en_cut: int = 19) -> MultiAlignment:
    """One sentence bead of two clauses on each side, clause 0 linked to 0 and 1 to 1."""
    src = [Segment(index=0, text=zh, start=0, end=len(zh), lang="zh")]
    tgt = [Segment(index=0, text=en, start=0, end=len(en), lang="en")]
    clauses = ClauseAlignment(_clauses(zh, [zh_cut], "zh"), _clauses(en, [en_cut], "en"), (0, 0), (0, 0),
                              (Bead((0,), (0,)), Bead((1,), (1,))))
    a = Alignment(src, tgt, [Bead((0,), (0,))], "en", clauses=clauses)
    return MultiAlignment(src, {"en": a}, [Group((0,), {"en": (0,)}, {"en": 1.0})])


def _pairing(start: int, target_start: int, target_end: int, rendering: str = "credit files") -> Pairing:
    return Pairing(0, 0, start, start + 4, ZH, rendering, EN, target_start, target_end)


def test_a_rendering_in_the_linked_clause_is_stable_one_in_another_clause_is_not():
    links = ClauseLinks.of(one_sentence())
    assert links.linked("en", _pairing(2, EN.index("credit files"), EN.index("credit files") + 12))
    # the same source occurrence paired with words of the other clause (annual reports)
    assert not links.linked("en", _pairing(2, EN.index("annual"), EN.index("annual") + 14))
    # no rendering found: not stable
    assert not links.linked("en", Pairing(0, 0, 2, 6, ZH, None, EN, None, None))
    half = TermRenderings("en", {"credit files": 2}, 0,
                          (_pairing(2, 6, 18), _pairing(2, EN.index("annual"), EN.index("annual") + 14)), ())
    assert links.stability({"en": half}) == 0.5
    whole = TermRenderings("en", {"credit files": 1}, 1, (_pairing(2, 6, 18), Pairing(0, 0, 2, 6, ZH, None, EN,
                                                                                        None, None)), ())
    assert links.stability({"en": whole}) == 0.5  # an occurrence with no rendering counts against it


#: six rows of two clauses each: 信用档案 three times, then three rows of filler
SIX = ["建设信用档案，推进年度报告。", "完善信用档案，发布年度报告。", "共享信用档案，编写年度报告。",
       "加强组织领导，做好宣传工作。", "明确工作要求，落实工作责任。", "推动部门合作，形成工作合力。"]


SIX_EN = ["Build credit files, push annual reports.", "Improve credit files, issue annual reports.",
          "Share credit files, write annual reports.", "Strengthen leadership, do good publicity work.",
          "Clarify the requirements, implement the responsibilities.", "Push cooperation, form a joint force."]


def six_rows(ens: list[str]) -> tuple[MultiAlignment, MultiAlignment]:
    """SIX against ``ens`` (one sentence each, a comma between two clauses),
    1:1: without clause links, and with each clause linked to its counterpart."""
    src = [Segment(index=i, text=t, start=0, end=len(t), lang="zh") for i, t in enumerate(SIX)]
    tgt = [Segment(index=i, text=t, start=0, end=len(t), lang="en") for i, t in enumerate(ens)]
    beads = [Bead((i,), (i,)) for i in range(6)]
    groups = [Group((i,), {"en": (i,)}, {"en": 1.0}) for i in range(6)]
    cl = ClauseAlignment(
        tuple(c for i, t in enumerate(SIX) for c in _reindex(_clauses(t, [7], "zh"), 2 * i)),
        tuple(c for i, t in enumerate(ens) for c in _reindex(_clauses(t, [t.index(",") + 1], "en"), 2 * i)),
        tuple(k // 2 for k in range(12)), tuple(k // 2 for k in range(12)), tuple(Bead((k,), (k,)) for k in range(12)))
    return (MultiAlignment(src, {"en": Alignment(src, tgt, beads, "en")}, groups),
            MultiAlignment(src, {"en": Alignment(src, tgt, beads, "en", clauses=cl)}, groups))


def test_without_clause_links_the_sentence_consistency_ranks():
    multi = one_sentence()
    bare = MultiAlignment(multi.source, {"en": Alignment(multi.source, multi.alignments["en"].target,
                                                         multi.alignments["en"].beads, "en")}, multi.groups)
    assert ClauseLinks.of(bare) is None
    bare, with_links = six_rows(SIX_EN)
    plain = {m.term: m for m in mine_glossary(bare)}
    assert plain["信用档案"].stability is None and plain["信用档案"].renderings == {"en": {"credit files": 3}}
    # the same with clause links: each rendering lies in the linked clause, stability 1
    linked = {m.term: m for m in mine_glossary(with_links)}
    assert linked["信用档案"].stability == 1.0
    assert linked["信用档案"].score == plain["信用档案"].score  # consistent at both levels: the same rank


def _reindex(clauses: tuple[Segment, ...], first: int) -> tuple[Segment, ...]:
    return tuple(Segment(index=first + k, text=c.text, start=c.start, end=c.end, level="clause", lang=c.lang)
                 for k, c in enumerate(clauses))


def test_a_rendering_found_outside_the_linked_clause_lowers_the_rank():
    # the third translation puts the clauses the other way round: its credit files lie in the clause
    # linked to 编写年度报告, not to 共享信用档案
    bare, with_links = six_rows([*SIX_EN[:2], "Write annual reports, share credit files.", *SIX_EN[3:]])
    plain = {m.term: m for m in mine_glossary(bare)}
    linked = {m.term: m for m in mine_glossary(with_links)}
    term = linked["信用档案"]
    assert term.renderings == plain["信用档案"].renderings == {"en": {"credit files": 3}}
    assert plain["信用档案"].consistency == 1.0 and term.stability == 2 / 3
    assert term.score == pytest.approx(plain["信用档案"].score * 2 / 3)


def test_clause_links_find_clauses_in_the_second_sentence_of_a_bead():
    # one source sentence of two clauses against two target sentences of one clause each (a 1:2 bead):
    # the group's target text is the two sentences joined by a space, as the renderings read it
    zh = "建设信用档案，推进年度报告。"
    ens = ["Build credit files.", "Push annual reports."]
    src = [Segment(index=0, text=zh, start=0, end=len(zh), lang="zh")]
    tgt = [Segment(index=0, text=ens[0], start=0, end=len(ens[0]), lang="en"),
           Segment(index=1, text=ens[1], start=len(ens[0]) + 1, end=len(ens[0]) + 1 + len(ens[1]), lang="en")]
    target_clauses = tuple(Segment(index=k, text=t.text, start=t.start, end=t.end, level="clause", lang="en")
                           for k, t in enumerate(tgt))
    clauses = ClauseAlignment(_clauses(zh, [7], "zh"), target_clauses, (0, 0), (0, 1),
                              (Bead((0,), (0,)), Bead((1,), (1,))))
    multi = MultiAlignment(src, {"en": Alignment(src, tgt, [Bead((0,), (0, 1))], "en", clauses=clauses)},
                           [Group((0,), {"en": (0, 1)}, {"en": 1.0})])
    links = ClauseLinks.of(multi)
    joined = " ".join(ens)
    at = joined.index("annual reports")

    def pairing(start: int) -> Pairing:
        return Pairing(0, 0, start, start + 4, zh, "annual reports", joined, at, at + 14)

    assert links.linked("en", pairing(zh.index("年度报告")))  # 推进年度报告 is linked to the second sentence
    assert not links.linked("en", pairing(zh.index("信用档案")))
