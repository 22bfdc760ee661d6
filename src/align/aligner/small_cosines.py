"""The cosines of a small problem (small.py) for a band that is the whole
grid: each source row's dot products computed once, the span norms in
plain floats, the bead cosines of a Grid's rows at once, and the
neighbour similarities in closed form; each value as similarity.py
computes it (the same float32 products, the same sums in the same order).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .band import Band
from .inputs import Inputs
from .similarity import Cosines, DotRow, Neighbours

if TYPE_CHECKING:
    from .small import Rows


def span_norms(x: np.ndarray, amax: int) -> np.ndarray:
    """similarity.span_norms for a few rows: the same float32 row products
    (one einsum over every pair of rows a span joins), added up in the same
    order in plain floats."""
    n = len(x)
    top = min(amax, n)
    first = [k for o in range(top) for k in range(n - o)]
    vals = np.einsum("ij,ij->i", x[first], x[[k + o for o in range(top) for k in range(n - o)]])
    vals = vals.astype(np.float64).tolist()
    offset, at = [], 0  # offset[o][s]: the product of rows s and s + o
    for o in range(top):
        offset.append(vals[at:at + n - o])
        at += n - o
    out = [[0.0] * (n + 1) for _ in range(amax + 1)]
    cross = [0.0] * n  # cross[start]: rows start and start + 1 .. start + a - 1, summed over the offsets in order
    for a in range(1, top + 1):
        prev, row = out[a - 1], out[a]
        if a > 1:
            cross = [c + g for c, g in zip(cross, offset[a - 1])]
        for i in range(a, n + 1):
            row[i] = prev[i] + offset[0][i - a] + 2 * cross[i - a]
    return np.array(out)


class SmallCosines(Cosines):
    """Cosines for a band that is the whole grid: each source row's dot
    products with every target row computed once (as Cosines.dot_row
    computes them), the span norms as similarity.span_norms gives them, and
    ``grid``: the bead cosines of a Grid's rows at once."""

    def __init__(self, inp: Inputs, amax: int, bmax: int):
        self.n, self.m = inp.n, inp.m
        self.band = Band.full(inp.n, inp.m)
        self.amax, self.bmax = amax, bmax
        views = {"neural": inp.neural, "lexical": inp.lexical}
        self.views = {k: v for k, v in views.items() if v is not None}
        self._src_norms = {k: span_norms(v.src, amax) for k, v in self.views.items()}
        self._tgt_norms = {k: span_norms(v.tgt, bmax) for k, v in self.views.items()}
        self.dots = {k: np.stack([(v.tgt[0:self.m] @ v.src[s]).astype(np.float64) for s in range(self.n)])
                     for k, v in self.views.items()}
        self._runs: dict[str, np.ndarray] = {}

    def dot_row(self, view: str, s: int) -> DotRow:
        return DotRow(0, self.dots[view][s])

    def _running(self, view: str) -> np.ndarray:
        """(n, amax, m + 1): per source prefix i, the dot products of its
        last k + 1 rows summed (nearest first, as Cosines.beads sums them)
        and then run along the targets."""
        got = self._runs.get(view)
        if got is None:
            n, m, amax = self.n, self.m, min(self.amax, self.n)
            back = np.arange(n)[:, None] - np.arange(amax)[None, :]
            rows = np.where((back >= 0)[:, :, None], self.dots[view][np.maximum(back, 0)], 0.0)
            got = np.zeros((n, amax, m + 1))
            np.cumsum(np.cumsum(rows, axis=1), axis=2, out=got[:, :, 1:])
            self._runs[view] = got
        return got

    def grid(self, view: str, rows: "Rows", A: np.ndarray, B: np.ndarray) -> np.ndarray:
        """(R, m + 1): Cosines.beads of each grid row (0 where a side's sum is 0)."""
        ca = self._running(view)[rows.i - 1, A - 1]
        dot = ca - ca[rows.order, rows.start]
        tn = self._tgt_norms[view][B[:, None], np.arange(self.m + 1)[None, :]]
        sn = self._src_norms[view][A, rows.i][:, None]
        return np.where((tn > 1e-9) & (sn > 1e-9), dot / np.sqrt(np.maximum(tn * sn, 1e-12)), 0.0)


def full_neighbours(cosines: SmallCosines, k: int) -> Neighbours:
    """Neighbours.within for a band that is the whole grid, all rows at once."""
    n, m = cosines.n, cosines.m
    src_norms, tgt_norms = cosines.span_norms("neural")
    cs = cosines.dots["neural"] / np.sqrt(np.maximum(tgt_norms[1][1:m + 1][None, :] * src_norms[1][1:n + 1][:, None],
                                                     1e-12))
    kk = min(k, m)
    src_nn = np.partition(cs, m - kk, axis=1)[:, m - kk:].mean(axis=1)
    top = np.full((k, m), -1.0)
    top[:min(k, n)] = np.maximum(-np.sort(-cs, axis=0)[:k], -1.0)  # each target's k best, best first
    valid = top > -1.0
    tgt_nn = np.where(valid, top, 0.0).sum(axis=0) / np.maximum(valid.sum(axis=0), 1)
    src_best = np.argmax(cs, axis=1)
    tgt_best = np.argmax(cs, axis=0)
    mutual = np.nonzero(tgt_best[src_best] == np.arange(n))[0].astype(np.int64)
    return Neighbours(src_nn, tgt_nn, mutual, src_best[mutual].astype(np.int64), cs[mutual, src_best[mutual]])
