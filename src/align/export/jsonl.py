"""JSONL export: everything, one JSON object per line.

Line 1: ``{"record": "header", "format": "align-jsonl/1", "signature": ...,
"source": {...}, "translations": {id: {...}}, "flags": [flags of no row]}``.
Then one ``{"record": "group", "group": i, "src": [...], "source_text": ...,
"source_segments": [...], "translations": {id: {"tgt": [...], "text": ...,
"confidence": ..., "kind": k, "segments": [...], "beads": [{"src": [...],
"tgt": [...], "kind": k, "confidence": c, "score": s}]}}, "flags": [...]}``
per row. Each bead of a translation sits in the one row that holds its
segments, so the file is the whole alignment:
:func:`align.pipeline.load_alignment` reads it back.

Clause beads (``Alignment.clauses``, the clauses inside the sentence beads):
a row has ``"clause_segments"``, the source clauses of its source segments
(each a segment record with ``"sentence"``, the index of the segment that
holds it), and each translation's cell has ``"clause_segments"`` (its target
clauses, likewise) and ``"clauses"``, the clause beads inside its beads:
``[{"src": [...], "tgt": [...], "kind": k, "confidence": c, "score": s}]`` with clause
indices (numbered as ``align segment --level clause`` numbers them). Every
clause is in exactly one row, every clause bead in the row of its sentence
bead. A file written from an alignment without clauses has none of these keys.

A bead's ``kind`` is ``aligned``, ``omission`` (no target) or ``addition``
(no source); a cell's is its beads' kinds (``aligned+omission`` for a row of
several kinds, empty where the translation has no bead in the row). A
bead's ``confidence`` is the probability that it is right (for an omission
or an addition: that the segment truly has no counterpart); a cell's is its
weakest bead's.
"""
from __future__ import annotations

import dataclasses
import json

from ..model import Alignment, Flag, MultiAlignment, Segment
from ._common import as_multi, cell_kind, source_text, target_text

FORMAT = "align-jsonl/1"


def _seg(s: Segment) -> dict:
    return dataclasses.asdict(s)


_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _dumps(obj) -> str:
    """One JSON line; Unicode line separators are escaped too, so that no
    reader (not even ``str.splitlines``) sees a record broken in two."""
    return json.dumps(obj, ensure_ascii=False, default=str).translate(_LINE_BREAKS)


def beads_by_group(multi: MultiAlignment) -> dict[str, list[list]]:
    """For each translation, the beads of each row (group), in order."""
    src_row = {i: gi for gi, g in enumerate(multi.groups) for i in g.src}
    out = {}
    for tid, al in multi.alignments.items():
        tgt_row = {j: gi for gi, g in enumerate(multi.groups) for j in g.targets.get(tid, ())}
        rows: list[list] = [[] for _ in multi.groups]
        for b in al.beads:
            gi = src_row[b.src[0]] if b.src else tgt_row[b.tgt[0]]
            rows[gi].append(b)
        out[tid] = rows
    return out


def _clause_seg(s: Segment, sentence: int) -> dict:
    return {**dataclasses.asdict(s), "sentence": sentence}


def clauses_by_group(multi: MultiAlignment) -> dict[str, list[list]]:
    """For each translation with clause beads, the clause beads of each row:
    a clause bead sits in the row of its first source clause's segment (of
    its first target clause's for a bead with no source)."""
    src_row = {i: gi for gi, g in enumerate(multi.groups) for i in g.src}
    out = {}
    for tid, al in multi.alignments.items():
        ca = al.clauses
        if ca is None:
            continue
        tgt_row = {j: gi for gi, g in enumerate(multi.groups) for j in g.targets.get(tid, ())}
        rows: list[list] = [[] for _ in multi.groups]
        for b in ca.beads:
            gi = src_row[ca.source_sentence[b.src[0]]] if b.src else tgt_row[ca.target_sentence[b.tgt[0]]]
            rows[gi].append(b)
        out[tid] = rows
    return out


def _members(sentence_of) -> dict[int, list[int]]:
    """Per segment, the indices of its clauses."""
    out: dict[int, list[int]] = {}
    for c, s in enumerate(sentence_of):
        out.setdefault(s, []).append(c)
    return out


def _clause_bead(b) -> dict:
    from .tmx import bead_kind

    return {"src": list(b.src), "tgt": list(b.tgt), "kind": bead_kind(b), "confidence": float(b.confidence),
            "score": float(b.score)}


def _bead(b) -> dict:
    from .tmx import bead_kind

    return {"src": list(b.src), "tgt": list(b.tgt), "kind": bead_kind(b), "confidence": float(b.confidence),
            "score": float(b.score)}


def to_jsonl_string(obj: MultiAlignment | Alignment, *, flags: list[Flag] | None = None) -> str:
    from ..compare import check_alignment, flag_to_dict, flags_by_group

    multi = as_multi(obj)
    if flags is None:
        flags = check_alignment(multi)
    by_row = flags_by_group(multi, flags)
    header = {
        "record": "header",
        "format": FORMAT,
        "signature": multi.signature,
        "source": {"lang": multi.source[0].lang if multi.source else "zh", "segments": len(multi.source)},
        "translations": {
            tid: {"segments": len(al.target), "beads": len(al.beads), "mean_confidence": round(al.mean_confidence, 4),
                  "signature": al.signature, "warnings": al.warnings}
            for tid, al in multi.alignments.items()},
        "groups": len(multi.groups),
        "warnings": multi.warnings,
        "flags": [flag_to_dict(f) for f in by_row.get(-1, [])],
    }
    lines = [_dumps(header)]
    beads = beads_by_group(multi)
    clauses = clauses_by_group(multi)
    with_clauses = next((al.clauses for al in multi.alignments.values() if al.clauses is not None), None)
    src_clauses = _members(with_clauses.source_sentence) if with_clauses is not None else {}
    tgt_clauses = {tid: _members(al.clauses.target_sentence) for tid, al in multi.alignments.items()
                   if al.clauses is not None}
    for gi, g in enumerate(multi.groups):
        row = {
            "record": "group",
            "group": gi,
            "src": list(g.src),
            "source_text": source_text(multi, g.src),
            "source_segments": [_seg(multi.source[i]) for i in g.src],
            "translations": {},
            "flags": [flag_to_dict(f) for f in by_row.get(gi, [])],
        }
        if with_clauses is not None:
            row["clause_segments"] = [_clause_seg(with_clauses.source[c], i) for i in g.src
                                      for c in src_clauses.get(i, ())]
        for tid, al in multi.alignments.items():
            tgt = g.targets.get(tid, ())
            row["translations"][tid] = {
                "tgt": list(tgt),
                "text": target_text(multi, tid, tgt),
                "confidence": g.confidence.get(tid),
                "kind": cell_kind(beads[tid][gi]),
                "segments": [_seg(al.target[j]) for j in tgt],
                "beads": [_bead(b) for b in beads[tid][gi]],
            }
            ca = al.clauses
            if ca is not None:
                row["translations"][tid]["clause_segments"] = [_clause_seg(ca.target[c], j) for j in tgt
                                                               for c in tgt_clauses[tid].get(j, ())]
                row["translations"][tid]["clauses"] = [_clause_bead(b) for b in clauses[tid][gi]]
        lines.append(_dumps(row))
    return "\n".join(lines) + "\n"
