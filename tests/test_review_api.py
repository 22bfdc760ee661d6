"""The review API through Starlette's TestClient (no real server): every
edit, conflicts, undo/redo, bad input, the token and what is served.

The client raises on any server exception, so a test that gets a response
at all got no 500."""
from __future__ import annotations

import json
import sqlite3

import pytest
from starlette.testclient import TestClient

from align.review.app import MAX_BODY, create_app
from align.review.service import open_review

from review_fixtures import LOCAL, project, template_db  # noqa: F401 - fixtures


@pytest.fixture
def review(project):
    r = open_review(project)
    yield r
    r.store.close()


@pytest.fixture
def client(review):
    with TestClient(create_app(review), base_url=LOCAL) as c:
        yield c


def rows(client, tid="clt"):
    r = client.get(f"/api/translations/{tid}/rows")
    assert r.status_code == 200
    return r.json()["rows"]


def ref(row):
    return {"id": row["id"], "version": row["version"]}


def post(client, path, body, status=200):
    r = client.post(path, json=body)
    assert r.status_code == status, r.text
    return r.json()


def flagged(client, tid="blog"):
    return next(r for r in rows(client, tid) if r["flags"])


# --------------------------------------------------------------------------- reading


def test_rows_cover_every_segment_once_in_order(client, review):
    for tid in ("clt", "blog"):
        got = rows(client, tid)
        assert [r["position"] for r in got] == list(range(1, len(got) + 1))
        assert [i for r in got for i in r["src"]] == list(range(len(review.store.segments("source"))))
        assert [j for r in got for j in r["tgt"]] == list(range(len(review.store.segments(tid))))
        assert {r["status"] for r in got} == {"machine"}
    first = rows(client)[0]
    assert first["source"][0]["text"] == review.store.segments("source")[first["src"][0]].text
    project = client.get("/api/project").json()
    assert project["translations"] == ["clt", "blog"]
    assert [i["role"] for i in project["inputs"]] == ["source", "translation", "translation"]
    assert all(len(i["sha256"]) == 64 for i in project["inputs"])


def test_one_row(client):
    row = rows(client)[5]
    assert client.get(f"/api/translations/clt/rows/{row['id']}").json() == row
    assert client.get("/api/translations/clt/rows/999999").status_code == 404
    blog_row = rows(client, "blog")[0]
    assert client.get(f"/api/translations/clt/rows/{blog_row['id']}").status_code == 404


# --------------------------------------------------------------------------- edits


def test_merge_two_neighbours_into_one_edited_row(client):
    before = rows(client)
    a, b = before[3], before[4]
    out = post(client, "/api/translations/clt/merge", {"who": "ann", "rows": [ref(a), ref(b)]})
    assert out["removed"] == [a["id"], b["id"]] and out["event"] >= 1
    (merged,) = out["rows"]
    assert merged["src"] == a["src"] + b["src"] and merged["tgt"] == a["tgt"] + b["tgt"]
    assert merged["status"] == "edited" and merged["position"] == 4
    after = rows(client)
    assert len(after) == len(before) - 1 and after[3] == merged
    # not neighbours
    c, e = after[6], after[8]
    out = post(client, "/api/translations/clt/merge", {"who": "ann", "rows": [ref(c), ref(e)]}, 400)
    assert "not neighbours" in out["message"]


def test_split_at_a_segment_boundary(client):
    a, b = rows(client)[3:5]
    (merged,) = post(client, "/api/translations/clt/merge", {"who": "ann", "rows": [ref(a), ref(b)]})["rows"]
    out = post(client, "/api/translations/clt/split", {"who": "ann", "row": ref(merged), "src_at": 1, "tgt_at": 1})
    assert [(r["src"], r["tgt"], r["status"]) for r in out["rows"]] == [(a["src"], a["tgt"], "edited"),
                                                                     (b["src"], b["tgt"], "edited")]
    assert out["removed"] == [merged["id"]]
    one = out["rows"][0]
    for src_at, tgt_at in ((0, 0), (1, 1), (2, 0), (0, 5), (-1, 0)):
        r = client.post("/api/translations/clt/split", json={"who": "ann", "row": ref(one), "src_at": src_at,
                                                              "tgt_at": tgt_at})
        assert r.status_code == 400, (src_at, tgt_at)
        assert r.json()["message"]
    # a 1:1 row splits into an omission and an addition
    out = post(client, "/api/translations/clt/split", {"who": "ann", "row": ref(one), "src_at": 1, "tgt_at": 0})
    assert [(r["src"], r["tgt"]) for r in out["rows"]] == [(a["src"], []), ([], a["tgt"])]


def test_approve_and_take_it_back(client):
    row = rows(client)[2]
    out = post(client, "/api/translations/clt/approve", {"who": "ann", "row": ref(row)})
    (r,) = out["rows"]
    assert r["status"] == "approved" and r["approved"] and r["version"] == row["version"] + 1
    again = post(client, "/api/translations/clt/approve", {"who": "ann", "row": ref(r)})
    assert again["event"] is None and again["rows"][0]["version"] == r["version"]  # nothing to do
    back = post(client, "/api/translations/clt/approve", {"who": "ann", "row": ref(r), "approved": False})
    assert back["rows"][0]["status"] == "machine"


def test_decide_on_a_flag_with_a_comment(client):
    row = flagged(client)
    flag = row["flags"][0]
    out = post(client, "/api/translations/blog/decide", {"who": "bob", "row": ref(row), "flag": flag["key"],
                                                          "decision": "false-positive", "comment": "18th is right"})
    shown = out["rows"][0]["flags"][0]
    assert shown["key"] == flag["key"]
    assert shown["decision"]["decision"] == "false-positive" and shown["decision"]["who"] == "bob"
    assert shown["decision"]["comment"] == "18th is right" and shown["decision"]["at"].endswith("Z")
    # the decision survives a reload and shows with the flag
    assert next(r for r in rows(client, "blog") if r["id"] == row["id"])["flags"][0]["decision"] == shown["decision"]
    # take it back
    cur = out["rows"][0]
    out = post(client, "/api/translations/blog/decide", {"who": "bob", "row": ref(cur), "flag": flag["key"],
                                                          "decision": None})
    assert out["rows"][0]["flags"][0]["decision"] is None
    cur = out["rows"][0]
    bad = client.post("/api/translations/blog/decide", json={"who": "bob", "row": ref(cur), "flag": "0" * 20,
                                                             "decision": "accept"})
    assert bad.status_code == 404 and "no flag" in bad.json()["message"]
    bad = client.post("/api/translations/blog/decide", json={"who": "bob", "row": ref(cur), "flag": flag["key"],
                                                             "decision": "maybe"})
    assert bad.status_code == 400 and "decision" in bad.json()["message"]


def test_comment_on_a_row_and_it_follows_a_merge(client):
    a, b = rows(client)[10:12]
    out = post(client, "/api/translations/clt/comment", {"who": "ann", "row": ref(a), "text": "check <b>this</b>"})
    (r,) = out["rows"]
    assert [(c["who"], c["text"]) for c in r["comments"]] == [("ann", "check <b>this</b>")]
    (merged,) = post(client, "/api/translations/clt/merge", {"who": "ann", "rows": [ref(r), ref(b)]})["rows"]
    assert [c["text"] for c in merged["comments"]] == ["check <b>this</b>"]
    for text in ("", "   ", "x" * 4001):
        assert client.post("/api/translations/clt/comment",
                           json={"who": "ann", "row": ref(merged), "text": text}).status_code == 400


def test_undo_and_redo_replay_the_log(client):
    before = rows(client)
    a, b = before[3:5]
    post(client, "/api/translations/clt/merge", {"who": "ann", "rows": [ref(a), ref(b)]})
    merged_rows = rows(client)
    undone = post(client, "/api/undo", {"who": "ann"})
    assert undone["translation"] == "clt" and undone["summary"].startswith("undo")
    back = rows(client)
    assert [(r["id"], r["src"], r["tgt"]) for r in back] == [(r["id"], r["src"], r["tgt"]) for r in before]
    redone = post(client, "/api/redo", {"who": "ann"})
    assert redone["summary"].startswith("redo")
    assert [(r["id"], r["src"], r["tgt"]) for r in rows(client)] == [(r["id"], r["src"], r["tgt"]) for r in merged_rows]
    assert post(client, "/api/redo", {"who": "ann"})["event"] is None  # nothing left to redo
    # another editor's stack is their own
    assert post(client, "/api/undo", {"who": "bob"})["event"] is None
    events = client.get("/api/events").json()["events"]
    assert [e["action"] for e in events] == ["merge", "undo", "redo"]
    assert events[1]["target"] == events[0]["seq"] == events[2]["target"]


def test_undo_of_a_row_someone_changed_since_is_refused(client):
    a, b = rows(client)[3:5]
    (merged,) = post(client, "/api/translations/clt/merge", {"who": "ann", "rows": [ref(a), ref(b)]})["rows"]
    post(client, "/api/translations/clt/approve", {"who": "bob", "row": ref(merged)})
    out = post(client, "/api/undo", {"who": "ann"}, 409)
    assert "bob" in out["message"] and "cannot undo" in out["message"]
    # bob undoes his approval; then ann's undo goes through
    post(client, "/api/undo", {"who": "bob"})
    post(client, "/api/undo", {"who": "ann"})
    assert [r["src"] for r in rows(client)[3:5]] == [a["src"], b["src"]]


def test_a_stale_version_gets_409_with_the_row_as_it_is(client):
    row = rows(client)[7]
    post(client, "/api/translations/clt/comment", {"who": "ann", "row": ref(row), "text": "first"})
    out = post(client, "/api/translations/clt/comment", {"who": "bob", "row": ref(row), "text": "second"}, 409)
    assert out["error"] == "conflict" and "ann" in out["message"] and "not saved" in out["message"]
    (now,) = out["rows"]
    assert now["id"] == row["id"] and now["version"] == row["version"] + 1
    assert [c["text"] for c in now["comments"]] == ["first"]
    # bob resubmits on the fresh row: both comments kept
    post(client, "/api/translations/clt/comment", {"who": "bob", "row": ref(now), "text": "second"})
    got = client.get(f"/api/translations/clt/rows/{row['id']}").json()
    assert [c["text"] for c in got["comments"]] == ["first", "second"]
    # a row merged away: 409 and reload
    a, b = rows(client)[20:22]
    post(client, "/api/translations/clt/merge", {"who": "ann", "rows": [ref(a), ref(b)]})
    out = post(client, "/api/translations/clt/approve", {"who": "bob", "row": ref(a)}, 409)
    assert out["reload"] is True and "merge" in out["message"]


def test_the_same_request_is_not_done_twice(client):
    row = rows(client)[1]
    body = {"who": "ann", "row": ref(row), "text": "once", "request": "req-1"}
    first = post(client, "/api/translations/clt/comment", body)
    second = post(client, "/api/translations/clt/comment", body)
    assert second["replayed"] and second["event"] == first["event"]
    got = client.get(f"/api/translations/clt/rows/{row['id']}").json()
    assert [c["text"] for c in got["comments"]] == ["once"]


def test_realign_keeps_fixed_rows_and_names_the_moved_ones(client, review):
    before = rows(client)
    # a wrong merge by hand: the rows after it must shift to fit
    a, b = before[30:32]
    out = post(client, "/api/translations/clt/merge", {"who": "ann", "rows": [ref(a), ref(b)], "realign": True})
    merged = next(r for r in out["rows"] if r["status"] == "edited")
    after = rows(client)
    assert merged in after
    assert [i for r in after for i in r["src"]] == list(range(len(review.store.segments("source"))))
    assert [j for r in after for j in r["tgt"]] == list(range(len(review.store.segments("clt"))))
    assert set(out["moved"]) <= {r["id"] for r in after}
    gen = client.get("/api/translations/clt/rows").json()["generation"]
    approve = post(client, "/api/translations/clt/approve", {"who": "ann", "row": ref(after[0])})
    assert approve["generation"] == gen  # approving changes no row's place
    re = post(client, "/api/translations/clt/realign", {"who": "ann", "generation": gen})
    assert re["event"] is None or re["moved"]
    after2 = rows(client)
    assert after2[0]["status"] == "approved" and merged["id"] in {r["id"] for r in after2}
    stale = post(client, "/api/translations/clt/realign", {"who": "ann", "generation": "0" * 16}, 409)
    assert "changed" in stale["message"]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("body, status, says", [
    (b"{not json", 400, "not valid JSON"),
    (b"[]", 400, ""),
    (b'{"who": "ann"}', 400, "row"),
    (b'{"who": "ann", "row": {"id": 1, "version": 1}, "text": "x", "extra": 1}', 400, "extra"),
    (b'{"who": "ann", "row": {"id": "one", "version": 1}, "text": "x"}', 400, "id"),
    (b'{"who": "ann", "row": {"id": 99999999999999999999999, "version": 1}, "text": "x"}', 400, "id"),
    (b'{"who": "ann", "row": {"id": 1, "version": 0}, "text": "x"}', 400, "version"),
    (b'{"who": "", "row": {"id": 1, "version": 1}, "text": "x"}', 400, "who"),
    (b'{"who": "ann", "row": {"id": 1, "version": 1}, "text": "\\ud800"}', 400, "text"),
    (b'{"who": "a\\u0000b", "row": {"id": 1, "version": 1}, "text": "x"}', 400, "name"),
    (b'{"who": "ann", "row": {"id": 999999, "version": 1}, "text": "x"}', 404, "no row"),
])
def test_bad_requests_get_a_message_not_a_traceback(client, body, status, says):
    r = client.post("/api/translations/clt/comment", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status
    out = r.json()
    assert set(out) >= {"error", "message"} and says in out["message"]
    assert "Traceback" not in r.text


def test_unknown_translation_and_routes(client):
    assert client.get("/api/translations/nope/rows").status_code == 404
    r = client.post("/api/translations/nope/comment", json={"who": "a", "row": {"id": 1, "version": 1}, "text": "x"})
    assert r.status_code == 404 and "no translation" in r.json()["message"]
    assert client.get("/api/nothing").json()["error"] == "not found"
    assert client.post("/api/translations/clt/rows", json={}).status_code == 405
    blog_row = rows(client, "blog")[0]
    r = client.post("/api/translations/clt/approve", json={"who": "a", "row": ref(blog_row)})
    assert r.status_code == 404


def test_request_size_and_type_limits(client):
    row = rows(client)[0]
    big = json.dumps({"who": "a", "row": ref(row), "text": "x" * (MAX_BODY + 10)})
    r = client.post("/api/translations/clt/comment", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    r = client.post("/api/translations/clt/comment", content=json.dumps({"who": "a"}),
                    headers={"content-type": "text/plain"})
    assert r.status_code == 415
    r = client.post("/api/translations/clt/comment", json={"who": "a", "row": ref(row), "text": "x"},
                    headers={"origin": "http://evil.example"})
    assert r.status_code == 403


# --------------------------------------------------------------------------- security


def test_localhost_only_without_a_token(review):
    with TestClient(create_app(review), base_url="http://evil.example") as c:
        r = c.get("/api/project")
        assert r.status_code == 403 and "localhost" in r.json()["message"]
    with TestClient(create_app(review), base_url="http://localhost:8765") as c:
        assert c.get("/api/project").status_code == 200


def test_a_token_is_checked_on_every_request(review):
    token = "s3cret-token-123"
    with TestClient(create_app(review, token=token), base_url="http://192.0.2.10:8765") as c:
        for path in ("/", "/static/review.js", "/api/project", "/api/translations/clt/rows", "/api/openapi.json"):
            r = c.get(path)
            assert r.status_code == 401, path
        assert c.post("/api/undo", json={"who": "a"}).status_code == 401
        assert c.get("/api/project", headers={"authorization": f"Bearer {token}"}).status_code == 200
        assert c.get("/api/project", headers={"x-align-token": token}).status_code == 200
        assert c.get("/api/project", headers={"authorization": "Bearer wrong"}).status_code == 401
        assert c.get(f"/api/project?token={token}").status_code == 200
        # the printed URL sets a cookie and drops the token from the address
        r = c.get(f"/?token={token}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
        assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
        assert c.get("/").status_code == 200  # the cookie now
        assert c.get("/api/project").status_code == 200


def test_only_the_apps_own_files_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert client.get("/static/review.js").headers["content-type"].startswith("text/javascript")
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/store.py", "/static/", "/etc/passwd",
                 "/static/..%2fapp.py", "/api/../../etc/passwd"):
        r = client.get(path)
        assert r.status_code == 404, path


def test_no_inner_html_of_data_in_the_page():
    from importlib import resources

    js = resources.files("align.review").joinpath("static", "review.js").read_text()
    assert "innerHTML" not in js and "outerHTML" not in js and "insertAdjacentHTML" not in js
    assert "document.write" not in js and "eval(" not in js


# --------------------------------------------------------------------------- the file


def test_reopening_the_project_gives_exactly_the_same_state(project, client, review):
    a, b = rows(client)[3:5]
    post(client, "/api/translations/clt/merge", {"who": "ann", "rows": [ref(a), ref(b)]})
    row = flagged(client)
    post(client, "/api/translations/blog/decide", {"who": "bob", "row": ref(row), "flag": row["flags"][0]["key"],
                                                    "decision": "accept", "comment": "real"})
    post(client, "/api/translations/clt/comment", {"who": "ann", "row": ref(rows(client)[9]), "text": "hm"})
    seen = {tid: client.get(f"/api/translations/{tid}/rows").json() for tid in ("clt", "blog")}
    events = client.get("/api/events").json()
    review.store.close()
    again = open_review(project)
    try:
        with TestClient(create_app(again), base_url=LOCAL) as c2:
            assert {tid: c2.get(f"/api/translations/{tid}/rows").json() for tid in ("clt", "blog")} == seen
            assert c2.get("/api/events").json() == events
            # undo stacks survive too
            assert c2.post("/api/undo", json={"who": "ann"}).json()["summary"].startswith("undo “commented")
    finally:
        again.store.close()


def test_the_event_log_is_append_only_and_the_schema_versioned(project, client):
    post(client, "/api/translations/clt/comment", {"who": "ann", "row": ref(rows(client)[0]), "text": "x"})
    conn = sqlite3.connect(project)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("UPDATE events SET who = 'mallory'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM events")
    finally:
        conn.close()


def test_a_file_that_is_not_a_project_is_refused(tmp_path):
    from align.errors import InputError

    bad = tmp_path / "x.sqlite"
    bad.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(InputError, match="not a review project"):
        open_review(bad)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.close()
    with pytest.raises(InputError, match="not a review project"):
        open_review(other)
