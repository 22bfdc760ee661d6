"""The one-page HTML diff report for editors.

``build_report_html`` renders a MultiAlignment, its flags and (optionally) a
glossary report into ONE self-contained HTML page: a banner with the verdict
on each translation that is not clean (a partial translation, a different
text or version: :mod:`align.verdict`), a summary (coverage, mean
confidence, flag counts, the document findings, the term x translation
rendering table), then one row per source segment group with every
translation side by side, the row's own flags inline, glossary terms and
their renderings highlighted in the same colour, filters, a text search and
keyboard navigation between flagged rows. With clause beads
(``Alignment.clauses``) each cell shows its clauses, and hovering, focusing
or tapping one lights its linked clauses in every column
(:mod:`align.report.clauses`). Translator notes show under their
translation (:mod:`align.report.notes`). A document flag
(``details["scope"] == "document"``) is listed once in the summary, with a
button that shows its rows; it is on no row, and ``j``/``k`` stop only at
rows with flags of their own. CSS and JS are inline, and so is a subset of a
CJK font (:mod:`align.report.font`): the page loads nothing from anywhere and
shows Chinese on a machine with no Chinese font. It prints to A4 landscape
and stacks its columns on a narrow screen.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..compare import FLAG_ORDER, is_document_flag
from ..model import Flag, MultiAlignment, TermHit, Verdict
from .notes import TranslatorNote, notes_of
from .summary import LOW_CONFIDENCE, TranslationSummary, summarize

__all__ = ["build_report_html", "write_report", "merge_flags", "summarize", "TranslationSummary", "LOW_CONFIDENCE",
           "TranslatorNote", "notes_of"]

FONT_SLOT = "/*@font-face*/"  # where the template takes the embedded font's rule

# Flag kinds in the order an editor reads them (align.compare's); unknown kinds follow, sorted.
KIND_ORDER = list(FLAG_ORDER)
SEVERITIES = ("error", "warning", "info")


def _env():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("align.report", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )


def _flag_key(f: Flag) -> tuple:
    return (f.kind, f.translation, tuple(f.src), tuple(f.tgt), f.term, f.message)


def merge_flags(flags: list[Flag], extra: list[Flag]) -> list[Flag]:
    """``flags`` plus those of ``extra`` not already among them (glossary flags
    may come both from align.compare and from the glossary report)."""
    keys = {_flag_key(f) for f in flags}
    out = list(flags)
    for f in extra:
        if _flag_key(f) not in keys:
            keys.add(_flag_key(f))
            out.append(f)
    return out


def _table_cells(table: Any) -> dict[str, dict[str, dict[str | None, int]]]:
    """Normalise the glossary report's table to term -> translation -> {rendering: count}.

    Accepts the nested form and the form keyed by (term, translation) tuples.
    """
    out: dict[str, dict[str, dict[str | None, int]]] = {}
    if not table:
        return out
    for key, value in dict(table).items():
        if isinstance(key, tuple) and len(key) == 2:
            out.setdefault(str(key[0]), {})[str(key[1])] = dict(value)
        elif isinstance(value, dict):
            for tid, renderings in value.items():
                out.setdefault(str(key), {})[str(tid)] = dict(renderings)
    return out


def _table_from_hits(hits: list[TermHit]) -> dict[str, dict[str, dict[str | None, int]]]:
    out: dict[str, dict[str, dict[str | None, int]]] = {}
    for h in hits:
        cell = out.setdefault(h.term, {}).setdefault(h.translation, {})
        cell[h.rendering] = cell.get(h.rendering, 0) + 1
    return out


@dataclass
class _Rendering:
    text: str | None
    count: int
    anchor: str | None
    status: str = ""  # preferred, accepted, discouraged, unlisted (glossary report), or ""


def _term_table(glossary_report: Any, hits: list[TermHit], tids: list[str], src_row: dict[int, str]) -> list[dict]:
    table = _table_cells(getattr(glossary_report, "table", None)) or _table_from_hits(hits)
    status = getattr(glossary_report, "status", None) or {}
    first: dict[tuple[str, str, str | None], str] = {}
    term_first: dict[str, str] = {}
    for h in sorted(hits, key=lambda h: h.source_segment):
        anchor = src_row.get(h.source_segment)
        if anchor:
            first.setdefault((h.term, h.translation, h.rendering), anchor)
            term_first.setdefault(h.term, anchor)
    rows = []
    for term, per_tid in table.items():
        cells = {}
        for tid in tids:
            rens = per_tid.get(tid, {})
            ordered = sorted(rens.items(), key=lambda kv: (kv[0] is None, -kv[1], str(kv[0])))
            cells[tid] = [_Rendering(r, c, first.get((term, tid, r)), str(status.get(term, {}).get(r, "")) if r else "")
                          for r, c in ordered if c]
        distinct = {r for tid in tids for r in per_tid.get(tid, {}) if r is not None}
        rows.append({"term": term, "cells": cells, "anchor": term_first.get(term),
                     "total": sum(c for tid in tids for c in per_tid.get(tid, {}).values()),
                     "varies": any(len([r for r in per_tid.get(tid, {}) if r is not None]) > 1 for tid in tids),
                     "distinct": len(distinct)})
    return rows


def _signature(multi: MultiAlignment) -> list[tuple[str, str]]:
    from .. import __version__

    sig: dict[str, Any] = {"align": __version__}
    sig.update(multi.signature or {})
    for tid, a in multi.alignments.items():
        for k, v in (a.signature or {}).items():
            if k not in sig:
                sig[k] = v
    out = []
    for k, v in sig.items():
        out.append((str(k), v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)))
    return out


def build_report_html(multi: MultiAlignment, flags: list[Flag], *, glossary_report: Any = None,
                      title: str | None = None, low_confidence: float = LOW_CONFIDENCE,
                      verdicts: Mapping[str, Verdict] | None = None,
                      notes: Mapping[str, Sequence[TranslatorNote]] | None = None, embed_font: bool = True) -> str:
    """Render the report page; deterministic for the same input (no dates).
    ``verdicts`` (by translation id): those not clean make the banner at the top.
    ``notes``: translator notes by translation id. ``embed_font``: embed the
    CJK font subset of the page's characters (:mod:`align.report.font`)."""
    from ._view import build_findings, build_rows, term_colours

    hits: list[TermHit] = list(getattr(glossary_report, "occurrences", None) or [])
    all_flags = merge_flags(list(flags), list(getattr(glossary_report, "flags", None) or []))
    document = [f for f in all_flags if is_document_flag(f)]
    local = [f for f in all_flags if not is_document_flag(f)]
    tids = multi.translation_ids
    table_terms = list(_table_cells(getattr(glossary_report, "table", None)))
    row_of_segment = {src: i for i, g in enumerate(multi.groups) for src in g.src}
    colours = term_colours(hits, table_terms, row_of_segment)
    rows, unplaced = build_rows(multi, local, hits, colours, low=low_confidence,
                                findings=build_findings(multi, document, []))
    # the document flags keep their numbers; the flags that found no row follow them
    findings = build_findings(multi, document, unplaced)
    rowless = {id(f) for f in unplaced}
    placed = [f for f in local if id(f) not in rowless]

    src_row = {s: r.anchor for r, g in zip(rows, multi.groups) for s in g.src}
    kinds = sorted({f.kind for f in all_flags},
                   key=lambda k: (KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER), k))
    row_kinds = [k for k in kinds if any(k in r.kinds for r in rows)]  # what the kind filter offers
    first_row = {k: next((r.anchor for r in rows if k in r.kinds), None) for k in kinds}
    summaries = summarize(multi, all_flags, low=low_confidence)
    row_flag_counts = {k: {tid: sum(1 for f in placed if f.kind == k and f.translation == tid) for tid in tids}
                       for k in kinds}
    source_counts = {k: sum(1 for f in placed if f.kind == k and f.translation not in tids) for k in kinds}
    row_counts = {k: sum(1 for r in rows if k in r.kinds) for k in kinds}
    finding_counts = {k: sum(1 for fd in findings if fd.kind == k) for k in kinds}
    first_finding = {k: next((fd.number for fd in findings if fd.kind == k), None) for k in kinds}
    terms = _term_table(glossary_report, hits, tids, src_row) if (hits or table_terms) else []
    all_terms = sorted({t for r in rows for t in r.terms}, key=lambda t: list(colours).index(t) if t in colours else 0)

    page_title = title or (multi.signature or {}).get("title") or "Alignment report"
    html = _env().get_template("report.html.j2").render(
        title=page_title, multi=multi, has_status=any(r.status for t in terms for c in t["cells"].values() for r in c), tids=tids, rows=rows, summaries=summaries, kinds=kinds,
        row_kinds=row_kinds, first_row=first_row, source_counts=source_counts, row_counts=row_counts,
        row_flag_counts=row_flag_counts, finding_counts=finding_counts, first_finding=first_finding,
        flagged_rows=sum(1 for r in rows if r.flagged), findings=findings, terms=terms,
        colours=colours, all_terms=all_terms, signature=_signature(multi),
        low=low_confidence, n_row_flags=len(placed), warnings=list(multi.warnings or []),
        verdicts=[v for v in (verdicts or {}).values() if not v.clean],
        notes={tid: list(ns) for tid, ns in (notes or {}).items() if tid in tids and ns},
        font_slot=FONT_SLOT,
    )
    face = None
    if embed_font:
        from .font import font_face

        face = font_face([html])
    return html.replace(FONT_SLOT, face.css if face is not None else "", 1)


def write_report(multi: MultiAlignment, flags: list[Flag], path: str | os.PathLike, *,
                 glossary_report: Any = None, title: str | None = None,
                 verdicts: Mapping[str, Verdict] | None = None,
                 notes: Mapping[str, Sequence[TranslatorNote]] | None = None) -> Path:
    """Render the report and write it atomically (no partial file on error).
    ``notes`` None: the translator notes found beside the inputs (:func:`notes_of`)."""
    from ..errors import InputError
    from ..textio import write_text

    html = build_report_html(multi, flags, glossary_report=glossary_report, title=title, verdicts=verdicts,
                             notes=notes_of(multi) if notes is None else notes)
    try:
        return write_text(path, html)
    except OSError as exc:
        raise InputError(f"cannot write the report ({exc.strerror or exc})", path) from None
