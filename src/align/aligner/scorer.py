"""Bead scores: the weighted features plus the shape bias, for many beads at once."""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from . import features
from .band import Band
from .features import Beads, DocumentFacts, JoinedCosines, Prefix
from .inputs import Inputs
from .length import LengthModel
from .params import AlignParams
from .similarity import Cosines, Neighbours

NEG = -1e18  # the score of a bead that does not fit


def _marks(marked: np.ndarray | None) -> bool:
    return marked is not None and bool(np.any(marked))


def bead_shapes(params: AlignParams) -> tuple[tuple[int, int], ...]:
    """The a:b shapes (a, b >= 1) the search tries, as (a, b)."""
    return tuple((a, b) for a, b in params.bead_shapes() if a >= 1 and b >= 1)


@dataclass(frozen=True)
class ShapeTable:
    """What a scorer needs of its parameters' shapes and weights (the same
    for every problem of a pass: read-only arrays, made once)."""

    shapes: tuple[tuple[int, int], ...]
    A: np.ndarray
    B: np.ndarray
    bias: np.ndarray
    weights: np.ndarray


@lru_cache(maxsize=64)
def shape_table(params: AlignParams) -> ShapeTable:
    shapes = bead_shapes(params)
    table = ShapeTable(shapes, np.array([a for a, _ in shapes]), np.array([b for _, b in shapes]),
                       np.array([params.shape_bias(a, b) for a, b in shapes]), features.weights(params))
    for array in (table.A, table.B, table.bias, table.weights):
        array.flags.writeable = False
    return table


def cosines_for(inp: Inputs, band: Band, params: AlignParams) -> Cosines:
    """The cosines a scorer with these parameters reads (its largest shapes decide the spans)."""
    shapes = bead_shapes(params)
    return Cosines(inp, band, max(a for a, _ in shapes), max(b for _, b in shapes))


@dataclass(frozen=True)
class BeadScores:
    """Scores of beads of some shapes ending at one source prefix."""

    shapes: np.ndarray  # (S,): indices into Scorer.shapes
    js: np.ndarray  # (W,): target prefixes where the beads end
    total: np.ndarray  # (S, W): weighted features plus shape bias; NEG where a bead does not fit
    features: np.ndarray  # (len(features.FEATURES), S, W)

    def feature(self, name: str) -> np.ndarray:
        return self.features[features.index(name)]


@dataclass(frozen=True)
class Scorer:
    """Scores every bead the search and the second pass look at.

    A value, built once (``build``) with its final parameters; the second
    pass derives another that also knows joined-text cosines (``with_joined``).
    """

    params: AlignParams
    inputs: Inputs
    band: Band
    neighbours: Neighbours
    facts: DocumentFacts
    shapes: tuple[tuple[int, int], ...]  # the a:b shapes, a, b >= 1
    A: np.ndarray  # shapes' a
    B: np.ndarray  # shapes' b
    bias: np.ndarray  # per shape
    weights: np.ndarray  # per feature, in features.FEATURES order

    @classmethod
    def build(cls, inp: Inputs, params: AlignParams, band: Band, neighbours: Neighbours,
              cosines: Cosines | None = None) -> "Scorer":
        """The scorer of ``inp`` inside ``band``; ``cosines`` (cosines_for) may be
        shared with whatever already computed cosines there."""
        table = shape_table(params)
        facts = DocumentFacts(cosines=cosines or cosines_for(inp, band, params),
                              length=LengthModel.of(inp, params),
                              src=Prefix.of(inp.src, neighbours.src_nn), tgt=Prefix.of(inp.tgt, neighbours.tgt_nn),
                              use_heads=bool(np.any(inp.src.head)) and bool(np.any(inp.tgt.head)),
                              use_markers=_marks(inp.src.marked) and _marks(inp.tgt.marked))
        return cls(params=params, inputs=inp, band=band, neighbours=neighbours, facts=facts, shapes=table.shapes,
                   A=table.A, B=table.B, bias=table.bias, weights=table.weights)

    def with_joined(self, joined: JoinedCosines) -> "Scorer":
        """The same scorer, with these beads' neural cosines from their joined text."""
        return replace(self, facts=replace(self.facts, joined=joined))

    def fitting(self, i: int) -> np.ndarray:
        """Indices of the shapes a bead ending at source prefix i may have."""
        return np.nonzero(self.A <= i)[0]

    def score(self, i: int, js: np.ndarray, shapes: np.ndarray) -> BeadScores:
        """Scores of the beads of ``shapes`` (indices, which must fit: a <= i)
        ending at source prefix i and target prefixes js."""
        A, B = self.A[shapes], self.B[shapes]
        F = features.stack(Beads(self.facts, i, js, A, B))
        total = np.tensordot(self.weights, F, axes=1) + self.bias[shapes][:, None]
        total = np.where(js[None, :] >= B[:, None], total, NEG)
        return BeadScores(shapes, js, total, F)

    def omissions(self, src: np.ndarray) -> np.ndarray:
        """Scores of leaving source segments ``src`` unaligned (1:0 beads)."""
        return -self.params.skip - self.params.skip_nn * self.neighbours.src_nn[src]

    def additions(self, tgt: np.ndarray) -> np.ndarray:
        """Scores of leaving target segments ``tgt`` unaligned (0:1 beads)."""
        return -self.params.skip - self.params.skip_nn * self.neighbours.tgt_nn[tgt]
