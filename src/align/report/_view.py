"""Turn a MultiAlignment, its flags and glossary hits into rows of escaped HTML.

Everything that touches segment text goes through ``render_text``, which
escapes the text and wraps the marked stretches (glossary terms, their
renderings, untranslated Chinese, numbers that disagree) in ``<mark>`` spans
(:mod:`align.report._text`); with clause beads, each sentence is cut into its
linked clauses (:mod:`align.report.clauses`). The template only lays the
rows out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from markupsafe import Markup

from ..model import Flag, MultiAlignment, Segment, TermHit
from ._text import Span, render_text
from .clauses import ClauseLayout, clause_layout, gaps_html, render_clauses
from .summary import LOW_CONFIDENCE

N_TERM_COLOURS = 12

# Han characters (and CJK punctuation between them) left in an English text.
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]"
                      r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff5e\U00020000-\U0002ffff]*")

# Priority when marks overlap: a term beats a number beats untranslated text.
_PRIO_TERM, _PRIO_NUMBER, _PRIO_UNTRANSLATED = 3, 2, 1


# ----------------------------------------------------------------- locating

def locate_source_term(hit: TermHit, seg: Segment, used: Iterable[tuple[int, int]] = ()) -> tuple[int, int] | None:
    """Offsets of ``hit`` inside ``seg.text``.

    The glossary checker may give offsets relative to the segment or to the
    whole document, and the matched text may be an alias that contains the
    term (个人诚信 for 诚信); accept whichever reading reproduces the term,
    then fall back to the first occurrence of the term not yet used.
    """
    s, e, text = hit.source_start, hit.source_end, seg.text
    used = list(used)

    def free(a: int, b: int) -> bool:
        return not any(a < ub and ua < b for ua, ub in used)

    readings = [(s, e), (s - seg.start, e - seg.start)]
    for test in (lambda piece: piece == hit.term, lambda piece: hit.term in piece):
        for a, b in readings:
            if 0 <= a < b <= len(text) and test(text[a:b]) and free(a, b):
                return a, b
    i = text.find(hit.term)
    while i >= 0:
        if free(i, i + len(hit.term)):
            return i, i + len(hit.term)
        i = text.find(hit.term, i + 1)
    for a, b in readings:  # a variant form the checker matched: trust its offsets
        if 0 <= a < b <= len(text) and free(a, b):
            return a, b
    return None


def _needles(hit: TermHit) -> list[str]:
    out = []
    if hit.target_start is not None and hit.target_end is not None and hit.target_text:
        piece = hit.target_text[hit.target_start:hit.target_end]
        if piece.strip():
            out.append(piece)
    for x in (hit.matched, hit.rendering):
        if x and x.strip() and x not in out:
            out.append(x)
    return out


def locate_rendering(hit: TermHit, segs: list[Segment], used: list[tuple[int, int, int]]) -> tuple[int, int, int] | None:
    """(position in ``segs``, start, end) of the hit's rendering in the
    group's target segments, or None.

    ``target_start``/``target_end`` may be offsets into ``hit.target_text``
    (the aligned target text) or into the translation document; each reading
    is checked against the rendered words before it is used. Otherwise the
    first unused case-insensitive occurrence wins.
    """
    needles = [n.lower() for n in _needles(hit)]
    if not needles or not segs:
        return None

    def ok(k: int, a: int, b: int) -> bool:
        t = segs[k].text
        return (0 <= a < b <= len(t) and t[a:b].lower() in needles
                and not any(k == uk and a < ub and ua < b for uk, ua, ub in used))

    ts, te = hit.target_start, hit.target_end
    if ts is not None and te is not None:
        # offsets into the aligned target text: find each segment inside it
        pos = 0
        for k, seg in enumerate(segs):
            off = hit.target_text.find(seg.text, pos) if hit.target_text else -1
            if off < 0:
                break
            if off <= ts and te <= off + len(seg.text) and ok(k, ts - off, te - off):
                return k, ts - off, te - off
            pos = off + len(seg.text)
        # offsets into the translation document
        for k, seg in enumerate(segs):
            if seg.start <= ts and te <= seg.end and ok(k, ts - seg.start, te - seg.start):
                return k, ts - seg.start, te - seg.start
    # whole words first ("credit" must not light up "Creditworthiness"), then anywhere
    for whole in (True, False):
        for needle in needles:
            pattern = re.escape(needle)
            if whole:
                pattern = (r"(?<!\w)" if needle[0].isalnum() else "") + pattern + (r"(?!\w)" if needle[-1].isalnum() else "")
            for k, seg in enumerate(segs):
                for m in re.finditer(pattern, seg.text, re.IGNORECASE):
                    if ok(k, m.start(), m.end()):
                        return k, m.start(), m.end()
    return None


def _untranslated_spans(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), "untr", "Chinese left untranslated", prio=_PRIO_UNTRANSLATED)
            for m in _CJK_RUN.finditer(text)]


_NUMERALS = re.compile(r"[0-9〇零一二三四五六七八九十百千万亿两]")


def _mention_texts(value: Any) -> list[str]:
    """The quoted number texts in (part of) a number flag's details: the
    ``text`` of mention dicts, or plain strings that contain a numeral."""
    if isinstance(value, str):
        return [value] if _NUMERALS.search(value) else []
    if isinstance(value, dict):
        if "text" in value:
            return _mention_texts(value["text"])
        return [s for k, v in value.items() if k not in ("group", "kind", "value") for s in _mention_texts(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _mention_texts(v)]
    return []


def number_texts(details: dict) -> tuple[list[str], list[str]]:
    """(source-side, target-side) number texts of a number flag.

    ``missing`` mentions were found in the source only, ``extra`` ones in the
    translation only (align.compare); other keys are matched on both sides.
    """
    src = _mention_texts(details.get("missing", [])) + _mention_texts(details.get("source", []))
    tgt = _mention_texts(details.get("extra", [])) + _mention_texts(details.get("target", []))
    rest = {k: v for k, v in details.items() if k not in ("missing", "extra", "source", "target")}
    both = _mention_texts(rest)
    return src + both, tgt + both


def _number_spans(text: str, values: list[str], title: str) -> list[Span]:
    spans = []
    for v in set(values):
        v = v.strip()
        if not v or len(v) > 60:
            continue
        # a bare number must not match inside a longer number (8 in 98)
        if v[0].isdigit() and v[-1].isdigit():
            pattern = re.compile(r"(?<![\d.,])" + re.escape(v) + r"(?![\d])")
        else:
            pattern = re.compile(re.escape(v))
        spans += [Span(m.start(), m.end(), "num", title, prio=_PRIO_NUMBER) for m in pattern.finditer(text)]
    return spans


# -------------------------------------------------------------------- rows

@dataclass(frozen=True)
class FlagView:
    """One row flag as a row shows it."""

    kind: str
    message: str
    severity: str
    term: str | None = None
    first: str | None = None  # anchor of the row showing it in full, when this row repeats it

    @property
    def short(self) -> str:
        """The message clipped for a row that repeats a flag shown in full above."""
        return self.message if len(self.message) <= 72 else self.message[:70].rstrip() + "…"


@dataclass
class Cell:
    translation: str
    html: Markup
    empty: bool
    confidence: float | None
    low: bool
    segments: str
    flags: list[FlagView] = field(default_factory=list)
    gaps: Markup = Markup("")  # placeholders of source clauses left out, that open the cell


@dataclass
class Row:
    index: int
    anchor: str
    src_html: Markup
    src_empty: bool
    src_segments: str
    src_flags: list[FlagView]
    cells: list[Cell]
    kinds: list[str]
    min_confidence: float | None
    terms: list[str]
    findings: list[int] = field(default_factory=list)  # numbers of the document findings with evidence here

    @property
    def flagged(self) -> bool:
        return bool(self.kinds)


def _seg_range(idx: tuple[int, ...]) -> str:
    """Segment numbers as the page shows them: from 1, like the flag messages
    (align.compare.segments_label); the JSON keeps 0-based indices."""
    if not idx:
        return ""
    return str(idx[0] + 1) if len(idx) == 1 else f"{idx[0] + 1}–{idx[-1] + 1}"


@dataclass(frozen=True)
class Finding:
    """A document finding as the summary lists it: a document flag (or a
    flag that points at no row), with the rows its occurrences are in."""

    number: int  # 1-based, as the page shows it
    kind: str
    message: str
    severity: str
    translation: str | None
    term: str | None
    rows: tuple[int, ...]  # 0-based row (group) indices
    occurrences: int

    @property
    def anchors(self) -> list[str]:
        return [f"r{r + 1}" for r in self.rows]


def finding_rows(multi: MultiAlignment, flag: Flag) -> tuple[int, ...]:
    """The rows of a document flag's evidence: ``details["groups"]``, else
    the rows of its occurrences, else none."""
    n = len(multi.groups)
    d = flag.details or {}
    groups = d.get("groups")
    if isinstance(groups, list):
        return tuple(sorted({g for g in groups if isinstance(g, int) and not isinstance(g, bool) and 0 <= g < n}))
    by_src = {s: i for i, g in enumerate(multi.groups) for s in g.src}
    rows = set()
    for occ in d.get("occurrences") or []:
        if isinstance(occ, dict):
            g = occ.get("group")
            if isinstance(g, int) and not isinstance(g, bool) and 0 <= g < n:
                rows.add(g)
            elif occ.get("source_segment") in by_src:
                rows.add(by_src[occ["source_segment"]])
    return tuple(sorted(rows))


def build_findings(multi: MultiAlignment, document: list[Flag], unplaced: list[Flag]) -> list[Finding]:
    """The summary's list: document flags first (errors, then warnings, then
    observations, each in the order given), then the flags that point at no row."""
    rank = {"error": 0, "warning": 1, "info": 2}
    document = sorted(document, key=lambda f: rank.get(f.severity, 3))
    out = []
    for flags, placed in ((document, True), (unplaced, False)):
        for f in flags:
            occ = (f.details or {}).get("occurrences")
            out.append(Finding(
                number=len(out) + 1, kind=f.kind, message=f.message, severity=f.severity,
                translation=f.translation, term=f.term, rows=finding_rows(multi, f) if placed else (),
                occurrences=len(occ) if isinstance(occ, list) else 0,
            ))
    return out


def flag_rows(multi: MultiAlignment, flags: list[Flag]) -> dict[int, list[int]]:
    """For each flag (by position), the row indices its evidence points at."""
    by_src: dict[int, int] = {}
    by_tgt: dict[tuple[str, int], int] = {}
    for i, g in enumerate(multi.groups):
        for s in g.src:
            by_src[s] = i
        for tid, tgt in g.targets.items():
            for t in tgt:
                by_tgt[(tid, t)] = i
    out: dict[int, list[int]] = {}
    n = len(multi.groups)
    for k, f in enumerate(flags):
        g = (f.details or {}).get("group")
        if isinstance(g, int) and not isinstance(g, bool) and 0 <= g < n:
            out[k] = [g]  # align.compare names the row
            continue
        rows = {by_src[s] for s in f.src if s in by_src}
        tids = [f.translation] if f.translation else multi.translation_ids
        for t in f.tgt:
            for tid in tids:
                if (tid, t) in by_tgt:
                    rows.add(by_tgt[(tid, t)])
                    break
        out[k] = sorted(rows)
    return out


def term_colours(hits: list[TermHit], order: Iterable[str] = (), row_of_segment: dict[int, int] | None = None) -> dict[str, str]:
    """A colour class per term, the same everywhere in the page.

    Terms are taken in glossary-table order, then first use. With more terms
    than colours, terms that share a row get different colours where
    possible (greedy colouring of the co-occurrence graph), so that a row
    never shows two terms in one colour unless it holds more than
    ``N_TERM_COLOURS`` terms.
    """
    terms: list[str] = []
    for t in list(order) + [h.term for h in hits]:
        if t not in terms:
            terms.append(t)
    row_of_segment = row_of_segment or {}
    together: dict[str, set[str]] = {t: set() for t in terms}
    by_row: dict[int, set[str]] = {}
    for h in hits:
        by_row.setdefault(row_of_segment.get(h.source_segment, -1 - h.source_segment), set()).add(h.term)
    for ts in by_row.values():
        for t in ts:
            together[t] |= ts - {t}
    colour: dict[str, int] = {}
    use = [0] * N_TERM_COLOURS
    for t in terms:
        taken = {colour[u] for u in together[t] if u in colour}
        free = [c for c in range(N_TERM_COLOURS) if c not in taken]
        c = min(free, key=lambda c: (use[c], c)) if free else min(range(N_TERM_COLOURS), key=lambda c: (use[c], c))
        colour[t] = c
        use[c] += 1
    return {t: f"t{colour[t]}" for t in terms}


def _target_html(layout: ClauseLayout | None, tid: str, t: int, seg: Segment, spans: list[Span]) -> Markup:
    """Target sentence ``t`` as its clauses (with the placeholders of the
    source clauses left out after them), or as one sentence without clauses."""
    if layout is None or tid not in layout.target or t not in layout.target[tid]:
        return render_text(seg.text, spans)
    gaps = layout.gaps_after[tid]
    after = {n: gaps_html(gaps[j]) for n, j in enumerate(layout.target_index[tid][t]) if j in gaps}
    return render_clauses(seg.text, spans, layout.target[tid][t], after)


def build_rows(multi: MultiAlignment, flags: list[Flag], hits: list[TermHit],
               colours: dict[str, str], *, low: float = LOW_CONFIDENCE,
               findings: Iterable[Finding] = ()) -> tuple[list[Row], list[Flag]]:
    """The report's rows, and the flags that point at no row (shown in the
    summary). ``flags`` are the row flags (document flags are ``findings``:
    a row only lists the numbers of those with evidence in it, for the filter)."""
    tids = multi.translation_ids
    n = len(multi.groups)
    src_flags: list[list[FlagView]] = [[] for _ in range(n)]
    cell_flags: list[dict[str, list[FlagView]]] = [{t: [] for t in tids} for _ in range(n)]
    row_kinds: list[set[str]] = [set() for _ in range(n)]
    src_numbers: list[list[str]] = [[] for _ in range(n)]
    tgt_numbers: list[dict[str | None, list[str]]] = [{} for _ in range(n)]
    unplaced: list[Flag] = []
    for k, rows in flag_rows(multi, flags).items():
        f = flags[k]
        if not rows:
            unplaced.append(f)
            continue
        for j, r in enumerate(rows):
            # a flag with evidence in many rows is shown in full once, then clipped with a link back
            view = FlagView(f.kind, f.message, f.severity, f.term, first=f"r{rows[0] + 1}" if j else None)
            row_kinds[r].add(f.kind)
            if f.translation in cell_flags[r]:
                cell_flags[r][f.translation].append(view)
            else:
                src_flags[r].append(view)
            if f.kind == "number":
                on_src, on_tgt = number_texts(f.details or {})
                src_numbers[r].extend(on_src)
                tgt_numbers[r].setdefault(f.translation, []).extend(on_tgt)

    hits_by_src: dict[int, list[TermHit]] = {}
    for h in hits:
        hits_by_src.setdefault(h.source_segment, []).append(h)

    row_of_source = {s: i for i, g in enumerate(multi.groups) for s in g.src}
    row_of_target = {tid: {t: i for i, g in enumerate(multi.groups) for t in g.targets.get(tid, ())} for tid in tids}
    layout = clause_layout(multi, row_of_source, row_of_target)

    in_findings: list[list[int]] = [[] for _ in range(n)]
    for fd in findings:
        for r in fd.rows:
            in_findings[r].append(fd.number)

    rows: list[Row] = []
    for i, g in enumerate(multi.groups):
        terms: list[str] = []
        # --- source cell
        src_parts = []
        src_hits = [h for s in g.src for h in hits_by_src.get(s, [])]
        for s in g.src:
            seg = multi.source[s]
            spans, seen = [], set()
            for h in hits_by_src.get(s, []):
                key = (h.term, h.source_start, h.source_end)  # one hit per translation: mark it once
                if key in seen:
                    continue
                seen.add(key)
                loc = locate_source_term(h, seg, [(sp.start, sp.end) for sp in spans])
                if loc is None:
                    continue
                spans.append(Span(loc[0], loc[1], f"term {colours.get(h.term, 't0')}", h.term, h.term, _PRIO_TERM))
                if h.term not in terms:
                    terms.append(h.term)
            spans += _number_spans(seg.text, src_numbers[i], "number not matched in a translation")
            cls = "seg h" if seg.is_heading else "seg"
            body = (render_clauses(seg.text, spans, layout.source[s]) if layout and s in layout.source
                    else render_text(seg.text, spans))
            src_parts.append(f'<span class="{cls}" data-s="{s + 1}">{body}</span>')
        src_html = Markup(" ".join(src_parts))

        # --- one cell per translation
        cells: list[Cell] = []
        confs: list[float] = []
        for tid in tids:
            tgt = g.targets.get(tid, ())
            segs = [multi.alignments[tid].target[t] for t in tgt]
            spans_by_seg: list[list[Span]] = [_untranslated_spans(seg.text) for seg in segs]
            used: list[tuple[int, int, int]] = []
            for h in src_hits:
                if h.translation != tid or not h.rendering and not h.matched:
                    continue
                loc = locate_rendering(h, segs, used)
                if loc is None:
                    continue
                used.append(loc)
                k, a, b = loc
                spans_by_seg[k].append(Span(a, b, f"term {colours.get(h.term, 't0')}", f"{h.term} → {h.rendering or h.matched}", h.term, _PRIO_TERM))
            nums = tgt_numbers[i].get(tid, []) + tgt_numbers[i].get(None, [])
            parts = []
            for k, seg in enumerate(segs):
                spans = spans_by_seg[k] + _number_spans(seg.text, nums, "number not matched in the source")
                cls = "seg h" if seg.is_heading else "seg"
                parts.append(f'<span class="{cls}" data-t="{tgt[k] + 1}">{_target_html(layout, tid, tgt[k], seg, spans)}</span>')
            conf = g.confidence.get(tid)
            has_content = bool(tgt) or bool(g.src)
            if not tgt and g.src:
                conf_shown = None  # omission: no pair to be confident about
                confs.append(0.0)
            elif tgt and not g.src:
                conf_shown = None  # addition
                confs.append(0.0)
            elif not has_content:
                conf_shown = None  # an addition in another translation: nothing here
            else:
                conf_shown = conf
                if conf is not None:
                    confs.append(conf)
            cells.append(Cell(
                translation=tid, html=Markup(" ".join(parts)), empty=not tgt, confidence=conf_shown,
                low=conf_shown is not None and conf_shown < low, segments=_seg_range(tgt),
                flags=cell_flags[i][tid],
                gaps=Markup(gaps_html(layout.gaps_lead.get(tid, {}).get(i, []))) if layout else Markup(""),
            ))
        rows.append(Row(
            index=i + 1, anchor=f"r{i + 1}", src_html=src_html, src_empty=not g.src,
            src_segments=_seg_range(g.src), src_flags=src_flags[i], cells=cells,
            kinds=sorted(row_kinds[i]), min_confidence=min(confs) if confs else None, terms=terms,
            findings=in_findings[i],
        ))
    return rows, unplaced
