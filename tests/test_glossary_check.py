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


def test_no_settled_rendering_is_one_document_flag(report):
    """clt: creditworthiness x2, honesty x1, trustworthiness x1 -- no rendering
    has two thirds of the occurrences: one document flag, no row of its own."""
    (f,) = kinds(report, "inconsistent", term="诚信", translation="clt")
    assert f.details["renderings"] == {"creditworthiness": 2, "honesty": 1, "trustworthiness": 1}
    assert f.details["scope"] == "document" and f.src == () and f.tgt == ()
    assert f.details["groups"] == [0, 2] and len(f.details["occurrences"]) == 4
    assert f.severity == "warning"
    # 信用 in clt: credit x2, trust x1 -- 'trust' is discouraged: an off-glossary flag, not also inconsistent
    assert not kinds(report, "inconsistent", term="信用")


def test_collision_points_at_the_odd_use(report):
    """blog uses 'credit' for 信用 (3 rows, its word) and once for 诚信: the
    flag is on the 诚信 row only."""
    (f,) = kinds(report, "collision", translation="blog")
    assert f.details["terms"] == ["诚信", "信用"]
    assert f.details["renderings"] == {"credit": {"诚信": 1, "信用": 3}}
    assert f.term == "诚信" and f.details["owner"] == "信用"
    assert (f.src, f.tgt, f.details["group"], f.details["scope"]) == ((3,), (3,), 3, "row")
    assert [o["source_segment"] for o in f.details["occurrences"]] == [3]
    # clt keeps them apart
    assert not kinds(report, "collision", translation="clt")


def test_off_glossary(report):
    rs = {}
    for f in kinds(report, "off-glossary"):
        rs.setdefault((f.translation, f.term, f.details["rendering"]), []).append(f)
    assert set(rs) == {("blog", "诚信", "sincerity"), ("clt", "诚信", "trustworthiness"), ("clt", "信用", "trust")}
    # 'sincerity' in two rows only (rows 0 and 2, x1 and x3): a slip per row, not yet a habit
    sinc = rs[("blog", "诚信", "sincerity")]
    assert [(f.src, f.details["scope"], len(f.details["occurrences"])) for f in sinc] == [((0,), "row", 1),
                                                                                         ((2,), "row", 3)]
    assert all(f.details["status"] == "discouraged" and f.severity == "warning" for f in sinc)
    assert "private virtue" in sinc[0].message and "x3 here" in sinc[1].message
    (tw,) = rs[("clt", "诚信", "trustworthiness")]
    assert tw.details["listed_for"] == "守信" and tw.severity == "info"  # the glossary lists it for 守信
    (trust,) = rs[("clt", "信用", "trust")]
    assert (trust.src, trust.tgt) == ((4,), (3,)) and "elsewhere 'credit', 2 of 3" in trust.message
    # blog's 'credit' for 诚信 is the collision, not also off-glossary
    assert ("blog", "诚信", "credit") not in rs


def test_missing_includes_omitted_clauses(report):
    (f,) = kinds(report, "missing")
    assert (f.term, f.translation, f.src, f.details["omitted"]) == ("诚信", "clt", (3,), 1)
    assert f.severity == "warning" and f.details["scope"] == "row"
    assert "leaves this clause out" in f.message


def test_divergent(report):
    """The translations' usual renderings have nothing in common: 诚信, 征信, 失信.
    信用 (credit in both, clt once 'trust') is clt's own flag, not a divergence."""
    terms = {f.term for f in kinds(report, "divergent")}
    assert terms == {"诚信", "征信", "失信"}
    (f,) = kinds(report, "divergent", term="诚信")
    assert f.translation is None and f.severity == "info" and f.details["scope"] == "document"
    assert f.details["places"] == 4 and f.details["groups"] == [0, 2] and (f.src, f.tgt) == ((), ())
    ev = f.details["evidence"][0]["translations"]
    assert ev["clt"]["rendering"] == "trustworthiness" and ev["blog"]["rendering"] == "sincerity"
    assert [o["renderings"] for o in f.details["occurrences"]] == [
        {"clt": "trustworthiness", "blog": "sincerity"}, {"clt": "creditworthiness", "blog": "sincerity"},
        {"clt": "honesty", "blog": "sincerity"}, {"clt": "creditworthiness", "blog": "sincerity"}]


def test_json_shape(report):
    data = report.to_json()
    assert set(data) == {"occurrences", "flags"}
    occ = data["occurrences"][0]
    assert set(occ) == {"term", "translation", "source_segment", "source_text", "target_text", "rendering"}
    assert any(o["rendering"] is None and o["target_text"] == "" for o in data["occurrences"])
    for fl in data["flags"]:
        assert set(fl) == {"kind", "term", "translation", "severity", "scope", "message", "src", "tgt",
                           "renderings", "occurrences", "evidence"}
        assert fl["evidence"] and fl["occurrences"]
    import json

    json.dumps(data, ensure_ascii=False)  # serialisable


# ------------------------------------------------- where flags point (issue 13.3)

GL = """entries:
  - term: 诚信
    preferred: integrity
    accepted: [creditworthiness, honesty]
    discouraged:
      - rendering: sincerity
        reason: a private virtue
  - term: 信用
    preferred: credit
    discouraged: [trust]
  - term: 征信
    preferred: credit reporting
    accepted: [credit investigation]
  - term: 守信
    preferred: trustworthiness
"""


@pytest.fixture(scope="module")
def gl():
    from align.glossary import parse_glossary

    return parse_glossary(GL, "g.yaml")


def one(rows):
    """rows: (source, english) pairs, one translation 'en'."""
    return build([(zh, {"en": en}) for zh, en in rows])


def flags_of(rep, kind, **kw):
    return [f for f in rep.flags if f.kind == kind and all(getattr(f, k) == v for k, v in kw.items())]


def test_a_minority_rendering_is_flagged_in_its_row_only(gl):
    """征信 is 'credit reporting' in four rows and 'credit investigation' in one:
    the flag names that row's segments, not the four others; every occurrence
    of the flag is in its details."""
    rows = [("规范征信市场。", "Regulate the credit reporting market."),
            ("发展征信行业。", "Develop the credit reporting industry."),
            ("监管征信机构。", "Supervise credit reporting bodies."),
            ("推广征信产品。", "Promote credit reporting products."),
            ("加强组织领导。", "Strengthen leadership."),
            ("完善征信法规。", "Improve the credit investigation rules.")]
    rep = check_glossary(one(rows), gl)
    (f,) = flags_of(rep, "inconsistent")
    assert (f.translation, f.term, f.src, f.tgt) == ("en", "征信", (5,), (5,))
    assert f.details == {**f.details, "scope": "row", "group": 5, "main": "credit reporting",
                         "rendering": "credit investigation",
                         "renderings": {"credit reporting": 4, "credit investigation": 1}}
    assert [o["rendering"] for o in f.details["occurrences"]] == ["credit investigation"]
    assert f.severity == "warning"
    assert f.message == "en renders 征信 as 'credit investigation' (elsewhere 'credit reporting', 4 of 5)"
    assert rep.flags == [f]  # nothing else: the main rendering is listed


def test_a_habit_is_one_document_flag_counted_once_with_all_its_occurrences(gl):
    """'sincerity' for 诚信 in every row: ONE document flag, with its five
    occurrences and rows, and no row of its own."""
    rows = [(f"弘扬诚信{w}。", f"Promote a sincerity {e}.") for w, e in
            (("文化", "culture"), ("教育", "education"), ("典型", "model"), ("精神", "spirit"), ("理念", "idea"))]
    rep = check_glossary(one(rows), gl)
    (f,) = rep.flags
    assert (f.kind, f.translation, f.term, f.severity) == ("off-glossary", "en", "诚信", "warning")
    assert (f.src, f.tgt) == ((), ()) and "group" not in f.details
    assert f.details["scope"] == "document" and f.details["groups"] == [0, 1, 2, 3, 4]
    assert len(f.details["occurrences"]) == 5 and len(f.details["evidence"]) == 5
    assert [o["target_segments"] for o in f.details["occurrences"]] == [[0], [1], [2], [3], [4]]
    assert "in 5 of 5 occurrences" in f.message and "private virtue" in f.message
    # the same word in two rows only is a slip in each: row flags
    rep = check_glossary(one(rows[:2] + [("加强组织领导。", "Strengthen leadership.")]), gl)
    assert [(f.details["scope"], f.src) for f in rep.flags] == [("row", (0,)), ("row", (1,))]


def test_a_minority_of_a_habit_stays_local(gl):
    """'sincerity' in five rows, 'honesty' once: the habit is a document flag,
    the one 'honesty' a row flag (an accepted word, but not the usual one)."""
    rows = [(f"弘扬诚信{w}。", f"Promote a sincerity {e}.") for w, e in
            (("文化", "culture"), ("教育", "education"), ("典型", "model"), ("精神", "spirit"), ("理念", "idea"))]
    rows.append(("诚信传统美德。", "The traditional virtue of honesty."))
    rep = check_glossary(one(rows), gl)
    got = {(f.kind, f.details["scope"]): f for f in rep.flags}
    assert set(got) == {("off-glossary", "document"), ("inconsistent", "row")}
    assert got[("inconsistent", "row")].src == (5,)
    assert got[("off-glossary", "document")].details["groups"] == [0, 1, 2, 3, 4]


def test_two_terms_rendered_alike_throughout_is_a_document_collision(gl):
    """信用 and 征信 both 'credit' in three rows each: the translation's habit, one
    document flag; a 诚信 'credit' once is a row flag against it."""
    rows = [("提高信用水平。", "Raise the credit level."), ("营造信用环境。", "Build a credit environment."),
            ("健全信用体系。", "Improve the credit framework."), ("规范征信市场。", "Regulate the credit market."),
            ("发展征信行业。", "Develop the credit industry."), ("推广征信产品。", "Promote credit products."),
            ("弘扬诚信文化。", "Promote a culture of credit.")]
    rep = check_glossary(one(rows), gl)
    cols = flags_of(rep, "collision")
    doc = [f for f in cols if f.details["scope"] == "document"]
    row = [f for f in cols if f.details["scope"] == "row"]
    assert len(doc) == 1 and doc[0].details["owners"] == ["信用", "征信"] and doc[0].details["groups"] == [0, 1, 2, 3, 4, 5]
    assert "usual rendering of 2 source terms" in doc[0].message and doc[0].severity == "warning"
    assert len(row) == 1 and (row[0].term, row[0].src) == ("诚信", (6,))
    # the odd uses are the collision's; 征信's 'credit' is not also flagged off-glossary in every row
    assert not [f for f in rep.flags if f.kind == "off-glossary" and f.details["scope"] == "row"]


def test_missing_for_most_occurrences_is_one_document_observation(gl):
    """No listed word for 守信 in four rows of five: the translation probably
    says it in words the glossary does not list -- one info flag."""
    rows = [("表彰守信个人。", "Commend reliable individuals."), ("激励守信企业。", "Encourage dependable firms."),
            ("宣传守信典型。", "Publicize steadfast models."), ("守信者受益。", "The faithful benefit."),
            ("褒扬守信。", "Praise trustworthiness.")]
    rep = check_glossary(one(rows), gl)
    (f,) = flags_of(rep, "missing")
    assert (f.severity, f.details["scope"], f.src) == ("info", "document", ())
    assert len(f.details["occurrences"]) == 4 and f.details["groups"] == [0, 1, 2, 3]
    assert "4 of 5 occurrences" in f.message
    # one missing rendering among renderings is a row warning
    rows = [("表彰守信个人。", "Commend trustworthy individuals."), ("激励守信企业。", "Encourage trustworthy firms."),
            ("宣传守信典型。", "Publicize models of trustworthiness."), ("守信者受益。", "The faithful benefit.")]
    (f,) = flags_of(check_glossary(one(rows), gl), "missing")
    assert (f.severity, f.details["scope"], f.src, f.details["group"]) == ("warning", "row", (3,), 3)


def test_severities_follow_the_documented_meaning(report):
    """warning: a likely problem worth a look (discouraged, inconsistent,
    colliding, missing); info: an observation (how the translations differ,
    a rendering the glossary does not list)."""
    sev = {(f.kind, f.details.get("status")): f.severity for f in report.flags}
    assert sev[("off-glossary", "discouraged")] == "warning"
    assert sev[("off-glossary", "unlisted")] == "info"
    assert sev[("collision", None)] == sev[("inconsistent", None)] == sev[("missing", None)] == "warning"
    assert sev[("divergent", None)] == "info"


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
