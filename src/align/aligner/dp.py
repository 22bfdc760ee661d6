"""Dynamic programming over m:n beads inside a monotone band.

Inputs are plain arrays (the model is an input, not a global): one or more
"views" (pairs of L2-normalised source/target vector matrices, e.g. neural
embeddings and lexical dictionary vectors), segment lengths and per-segment
flags (heading, quotation marks, sentence-final punctuation). A bead's vector
is the sum of its segments' vectors; its cosine comes from dot products of
single segments with running sums, so no span is embedded twice and no n x m
matrix is built.

A bead's score is linear in a handful of features (see FEATURES) with
weights from AlignParams, plus a per-shape bias. The search runs row by row
(source prefix ``i``) over a window of target prefixes ``[lo[i], hi[i]]``:
the whole matrix for chapter-sized inputs, a band around a coarse path for
long ones, so time and memory grow linearly with the length. All bead shapes
of a row are scored in a few vectorised numpy operations.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .params import AlignParams

NEG = -1e18

# per-bead features (a, b >= 1); the score is sum(weight * feature) + shape bias
FEATURES = ("cos", "lex", "len", "nn", "cos_extra", "quote", "weak_inside", "strong_inside",
            "head_pure", "head_mixed", "qbal", "edge_tail", "edge_head", "qend")


# what a bead's confidence is computed from: cosine, cosine minus the
# neighbour similarity, dictionary cosine, length term
EVIDENCE = ("cos", "cos_minus_nn", "lex", "len")


def evidence(F: np.ndarray) -> np.ndarray:
    """EVIDENCE rows from a feature stack (len(FEATURES), ...)."""
    return np.stack([F[0], F[0] + F[3], F[1], F[2]])


@dataclass
class View:
    """Source/target vectors (rows L2-normalised)."""

    src: np.ndarray
    tgt: np.ndarray


@dataclass
class Side:
    """Per-segment facts of one side."""

    length: np.ndarray  # characters
    head: np.ndarray  # bool: a heading
    quote: np.ndarray  # bool: contains quotation marks
    weak_end: np.ndarray  # bool: ends without sentence-final punctuation
    qbal: np.ndarray | None = None  # opening minus closing quotation marks
    q_end: np.ndarray | None = None  # bool: ends with a closing quotation mark

    @classmethod
    def plain(cls, length) -> "Side":
        length = np.asarray(length, dtype=np.float64)
        z = np.zeros(len(length), dtype=bool)
        return cls(length, z, z.copy(), z.copy())


@dataclass
class Inputs:
    neural: View
    lexical: View | None
    src: Side
    tgt: Side
    extra: dict = field(default_factory=dict)
    # first- and last-clause vectors of each segment (embed.encode_edges)
    heads: View | None = None
    tails: View | None = None

    @property
    def n(self) -> int:
        return len(self.src.length)

    @property
    def m(self) -> int:
        return len(self.tgt.length)


def _span_norms(x: np.ndarray, amax: int) -> np.ndarray:
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


def _cum(x) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(np.asarray(x, dtype=np.float64))])


class Scorer:
    """Scores every bead shape ending at (i, j) for all j of a window at once."""

    def __init__(self, inp: Inputs, params: AlignParams):
        self.inp = inp
        self.p = params
        shapes = [s for s in params.bead_shapes() if s[0] >= 1 and s[1] >= 1]
        self.shapes = shapes
        self.A = np.array([a for a, _ in shapes])
        self.B = np.array([b for _, b in shapes])
        self.amax, self.bmax = int(self.A.max()), int(self.B.max())
        self.bias = np.array([params.shape_bias(a, b) for a, b in shapes])
        self.weights = np.array([params.feature_weight(f) for f in FEATURES])
        self.skip, self.skip_nn = params.skip, params.skip_nn
        # views whose bead vectors are sums of segment vectors, then the edge views
        self.sum_views = [inp.neural] + ([inp.lexical] if inp.lexical is not None else [])
        self.views = list(self.sum_views)
        self.edge_views: tuple[int, int] | None = None
        if inp.heads is not None and inp.tails is not None:
            self.edge_views = (len(self.views), len(self.views) + 1)
            self.views += [inp.heads, inp.tails]
        self.snorm = [_span_norms(v.src, self.amax) for v in self.sum_views]
        self.tnorm = [_span_norms(v.tgt, self.bmax) for v in self.sum_views]
        s, t = inp.src, inp.tgt
        self.s_len, self.t_len = _cum(s.length), _cum(t.length)
        self.len_mu = np.log((self.s_len[-1] + 1.0) / (self.t_len[-1] + 1.0))
        # smoothing: a fraction of the mean segment length, so tiny segments do not dominate
        self.s_c = max(1.0, 0.1 * self.s_len[-1] / max(inp.n, 1))
        self.t_c = max(1.0, 0.1 * self.t_len[-1] / max(inp.m, 1))
        self.s_mean = max(1.0, self.s_len[-1] / max(inp.n, 1))
        self.t_mean = max(1.0, self.t_len[-1] / max(inp.m, 1))
        self.use_heads = bool(np.any(s.head)) and bool(np.any(t.head))
        self.s_head, self.t_head = _cum(s.head), _cum(t.head)
        self.s_quote, self.t_quote = _cum(s.quote), _cum(t.quote)
        self.s_weak, self.t_weak = _cum(s.weak_end), _cum(t.weak_end)
        self.s_qb = _cum(s.qbal) if s.qbal is not None and t.qbal is not None else None
        self.t_qb = _cum(t.qbal) if self.s_qb is not None else None
        self.s_nn = np.zeros(inp.n)
        self.t_nn = np.zeros(inp.m)
        self.s_nn_cum, self.t_nn_cum = _cum(self.s_nn), _cum(self.t_nn)
        self.lo, self.hi = full_windows(inp.n, inp.m)
        self._dots: dict[tuple[int, int], tuple[int, np.ndarray]] = {}
        # neural cosines that replace the summed-vector ones for some beads
        # (from encoding the concatenated text): row i -> {(a, b, j): cosine}
        self.cos_override: dict[int, dict[tuple[int, int, int], float]] = {}

    # -- band and margins ---------------------------------------------------
    def set_band(self, lo: np.ndarray, hi: np.ndarray) -> None:
        self.lo, self.hi = lo, hi
        self._dots.clear()

    def set_margins(self, src_nn: np.ndarray, tgt_nn: np.ndarray) -> None:
        self.s_nn, self.t_nn = src_nn, tgt_nn
        self.s_nn_cum, self.t_nn_cum = _cum(src_nn), _cum(tgt_nn)

    def _dot_row(self, vi: int, s: int) -> tuple[int, np.ndarray]:
        """Dot products of source segment s with every target segment that a
        bead containing s may use (kept for the next max_src rows)."""
        key = (vi, s)
        got = self._dots.get(key)
        if got is None:
            n, m = self.inp.n, self.inp.m
            start = max(int(self.lo[s + 1]) - self.bmax, 0)
            end = min(int(self.hi[min(s + self.amax, n)]), m)
            view = self.views[vi]
            got = (start, (view.tgt[start:end] @ view.src[s]).astype(np.float64))
            self._dots[key] = got
            self._dots.pop((vi, s - self.amax - 1), None)
        return got

    def one_to_one_cos(self, i: int, lo: int, hi: int) -> np.ndarray:
        start, row = self._dot_row(0, i)
        tn = self.tnorm[0][1][lo + 1:hi + 1]
        sn = self.snorm[0][1][i + 1]
        return row[lo - start:hi - start] / np.sqrt(np.maximum(tn * sn, 1e-12))

    # -- features -----------------------------------------------------------
    def length_residual(self, ls, lt):
        """(log length ratio of beads with ls source and lt target characters,
        less the document's; the factor by which its variance grows for a
        short bead). The ratio of short beads varies more, as in Gale-Church,
        where the variance grows as the length shrinks; size is in mean
        segments of the document."""
        r = np.log((ls + self.s_c) / (lt + self.t_c)) - self.len_mu
        if not self.p.len_short:
            return r, 1.0
        size = 0.5 * (ls / self.s_mean + lt / self.t_mean)
        return r, 1.0 + self.p.len_short / np.maximum(size, 0.05)

    def features(self, i: int, js: np.ndarray, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        """Feature stack (len(FEATURES), S, W) of the beads (A[s], B[s]) ending
        at source prefix i and target prefixes js. Beads must fit (js >= B)."""
        S, W = len(A), len(js)
        F = np.zeros((len(FEATURES), S, W))
        jlo = max(int(js[0]) - int(B.max()), 0)
        jhi = int(js[-1])
        amax = int(A.max())
        end = (js - jlo)[None, :]
        start = np.maximum(end - B[:, None], 0)
        startj = np.maximum(js[None, :] - B[:, None], 0)
        for vi in range(len(self.sum_views)):
            dots = np.empty((amax, jhi - jlo))
            for k in range(amax):  # source rows i-1, i-2, ...
                s0, row = self._dot_row(vi, i - 1 - k)
                dots[k] = row[jlo - s0:jhi - s0]
            c = np.zeros((amax, jhi - jlo + 1))
            np.cumsum(np.cumsum(dots, axis=0), axis=1, out=c[:, 1:])
            ca = c[A - 1]  # (S, W'+1)
            dot = np.take_along_axis(ca, np.broadcast_to(end, (S, W)), 1) - np.take_along_axis(ca, start, 1)
            tn = self.tnorm[vi][B[:, None], js[None, :]]
            sn = self.snorm[vi][A, i][:, None]
            denom = np.sqrt(np.maximum(tn * sn, 1e-12))
            cs = np.where((tn > 1e-9) & (sn > 1e-9), dot / denom, 0.0)
            F[0 if vi == 0 else 1] = cs
        over = self.cos_override.get(i)
        if over:
            pos = {(a, b): k for k, (a, b) in enumerate(zip(A.tolist(), B.tolist()))}
            j0, W = int(js[0]), len(js)
            for (a, b, j), c in over.items():
                k, w = pos.get((a, b)), j - j0
                if k is not None and 0 <= w < W and js[w] == j:
                    F[0, k, w] = c
        r, allowance = self.length_residual((self.s_len[i] - self.s_len[i - A])[:, None],
                                            self.t_len[js][None, :] - self.t_len[startj])
        F[2] = -(r * r) / (2 * self.p.len_sigma ** 2 * allowance)
        F[3] = -0.5 * ((self.s_nn_cum[i] - self.s_nn_cum[i - A])[:, None] / A[:, None]
                       + (self.t_nn_cum[js][None, :] - self.t_nn_cum[startj]) / B[:, None])
        F[4] = F[0] * (A + B - 2)[:, None]
        qs = (self.s_quote[i] - self.s_quote[i - A])[:, None] > 0
        qt = (self.t_quote[js][None, :] - self.t_quote[startj]) > 0
        F[5] = -(qs != qt).astype(np.float64)
        # boundaries inside the bead: the segment before ends weakly (a comma, a colon) or strongly
        ws = (self.s_weak[i - 1] - self.s_weak[i - A])[:, None]
        wt = self.t_weak[js - 1][None, :] - self.t_weak[startj]
        weak = ws + wt
        F[6] = weak
        F[7] = -((A + B - 2)[:, None] - weak)
        if self.use_heads:
            hs = (self.s_head[i] - self.s_head[i - A])[:, None]
            ht = self.t_head[js][None, :] - self.t_head[startj]
            pure = (hs > 0) & (ht > 0) & (hs == A[:, None]) & (ht == B[:, None])
            F[8] = pure
            F[9] = -(((hs > 0) | (ht > 0)) & ~pure).astype(np.float64)
        if self.edge_views:
            # the bead's first segments start alike, its last segments end alike
            hv, tv = self.edge_views
            s0, row = self._dot_row(tv, i - 1)
            F[11] = row[js - 1 - s0][None, :]
            for a in np.unique(A).tolist():
                s0, row = self._dot_row(hv, i - a)
                k = np.nonzero(A == a)[0]
                F[12, k] = row[np.maximum(js[None, :] - B[k][:, None] - s0, 0)]
        if self.s_qb is not None:
            # a bead opens and closes as many quotations on each side
            bs = (self.s_qb[i] - self.s_qb[i - A])[:, None]
            bt = self.t_qb[js][None, :] - self.t_qb[startj]
            F[10] = -np.abs(bs - bt)
        if self.inp.src.q_end is not None and self.inp.tgt.q_end is not None:
            # a bead ends at the end of a quotation on both sides or on neither
            F[13] = -(self.inp.src.q_end[i - 1] != self.inp.tgt.q_end[js - 1]).astype(np.float64)[None, :]
        return F

    def row(self, i: int, js: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(shape indices, scores (S, W)) of the beads ending at row i, targets js;
        NEG where a bead does not fit."""
        fit = self.A <= i
        idx = np.nonzero(fit)[0]
        A, B = self.A[idx], self.B[idx]
        F = self.features(i, js, A, B)
        q = np.tensordot(self.weights, F, axes=1) + self.bias[idx][:, None]
        q = np.where(js[None, :] >= B[:, None], q, NEG)
        return idx, q, F

    def skip_scores(self, side: str, idx: np.ndarray) -> np.ndarray:
        """Score of leaving segments idx unaligned (1:0 source side, 0:1 target side)."""
        nn = self.s_nn[idx] if side == "src" else self.t_nn[idx]
        return -self.skip - self.skip_nn * nn


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
    lo[1:] = np.minimum(lo[1:], hi[:-1])  # consecutive rows share a column
    return lo, hi


def margins(scorer: Scorer, lo: np.ndarray, hi: np.ndarray, k: int):
    """(source, target): mean of the k best 1:1 cosines of each segment within
    the band; and the (i, j, cosine) of the segments that are each other's most
    similar there (from the same cosines)."""
    n, m = scorer.inp.n, scorer.inp.m
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
        cs = scorer.one_to_one_cos(i, a, b)
        kk = min(k, len(cs))
        src_nn[i] = np.mean(np.partition(cs, len(cs) - kk)[len(cs) - kk:])
        v = cs.copy()
        for t in range(k):
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
    mutual = [(i, int(src_best[i]), float(src_best_cos[i])) for i in range(n)
              if src_best[i] >= 0 and tgt_best[src_best[i]] == i]
    return src_nn, tgt_nn, mutual


@dataclass
class PathBead:
    a: int
    b: int
    i: int  # source prefix at the end of the bead
    j: int
    score: float
    evidence: np.ndarray | None = None  # see EVIDENCE (a, b >= 1)
    # how much better the best way into (i, j) was than the best other last bead
    margin: float = float("inf")


def search(scorer: Scorer, lo: np.ndarray, hi: np.ndarray,
           progress: Callable[..., None] | None = None) -> list[PathBead]:
    """Best monotone path of beads from (0, 0) to (n, m) inside the band."""
    p = scorer.p
    n, m = scorer.inp.n, scorer.inp.m
    S = len(scorer.shapes)
    C10, C01 = S, S + 1
    width = (hi - lo + 1).astype(np.int64)
    wmax = int(width.max())
    dpbuf = np.full((n + 1, wmax), NEG)
    back = np.full((n + 1, wmax), -1, dtype=np.int16)
    qbuf = np.zeros((n + 1, wmax), dtype=np.float32)
    mbuf = np.full((n + 1, wmax), np.inf, dtype=np.float32)
    ebuf = np.zeros((n + 1, wmax, len(EVIDENCE)), dtype=np.float32)
    allow10 = p.allow_skip
    step = max(1, n // 50)
    for i in range(n + 1):
        l, h = int(lo[i]), int(hi[i])
        w = h - l + 1
        js = np.arange(l, h + 1)
        cand = np.full(w, NEG)
        second = np.full(w, NEG)  # the best candidate with another last bead
        code = np.full(w, -1, dtype=np.int16)
        qrow = np.zeros(w)
        if i == 0:
            if l == 0:
                cand[0] = 0.0
        else:
            idx, q, F = scorer.row(i, js)
            A, B = scorer.A[idx], scorer.B[idx]
            pi = i - A
            col = js[None, :] - B[:, None] - lo[pi][:, None]
            ok = (col >= 0) & (col <= (hi[pi] - lo[pi])[:, None]) & (q > NEG / 2)
            prev = dpbuf[pi[:, None], np.clip(col, 0, wmax - 1)]
            val = np.where(ok, prev + q, NEG)
            best = np.argmax(val, axis=0)
            cand = val[best, np.arange(w)]
            if len(val) > 1:
                second = np.partition(val, len(val) - 2, axis=0)[len(val) - 2]
            code = np.where(cand > NEG / 2, idx[best], -1).astype(np.int16)
            qrow = q[best, np.arange(w)]
            ebuf[i, :w] = evidence(F[:, best, np.arange(w)]).T
            if allow10:
                pl, ph = int(lo[i - 1]), int(hi[i - 1])
                c = js - pl
                okc = (c >= 0) & (c <= ph - pl)
                s10 = float(scorer.skip_scores("src", np.array([i - 1]))[0])
                v10 = np.where(okc, dpbuf[i - 1, np.clip(c, 0, wmax - 1)] + s10, NEG)
                better = okc & (v10 > cand)
                second = np.maximum(second, np.where(better, cand, v10))
                cand = np.where(better, v10, cand)
                code = np.where(better, C10, code).astype(np.int16)
                qrow = np.where(better, s10, qrow)
        if allow10 and w > 1:
            # 0:1 beads within the row: dp[j] = max_k cand[k] + sum of skip scores of targets k..j-1
            s01 = np.zeros(w)
            s01[1:] = scorer.skip_scores("tgt", js[1:] - 1)
            cs = np.cumsum(s01)
            run = np.full(w, NEG)  # ending with a 0:1 bead that starts in this row
            run[1:] = np.maximum.accumulate(cand - cs)[:-1] + cs[1:]
            left = run > cand + 1e-9
            second = np.where(left, cand, np.maximum(second, run))
            qrow = np.where(left, s01, qrow)
            cand = np.where(left, run, cand)
            code = np.where(left, C01, code).astype(np.int16)
        dpbuf[i, :w] = cand
        back[i, :w] = code
        qbuf[i, :w] = qrow
        mbuf[i, :w] = np.where(second > NEG / 2, cand - second, np.inf)
        if progress is not None and i % step == 0:
            progress(min(step, n + 1 - i))
    path: list[PathBead] = []
    i, j = n, m
    while i > 0 or j > 0:
        col = j - int(lo[i])
        c = int(back[i, col])
        if c < 0:
            raise RuntimeError(f"alignment search found no path at ({i}, {j})")
        a, b = scorer.shapes[c] if c < S else ((1, 0) if c == C10 else (0, 1))
        ev = ebuf[i, col].astype(np.float64) if a and b else np.zeros(len(EVIDENCE))
        path.append(PathBead(a, b, i, j, float(qbuf[i, col]), margin=float(mbuf[i, col]), evidence=ev))
        i, j = i - a, j - b
    path.reverse()
    return path


def path_features(scorer: Scorer, beads: list[tuple[int, int, int, int]]) -> dict[str, np.ndarray]:
    """Summed features of a path given as (a, b, i, j) beads (for learning weights)."""
    shape_idx = {s: k for k, s in enumerate(scorer.shapes)}
    feats = np.zeros(len(FEATURES))
    shape_counts: dict[tuple[int, int], int] = {}
    skip = np.zeros(2)  # count, sum of nn
    for a, b, i, j in beads:
        if a and b:
            A, B = np.array([a]), np.array([b])
            if (a, b) not in shape_idx:
                continue  # a shape the search cannot produce
            F = scorer.features(i, np.array([j]), A, B)
            feats += F[:, 0, 0]
            shape_counts[(a, b)] = shape_counts.get((a, b), 0) + 1
        else:
            nn = scorer.s_nn[i - 1] if a else scorer.t_nn[j - 1]
            skip += (1, nn)
    del shape_idx
    return {"features": feats, "shapes": shape_counts, "skip": skip}
