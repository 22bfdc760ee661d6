"""How sure the aligner is of each bead, calibrated to [0, 1].

An a:b bead's confidence is a logistic regression of "this bead is exactly
right" on four of its features (EVIDENCE), fitted on mac-dev beads plus the
beads of mismatched chapters (unrelated texts); AlignParams.conf_weights
holds the weights and the bias. An omission or addition is sure when its
segment has no good partner nearby.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

import numpy as np

from . import features
from .similarity import Neighbours

if TYPE_CHECKING:
    from .dp import PathBead

# what an a:b bead's confidence is computed from: the cosine, the cosine
# minus the neighbour similarity, the dictionary cosine and the length term
EVIDENCE = ("cos", "cos_minus_nn", "lex", "len")

_COS, _NN, _LEX, _LEN = (features.index(name) for name in ("cos", "nn", "lex", "len"))


def evidence(F: np.ndarray) -> np.ndarray:
    """EVIDENCE rows from a feature stack (len(FEATURES), ...)."""
    return np.stack([F[_COS], F[_COS] + F[_NN], F[_LEX], F[_LEN]])


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def confidences(path: Sequence["PathBead"], neighbours: Neighbours, conf_weights: Sequence[float]) -> list[float]:
    """Per bead of the path: sigmoid(w . evidence + bias) for an a:b bead;
    for a 1:0 or 0:1 bead, 1 - sigmoid(8 (nn - 0.45)) of its segment's
    neighbour similarity nn."""
    if not path:
        return []
    cw = np.asarray(conf_weights, dtype=np.float64)
    logits = np.stack([pb.evidence for pb in path]) @ cw[:4] + cw[4]
    out = []
    for pb, logit in zip(path, logits):
        if pb.a and pb.b:
            out.append(_sigmoid(float(logit)))
        else:
            nn = neighbours.src_nn[pb.i - 1] if pb.a else neighbours.tgt_nn[pb.j - 1]
            out.append(1.0 - _sigmoid(8.0 * (nn - 0.45)))
    return out
