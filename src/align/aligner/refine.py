"""The second pass: a closer look where the search had a close call.

Where the search's best other last bead into the end of two neighbouring
beads came within ``refine_margin`` of the one it took, every multi-segment
bead inside their union gets the cosine of its joined text (blended with
the summed one), and a score for how well its clauses are placed; then the
best path through that region is chosen again. The rest of the path stays.
USE builds joined vectors from each segment's cached pooled row
(embed.use_pool), so this costs no new encoding; other encoders encode the
joined texts.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Sequence

import numpy as np

from .confidence import EVIDENCE, evidence
from .dp import PathBead
from .features import JoinedCosines
from .scorer import Scorer

# (source spans, target spans) as (start, end) segment ranges -> their joined texts' vectors
SpanEncoder = Callable[[list, list], tuple[np.ndarray, np.ndarray]]
Corner = tuple[int, int]  # (source prefix, target prefix)
_CHUNK = 1024  # candidate beads whose float64 span vectors are held at once (4 x 4 MB)


@dataclass(frozen=True)
class Clauses:
    """Per segment of each side, the vectors of its clauses (k, dim)."""

    src: Sequence[np.ndarray]
    tgt: Sequence[np.ndarray]


@dataclass(frozen=True)
class Region:
    """The path beads ``first .. last`` and the rectangle they span."""

    first: int
    last: int
    start: Corner
    end: Corner


@dataclass(frozen=True)
class Steps:
    """The beads inside a region, as parallel arrays: bead k goes from corner
    (corners[k, 0], corners[k, 1]) to (corners[k, 2], corners[k, 3])."""

    corners: np.ndarray  # (N, 4) int: source and target prefix at its start, then at its end
    score: np.ndarray  # (N,)
    evidence: np.ndarray  # (N, len(EVIDENCE)); zeros for 1:0 and 0:1 beads


StepsOf = Callable[[Scorer, Region], Steps]  # every bead inside a region, scored (see _steps)


def refine(scorer: Scorer, path: list[PathBead], encode_spans: SpanEncoder,
           clauses: Clauses | None = None, steps_of: StepsOf | None = None) -> list[PathBead]:
    """The path, chosen again inside each region of close calls; ``steps_of``
    (default ``_steps``) scores the beads of a region (small.region_steps
    for a small problem)."""
    steps_of = steps_of or _steps
    p = scorer.params
    verts = [(0, 0)] + [(pb.i, pb.j) for pb in path]
    close = [k for k in range(len(path) - 1)
             if 3 <= (verts[k + 2][0] - verts[k][0]) + (verts[k + 2][1] - verts[k][1]) <= p.refine_max
             and path[k + 1].margin < p.refine_margin]
    cands = _candidates(scorer, [Region(k, k + 1, verts[k], verts[k + 2]) for k in close])
    if not len(cands):
        return path
    scorer = scorer.with_joined(_joined_cosines(scorer, cands, encode_spans))
    new: list[PathBead] = []
    done = 0
    for region in _regions(close, verts):
        new.extend(path[done:region.first])
        steps = steps_of(scorer, region)
        if p.w_clause and clauses is not None:
            steps = _with_clause_placement(steps, region, clauses, scorer, p.w_clause)
        new.extend(_best_path(steps, region.start, region.end))
        done = region.last + 1
    new.extend(path[done:])
    return new


def _candidates(scorer: Scorer, pairs: list[Region]) -> np.ndarray:
    """(N, 4): source start, source end, target start, target end of every
    bead of a + b >= 3 segments inside the rectangle of each close pair
    (each bead once, in order)."""
    shapes = {(a, b) for a, b in scorer.params.bead_shapes() if a and b and a + b >= 3}
    lo, hi = scorer.band.lo, scorer.band.hi
    cands: set[tuple[int, int, int, int]] = set()
    for pair in pairs:
        (i0, j0), (i2, j2) = pair.start, pair.end
        for si in range(i0, i2):
            for ei in range(si + 1, i2 + 1):
                for sj in range(max(j0, int(lo[si])), min(j2, int(hi[si])) + 1):
                    for ej in range(max(sj + 1, int(lo[ei])), min(j2, int(hi[ei])) + 1):
                        if (ei - si, ej - sj) in shapes:
                            cands.add((si, ei, sj, ej))
    return np.array(sorted(cands), dtype=np.int64).reshape(-1, 4)


def _span_sums(x: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Rows x[start:end] summed, for each (start, end) pair (short spans)."""
    out = np.zeros((len(start), x.shape[1]), dtype=np.float64)
    for k in range(int((end - start).max(initial=0))):
        take = start + k < end
        out[take] += x[start[take] + k]
    return out


def _span_vectors(start: np.ndarray, end: np.ndarray, at: dict, vecs: np.ndarray, single: np.ndarray) -> np.ndarray:
    """Per (start, end): the joined vector of a multi-segment span (row
    ``at[(start, end)]`` of ``vecs``), the segment's own vector for one segment."""
    rows = np.array([at.get(span, -1) for span in zip(start.tolist(), end.tolist())], dtype=np.int64)
    out = single[start].astype(np.float64)
    multi = rows >= 0
    if multi.any():
        out[multi] = vecs[rows[multi]]
    return out


def _joined_cosines(scorer: Scorer, cands: np.ndarray, encode_spans: SpanEncoder) -> JoinedCosines:
    """The cosine each candidate bead (rows as in _candidates) uses: summed +
    refine_mix * (joined - summed) - refine_shift, from its joined texts' vectors."""
    p, neural = scorer.params, scorer.inputs.neural
    src_spans = sorted({(s0, s1) for s0, s1 in cands[:, :2].tolist() if s1 - s0 > 1})
    tgt_spans = sorted({(t0, t1) for t0, t1 in cands[:, 2:].tolist() if t1 - t0 > 1})
    sv, tv = encode_spans(src_spans, tgt_spans)
    src_at = {sp: k for k, sp in enumerate(src_spans)}
    tgt_at = {sp: k for k, sp in enumerate(tgt_spans)}
    by_end: dict[int, dict[tuple[int, int, int], float]] = {}
    for first in range(0, len(cands), _CHUNK):  # a book has tens of thousands
        C = cands[first:first + _CHUNK]
        c = np.einsum("ij,ij->i", _span_vectors(C[:, 0], C[:, 1], src_at, sv, neural.src),
                      _span_vectors(C[:, 2], C[:, 3], tgt_at, tv, neural.tgt))
        if p.refine_mix != 1.0:
            xs, ys = _span_sums(neural.src, C[:, 0], C[:, 1]), _span_sums(neural.tgt, C[:, 2], C[:, 3])
            norms = np.maximum(np.linalg.norm(xs, axis=1) * np.linalg.norm(ys, axis=1), 1e-12)
            summed = np.einsum("ij,ij->i", xs, ys) / norms
            c = summed + p.refine_mix * (c - summed)
        c -= p.refine_shift  # a concatenation's cosine runs higher than a sum's, right or wrong
        for (s0, s1, t0, t1), value in zip(C.tolist(), c.tolist()):
            by_end.setdefault(s1, {})[(s1 - s0, t1 - t0, t1)] = value
    return JoinedCosines(by_end)


def _regions(close: list[int], verts: list[Corner]) -> list[Region]:
    """Runs of overlapping close pairs (path beads k, k + 1) as regions."""
    runs: list[list[int]] = []
    for k in close:
        if runs and k <= runs[-1][1] + 1:
            runs[-1][1] = k
        else:
            runs.append([k, k])
    return [Region(k0, k1 + 1, verts[k0], verts[k1 + 2]) for k0, k1 in runs]


def _steps(scorer: Scorer, region: Region) -> Steps:
    """Every bead (a:b, 1:0, 0:1) inside the region's rectangle and the band,
    row by row (in each row the a:b beads, then 1:0, then 0:1)."""
    (i0, j0), (i2, j2) = region.start, region.end
    lo, hi = scorer.band.lo, scorer.band.hi
    skip = scorer.params.allow_skip
    corners: list[np.ndarray] = []
    score: list[np.ndarray] = []
    ev: list[np.ndarray] = []

    def add(si, sj, ei, ej, q, e=None) -> None:
        corners.append(np.stack(np.broadcast_arrays(si, sj, ei, ej), axis=1).astype(np.int64))
        score.append(np.asarray(q, dtype=np.float64))
        ev.append(np.zeros((len(score[-1]), len(EVIDENCE))) if e is None else e)

    for i in range(i0, i2 + 1):
        jl, jh = max(j0, int(lo[i])), min(j2, int(hi[i]))
        if jh < jl:
            continue
        if i > i0:
            js = np.arange(max(jl, j0 + 1), jh + 1)
            sel = np.nonzero((scorer.A <= i - i0) & (scorer.B <= j2 - j0))[0]
            if len(js) and len(sel):
                scores = scorer.score(i, js, sel)
                A, B = scorer.A[sel], scorer.B[sel]
                start = js[None, :] - B[:, None]  # where each bead starts on the target side
                fits = (start >= j0) & (start >= lo[i - A][:, None]) & (start <= hi[i - A][:, None])
                k, w = np.nonzero(fits)
                add(i - A[k], js[w] - B[k], i, js[w], scores.total[k, w], evidence(scores.features)[:, k, w].T)
            if skip:
                j = np.arange(jl, jh + 1)
                j = j[(lo[i - 1] <= j) & (j <= hi[i - 1])]
                add(i - 1, j, i, j, np.full(len(j), float(scorer.omissions(np.array([i - 1]))[0])))
        if skip:
            j = np.arange(max(jl + 1, j0 + 1), jh + 1)
            add(i, j - 1, i, j, scorer.additions(j - 1))
    if not corners:
        return Steps(np.zeros((0, 4), dtype=np.int64), np.zeros(0), np.zeros((0, len(EVIDENCE))))
    return Steps(np.concatenate(corners), np.concatenate(score), np.concatenate(ev))


def _range_max(S: np.ndarray) -> np.ndarray:
    """R[r, a, b] = max(S[r, a:b]) for a < b, -inf where a >= b."""
    n = S.shape[1]
    R = np.full((S.shape[0], n + 1, n + 1), -np.inf)
    for a in range(n):
        R[:, a, a + 1:] = np.maximum.accumulate(S[:, a:], axis=1)
    return R


def _placement(S: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """P[k, a, b]: for the first k rows of S (clauses of one side), the summed
    weight x (best similarity among columns a:b - best among the other
    columns), each term 0 where its columns are none."""
    R = _range_max(S)
    n = S.shape[1]
    inside = np.where(np.isfinite(R), R, 0.0)
    outside = np.maximum(R[:, 0, :][:, :, None], R[:, :, n][:, None, :])  # before a, from b on
    outside = np.where(np.isfinite(outside), outside, 0.0)
    P = np.zeros((S.shape[0] + 1, n + 1, n + 1))
    np.cumsum(weight[:, None, None] * (inside - outside), axis=0, out=P[1:])
    return P


def clause_placement(corners: np.ndarray, region: Region, clauses: Clauses, src_length: np.ndarray,
                     tgt_length: np.ndarray) -> np.ndarray:
    """Per bead (``corners`` as in Steps), how well its clauses are placed:
    for every clause of its segments, its best similarity to a clause of the
    bead's other side minus its best to a clause of the other side's segments
    outside the bead (within the region), weighted by the clause's share of
    its side's length; both sides added up. Where a translation moved a
    clause across a sentence boundary, only the bead that holds both
    sentences places it well."""
    (i0, j0), (i2, j2) = region.start, region.end
    zc, ec = list(clauses.src[i0:i2]), list(clauses.tgt[j0:j2])
    if not zc or not ec:
        return np.zeros(len(corners))
    Z, E = np.concatenate(zc), np.concatenate(ec)
    zw = np.concatenate([np.full(len(c), src_length[i0 + k] / len(c)) for k, c in enumerate(zc)])
    ew = np.concatenate([np.full(len(c), tgt_length[j0 + k] / len(c)) for k, c in enumerate(ec)])
    zstart = np.concatenate([[0], np.cumsum([len(c) for c in zc])])  # first clause of each segment
    estart = np.concatenate([[0], np.cumsum([len(c) for c in ec])])
    S = (Z @ E.T).astype(np.float64)
    P = _placement(S, zw / zw.sum())
    Q = _placement(S.T, ew / ew.sum())
    za, zb = zstart[corners[:, 0] - i0], zstart[corners[:, 2] - i0]
    ca, cb = estart[corners[:, 1] - j0], estart[corners[:, 3] - j0]
    return (P[zb, ca, cb] - P[za, ca, cb]) + (Q[cb, za, zb] - Q[ca, za, zb])


def _with_clause_placement(steps: Steps, region: Region, clauses: Clauses, scorer: Scorer, weight: float) -> Steps:
    """The steps with ``weight`` x their clause placement (the two sides'
    mean) added to their scores."""
    place = 0.5 * weight * clause_placement(steps.corners, region, clauses, scorer.inputs.src.length,
                                            scorer.inputs.tgt.length)
    return replace(steps, score=steps.score + place)


def region_steps(scorer: Scorer, start: Corner, end: Corner) -> Steps:
    """Every bead from corner ``start`` to ``end`` (inside that rectangle and
    the band), scored as the search scores them."""
    return _steps(scorer, Region(0, 0, start, end))


def best_total(steps: Steps, start: Corner, end: Corner, keep: np.ndarray | None = None) -> float:
    """The best total score of a path of ``steps`` (those ``keep`` marks, a
    bool per step, where given) from ``start`` to ``end``; -inf where there
    is none."""
    corners = steps.corners if keep is None else steps.corners[keep]
    score = steps.score if keep is None else steps.score[keep]
    best: dict[Corner, float] = {start: 0.0}
    for k in np.lexsort((corners[:, 3], corners[:, 2])).tolist():  # by end corner: starts come first
        si, sj, ei, ej = corners[k].tolist()
        if (si, sj) in best:
            total = best[(si, sj)] + float(score[k])
            if total > best.get((ei, ej), -np.inf):
                best[(ei, ej)] = total
    return best.get(end, -np.inf)


def _best_path(steps: Steps, start: Corner, end: Corner) -> list[PathBead]:
    """Best monotone path of steps from ``start`` to ``end`` (on ties, the
    step that comes first). Each bead's ``margin`` is, as in the search, how
    far the best way into its end with another last step was behind."""
    corners = steps.corners.tolist()
    score = steps.score.tolist()
    into: dict[Corner, list[int]] = {}
    for k, (_, _, ei, ej) in enumerate(corners):
        into.setdefault((ei, ej), []).append(k)
    best: dict[Corner, tuple[float, int]] = {start: (0.0, -1)}  # corner: (best total, last step)
    margin: dict[Corner, float] = {}
    for v in sorted(into):
        cands = [(best[(si, sj)][0] + score[k], k) for k in into[v]
                 for si, sj, _, _ in [corners[k]] if (si, sj) in best]
        if cands:
            best[v] = max(cands, key=lambda c: c[0])
            others = [total for total, k in cands if k != best[v][1]]
            margin[v] = best[v][0] - max(others) if others else float("inf")
    out = []
    v = end
    while v != start:
        k = best[v][1]
        si, sj, ei, ej = corners[k]
        out.append(PathBead(ei - si, ej - sj, ei, ej, score[k], evidence=steps.evidence[k], margin=margin[v]))
        v = (si, sj)
    return out[::-1]
