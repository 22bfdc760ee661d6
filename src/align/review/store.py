"""The review project: one SQLite file that holds everything.

What it holds (schema version :data:`SCHEMA_VERSION`, in ``PRAGMA user_version``):

- ``meta``: the settings the alignment was made with, its signature, when;
- ``inputs``: the source, each translation and the glossary: path, sha256,
  the text itself and (for texts) its segments, so that a project reopens
  exactly without its files;
- ``beads``: every bead of every translation that ever existed; the alive
  ones are the alignment now. A bead is ``machine`` or ``edited`` (made by a
  merge or split) and may be ``approved``; its ``version`` goes up with each
  edit of its row;
- ``decisions``: an editor's verdict on a flag (accept, false-positive,
  fixed) with a comment, keyed by the flag's identity (:func:`flag_key`);
- ``comments``: comments on rows, attached to the segments of the row they
  were written on (so they follow the row through merges and splits);
- ``events``: the append-only log of edits: who, when, what, and the change
  set that undo and redo replay (triggers refuse UPDATE and DELETE);
- ``touches``: which beads each event changed (derived from the log, indexed);
- ``history``: each editor's undo and redo stacks (derived from the log).

Every edit is one ``BEGIN IMMEDIATE`` transaction in WAL mode with
``synchronous=FULL``: once a write is acknowledged it is on disk, whatever
happens to the process. Every edit names the version of each row it was
based on; a stale version raises :class:`Conflict`.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from ..model import Alignment, Bead, Flag, MultiAlignment, Segment

SCHEMA_VERSION = 1
ORIGINS = ("machine", "edited")
DECISIONS = ("accept", "false-positive", "fixed")
#: Decisions that close a flag: it is no longer an open problem.
CLOSING = ("false-positive", "fixed")
MAX_COMMENT = 4000
MAX_NAME = 80

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE inputs(
    id TEXT PRIMARY KEY, role TEXT NOT NULL CHECK(role IN ('source', 'translation', 'glossary')),
    ord INTEGER NOT NULL, path TEXT, sha256 TEXT, text TEXT NOT NULL, segments TEXT NOT NULL);
CREATE TABLE beads(
    id INTEGER PRIMARY KEY, tid TEXT NOT NULL,
    src_start INTEGER NOT NULL, src_end INTEGER NOT NULL, tgt_start INTEGER NOT NULL, tgt_end INTEGER NOT NULL,
    score REAL NOT NULL, confidence REAL NOT NULL,
    origin TEXT NOT NULL CHECK(origin IN ('machine', 'edited')),
    approved INTEGER NOT NULL DEFAULT 0, alive INTEGER NOT NULL, version INTEGER NOT NULL DEFAULT 1,
    CHECK(src_end >= src_start AND tgt_end >= tgt_start AND src_end + tgt_end > src_start + tgt_start));
CREATE INDEX beads_alive ON beads(tid, alive, src_start, tgt_start);
CREATE TABLE decisions(
    flag TEXT PRIMARY KEY, tid TEXT, kind TEXT NOT NULL, src TEXT NOT NULL, tgt TEXT NOT NULL, term TEXT,
    message TEXT NOT NULL, decision TEXT NOT NULL CHECK(decision IN ('accept', 'false-positive', 'fixed')),
    comment TEXT NOT NULL, who TEXT NOT NULL, at TEXT NOT NULL);
CREATE TABLE comments(
    id INTEGER PRIMARY KEY, tid TEXT NOT NULL,
    src_start INTEGER NOT NULL, src_end INTEGER NOT NULL, tgt_start INTEGER NOT NULL, tgt_end INTEGER NOT NULL,
    text TEXT NOT NULL, who TEXT NOT NULL, at TEXT NOT NULL, alive INTEGER NOT NULL, event INTEGER);
CREATE TABLE events(
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL,
    tid TEXT, summary TEXT NOT NULL, changes TEXT NOT NULL, target INTEGER, request TEXT UNIQUE);
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TABLE touches(event INTEGER NOT NULL, bead INTEGER NOT NULL, PRIMARY KEY(bead, event)) WITHOUT ROWID;
CREATE TABLE history(
    pos INTEGER PRIMARY KEY AUTOINCREMENT, who TEXT NOT NULL, stack TEXT NOT NULL CHECK(stack IN ('undo', 'redo')),
    event INTEGER NOT NULL, latest INTEGER NOT NULL);
"""


# --------------------------------------------------------------------------- errors


class ReviewError(Exception):
    """An edit that cannot be done; ``status`` is its HTTP status."""

    status = 400

    def __init__(self, message: str, *, rows: Sequence[int] = (), tid: str | None = None):
        super().__init__(message)
        self.message = message
        self.rows = tuple(rows)  # bead ids the client should refresh
        self.tid = tid


class BadEdit(ReviewError):
    """The request makes no sense (not neighbours, a split that splits nothing)."""

    status = 400


class NotFound(ReviewError):
    """No such translation, row, flag or event."""

    status = 404


class Conflict(ReviewError):
    """The row changed since the client read it (its version is stale)."""

    status = 409


class ProjectError(Exception):
    """The file is not a review project this align can open."""


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class StoredBead:
    """One bead as stored: its segment ranges, origin, approval and version."""

    id: int
    tid: str
    src_start: int
    src_end: int
    tgt_start: int
    tgt_end: int
    score: float
    confidence: float
    origin: str
    approved: bool
    alive: bool
    version: int

    @property
    def src(self) -> tuple[int, ...]:
        return tuple(range(self.src_start, self.src_end))

    @property
    def tgt(self) -> tuple[int, ...]:
        return tuple(range(self.tgt_start, self.tgt_end))

    @property
    def status(self) -> str:
        """``approved``, ``edited`` or ``machine``: what the export calls it."""
        return "approved" if self.approved else self.origin

    @property
    def fixed(self) -> bool:
        """Approved or made by hand: re-aligning keeps it."""
        return self.approved or self.origin == "edited"

    @property
    def order(self) -> int:
        """Beads of a path start at strictly growing src + tgt positions."""
        return self.src_start + self.tgt_start

    def bead(self) -> Bead:
        return Bead(self.src, self.tgt, self.score, self.confidence)

    def span(self) -> tuple[int, int, int, int]:
        return (self.src_start, self.src_end, self.tgt_start, self.tgt_end)


@dataclass(frozen=True)
class Decision:
    """An editor's verdict on one flag."""

    flag: str
    tid: str | None
    kind: str
    src: tuple[int, ...]
    tgt: tuple[int, ...]
    term: str | None
    message: str
    decision: str
    comment: str
    who: str
    at: str

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["src"], d["tgt"] = list(self.src), list(self.tgt)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Decision":
        return cls(**{**d, "src": tuple(d["src"]), "tgt": tuple(d["tgt"])})


@dataclass(frozen=True)
class Comment:
    """A comment on a row, attached to the row's segments."""

    id: int
    tid: str
    src_start: int
    src_end: int
    tgt_start: int
    tgt_end: int
    text: str
    who: str
    at: str
    alive: bool

    def touches(self, b: StoredBead) -> bool:
        """Whether it belongs on bead ``b``: they share a segment (or, for a
        comment on an empty row, its position)."""
        if self.tid != b.tid:
            return False
        shared_src = max(self.src_start, b.src_start) < min(self.src_end, b.src_end)
        shared_tgt = max(self.tgt_start, b.tgt_start) < min(self.tgt_end, b.tgt_end)
        return shared_src or shared_tgt


@dataclass(frozen=True)
class Event:
    """One entry of the log."""

    seq: int
    at: str
    who: str
    action: str
    tid: str | None
    summary: str
    changes: dict
    target: int | None

    def as_dict(self) -> dict:
        return {"seq": self.seq, "at": self.at, "who": self.who, "action": self.action, "translation": self.tid,
                "summary": self.summary, "target": self.target}


@dataclass(frozen=True)
class Ref:
    """A row as the client saw it: its bead id and version."""

    id: int
    version: int


@dataclass(frozen=True)
class Changes:
    """What one edit does, in a form that can be undone and redone.

    ``kill``/``revive``: bead ids that stop or start being part of the
    alignment; ``approve``: (bead id, approved before, after); ``decide``:
    (flag key, decision before, after), each a :class:`Decision` dict or
    None; ``hide``/``show``: comment ids; ``touch``: beads whose row changed
    (their version goes up)."""

    kill: tuple[int, ...] = ()
    revive: tuple[int, ...] = ()
    approve: tuple[tuple[int, bool, bool], ...] = ()
    decide: tuple[tuple[str, dict | None, dict | None], ...] = ()
    hide: tuple[int, ...] = ()
    show: tuple[int, ...] = ()
    touch: tuple[int, ...] = ()

    def inverse(self) -> "Changes":
        return Changes(kill=self.revive, revive=self.kill, approve=tuple((i, new, old) for i, old, new in self.approve),
                       decide=tuple((k, new, old) for k, old, new in self.decide), hide=self.show, show=self.hide,
                       touch=self.touch)

    def __add__(self, other: "Changes") -> "Changes":
        return Changes(*(getattr(self, f.name) + getattr(other, f.name) for f in dataclasses.fields(self)))

    def beads(self) -> set[int]:
        """Every bead whose version this changes."""
        return set(self.kill) | set(self.revive) | {i for i, _, _ in self.approve} | set(self.touch)

    def as_json(self) -> dict:
        return {f.name: [list(x) if isinstance(x, tuple) else x for x in getattr(self, f.name)]
                for f in dataclasses.fields(self)}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> "Changes":
        return cls(kill=tuple(d.get("kill", ())), revive=tuple(d.get("revive", ())),
                   approve=tuple((int(i), bool(o), bool(n)) for i, o, n in d.get("approve", ())),
                   decide=tuple((str(k), o, n) for k, o, n in d.get("decide", ())),
                   hide=tuple(d.get("hide", ())), show=tuple(d.get("show", ())), touch=tuple(d.get("touch", ())))


@dataclass(frozen=True)
class StackEntry:
    """An entry of an editor's undo or redo stack: the edit, and the event
    that last applied (or undid) it."""

    event: int
    latest: int


@dataclass(frozen=True)
class Applied:
    """An edit done: its event (None for an edit that changed nothing), the
    translation, the beads now alive that it changed and those it removed."""

    event: int | None
    tid: str | None
    changed: tuple[int, ...]
    removed: tuple[int, ...]
    summary: str
    replayed: bool = False
    moved: tuple[int, ...] = ()  # rows a re-align put in new places


# --------------------------------------------------------------------------- helpers


def flag_key(flag: Flag) -> str:
    """A flag's identity across runs: its kind, translation, segments and term
    (not its message, whose figures may shift)."""
    ident = json.dumps([flag.kind, flag.translation, list(flag.src), list(flag.tgt), flag.term],
                       ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(ident.encode("utf-8")).hexdigest()[:20]


def now() -> str:
    """The time of an edit, UTC, to the millisecond."""
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"


def check_name(who: str) -> str:
    """The editor's name, trimmed: 1 to MAX_NAME printable characters."""
    who = (who or "").strip()
    if not who or len(who) > MAX_NAME or not who.isprintable():
        raise BadEdit(f"the editor's name must be 1 to {MAX_NAME} printable characters")
    return who


def _segment_dict(s: Segment) -> dict:
    return dataclasses.asdict(s)


def _segments(text: str) -> list[Segment]:
    return [Segment(**d) for d in json.loads(text)]


def _corners(beads: Sequence[Bead]) -> Iterator[tuple[Bead, int, int]]:
    """Each bead of a path with the source and target position it starts at."""
    i = j = 0
    for b in beads:
        si = b.src[0] if b.src else i
        tj = b.tgt[0] if b.tgt else j
        yield b, si, tj
        i, j = si + len(b.src), tj + len(b.tgt)


# --------------------------------------------------------------------------- the store


class Store:
    """A review project on disk. One connection, used under one lock: edits
    are serialised (SQLite would serialise them anyway) and each is one
    transaction."""

    def __init__(self, path: str | Path, conn: sqlite3.Connection):
        self.path = Path(path)
        self.conn = conn
        self.lock = threading.RLock()
        self._segments: dict[str, list[Segment]] = {}

    # ---------------------------------------------------------------- opening

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30.0)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @classmethod
    def open(cls, path: str | Path) -> "Store":
        """Open an existing project; :class:`ProjectError` if it is not one
        (or one of a schema this align does not know)."""
        p = Path(path)
        if not p.is_file():
            raise ProjectError(f"{p}: no such review project")
        try:
            conn = cls._connect(p)
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as exc:
            raise ProjectError(f"{p}: not a review project ({exc})") from None
        if not {"meta", "inputs", "beads", "events"} <= tables:
            conn.close()
            raise ProjectError(f"{p}: not a review project (made by `align review --db`)")
        if version != SCHEMA_VERSION:
            conn.close()
            raise ProjectError(f"{p}: review project schema {version}; this align reads schema {SCHEMA_VERSION}")
        return cls(p, conn)

    @classmethod
    def create(cls, path: str | Path, *, source: Sequence[Segment], source_text: str,
               translations: Mapping[str, Sequence[Segment]], texts: Mapping[str, str],
               beads: Mapping[str, Sequence[Bead]], meta: Mapping[str, Any],
               files: Mapping[str, tuple[str | None, str | None]] = {},
               glossary: tuple[str, str, str] | None = None) -> "Store":
        """A new project from an alignment: the source and translation
        segments, their texts, the beads of each translation and ``meta``
        (settings, signature). ``files``: id -> (path, sha256) of each input;
        ``glossary``: (path, sha256, text). Written in one transaction; the
        file does not exist until it is complete."""
        p = Path(path)
        if p.exists():
            raise ProjectError(f"{p}: already exists")
        tmp = p.with_name(f".{p.name}.{time.time_ns()}.tmp")
        conn = cls._connect(tmp)
        try:
            conn.executescript(_SCHEMA)  # a new file, renamed into place only when complete
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.execute("BEGIN IMMEDIATE")
            for k, v in meta.items():
                conn.execute("INSERT INTO meta VALUES (?, ?)", (k, json.dumps(v, ensure_ascii=False, default=str)))
            conn.execute("INSERT INTO meta VALUES ('created', ?)", (json.dumps(now()),))
            path0, sha0 = files.get("source", (None, None))
            conn.execute("INSERT INTO inputs VALUES ('source', 'source', 0, ?, ?, ?, ?)",
                         (path0, sha0, source_text, json.dumps([_segment_dict(s) for s in source], ensure_ascii=False)))
            for k, (tid, segs) in enumerate(translations.items(), 1):
                tp, ts = files.get(tid, (None, None))
                conn.execute("INSERT INTO inputs VALUES (?, 'translation', ?, ?, ?, ?, ?)",
                             (tid, k, tp, ts, texts[tid], json.dumps([_segment_dict(s) for s in segs],
                                                                     ensure_ascii=False)))
                for b, si, tj in _corners(beads[tid]):
                    conn.execute("INSERT INTO beads(tid, src_start, src_end, tgt_start, tgt_end, score, confidence, "
                                 "origin, approved, alive, version) VALUES (?, ?, ?, ?, ?, ?, ?, 'machine', 0, 1, 1)",
                                 (tid, si, si + len(b.src), tj, tj + len(b.tgt), float(b.score), float(b.confidence)))
            if glossary is not None:
                conn.execute("INSERT INTO inputs VALUES ('glossary', 'glossary', ?, ?, ?, ?, '[]')",
                             (len(translations) + 1, *glossary))
            conn.execute("COMMIT")
            conn.close()
        except BaseException:
            conn.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(tmp) + suffix).unlink(missing_ok=True)
            raise
        tmp.replace(p)
        for suffix in ("-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        return cls.open(p)

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    # ---------------------------------------------------------------- reading

    def meta(self) -> dict:
        return {r["key"]: json.loads(r["value"]) for r in self.conn.execute("SELECT key, value FROM meta")}

    def inputs(self) -> list[dict]:
        """Each input: id, role, path, sha256 (not its text)."""
        rows = self.conn.execute("SELECT id, role, path, sha256 FROM inputs ORDER BY ord")
        return [dict(r) for r in rows]

    def input_text(self, id: str) -> str:
        row = self.conn.execute("SELECT text FROM inputs WHERE id = ?", (id,)).fetchone()
        if row is None:
            raise NotFound(f"no input {id!r}")
        return row["text"]

    @property
    def translation_ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM inputs WHERE role = 'translation' ORDER BY ord")]

    def segments(self, id: str) -> list[Segment]:
        """The segments of ``source`` or of a translation (read once)."""
        if id not in self._segments:
            row = self.conn.execute("SELECT segments FROM inputs WHERE id = ? AND role != 'glossary'", (id,)).fetchone()
            if row is None:
                raise NotFound(f"no translation {id!r}")
            self._segments[id] = _segments(row["segments"])
        return self._segments[id]

    def check_translation(self, tid: str) -> None:
        if tid not in self.translation_ids:
            raise NotFound(f"no translation {tid!r}; have {', '.join(self.translation_ids)}")

    @staticmethod
    def _bead(r: sqlite3.Row) -> StoredBead:
        return StoredBead(r["id"], r["tid"], r["src_start"], r["src_end"], r["tgt_start"], r["tgt_end"], r["score"],
                          r["confidence"], r["origin"], bool(r["approved"]), bool(r["alive"]), r["version"])

    def beads(self, tid: str) -> list[StoredBead]:
        """The alive beads of a translation, in order."""
        rows = self.conn.execute("SELECT * FROM beads WHERE tid = ? AND alive = 1 ORDER BY src_start + tgt_start",
                                 (tid,))
        return [self._bead(r) for r in rows]

    def bead(self, id: int) -> StoredBead:
        r = self.conn.execute("SELECT * FROM beads WHERE id = ?", (id,)).fetchone()
        if r is None:
            raise NotFound(f"no row {id}")
        return self._bead(r)

    def decisions(self) -> dict[str, Decision]:
        out = {}
        for r in self.conn.execute("SELECT * FROM decisions"):
            d = dict(r)
            d["src"], d["tgt"] = tuple(json.loads(d["src"])), tuple(json.loads(d["tgt"]))
            out[d["flag"]] = Decision(**d)
        return out

    def decision(self, key: str) -> Decision | None:
        return self.decisions().get(key)

    def comments(self, tid: str | None = None) -> list[Comment]:
        q = "SELECT * FROM comments WHERE alive = 1" + (" AND tid = ?" if tid else "") + " ORDER BY id"
        return [Comment(r["id"], r["tid"], r["src_start"], r["src_end"], r["tgt_start"], r["tgt_end"], r["text"],
                        r["who"], r["at"], bool(r["alive"])) for r in self.conn.execute(q, (tid,) if tid else ())]

    def events(self, after: int = 0, limit: int = 1000) -> list[Event]:
        rows = self.conn.execute("SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit))
        return [Event(r["seq"], r["at"], r["who"], r["action"], r["tid"], r["summary"], json.loads(r["changes"]),
                      r["target"]) for r in rows]

    def last_event(self) -> int:
        return self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]

    def event_of_request(self, request: str) -> Event | None:
        r = self.conn.execute("SELECT * FROM events WHERE request = ?", (request,)).fetchone()
        if r is None:
            return None
        return Event(r["seq"], r["at"], r["who"], r["action"], r["tid"], r["summary"], json.loads(r["changes"]),
                     r["target"])

    def multi(self, signature: Mapping[str, Any] | None = None) -> MultiAlignment:
        """The alignment now, as the rest of align knows it."""
        from ..aligner import group_alignments

        source = self.segments("source")
        alignments = {}
        for tid in self.translation_ids:
            beads = [b.bead() for b in self.beads(tid)]
            alignments[tid] = Alignment(source, self.segments(tid), beads, tid, {})
        sig = dict(signature if signature is not None else self.meta().get("signature") or {})
        return MultiAlignment(source, alignments, group_alignments(source, alignments), sig, [])

    # ---------------------------------------------------------------- writing

    def transaction(self):
        """``with store.transaction():`` one BEGIN IMMEDIATE ... COMMIT (rolled
        back on any error), under the store's lock."""
        return _Transaction(self)

    def check_refs(self, tid: str, refs: Iterable[Ref]) -> list[StoredBead]:
        """The beads the client named, alive, of ``tid`` and at the versions
        it saw; else NotFound (no such row) or Conflict (changed since)."""
        out = []
        for ref in refs:
            b = self.bead(ref.id)
            if b.tid != tid:
                raise NotFound(f"no row {ref.id} in translation {tid!r}")
            if not b.alive:
                raise Conflict(f"row {ref.id} was {self._fate(ref.id)}; the page has been refreshed", tid=tid)
            if b.version != ref.version:
                raise Conflict(f"row {self.position(b)} was changed {self._by(ref.id)} since you loaded it "
                               f"(version {ref.version}, now {b.version}); your edit was not saved, the row "
                               "has been refreshed", rows=[ref.id], tid=tid)
            out.append(b)
        return out

    def position(self, b: StoredBead) -> int:
        """Where an alive bead is among its translation's rows (1-based), as the page numbers them."""
        return 1 + self.conn.execute("SELECT COUNT(*) FROM beads WHERE tid = ? AND alive = 1 AND "
                                     "src_start + tgt_start < ?", (b.tid, b.order)).fetchone()[0]

    def _last_touch(self, bead_id: int) -> Event | None:
        """The latest event that changed bead ``bead_id``."""
        r = self.conn.execute("SELECT MAX(event) FROM touches WHERE bead = ?", (bead_id,)).fetchone()
        return self.event(r[0]) if r and r[0] is not None else None

    def _by(self, bead_id: int) -> str:
        e = self._last_touch(bead_id)
        return f"by {e.who} ({e.action}, {e.at})" if e else ""

    def _fate(self, bead_id: int) -> str:
        e = self._last_touch(bead_id)
        return f"replaced by {e.who}'s {e.action} ({e.at})" if e else "replaced"

    def new_bead(self, tid: str, span: tuple[int, int, int, int], *, origin: str, score: float = 0.0,
                 confidence: float = 1.0) -> int:
        """Insert a bead that is not yet alive (an edit's ``revive`` brings it in)."""
        cur = self.conn.execute("INSERT INTO beads(tid, src_start, src_end, tgt_start, tgt_end, score, confidence, "
                                "origin, approved, alive, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 1)",
                                (tid, *span, float(score), float(confidence), origin))
        return int(cur.lastrowid)

    def new_comment(self, tid: str, bead: StoredBead, text: str, who: str, at: str) -> int:
        cur = self.conn.execute("INSERT INTO comments(tid, src_start, src_end, tgt_start, tgt_end, text, who, at, "
                                "alive) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)", (tid, *bead.span(), text, who, at))
        return int(cur.lastrowid)

    def _current_decision(self, key: str) -> dict | None:
        d = self.decision(key)
        return d.as_dict() if d else None

    def check_applicable(self, ch: Changes) -> None:
        """Conflict unless the project is in the state ``ch`` starts from."""
        for i in ch.kill:
            if not self.bead(i).alive:
                raise Conflict(f"row {i} is no longer there", rows=[i])
        for i in ch.revive:
            if self.bead(i).alive:
                raise Conflict(f"row {i} is already there", rows=[i])
        for i, old, _ in ch.approve:
            b = self.bead(i)
            if not b.alive or b.approved != old:
                raise Conflict(f"row {i}'s approval changed since", rows=[i])
        for key, old, _ in ch.decide:
            if self._current_decision(key) != old:
                raise Conflict("the decision on that flag changed since")
        for c in ch.hide:
            if not self.conn.execute("SELECT alive FROM comments WHERE id = ?", (c,)).fetchone()[0]:
                raise Conflict("the comment is no longer there")
        for c in ch.show:
            if self.conn.execute("SELECT alive FROM comments WHERE id = ?", (c,)).fetchone()[0]:
                raise Conflict("the comment is already there")

    def apply(self, ch: Changes) -> dict[int, int]:
        """Apply ``ch`` (inside a transaction, after :meth:`check_applicable`);
        returns each changed bead's new version."""
        if set(ch.kill) & set(ch.revive):
            raise ValueError("a change set both removes and restores a row")
        x = self.conn.execute
        for i in ch.kill:
            x("UPDATE beads SET alive = 0 WHERE id = ?", (i,))
        for i in ch.revive:
            x("UPDATE beads SET alive = 1 WHERE id = ?", (i,))
        for i, _, new in ch.approve:
            x("UPDATE beads SET approved = ? WHERE id = ?", (int(new), i))
        for key, _, new in ch.decide:
            x("DELETE FROM decisions WHERE flag = ?", (key,))
            if new is not None:
                d = Decision.from_dict(new)
                x("INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (d.flag, d.tid, d.kind, json.dumps(list(d.src)), json.dumps(list(d.tgt)), d.term, d.message,
                   d.decision, d.comment, d.who, d.at))
        for c in ch.hide:
            x("UPDATE comments SET alive = 0 WHERE id = ?", (c,))
        for c in ch.show:
            x("UPDATE comments SET alive = 1 WHERE id = ?", (c,))
        versions = {}
        for i in sorted(ch.beads()):
            x("UPDATE beads SET version = version + 1 WHERE id = ?", (i,))
            versions[i] = x("SELECT version FROM beads WHERE id = ?", (i,)).fetchone()[0]
        return versions

    def log(self, *, who: str, action: str, tid: str | None, summary: str, changes: Changes,
            versions: Mapping[int, int], target: int | None = None, request: str | None = None, at: str) -> int:
        """Append the event of an edit (its change set and the versions it left)."""
        body = {**changes.as_json(), "versions": {str(k): v for k, v in versions.items()}}
        cur = self.conn.execute("INSERT INTO events(at, who, action, tid, summary, changes, target, request) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                (at, who, action, tid, summary, json.dumps(body), target, request))
        seq = int(cur.lastrowid)
        self.conn.executemany("INSERT INTO touches VALUES (?, ?)", [(seq, b) for b in sorted(changes.beads())])
        return seq

    def push(self, who: str, stack: str, event: int, latest: int) -> None:
        self.conn.execute("INSERT INTO history(who, stack, event, latest) VALUES (?, ?, ?, ?)",
                          (who, stack, event, latest))

    def pop(self, who: str, stack: str) -> StackEntry | None:
        """The top of an editor's undo or redo stack, removed."""
        r = self.conn.execute("SELECT pos, event, latest FROM history WHERE who = ? AND stack = ? "
                              "ORDER BY pos DESC LIMIT 1", (who, stack)).fetchone()
        if r is None:
            return None
        self.conn.execute("DELETE FROM history WHERE pos = ?", (r["pos"],))
        return StackEntry(r["event"], r["latest"])

    def clear_redo(self, who: str) -> None:
        self.conn.execute("DELETE FROM history WHERE who = ? AND stack = 'redo'", (who,))

    def event(self, seq: int) -> Event:
        r = self.conn.execute("SELECT * FROM events WHERE seq = ?", (seq,)).fetchone()
        if r is None:
            raise NotFound(f"no event {seq}")
        return Event(r["seq"], r["at"], r["who"], r["action"], r["tid"], r["summary"], json.loads(r["changes"]),
                     r["target"])

    def changed_since(self, bead_ids: Iterable[int], seq: int) -> list[int]:
        """Of ``bead_ids``, those that an edit after event ``seq`` changed and
        that is still in effect (an edit undone since does not count)."""
        want = sorted(set(bead_ids))
        active: dict[int, set[int]] = {}
        marks = ",".join("?" * len(want))
        rows = self.conn.execute(f"SELECT e.seq, e.action, e.target, group_concat(t.bead) AS beads FROM touches t "
                                 f"JOIN events e ON e.seq = t.event WHERE t.event > ? AND t.bead IN ({marks}) "
                                 "GROUP BY e.seq ORDER BY e.seq", (seq, *want)) if want else []
        for r in rows:
            touched = {int(x) for x in r["beads"].split(",")}
            edit = r["target"] if r["action"] in ("undo", "redo") else r["seq"]
            for i in touched:
                if r["action"] == "undo":
                    active.get(i, set()).discard(edit)
                else:
                    active.setdefault(i, set()).add(edit)
        return sorted(i for i, edits in active.items() if edits)


class _Transaction:
    def __init__(self, store: Store):
        self.store = store

    def __enter__(self) -> Store:
        self.store.lock.acquire()
        try:
            self.store.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.store.lock.release()
            raise
        return self.store

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.store.conn.execute("COMMIT")
            else:
                self.store.conn.execute("ROLLBACK")
        finally:
            self.store.lock.release()
