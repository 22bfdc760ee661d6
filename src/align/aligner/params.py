"""The aligner's parameters, with defaults per segmentation level."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from ..errors import UsageError


@dataclass(frozen=True)
class AlignParams:
    # bead shapes: a source segments with b target segments, 1 <= a <= max_src,
    # 1 <= b <= max_tgt, a + b <= max_total, plus the omission/addition 1:0, 0:1
    max_src: int = 5
    max_tgt: int = 5
    max_total: int = 6
    allow_skip: bool = True
    # bead score = sum of w_<feature> * feature (see dp.FEATURES) + shape bias;
    # shape bias = -bead_cost - merge_penalty * (a + b - 2) unless shape_biases names it
    len_weight: float = 0.0  # segment vectors weighted by length**len_weight in a bead's sum
    w_cos: float = 1.0
    w_lex: float = 0.4
    w_len: float = 0.2
    len_sigma: float = 0.38
    len_short: float = 1.0  # length-ratio variance len_sigma^2 * (1 + len_short / bead size in mean segments)
    # a free translation's lengths vary more than a close one's: len_sigma is
    # scaled by (this document's spread / len_spread_ref) ** len_adapt, where the
    # spread is measured on segments that are each other's most similar with a
    # cosine >= len_spread_cos (pair._adapted_sigma); +1.0 point strict F1 on
    # mac-dev, leave-one-chapter-out (bench/README.md)
    len_adapt: float = 1.0
    len_spread_ref: float = 0.23
    len_spread_cos: float = 0.5
    len_sigma_min: float = 0.3
    len_sigma_max: float = 0.8
    w_nn: float = 0.3
    w_cos_extra: float = 0.1
    w_quote: float = 0.0
    w_weak_inside: float = 0.0
    w_strong_inside: float = 0.0
    w_head_pure: float = 0.5
    w_head_mixed: float = 0.5
    # cosine of the first clauses of a bead's first segments and of the last
    # clauses of its last segments (embed.encode_edges): where content starts and ends
    w_edge_tail: float = 0.2
    w_edge_head: float = 0.1
    w_qend: float = 0.05  # minus 1 where one side's last segment ends a quotation and the other's does not
    w_qbal: float = 0.05  # minus |quotations opened - closed, source vs target| in the bead
    merge_penalty: float = 0.1
    bead_cost: float = 0.15  # per a:b bead: more, smaller beads are not better in themselves
    shape_biases: tuple = ()  # ((a, b, bias), ...)
    # a 1:0 / 0:1 bead scores -(skip + skip_nn * the segment's best 1:1 similarity)
    skip: float = 0.42
    skip_nn: float = 0.0
    margin_k: int = 4
    # confidence of an a:b bead (a, b >= 1) = sigmoid(w . [cos, cos - neighbour similarity,
    # lexical cos, length term] + bias): logistic regression of "bead exactly right" on
    # mac-dev beads plus beads of mismatched chapters (unrelated texts)
    conf_weights: tuple = (12.03, -1.19, 5.93, 0.49, -4.50)
    # the same fitted for the lexical encoder alone (its cosines are on another scale)
    conf_weights_lexical: tuple = (17.48, -0.65, 0.0, 0.83, -1.95)
    unrelated_below: float = 0.35
    # search: full DP up to dense_limit cells, else a coarse pass and a band
    dense_limit: int = 1_500_000
    coarse_size: int = 600
    band: int = 24
    # second pass: where the search's best other last bead into the end of two
    # neighbouring beads came within refine_margin of the one it took, move the
    # cosine of every multi-segment bead inside their union towards the cosine
    # of its joined text, and choose again there. USE builds joined vectors from
    # each segment's cached pooled row (embed.use_pool), so this costs no new
    # encoding; other encoders encode the joined texts. +0.8 point strict F1 on
    # mac-dev (bench/README.md)
    refine: bool = True
    refine_margin: float = 0.3
    refine_max: int = 8  # largest union (a + b) of two neighbouring beads looked at
    refine_mix: float = 0.5  # cosine used = summed + refine_mix * (concatenated - summed) - refine_shift
    refine_shift: float = 0.02
    # there, each bead also scores how well its clauses are placed: every clause's
    # best cosine to a clause of the bead's other side minus its best to one
    # outside the bead (pair._clause_placement), times w_clause. +0.5 point
    w_clause: float = 0.5
    # lexical (dictionary) evidence needs CC-CEDICT + jieba
    lexical: bool = True

    @classmethod
    def for_level(cls, level: str = "sentence", **overrides) -> "AlignParams":
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
        shapes = [(a, b) for a in range(1, self.max_src + 1) for b in range(1, self.max_tgt + 1)
                  if a + b <= self.max_total]
        return shapes + ([(1, 0), (0, 1)] if self.allow_skip else [])

    def shape_bias(self, a: int, b: int) -> float:
        for sa, sb, v in self.shape_biases:
            if (sa, sb) == (a, b):
                return float(v)
        return -self.bead_cost - self.merge_penalty * (a + b - 2)

    def feature_weight(self, feature: str) -> float:
        return float(getattr(self, f"w_{feature}"))

    def as_dict(self) -> dict:
        d = asdict(self)
        d["shape_biases"] = [list(x) for x in self.shape_biases]
        return d
