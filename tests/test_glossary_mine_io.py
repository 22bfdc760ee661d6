"""The mined draft outside YAML (CSV and TBX keep its evidence) and the
CC-CEDICT gloss reading that mining and the checker share."""
from __future__ import annotations


import pytest

from align.errors import InputError
from align.glossary import mine_glossary
from align.glossary.associate import gloss_stems, gloss_text_stems
from align.glossary.io import glossary_from_csv, glossary_to_csv, read_termbase, write_termbase
from align.glossary.mine import draft_glossary

from test_glossary_mine import LAW, by_hand, paragraphs


@pytest.fixture(scope="module")
def law_draft():
    law = by_hand(paragraphs(LAW / "npc-law.zh.txt"),
                  {"a": paragraphs(LAW / "npc-law.a.txt"), "b": paragraphs(LAW / "npc-law.b.txt")})
    return draft_glossary(mine_glossary(law, None, min_count=3, top=6))


# --- CC-CEDICT glosses ------------------------------------------------------------


def test_gloss_reading_keeps_apostrophe_words_and_the_gloss_after_a_cross_reference():
    # the classifier's traditional|simplified pair no longer swallows the gloss before it
    assert gloss_text_stems("/the people/CL:個|个[ge4]/") == {"peopl"}
    assert gloss_text_stems("/old variant of 體|体[ti3]/body/") == {"bodi"}
    assert "peopl" in gloss_text_stems("/people's court (of law)/people's tribunal/")
    assert gloss_text_stems("/to do sth/see 統一|统一[tong3 yi1]/") == set()


def test_the_checkers_dictionary_prior_reads_real_entries():
    # CC-CEDICT: 人民 /the people/CL:個|个[ge4]/; 人民法院 /people's court (of law)/people's tribunal/
    assert "peopl" in gloss_stems("人民")
    assert {"peopl", "court", "tribun"} <= gloss_stems("人民法院")


# --- CSV and TBX keep the evidence ------------------------------------------------


@pytest.mark.parametrize("suffix", ["csv", "tbx"])
def test_draft_exports_keep_evidence(law_draft, tmp_path, suffix):
    assert all(e.evidence for e in law_draft.entries) and len(law_draft.entry("人民法院").evidence) == 2
    back = read_termbase(write_termbase(law_draft, tmp_path / f"draft.{suffix}"))
    assert back.entries == law_draft.entries
    ev = back.entry("人民法院").evidence[0]
    assert "«人民法院»" in ev.source and "«people's courts»" in ev.targets["a"]


def test_csv_evidence_column_is_json_and_checked():
    g = glossary_from_csv('term,preferred,evidence\n诚信,integrity,"[{""source"": ""弘扬«诚信»文化"", '
                          '""targets"": {""clt"": ""a culture of «integrity»""}}]"\n', "t.csv")
    assert g.entry("诚信").evidence[0].targets == {"clt": "a culture of «integrity»"}
    assert "evidence" in glossary_to_csv(g).splitlines()[0]
    with pytest.raises(InputError, match=r"t\.csv: line 2: evidence: not JSON"):
        glossary_from_csv("term,preferred,evidence\n诚信,integrity,[{source\n", "t.csv")
    with pytest.raises(InputError, match=r"line 2: 诚信: .*source"):
        glossary_from_csv('term,preferred,evidence\n诚信,integrity,"[{""targets"": {}}]"\n', "t.csv")


def test_a_csv_without_the_column_still_reads(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("term,preferred,note\n诚信,integrity,a note\n", encoding="utf-8")
    assert read_termbase(p).entry("诚信").evidence == []
