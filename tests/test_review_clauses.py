"""A review project has the clause beads inside its rows that ``align pair``
gives: the same clause-omission flag on the review page, the same clause
beads in what it exports and reports; after an edit, the edited rows get
clause beads of their own and the others keep theirs."""
from __future__ import annotations

import json

import pytest

from align import pipeline
from align.review.service import open_review
from align.review.store import Ref

from review_fixtures import SOURCE, TRANSLATIONS, project, template_db  # noqa: F401 - fixtures


@pytest.fixture(scope="module")
def direct():
    """What ``align pair`` gives on 98号 with the default encoder (it finds
    the clause clt leaves out: 组织签署入职信用承诺书…)."""
    return pipeline.analyse(SOURCE, TRANSLATIONS)


@pytest.fixture(scope="module")
def use_db(tmp_path_factory):
    from align.review.service import create_project

    path = tmp_path_factory.mktemp("review-use") / "project.sqlite"
    create_project(path, SOURCE, TRANSLATIONS).close()
    return path


@pytest.fixture
def use_project(use_db, tmp_path):
    import shutil

    path = tmp_path / "project.sqlite"
    shutil.copy(use_db, path)
    return path


def _clause_flags(flags):
    return sorted((f.translation, tuple(f.details["clauses"]), f.src, f.tgt) for f in flags
                  if f.details.get("level") == "clause")


def _covers_in_order(beads, n_src, n_tgt):
    src = [i for b in beads for i in b.src]
    tgt = [j for b in beads for j in b.tgt]
    return src == list(range(n_src)) and tgt == list(range(n_tgt))


def test_the_review_page_has_the_clause_omission_flag_align_pair_has(use_project, direct):
    want = _clause_flags(direct.flags)
    assert want, "98号 has a clause left out inside a row (clt, 组织签署入职信用承诺书…)"
    r = open_review(use_project)
    try:
        assert _clause_flags(r.flag_state().flags) == want
        # and it is shown on the row that holds the left-out clause
        tid, _, src, _ = want[0]
        rows = r.rows(tid)["rows"]
        row = next(x for x in rows if any(f["kind"] == "omission" and "leaves out source clause" in f["message"]
                                          for f in x["flags"]))
        assert tuple(row["src"]) == src
    finally:
        r.store.close()


def test_a_project_exports_the_clause_beads_align_pair_gives(use_project, direct, tmp_path, capsys):
    from align.cli import main

    analysis = pipeline.from_review_db(use_project)
    for tid, al in direct.multi.alignments.items():
        assert analysis.multi.alignments[tid].clauses.beads == al.clauses.beads
    out = tmp_path / "review.jsonl"
    with pytest.raises(SystemExit) as info:
        main(["export", "--db", str(use_project), "--format", "jsonl", "-o", str(out)])
    assert info.value.code == 0
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    cells = [c for r in rows if r.get("record") != "header" for c in (r.get("translations") or {}).values()]
    assert any(c.get("clauses") for c in cells)


def test_after_a_merge_the_merged_row_has_clause_beads_and_the_others_keep_theirs(project):
    r = open_review(project)
    try:
        before = {tuple(b.src): b for b in r.clauses.attach(r.store.multi()).alignments["clt"].clauses.beads}
        rows = r.rows("clt")["rows"]
        a, b = rows[5:7]
        r.merge("clt", "ann", Ref(a["id"], a["version"]), Ref(b["id"], b["version"]))
        multi = r.clauses.attach(r.store.multi())
        al = multi.alignments["clt"]
        ca = al.clauses
        assert _covers_in_order(ca.beads, len(ca.source), len(ca.target))
        merged = next(x for x in al.beads if set(a["src"]) | set(b["src"]) <= set(x.src))
        inside = [c for c in ca.beads if c.src and ca.source_sentence[c.src[0]] in merged.src]
        assert inside and {ca.source_sentence[i] for c in inside for i in c.src} == set(merged.src)
        # a row the merge did not touch keeps its clause beads
        far = al.beads[-1]
        kept = [c for c in ca.beads if c.src and ca.source_sentence[c.src[0]] in far.src]
        assert kept and all(before.get(tuple(c.src)) == c for c in kept)
    finally:
        r.store.close()


def test_a_clause_level_project_has_no_clause_beads_inside_its_rows(tmp_path):
    from align.review.service import create_project

    db = tmp_path / "clause.sqlite"
    create_project(db, SOURCE, TRANSLATIONS[:1], settings=pipeline.Settings(encoder="lexical", level="clause")).close()
    analysis = pipeline.from_review_db(db)
    assert analysis.multi.alignments["clt"].clauses is None
    assert analysis.multi.source[0].level == "clause"


def test_each_row_of_the_api_carries_its_clause_beads(use_project):
    r = open_review(use_project)
    try:
        rows = r.rows("clt")["rows"]
        for row in rows:
            cells = row["clauses"]
            assert cells, row["position"]
            # the row's clauses, each once, in order, on both sides
            assert "".join(t for c in cells for t in c["source"]) == "".join(s["text"] for s in row["source"])
            tgt = [j for c in cells for j in c["tgt"]]
            assert tgt == sorted(tgt) and len(tgt) == len(set(tgt))
        (row40,) = [x for x in rows if x["src"] == [39, 40]]
        left_out = [c for c in row40["clauses"] if c["src"] and not c["tgt"]]
        assert [c["src"] for c in left_out] == [[82], [83]]
        assert left_out[0]["source"][0].startswith("组织签署入职信用承诺书")
        # after a merge, the merged row has clause beads of its own
        a, b = rows[5:7]
        got = r.merge("clt", "ann", Ref(a["id"], a["version"]), Ref(b["id"], b["version"]))
        (merged,) = r.rows_of("clt", got.changed)
        assert merged["src"] == a["src"] + b["src"]
        assert {i for c in merged["clauses"] for i in c["src"]} == {i for c in a["clauses"] + b["clauses"]
                                                                    for i in c["src"]}
    finally:
        r.store.close()
