"""The aligner's parameters, with defaults per segmentation level.

What each default is worth on mac-dev (strict F1 with and without it, and
when it was chosen) is in bench/README.md, not here.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from ..errors import UsageError


@dataclass(frozen=True)
class AlignParams:
    """Every knob of the aligner, one line each on what it does.

    A bead of ``a`` source and ``b`` target segments (a, b >= 1) scores
    ``sum(w_<name> * feature <name>)`` over the features of features.py,
    plus its shape bias; an omission (1:0) or addition (0:1) scores
    ``-(skip + skip_nn * neighbour similarity)``. The search picks the path
    of beads with the highest total.
    """

    # -- bead shapes: 1 <= a <= max_src, 1 <= b <= max_tgt, a + b <= max_total
    max_src: int = 5  # most source segments in one bead
    max_tgt: int = 5  # most target segments in one bead
    max_total: int = 6  # most segments in one bead, both sides together
    allow_skip: bool = True  # also allow omissions (1:0) and additions (0:1)
    # -- a bead's vector
    len_weight: float = 0.0  # segment vectors weighted by length ** len_weight in a bead's sum (0: a plain sum)
    # -- feature weights (features.py says what each feature measures)
    w_cos: float = 1.0  # cosine of the bead's summed neural vectors
    w_lex: float = 0.4  # cosine of its summed dictionary vectors
    w_len: float = 0.2  # the length model's log-likelihood of its length ratio
    # the length model behind w_len (length.py)
    len_sigma: float = 0.38  # spread of the log length ratio (less the document's) for a bead of mean size
    len_short: float = 1.0  # its variance grows by (1 + len_short / bead size in mean segments)
    len_adapt: float = 1.0  # len_sigma scaled by (this document's spread / len_spread_ref) ** len_adapt (0: fixed)
    len_spread_ref: float = 0.23  # the document spread at which len_sigma stays as it is (mac-dev's typical one)
    len_spread_cos: float = 0.5  # the spread is measured on mutual best 1:1 pairs with at least this cosine
    len_sigma_min: float = 0.3  # lower bound of the scaled len_sigma
    len_sigma_max: float = 0.8  # upper bound of the scaled len_sigma
    # (feature weights, continued)
    w_nn: float = 0.3  # minus the mean neighbour similarity of its segments (a margin)
    w_cos_extra: float = 0.1  # the cosine again, once per segment beyond a 1:1
    w_quote: float = 0.0  # minus 1 where only one side has quotation marks
    w_weak_inside: float = 0.0  # boundaries inside the bead after a weak end (comma, colon)
    w_strong_inside: float = 0.0  # minus the other boundaries inside the bead
    w_head_pure: float = 0.5  # 1 for a bead of headings only, on both sides
    w_head_mixed: float = 0.5  # minus 1 for a bead that mixes headings with other segments
    w_edge_tail: float = 0.2  # cosine of the last clauses of the bead's last segments
    w_edge_head: float = 0.1  # cosine of the first clauses of the bead's first segments
    w_qend: float = 0.05  # minus 1 where one side's last segment ends a quotation and the other's does not
    w_qbal: float = 0.05  # minus |quotations opened - closed, source vs target|
    w_marker_inside: float = 1.0  # minus the segments past a bead's first that start with a structural marker
    # -- shape biases: -bead_cost - merge_penalty * (a + b - 2) unless shape_biases names the shape
    merge_penalty: float = 0.1  # per segment beyond a 1:1
    bead_cost: float = 0.15  # per a:b bead: more, smaller beads are not better in themselves
    shape_biases: tuple = ()  # ((a, b, bias), ...): these shapes' biases instead
    # -- omissions and additions, and the neighbour similarity
    skip: float = 0.42  # a 1:0 / 0:1 bead scores -(skip + skip_nn * the segment's neighbour similarity)
    skip_nn: float = 0.0  # see skip
    margin_k: int = 4  # a segment's neighbour similarity: the mean of its margin_k best 1:1 cosines in the band
    # -- confidence (confidence.py): the probability that a bead is right
    calibration: str = "use"  # calibration/<name>.json turns bead evidence into confidences: use or lexical
    unrelated_below: float = 0.35  # warn that a translation looks unrelated below this mean confidence
    # -- search (band.py)
    dense_limit: int = 1_500_000  # search every cell up to this many (n + 1) * (m + 1); beyond, a band
    coarse_size: int = 600  # the coarse pass that places the band works on about this many blocks a side
    band: int = 24  # the band reaches this many segments (at least two coarse blocks) either side of the coarse path
    # -- second pass at the search's close calls (refine.py)
    refine: bool = True  # look again where two neighbouring beads were a close call
    refine_margin: float = 0.3  # a close call: the best other last bead into their end came within this
    refine_max: int = 8  # largest union (a + b) of two neighbouring beads looked at again
    refine_mix: float = 0.5  # cosine used = summed + refine_mix * (joined text's - summed) - refine_shift
    refine_shift: float = 0.02  # a joined text's cosine runs higher than a sum's, right or wrong
    w_clause: float = 0.5  # weight of how well a bead's clauses are placed (refine.clause_placement)
    # -- inputs
    lexical: bool = True  # add dictionary vectors (CC-CEDICT) as a second view next to a neural encoder's

    @classmethod
    def for_level(cls, level: str = "sentence", **overrides) -> "AlignParams":
        """The defaults for ``sentence`` or ``clause`` segments, with ``overrides``."""
        if level not in ("sentence", "clause"):
            raise UsageError(f"unknown level {level!r} (choose sentence or clause)")
        # clauses are reordered within sentences: larger beads, and fewer, are right more
        # often, and where a bead's content starts and ends says little (no edge features)
        base = cls() if level == "sentence" else cls(max_src=6, max_tgt=6, max_total=8, bead_cost=0.25,
                                                      merge_penalty=0.05, w_edge_tail=0.0, w_edge_head=0.0,
                                                      len_sigma=0.45, len_adapt=0.0)
        known = {f.name for f in fields(cls)}
        bad = sorted(set(overrides) - known)
        if bad:
            raise UsageError(f"unknown aligner parameter(s): {', '.join(bad)}")
        return replace(base, **overrides)

    def bead_shapes(self) -> list[tuple[int, int]]:
        """Every (a, b) a bead may have: the a:b shapes, then 1:0 and 0:1 where allowed."""
        shapes = [(a, b) for a in range(1, self.max_src + 1) for b in range(1, self.max_tgt + 1)
                  if a + b <= self.max_total]
        return shapes + ([(1, 0), (0, 1)] if self.allow_skip else [])

    def shape_bias(self, a: int, b: int) -> float:
        """The score an a:b bead gets for its shape alone."""
        for sa, sb, v in self.shape_biases:
            if (sa, sb) == (a, b):
                return float(v)
        return -self.bead_cost - self.merge_penalty * (a + b - 2)

    def feature_weight(self, feature: str) -> float:
        """The weight of a bead feature, by its name (features.FEATURES)."""
        return float(getattr(self, f"w_{feature}"))

    def as_dict(self) -> dict:
        d = asdict(self)
        d["shape_biases"] = [list(x) for x in self.shape_biases]
        return d
