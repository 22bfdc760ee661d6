"""Cosines inside the band: of single segments, and of beads' summed vectors.

A bead's vector is the sum of its segments' vectors. Its cosine comes from
dot products of single segments with running sums and from the squared
norms of spans, so no span is embedded twice and no n x m matrix is built.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .band import Band
from .inputs import Inputs, View

SUMMED_VIEWS = ("neural", "lexical")  # views whose bead vectors are sums of segment vectors
EDGE_VIEWS = ("heads", "tails")  # first- and last-clause vectors, compared segment by segment


def span_norms(x: np.ndarray, amax: int) -> np.ndarray:
    """norm2[a, i] = |x[i-a] + ... + x[i-1]|^2 for prefix positions i (0..n); 0 where a > i."""
    n = len(x)
    out = np.zeros((amax + 1, n + 1), dtype=np.float64)
    if n == 0:
        return out
    sq = np.einsum("ij,ij->i", x, x).astype(np.float64)
    g = [sq] + [np.einsum("ij,ij->i", x[:-o], x[o:]).astype(np.float64) if o < n else np.zeros(0)
                for o in range(1, amax)]
    for a in range(1, min(amax, n) + 1):
        i = np.arange(a, n + 1)
        start = i - a  # x[start] joins the span [start+1, i)
        cross = np.zeros(len(i))
        for o in range(1, a):
            cross += g[o][start]
        out[a, a:] = out[a - 1, a:] + sq[start] + 2 * cross
    return out


@dataclass(frozen=True)
class DotRow:
    """Dot products of one source segment with target segments ``start``, ``start + 1``, ..."""

    start: int
    values: np.ndarray


class Cosines:
    """Cosines of the views of one input within one band.

    Keeps the dot products of each source segment with every target segment
    that a bead containing it may use, for the next ``amax`` rows (a memo:
    it saves time and never changes a result).
    """

    def __init__(self, inp: Inputs, band: Band, amax: int, bmax: int):
        self.n, self.m = inp.n, inp.m
        self.band = band
        self.amax, self.bmax = amax, bmax
        views = {"neural": inp.neural, "lexical": inp.lexical}
        if inp.heads is not None and inp.tails is not None:
            views.update(heads=inp.heads, tails=inp.tails)
        self.views: dict[str, View] = {k: v for k, v in views.items() if v is not None}
        self._src_norms = {k: span_norms(v.src, amax) for k, v in self.views.items() if k in SUMMED_VIEWS}
        self._tgt_norms = {k: span_norms(v.tgt, bmax) for k, v in self.views.items() if k in SUMMED_VIEWS}
        self._rows: dict[tuple[str, int], DotRow] = {}

    def has(self, view: str) -> bool:
        return view in self.views

    def span_norms(self, view: str) -> tuple[np.ndarray, np.ndarray]:
        """A summed view's squared span norms, source and target (``span_norms``: [a, i])."""
        return self._src_norms[view], self._tgt_norms[view]

    def dot_row(self, view: str, s: int) -> DotRow:
        """Source segment ``s`` against the target segments a bead containing it may use."""
        key = (view, s)
        got = self._rows.get(key)
        if got is None:
            lo, hi = self.band.lo, self.band.hi
            start = max(int(lo[s + 1]) - self.bmax, 0)
            end = min(int(hi[min(s + self.amax, self.n)]), self.m)
            v = self.views[view]
            got = DotRow(start, (v.tgt[start:end] @ v.src[s]).astype(np.float64))
            self._rows[key] = got
            self._rows.pop((view, s - self.amax - 1), None)
        return got

    def one_to_one(self, i: int, lo: int, hi: int) -> np.ndarray:
        """Neural cosines of source segment ``i`` with target segments ``lo .. hi - 1``."""
        row = self.dot_row("neural", i)
        tn = self._tgt_norms["neural"][1][lo + 1:hi + 1]
        sn = self._src_norms["neural"][1][i + 1]
        return row.values[lo - row.start:hi - row.start] / np.sqrt(np.maximum(tn * sn, 1e-12))

    def beads(self, view: str, i: int, js: np.ndarray, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        """(S, W): cosine of the summed vectors of the beads (A[s], B[s]) ending
        at source prefix i and target prefixes js (0 where a side's sum is 0)."""
        S, W = len(A), len(js)
        jlo = max(int(js[0]) - int(B.max()), 0)
        jhi = int(js[-1])
        amax = int(A.max())
        end = (js - jlo)[None, :]
        start = np.maximum(end - B[:, None], 0)
        dots = np.empty((amax, jhi - jlo))
        for k in range(amax):  # source rows i-1, i-2, ...
            row = self.dot_row(view, i - 1 - k)
            dots[k] = row.values[jlo - row.start:jhi - row.start]
        c = np.zeros((amax, jhi - jlo + 1))
        np.cumsum(np.cumsum(dots, axis=0), axis=1, out=c[:, 1:])
        ca = c[A - 1]  # (S, W'+1)
        dot = np.take_along_axis(ca, np.broadcast_to(end, (S, W)), 1) - np.take_along_axis(ca, start, 1)
        tn = self._tgt_norms[view][B[:, None], js[None, :]]
        sn = self._src_norms[view][A, i][:, None]
        denom = np.sqrt(np.maximum(tn * sn, 1e-12))
        return np.where((tn > 1e-9) & (sn > 1e-9), dot / denom, 0.0)


@dataclass(frozen=True)
class Neighbours:
    """How similar each segment is to its neighbourhood, and which segments
    are each other's most similar, within the band (neural 1:1 cosines)."""

    src_nn: np.ndarray  # per source segment: the mean of its k best cosines
    tgt_nn: np.ndarray  # per target segment: the same
    pair_src: np.ndarray  # mutual best pairs: source segment,
    pair_tgt: np.ndarray  # its target segment,
    pair_cos: np.ndarray  # and their cosine (in source order)

    @classmethod
    def within(cls, cosines: Cosines, band: Band, k: int) -> "Neighbours":
        n, m = cosines.n, cosines.m
        lo, hi = band.lo, band.hi
        src_nn = np.zeros(n)
        top = np.full((k, m), -1.0)
        src_best = np.full(n, -1)
        src_best_cos = np.full(n, -1.0)
        tgt_best = np.full(m, -1)
        tgt_best_cos = np.full(m, -2.0)
        for i in range(n):
            a, b = max(int(lo[i + 1]) - 1, 0), min(int(hi[i + 1]), m)  # targets a 1:1 bead may use
            if b <= a:
                continue
            cs = cosines.one_to_one(i, a, b)
            kk = min(k, len(cs))
            src_nn[i] = np.mean(np.partition(cs, len(cs) - kk)[len(cs) - kk:])
            v = cs.copy()
            for t in range(k):  # insert into each target's k best so far
                seg = top[t, a:b]
                hi_v = np.maximum(seg, v)
                v = np.minimum(seg, v)
                top[t, a:b] = hi_v
            w = int(np.argmax(cs))
            src_best[i], src_best_cos[i] = a + w, cs[w]
            better = cs > tgt_best_cos[a:b]
            tgt_best_cos[a:b] = np.where(better, cs, tgt_best_cos[a:b])
            tgt_best[a:b] = np.where(better, i, tgt_best[a:b])
        valid = top > -1.0
        cnt = np.maximum(valid.sum(axis=0), 1)
        tgt_nn = np.where(valid, top, 0.0).sum(axis=0) / cnt
        mutual = np.array([i for i in range(n) if src_best[i] >= 0 and tgt_best[src_best[i]] == i], dtype=np.int64)
        return cls(src_nn, tgt_nn, mutual, src_best[mutual].astype(np.int64), src_best_cos[mutual])
