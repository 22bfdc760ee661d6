"""How sure the aligner is of each bead: the probability that it is right.

A bead's confidence is the probability that it is exactly right: for an a:b
bead, that it is a bead of a hand alignment; for an omission (1:0) or an
addition (0:1), that its segment truly has no counterpart. It comes from the
bead's evidence (``BeadEvidence``, every value by name) through a
``Calibrator``: three small logistic regressions stored as data in
``calibration/<name>.json`` with their version, the feature names, what they
were fitted on and when (``bench/bench_calibration.py --write`` refits them
on mac-dev; bench/README.md records the held-out figures).

- ``aligned``: P(an a:b bead is right | the text here is a translation), from
  the DP's margin (how close the best other way into the bead's end, or the
  next bead's, came);
- ``related``: P(the text here is a translation at all), from the mean cosine
  of the beads around it; an a:b bead's confidence is the two multiplied, so
  an unrelated text's beads are doubtful however clear-cut its path;
- ``null``: P(the segment of a 1:0 or 0:1 bead has no counterpart), from how
  much better the best path around it is than the best one that gives the
  segment a partner (``partner_margin``; with the lexical encoder, from its
  margin and how much a neighbouring bead would gain by taking it in). It
  was fitted with margins as the default skip score makes them; a bead found
  with another skip has them restated (``restate``).

``AlignParams.calibration`` names the calibrator: ``use`` (the default; also
for ``st:`` models, whose cosines were not calibrated separately) or
``lexical`` (align_pair picks it for the dictionary encoder, whose cosines
run on another scale).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Sequence

import numpy as np

from . import features

if TYPE_CHECKING:
    from .dp import PathBead
    from .scorer import Scorer

# what the search keeps of an a:b bead's features (PathBead.evidence): the
# cosine, the cosine minus the neighbour similarity, the dictionary cosine
# and the length term
EVIDENCE = ("cos", "cos_nn", "lex", "len")

_COS, _NN, _LEX, _LEN = (features.index(name) for name in ("cos", "nn", "lex", "len"))

MARGIN_CAP = 1.0  # margins beyond this say nothing more (and a margin with no rival is infinite)
LOCAL_WINDOW = 5  # local_cos: the a:b beads this many beads either side of a bead, and the bead
PARTNER_WINDOW = 2  # partner_margin: paths through the beads this many beads either side of a 1:0 or 0:1
FORMAT = "align-calibration/1"
# a 1:0 or 0:1 bead's evidence that its skip score is part of: score differences
# between a path with the bead and one without it
RESTATED = ("margin", "partner_margin")


def evidence(F: np.ndarray) -> np.ndarray:
    """EVIDENCE rows from a feature stack (len(FEATURES), ...)."""
    return np.stack([F[_COS], F[_COS] + F[_NN], F[_LEX], F[_LEN]])


def bead_kind(a: int, b: int) -> str:
    """``aligned`` (both sides), ``omission`` (no target) or ``addition`` (no source)."""
    return "aligned" if a and b else ("omission" if a else "addition")


@dataclass(frozen=True)
class BeadEvidence:
    """What a bead's confidence is computed from, by name (a calibrator's
    ``features`` name these fields)."""

    kind: str  # aligned, omission or addition
    cos: float  # an a:b bead's neural cosine (the joined text's where refine measured it); 0 for 1:0, 0:1
    cos_nn: float  # the cosine minus its segments' mean neighbour similarity; 0 for 1:0, 0:1
    lex: float  # the dictionary cosine; 0 for 1:0, 0:1 and without a dictionary view
    len: float  # the length model's log-likelihood of the length ratio; 0 for 1:0, 0:1
    nn: float  # neighbour similarity: the segment's (1:0, 0:1), its segments' mean (a:b)
    margin: float  # min(the search's margin into the bead's end, into the next bead's end), at most MARGIN_CAP
    local_cos: float  # mean cosine of the a:b beads within LOCAL_WINDOW beads (0 where there is none)
    gain: float  # 1:0, 0:1: the largest rise of a neighbouring a:b bead's summed-vector cosine
    # if it took the segment in (0 where no neighbour is an a:b bead); 0 for a:b beads
    partner_margin: float  # 1:0, 0:1: how much better the best path through the PARTNER_WINDOW beads
    # either side scores than the best one there that gives the segment a partner, at most
    # MARGIN_CAP; 0 for a:b beads
    size: int  # segments beyond a 1:1 (a + b - 2); -1 for 1:0, 0:1

    def value(self, name: str) -> float:
        """The evidence called ``name`` (a field other than ``kind``)."""
        if name not in FEATURE_NAMES:
            raise KeyError(f"no bead evidence called {name!r} (have {', '.join(FEATURE_NAMES)})")
        return float(getattr(self, name))


FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(BeadEvidence) if f.name != "kind")


def _cos(x: np.ndarray, y: np.ndarray) -> float:
    d = float(np.linalg.norm(x) * np.linalg.norm(y))
    return float(x @ y) / d if d > 1e-12 else 0.0


def bead_evidence(path: Sequence["PathBead"], scorer: "Scorer") -> list[BeadEvidence]:
    """The evidence of every bead of a path found with ``scorer``."""
    nb = scorer.neighbours
    src, tgt = scorer.inputs.neural.src.astype(np.float64), scorer.inputs.neural.tgt.astype(np.float64)
    aligned = np.array([bool(pb.a and pb.b) for pb in path])
    cos = np.array([float(pb.evidence[0]) if ok else 0.0 for pb, ok in zip(path, aligned)])
    margins = [min(pb.margin, MARGIN_CAP) for pb in path]
    corners = [(pb.i - pb.a, pb.j - pb.b) for pb in path] + ([(path[-1].i, path[-1].j)] if path else [])
    out = []
    for k, pb in enumerate(path):
        lo, hi = max(0, k - LOCAL_WINDOW), min(len(path), k + LOCAL_WINDOW + 1)
        near = aligned[lo:hi]
        local = float(cos[lo:hi][near].mean()) if near.any() else 0.0
        margin = min(margins[k], margins[k + 1]) if k + 1 < len(path) else margins[k]
        kind = bead_kind(pb.a, pb.b)
        if kind == "aligned":
            c, c_nn, lex, ln = (float(x) for x in pb.evidence)
            out.append(BeadEvidence(kind, c, c_nn, lex, ln, nn=c - c_nn, margin=margin, local_cos=local, gain=0.0,
                                    partner_margin=0.0, size=pb.a + pb.b - 2))
            continue
        seg = src[pb.i - 1] if pb.a else tgt[pb.j - 1]
        gains = []
        for q in (k - 1, k + 1):
            if 0 <= q < len(path) and aligned[q]:
                s = src[path[q].i - path[q].a:path[q].i].sum(axis=0)
                t = tgt[path[q].j - path[q].b:path[q].j].sum(axis=0)
                gains.append((_cos(s + seg, t) if pb.a else _cos(s, t + seg)) - _cos(s, t))
        nn = float(nb.src_nn[pb.i - 1] if pb.a else nb.tgt_nn[pb.j - 1])
        start = corners[max(0, k - PARTNER_WINDOW)]
        end = corners[min(len(path), k + 1 + PARTNER_WINDOW)]
        out.append(BeadEvidence(kind, 0.0, 0.0, 0.0, 0.0, nn=nn, margin=margin, local_cos=local,
                                gain=max(gains) if gains else 0.0,
                                partner_margin=_partner_margin(scorer, pb, start, end), size=-1))
    return out


def _partner_margin(scorer: "Scorer", pb: "PathBead", start: tuple[int, int], end: tuple[int, int]) -> float:
    """How much better the best path from ``start`` to ``end`` is than the
    best one there in which the 1:0 or 0:1 bead ``pb``'s segment is part of
    an a:b bead (at most MARGIN_CAP: also where no such path is left)."""
    from .refine import best_total, region_steps

    steps = region_steps(scorer, start, end)
    c = steps.corners
    if pb.a:  # the segment: source i - 1; its omissions go from row i - 1 to row i
        leave_out = (c[:, 0] == pb.i - 1) & (c[:, 2] == pb.i) & (c[:, 1] == c[:, 3])
    else:
        leave_out = (c[:, 1] == pb.j - 1) & (c[:, 3] == pb.j) & (c[:, 0] == c[:, 2])
    partnered = best_total(steps, start, end, ~leave_out)
    if not np.isfinite(partnered):
        return MARGIN_CAP
    return float(min(best_total(steps, start, end) - partnered, MARGIN_CAP))


def restate(ev: BeadEvidence, skip: float, to_skip: float) -> BeadEvidence:
    """A 1:0 or 0:1 bead's evidence, found with skip score ``skip``, as
    ``to_skip`` would have made it: its margins less what the cheaper skip
    saved (approximately: as if one such bead made the difference). a:b
    beads are returned unchanged."""
    if ev.kind == "aligned" or skip == to_skip:
        return ev
    return replace(ev, **{name: getattr(ev, name) - (to_skip - skip) for name in RESTATED})


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


@dataclass(frozen=True)
class Logistic:
    """sigmoid(sum(weights[k] * evidence features[k]) + bias)."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float

    def __post_init__(self) -> None:
        if len(self.features) != len(self.weights):
            raise ValueError(f"{len(self.features)} features but {len(self.weights)} weights")
        unknown = [f for f in self.features if f not in FEATURE_NAMES]
        if unknown:
            raise ValueError(f"unknown bead evidence {', '.join(unknown)} (have {', '.join(FEATURE_NAMES)})")

    def logit(self, ev: BeadEvidence) -> float:
        return sum(w * ev.value(f) for f, w in zip(self.features, self.weights)) + self.bias

    def __call__(self, ev: BeadEvidence) -> float:
        return _sigmoid(self.logit(ev))

    def weight(self, name: str) -> float:
        """The weight of the feature ``name`` (0 where it is not used)."""
        return dict(zip(self.features, self.weights)).get(name, 0.0)

    @classmethod
    def from_dict(cls, d: dict) -> "Logistic":
        return cls(tuple(d["features"]), tuple(float(w) for w in d["weights"]), float(d["bias"]))

    def as_dict(self) -> dict:
        return {"features": list(self.features), "weights": list(self.weights), "bias": self.bias}


@dataclass(frozen=True)
class Calibrator:
    """Turns bead evidence into a probability that the bead is right (the
    module docstring says how); a value read from calibration/<name>.json."""

    name: str
    version: str
    date: str
    training: str  # what it was fitted on, in words
    skip: float  # the skip score (AlignParams.skip) the null model's margins are stated at
    aligned: Logistic
    related: Logistic
    null: Logistic

    def confidence(self, ev: BeadEvidence, skip: float | None = None) -> float:
        """P(this bead is right) in [0, 1]. ``skip``: the skip score the bead
        was found with, where it is not ``self.skip`` (a 1:0 or 0:1 bead's
        margins are then restated, see ``restate``)."""
        if ev.kind == "aligned":
            return self.aligned(ev) * self.related(ev)
        return self.null(ev if skip is None else restate(ev, skip, self.skip))

    @property
    def label(self) -> str:
        """``name/version``, as the signature records it."""
        return f"{self.name}/{self.version}"

    @classmethod
    def from_dict(cls, d: dict) -> "Calibrator":
        if d.get("format") != FORMAT:
            raise ValueError(f"not a calibrator ({FORMAT}): format {d.get('format')!r}")
        want = {"margin_cap": MARGIN_CAP, "local_window": LOCAL_WINDOW, "partner_window": PARTNER_WINDOW}
        if d.get("evidence") != want:
            raise ValueError(f"calibrator {d.get('name')!r} was fitted on evidence {d.get('evidence')}, "
                             f"this code computes {want}: refit it (bench/bench_calibration.py --write)")
        m = d["models"]
        return cls(str(d["name"]), str(d["version"]), str(d["date"]), str(d["training"]), float(d["skip"]),
                   Logistic.from_dict(m["aligned"]), Logistic.from_dict(m["related"]), Logistic.from_dict(m["null"]))

    def as_dict(self, **extra) -> dict:
        """The JSON form (``extra``: more top-level keys, e.g. held-out figures)."""
        return {"format": FORMAT, "name": self.name, "version": self.version, "date": self.date,
                "training": self.training, "skip": self.skip,
                "evidence": {"margin_cap": MARGIN_CAP, "local_window": LOCAL_WINDOW, "partner_window": PARTNER_WINDOW},
                "models": {"aligned": self.aligned.as_dict(), "related": self.related.as_dict(),
                           "null": self.null.as_dict()}, **extra}


CALIBRATORS = ("use", "lexical")  # those shipped in calibration/


@lru_cache(maxsize=None)
def load_calibrator(name: str = "use") -> Calibrator:
    """The shipped calibrator ``name`` (see CALIBRATORS)."""
    if name not in CALIBRATORS:
        from ..errors import UsageError

        raise UsageError(f"unknown calibration {name!r} (choose {' or '.join(CALIBRATORS)})")
    text = resources.files(__package__).joinpath("calibration", f"{name}.json").read_text(encoding="utf-8")
    return Calibrator.from_dict(json.loads(text))


def confidences(path: Sequence["PathBead"], scorer: "Scorer", calibrator: Calibrator) -> list[float]:
    """Per bead of the path: the probability that it is right."""
    return [calibrator.confidence(ev, scorer.params.skip) for ev in bead_evidence(path, scorer)]
