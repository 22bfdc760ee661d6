"""The length model: how likely a bead's length ratio is, and how much
lengths vary in this document.

As in Gale and Church, the log length ratio of a bead (less the
document's) is taken as normal, with a variance that grows as the bead
shrinks. A free translation's lengths vary more than a close one's, so the
spread is measured per document, on segments that are each other's most
similar, before the search.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .inputs import Inputs
from .params import AlignParams
from .similarity import Neighbours


def _total(length: np.ndarray) -> float:
    """The sum of the lengths, added up in order (as the features' running sums are)."""
    return float(np.cumsum(np.asarray(length, dtype=np.float64))[-1]) if len(length) else 0.0


@dataclass(frozen=True)
class LengthModel:
    """The document's length statistics and the spread ``sigma``."""

    mu: float  # log ratio of the two sides' total lengths
    src_smooth: float  # added to a bead's source length (a tenth of a mean segment, at least 1)
    tgt_smooth: float
    src_mean: float  # mean segment length, at least 1
    tgt_mean: float
    short: float  # len_short
    sigma: float  # len_sigma

    @classmethod
    def of(cls, inp: Inputs, p: AlignParams) -> "LengthModel":
        s_total, t_total = _total(inp.src.length), _total(inp.tgt.length)
        return cls(mu=float(np.log((s_total + 1.0) / (t_total + 1.0))),
                   src_smooth=max(1.0, 0.1 * s_total / max(inp.n, 1)),
                   tgt_smooth=max(1.0, 0.1 * t_total / max(inp.m, 1)),
                   src_mean=max(1.0, s_total / max(inp.n, 1)), tgt_mean=max(1.0, t_total / max(inp.m, 1)),
                   short=p.len_short, sigma=p.len_sigma)

    def residual(self, ls, lt):
        """Log length ratio of beads with ``ls`` source and ``lt`` target
        characters, less the document's."""
        return np.log((ls + self.src_smooth) / (lt + self.tgt_smooth)) - self.mu

    def allowance(self, ls, lt):
        """The factor by which a bead's variance grows for its size: short
        beads' ratios vary more. Size is in mean segments of the document."""
        if not self.short:
            return 1.0
        size = 0.5 * (ls / self.src_mean + lt / self.tgt_mean)
        return 1.0 + self.short / np.maximum(size, 0.05)

    def log_likelihood(self, ls, lt):
        """The bead feature: -r^2 / (2 sigma^2 allowance), r the residual."""
        r = self.residual(ls, lt)
        return -(r * r) / (2 * self.sigma ** 2 * self.allowance(ls, lt))


def document_sigma(model: LengthModel, neighbours: Neighbours, inp: Inputs, p: AlignParams) -> float:
    """The length spread for this document: len_sigma * (spread /
    len_spread_ref) ** len_adapt within [len_sigma_min, len_sigma_max], where
    the spread is the median absolute deviation (scaled to a standard
    deviation) of the length residuals, each divided by the root of its
    allowance, of the mutual best pairs with a cosine of at least
    len_spread_cos. len_sigma itself where fewer than 20 pairs are that sure."""
    sure = neighbours.pair_cos >= p.len_spread_cos
    if int(sure.sum()) < 20:
        return p.len_sigma
    ls, lt = inp.src.length[neighbours.pair_src[sure]], inp.tgt.length[neighbours.pair_tgt[sure]]
    spread = 1.4826 * float(np.median(np.abs(model.residual(ls, lt)) / np.sqrt(model.allowance(ls, lt))))
    return float(np.clip(p.len_sigma * (spread / p.len_spread_ref) ** p.len_adapt, p.len_sigma_min, p.len_sigma_max))
