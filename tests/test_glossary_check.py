"""check_glossary on a hand-built three-way alignment: renderings, pairing, flags."""
from pathlib import Path

import pytest

from align.glossary import check_glossary, load_glossary
from align.model import Alignment, Bead, Group, MultiAlignment, Segment
from builders import segments as _segs

DATA = Path(__file__).resolve().parent / "data" / "glossary"




def build(rows):
    """rows: (source text or None, {tid: target text or None}); one group per row."""
    tids = list(rows[0][1])
    src_texts = [r[0] for r in rows if r[0] is not None]
    source = _segs(src_texts, "zh")
    tgt_texts = {t: [r[1][t] for r in rows if r[1].get(t) is not None] for t in tids}
    targets = {t: _segs(v, "en") for t, v in tgt_texts.items()}
    groups, beads = [], {t: [] for t in tids}
    si, ti = 0, {t: 0 for t in tids}
    for src, per in rows:
        s = (si,) if src is not None else ()
        si += bool(s)
        tg = {}
        for t in tids:
            if per.get(t) is not None:
                tg[t] = (ti[t],)
                ti[t] += 1
            else:
                tg[t] = ()
            beads[t].append(Bead(s, tg[t], 1.0, 1.0))
        groups.append(Group(s, tg, {t: 1.0 for t in tids}))
    aligns = {t: Alignment(source, targets[t], beads[t], t) for t in tids}
    return MultiAlignment(source, aligns, groups)


ROWS = [
    ("褒扬诚信,惩戒失信,提高全社会信用水平。",
     {"clt": "Reward trustworthiness and punish untrustworthiness, raise the credit level of society.",
      "blog": "Praise sincerity and punish trust-breaking, raise the credit levels of society."}),
    ("推广个人征信信息和信用知识。",
     {"clt": "Spread personal credit reporting information and credit knowledge.",
      "blog": "Popularize personal credit investigation information and credit knowledge."}),
    ("弘扬诚信文化,加强诚信教育,推广诚信典型。",
     {"clt": "Promote a culture of creditworthiness, strengthen honesty education and promote creditworthy models.",
      "blog": "Carry forward a sincerity culture, strengthen sincerity education, popularize sincerity models."}),
    ("加强诚信建设。", {"clt": None, "blog": "Strengthen credit construction."}),
    ("营造信用环境。", {"clt": "Build a trust environment.", "blog": "Create a credit environment."}),
    (None, {"clt": "Translator's note: an addition.", "blog": None}),
]


@pytest.fixture(scope="module")
def report():
    return check_glossary(build(ROWS), load_glossary(DATA / "small.yaml"))


def test_table_counts_per_occurrence(report):
    t = report.table
    assert t["诚信"]["clt"] == {"creditworthiness": 2, "honesty": 1, "trustworthiness": 1, None: 1}
    assert t["诚信"]["blog"] == {"sincerity": 4, "credit": 1}
    assert t["信用"]["clt"] == {"credit": 2, "trust": 1}
    assert t["信用"]["blog"] == {"credit": 3}
    assert t["征信"] == {"clt": {"credit reporting": 1}, "blog": {"credit investigation": 1}}
    assert t["失信"] == {"clt": {"untrustworthiness": 1}, "blog": {"breaking trust": 1}}
    assert report.status["诚信"]["sincerity"] == "discouraged"
    assert report.status["诚信"]["trustworthiness"] == "unlisted"
    # every occurrence of every term, once per translation
    assert len(report.occurrences) == 2 * 10


def test_longer_rendering_claims_first(report):
    # 征信 takes "credit reporting"; 信用 gets the other "credit", not the one inside it
    hits = [h for h in report.occurrences if h.source_segment == 1 and h.translation == "clt"]
    by_term = {h.term: h for h in hits}
    assert by_term["征信"].matched == "credit reporting"
    assert by_term["信用"].rendering == "credit"
    assert by_term["信用"].target_start > by_term["征信"].target_end


def test_several_occurrences_pair_in_order(report):
    hits = [h for h in report.occurrences if h.source_segment == 2 and h.translation == "clt"]
    assert [h.rendering for h in hits] == ["creditworthiness", "honesty", "creditworthiness"]
    assert [h.matched for h in hits] == ["creditworthiness", "honesty", "creditworthy"]
    for h in hits:  # positions point at the words
        assert h.source_text[h.source_start:h.source_end] == "诚信"
        assert h.target_text[h.target_start:h.target_end] == h.matched


def kinds(report, kind, **kw):
    return [f for f in report.flags if f.kind == kind and all(getattr(f, k) == v for k, v in kw.items())]


def test_inconsistent(report):
    (f,) = kinds(report, "inconsistent", term="诚信", translation="clt")
    assert f.details["renderings"] == {"creditworthiness": 2, "honesty": 1, "trustworthiness": 1}
    assert f.src == (0, 2)  # where the minority renderings are
    (f,) = kinds(report, "inconsistent", term="信用", translation="clt")
    assert f.src == (4,) and f.tgt == (3,)
    assert not kinds(report, "inconsistent", term="信用", translation="blog")


def test_collision(report):
    (f,) = kinds(report, "collision", translation="blog")
    assert f.details["terms"] == ["诚信", "信用"]
    assert f.details["renderings"] == {"credit": {"诚信": 1, "信用": 3}}
    assert 3 in f.src
    # clt keeps them apart
    assert not kinds(report, "collision", translation="clt")


def test_off_glossary(report):
    rs = {(f.translation, f.term, f.details["rendering"]): f for f in kinds(report, "off-glossary")}
    assert set(rs) == {("blog", "诚信", "sincerity"), ("blog", "诚信", "credit"),
                       ("clt", "诚信", "trustworthiness"), ("clt", "信用", "trust")}
    assert rs[("blog", "诚信", "sincerity")].details["status"] == "discouraged"
    assert "private virtue" in rs[("blog", "诚信", "sincerity")].message
    assert rs[("clt", "诚信", "trustworthiness")].details["listed_for"] == "守信"  # the glossary lists it for 守信
    assert rs[("blog", "诚信", "credit")].details["listed_for"] == "信用"


def test_missing_includes_omitted_clauses(report):
    (f,) = kinds(report, "missing")
    assert (f.term, f.translation, f.src, f.details["omitted"]) == ("诚信", "clt", (3,), 1)


def test_divergent(report):
    terms = {f.term for f in kinds(report, "divergent")}
    assert terms == {"诚信", "信用", "征信", "失信"}
    (f,) = kinds(report, "divergent", term="信用")
    assert f.details["places"] == 1 and f.src == (4,)
    ev = f.details["evidence"][0]["translations"]
    assert ev["clt"]["rendering"] == "trust" and ev["blog"]["rendering"] == "credit"


def test_json_shape(report):
    data = report.to_json()
    assert set(data) == {"occurrences", "flags"}
    occ = data["occurrences"][0]
    assert set(occ) == {"term", "translation", "source_segment", "source_text", "target_text", "rendering"}
    assert any(o["rendering"] is None and o["target_text"] == "" for o in data["occurrences"])
    for fl in data["flags"]:
        assert set(fl) == {"kind", "term", "translation", "renderings", "evidence"}
        assert fl["evidence"]
    import json

    json.dumps(data, ensure_ascii=False)  # serialisable


def test_glossary_size_does_not_change_results():
    """Unrelated entries (that never occur) change nothing."""
    small = load_glossary(DATA / "small.yaml")
    extra = [{"term": f"术语{i:04d}甲", "preferred": f"word{i}"} for i in range(300)]
    from align.glossary import Glossary

    big = Glossary.from_entries(list(small.entries) + extra)
    a = check_glossary(build(ROWS), small)
    b = check_glossary(build(ROWS), big)
    assert a.table == b.table
    assert [(f.kind, f.term, f.translation) for f in a.flags] == [(f.kind, f.term, f.translation) for f in b.flags]


def test_unlisted_rendering_is_proposed_by_association():
    """守信 is rendered 'keeping promises' throughout, which the glossary does not
    list: the phrase most associated with the term is proposed, with a confidence."""
    from align.glossary import parse_glossary

    g = parse_glossary("entries:\n  - term: 守信\n    preferred: trustworthiness\n", "g.yaml")
    rows = [
        ("表彰守信个人。", {"en": "Commend individuals keeping promises."}),
        ("激励守信企业。", {"en": "Encourage enterprises keeping promises."}),
        ("宣传守信典型。", {"en": "Publicize models of keeping promises."}),
        ("加强组织领导。", {"en": "Strengthen organizational leadership."}),
        ("明确工作分工。", {"en": "Clarify the division of work."}),
        ("营造良好环境。", {"en": "Create a good environment."}),
    ]
    rep = check_glossary(build(rows), g)
    assert rep.table["守信"]["en"] == {"keeping promises": 3}
    assert rep.status["守信"]["keeping promises"] == "unlisted"
    assert all(0.6 <= h.confidence <= 1.0 for h in rep.occurrences)
    (f,) = [f for f in rep.flags if f.kind == "off-glossary"]
    assert "association" in f.message and f.details["status"] == "unlisted"
    # a chance co-occurrence is not proposed: one group is no evidence
    rep = check_glossary(build(rows[:1] + rows[3:]), g)
    assert rep.table["守信"]["en"] == {None: 1}


def test_glossary_may_be_given_as_a_path(report):
    assert check_glossary(build(ROWS), str(DATA / "small.yaml")).table == report.table


def test_english_only_takes_paths(tmp_path):
    from align.errors import UsageError
    from align.glossary import check_english

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Reward trustworthiness; a black list.", encoding="utf-8")
    b.write_text("Praise promise-keeping and sincerity; a blacklist.", encoding="utf-8")
    rep = check_english([a, b], DATA / "small.yaml", reference="a")
    assert rep.table["守信"] == {"a": {"trustworthiness": 1}, "b": {"keeping promises": 1}}
    assert rep.table["黑名单"] == {"a": {"blacklist": 1}, "b": {"blacklist": 1}}
    assert {(f.kind, f.term, f.translation) for f in rep.flags} >= {("divergent", "守信", "b")}
    with pytest.raises(UsageError):
        check_english([a, b], DATA / "small.yaml", reference="c")
