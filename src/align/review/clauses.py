"""The clause beads of a review project's rows.

A project stores its sentence beads (the rows an editor merges, splits,
approves); the clause beads inside each row are the aligner's
(aligner/clauses.py), worked out from the stored texts when the project is
read: the flags (a clause left out inside a row) and what a project
exports or reports are then the same as ``align pair``'s. A row's clause
beads depend on that row alone, so after an edit only the new rows are
aligned again (``ProjectClauses`` keeps the others').

A project at ``--level clause`` has no clause beads inside its rows: its
rows are the clause beads.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Sequence

from ..errors import AlignError
from ..model import Bead, ClauseAlignment, Document, MultiAlignment
from .store import Store, StoredBead

#: one row as far as its clause beads go: its spans and its confidence (a factor of theirs)
RowKey = tuple[int, int, int, int, float]


def _row_key(b: StoredBead) -> RowKey:
    return (b.src_start, b.src_end, b.tgt_start, b.tgt_end, b.confidence)


def project_units(store: Store, id: str, settings: dict):
    """One side's sentences and clauses as ``align pair`` had them
    (pipeline.units_of on the stored text); where the stored sentences are
    not that text's (segments given as they are), each stored sentence cut
    into clauses on its own."""
    from ..aligner.clause_units import split_sentences
    from ..pipeline import Input, Settings, units_of

    segs = store.segments(id)
    text = store.input_text(id)
    if text and segs:
        inp = Input("source" if id == "source" else "translation", id, document=Document(text, segs[0].lang))
        units = units_of(inp, Settings(presegmented=bool(settings.get("presegmented"))))
        if [(s.start, s.end, s.text) for s in units.sentences] == [(s.start, s.end, s.text) for s in segs]:
            return units
    return split_sentences(segs)


@dataclass
class ProjectClauses:
    """The clause beads of a project's rows, each row's aligned once.

    ``encoder``: the project's encoder (None: made from its settings when
    first needed). ``unavailable`` says why there are none (the encoder
    could not be loaded), else None."""

    store: Store
    encoder: Any = None
    unavailable: str | None = None
    _sides: dict = field(default_factory=dict, repr=False)
    _rows: dict[tuple[str, RowKey], tuple[Bead, ...]] = field(default_factory=dict, repr=False)

    @cached_property
    def settings(self) -> dict:
        """The project's settings (level, encoder, parameters): fixed when it was made."""
        return dict(self.store.meta().get("settings") or {})

    def _side(self, id: str):
        from ..aligner.clauses import encode_side, wants_lexical

        if id not in self._sides:
            enc = self.project_encoder()
            self._sides[id] = encode_side(project_units(self.store, id, self.settings), enc,
                                          lexical=wants_lexical(enc, self._params))
        return self._sides[id]

    def project_encoder(self):
        """The project's encoder (made from its settings when first asked; re-aligning uses it too)."""
        if self.encoder is None:
            from ..embed import get_encoder

            self.encoder = get_encoder(self.settings.get("encoder", "use"))
        return self.encoder

    @cached_property
    def _params(self):
        from ..aligner.clauses import clause_params
        from ..aligner.multi import SHARED_PARAMS

        given = dict(self.settings.get("params") or {})
        return clause_params(self.project_encoder(), **{k: v for k, v in given.items() if k in SHARED_PARAMS})

    def of(self, tid: str, rows: Sequence[StoredBead]) -> ClauseAlignment | None:
        """The clause alignment inside ``rows`` (a translation's alive beads,
        in order); None where the project has none (see ``unavailable``)."""
        if (self.settings.get("level") or "sentence") != "sentence" or self.unavailable:
            return None
        try:
            src, tgt = self._side("source"), self._side(tid)
            self._align_new(tid, rows, src, tgt)
        except AlignError as exc:  # the project's model is gone: the rows stay, without clauses
            self.unavailable = f"no clause beads: {exc}"
            return None
        beads = [c for b in rows for c in self._rows[(tid, _row_key(b))]]
        return ClauseAlignment(src.units.clauses, tgt.units.clauses, src.units.sentence_of, tgt.units.sentence_of,
                               tuple(beads))

    def _align_new(self, tid: str, rows: Sequence[StoredBead], src, tgt) -> None:
        from ..aligner.clauses import align_clauses

        new = [b for b in rows if (tid, _row_key(b)) not in self._rows]
        if not new:
            return
        found = align_clauses([b.bead() for b in new], src, tgt, params=self._params, encoder=self.project_encoder())
        row_of_src = {s: k for k, b in enumerate(new) for s in b.src}
        row_of_tgt = {t: k for k, b in enumerate(new) for t in b.tgt}
        per_row: list[list[Bead]] = [[] for _ in new]
        for c in found.beads:
            k = (row_of_src[src.units.sentence_of[c.src[0]]] if c.src
                 else row_of_tgt[tgt.units.sentence_of[c.tgt[0]]])
            per_row[k].append(c)
        for b, got in zip(new, per_row):
            self._rows[(tid, _row_key(b))] = tuple(got)

    def cells(self, tid: str, row: StoredBead) -> list[dict] | None:
        """The clause beads inside ``row`` as the review API gives them (after
        ``of`` or ``attach`` for the row's translation): per clause bead its
        clauses' indices and texts, and its confidence; None where the
        project has no clause beads or the row's are not known yet."""
        beads = self._rows.get((tid, _row_key(row)))
        if beads is None or "source" not in self._sides or tid not in self._sides:
            return None
        src, tgt = self._sides["source"].units.clauses, self._sides[tid].units.clauses
        return [{"src": list(c.src), "tgt": list(c.tgt), "confidence": round(c.confidence, 4),
                 "source": [src[i].text for i in c.src], "target": [tgt[j].text for j in c.tgt]} for c in beads]

    def attach(self, multi: MultiAlignment) -> MultiAlignment:
        """``multi`` (the store's alignment now) with each alignment's clause beads."""
        for tid, al in multi.alignments.items():
            al.clauses = self.of(tid, self.store.beads(tid))
        return multi
