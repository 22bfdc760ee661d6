"""The dictionary's second opinion on clause omissions (align.clause_check), on
small hand-built alignments: a clause whose dictionary words are in the
row's English is translated, one deleted from the English is left out."""
from __future__ import annotations

import dataclasses
import math

from align.clause_check import RowReader, chance_unfound, dictionary_evidence, english_names
from align.compare import CheckSettings, check_clause_omissions
from align.model import Alignment, Bead, ClauseAlignment, MultiAlignment, Segment


def _side(sentences: list[list[str]], lang: str) -> tuple[list[Segment], tuple[Segment, ...], tuple[int, ...]]:
    """Sentence segments, clause segments and each clause's sentence, offsets into one text."""
    sep = "" if lang == "zh" else " "
    sents, clauses, owner, pos = [], [], [], 0
    for si, parts in enumerate(sentences):
        start = pos
        for part in parts:
            clauses.append(Segment(len(clauses), part, pos, pos + len(part), level="clause", lang=lang))
            owner.append(si)
            pos += len(part) + len(sep)
        text = sep.join(parts)
        sents.append(Segment(si, text, start, start + len(text), lang=lang))
        pos = start + len(text) + 1
    return sents, tuple(clauses), tuple(owner)


def build(src: list[list[str]], tgt: list[list[str]], sentence_beads, clause_beads) -> MultiAlignment:
    """One translation ``t``; beads as (src, tgt, confidence)."""
    from align.aligner import group_alignments

    s_sent, s_cl, s_own = _side(src, "zh")
    t_sent, t_cl, t_own = _side(tgt, "en")
    beads = [Bead(tuple(s), tuple(t), 1.0, c) for s, t, c in sentence_beads]
    cbeads = tuple(Bead(tuple(s), tuple(t), 1.0, c) for s, t, c in clause_beads)
    al = Alignment(s_sent, t_sent, beads, "t", clauses=ClauseAlignment(s_cl, t_cl, s_own, t_own, cbeads))
    return MultiAlignment(s_sent, {"t": al}, group_alignments(s_sent, {"t": al}))


def clause_flags(multi, settings=CheckSettings()):
    return check_clause_omissions(multi, settings)


# --------------------------------------------------------------------------- the evidence

def test_a_clause_whose_dictionary_words_are_in_the_english_is_found():
    ev = dictionary_evidence(["完善法律法规，"], ["加强信用建设，", "培育诚信文化。"],
                             "Strengthen credit building, improve laws and regulations, foster a culture of integrity.")
    assert ev.words == ("完善", "法律", "法规") and set(ev.found) >= {"完善", "法律"}
    deleted = dictionary_evidence(["完善法律法规，"], ["加强信用建设，", "培育诚信文化。"],
                                  "Strengthen credit building, foster a culture of integrity.")
    assert deleted.words == ev.words and deleted.found == () and deleted.share == 0.0


def test_an_english_word_another_clause_of_the_row_accounts_for_is_no_evidence():
    english = "Build the credit information system."
    assert dictionary_evidence(["建立信用信息数据库，"], [], english).found != ()
    # 信用信息 in the other clause explains "credit information"; 建立 "build" is still this clause's
    ev = dictionary_evidence(["建立信用信息数据库，"], ["完善信用信息系统。"], english)
    assert "信用" not in ev.found and "信息" not in ev.found


def test_irregular_verbs_and_names_in_pinyin_count():
    assert "站" in dictionary_evidence(["她站在门口，"], [], "She stood at the doorway.").found
    assert english_names("Gou-er's cupidity") >= {"gouer"}
    ev = dictionary_evidence(["谁知狗儿心重，"], [], "Gou-er was greedy.")
    assert "狗" in ev.found and "儿" in ev.found


def test_the_chance_of_finding_nothing_falls_with_the_words_and_the_rate():
    ev = dictionary_evidence(["建立个人信用信息数据库，"], [], "Encourage enterprises to sign.")
    assert ev.found == () and len(ev.words) == 5
    assert chance_unfound(ev, 0.6) < chance_unfound(ev, 0.3) < 1.0
    assert abs(chance_unfound(ev, 0.5) - 0.5 ** 5) < 1e-12
    found = dictionary_evidence(["建立个人信用信息数据库，"], [], "Build a personal credit database.")
    assert chance_unfound(found, 0.9) == 1.0


# --------------------------------------------------------------------------- the check

SRC = [["加强信用建设，", "完善法律法规，", "培育诚信文化。"]]
FULL = [["Strengthen credit building,", "improve laws and regulations,", "foster a culture of integrity."]]


def test_a_translated_clause_the_aligner_left_unpaired_is_not_flagged():
    """Clause 2 is a 1:0 clause bead, but its words are in the row's English."""
    multi = build(SRC, FULL, [((0,), (0,), 0.95)],
                  [((0,), (0,), 0.9), ((1,), (), 0.9), ((2,), (1, 2), 0.9)])
    no_length = CheckSettings(clause_omission_length_share=-math.inf)  # the length condition off
    assert clause_flags(multi, no_length) == []
    # without the second opinion the same clause is flagged
    off = dataclasses.replace(no_length, clause_omission_found_share=2.0)
    (flag,) = clause_flags(multi, off)
    assert flag.details["clauses"] == [1]


def test_a_clause_deleted_from_the_english_is_flagged():
    cut = [["Strengthen credit building,", "foster a culture of integrity."]]
    multi = build(SRC, cut, [((0,), (0,), 0.95)],
                  [((0,), (0,), 0.9), ((1,), (), 0.9), ((2,), (1,), 0.9)])
    (flag,) = clause_flags(multi)
    assert flag.kind == "omission" and flag.severity == "error" and flag.details["clauses"] == [1]
    assert flag.details["dictionary"] == {"words": ["完善", "法律", "法规"], "found": []}
    assert flag.details["merged"] is False
    assert "leaves out source clause 2" in flag.message and "完善法律法规" in flag.message


# a translation the dictionary reads well (its one-to-one clauses found), then a
# sentence whose second clause the aligner merged into the first's bead
PAIRED = [["加强信用建设，", "培育诚信文化。"]]
PAIRED_EN = [["Strengthen credit building,", "foster a culture of integrity."]]
MERGED_SRC = PAIRED + [["鼓励企业签署承诺书，", "建立个人信用信息数据库。"]]


def _merged(second_english: str) -> MultiAlignment:
    tgt = PAIRED_EN + [[second_english]]
    return build(MERGED_SRC, tgt, [((0,), (0,), 0.95), ((1,), (1,), 0.95)],
                 [((0,), (0,), 0.9), ((1,), (1,), 0.9), ((2, 3), (2,), 0.9)])


def test_a_clause_merged_into_its_neighbours_bead_and_not_in_the_english_is_flagged():
    multi = _merged("Encourage enterprises to sign letters of commitment.")
    assert RowReader(multi.alignments["t"]).hit_rate(0.8) > 0.5
    (flag,) = clause_flags(multi)
    assert flag.details["clauses"] == [3] and flag.details["merged"] is True
    assert flag.src == (1,) and flag.tgt == (1,) and flag.details["group"] == 1
    assert "the dictionary finds none of its 5 words in the row's English" in flag.message
    # the setting turns it off
    assert clause_flags(multi, CheckSettings(clause_omission_unfound_chance=0.0)) == []


def test_a_merged_clause_the_english_translates_is_not_flagged():
    assert clause_flags(_merged("Encourage enterprises to sign letters of commitment "
                                "and build a personal credit information database.")) == []


def test_a_merged_bead_of_which_the_dictionary_finds_nothing_at_all_is_not_flagged():
    """Nothing found for either clause: the bead's English is a free rendering of both, not of one."""
    assert clause_flags(_merged("Business must go on as usual.")) == []
