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
        lines.append(_dumps(row))
    return "\n".join(lines) + "\n"
