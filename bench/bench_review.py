"""Load on ``align review``: many editors at once on 98号, then one editor alone.

    .venv/bin/python bench/bench_review.py                  # 20 clients x 200 edits, at most 300 s
    .venv/bin/python bench/bench_review.py --clients 5 --edits 50 --seconds 60

Makes a project of 98号 with both translations (lexical encoder), starts
``align review`` on 127.0.0.1 (a free port) and runs the clients, each in a
thread: comments (most edits) and approvals on rows of its own, plus
comments on one row that every client shares (so that stale versions, 409,
and retries happen). Every edit carries a request id. Bounded: each client
stops after ``--edits`` edits or at the deadline, whichever comes first;
then the server is stopped.

Afterwards the project file is checked: every acknowledged comment is
there exactly once, nothing else is, every row's approval is what its last
acknowledged approve said, and the log has one event per acknowledged
edit. Prints throughput and p50/p95 latency, under load and for one editor
alone (each kind of edit: comment, approve, decide, merge with its undo).
"""
from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


@dataclass
class Tally:
    """What one client saw."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    approved: dict[int, bool] = field(default_factory=dict)  # row id -> last acknowledged state
    events: int = 0
    conflicts: int = 0
    edits: int = 0
    gave_up: int = 0  # edits still stale after 50 tries (the shared row under contention)

    def took(self, what: str, seconds: float) -> None:
        self.latencies.setdefault(what, []).append(seconds)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


def line(what: str, xs: list[float]) -> str:
    return (f"  {what:<16} n={len(xs):<6} p50 {1000 * pct(xs, 50):7.1f} ms  p95 {1000 * pct(xs, 95):7.1f} ms  "
            f"max {1000 * max(xs):7.1f} ms") if xs else f"  {what:<16} n=0"


def client(k: int, base: str, rows: list[dict], shared: dict, n_edits: int, deadline: float, tally: Tally) -> None:
    import httpx

    own = rows[k::max(1, args_clients)] or rows[:1]
    versions = {r["id"]: r["version"] for r in own}
    versions[shared["id"]] = shared["version"]
    state = {r["id"]: False for r in own}
    with httpx.Client(timeout=30) as c:
        for i in range(n_edits):
            if time.monotonic() > deadline:
                return
            if i % 10 == 9:
                row = shared
                what, body = "comment", {"text": f"k{k}-{i}-shared"}
            else:
                row = own[i % len(own)]
                if i % 3 == 2:
                    what, body = "approve", {"approved": not state[row["id"]]}
                else:
                    what, body = "comment", {"text": f"k{k}-{i}"}
            rid = f"k{k}-{i}"
            for _attempt in range(50):  # a 409 did nothing: retry on the fresh version
                if time.monotonic() > deadline:
                    return
                t0 = time.perf_counter()
                r = c.post(f"{base}/api/translations/clt/{what}",
                           json={"who": f"editor{k}", "row": {"id": row["id"], "version": versions[row["id"]]},
                                 "request": rid, **body})
                tally.took(what, time.perf_counter() - t0)
                if r.status_code == 409:
                    tally.conflicts += 1
                    fresh = r.json()["rows"]
                    if fresh:
                        versions[row["id"]] = fresh[0]["version"]
                    continue
                if r.status_code != 200:
                    raise RuntimeError(f"client {k}: {r.status_code} {r.text}")
                out = r.json()
                versions[row["id"]] = out["rows"][0]["version"]
                tally.edits += 1
                tally.events += out["event"] is not None
                if what == "comment":
                    tally.comments.append(body["text"])
                else:
                    state[row["id"]] = body["approved"]
                    tally.approved[row["id"]] = body["approved"]
                break
            else:
                tally.gave_up += 1


def alone(base: str, rounds: int) -> dict[str, list[float]]:
    """One editor, nobody else: each kind of edit ``rounds`` times."""
    import httpx

    times: dict[str, list[float]] = {}
    with httpx.Client(timeout=30) as c:
        def timed(what, path, body):
            t0 = time.perf_counter()
            r = c.post(f"{base}{path}", json={"who": "solo", **body})
            times.setdefault(what, []).append(time.perf_counter() - t0)
            if r.status_code != 200:
                raise RuntimeError(f"{what}: {r.status_code} {r.text}")
            return r.json()

        for i in range(rounds):
            rows = c.get(f"{base}/api/translations/blog/rows").json()["rows"]
            row = rows[10 + i % 50]
            out = timed("comment", "/api/translations/blog/comment",
                        {"row": {"id": row["id"], "version": row["version"]}, "text": f"solo {i}"})
            row = out["rows"][0]
            out = timed("approve", "/api/translations/blog/approve", {"row": {"id": row["id"], "version": row["version"]},
                                                                       "approved": True})
            flagged = next(r for r in rows if r["flags"])
            fresh = c.get(f"{base}/api/translations/blog/rows/{flagged['id']}").json()
            timed("decide", "/api/translations/blog/decide",
                  {"row": {"id": fresh["id"], "version": fresh["version"]}, "flag": fresh["flags"][0]["key"],
                   "decision": "accept" if i % 2 else "false-positive", "comment": f"round {i}"})
            a, b = rows[60], rows[61]
            timed("merge", "/api/translations/blog/merge",
                  {"rows": [{"id": a["id"], "version": a["version"]}, {"id": b["id"], "version": b["version"]}]})
            timed("undo", "/api/undo", {})
            t0 = time.perf_counter()
            c.get(f"{base}/api/translations/blog/rows")
            times.setdefault("list rows", []).append(time.perf_counter() - t0)
    return times


def main(argv=None) -> int:
    global args_clients
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--edits", type=int, default=200, help="edits per client")
    ap.add_argument("--seconds", type=float, default=300.0, help="deadline for the whole load phase")
    ap.add_argument("--alone", type=int, default=20, help="rounds of the one-editor phase")
    a = ap.parse_args(argv)
    args_clients = a.clients
    from align.pipeline import Settings
    from align.review.service import create_project, open_review

    from review_fixtures import SOURCE, TRANSLATIONS, Server

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite"
        create_project(db, SOURCE, TRANSLATIONS, settings=Settings(encoder="lexical")).close()
        with Server(db) as s:
            import httpx

            rows = httpx.get(f"{s.base}/api/translations/clt/rows", timeout=60).json()["rows"]
            shared, rest = rows[0], rows[1:]
            tallies = [Tally() for _ in range(a.clients)]
            deadline = time.monotonic() + a.seconds
            threads = [threading.Thread(target=client, args=(k, s.base, rest, shared, a.edits, deadline, tallies[k]),
                                        daemon=True) for k in range(a.clients)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=max(1.0, deadline - time.monotonic() + 60))
            wall = time.perf_counter() - t0
            hung = sum(t.is_alive() for t in threads)
            solo = alone(s.base, a.alone)
            code, _, err = s.stop()
            if code != 0:
                print(err, file=sys.stderr)
        r = open_review(db)
        try:
            stored = [c.text for c in r.store.comments("clt")]
            approved = {b.id: b.approved for b in r.store.beads("clt")}
            events = [e for e in r.store.events(limit=10**7) if e.tid == "clt"]
        finally:
            r.store.close()
    acked = [t for tl in tallies for t in tl.comments]
    expected = {rid: st for tl in tallies for rid, st in tl.approved.items()}
    lost = set(acked) - set(stored)
    extra = set(stored) - set(acked)
    dup = len(stored) - len(set(stored))
    wrong = {rid for rid, st in expected.items() if approved.get(rid) != st}
    n_events = sum(tl.events for tl in tallies)
    edits = sum(tl.edits for tl in tallies)
    print(f"load: {a.clients} clients x up to {a.edits} edits on 98号 (clt), {edits} edits in {wall:.1f} s "
          f"({edits / wall:.0f} edits/s), {sum(tl.conflicts for tl in tallies)} stale writes answered 409 and "
          f"retried, {sum(tl.gave_up for tl in tallies)} edit(s) given up after 50 stale tries, "
          f"{hung} client(s) cut by the deadline; load average {os.getloadavg()[0]:.2f}")
    merged: dict[str, list[float]] = {}
    for tl in tallies:
        for k, v in tl.latencies.items():
            merged.setdefault(k, []).extend(v)
    for what, xs in sorted(merged.items()):
        print(line(what, xs))
    print(line("all requests", list(itertools.chain.from_iterable(merged.values()))))
    print(f"check: {len(acked)} comments acknowledged, {len(stored)} stored: lost {len(lost)}, extra {len(extra)}, "
          f"twice {dup}; approvals wrong {len(wrong)} of {len(expected)}; events {len(events)} for "
          f"{n_events} acknowledged edits")
    print("one editor alone on 98号 (blog):")
    for what, xs in solo.items():
        verdict = "within 300 ms" if pct(xs, 95) <= 0.3 else "OVER 300 ms"
        print(line(what, xs) + f"  p95 {verdict}")
    ok = not lost and not extra and not dup and not wrong and len(events) == n_events
    print("ok: zero lost or duplicated edits" if ok else "FAILED: edits lost or duplicated")
    return 0 if ok else 1


args_clients = 20

if __name__ == "__main__":
    sys.exit(main())
