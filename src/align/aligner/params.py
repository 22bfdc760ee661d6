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
    # bead quality q = cos + w_lex*lex_cos - margin*neighbour_sim + w_len*length_term
    #                  + heading terms - merge_penalty*(a+b-2);
    # bead score = ((a+b)/2)**coverage * q; a 1:0/0:1 bead scores -skip.
    w_lex: float = 0.25
    margin: float = 0.5
    margin_k: int = 4
    w_len: float = 0.12
    len_sigma: float = 0.45
    merge_penalty: float = 0.04
    coverage: float = 1.0
    skip: float = 0.05
    heading_bonus: float = 0.5
    heading_penalty: float = 0.5
    # confidence = sigmoid(conf_slope * (q - conf_mid))
    conf_slope: float = 12.0
    conf_mid: float = 0.25
    unrelated_below: float = 0.35
    # search: full DP up to dense_limit cells, else a coarse pass and a band
    dense_limit: int = 1_500_000
    coarse_size: int = 600
    band: int = 24
    # lexical (dictionary) evidence needs CC-CEDICT + jieba: on by default
    lexical: bool = True

    @classmethod
    def for_level(cls, level: str = "sentence", **overrides) -> "AlignParams":
        if level not in ("sentence", "clause"):
            raise UsageError(f"unknown level {level!r} (choose sentence or clause)")
        base = cls() if level == "sentence" else cls(max_src=6, max_tgt=6, max_total=8)
        known = {f.name for f in fields(cls)}
        bad = sorted(set(overrides) - known)
        if bad:
            raise UsageError(f"unknown aligner parameter(s): {', '.join(bad)}")
        return replace(base, **overrides)

    def bead_shapes(self) -> list[tuple[int, int]]:
        shapes = [(a, b) for a in range(1, self.max_src + 1) for b in range(1, self.max_tgt + 1)
                  if a + b <= self.max_total]
        return shapes + [(1, 0), (0, 1)]

    def as_dict(self) -> dict:
        return asdict(self)
