"""Small problems searched in one go: what dp.search and refine do, without
their per-row machinery.

A clause problem inside a sentence bead has a few clauses a side; the
search's fixed costs (a band, a row loop of numpy calls, a second pass that
scores rows again) outweigh its arithmetic there. For such a problem
(``fits``: the band is the whole grid, no edge features), ``Grid`` scores
every a:b bead of every row in one ``features.stack`` (a ``Beads`` whose
source prefix is an array, one per shape row), ``search`` runs the same
dynamic programme as dp.search over plain floats, and ``Grid.steps``
gives refine the beads of a region from the grid. The grid's cosines, span
norms and neighbour similarities come from small_cosines.py.

Everything here computes what the general path computes, value for value
(the same dot products, running sums and float32 stores; ties broken the
same way): tests/test_small.py compares the two on many random problems.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from . import features
from .confidence import EVIDENCE, evidence
from .dp import PathBead
from .features import Beads, JoinedCosines
from .inputs import Inputs
from .params import AlignParams
from .refine import Region, Steps
from .scorer import NEG, Scorer, bead_shapes
from .small_cosines import SmallCosines, full_neighbours

#: a problem of at most this many (n + 1) x (m + 1) cells is searched here
SMALL_CELLS = 400


def fits(inp: Inputs, p: AlignParams) -> bool:
    """Whether ``inp`` is small enough for this module, and searched in full
    (its band the whole grid) with no edge features."""
    n, m = inp.n, inp.m
    return (n >= 1 and m >= 1 and (n + 1) * (m + 1) <= min(SMALL_CELLS, p.dense_limit)
            and inp.heads is None and inp.tails is None)


def build_scorer(inp: Inputs, p: AlignParams) -> Scorer:
    """What pair.solve builds for a small problem: the whole grid as the
    band, its neighbours, the document's length spread where ``len_adapt``."""
    from .length import LengthModel, document_sigma

    shapes = bead_shapes(p)
    cosines = SmallCosines(inp, max(a for a, _ in shapes), max(b for _, b in shapes))
    neighbours = full_neighbours(cosines, p.margin_k)
    if p.len_adapt:
        p = replace(p, len_sigma=document_sigma(LengthModel.of(inp, p), neighbours, inp, p))
    return Scorer.build(inp, p, cosines.band, neighbours, cosines)


@dataclass(frozen=True)
class Rows:
    """The grid's rows: row r is the bead shape ``shape[r]`` (an index into
    Scorer.shapes) ending at source prefix ``i[r]``; the rows of prefix i
    are ``first[i] .. first[i + 1] - 1``, in the shapes' order."""

    i: np.ndarray
    shape: np.ndarray
    first: tuple[int, ...]
    order: np.ndarray  # (R, 1): 0 .. R - 1
    start: np.ndarray  # (R, m + 1): the target prefix where each row's bead ending at j starts (0 at least)
    fitting: tuple[int, ...]  # per source prefix, how many shapes fit (a <= i), as dp.search scores them


@lru_cache(maxsize=1024)
def _rows(n: int, m: int, shapes: tuple[tuple[int, int], ...]) -> Rows:
    rows_i, rows_shape, first = [], [], [0, 0]
    for i in range(1, n + 1):
        for k, (a, b) in enumerate(shapes):
            if a <= i and b <= m:
                rows_i.append(i)
                rows_shape.append(k)
        first.append(len(rows_i))
    B = np.array([shapes[k][1] for k in rows_shape], dtype=np.int64)
    return Rows(np.array(rows_i, dtype=np.int64), np.array(rows_shape, dtype=np.int64), tuple(first),
                np.arange(len(rows_i))[:, None], np.maximum(np.arange(m + 1)[None, :] - B[:, None], 0),
                tuple(sum(1 for a, _ in shapes if a <= i) for i in range(n + 1)))


class GridCosines:
    """The bead cosines features.stack reads for a Grid's rows (``beads``
    with one source prefix per row), with the joined-text ones
    (``joined``) already written in."""

    def __init__(self, cosines: SmallCosines, rows: Rows, joined: JoinedCosines):
        self.cosines = cosines
        self.rows = rows
        self.joined = joined

    def has(self, view: str) -> bool:
        return self.cosines.has(view)

    def beads(self, view: str, i: np.ndarray, js: np.ndarray, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        cos = self.cosines.grid(view, self.rows, A, B)
        if view == "neural" and self.joined.by_end:
            row_of = {(int(ri), int(a), int(b)): r for r, (ri, a, b) in enumerate(zip(i, A, B))}
            for end, over in self.joined.by_end.items():
                for (a, b, j), value in over.items():
                    r = row_of.get((end, a, b))
                    if r is not None and 0 <= j <= self.cosines.m:
                        cos[r, j] = value
        return cos


@dataclass(frozen=True)
class Grid:
    """Every a:b bead of a small problem scored as Scorer.score scores it:
    ``total[r, j]`` and ``features[:, r, j]`` for the bead of row r (Rows)
    ending at target prefix j (NEG where it does not fit)."""

    scorer: Scorer
    rows: Rows
    total: np.ndarray
    features: np.ndarray

    @classmethod
    def of(cls, scorer: Scorer) -> "Grid":
        inp = scorer.inputs
        rows = _rows(inp.n, inp.m, scorer.shapes)
        A, B = scorer.A[rows.shape], scorer.B[rows.shape]
        js = np.arange(inp.m + 1)
        facts = replace(scorer.facts, cosines=GridCosines(scorer.facts.cosines, rows, scorer.facts.joined),
                        joined=JoinedCosines())
        F = features.stack(Beads(facts, rows.i, js, A, B))
        total = np.tensordot(scorer.weights, F, axes=1) + scorer.bias[rows.shape][:, None]
        return cls(scorer, rows, np.where(js[None, :] >= B[:, None], total, NEG), F)

    def steps(self, region: Region) -> Steps:
        """refine._steps for this grid's scorer: every bead inside the
        region's rectangle, row by row (the a:b beads, then 1:0, then 0:1)."""
        sc = self.scorer
        (i0, j0), (i2, j2) = region.start, region.end
        skip = sc.params.allow_skip
        A, B = sc.A[self.rows.shape], sc.B[self.rows.shape]
        corners: list[tuple[int, int, int, int]] = []
        score: list[float] = []
        ev_rows: list[tuple[int, int]] = []  # (grid row, j) of the a:b steps, in order
        ev_at: list[int] = []  # which steps they are
        total = self.total.tolist()
        for i in range(i0, i2 + 1):
            if i > i0:
                for r in range(self.rows.first[i], self.rows.first[i + 1]):
                    a, b = int(A[r]), int(B[r])
                    if a > i - i0 or b > j2 - j0:
                        continue
                    for j in range(max(j0 + 1, j0 + b), j2 + 1):
                        ev_at.append(len(corners))
                        ev_rows.append((r, j))
                        corners.append((i - a, j - b, i, j))
                        score.append(total[r][j])
                if skip:
                    s10 = float(sc.omissions(np.array([i - 1]))[0])
                    for j in range(j0, j2 + 1):
                        corners.append((i - 1, j, i, j))
                        score.append(s10)
            if skip and j2 > j0:
                adds = sc.additions(np.arange(j0, j2)).tolist()
                for j in range(j0 + 1, j2 + 1):
                    corners.append((i, j - 1, i, j))
                    score.append(adds[j - 1 - j0])
        ev = np.zeros((len(corners), len(EVIDENCE)))
        if ev_rows:
            r, j = np.array(ev_rows).T
            ev[ev_at] = evidence(self.features[:, r, j]).T
        return Steps(np.array(corners, dtype=np.int64).reshape(-1, 4), np.array(score, dtype=np.float64), ev)


def region_steps(scorer: Scorer, region: Region) -> Steps:
    """refine's steps of a region for a small problem (from its grid)."""
    return Grid.of(scorer).steps(region)


def search(grid: Grid) -> list[PathBead]:
    """dp.search on a small problem's grid: the same path, scores, margins
    and evidence (stored as float32, as dp.search stores them)."""
    sc = grid.scorer
    p = sc.params
    n, m = sc.inputs.n, sc.inputs.m
    S = len(sc.shapes)
    C10, C01 = S, S + 1
    rows = grid.rows
    A = sc.A[rows.shape].tolist()
    B = sc.B[rows.shape].tolist()
    shape = rows.shape.tolist()
    total = grid.total.tolist()
    skip = p.allow_skip
    adds = [0.0] + (-p.skip - p.skip_nn * sc.neighbours.tgt_nn).tolist()  # s01: a 0:1 bead ending at j
    run_sum = np.cumsum(np.array(adds)).tolist()
    omits = (-p.skip - p.skip_nn * sc.neighbours.src_nn).tolist()
    W = m + 1
    dp: list[list[float]] = []
    back: list[list[int]] = []  # the last bead's code: a shape index, C10 or C01 (-1: none)
    best_row: list[list[int]] = []  # the grid row of an a:b last bead
    qs: list[list[float]] = []
    margins: list[list[float]] = []
    half = NEG / 2
    for i in range(n + 1):
        cand = [NEG] * W
        second = [NEG] * W
        code = [-1] * W
        qrow = [0.0] * W
        brow = [-1] * W
        if i == 0:
            cand[0] = 0.0
        else:
            lo_r, hi_r = rows.first[i], rows.first[i + 1]
            scored = hi_r - lo_r
            padded = rows.fitting[i] > scored  # dp.search also scores shapes wider than the grid (all NEG)
            for j in range(W):
                top1 = top2 = -np.inf
                at = lo_r
                for r in range(lo_r, hi_r):
                    b = B[r]
                    if j < b:
                        val = NEG
                    else:
                        q = total[r][j]
                        val = dp[i - A[r]][j - b] + q if q > half else NEG
                    if val > top1:
                        top2 = top1
                        top1, at = val, r
                    elif val > top2:
                        top2 = val
                if scored < 2:
                    top2 = NEG
                elif padded:
                    top2 = max(top2, NEG)
                cand[j], second[j] = top1, top2
                code[j] = shape[at] if top1 > half else -1
                qrow[j] = total[at][j]
                brow[j] = at
            if skip:
                s10 = omits[i - 1]
                above = dp[i - 1]
                for j in range(W):
                    v10 = above[j] + s10
                    if v10 > cand[j]:
                        second[j] = max(second[j], cand[j])
                        cand[j], code[j], qrow[j] = v10, C10, s10
                    else:
                        second[j] = max(second[j], v10)
        if skip and W > 1:
            before = cand[:]
            acc = before[0] - run_sum[0]
            for j in range(1, W):
                run = acc + run_sum[j]
                acc = max(acc, before[j] - run_sum[j])
                if run > before[j] + 1e-9:
                    second[j] = before[j]
                    cand[j], code[j], qrow[j] = run, C01, adds[j]
                else:
                    second[j] = max(second[j], run)
        dp.append(cand)
        back.append(code)
        best_row.append(brow)
        qs.append(qrow)
        margins.append([c - s if s > half else np.inf for c, s in zip(cand, second)])
    path: list[PathBead] = []
    i, j = n, m
    while i > 0 or j > 0:
        c = back[i][j]
        if c < 0:
            raise RuntimeError(f"alignment search found no path at ({i}, {j})")
        a, b = sc.shapes[c] if c < S else ((1, 0) if c == C10 else (0, 1))
        if a and b:
            ev = evidence(grid.features[:, best_row[i][j], j]).astype(np.float32).astype(np.float64)
        else:
            ev = np.zeros(len(EVIDENCE))
        path.append(PathBead(a, b, i, j, float(np.float32(qs[i][j])), margin=float(np.float32(margins[i][j])),
                             evidence=ev))
        i, j = i - a, j - b
    path.reverse()
    return path
