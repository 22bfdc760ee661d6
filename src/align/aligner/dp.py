"""Dynamic programming over m:n beads inside a monotone band.

Inputs are plain arrays (the model is an input, not a global): one or more
"views" (pairs of L2-normalised source/target vector matrices with a weight,
e.g. neural embeddings and lexical dictionary vectors), segment lengths and
heading flags. A bead's vector is the sum of its segments' vectors; its
cosine is computed from dot products of single segments with running sums,
so no span is ever embedded twice and no n x m matrix is built.

The search runs row by row (source prefix ``i``) over a window of target
prefixes ``[lo[i], hi[i]]``: the whole matrix for chapter-sized inputs, a band
around a coarse path (found by the same DP on block-averaged vectors) for
long ones, so time and memory grow linearly with the length.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from .params import AlignParams

NEG = -1e18


@dataclass
class View:
    """Source/target vectors (rows L2-normalised) and the weight of their cosine."""

    src: np.ndarray
    tgt: np.ndarray
    weight: float = 1.0


@dataclass
class Inputs:
    views: list[View]
    src_len: np.ndarray  # characters per segment
    tgt_len: np.ndarray
    src_head: np.ndarray | None = None  # bool per segment
    tgt_head: np.ndarray | None = None
    extra: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.src_len)

    @property
    def m(self) -> int:
        return len(self.tgt_len)


def _span_norms(x: np.ndarray, amax: int) -> np.ndarray:
    """norm2[a, i] = |x[i-a] + ... + x[i-1]|^2 for prefix positions i (0..n)."""
    n = len(x)
    out = np.zeros((amax + 1, n + 1), dtype=np.float64)  # 0 where the span does not fit
    out[0] = 0.0
    if n == 0:
        return out
    sq = np.einsum("ij,ij->i", x, x).astype(np.float64)
    # g[o][k] = x[k] . x[k+o]
    g = [sq] + [np.einsum("ij,ij->i", x[:-o], x[o:]).astype(np.float64) if o < n else np.zeros(0)
                for o in range(1, amax)]
    for a in range(1, amax + 1):
        i = np.arange(a, n + 1)
        start = i - a  # new segment x[start] joins the span [start+1, i)
        cross = np.zeros(len(i))
        for o in range(1, a):
            cross += g[o][start]
        out[a, a:] = out[a - 1, a:] + sq[start] + 2 * cross
    return out


class Scorer:
    """Scores every bead shape ending at (i, j) for all j of a window at once."""

    def __init__(self, inp: Inputs, params: AlignParams, shapes: Sequence[tuple[int, int]]):
        self.inp = inp
        self.p = params
        self.shapes = list(shapes)
        self.amax = max(a for a, _ in self.shapes)
        self.bmax = max(b for _, b in self.shapes)
        self.snorm = [_span_norms(v.src, self.amax) for v in inp.views]
        self.tnorm = [_span_norms(v.tgt, self.bmax) for v in inp.views]
        self.src_cum = np.concatenate([[0.0], np.cumsum(inp.src_len, dtype=np.float64)])
        self.tgt_cum = np.concatenate([[0.0], np.cumsum(inp.tgt_len, dtype=np.float64)])
        total_s, total_t = self.src_cum[-1], self.tgt_cum[-1]
        self.len_mu = math.log((total_s + 1.0) / (total_t + 1.0))
        self.len_c = max(1.0, 0.5 * (total_s / max(inp.n, 1)) * 0.1)
        self.use_heads = (inp.src_head is not None and inp.tgt_head is not None
                          and bool(np.any(inp.src_head)) and bool(np.any(inp.tgt_head)))
        if self.use_heads:
            self.sh_cum = np.concatenate([[0], np.cumsum(inp.src_head.astype(np.int64))])
            self.th_cum = np.concatenate([[0], np.cumsum(inp.tgt_head.astype(np.int64))])
        self.s_nn_cum = np.zeros(inp.n + 1)
        self.t_nn_cum = np.zeros(inp.m + 1)
        self.lo, self.hi = full_windows(inp.n, inp.m)
        self._dots: dict[tuple[int, int], tuple[int, np.ndarray]] = {}

    def set_band(self, lo: np.ndarray, hi: np.ndarray) -> None:
        self.lo, self.hi = lo, hi
        self._dots.clear()

    def _dot_row(self, vi: int, s: int) -> tuple[int, np.ndarray]:
        """Dot products of source segment s with every target segment that a
        bead containing s may use (cached for the next max_src rows)."""
        key = (vi, s)
        got = self._dots.get(key)
        if got is None:
            n, m = self.inp.n, self.inp.m
            start = max(int(self.lo[s + 1]) - self.bmax, 0)
            end = min(int(self.hi[min(s + self.amax, n)]), m)
            view = self.inp.views[vi]
            got = (start, (view.tgt[start:end] @ view.src[s]).astype(np.float64))
            self._dots[key] = got
            stale = (vi, s - self.amax - 1)
            self._dots.pop(stale, None)
        return got

    def set_margins(self, src_nn: np.ndarray, tgt_nn: np.ndarray) -> None:
        self.s_nn_cum = np.concatenate([[0.0], np.cumsum(src_nn, dtype=np.float64)])
        self.t_nn_cum = np.concatenate([[0.0], np.cumsum(tgt_nn, dtype=np.float64)])

    def one_to_one_cos(self, i: int, lo: int, hi: int) -> np.ndarray:
        """Neural cosine of source segment i with target segments lo..hi-1."""
        start, row = self._dot_row(0, i)
        return row[lo - start:hi - start]

    def row(self, i: int, lo: int, hi: int) -> dict[tuple[int, int], np.ndarray]:
        """Quality q of each bead shape (a, b >= 1) ending at source prefix i
        and target prefixes j = lo..hi (NEG where the bead does not fit)."""
        p = self.p
        jlo = max(lo - self.bmax, 0)
        js = np.arange(lo, hi + 1)
        amax = min(self.amax, i)
        out: dict[tuple[int, int], np.ndarray] = {}
        if amax == 0:
            return out
        cos_sum: dict[tuple[int, int], np.ndarray] = {}
        for vi, view in enumerate(self.inp.views):
            dots = np.empty((amax, hi - jlo))
            for k in range(amax):  # rows x[i-1], x[i-2], ...
                start, row = self._dot_row(vi, i - 1 - k)
                dots[k] = row[jlo - start:hi - start]
            q = np.cumsum(dots, axis=0)  # q[a-1] = span of a source segments
            c = np.zeros((amax, hi - jlo + 1))
            np.cumsum(q, axis=1, out=c[:, 1:])
            for a, b in self.shapes:
                if a < 1 or b < 1 or a > amax:
                    continue
                end = js - jlo
                startj = end - b
                ok = startj >= 0
                dot = np.where(ok, c[a - 1][end] - c[a - 1][np.maximum(startj, 0)], 0.0)
                tn = self.tnorm[vi][b][js]
                sn = self.snorm[vi][a][i]
                if sn <= 1e-9:
                    cs = np.zeros(len(js))
                else:
                    cs = np.where(ok & (tn > 1e-9), dot / np.sqrt(np.maximum(tn * sn, 1e-12)), 0.0)
                if (a, b) in cos_sum:
                    cos_sum[(a, b)] += view.weight * cs
                else:
                    cos_sum[(a, b)] = view.weight * cs
        for (a, b), cs in cos_sum.items():
            startj = js - b
            ok = startj >= 0
            sj = np.maximum(startj, 0)
            ls = self.src_cum[i] - self.src_cum[i - a]
            lt = self.tgt_cum[js] - self.tgt_cum[sj]
            r = np.log((ls + self.len_c) / (lt + self.len_c)) - self.len_mu
            q = cs - p.w_len * (r * r) / (2 * p.len_sigma ** 2) - p.merge_penalty * (a + b - 2)
            if p.margin:
                nn = 0.5 * ((self.s_nn_cum[i] - self.s_nn_cum[i - a]) / a
                            + (self.t_nn_cum[js] - self.t_nn_cum[sj]) / b)
                q = q - p.margin * nn
            if self.use_heads:
                hs = self.sh_cum[i] - self.sh_cum[i - a]
                ht = self.th_cum[js] - self.th_cum[sj]
                both = (hs > 0) & (ht > 0)
                pure = both & (hs == a) & (ht == b)
                mixed = ((hs > 0) | (ht > 0)) & ~pure
                q = q + p.heading_bonus * pure - p.heading_penalty * mixed
            out[(a, b)] = np.where(ok, q, NEG)
        return out


def bead_weight(a: int, b: int, coverage: float) -> float:
    return ((a + b) / 2.0) ** coverage


def full_windows(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)


def fix_windows(lo: np.ndarray, hi: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Make a band monotone, anchored at (0, 0) and (n, m), rows overlapping."""
    lo = np.clip(lo, 0, m).astype(np.int64)
    hi = np.clip(hi, 0, m).astype(np.int64)
    lo = np.minimum.accumulate(lo[::-1])[::-1].copy()
    hi = np.maximum.accumulate(hi)
    lo[0] = 0
    hi[-1] = m
    hi = np.maximum(hi, lo)
    for i in range(1, len(lo)):  # consecutive rows must share a column
        if lo[i] > hi[i - 1]:
            lo[i] = hi[i - 1]
    return lo, hi


def margins(scorer: Scorer, lo: np.ndarray, hi: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of the k best 1:1 cosines of each segment within the band."""
    n, m = scorer.inp.n, scorer.inp.m
    src_nn = np.zeros(n)
    top = np.full((k, m), -1.0)
    for i in range(n):
        a, b = max(int(lo[i + 1]) - 1, 0), min(int(hi[i + 1]), m)  # targets a 1:1 bead may use
        if b <= a:
            continue
        cs = scorer.one_to_one_cos(i, a, b).astype(np.float64)
        kk = min(k, len(cs))
        src_nn[i] = np.mean(np.partition(cs, len(cs) - kk)[len(cs) - kk:])
        v = cs.copy()
        for t in range(k):
            seg = top[t, a:b]
            hi_v = np.maximum(seg, v)
            v = np.minimum(seg, v)
            top[t, a:b] = hi_v
    valid = top > -1.0
    cnt = np.maximum(valid.sum(axis=0), 1)
    tgt_nn = np.where(valid, top, 0.0).sum(axis=0) / cnt
    return src_nn, tgt_nn


@dataclass
class PathBead:
    a: int
    b: int
    i: int  # source prefix at the end of the bead
    j: int
    quality: float
    score: float


def search(scorer: Scorer, lo: np.ndarray, hi: np.ndarray,
           progress: Callable[[int], None] | None = None) -> list[PathBead]:
    """Best monotone path of beads from (0, 0) to (n, m) inside the band."""
    p = scorer.p
    n, m = scorer.inp.n, scorer.inp.m
    shapes = [s for s in scorer.shapes if s[0] >= 1 and s[1] >= 1]
    skip_score = -p.skip * bead_weight(1, 0, p.coverage)
    allow10 = (1, 0) in scorer.shapes
    allow01 = (0, 1) in scorer.shapes
    dp: list[np.ndarray] = []
    back: list[np.ndarray] = []  # index into codes
    codes = shapes + [(1, 0), (0, 1)]
    code_of = {s: c for c, s in enumerate(codes)}
    c10, c01 = code_of[(1, 0)], code_of[(0, 1)]
    quals: list[np.ndarray] = []
    step = max(1, n // 100)
    for i in range(n + 1):
        l, h = int(lo[i]), int(hi[i])
        width = h - l + 1
        cand = np.full(width, NEG)
        bp = np.full(width, -1, dtype=np.int16)
        qrow = np.zeros(width)
        js = np.arange(l, h + 1)
        if i == 0:
            cand[0 - l] = 0.0 if l == 0 else NEG
        else:
            rows = scorer.row(i, l, h)
            for (a, b), q in rows.items():
                pi = i - a
                pl, ph = int(lo[pi]), int(hi[pi])
                idx = js - b - pl
                ok = (idx >= 0) & (idx <= ph - pl)
                prev = np.where(ok, dp[pi][np.clip(idx, 0, ph - pl)], NEG)
                val = prev + bead_weight(a, b, p.coverage) * q
                val = np.where(ok & (q > NEG / 2), val, NEG)
                better = val > cand
                cand = np.where(better, val, cand)
                bp = np.where(better, code_of[(a, b)], bp)
                qrow = np.where(better, q, qrow)
            if allow10:
                pl, ph = int(lo[i - 1]), int(hi[i - 1])
                idx = js - pl
                ok = (idx >= 0) & (idx <= ph - pl)
                val = np.where(ok, dp[i - 1][np.clip(idx, 0, ph - pl)], NEG) + skip_score
                better = ok & (val > cand)
                cand = np.where(better, val, cand)
                bp = np.where(better, c10, bp)
                qrow = np.where(better, 0.0, qrow)
        if allow01 and width > 1:
            k = np.arange(width)
            best = np.maximum.accumulate(cand - k * skip_score)
            row = best + k * skip_score
            from_left = row > cand + 1e-12
            bp = np.where(from_left, c01, bp)
            qrow = np.where(from_left, 0.0, qrow)
            cand = np.where(from_left, row, cand)
        dp.append(cand)
        back.append(bp)
        quals.append(qrow)
        if progress is not None and i % step == 0:
            progress(step)
    # backtrace
    path: list[PathBead] = []
    i, j = n, m
    while i > 0 or j > 0:
        col = j - int(lo[i])
        code = int(back[i][col])
        if code < 0:
            raise RuntimeError(f"alignment search found no path at ({i}, {j})")
        a, b = codes[code]
        q = float(quals[i][col])
        score = float(dp[i][col])
        path.append(PathBead(a, b, i, j, q, score))
        i, j = i - a, j - b
    path.reverse()
    prev = 0.0
    for pb in path:  # the bead's own share of the path score
        pb.score, prev = pb.score - prev, pb.score
    return path
