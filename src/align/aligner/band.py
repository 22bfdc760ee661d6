"""The search band: which target prefixes each source prefix may meet.

Chapter-sized inputs are searched in full. For long ones a coarse pass
aligns block sums of the vectors (about ``coarse_size`` blocks a side), and
the search keeps to a band around that path, so time and memory grow
linearly with the length.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from .inputs import Inputs, Side, View
from .params import AlignParams

if TYPE_CHECKING:
    from .dp import PathBead


@dataclass(frozen=True)
class Band:
    """Source prefix ``i`` meets target prefixes ``lo[i] .. hi[i]`` (both included)."""

    lo: np.ndarray
    hi: np.ndarray

    @classmethod
    def full(cls, n: int, m: int) -> "Band":
        """Every target prefix for every source prefix."""
        return cls(np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64))

    @classmethod
    def monotone(cls, lo: np.ndarray, hi: np.ndarray, m: int) -> "Band":
        """The band made monotone, anchored at (0, 0) and (n, m), rows overlapping."""
        lo = np.clip(lo, 0, m).astype(np.int64)
        hi = np.clip(hi, 0, m).astype(np.int64)
        lo = np.minimum.accumulate(lo[::-1])[::-1].copy()
        hi = np.maximum.accumulate(hi)
        lo[0] = 0
        hi[-1] = m
        hi = np.maximum(hi, lo)
        lo[1:] = np.minimum(lo[1:], hi[:-1])  # consecutive rows share a column
        return cls(lo, hi)

    @property
    def cells(self) -> int:
        """How many (i, j) cells the search visits."""
        return int(np.sum(self.hi - self.lo + 1))


def _block_sum(x: np.ndarray, f: int) -> np.ndarray:
    """Sums of ``f`` consecutive rows, L2-normalised."""
    n = len(x)
    k = math.ceil(n / f)
    pad = np.zeros((k * f - n, x.shape[1]), dtype=x.dtype)
    s = np.concatenate([x, pad]).reshape(k, f, x.shape[1]).sum(axis=1)
    norms = np.linalg.norm(s, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return (s / norms).astype(np.float32)


def _block_len(x: np.ndarray, f: int) -> np.ndarray:
    """Sums of ``f`` consecutive lengths."""
    k = math.ceil(len(x) / f)
    return np.concatenate([x, np.zeros(k * f - len(x))]).reshape(k, f).sum(axis=1)


CoarseSearch = Callable[[Inputs, AlignParams], Sequence["PathBead"]]  # the best path, searched in full


def search_band(inp: Inputs, p: AlignParams, coarse_search: CoarseSearch) -> Band:
    """The band for these inputs: everything up to ``dense_limit`` cells; else
    ``band`` segments (at least two blocks) either side of the path that
    ``coarse_search`` finds on blocks of segments (vectors summed, lengths
    added), with small beads, no dictionary view and a fixed length spread."""
    n, m = inp.n, inp.m
    if (n + 1) * (m + 1) <= p.dense_limit or min(n, m) < 4:
        return Band.full(n, m)
    fs = max(1, math.ceil(n / p.coarse_size))
    ft = max(1, math.ceil(m / p.coarse_size))
    v = inp.neural
    coarse = Inputs(neural=View(_block_sum(v.src, fs), _block_sum(v.tgt, ft)), lexical=None,
                    src=Side.plain(_block_len(inp.src.length, fs)), tgt=Side.plain(_block_len(inp.tgt.length, ft)))
    # the coarse pass is always searched in full: a dense_limit below its own
    # grid would send it down this path again, without end
    cp = AlignParams(max_src=2, max_tgt=2, max_total=4, w_lex=0.0, w_nn=0.0, skip=p.skip,
                     w_len=p.w_len, len_sigma=p.len_sigma, len_adapt=0.0, merge_penalty=0.0,
                     dense_limit=max(p.dense_limit, (math.ceil(n / fs) + 1) * (math.ceil(m / ft) + 1)),
                     coarse_size=p.coarse_size)
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    for pb in coarse_search(coarse, cp):
        s0, s1 = min((pb.i - pb.a) * fs, n), min(pb.i * fs, n)
        t0, t1 = min((pb.j - pb.b) * ft, m), min(pb.j * ft, m)
        lo[s0:s1 + 1] = np.minimum(lo[s0:s1 + 1], t0)
        hi[s0:s1 + 1] = np.maximum(hi[s0:s1 + 1], t1)
    w = max(p.band, 2 * ft)
    return Band.monotone(lo - w, hi + w, m)
