"""The clauses of the report's cells and the links between them.

With clause beads (``Alignment.clauses``), every sentence of a cell is drawn
as its clauses, each an element carrying the link tokens of the clause beads
it belongs to (``data-l="0.3 1.5"``: bead 3 of the first translation, bead 5
of the second). Hovering, focusing or tapping a clause lights every element
that shares a token, in every column: a source clause carries one token per
translation, and a target clause carries the tokens of its bead's source
clauses, so a clause of one translation also lights the clauses of the other
translations that render the same source. A source clause that a translation
leaves out is marked in place in the source cell, and a placeholder stands
where it would be in that translation's cell.

Without clause beads the report draws sentences, as it always did.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from markupsafe import Markup

from ..model import ClauseAlignment, MultiAlignment, Segment
from ._text import Span, esc, render_text


@dataclass(frozen=True)
class Piece:
    """One clause as its sentence shows it: offsets into the sentence text."""

    start: int
    end: int
    links: tuple[str, ...]
    omitted_in: tuple[str, ...] = ()  # translations that leave this source clause out
    added: bool = False  # a target clause with no source clause


@dataclass(frozen=True)
class Gap:
    """A source clause left out of a translation, where its cell shows it."""

    links: tuple[str, ...]
    text: str


@dataclass
class ClauseLayout:
    """Every sentence's clauses, and where the placeholders of omitted clauses go.

    ``gaps_after[tid][k]``: the gaps shown after target clause ``k``;
    ``gaps_lead[tid][row]``: the gaps that open the cell of ``row`` (none of
    the row's target clauses comes before them).
    """

    source: dict[int, list[Piece]] = field(default_factory=dict)
    target: dict[str, dict[int, list[Piece]]] = field(default_factory=dict)
    target_index: dict[str, dict[int, list[int]]] = field(default_factory=dict)  # tid -> sentence -> clause indices
    gaps_after: dict[str, dict[int, list[Gap]]] = field(default_factory=dict)
    gaps_lead: dict[str, dict[int, list[Gap]]] = field(default_factory=dict)


def _offsets(clauses: tuple[Segment, ...], owner: tuple[int, ...], sentences: list[Segment]) -> dict[int, tuple[int, int]]:
    """Each clause's (start, end) inside its sentence's text: from the offsets
    when they reproduce the clause, else its next occurrence in the sentence;
    a clause found nowhere is left out (its text still shows, unlinked)."""
    out: dict[int, tuple[int, int]] = {}
    pos: dict[int, int] = {}
    for i, c in enumerate(clauses):
        s = owner[i] if i < len(owner) else -1
        if not 0 <= s < len(sentences) or not c.text:
            continue
        text = sentences[s].text
        a = c.start - sentences[s].start
        if not (0 <= a and text[a:a + len(c.text)] == c.text and a >= pos.get(s, 0)):
            a = text.find(c.text, pos.get(s, 0))
        if a < 0:
            continue
        out[i] = (a, a + len(c.text))
        pos[s] = a + len(c.text)
    return out


def _bead_of(ca: ClauseAlignment) -> tuple[dict[int, int], dict[int, int]]:
    src, tgt = {}, {}
    for b, bead in enumerate(ca.beads):
        for i in bead.src:
            src[i] = b
        for j in bead.tgt:
            tgt[j] = b
    return src, tgt


def clause_layout(multi: MultiAlignment, row_of_source: dict[int, int],
                  row_of_target: dict[str, dict[int, int]]) -> ClauseLayout | None:
    """The clause layout of ``multi``, or None when no alignment has clause beads."""
    tids = multi.translation_ids
    with_clauses = [(k, tid, multi.alignments[tid].clauses) for k, tid in enumerate(tids)
                    if multi.alignments[tid].clauses is not None]
    if not with_clauses:
        return None
    layout = ClauseLayout()
    # the source cell shows the first alignment's source clauses; each other
    # alignment's source clauses are matched to them by document offsets
    shown = with_clauses[0][2]
    shown_at = _offsets(shown.source, shown.source_sentence, multi.source)
    src_links: dict[int, list[str]] = {i: [] for i in shown_at}
    src_omitted: dict[int, list[str]] = {i: [] for i in shown_at}
    for k, tid, ca in with_clauses:
        src_bead, tgt_bead = _bead_of(ca)
        overlap = _overlaps(shown, shown_at, ca)
        for i, b in src_bead.items():
            token = f"{k}.{b}"
            for d in overlap.get(i, []):
                if token not in src_links[d]:
                    src_links[d].append(token)
                if not ca.beads[b].tgt and tid not in src_omitted[d]:
                    src_omitted[d].append(tid)
        # target clauses (the tokens of the other translations are final only
        # once every alignment has run: resolved below)
        target_at = _offsets(ca.target, ca.target_sentence, multi.alignments[tid].target)
        layout.target[tid] = {}
        layout.target_index[tid] = {}
        for j, (a, e) in target_at.items():
            b = tgt_bead.get(j)
            token = f"{k}.{b}" if b is not None else f"{k}.t{j}"
            sent = ca.target_sentence[j]
            layout.target[tid].setdefault(sent, []).append(
                Piece(a, e, (token,), added=b is not None and not ca.beads[b].src))
            layout.target_index[tid].setdefault(sent, []).append(j)
        layout.gaps_after[tid], layout.gaps_lead[tid] = _place_gaps(
            k, ca, shown, overlap, row_of_source, row_of_target.get(tid, {}))
    # every token a source clause carries: the tokens of its beads in every translation
    for i, (a, e) in shown_at.items():
        layout.source.setdefault(shown.source_sentence[i], []).append(
            Piece(a, e, tuple(src_links[i]), omitted_in=tuple(src_omitted[i])))
    token_src: dict[str, set[str]] = {}
    for i in shown_at:
        for t in src_links[i]:
            token_src.setdefault(t, set()).update(src_links[i])
    for tid, by_sentence in layout.target.items():
        for sent, pieces in by_sentence.items():
            by_sentence[sent] = [Piece(p.start, p.end, _ordered(p.links[0], token_src.get(p.links[0], ())), p.omitted_in,
                                       p.added) for p in pieces]
    for tid in layout.gaps_after:
        for gaps in list(layout.gaps_after[tid].values()) + list(layout.gaps_lead[tid].values()):
            gaps[:] = [Gap(_ordered(g.links[0], token_src.get(g.links[0], ())), g.text) for g in gaps]
    return layout


def _overlaps(shown: ClauseAlignment, shown_at: dict[int, tuple[int, int]], ca: ClauseAlignment) -> dict[int, list[int]]:
    """Each source clause of ``ca`` -> the shown source clauses it overlaps
    in the document (itself, when ``ca`` is the shown alignment)."""
    if ca is shown:
        return {i: [i] if i in shown_at else [] for i in range(len(ca.source))}
    order = sorted(shown_at, key=lambda d: shown.source[d].start)
    starts = [shown.source[d].start for d in order]
    out: dict[int, list[int]] = {}
    for i, c in enumerate(ca.source):
        hits = []
        n = bisect.bisect_left(starts, c.end) - 1  # the last shown clause starting before c ends
        while n >= 0 and shown.source[order[n]].end > c.start:
            hits.append(order[n])
            n -= 1
        out[i] = sorted(hits)
    return out


def _place_gaps(k: int, ca: ClauseAlignment, shown: ClauseAlignment, overlap: dict[int, list[int]],
                row_of_source: dict[int, int], row_of_target: dict[int, int]
                ) -> tuple[dict[int, list[Gap]], dict[int, list[Gap]]]:
    """Where the placeholders of ``ca``'s omitted source clauses go: after the
    target clause of the bead before (when it is in the same row), else at
    the start of the row's cell. Returns (gaps after a target clause, gaps
    opening a row's cell)."""
    after: dict[int, list[Gap]] = {}
    lead: dict[int, list[Gap]] = {}
    last_target: int | None = None
    for b, bead in enumerate(ca.beads):
        if bead.tgt:
            last_target = bead.tgt[-1]
            continue
        shown_src = [d for i in bead.src for d in overlap.get(i, [])]
        if not shown_src:
            continue
        row = row_of_source.get(shown.source_sentence[shown_src[0]])
        gap = Gap((f"{k}.{b}",), " ".join(shown.source[d].text for d in shown_src))
        prev_row = None
        if last_target is not None and last_target < len(ca.target_sentence):
            prev_row = row_of_target.get(ca.target_sentence[last_target])
        if prev_row is not None and prev_row == row:
            after.setdefault(last_target, []).append(gap)
        elif row is not None:
            lead.setdefault(row, []).append(gap)
    return after, lead


def _ordered(first: str, rest) -> tuple[str, ...]:
    return (first,) + tuple(sorted(t for t in set(rest) if t != first))


def _clip(spans: list[Span], a: int, b: int) -> list[Span]:
    return [Span(max(s.start, a) - a, min(s.end, b) - a, s.cls, s.title, s.term, s.prio)
            for s in spans if s.start < b and a < s.end]


def _gap_html(gap: Gap) -> str:
    return (f'<span class="cl gap" tabindex="0" data-l="{esc(" ".join(gap.links))}" '
            f'title="{esc("left out: " + gap.text)}">[left out]</span>')


def gaps_html(gaps: list[Gap]) -> str:
    return "".join(_gap_html(g) for g in gaps)


def render_clauses(text: str, spans: list[Span], pieces: list[Piece],
                   after: dict[int, str] | None = None) -> Markup:
    """``text`` with each piece wrapped as a linked clause element and the
    text between pieces as it is; ``after[n]``: HTML put after piece ``n``."""
    parts: list[str] = []
    pos = 0
    for n, p in enumerate(pieces):
        if p.start < pos:
            continue
        if p.start > pos:
            parts.append(render_text(text[pos:p.start], _clip(spans, pos, p.start)))
        cls = "cl" + (" om" if p.omitted_in else "") + (" add" if p.added else "")
        attrs = f' class="{cls}" tabindex="0" data-l="{esc(" ".join(p.links))}"'
        if p.omitted_in:
            attrs += f' data-om="{esc(", ".join(p.omitted_in))}" title="{esc("not in " + ", ".join(p.omitted_in))}"'
        elif p.added:
            attrs += ' title="no source clause: added"'
        parts.append(f"<span{attrs}>{render_text(text[p.start:p.end], _clip(spans, p.start, p.end))}</span>")
        if after and n in after:
            parts.append(after[n])
        pos = p.end
    if pos < len(text):
        parts.append(render_text(text[pos:], _clip(spans, pos, len(text))))
    return Markup("".join(parts))
