"""The bead features, by name.

A bead of ``a`` source and ``b`` target segments (a, b >= 1) scores
``sum(w_<name> * feature)`` over FEATURES, plus its shape bias
(AlignParams). Each feature is a function of ``Beads``, all the beads of
the shapes ``(a[s], b[s])`` that end at one source prefix ``i`` and the
target prefixes ``js[w]``, and returns their values as an array that
broadcasts to (S, W), or None where the inputs lack what it needs (then it
is 0). Its docstring says what it measures; its weight is the AlignParams
field ``w_<name>``.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Mapping

import numpy as np

from .inputs import Side
from .length import LengthModel
from .params import AlignParams
from .similarity import Cosines


@dataclass(frozen=True)
class Prefix:
    """One side's per-segment facts as running sums (``x[k]`` sums the
    segments before k), and the flags features read one by one."""

    length: np.ndarray
    head: np.ndarray
    quote: np.ndarray
    weak_end: np.ndarray
    nn: np.ndarray  # neighbour similarity (similarity.Neighbours)
    qbal: np.ndarray | None  # opening minus closing quotation marks
    q_end: np.ndarray | None  # the flags: a segment ends with a closing quotation mark
    marked: np.ndarray | None = None  # segments that start with a structural marker

    @classmethod
    def of(cls, side: Side, nn: np.ndarray) -> "Prefix":
        """The running sums of ``side``'s facts and ``nn``, in one cumsum (each summed in order)."""
        columns = [side.length, side.head, side.quote, side.weak_end, nn]
        columns += [x for x in (side.qbal, side.marked) if x is not None]
        run = np.zeros((len(columns), len(side.length) + 1))
        np.cumsum(np.array(columns, dtype=np.float64), axis=1, out=run[:, 1:])
        extra = iter(run[5:])
        qbal = next(extra) if side.qbal is not None else None
        marked = next(extra) if side.marked is not None else None
        return cls(run[0], run[1], run[2], run[3], run[4], qbal, side.q_end, marked)


@dataclass(frozen=True)
class JoinedCosines:
    """Neural cosines that replace the summed-vector ones for some beads
    (refine: from the bead's joined text). ``by_end[i][(a, b, j)]`` is the
    cosine of the a:b bead ending at source prefix i and target prefix j."""

    by_end: Mapping[int, Mapping[tuple[int, int, int], float]] = field(default_factory=dict)

    def apply(self, i: int, js: np.ndarray, A: np.ndarray, B: np.ndarray, cos: np.ndarray) -> None:
        """Write the joined cosines of the beads ending at row i into ``cos`` (S, W)."""
        if not self.by_end:
            return
        over = self.by_end.get(i)
        if not over:
            return
        pos = {(a, b): k for k, (a, b) in enumerate(zip(A.tolist(), B.tolist()))}
        j0, W = int(js[0]), len(js)
        for (a, b, j), c in over.items():
            k, w = pos.get((a, b)), j - j0
            if k is not None and 0 <= w < W and js[w] == j:
                cos[k, w] = c


@dataclass(frozen=True)
class DocumentFacts:
    """What the features read about one pair of texts."""

    cosines: Cosines
    length: LengthModel
    src: Prefix
    tgt: Prefix
    use_heads: bool  # both sides mark headings
    use_markers: bool = False  # both sides have segments that start with a structural marker
    joined: JoinedCosines = field(default_factory=JoinedCosines)


@dataclass(frozen=True)
class Beads:
    """The beads of shapes (a[s], b[s]) ending at source prefix ``i`` and
    target prefixes ``js[w]``; shapes fit (a <= i), targets need not (they
    are clipped at 0, and the scorer discards those beads). ``i`` may also
    be an array, one source prefix per shape (small.py scores a whole small
    problem at once; the edge features then need their cosines as None)."""

    facts: DocumentFacts
    i: int | np.ndarray
    js: np.ndarray
    a: np.ndarray
    b: np.ndarray

    @cached_property
    def start_j(self) -> np.ndarray:
        """(S, W): the target prefix where each bead starts."""
        return np.maximum(self.js[None, :] - self.b[:, None], 0)

    def src_sum(self, prefix: np.ndarray) -> np.ndarray:
        """(S, 1): a source running sum over each bead's segments."""
        return (prefix[self.i] - prefix[self.i - self.a])[:, None]

    def tgt_sum(self, prefix: np.ndarray) -> np.ndarray:
        """(S, W): a target running sum over each bead's segments."""
        return prefix[self.js][None, :] - prefix[self.start_j]

    @cached_property
    def cos(self) -> np.ndarray:
        """Neural cosines of the beads, joined-text ones where refine gave them."""
        c = self.facts.cosines.beads("neural", self.i, self.js, self.a, self.b)
        self.facts.joined.apply(self.i, self.js, self.a, self.b, c)
        return c

    @cached_property
    def inner_boundaries(self) -> np.ndarray:
        """(S, 1): boundaries between segments inside each bead, both sides."""
        return (self.a + self.b - 2)[:, None]

    @cached_property
    def weak_boundaries(self) -> np.ndarray:
        """(S, W): boundaries inside each bead after a segment that ends weakly."""
        src, tgt = self.facts.src.weak_end, self.facts.tgt.weak_end
        ws = (src[self.i - 1] - src[self.i - self.a])[:, None]
        wt = tgt[self.js - 1][None, :] - tgt[self.start_j]
        return ws + wt

    @cached_property
    def src_heads(self) -> np.ndarray:
        """(S, 1): headings among each bead's source segments."""
        return self.src_sum(self.facts.src.head)

    @cached_property
    def tgt_heads(self) -> np.ndarray:
        """(S, W): headings among each bead's target segments."""
        return self.tgt_sum(self.facts.tgt.head)

    @cached_property
    def pure_heads(self) -> np.ndarray:
        """(S, W) bool: the bead has headings only, on both sides."""
        hs, ht = self.src_heads, self.tgt_heads
        return (hs > 0) & (ht > 0) & (hs == self.a[:, None]) & (ht == self.b[:, None])


# -- the features -------------------------------------------------------------

def cos(x: Beads) -> np.ndarray:
    """Cosine of the bead's summed neural vectors (the joined text's, blended,
    where refine measured it)."""
    return x.cos


def lex(x: Beads) -> np.ndarray | None:
    """Cosine of the bead's summed dictionary vectors (CC-CEDICT glosses,
    pinyin, numbers); None without a dictionary view."""
    if not x.facts.cosines.has("lexical"):
        return None
    return x.facts.cosines.beads("lexical", x.i, x.js, x.a, x.b)


def length_ratio(x: Beads) -> np.ndarray:
    """Log-likelihood of the bead's length ratio under the document's length
    model (length.py): 0 at the document's ratio, falling with the square of
    the log ratio's distance from it, less steeply for short beads."""
    model = x.facts.length
    return model.log_likelihood(x.src_sum(x.facts.src.length), x.tgt_sum(x.facts.tgt.length))


def neighbours(x: Beads) -> np.ndarray:
    """Minus the mean neighbour similarity of the bead's segments, the two
    sides averaged: a cosine means less among segments that resemble all
    their neighbours (a margin, as in Vecalign and Bertalign)."""
    s, t = x.facts.src, x.facts.tgt
    return -0.5 * (x.src_sum(s.nn) / x.a[:, None] + x.tgt_sum(t.nn) / x.b[:, None])


def cos_extra(x: Beads) -> np.ndarray:
    """The cosine once more for each segment beyond a 1:1 (a + b - 2): a
    larger bead must match better to pay for its shape."""
    return x.cos * x.inner_boundaries


def quote(x: Beads) -> np.ndarray:
    """Minus 1 where one side of the bead has quotation marks and the other none."""
    qs = x.src_sum(x.facts.src.quote) > 0
    qt = x.tgt_sum(x.facts.tgt.quote) > 0
    return -(qs != qt).astype(np.float64)


def weak_inside(x: Beads) -> np.ndarray:
    """Boundaries inside the bead after a segment that ends weakly (a comma,
    a colon, no punctuation): such segments belong with the next."""
    return x.weak_boundaries


def strong_inside(x: Beads) -> np.ndarray:
    """Minus the other boundaries inside the bead (after sentence-final punctuation)."""
    return -(x.inner_boundaries - x.weak_boundaries)


def head_pure(x: Beads) -> np.ndarray | None:
    """1 for a bead of headings only, on both sides; None unless both sides mark headings."""
    if not x.facts.use_heads:
        return None
    return x.pure_heads.astype(np.float64)


def head_mixed(x: Beads) -> np.ndarray | None:
    """Minus 1 for a bead with a heading that is not all headings on both
    sides; None unless both sides mark headings."""
    if not x.facts.use_heads:
        return None
    return -(((x.src_heads > 0) | (x.tgt_heads > 0)) & ~x.pure_heads).astype(np.float64)


def qbal(x: Beads) -> np.ndarray | None:
    """Minus |quotations the bead opens less those it closes, source vs
    target|: a bead opens and closes as many quotations on each side."""
    s, t = x.facts.src.qbal, x.facts.tgt.qbal
    if s is None or t is None:
        return None
    return -np.abs(x.src_sum(s) - x.tgt_sum(t))


def edge_tail(x: Beads) -> np.ndarray | None:
    """Cosine of the last clauses of the bead's last segments: the bead ends
    alike on both sides. None without clause vectors."""
    if not x.facts.cosines.has("tails"):
        return None
    row = x.facts.cosines.dot_row("tails", x.i - 1)
    return row.values[x.js - 1 - row.start][None, :]


def edge_head(x: Beads) -> np.ndarray | None:
    """Cosine of the first clauses of the bead's first segments: the bead
    starts alike on both sides. None without clause vectors."""
    if not x.facts.cosines.has("heads"):
        return None
    out = np.zeros((len(x.a), len(x.js)))
    for a in np.unique(x.a).tolist():
        row = x.facts.cosines.dot_row("heads", x.i - a)
        k = np.nonzero(x.a == a)[0]
        out[k] = row.values[np.maximum(x.js[None, :] - x.b[k][:, None] - row.start, 0)]
    return out


def marker_inside(x: Beads) -> np.ndarray | None:
    """Minus the segments inside the bead, past its first on each side, that
    start with a structural marker (第二条 / Article 2, 一、, (1)): an article
    or item starts a bead, it does not continue one. None unless both sides
    have such segments."""
    if not x.facts.use_markers:
        return None
    s, t = x.facts.src.marked, x.facts.tgt.marked
    inner_src = (s[x.i] - s[x.i - x.a + 1])[:, None]  # source segments i-a+1 .. i-1
    inner_tgt = t[x.js][None, :] - t[np.minimum(x.start_j + 1, x.js[None, :])]
    return -(inner_src + inner_tgt)


def qend(x: Beads) -> np.ndarray | None:
    """Minus 1 where one side's last segment ends a quotation and the other's
    does not: a bead ends at the end of a quotation on both sides or on neither."""
    s, t = x.facts.src.q_end, x.facts.tgt.q_end
    if s is None or t is None:
        return None
    return -(np.reshape(s[x.i - 1], (-1, 1)) != t[x.js - 1][None, :]).astype(np.float64)


@dataclass(frozen=True)
class Feature:
    """One bead feature: its name, the function that computes it (whose
    docstring says what it measures) and, in AlignParams, its weight."""

    name: str
    compute: Callable[[Beads], np.ndarray | None]

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.compute) or ""

    @property
    def param(self) -> str:
        """The AlignParams field that holds the weight."""
        return f"w_{self.name}"

    def weight(self, params: AlignParams) -> float:
        return params.feature_weight(self.name)


# The score adds the weighted features up in this order: reordering them can
# change scores in the last bits.
FEATURES: tuple[Feature, ...] = (
    Feature("cos", cos),
    Feature("lex", lex),
    Feature("len", length_ratio),
    Feature("nn", neighbours),
    Feature("cos_extra", cos_extra),
    Feature("quote", quote),
    Feature("weak_inside", weak_inside),
    Feature("strong_inside", strong_inside),
    Feature("head_pure", head_pure),
    Feature("head_mixed", head_mixed),
    Feature("qbal", qbal),
    Feature("edge_tail", edge_tail),
    Feature("edge_head", edge_head),
    Feature("qend", qend),
    Feature("marker_inside", marker_inside),
)
NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
_INDEX = {name: k for k, name in enumerate(NAMES)}


def index(name: str) -> int:
    """Where the feature ``name`` sits in a feature stack."""
    return _INDEX[name]


def stack(x: Beads) -> np.ndarray:
    """(len(FEATURES), S, W): every feature of the beads, 0 where it is None."""
    F = np.zeros((len(FEATURES), len(x.a), len(x.js)))
    for k, feature in enumerate(FEATURES):
        value = feature.compute(x)
        if value is not None:
            F[k] = value
    return F


def weights(params: AlignParams) -> np.ndarray:
    """The features' weights, in stack order."""
    return np.array([f.weight(params) for f in FEATURES])
