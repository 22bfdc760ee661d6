"""What the review page can do, on top of the store: the rows of a
translation with their flags, decisions and comments, and the edits (merge,
split, approve, decide, comment, re-align, undo, redo).

The app (app.py) only translates HTTP to these calls; tests call them too.
Flags are computed by :mod:`align.compare` from the alignment as it is now
(cached until the alignment changes); decisions attach to a flag by its
identity (:func:`align.review.store.flag_key`), so a flag that a fix makes
go away takes its decision with it, and one that comes back finds it again.
"""
from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from ..errors import InputError, UsageError
from ..model import Bead, Flag, MultiAlignment
from .clauses import ProjectClauses
from .store import (CLOSING, DECISIONS, MAX_COMMENT, Applied, BadEdit, Changes, Conflict, Decision, NotFound,
                    ProjectError, Ref, Store, StoredBead, check_name, flag_key, now)


@dataclass(frozen=True)
class FlagState:
    """The flags of the alignment as it is now, by row."""

    key: str  # which alignment (the alive beads) they were computed for
    flags: tuple[Flag, ...]
    by_key: Mapping[str, Flag]
    by_bead: Mapping[int, tuple[str, ...]]  # bead id -> flag keys shown on its row
    unplaced: Mapping[str, tuple[str, ...]]  # translation -> keys of flags on no row


@dataclass(frozen=True)
class Vectors:
    """Encoded segments of one side, for re-aligning."""

    vecs: Any


@dataclass
class Review:
    """A review project opened for editing."""

    store: Store
    glossary: Any = None  # a loaded glossary, or None
    _flags: FlagState | None = field(default=None, repr=False)
    _vectors: dict[str, Vectors] = field(default_factory=dict, repr=False)
    _clauses: ProjectClauses | None = field(default=None, repr=False)
    _flag_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # ---------------------------------------------------------------- project

    @property
    def settings(self) -> dict:
        """The project's settings (read once, with the clause beads': review/clauses.py)."""
        return self.clauses.settings

    def project(self) -> dict:
        with self.store.lock:
            return self._project()

    def _project(self) -> dict:
        meta = self.store.meta()
        return {"db": str(self.store.path), "translations": self.store.translation_ids,
                "inputs": self.store.inputs(), "settings": meta.get("settings") or {},
                "created": meta.get("created"), "title": meta.get("title") or "", "last_event": self.store.last_event(),
                "source_segments": len(self.store.segments("source"))}

    # ---------------------------------------------------------------- flags

    @property
    def clauses(self) -> ProjectClauses:
        """The clause beads inside the rows (each row aligned once; review/clauses.py)."""
        if self._clauses is None:
            self._clauses = ProjectClauses(self.store)
        return self._clauses

    def _alignment_key(self) -> str:
        ids = self.store.conn.execute("SELECT group_concat(id) FROM (SELECT id FROM beads WHERE alive = 1 "
                                      "ORDER BY id)").fetchone()[0] or ""
        return hashlib.sha256(ids.encode()).hexdigest()[:16]

    def generation(self, tid: str) -> str:
        """Which alignment of ``tid`` a client saw (re-aligning names it)."""
        ids = self.store.conn.execute("SELECT group_concat(id) FROM (SELECT id FROM beads WHERE alive = 1 AND tid = ? "
                                      "ORDER BY id)", (tid,)).fetchone()[0] or ""
        return hashlib.sha256(ids.encode()).hexdigest()[:16]

    def flag_state(self) -> FlagState:
        """The flags of the alignment now (computed once per alignment)."""
        with self._flag_lock:
            key = self._alignment_key()
            if self._flags is not None and self._flags.key == key:
                return self._flags
            multi = self.clauses.attach(self.store.multi())
            flags = compute_flags(multi, self.glossary)
            beads = {tid: self.store.beads(tid) for tid in multi.translation_ids}
            self._flags = place_flags(key, flags, beads)
            return self._flags

    # ---------------------------------------------------------------- rows

    def rows(self, tid: str) -> dict:
        """Every row of a translation, in order, with its flags, decisions
        and comments; the flags of no row; what a re-align must name."""
        with self.store.lock:
            self.store.check_translation(tid)
            state = self.flag_state()
            beads = self.store.beads(tid)
            ctx = self._context(tid, state)
            rows = [self._row(b, n, ctx) for n, b in enumerate(beads, 1)]
            unplaced = [self._flag(state.by_key[k], ctx["decisions"]) for k in state.unplaced.get(tid, ())]
            return {"translation": tid, "rows": rows, "unplaced_flags": unplaced,
                    "generation": self.generation(tid), "last_event": self.store.last_event()}

    def row(self, tid: str, bead_id: int) -> dict:
        with self.store.lock:
            self.store.check_translation(tid)
            b = self.store.bead(bead_id)
            if b.tid != tid:
                raise NotFound(f"no row {bead_id} in translation {tid!r}")
            if not b.alive:
                raise NotFound(f"row {bead_id} is no longer there (merged, split or re-aligned)")
            return self.rows_of(tid, [bead_id])[0]

    def rows_of(self, tid: str, ids: Sequence[int]) -> list[dict]:
        """The rows of the alive beads ``ids`` of ``tid`` (others left out), in order."""
        state = self.flag_state()
        ctx = self._context(tid, state)
        beads = self.store.beads(tid)
        want = set(ids)
        return [self._row(b, n, ctx) for n, b in enumerate(beads, 1) if b.id in want]

    def _context(self, tid: str, state: FlagState) -> dict:
        return {"src": self.store.segments("source"), "tgt": self.store.segments(tid), "state": state,
                "decisions": self.store.decisions(), "comments": self.store.comments(tid)}

    @staticmethod
    def _flag(f: Flag, decisions: Mapping[str, Decision]) -> dict:
        key = flag_key(f)
        d = decisions.get(key)
        return {"key": key, "kind": f.kind, "severity": f.severity, "message": f.message, "translation": f.translation,
                "src": list(f.src), "tgt": list(f.tgt), "term": f.term,
                "decision": None if d is None else {"decision": d.decision, "comment": d.comment, "who": d.who,
                                                    "at": d.at}}

    def _row(self, b: StoredBead, position: int, ctx: dict) -> dict:
        state: FlagState = ctx["state"]
        seg = lambda s: {"index": s.index, "text": s.text, "heading": s.is_heading}  # noqa: E731
        return {
            "id": b.id, "version": b.version, "position": position, "order": b.order,
            "src": list(b.src), "tgt": list(b.tgt), "src_at": b.src_start, "tgt_at": b.tgt_start,
            "source": [seg(ctx["src"][i]) for i in b.src], "target": [seg(ctx["tgt"][j]) for j in b.tgt],
            "status": b.status, "origin": b.origin, "approved": b.approved, "confidence": round(b.confidence, 4),
            "flags": [self._flag(state.by_key[k], ctx["decisions"]) for k in state.by_bead.get(b.id, ())],
            "comments": [{"id": c.id, "text": c.text, "who": c.who, "at": c.at} for c in ctx["comments"]
                         if c.touches(b)],
            "clauses": self.clauses.cells(b.tid, b),
        }

    # ---------------------------------------------------------------- edits

    def _replayed(self, request: str | None) -> Applied | None:
        """An edit already done under this request id: the same answer again,
        so that a client's retry never does an edit twice."""
        if not request:
            return None
        e = self.store.event_of_request(request)
        if e is None:
            return None
        ch = Changes.from_json(e.changes)
        alive = tuple(i for i in sorted(ch.beads()) if self.store.bead(i).alive)
        return Applied(e.seq, e.tid, alive, tuple(ch.kill), e.summary, replayed=True)

    def _commit(self, store: Store, *, who: str, action: str, tid: str | None, summary: str, ch: Changes,
                request: str | None, at: str, moved: Sequence[int] = ()) -> Applied:
        versions = store.apply(ch)
        seq = store.log(who=who, action=action, tid=tid, summary=summary, changes=ch, versions=versions,
                        request=request, at=at)
        store.push(who, "undo", seq, seq)
        store.clear_redo(who)
        alive = tuple(i for i in sorted(ch.beads()) if store.bead(i).alive)
        return Applied(seq, tid, alive, tuple(ch.kill), summary, moved=tuple(moved))

    def merge(self, tid: str, who: str, first: Ref, second: Ref, *, realign: bool = False,
              request: str | None = None) -> Applied:
        """Merge two neighbouring rows into one (an ``edited`` bead)."""
        who = check_name(who)
        with self.store.transaction() as st:
            if (done := self._replayed(request)) is not None:
                return done
            st.check_translation(tid)
            a, b = st.check_refs(tid, [first, second])
            beads = st.beads(tid)
            pos = {x.id: k for k, x in enumerate(beads)}
            if pos[b.id] < pos[a.id]:
                a, b = b, a
            if pos[b.id] != pos[a.id] + 1:
                raise BadEdit(f"rows {a.id} and {b.id} are not neighbours: only neighbouring rows can be merged")
            span = (min(a.src_start, b.src_start), max(a.src_end, b.src_end),
                    min(a.tgt_start, b.tgt_start), max(a.tgt_end, b.tgt_end))
            new = st.new_bead(tid, span, origin="edited")
            ch = Changes(kill=(a.id, b.id), revive=(new,))
            summary = f"merged rows {pos[a.id] + 1} and {pos[b.id] + 1}"
            return self._with_realign(st, tid, who, "merge", summary, ch, realign, request)

    def split(self, tid: str, who: str, ref: Ref, src_at: int, tgt_at: int, *, realign: bool = False,
              request: str | None = None) -> Applied:
        """Split a row in two: its first ``src_at`` source and ``tgt_at``
        target segments, and the rest (two ``edited`` beads)."""
        who = check_name(who)
        with self.store.transaction() as st:
            if (done := self._replayed(request)) is not None:
                return done
            st.check_translation(tid)
            (b,) = st.check_refs(tid, [ref])
            ns, nt = b.src_end - b.src_start, b.tgt_end - b.tgt_start
            if not (0 <= src_at <= ns and 0 <= tgt_at <= nt):
                raise BadEdit(f"a split of a {ns}:{nt} row takes 0 to {ns} source and 0 to {nt} target segments "
                              f"for its first part, not {src_at} and {tgt_at}")
            if (src_at, tgt_at) in ((0, 0), (ns, nt)):
                raise BadEdit("that split leaves one part empty: each part needs at least one segment")
            s, t = b.src_start + src_at, b.tgt_start + tgt_at
            one = st.new_bead(tid, (b.src_start, s, b.tgt_start, t), origin="edited")
            two = st.new_bead(tid, (s, b.src_end, t, b.tgt_end), origin="edited")
            position = [x.id for x in st.beads(tid)].index(b.id) + 1
            ch = Changes(kill=(b.id,), revive=(one, two))
            summary = f"split row {position} into {src_at}:{tgt_at} and {ns - src_at}:{nt - tgt_at}"
            return self._with_realign(st, tid, who, "split", summary, ch, realign, request)

    def _with_realign(self, st: Store, tid: str, who: str, action: str, summary: str, ch: Changes, realign: bool,
                      request: str | None) -> Applied:
        at = now()
        if not realign:
            return self._commit(st, who=who, action=action, tid=tid, summary=summary, ch=ch, request=request, at=at)
        # re-align the beads as the edit leaves them, and log both as one event
        after = [b for b in st.beads(tid) if b.id not in ch.kill] + [st.bead(i) for i in ch.revive]
        more, moved = self._realign_changes(st, tid, sorted(after, key=lambda b: b.order))
        whole = ch + more
        if moved:
            summary += f"; re-aligned around it: {len(moved)} row(s) moved"
        return self._commit(st, who=who, action=action, tid=tid, summary=summary, ch=whole, request=request, at=at,
                            moved=moved)

    def approve(self, tid: str, who: str, ref: Ref, approved: bool = True, *, request: str | None = None) -> Applied:
        """Approve a row (or take the approval back)."""
        who = check_name(who)
        with self.store.transaction() as st:
            if (done := self._replayed(request)) is not None:
                return done
            st.check_translation(tid)
            (b,) = st.check_refs(tid, [ref])
            position = [x.id for x in st.beads(tid)].index(b.id) + 1
            if b.approved == approved:
                return Applied(None, tid, (b.id,), (), f"row {position} is already "
                               f"{'approved' if approved else 'not approved'}")
            ch = Changes(approve=((b.id, b.approved, approved),))
            summary = f"{'approved' if approved else 'took back the approval of'} row {position}"
            return self._commit(st, who=who, action="approve" if approved else "unapprove", tid=tid,
                                summary=summary, ch=ch, request=request, at=now())

    def decide(self, tid: str, who: str, ref: Ref, key: str, decision: str | None, comment: str = "", *,
               request: str | None = None) -> Applied:
        """Decide on a flag shown on a row: accept, false-positive or fixed
        (with a comment), or None to take the decision back."""
        who = check_name(who)
        if decision is not None and decision not in DECISIONS:
            raise BadEdit(f"a decision is one of {', '.join(DECISIONS)} (or null to take it back), not {decision!r}")
        comment = _comment(comment, required=False)
        with self.store.transaction() as st:
            if (done := self._replayed(request)) is not None:
                return done
            st.check_translation(tid)
            (b,) = st.check_refs(tid, [ref])
            state = self.flag_state()
            if key not in state.by_bead.get(b.id, ()) and key not in state.unplaced.get(tid, ()):
                if key in state.by_key:
                    raise BadEdit(f"flag {key} is not shown on row {b.id}")
                raise NotFound(f"no flag {key} (the alignment changed and it is gone?)")
            f = state.by_key[key]
            old = st.decision(key)
            at = now()
            new = None if decision is None else Decision(key, f.translation, f.kind, tuple(f.src), tuple(f.tgt),
                                                         f.term, f.message, decision, comment, who, at)
            if (old is None and new is None) or (old and new and (old.decision, old.comment) == (decision, comment)):
                return Applied(None, tid, (b.id,), (), "nothing to change")
            ch = Changes(decide=((key, old.as_dict() if old else None, new.as_dict() if new else None),), touch=(b.id,))
            label = {"accept": "accepted", "false-positive": "dismissed as a false positive",
                     "fixed": "marked fixed", None: "took back the decision on"}[decision]
            summary = f"{label} the {f.kind} flag" + (f": {comment}" if comment else "")
            return self._commit(st, who=who, action="decide", tid=tid, summary=summary, ch=ch, request=request, at=at)

    def comment(self, tid: str, who: str, ref: Ref, text: str, *, request: str | None = None) -> Applied:
        """Comment on a row."""
        who = check_name(who)
        text = _comment(text, required=True)
        with self.store.transaction() as st:
            if (done := self._replayed(request)) is not None:
                return done
            st.check_translation(tid)
            (b,) = st.check_refs(tid, [ref])
            at = now()
            cid = st.new_comment(tid, b, text, who, at)
            position = [x.id for x in st.beads(tid)].index(b.id) + 1
            ch = Changes(show=(cid,), touch=(b.id,))
            return self._commit(st, who=who, action="comment", tid=tid, summary=f"commented on row {position}",
                                ch=ch, request=request, at=at)

    def realign(self, tid: str, who: str, generation: str, *, request: str | None = None) -> Applied:
        """Re-align the translation around its approved and edited rows."""
        who = check_name(who)
        with self.store.transaction() as st:
            if (done := self._replayed(request)) is not None:
                return done
            st.check_translation(tid)
            if generation != self.generation(tid):
                raise Conflict("the alignment changed since you loaded it; the page has been refreshed", tid=tid)
            ch, moved = self._realign_changes(st, tid, st.beads(tid))
            if not moved:
                return Applied(None, tid, (), (), "re-aligned: no row moved")
            return self._commit(st, who=who, action="realign", tid=tid,
                                summary=f"re-aligned around the fixed rows: {len(moved)} row(s) moved", ch=ch,
                                request=request, at=now(), moved=moved)

    def undo(self, who: str, *, request: str | None = None) -> Applied:
        """Undo the editor's last edit that is not undone yet."""
        return self._step(who, "undo", request)

    def redo(self, who: str, *, request: str | None = None) -> Applied:
        """Redo the editor's last undone edit."""
        return self._step(who, "redo", request)

    def _step(self, who: str, what: str, request: str | None) -> Applied:
        who = check_name(who)
        with self.store.transaction() as st:
            if (done := self._replayed(request)) is not None:
                return done
            top = st.pop(who, what)
            if top is None:
                return Applied(None, None, (), (), f"nothing to {what}")
            event = top.event
            original = st.event(event)
            stale = st.changed_since(Changes.from_json(original.changes).beads(), top.latest)
            if stale:
                b = st.bead(stale[0])
                where = f"row {st.position(b)}" if b.alive else "a row it changed"
                then = "undo that first" if what == "undo" else "it can no longer be redone"
                raise Conflict(f"cannot {what} “{original.summary}”: {where} was changed since {st._by(stale[0])}; "
                               f"{then}", rows=[i for i in stale if st.bead(i).alive], tid=b.tid)
            ch = Changes.from_json(original.changes)
            if what == "undo":
                ch = ch.inverse()
            st.check_applicable(ch)
            versions = st.apply(ch)
            summary = f"{what} “{original.summary}” ({original.who}, {original.at})"
            seq = st.log(who=who, action=what, tid=original.tid, summary=summary, changes=ch, versions=versions,
                         target=event, request=request, at=now())
            st.push(who, "redo" if what == "undo" else "undo", event, seq)
            alive = tuple(i for i in sorted(ch.beads()) if st.bead(i).alive)
            return Applied(seq, original.tid, alive, tuple(ch.kill), summary)

    # ---------------------------------------------------------------- re-aligning

    def _encoder_for(self):
        return self.clauses.project_encoder()

    def _vecs(self, side: str):
        if side not in self._vectors:
            from ..aligner.pair import encode_texts

            texts = [s.text for s in self.store.segments(side)]
            self._vectors[side] = Vectors(encode_texts(self._encoder_for(), texts, None, side))
        return self._vectors[side].vecs

    def aligned_around_fixed(self, st: Store, tid: str, beads: Sequence[StoredBead]) -> list[Bead]:
        """The beads the aligner gives with the approved and edited ones of ``beads`` kept."""
        from ..aligner import align_pair
        from ..aligner.fixed import Fixed

        fixed = [Fixed(b.bead(), b.src_start, b.tgt_start) for b in beads if b.fixed]
        settings = self.settings
        al = align_pair(st.segments("source"), st.segments(tid), encoder=self._encoder_for(), translation_id=tid,
                        level=settings.get("level"), src_vecs=self._vecs("source"), tgt_vecs=self._vecs(tid),
                        fixed=fixed, **dict(settings.get("params") or {}))
        return al.beads

    def _realign_changes(self, st: Store, tid: str, beads: Sequence[StoredBead]) -> tuple[Changes, tuple[int, ...]]:
        """Changes that bring ``beads`` (a translation's rows) to the aligner's
        beads around their fixed rows: rows that stay keep their ids; the
        moved ones are new."""
        from .store import _corners

        current = {b.span(): b for b in beads}
        kept, new = set(), []
        for bead, si, tj in _corners(self.aligned_around_fixed(st, tid, beads)):
            span = (si, si + len(bead.src), tj, tj + len(bead.tgt))
            if span in current:
                kept.add(span)
            else:
                new.append(st.new_bead(tid, span, origin="machine", score=bead.score, confidence=bead.confidence))
        gone = tuple(b.id for span, b in current.items() if span not in kept)
        if any(current[s].fixed for s in current if s not in kept):  # align_around keeps them: a bug if not
            raise RuntimeError("re-aligning moved a fixed row")
        return Changes(kill=gone, revive=tuple(new)), tuple(new)


def _comment(text: str | None, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise BadEdit("a comment needs some text")
    if len(text) > MAX_COMMENT:
        raise BadEdit(f"a comment is at most {MAX_COMMENT} characters ({len(text)} given)")
    return text


# --------------------------------------------------------------------------- flags


def compute_flags(multi: MultiAlignment, glossary: Any = None) -> list[Flag]:
    """Every flag of the alignment: the checks' and the glossary report's."""
    from ..compare import run_checks
    from ..report import merge_flags

    result = run_checks(multi, glossary=glossary)
    return merge_flags(list(result.flags), list(getattr(result.glossary_report, "flags", None) or []))


def place_flags(key: str, flags: Sequence[Flag], beads: Mapping[str, Sequence[StoredBead]]) -> FlagState:
    """Which row of which translation shows each flag: a translation's flag
    on the row holding its first target segment (else its first source
    segment); a flag of no translation on the row of its first source
    segment, in every translation; the rest on no row."""
    by_key: dict[str, Flag] = {}
    by_bead: dict[int, list[str]] = {}
    unplaced: dict[str, list[str]] = {}
    src_of = {tid: {i: b.id for b in bs for i in b.src} for tid, bs in beads.items()}
    tgt_of = {tid: {j: b.id for b in bs for j in b.tgt} for tid, bs in beads.items()}
    for f in flags:
        k = flag_key(f)
        if k in by_key:
            continue
        by_key[k] = f
        tids = [f.translation] if f.translation in beads else list(beads)
        for tid in tids:
            row = None
            if f.translation == tid and f.tgt:
                row = tgt_of[tid].get(f.tgt[0])
            if row is None and f.src:
                row = src_of[tid].get(f.src[0])
            if row is None:
                unplaced.setdefault(tid, []).append(k)
            else:
                by_bead.setdefault(row, []).append(k)
    return FlagState(key, tuple(by_key.values()), by_key, {k: tuple(v) for k, v in by_bead.items()},
                     {k: tuple(v) for k, v in unplaced.items()})


def split_by_decision(flags: Sequence[Flag], decisions: Mapping[str, Decision]) -> tuple[list[Flag], list[tuple[Flag, Decision]]]:
    """(open flags, closed flags with their decision): a flag dismissed as a
    false positive or marked fixed is closed; an accepted one stays open,
    with who accepted it and when in its details."""
    open_, closed = [], []
    for f in flags:
        d = decisions.get(flag_key(f))
        if d is None:
            open_.append(f)
        elif d.decision in CLOSING:
            closed.append((f, d))
        else:
            open_.append(Flag(f.kind, f.message, f.translation, f.src, f.tgt, f.term, f.severity,
                              {**f.details, "review": {"decision": d.decision, "comment": d.comment, "who": d.who,
                                                       "at": d.at}}))
    return open_, closed


# --------------------------------------------------------------------------- creating and opening


def create_project(db: str | os.PathLike, source, translations: Sequence, *, settings=None,
                   glossary: str | os.PathLike | None = None, progress: Callable[..., None] | None = None) -> Store:
    """Align the inputs and write a new review project at ``db``."""
    from .. import pipeline

    settings = settings or pipeline.Settings()
    if not isinstance(settings.encoder, str):
        raise UsageError("a review project records its encoder by name: use, lexical or st:PATH")
    inputs = pipeline.read_inputs(source, list(translations))
    analysis = pipeline.analyse_inputs(inputs, settings=settings, glossary=glossary, progress=progress)
    multi = analysis.multi
    src_doc = inputs.source.document
    files = {"source": (inputs.source.path, inputs.source.sha256)}
    texts = {}
    for t in inputs.translations:
        files[t.id] = (t.path, t.sha256)
        texts[t.id] = t.document.text if t.document is not None else "\n".join(s.text for s in t.segments or ())
    gl = None
    if glossary is not None:
        from ..textio import read_text

        gl = (str(glossary), pipeline.sha256_file(glossary), read_text(glossary))
    meta = {"settings": {"level": settings.level, "encoder": settings.encoder, "presegmented": settings.presegmented,
                         "params": dict(settings.params)},
            "signature": multi.signature, "warnings": list(multi.warnings), "notes": list(analysis.notes),
            "title": Path(inputs.source.path).stem if inputs.source.path else "review"}
    return Store.create(db, source=multi.source, source_text=src_doc.text if src_doc else "",
                        translations={tid: al.target for tid, al in multi.alignments.items()}, texts=texts,
                        beads={tid: al.beads for tid, al in multi.alignments.items()}, meta=meta, files=files,
                        glossary=gl)


def verify_files(store: Store, source, translations: Sequence) -> None:
    """Files given with an existing project must be the ones it was made
    from (same sha256, in the same roles)."""
    from ..pipeline import sha256_file

    recorded = {r["id"]: r for r in store.inputs()}
    tids = store.translation_ids
    if translations and len(translations) != len(tids):
        raise UsageError(f"{store.path} reviews {len(tids)} translation(s), {len(translations)} given")
    pairs = [("source", source)] + list(zip(tids, translations))
    for id, path in pairs:
        if path is None:
            continue
        if not Path(path).is_file():
            raise InputError("no such file", path)
        if recorded[id]["sha256"] != sha256_file(path):
            what = "the source" if id == "source" else f"translation {id}"
            raise InputError(f"is not {what} that {store.path} was made from (sha256 differs; it was made from "
                             f"{recorded[id]['path']})", path)


def load_glossary_of(store: Store) -> Any:
    """The project's glossary, parsed from the text stored in it (None if it has none)."""
    row = store.conn.execute("SELECT path, text FROM inputs WHERE role = 'glossary'").fetchone()
    if row is None:
        return None
    from ..glossary.schema import parse_glossary

    return parse_glossary(row["text"], row["path"])


def open_review(db: str | os.PathLike) -> Review:
    """Open a project for reviewing (a :class:`ProjectError` becomes an input error)."""
    try:
        store = Store.open(db)
    except ProjectError as exc:
        raise InputError(str(exc)) from None
    return Review(store, glossary=load_glossary_of(store))


# --------------------------------------------------------------------------- the project flows on


def dismissed(f: Flag, d: Decision) -> Flag:
    """A closed flag as the report shows it: on no row, kind ``dismissed``,
    saying which flag, what was decided, by whom and when."""
    label = "dismissed as a false positive" if d.decision == "false-positive" else "marked fixed"
    where = " ".join(x for x in (f"source {','.join(map(str, f.src))}" if f.src else "",
                                 f"target {','.join(map(str, f.tgt))}" if f.tgt else "") if x)
    text = (f"{f.kind} flag ({where or 'document'}) {label} by {d.who} on {d.at}"
            + (f": “{d.comment}”" if d.comment else "") + f" — the flag said: {f.message}")
    return Flag("dismissed", text, f.translation, (), (), f.term, "info",
                {"review": {"decision": d.decision, "comment": d.comment, "who": d.who, "at": d.at},
                 "flag": {"kind": f.kind, "src": list(f.src), "tgt": list(f.tgt), "message": f.message}})


def analysis_of(db: str | os.PathLike, source=None, translations: Sequence = ()):
    """The :class:`align.pipeline.Analysis` of a review project as it is now:
    its alignment (no aligning again), the checks run on it, and the
    editors' decisions applied: a flag dismissed as a false positive or
    marked fixed leaves the flags (``closed`` has it, with who and when,
    and a note says so); an accepted one stays, saying who accepted it.
    Files given must be the ones the project was made from."""
    import dataclasses

    from .. import pipeline

    review = open_review(db)
    try:
        store = review.store
        verify_files(store, source, list(translations))
        meta = store.meta()
        clauses = ProjectClauses(store)
        multi = clauses.attach(store.multi())
        multi.warnings = list(meta.get("warnings") or [])
        multi.signature["review"] = {"db": str(store.path), "events": store.last_event()}
        row = store.conn.execute("SELECT path, sha256 FROM inputs WHERE role = 'glossary'").fetchone()
        loaded = pipeline.LoadedGlossary(review.glossary, row["path"] if row else None, row["sha256"] if row else None)
        notes = list(meta.get("notes") or []) + ([clauses.unavailable] if clauses.unavailable else [])
        analysis = pipeline.check(multi, glossary=loaded, notes=notes)
        decisions = store.decisions()
    finally:
        review.store.close()
    open_, closed = split_by_decision(analysis.flags, decisions)
    open_ = [_with_acceptance(f) for f in open_]
    report = analysis.glossary_report
    if report is not None and dataclasses.is_dataclass(report):
        g_open, _ = split_by_decision(list(getattr(report, "flags", []) or []), decisions)
        report = dataclasses.replace(report, flags=[_with_acceptance(f) for f in g_open])
    analysis.flags, analysis.glossary_report = open_, report
    analysis.closed = [dismissed(f, d) for f, d in closed]
    analysis.notes.extend(f"{f.translation or 'all'}: {f.message}" for f in analysis.closed)
    return analysis


def _with_acceptance(f: Flag) -> Flag:
    r = f.details.get("review")
    if not r:
        return f
    said = f" [accepted by {r['who']} on {r['at']}" + (f": {r['comment']}" if r["comment"] else "") + "]"
    return Flag(f.kind, f.message + said, f.translation, f.src, f.tgt, f.term, f.severity, f.details)


def statuses(store: Store) -> dict[str, list[str]]:
    """Per translation, the status of each bead in order (machine, approved, edited)."""
    return {tid: [b.status for b in store.beads(tid)] for tid in store.translation_ids}
