"""CSV and TBX term bases; mining a glossary from a small aligned pair."""
from pathlib import Path

import pytest
import yaml

from align.errors import InputError, UsageError
from align.glossary import load_glossary, mine_glossary, parse_glossary
from align.glossary.io import glossary_from_csv, glossary_to_csv, read_termbase, write_termbase
from align.glossary.mine import draft_glossary
from align.model import Alignment, Bead, Group, MultiAlignment, Segment

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "glossary"


@pytest.mark.parametrize("suffix", ["csv", "tbx"])
def test_round_trip_keeps_every_field(tmp_path, suffix):
    g = load_glossary(ROOT / "glossary.yaml")
    path = write_termbase(g, tmp_path / f"terms.{suffix}")
    back = read_termbase(path)
    assert back.entries == g.entries  # aliases, accepted, discouraged with reasons, notes


def test_csv_cells_with_commas_quotes_and_newlines(tmp_path):
    g = parse_glossary(
        'entries:\n  - term: 诚信\n    preferred: integrity\n    discouraged:\n'
        '      - rendering: sincerity\n        reason: "a virtue, \\"private\\"\\nnot policy"\n'
        '    note: "one, two"\n', "g.yaml")
    text = glossary_to_csv(g)
    assert glossary_from_csv(text, "t.csv").entries == g.entries


def test_two_column_termbase_from_a_cat_tool():
    g = read_termbase(DATA / "termbase-2col.csv")
    e = g.entry("诚信")
    assert e.preferred == "integrity" and e.accepted == ["creditworthiness"]
    assert g.entry("征信").preferred == "credit reporting"


def test_bad_csv_rows_name_the_line(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("term,preferred\n诚信,integrity\n信用,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"t\.csv: line 3: no rendering"):
        read_termbase(p)
    p.write_text("term,preferred\nhonesty,integrity\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: honesty: .*Chinese"):
        read_termbase(p)
    p.write_text("chinese_word,english_word\n诚信,integrity\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1: header"):
        read_termbase(p)
    with pytest.raises(UsageError):
        read_termbase(p, "xlsx")


def test_bad_tbx_is_an_input_error(tmp_path):
    p = tmp_path / "t.tbx"
    p.write_text("<martif><text><body><termEntry>", encoding="utf-8")
    with pytest.raises(InputError, match="t.tbx"):
        read_termbase(p)


# --- mining -------------------------------------------------------------------

PAIRS = [
    ("建立信用修复机制。", "Establish credit repair mechanisms."),
    ("完善信用修复制度。", "Improve the credit repair system."),
    ("探索信用修复方式。", "Explore ways of credit repair."),
    ("畅通信用修复渠道。", "Open channels for credit repair."),
    ("表彰守信个人。", "Commend individuals keeping promises."),
    ("激励守信企业。", "Encourage enterprises that keep their promises."),
    ("宣传守信典型。", "Publicize models of keeping promises."),
    ("加强组织领导。", "Strengthen organizational leadership."),
    ("明确工作分工。", "Clarify the division of work."),
]


def pair_alignment():
    def segs(texts, lang):
        out, pos = [], 0
        for i, t in enumerate(texts):
            out.append(Segment(i, t, pos, pos + len(t), lang=lang))
            pos += len(t) + 1
        return out

    src = segs([z for z, _ in PAIRS], "zh")
    tgt = segs([e for _, e in PAIRS], "en")
    beads = [Bead((i,), (i,)) for i in range(len(PAIRS))]
    groups = [Group((i,), {"en": (i,)}, {"en": 1.0}) for i in range(len(PAIRS))]
    return MultiAlignment(src, {"en": Alignment(src, tgt, beads, "en")}, groups)


def test_mine_finds_renderings_with_counts(tmp_path):
    base = parse_glossary("entries:\n  - term: 信用修复\n    preferred: credit repair\n", "g.yaml")
    mined = {m.term: m for m in mine_glossary(pair_alignment(), base, min_count=3)}
    assert mined["信用修复"].in_glossary and mined["信用修复"].count == 4
    assert mined["信用修复"].renderings["en"] == {"credit repair": 4}
    # a frequent word jieba finds, not in the glossary
    assert mined["守信"].count == 3 and not mined["守信"].in_glossary
    # "keep their promises" is the same rendering as "keeping promises" (inflection, function word)
    assert mined["守信"].renderings["en"] == {"keeping promises": 3}
    # 信用 only ever occurs inside 信用修复 here: longest match leaves it no occurrence
    assert "信用" not in mined or mined["信用"].count == 0

    draft = draft_glossary(list(mined.values()), base)
    e = draft.entry("守信")
    assert e.preferred == "keeping promises"
    assert draft.entry("信用修复").preferred == "credit repair"
    assert "credit repair x4" in draft.entry("信用修复").note
    p = tmp_path / "draft.yaml"
    p.write_text(draft.dump_yaml(), encoding="utf-8")
    assert load_glossary(p).terms == draft.terms
    assert yaml.safe_load(p.read_text("utf-8"))["entries"]


def test_tbx_from_another_tool(tmp_path):
    """No status notes: the first rendering of a term is preferred, the rest accepted."""
    p = tmp_path / "other.tbx"
    p.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<martif type="TBX" xml:lang="zh"><text><body>'
        '<termEntry><langSet xml:lang="zh"><tig><term>诚信</term></tig></langSet>'
        '<langSet xml:lang="en"><tig><term>integrity</term></tig></langSet></termEntry>'
        '<termEntry><langSet xml:lang="zh"><tig><term>诚信</term></tig></langSet>'
        '<langSet xml:lang="en"><tig><term>creditworthiness</term></tig></langSet></termEntry>'
        '<termEntry><langSet xml:lang="zh"><tig><term>征信</term></tig></langSet>'
        '<langSet xml:lang="en"><tig><term>credit reporting</term></tig></langSet></termEntry>'
        '</body></text></martif>\n', encoding="utf-8")
    g = read_termbase(p)
    assert g.terms == ["诚信", "征信"]
    assert (g.entry("诚信").preferred, g.entry("诚信").accepted) == ("integrity", ["creditworthiness"])
