"""Clause beads inside sentence beads: the second level of the hierarchy.

Sentences are aligned first (align_pair); then, inside each sentence bead,
its source clauses are aligned with its target clauses by the same aligner
(align_vectors, clause-level parameters) on that small problem alone: the
smallest in-order clause beads, 1:0 / 0:1 where a clause has no partner,
one larger bead where the translator reordered. So no clause bead crosses
a sentence bead, and every clause is covered once, in order.

Each side's sentences and clauses come as ``ClauseUnits`` (clause_units.py).
The problems are prepared ``BLOCK`` sentence beads at a time (their
dictionary vectors, their clauses' pooled rows for joined runs); a trivial
one (a side empty, one source clause) needs no search.

Inside a sentence bead, after the search: a reordering becomes one bead
(``merge_crossings``), and a run of source clauses at the edge of a bead
that matches none of its target clauses becomes 1:0 beads
(``peel_unmatched``: the search folds such a clause into its neighbour's
bead, since leaving it out costs more than what it spoils).

A clause bead's ``confidence`` is the probability that it is right:
P(its sentence bead is right) x P(the clause bead is right given the
sentence bead), the second from the clause-level calibrator on the small
problem (its evidence is the small problem's: margins between the ways of
cutting that sentence bead). A sentence bead with one source clause gives
one clause bead, and one with a side empty 1:0 or 0:1 clause beads, with
the sentence bead's confidence. Not calibrated
on their own: a bead merged over a reordering has the lowest confidence of
the beads it merged; a clause peeled off as 1:0, the confidence of the bead
it was peeled from.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Callable, Sequence

import numpy as np

from ..embed import capabilities, run_joiner
from ..model import Alignment, Bead, ClauseAlignment
from .clause_units import ClauseUnits
from .inputs import text_length
from .params import AlignParams

@dataclass(frozen=True)
class ClauseSide:
    """What the clause aligner needs of one side's clauses: vectors (rows
    L2-normalised), lengths, texts, headings, and dictionary vectors: given
    (``lex``), made a block at a time where ``lexical`` (``block``: only for
    the clauses of problems that need the search; a book's held at once were
    about 100 MB), or none."""

    units: ClauseUnits
    vecs: np.ndarray
    lex: np.ndarray | None = None
    lexical: bool = False

    @cached_property
    def texts(self) -> list[str]:
        return [c.text for c in self.units.clauses]

    @cached_property
    def length(self) -> np.ndarray:
        return np.array([text_length(t) for t in self.texts], dtype=np.float64)

    def lengths(self, idx: list[int]) -> np.ndarray:
        return self.length[idx]

    @property
    def joiner(self) -> str:
        """What goes between clauses joined into one text: nothing in Chinese, a space in English."""
        return "" if self.units.clauses and self.units.clauses[0].lang == "zh" else " "

    def block(self, clauses: list[int], *, join_with=None) -> "ClauseBlock":
        """The vectors of ``clauses`` (sorted indices), their dictionary
        vectors (one call), and where ``join_with`` (an encoder) a joiner of
        their runs (embed.run_joiner: their pooled rows read once)."""
        from .pair import lexical_vectors

        texts = [self.texts[c] for c in clauses]
        lex = self.lex[clauses] if self.lex is not None else lexical_vectors(texts) if self.lexical else None
        join = run_joiner(join_with, texts, self.joiner) if join_with is not None else None
        return ClauseBlock({c: k for k, c in enumerate(clauses)}, self.vecs[clauses], lex, join)


@dataclass(frozen=True)
class ClauseBlock:
    """One side's vectors for the problems of a block of sentence beads:
    ``position`` of each clause's row in ``vecs`` / ``lex``, and ``join``
    (or None) giving the vectors of runs of rows joined."""

    position: dict[int, int]
    vecs: np.ndarray
    lex: np.ndarray | None
    join: Callable[[list[list[int]]], np.ndarray] | None

    def rows(self, clauses: list[int]) -> list[int]:
        return [self.position[c] for c in clauses]


def encode_side(units: ClauseUnits, encoder, *, lexical: bool) -> ClauseSide:
    """Each clause's text encoded once (the encoder caches by text; one call
    for the side, so that a cold run's batches are the same whatever the
    problems), its dictionary vector made when a problem needs it where ``lexical``."""
    from .pair import encode_texts

    texts = [c.text for c in units.clauses]
    vecs = encode_texts(encoder, texts, None, "clauses") if texts else np.zeros((0, encoder.dim), np.float32)
    return ClauseSide(units, vecs, lexical=lexical)


#: inside a sentence bead, a clause bead that straddles a sentence end (。！？.!?, where the
#: sentence bead joins two sentences) pays this much per such boundary (w_strong_inside)
STRADDLE_WEIGHT = 0.4


def clause_params(encoder, **overrides) -> AlignParams:
    """The clause-level parameters for the small problems (``overrides``:
    AlignParams fields): the clause defaults, with a clause bead that
    straddles a sentence end of a joined sentence bead penalised
    (STRADDLE_WEIGHT); the lexical calibrator for a dictionary encoder."""
    p = AlignParams.for_level("clause", **{"w_strong_inside": STRADDLE_WEIGHT, **overrides})
    if capabilities(encoder).lexical and "calibration" not in overrides:
        p = replace(p, calibration="lexical")
    return p


def wants_lexical(encoder, params: AlignParams) -> bool:
    """Whether the clause problems get a dictionary view besides the encoder's vectors."""
    return bool(params.lexical and params.w_lex and not capabilities(encoder).lexical)


#: a reordering: a source and a target clause that are each other's best match (at least
#: CROSS_MIN_COS) in different clause beads, each preferring the other by CROSS_MARGIN to the
#: best match its own bead gives it
CROSS_MIN_COS = 0.5
CROSS_MARGIN = 0.2


def merge_crossings(beads: Sequence[Bead], cos: np.ndarray) -> list[Bead]:
    """The beads of one small problem with every reordering made one bead:
    where a source clause and a target clause are each other's best match
    but sit in different beads, the beads from the one to the other (and
    those between) become one (the smallest in-order bead that covers the
    reordering). ``cos``: clause cosines, source x target."""
    beads = list(beads)
    n, m = cos.shape
    if n < 2 or m < 2 or len(beads) < 2:
        return beads
    src_bead = {i: k for k, b in enumerate(beads) for i in b.src}
    tgt_bead = {j: k for k, b in enumerate(beads) for j in b.tgt}
    spans: list[tuple[int, int]] = []
    for i in range(n):
        j = int(np.argmax(cos[i]))
        if int(np.argmax(cos[:, j])) != i or cos[i, j] < CROSS_MIN_COS or src_bead[i] == tgt_bead[j]:
            continue
        own_t = [t for t in beads[src_bead[i]].tgt if t != j]
        own_s = [s for s in beads[tgt_bead[j]].src if s != i]
        if (own_t and cos[i, j] - cos[i, own_t].max() < CROSS_MARGIN) or (
                own_s and cos[i, j] - cos[own_s, j].max() < CROSS_MARGIN):
            continue
        spans.append((min(src_bead[i], tgt_bead[j]), max(src_bead[i], tgt_bead[j])))
    if not spans:
        return beads
    intervals: list[list[int]] = []
    for lo, hi in sorted(spans):
        if intervals and lo <= intervals[-1][1]:
            intervals[-1][1] = max(intervals[-1][1], hi)
        else:
            intervals.append([lo, hi])
    out: list[Bead] = []
    k = 0
    for lo, hi in intervals:
        out += beads[k:lo]
        run = beads[lo:hi + 1]
        out.append(Bead(tuple(i for b in run for i in b.src), tuple(j for b in run for j in b.tgt),
                        round(sum(b.score for b in run), 4), min(b.confidence for b in run)))
        k = hi + 1
    return out + beads[k:]


#: an unmatched edge: source clauses at the start or end of an a:b bead whose removal raises
#: the bead's cosine by PEEL_GAIN, none of which matches a target clause of the bead at PEEL_OWN
PEEL_GAIN = 0.15
PEEL_OWN = 0.4


def _cos(x: np.ndarray, y: np.ndarray) -> float:
    d = float(np.linalg.norm(x) * np.linalg.norm(y))
    return float(x @ y) / d if d > 1e-12 else 0.0


def peel_unmatched(beads: Sequence[Bead], src: np.ndarray, tgt: np.ndarray) -> list[Bead]:
    """The beads of one small problem with the unmatched source clauses at
    the edge of a bead made 1:0: the longest run at its start or end (not
    all of it) whose removal raises the cosine of the bead's summed vectors
    by PEEL_GAIN while none of its clauses matches a target clause of the
    bead at PEEL_OWN (a clause folded into its neighbour's bead because
    omitting it cost more than what it spoiled). A bead that merges a
    reordering is left whole (merge_crossings: its score is a sum)."""
    out: list[Bead] = []
    for b in beads:
        if len(b.src) < 2 or not b.tgt:
            out.append(b)
            continue
        t = tgt[list(b.tgt)].sum(axis=0)
        whole = _cos(src[list(b.src)].sum(axis=0), t)
        best = None
        for k in range(len(b.src) - 1, 0, -1):
            for peel, rest, at_start in ((b.src[:k], b.src[k:], True), (b.src[-k:], b.src[:-k], False)):
                if _cos(src[list(rest)].sum(axis=0), t) - whole < PEEL_GAIN:
                    continue
                if max(float(src[i] @ tgt[j]) for i in peel for j in b.tgt) >= PEEL_OWN:
                    continue
                best = (peel, rest, at_start)
                break
            if best:
                break
        if best is None:
            out.append(b)
            continue
        peel, rest, at_start = best
        kept = Bead(rest, b.tgt, b.score, b.confidence)
        left_out = [Bead((i,), (), 0.0, b.confidence) for i in peel]
        out += ([*left_out, kept] if at_start else [kept, *left_out])
    return out


def _as_clause(text: str) -> str:
    """A clause's text as the bead features read its punctuation: inside a
    sentence a semicolon ends a clause, not a sentence (strong_inside counts
    only the sentence ends 。！？.!? a clause bead would straddle)."""
    t = text.rstrip()
    return t[:-1] + "," if t.endswith(("；", ";")) else text


@dataclass(frozen=True)
class ClauseProblem:
    """One sentence bead's clause problem: the bead, and its source and
    target clauses (indices into each side's clauses)."""

    bead: Bead
    src: list[int]
    tgt: list[int]

    @property
    def trivial(self) -> bool:
        """One side empty, or one source clause: the clause beads need no search."""
        return not self.src or not self.tgt or len(self.src) == 1

    def trivial_beads(self) -> list[Bead]:
        sb = self.bead
        if self.src and self.tgt:  # one source clause: all of the bead's target clauses translate it
            return [Bead(tuple(self.src), tuple(self.tgt), sb.score, sb.confidence)]
        return ([Bead((c,), (), 0.0, sb.confidence) for c in self.src]
                + [Bead((), (c,), 0.0, sb.confidence) for c in self.tgt])


#: sentence beads whose clause problems are prepared together: one dictionary-vector call per
#: side for their clauses, one read of their pooled rows for the joined runs (a few MB)
BLOCK = 256


def align_clauses(beads: Sequence[Bead], src: ClauseSide, tgt: ClauseSide, *, params: AlignParams,
                  encoder=None) -> ClauseAlignment:
    """The clause beads inside each sentence bead of ``beads`` (a sentence
    alignment of ``src.units.sentences`` with ``tgt.units.sentences``).
    ``encoder`` (optional) encodes joined clause runs for the second pass.
    The problems of ``BLOCK`` sentence beads at a time share one
    ``ClauseSide.block`` per side; trivial ones need none."""
    src_members, tgt_members = src.units.members(), tgt.units.members()
    problems = [ClauseProblem(sb, [c for s in sb.src for c in src_members[s]],
                              [c for t in sb.tgt for c in tgt_members[t]]) for sb in beads]
    join_with = encoder if encoder is not None and capabilities(encoder).joined_vectors else None
    out: list[Bead] = []
    for first in range(0, len(problems), BLOCK):
        block = problems[first:first + BLOCK]
        searched = [pr for pr in block if not pr.trivial]
        if searched:
            src_block = src.block(sorted({c for pr in searched for c in pr.src}), join_with=join_with)
            tgt_block = tgt.block(sorted({c for pr in searched for c in pr.tgt}), join_with=join_with)
        for pr in block:
            out += pr.trivial_beads() if pr.trivial else _search(pr, src, tgt, src_block, tgt_block, params)
    return ClauseAlignment(src.units.clauses, tgt.units.clauses, src.units.sentence_of, tgt.units.sentence_of,
                           tuple(out))


def _search(pr: ClauseProblem, src: ClauseSide, tgt: ClauseSide, sb: ClauseBlock, tb: ClauseBlock,
            params: AlignParams) -> list[Bead]:
    """The clause beads of one problem that needs the search (align_vectors);
    ``sb``/``tb``: the source and target ClauseBlock holding its clauses."""
    from .pair import align_vectors

    S, T = pr.src, pr.tgt
    si, ti = sb.rows(S), tb.rows(T)
    def spans(src_spans, tgt_spans):
        return sb.join([si[a:b] for a, b in src_spans]), tb.join([ti[a:b] for a, b in tgt_spans])

    sv, tv = sb.vecs[si], tb.vecs[ti]
    res = align_vectors(sv, tv, src.lengths(S), tgt.lengths(T), params=params,
                        src_lex=sb.lex[si] if sb.lex is not None else None,
                        tgt_lex=tb.lex[ti] if tb.lex is not None else None,
                        src_texts=[_as_clause(src.texts[c]) for c in S],
                        tgt_texts=[_as_clause(tgt.texts[c]) for c in T],
                        src_head=[src.units.clauses[c].is_heading for c in S],
                        tgt_head=[tgt.units.clauses[c].is_heading for c in T],
                        encode_spans=spans if sb.join is not None and tb.join is not None else None)
    return [Bead(tuple(S[k] for k in b.src), tuple(T[k] for k in b.tgt), b.score,
                 round(pr.bead.confidence * b.confidence, 4))
            for b in peel_unmatched(merge_crossings(res.beads, sv @ tv.T), sv, tv)]


def clause_level(alignment: Alignment) -> Alignment:
    """The clause-level alignment of a sentence alignment that carries its
    clauses (what ``--level clause`` gives): the clause segments and clause
    beads as the alignment itself. Its ``clauses`` is None: its beads are the
    clause beads."""
    ca = alignment.clauses
    if ca is None:
        raise ValueError("the alignment has no clause beads")
    sig = dict(alignment.signature)
    sig["level"] = "clause"
    return Alignment(list(ca.source), list(ca.target), list(ca.beads), alignment.translation_id, sig,
                     list(alignment.warnings))
