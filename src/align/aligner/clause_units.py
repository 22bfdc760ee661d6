"""One side's sentences and clauses, and which sentence holds each clause.

The clause aligner (clauses.py) works inside sentence beads, so it needs both
levels of each side. Where they come from:

- ``units_from_segments``: the clauses of ``segment(text, lang, "clause")``
  (the numbering of ``align segment --level clause``), each cut at the
  sentence boundaries it crosses (none does on the corpus or mac-dev);
- ``split_sentences``: sentences given without their document (presegmented
  lines, segment lists): each cut into clauses on its own;
- ``infer_sentences``: clause lines with no sentences (``--presegmented
  --level clause``): consecutive clauses up to one that ends a sentence
  (。！？.!?…) or a colon, a heading, or a line that starts with a structural marker.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from ..model import Segment

# what ends a sentence unit inferred from clause lines: sentence-final marks, and a colon at the
# end of a line (an addressee line, a lead-in: where a paragraph ended before the lines were cut)
_UNIT_END = set("。！？!?…．.：:")
_CLOSERS = set("”’」』）》)】〕〉\"'")


@dataclass(frozen=True)
class ClauseUnits:
    """One side's sentence segments, its clause segments, and per clause the
    index of the sentence holding it (non-decreasing)."""

    sentences: tuple[Segment, ...]
    clauses: tuple[Segment, ...]
    sentence_of: tuple[int, ...]

    def members(self) -> list[list[int]]:
        """Per sentence, the indices of its clauses."""
        out: list[list[int]] = [[] for _ in self.sentences]
        for c, s in enumerate(self.sentence_of):
            out[s].append(c)
        return out


def units_from_segments(sentences: Sequence[Segment], clauses: Sequence[Segment], text: str) -> ClauseUnits:
    """Sentences and the clauses of the same text (``segment(text, lang,
    level)`` at both levels): each clause is placed in the sentence that
    holds it; a clause that crosses a sentence boundary is cut there (then
    the clause numbering is no longer ``align segment --level clause``'s)."""
    out: list[Segment] = []
    owner: list[int] = []
    k = 0
    for c in clauses:
        while k < len(sentences) and sentences[k].end <= c.start:
            k += 1
        if k < len(sentences) and sentences[k].start <= c.start and c.end <= sentences[k].end:
            out.append(replace(c, index=len(out)))
            owner.append(k)
            continue
        s = k
        while s < len(sentences) and sentences[s].start < c.end:
            a, b = max(c.start, sentences[s].start), min(c.end, sentences[s].end)
            piece = text[a:b]
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            if piece:
                out.append(replace(c, index=len(out), text=piece, start=a + lead, end=a + lead + len(piece)))
                owner.append(s)
            s += 1
    return ClauseUnits(tuple(sentences), tuple(out), tuple(owner))


def split_sentences(sentences: Sequence[Segment]) -> ClauseUnits:
    """Sentences with no document around them (presegmented lines, segments
    given as they are): each cut into clauses by the segmenter on its own."""
    from ..segment import save_memos, segment

    out: list[Segment] = []
    owner: list[int] = []
    for k, s in enumerate(sentences):
        pieces = [] if s.is_heading else segment(s.text, s.lang, "clause")
        if len(pieces) <= 1:
            out.append(replace(s, index=len(out), level="clause"))
            owner.append(k)
            continue
        for p in pieces:
            out.append(replace(p, index=len(out), start=s.start + p.start, end=s.start + p.end,
                               paragraph=s.paragraph))
            owner.append(k)
    save_memos()
    return ClauseUnits(tuple(sentences), tuple(out), tuple(owner))


def _ends_unit(text: str) -> bool:
    t = text.rstrip()
    while t and t[-1] in _CLOSERS:
        t = t[:-1]
    return bool(t) and t[-1] in _UNIT_END


def infer_sentences(clauses: Sequence[Segment]) -> ClauseUnits:
    """Clauses with no sentences (one clause per line): sentence units of
    consecutive clauses, each ending after a clause that ends a sentence
    (。！？.!?…, closing quotes aside) or with a colon, a heading being one of its own, a
    clause with a structural marker (一、, (一), 第一条, 1.) starting a new one.
    The units are internal to the aligner: their text is the clauses' texts
    joined (no space in Chinese, one in English)."""
    groups: list[list[Segment]] = []
    for c in clauses:
        prev = groups[-1][-1] if groups else None
        if (prev is None or prev.is_heading or c.is_heading or c.marker is not None
                or _ends_unit(prev.text)):
            groups.append([c])
        else:
            groups[-1].append(c)
    sentences, owner = [], []
    for k, g in enumerate(groups):
        sep = "" if g[0].lang == "zh" else " "
        sentences.append(Segment(index=k, text=sep.join(c.text for c in g), start=g[0].start, end=g[-1].end,
                                 level="sentence", lang=g[0].lang, marker=g[0].marker, marker_kind=g[0].marker_kind,
                                 is_heading=len(g) == 1 and g[0].is_heading, paragraph=g[0].paragraph))
        owner += [k] * len(g)
    return ClauseUnits(tuple(sentences), tuple(replace(c, index=i, level="clause") for i, c in enumerate(clauses)),
                       tuple(owner))
