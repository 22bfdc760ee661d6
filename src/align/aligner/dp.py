"""The search: the best monotone path of beads from (0, 0) to (n, m).

Dynamic programming over m:n beads inside the band, row by row (source
prefix ``i``) over the target prefixes ``band.lo[i] .. band.hi[i]``. All a:b
beads ending in a row are scored in a few vectorised operations
(``Scorer.score``); omissions (1:0) come from the row above, additions (0:1)
from the left in the same row. Besides the best way into each cell, the
search keeps how far the best way with another last bead was behind: the
second pass (refine.py) looks again where that margin was small.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import features
from .confidence import EVIDENCE, evidence
from .scorer import NEG, Scorer


@dataclass(frozen=True)
class PathBead:
    """One bead of a path: a source and b target segments, ending at (i, j)."""

    a: int
    b: int
    i: int  # source prefix at the end of the bead
    j: int  # target prefix at the end of the bead
    score: float
    evidence: np.ndarray  # see confidence.EVIDENCE (zeros for 1:0 and 0:1 beads)
    # how much better the best way into (i, j) was than the best other last bead
    margin: float = float("inf")


def search(scorer: Scorer, progress: Callable[..., None] | None = None) -> list[PathBead]:
    """Best monotone path of beads from (0, 0) to (n, m) inside the scorer's band."""
    p = scorer.params
    lo, hi = scorer.band.lo, scorer.band.hi
    n, m = scorer.inputs.n, scorer.inputs.m
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
            scores = scorer.score(i, js, scorer.fitting(i))
            idx, q = scores.shapes, scores.total
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
            ebuf[i, :w] = evidence(scores.features[:, best, np.arange(w)]).T
            if allow10:
                pl, ph = int(lo[i - 1]), int(hi[i - 1])
                c = js - pl
                okc = (c >= 0) & (c <= ph - pl)
                s10 = float(scorer.omissions(np.array([i - 1]))[0])
                v10 = np.where(okc, dpbuf[i - 1, np.clip(c, 0, wmax - 1)] + s10, NEG)
                better = okc & (v10 > cand)
                second = np.maximum(second, np.where(better, cand, v10))
                cand = np.where(better, v10, cand)
                code = np.where(better, C10, code).astype(np.int16)
                qrow = np.where(better, s10, qrow)
        if allow10 and w > 1:
            # 0:1 beads within the row: dp[j] = max_k cand[k] + sum of skip scores of targets k..j-1
            s01 = np.zeros(w)
            s01[1:] = scorer.additions(js[1:] - 1)
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


@dataclass(frozen=True)
class PathFeatures:
    """A path's summed bead features, for learning weights (bench/learn.py)."""

    features: np.ndarray  # per feature (features.FEATURES order), summed over the a:b beads
    shapes: dict[tuple[int, int], int]  # how many a:b beads of each shape
    skips: int  # how many 1:0 and 0:1 beads
    skip_nn: float  # the sum of their segments' neighbour similarities


def path_features(scorer: Scorer, beads: list[tuple[int, int, int, int]]) -> PathFeatures:
    """Summed features of a path given as (a, b, i, j) beads; a:b beads of a
    shape the search cannot produce are left out."""
    index = {s: k for k, s in enumerate(scorer.shapes)}
    total = np.zeros(len(features.FEATURES))
    counts: dict[tuple[int, int], int] = {}
    skips, skip_nn = 0, 0.0
    for a, b, i, j in beads:
        if a and b:
            if (a, b) not in index:
                continue
            total += scorer.score(i, np.array([j]), np.array([index[(a, b)]])).features[:, 0, 0]
            counts[(a, b)] = counts.get((a, b), 0) + 1
        else:
            skips += 1
            skip_nn += float(scorer.neighbours.src_nn[i - 1] if a else scorer.neighbours.tgt_nn[j - 1])
    return PathFeatures(total, counts, skips, skip_nn)
