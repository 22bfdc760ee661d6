"""A review project flows on: export, check and report read it (no aligning
again) and honour the editors' decisions; its beads are gold for eval."""
from __future__ import annotations

import json

import pytest

from align import pipeline
from align.review.service import open_review
from align.review.store import Ref

from review_fixtures import SOURCE, TRANSLATIONS, project, template_db  # noqa: F401 - fixtures


def cli(args, capsys) -> tuple[int, str, str]:
    from align.cli import main

    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    out = capsys.readouterr()
    return info.value.code, out.out, out.err


@pytest.fixture
def reviewed(project):
    """The project after a few edits: blog's number flag dismissed as a false
    positive, clt's first flag accepted, clt's row 1 approved, rows 4-5 merged."""
    r = open_review(project)
    try:
        blog = next(x for x in r.rows("blog")["rows"] if x["flags"])
        flag = blog["flags"][0]
        r.decide("blog", "bob", Ref(blog["id"], blog["version"]), flag["key"], "false-positive", "18th is right")
        clt_rows = r.rows("clt")["rows"]
        clt = next(x for x in clt_rows if x["flags"])
        r.decide("clt", "ann", Ref(clt["id"], clt["version"]), clt["flags"][0]["key"], "accept", "really short")
        r.approve("clt", "ann", Ref(clt_rows[0]["id"], clt_rows[0]["version"]))
        a, b = clt_rows[3:5]
        r.merge("clt", "ann", Ref(a["id"], a["version"]), Ref(b["id"], b["version"]))
    finally:
        r.store.close()
    return {"db": project, "dismissed": flag, "accepted": clt["flags"][0]}


def test_from_review_db_applies_the_decisions(reviewed):
    analysis = pipeline.from_review_db(reviewed["db"])
    messages = [f.message for f in analysis.flags]
    assert not any(f.kind == reviewed["dismissed"]["kind"] and f.translation == "blog" for f in analysis.flags)
    assert any("accepted by ann" in m and "really short" in m for m in messages)
    (closed,) = analysis.closed
    assert closed.kind == "dismissed" and "bob" in closed.message and "18th is right" in closed.message
    assert closed.details["review"]["at"].endswith("Z")
    assert any("dismissed as a false positive by bob" in n for n in analysis.notes)
    assert [b.src for b in analysis.multi.alignments["clt"].beads][3] == (3, 4)
    assert analysis.multi.signature["review"]["events"] == 4
    # files given must be the project's own
    pipeline.from_review_db(reviewed["db"], SOURCE, TRANSLATIONS)
    from align.errors import InputError

    with pytest.raises(InputError, match="sha256 differs"):
        pipeline.from_review_db(reviewed["db"], TRANSLATIONS[0], TRANSLATIONS)


def test_check_db_keeps_a_dismissed_flag_dismissed_with_who_and_when(reviewed, capsys):
    code, out, err = cli(["check", "--db", reviewed["db"], "--json"], capsys)
    assert code == 0
    flags = json.loads(out)["flags"]
    assert not any(f["kind"] == "number" and f["translation"] == "blog" for f in flags)
    accepted = [f for f in flags if f["details"].get("review")]
    assert accepted and accepted[0]["details"]["review"]["who"] == "ann"
    assert "dismissed as a false positive by bob on 20" in err and "18th is right" in err
    code, out, err = cli(["check", "--db", reviewed["db"], "--strict"], capsys)
    assert code == 1  # the accepted flag is still a problem
    code, _, err = cli(["check", "--db", reviewed["db"], "--from", reviewed["db"]], capsys)
    assert code == 2 and "--db" in err


def test_report_db_shows_the_dismissed_flag_as_dismissed(reviewed, tmp_path, capsys):
    out_html = tmp_path / "r.html"
    code, out, err = cli(["report", "--db", reviewed["db"], "-o", out_html], capsys)
    assert code == 0, err
    html = out_html.read_text()
    assert "dismissed as a false positive by bob" in html and "18th is right" in html
    assert "accepted by ann" in html
    code, _, err = cli(["report", "--db", reviewed["db"], "-o", reviewed["db"]], capsys)
    assert code == 2  # never over the project


def test_export_db_writes_the_reviewed_alignment_with_statuses(reviewed, tmp_path, capsys):
    tsv = tmp_path / "a.tsv"
    code, _, err = cli(["export", "--db", reviewed["db"], "-o", tsv], capsys)
    assert code == 0, err
    lines = tsv.read_text().splitlines()
    header = lines[1].split("\t")
    assert header[-2:] == ["clt_status", "blog_status"]
    rows = [dict(zip(header, ln.split("\t"))) for ln in lines[2:]]
    assert rows[0]["clt_status"] == "approved"
    assert any(r["clt_status"] == "edited" and r["clt_idx"] == "3,4" for r in rows)
    assert {s for r in rows for s in r["blog_status"].split(",")} == {"machine"}

    code, out, _ = cli(["export", "--db", reviewed["db"], "-f", "jsonl"], capsys)
    recs = [json.loads(ln) for ln in out.splitlines()]
    assert recs[0]["review"]["events"] == 4
    statuses = [b["status"] for r in recs[1:] for b in r["translations"]["clt"]["beads"]]
    assert statuses[0] == "approved" and "edited" in statuses
    assert any(f["kind"] == "dismissed" for f in recs[0]["flags"])

    code, out, _ = cli(["export", "--db", reviewed["db"], "-f", "tmx", "--translation", "clt"], capsys)
    assert out.count('<prop type="x-status">approved</prop>') == 1
    assert out.count('<prop type="x-status">edited</prop>') == 1


def test_export_db_beads_are_gold_for_eval(reviewed, tmp_path, capsys):
    gold = tmp_path / "gold.beads"
    code, _, err = cli(["export", "--db", reviewed["db"], "-f", "beads", "--translation", "clt", "-o", gold], capsys)
    assert code == 0, err
    assert gold.read_text().splitlines()[3] == "[3,4]:[3,4]"
    code, _, err = cli(["export", "--db", reviewed["db"], "-f", "beads"], capsys)
    assert code == 2 and "--translation" in err
    # the machine's alignment scored against the reviewed one: all but the merged bead agree
    pred = tmp_path / "pred.beads"
    code, _, _ = cli(["pair", SOURCE, TRANSLATIONS[0], "--encoder", "lexical", "-f", "beads", "-o", pred], capsys)
    code, out, err = cli(["eval", gold, pred, "--json"], capsys)
    assert code == 0, err
    total = json.loads(out)["total"]
    assert total["gold_beads"] == total["test_beads"] - 1
    assert 0.95 < total["precision_strict"] < 1.0


def test_export_db_takes_no_inputs(reviewed, capsys):
    code, _, err = cli(["export", SOURCE, "--db", reviewed["db"]], capsys)
    assert code == 2 and "--db" in err
    code, _, err = cli(["export", "--db", reviewed["db"], "-f", "xml"], capsys)
    assert code == 2 and "--format" in err
