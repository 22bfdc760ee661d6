"""Exports of a reviewed alignment: the usual TSV, TMX and JSONL (align.export)
with each bead's review status, and Vecalign beads for ``align eval``.

- TSV: one more column per translation at the end, ``<id>_status``: the
  status of each of the row's beads of that translation (``machine``,
  ``approved`` or ``edited``), comma-separated in order;
- JSONL: each bead gets ``"status"``; the header ``"review"`` (the project
  file and its last event);
- TMX: each unit a ``<prop type="x-status">``;
- beads: ``[src]:[tgt]`` per bead of one translation, as ``align eval``
  reads gold (the reviewed alignment is the gold).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import UsageError
from ..model import MultiAlignment

FORMATS = ("tsv", "tmx", "jsonl", "beads")
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str).translate(_LINE_BREAKS)


def _row_statuses(multi: MultiAlignment, status: dict[str, list[str]]) -> dict[str, list[list[str]]]:
    """Per translation, per row (group), the statuses of its beads in that row."""
    from ..export.jsonl import beads_by_group

    out = {}
    for tid, rows in beads_by_group(multi).items():
        index = {id(b): k for k, b in enumerate(multi.alignments[tid].beads)}
        out[tid] = [[status[tid][index[id(b)]] for b in row] for row in rows]
    return out


def tsv(multi: MultiAlignment, status: dict[str, list[str]]) -> str:
    from ..export import to_tsv_string

    lines = to_tsv_string(multi).split("\n")
    per_row = _row_statuses(multi, status)
    tids = list(multi.alignments)
    lines[1] += "".join(f"\t{tid}_status" for tid in tids)
    for gi in range(len(multi.groups)):
        lines[2 + gi] += "".join("\t" + ",".join(per_row[tid][gi]) for tid in tids)
    return "\n".join(lines)


def jsonl(multi: MultiAlignment, status: dict[str, list[str]], flags, review: dict) -> str:
    from ..export import to_jsonl_string

    per_row = _row_statuses(multi, status)
    out = []
    for line in to_jsonl_string(multi, flags=flags).splitlines():
        rec = json.loads(line)
        if rec.get("record") == "header":
            rec["review"] = review
        elif rec.get("record") == "group":
            for tid, cell in rec["translations"].items():
                for bead, st in zip(cell["beads"], per_row[tid][rec["group"]]):
                    bead["status"] = st
        out.append(_dumps(rec))
    return "\n".join(out) + "\n"


def tmx(multi: MultiAlignment, status: dict[str, list[str]], *, translation: str | None,
        min_confidence: float) -> bytes:
    from lxml import etree

    from ..export.tmx import build_tmx

    store = build_tmx(multi, translation=translation, min_confidence=min_confidence)
    for unit in store.units:
        el = unit.xmlelement
        tid, _, bi = (el.get("tuid") or "").rpartition(":")
        if tid in status and bi.isdigit():
            prop = etree.Element("prop")
            prop.set("type", "x-status")
            prop.text = status[tid][int(bi)]
            tuv = el.find("tuv")
            el.insert(el.index(tuv) if tuv is not None else len(el), prop)
    return bytes(store)


def beads(multi: MultiAlignment, translation: str | None) -> str:
    from ..evaluate import format_beads

    tids = list(multi.alignments)
    if translation is None:
        if len(tids) != 1:
            raise UsageError(f"--format beads is for one translation: give --translation ({', '.join(tids)})")
        translation = tids[0]
    return format_beads(multi.alignments[translation].beads)


def export_project(db: str | os.PathLike, fmt: str, *, output: str | os.PathLike | None = None,
                   translation: str | None = None, min_confidence: float = 0.0) -> tuple[str | bytes, int]:
    """The export of a review project in ``fmt`` (written atomically to
    ``output`` when given); returns it and its number of rows."""
    from ..pipeline import from_review_db
    from ..textio import write_bytes, write_text
    from .service import open_review, statuses

    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)} with --db, got {fmt!r}")
    analysis = from_review_db(db)
    multi = analysis.multi
    if translation is not None and translation not in multi.alignments:
        raise UsageError(f"no translation {translation!r}; have {', '.join(multi.alignments)}")
    reviewing = open_review(db)
    try:
        status = statuses(reviewing.store)
    finally:
        reviewing.store.close()
    review = dict(multi.signature.get("review") or {})
    if fmt == "beads" and translation is None and len(multi.alignments) == 1:
        translation = next(iter(multi.alignments))
    if fmt == "tsv":
        data: str | bytes = tsv(multi, status)
    elif fmt == "jsonl":
        data = jsonl(multi, status, analysis.all_flags + analysis.closed, review)
    elif fmt == "tmx":
        data = tmx(multi, status, translation=translation, min_confidence=min_confidence)
    else:
        data = beads(multi, translation)
    if output is not None:
        if isinstance(data, bytes):
            write_bytes(Path(output), data)
        else:
            write_text(Path(output), data)
    n = len(multi.alignments[translation].beads) if fmt == "beads" else len(multi.groups)
    return data, n
