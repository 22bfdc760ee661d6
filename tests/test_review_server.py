"""``align review`` as a real server (uvicorn on 127.0.0.1, a free port):
its URL, Ctrl-C, reopening, the token, and kill -9 in a burst of edits."""
from __future__ import annotations

import signal
import threading
import time

import httpx
import pytest

from align.review.service import open_review

from review_fixtures import SOURCE, TRANSLATIONS, Server, project, template_db  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow


def test_made_served_stopped_with_ctrl_c_and_reopened_as_it_was(tmp_path):
    db = tmp_path / "new.sqlite"
    with Server(db, str(SOURCE), *map(str, TRANSLATIONS)) as s:
        assert s.url.startswith("http://127.0.0.1:") and "token" not in s.url
        rows = httpx.get(f"{s.base}/api/translations/clt/rows", timeout=30).json()
        row = rows["rows"][2]
        r = httpx.post(f"{s.base}/api/translations/clt/comment", timeout=30,
                       json={"who": "ann", "row": {"id": row["id"], "version": row["version"]}, "text": "kept"})
        assert r.status_code == 200
        before = httpx.get(f"{s.base}/api/translations/clt/rows", timeout=30).json()
        code, out, err = s.stop(signal.SIGINT)
    assert code == 0, err
    assert "stopped" in out and "Traceback" not in err
    with Server(db) as s:  # no files: the project as it was
        assert httpx.get(f"{s.base}/api/translations/clt/rows", timeout=30).json() == before
    with Server(db, str(SOURCE), *map(str, TRANSLATIONS)) as s:  # the same files: fine
        assert httpx.get(f"{s.base}/api/project", timeout=30).status_code == 200


def _run(*args, timeout=120):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", "from align.cli import main; main()", "review", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def test_other_files_or_none_are_refused(project, tmp_path):
    res = _run("--db", project, TRANSLATIONS[0], *TRANSLATIONS, "--port", "0")
    assert res.returncode == 3 and "sha256 differs" in res.stderr and "Traceback" not in res.stderr
    res = _run("--db", tmp_path / "missing.sqlite", "--port", "0")
    assert res.returncode == 2 and "does not exist yet" in res.stderr
    res = _run("--db", project, "-g", "glossary.yaml", "--port", "0")
    assert res.returncode == 2 and "glossary" in res.stderr
    bad = tmp_path / "bad.sqlite"
    bad.write_text("not a database")
    res = _run("--db", bad, "--port", "0")
    assert res.returncode == 3 and "not a review project" in res.stderr


def test_a_token_is_required_when_given(project):
    with Server(project, "--token", "tok-1234567") as s:
        assert s.url.endswith("/?token=tok-1234567")
        assert httpx.get(f"{s.base}/api/project", timeout=30).status_code == 401
        assert httpx.get(f"{s.base}/api/project", timeout=30,
                         headers={"authorization": "Bearer tok-1234567"}).status_code == 200


def test_off_localhost_a_token_is_made_up():
    from align.cli.review import token_for
    from align.errors import UsageError

    assert token_for("127.0.0.1", None) is None and token_for("localhost", None) is None
    made = token_for("0.0.0.0", None)
    assert made and len(made) >= 24 and made != token_for("0.0.0.0", None)
    assert token_for("192.0.2.1", "given-token") == "given-token"
    with pytest.raises(UsageError):
        token_for("127.0.0.1", "short")


def test_kill_9_in_a_burst_of_edits_loses_nothing_acknowledged(project):
    """Four clients comment as fast as they can; the server is killed with
    SIGKILL mid-burst; every comment it acknowledged is in the file, once."""
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    with Server(project) as s:
        rows = httpx.get(f"{s.base}/api/translations/clt/rows", timeout=30).json()["rows"]

        def client(k: int) -> None:
            row = rows[k * 7]
            version = row["version"]
            with httpx.Client(timeout=10) as c:
                for i in range(300):
                    if stop.is_set():
                        return
                    text = f"c{k}-{i}"
                    try:
                        r = c.post(f"{s.base}/api/translations/clt/comment",
                                   json={"who": f"w{k}", "row": {"id": row["id"], "version": version}, "text": text,
                                         "request": text})
                    except httpx.HTTPError:
                        return  # the server is gone
                    assert r.status_code == 200, r.text
                    version = r.json()["rows"][0]["version"]
                    with lock:
                        acked.append(text)

        threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(acked) < 80 and time.monotonic() < deadline and any(t.is_alive() for t in threads):
            time.sleep(0.01)
        s.proc.kill()  # SIGKILL: no cleanup at all
        s.proc.wait(timeout=30)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        s.proc.communicate(timeout=30)
    assert len(acked) >= 80
    r = open_review(project)
    try:
        stored = [c.text for c in r.store.comments()]
        events = r.store.events(limit=10000)
    finally:
        r.store.close()
    assert set(acked) <= set(stored)
    assert len(stored) == len(set(stored))  # none twice
    assert len(stored) - len(acked) <= 4  # at most one unacknowledged in flight per client
    assert len(events) == len(stored)
