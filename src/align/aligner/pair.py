"""Aligning one source with one translation."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Callable, Sequence

import numpy as np

from .. import __version__
from ..model import Alignment, Bead, Segment
from . import dp
from .params import AlignParams

Progress = Callable[..., None]


@dataclass
class VectorResult:
    beads: list[Bead]
    mean_confidence: float
    stats: dict


def _text_len(text: str) -> int:
    return sum(1 for c in text if not c.isspace()) or 1


def _block_sum(x: np.ndarray, f: int) -> np.ndarray:
    n = len(x)
    k = math.ceil(n / f)
    pad = np.zeros((k * f - n, x.shape[1]), dtype=x.dtype)
    s = np.concatenate([x, pad]).reshape(k, f, x.shape[1]).sum(axis=1)
    norms = np.linalg.norm(s, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return (s / norms).astype(np.float32)


def _block_len(x: np.ndarray, f: int) -> np.ndarray:
    k = math.ceil(len(x) / f)
    return np.concatenate([x, np.zeros(k * f - len(x))]).reshape(k, f).sum(axis=1)


_QUOTES = set("“”「」『』\"‘’'《》")
_STRONG_END = set("。！？!?….；;")
_CLOSERS = set("”」』\"’')）)]】")
_CLOSE_QUOTES = set("”」』’'\"")


def side_facts(texts: Sequence[str], lengths: Sequence[float] | None = None,
               heads: Sequence[bool] | None = None) -> dp.Side:
    """Per-segment facts the bead features use (see dp.FEATURES)."""
    length = np.asarray(lengths if lengths is not None else [_text_len(t) for t in texts], dtype=np.float64)
    quote = np.array([any(c in _QUOTES for c in t) for t in texts], dtype=bool)

    def weak(t: str) -> bool:
        t = t.rstrip()
        while t and t[-1] in _CLOSERS:
            t = t[:-1]
        return bool(t) and t[-1] not in _STRONG_END

    weak_end = np.array([weak(t) for t in texts], dtype=bool)
    head = np.zeros(len(texts), dtype=bool) if heads is None else np.asarray(heads, dtype=bool)
    q_end = np.array([t.rstrip()[-1:] in _CLOSE_QUOTES for t in texts], dtype=bool)
    return dp.Side(length, head, quote, weak_end, np.array([quote_balance(t) for t in texts], dtype=np.float64),
                   q_end)


_OPEN_Q = re.compile(r"[“「『‘]|(?:(?<=^)|(?<=[\s(\[—–-]))['\"](?=[\w“‘\"'.…])")
_CLOSE_Q = re.compile(r"[”」』’]|(?<=[.,!?…—–-])'(?=$|[\s)\]—–-])|(?<=[\w.,!?…—–-])\"(?=$|[\s)\]—–-])")


def quote_balance(text: str) -> int:
    """Opening minus closing quotation marks (straight quotes judged by their neighbours;
    an apostrophe inside a word counts as neither)."""
    t = text.strip()
    opens = len(_OPEN_Q.findall(t))
    closes = len(_CLOSE_Q.findall(t))
    return opens - closes


def _band(inp: dp.Inputs, p: AlignParams, progress: Progress | None) -> tuple[np.ndarray, np.ndarray]:
    """The search band: everything for short inputs; around a coarse path for long ones."""
    n, m = inp.n, inp.m
    if (n + 1) * (m + 1) <= p.dense_limit or min(n, m) < 4:
        return dp.full_windows(n, m)
    fs = max(1, math.ceil(n / p.coarse_size))
    ft = max(1, math.ceil(m / p.coarse_size))
    v = inp.neural
    coarse = dp.Inputs(neural=dp.View(_block_sum(v.src, fs), _block_sum(v.tgt, ft)), lexical=None,
                       src=dp.Side.plain(_block_len(inp.src.length, fs)),
                       tgt=dp.Side.plain(_block_len(inp.tgt.length, ft)))
    # the coarse pass is always searched in full: a dense_limit below its own
    # grid would send it down this path again, without end
    cp = AlignParams(max_src=2, max_tgt=2, max_total=4, w_lex=0.0, w_nn=0.0, skip=p.skip,
                     w_len=p.w_len, len_sigma=p.len_sigma, len_adapt=0.0, merge_penalty=0.0,
                     dense_limit=max(p.dense_limit, (math.ceil(n / fs) + 1) * (math.ceil(m / ft) + 1)),
                     coarse_size=p.coarse_size)
    path, _ = _solve(coarse, cp, None)
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    for pb in path:
        s0, s1 = min((pb.i - pb.a) * fs, n), min(pb.i * fs, n)
        t0, t1 = min((pb.j - pb.b) * ft, m), min(pb.j * ft, m)
        lo[s0:s1 + 1] = np.minimum(lo[s0:s1 + 1], t0)
        hi[s0:s1 + 1] = np.maximum(hi[s0:s1 + 1], t1)
    w = max(p.band, 2 * ft)
    return dp.fix_windows(lo - w, hi + w, m)


def _solve(inp: dp.Inputs, p: AlignParams, progress: Progress | None):
    lo, hi = _band(inp, p, progress)
    scorer = dp.Scorer(inp, p)
    scorer.set_band(lo, hi)
    src_nn, tgt_nn, mutual = dp.margins(scorer, lo, hi, p.margin_k)
    scorer.set_margins(src_nn, tgt_nn)
    if p.len_adapt:
        scorer.p = replace(p, len_sigma=_adapted_sigma(scorer, mutual))
    if progress is not None:
        progress(0, total=inp.n + 1, description="aligning")
    path = dp.search(scorer, lo, hi, progress)
    return path, scorer


SpanEncoder = Callable[[list, list], tuple[np.ndarray, np.ndarray]]


def _rect_beads(scorer: dp.Scorer, i0: int, j0: int, i2: int, j2: int) -> dict:
    """Score of every bead (a:b, 1:0, 0:1) inside the rectangle (i0, j0)-(i2, j2):
    {(start, end): (score, a, b, evidence)} with start/end (i, j) corners
    (evidence: see dp.EVIDENCE; None for 1:0/0:1)."""
    out = {}
    lo, hi = scorer.lo, scorer.hi
    skip = scorer.p.allow_skip
    for i in range(i0, i2 + 1):
        jl, jh = max(j0, int(lo[i])), min(j2, int(hi[i]))
        if jh < jl:
            continue
        if i > i0:
            js = np.arange(max(jl, j0 + 1), jh + 1)
            sel = np.nonzero((scorer.A <= i - i0) & (scorer.B <= j2 - j0))[0]
            if len(js) and len(sel):
                A, B = scorer.A[sel], scorer.B[sel]
                F = scorer.features(i, js, A, B)
                q = np.tensordot(scorer.weights, F, axes=1) + scorer.bias[sel][:, None]
                ev = dp.evidence(F)
                start = js[None, :] - B[:, None]  # where each bead starts on the target side
                fits = (start >= j0) & (start >= lo[i - A][:, None]) & (start <= hi[i - A][:, None])
                for k, w in zip(*np.nonzero(fits)):
                    a, b, j = int(A[k]), int(B[k]), int(js[w])
                    out[((i - a, j - b), (i, j))] = (float(q[k, w]), a, b, ev[:, k, w])
            if skip:
                s10 = float(scorer.skip_scores("src", np.array([i - 1]))[0])
                for j in range(jl, jh + 1):
                    if lo[i - 1] <= j <= hi[i - 1]:
                        out[((i - 1, j), (i, j))] = (s10, 1, 0, None)
        if skip:
            for j in range(max(jl + 1, j0 + 1), jh + 1):
                out[((i, j - 1), (i, j))] = (float(scorer.skip_scores("tgt", np.array([j - 1]))[0]), 0, 1, None)
    return out


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


def _clause_placement(beads: dict, i0: int, j0: int, i2: int, j2: int, clauses, lengths, w: float) -> None:
    """Add to each bead inside the rectangle how well its clauses are placed:
    for every clause of its segments, its best similarity to a clause of the
    bead's other side minus its best to a clause of the other side's segments
    outside the bead (within the rectangle), weighted by the clause's share of
    its side's length. Where a translation moved a clause across a sentence
    boundary, only the bead that holds both sentences places it well."""
    src_cl, tgt_cl = clauses
    zc, ec = src_cl[i0:i2], tgt_cl[j0:j2]
    if not zc or not ec:
        return
    Z, E = np.concatenate(zc), np.concatenate(ec)
    zw = np.concatenate([np.full(len(c), lengths[0][i0 + k] / len(c)) for k, c in enumerate(zc)])
    ew = np.concatenate([np.full(len(c), lengths[1][j0 + k] / len(c)) for k, c in enumerate(ec)])
    zstart = np.concatenate([[0], np.cumsum([len(c) for c in zc])])  # first clause of each segment
    estart = np.concatenate([[0], np.cumsum([len(c) for c in ec])])
    S = (Z @ E.T).astype(np.float64)
    P = _placement(S, zw / zw.sum())
    Q = _placement(S.T, ew / ew.sum())
    keys = list(beads)
    corners = np.array([(si, sj, ei, ej) for (si, sj), (ei, ej) in keys], dtype=np.int64).reshape(-1, 4)
    za, zb = zstart[corners[:, 0] - i0], zstart[corners[:, 2] - i0]
    ca, cb = estart[corners[:, 1] - j0], estart[corners[:, 3] - j0]
    place = 0.5 * w * ((P[zb, ca, cb] - P[za, ca, cb]) + (Q[cb, za, zb] - Q[ca, za, zb]))
    for key, extra in zip(keys, place.tolist()):
        q, a, b, ev = beads[key]
        beads[key] = (q + extra, a, b, ev)


def _best_in_rect(beads: dict, start: tuple[int, int], end: tuple[int, int]) -> list[dp.PathBead]:
    """Best monotone bead path from start to end over the given beads."""
    into: dict = {}
    for (u, v), (q, a, b, ev) in beads.items():
        into.setdefault(v, []).append((u, q, a, b, ev))
    best = {start: (0.0, None)}
    for v in sorted(into):
        cands = [(best[u][0] + q, (u, q, a, b, ev)) for u, q, a, b, ev in into[v] if u in best]
        if cands:
            best[v] = max(cands, key=lambda c: c[0])
    out = []
    v = end
    while v != start:
        u, q, a, b, ev = best[v][1]
        out.append(dp.PathBead(a, b, v[0], v[1], q, evidence=ev))
        v = u
    return out[::-1]


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


def _refine(scorer: dp.Scorer, path: list[dp.PathBead], p: AlignParams, encode_spans: SpanEncoder,
            inp: dp.Inputs, clauses=None) -> list[dp.PathBead]:
    """Where two neighbouring beads of the path were a close call (the search's
    best other last bead into their end came within refine_margin), re-score
    the multi-segment beads inside their union with the cosine of their joined
    text and choose again there (the rest of the path stays)."""
    verts = [(0, 0)] + [(pb.i, pb.j) for pb in path]
    shapes = {(a, b) for a, b in p.bead_shapes() if a and b and a + b >= 3}
    lo, hi = scorer.lo, scorer.hi
    cands: set[tuple[int, int, int, int]] = set()
    close = []
    for k in range(len(path) - 1):
        (i0, j0), (i2, j2) = verts[k], verts[k + 2]
        # the search's best other last bead into the end of the pair was close
        if not 3 <= (i2 - i0) + (j2 - j0) <= p.refine_max or path[k + 1].margin >= p.refine_margin:
            continue
        close.append(k)
        for si in range(i0, i2):
            for ei in range(si + 1, i2 + 1):
                for sj in range(max(j0, int(lo[si])), min(j2, int(hi[si])) + 1):
                    for ej in range(max(sj + 1, int(lo[ei])), min(j2, int(hi[ei])) + 1):
                        if (ei - si, ej - sj) in shapes:
                            cands.add((si, ei, sj, ej))
    if not cands:
        return path
    src_spans = sorted({(s0, s1) for s0, s1, _, _ in cands if s1 - s0 > 1})
    tgt_spans = sorted({(t0, t1) for _, _, t0, t1 in cands if t1 - t0 > 1})
    sv, tv = encode_spans(src_spans, tgt_spans)
    src_at = {sp: k for k, sp in enumerate(src_spans)}
    tgt_at = {sp: k for k, sp in enumerate(tgt_spans)}
    cands_sorted = sorted(cands)
    for first in range(0, len(cands_sorted), 4096):  # in chunks: a book has tens of thousands
        C = np.array(cands_sorted[first:first + 4096], dtype=np.int64)
        c = np.einsum("ij,ij->i", _span_vectors(C[:, 0], C[:, 1], src_at, sv, inp.neural.src),
                      _span_vectors(C[:, 2], C[:, 3], tgt_at, tv, inp.neural.tgt))
        if p.refine_mix != 1.0:
            xs, ys = _span_sums(inp.neural.src, C[:, 0], C[:, 1]), _span_sums(inp.neural.tgt, C[:, 2], C[:, 3])
            norms = np.maximum(np.linalg.norm(xs, axis=1) * np.linalg.norm(ys, axis=1), 1e-12)
            summed = np.einsum("ij,ij->i", xs, ys) / norms
            c = summed + p.refine_mix * (c - summed)
        c -= p.refine_shift  # a concatenation's cosine runs higher than a sum's, right or wrong
        for (s0, s1, t0, t1), value in zip(C.tolist(), c.tolist()):
            scorer.cos_override.setdefault(s1, {})[(s1 - s0, t1 - t0, t1)] = value
    # choose again inside each run of overlapping close pairs (path beads k .. k'+1)
    runs: list[list[int]] = []
    for k in close:
        if runs and k <= runs[-1][1] + 1:
            runs[-1][1] = k
        else:
            runs.append([k, k])
    new: list[dp.PathBead] = []
    done = 0
    for k0, k1 in runs:
        new.extend(path[done:k0])
        (i0, j0), (i2, j2) = verts[k0], verts[k1 + 2]
        rb = _rect_beads(scorer, i0, j0, i2, j2)
        if p.w_clause and clauses is not None:
            _clause_placement(rb, i0, j0, i2, j2, clauses, (inp.src.length, inp.tgt.length), p.w_clause)
        new.extend(_best_in_rect(rb, (i0, j0), (i2, j2)))
        done = k1 + 2
    new.extend(path[done:])
    return new


def _adapted_sigma(scorer: dp.Scorer, pairs: list[tuple[int, int, float]]) -> float:
    """The length model's spread for this document: a free translation's
    lengths vary more than a close one's. Measured on segments that are each
    other's most similar (cosine >= len_spread_cos), as the median absolute
    deviation of their length-ratio residuals (each scaled by its short-bead
    allowance); len_sigma * (that / len_spread_ref) ** len_adapt, within
    [len_sigma_min, len_sigma_max]. The default where too few pairs are sure."""
    p = scorer.p
    sure = [(i, j) for i, j, c in pairs if c >= p.len_spread_cos]
    if len(sure) < 20:
        return p.len_sigma
    i, j = np.array(sure).T
    r, allowance = scorer.length_residual(scorer.inp.src.length[i], scorer.inp.tgt.length[j])
    spread = 1.4826 * float(np.median(np.abs(r) / np.sqrt(allowance)))
    return float(np.clip(p.len_sigma * (spread / p.len_spread_ref) ** p.len_adapt, p.len_sigma_min, p.len_sigma_max))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def make_inputs(src_vecs, tgt_vecs, src_len, tgt_len, *, src_lex=None, tgt_lex=None, src_texts=None,
                tgt_texts=None, src_head=None, tgt_head=None, len_weight: float = 0.0,
                src_edges=None, tgt_edges=None) -> dp.Inputs:
    src_vecs = np.asarray(src_vecs, dtype=np.float32)
    tgt_vecs = np.asarray(tgt_vecs, dtype=np.float32)
    if len_weight:
        # a bead's vector is the sum of its segments' vectors weighted by length**len_weight,
        # closer to what encoding the concatenated text gives
        src_vecs = src_vecs * (np.asarray(src_len, dtype=np.float32)[:, None] ** len_weight)
        tgt_vecs = tgt_vecs * (np.asarray(tgt_len, dtype=np.float32)[:, None] ** len_weight)
    lex = None
    if src_lex is not None and tgt_lex is not None:
        lex = dp.View(np.asarray(src_lex, np.float32), np.asarray(tgt_lex, np.float32))
    heads = tails = None
    if src_edges is not None and tgt_edges is not None:  # (first-clause, last-clause) vectors per side
        heads = dp.View(np.asarray(src_edges[0], np.float32), np.asarray(tgt_edges[0], np.float32))
        tails = dp.View(np.asarray(src_edges[1], np.float32), np.asarray(tgt_edges[1], np.float32))
    return dp.Inputs(neural=dp.View(src_vecs, tgt_vecs), lexical=lex,
                     src=_side(src_texts, src_len, src_head), tgt=_side(tgt_texts, tgt_len, tgt_head),
                     heads=heads, tails=tails)


def _side(texts, lengths, heads) -> dp.Side:
    """Per-segment facts of one side: from the texts when there are any, else
    lengths (and heading marks) alone."""
    if texts is not None:
        return side_facts(texts, lengths, heads)
    side = dp.Side.plain(lengths)
    if heads is not None:
        side.head = np.asarray(heads, dtype=bool)
    return side


def align_vectors(src_vecs: np.ndarray, tgt_vecs: np.ndarray, src_len: Sequence[float], tgt_len: Sequence[float],
                  *, params: AlignParams | None = None, src_lex: np.ndarray | None = None,
                  tgt_lex: np.ndarray | None = None, src_texts: Sequence[str] | None = None,
                  tgt_texts: Sequence[str] | None = None, src_head: Sequence[bool] | None = None,
                  tgt_head: Sequence[bool] | None = None, progress: Progress | None = None,
                  encode_spans: SpanEncoder | None = None, src_edges=None, tgt_edges=None,
                  src_clauses=None, tgt_clauses=None) -> VectorResult:
    """Align two sequences given their vectors (rows L2-normalised) and lengths.

    The model-free core of the aligner: tests pass tiny hand-made vectors.
    ``src_texts``/``tgt_texts`` (optional) give punctuation and quotation
    features. ``encode_spans(src_spans, tgt_spans)`` (optional) encodes the
    concatenated text of (start, end) spans for the second pass (``refine``).
    ``src_clauses``/``tgt_clauses`` (optional): per segment, its clauses'
    vectors (k, dim) (embed.encode_clauses); they give the edge features
    (unless ``src_edges``/``tgt_edges`` are given) and, in the second pass,
    where each clause is best placed.
    Returns beads covering every index of both sides exactly once, in order.
    """
    from threadpoolctl import threadpool_limits

    from ..embed import edges_of

    p = params or AlignParams()
    n, m = len(src_vecs), len(tgt_vecs)
    clauses = None
    if src_clauses is not None and tgt_clauses is not None and n and m:
        clauses = ([np.asarray(c, np.float32) for c in src_clauses], [np.asarray(c, np.float32) for c in tgt_clauses])
        if src_edges is None or tgt_edges is None:
            src_edges, tgt_edges = edges_of(clauses[0], clauses[0][0].shape[1]), edges_of(clauses[1], clauses[1][0].shape[1])
    if n == 0 or m == 0:
        beads = [Bead((i,), (), 0.0, 0.0) for i in range(n)] + [Bead((), (j,), 0.0, 0.0) for j in range(m)]
        return VectorResult(beads, 0.0, {"cells": 0})
    inp = make_inputs(src_vecs, tgt_vecs, src_len, tgt_len, src_lex=src_lex if p.w_lex else None,
                      tgt_lex=tgt_lex if p.w_lex else None, src_texts=src_texts, tgt_texts=tgt_texts,
                      src_head=src_head, tgt_head=tgt_head, len_weight=p.len_weight,
                      src_edges=src_edges if p.w_edge_head or p.w_edge_tail else None, tgt_edges=tgt_edges)
    # small matrix-vector products: BLAS threads only add overhead (and are
    # dramatically slow on a loaded machine)
    with threadpool_limits(1, user_api="blas"):
        path, scorer = _solve(inp, p, progress)
        if p.refine and encode_spans is not None:
            path = _refine(scorer, path, p, encode_spans, inp, clauses)
    beads = []
    evidence = bead_evidence(scorer, path)
    cw = np.asarray(p.conf_weights, dtype=np.float64)
    logits = evidence @ cw[:4] + cw[4]
    for pb, logit in zip(path, logits):
        src = tuple(range(pb.i - pb.a, pb.i))
        tgt = tuple(range(pb.j - pb.b, pb.j))
        if pb.a and pb.b:
            conf = _sigmoid(float(logit))
        else:  # sure of an omission when the segment has no good partner nearby
            nn = scorer.s_nn[src[0]] if src else scorer.t_nn[tgt[0]]
            conf = 1.0 - _sigmoid(8.0 * (nn - 0.45))
        beads.append(Bead(src, tgt, round(pb.score, 4), round(conf, 4)))
    scored = [b.confidence for b in beads if b.src and b.tgt]
    mean = float(np.mean(scored)) if scored else 0.0
    cells = int(np.sum(scorer.hi - scorer.lo + 1))
    return VectorResult(beads, mean, {"cells": cells, "len_sigma": scorer.p.len_sigma})


def _encode(encoder, texts: list[str], progress: Progress | None, what: str) -> np.ndarray:
    if progress is None or len(texts) <= 256:
        return encoder.encode(texts)
    progress(0, total=len(texts), description=f"encoding {what}")
    parts = []
    for start in range(0, len(texts), 256):
        parts.append(encoder.encode(texts[start:start + 256]))
        progress(len(parts[-1]))
    return np.concatenate(parts)


def lexical_vectors(texts: list[str]) -> np.ndarray:
    from ..embed.lexical import LexicalEncoder

    return LexicalEncoder(dim=1024).encode(texts)


def signature(encoder_name: str, level: str, params: AlignParams) -> dict:
    return {"encoder": encoder_name, "level": level, "params": params.as_dict(),
            "version": __version__, "aligner": "align.aligner/banded-dp"}


def align_pair(source: list[Segment], target: list[Segment], *, encoder="use", translation_id: str = "target",
               progress: Progress | None = None, level: str | None = None, src_vecs=None, tgt_vecs=None,
               **params) -> Alignment:
    """Align a source segment list with one translation.

    ``encoder``: a name (``use``, ``lexical``, ``st:PATH``) or an Encoder;
    what it declares (embed.capabilities) decides whether the dictionary
    view, clause vectors and the second pass's joined vectors are used.
    ``src_vecs``/``tgt_vecs``: precomputed vectors (skip encoding).
    Other keyword arguments override AlignParams fields.
    """
    from ..embed import capabilities, encode_clauses, encode_joined, get_encoder

    level = level or (source[0].level if source else "sentence")
    p = AlignParams.for_level(level, **params)
    enc = get_encoder(encoder)
    can = capabilities(enc)
    src_texts = [s.text for s in source]
    tgt_texts = [t.text for t in target]
    if src_vecs is None:
        src_vecs = _encode(enc, src_texts, progress, "source")
    if tgt_vecs is None:
        tgt_vecs = _encode(enc, tgt_texts, progress, translation_id)
    src_lex = tgt_lex = None
    if can.lexical:  # its cosines are on another scale
        p = replace(p, conf_weights=p.conf_weights_lexical)
    if p.lexical and p.w_lex and not can.lexical and source and target:
        src_lex, tgt_lex = lexical_vectors(src_texts), lexical_vectors(tgt_texts)

    src_clauses = tgt_clauses = None
    if (p.w_edge_head or p.w_edge_tail or (p.refine and p.w_clause)) and can.clause_vectors and source and target:
        src_clauses, tgt_clauses = encode_clauses(enc, src_texts), encode_clauses(enc, tgt_texts)

    def joiner(segs):
        return "" if segs and segs[0].lang == "zh" else " "

    def encode_spans(src_spans, tgt_spans):
        return (encode_joined(enc, [src_texts[a:b] for a, b in src_spans], joiner(source)),
                encode_joined(enc, [tgt_texts[a:b] for a, b in tgt_spans], joiner(target)))

    res = align_vectors(src_vecs, tgt_vecs, [_text_len(t) for t in src_texts], [_text_len(t) for t in tgt_texts],
                        params=p, src_lex=src_lex, tgt_lex=tgt_lex, src_texts=src_texts, tgt_texts=tgt_texts,
                        src_head=[s.is_heading for s in source], tgt_head=[t.is_heading for t in target],
                        src_clauses=src_clauses, tgt_clauses=tgt_clauses,
                        progress=progress, encode_spans=encode_spans if can.joined_vectors else None)
    warnings = []
    if source and target and res.mean_confidence < p.unrelated_below:
        warnings.append(f"{translation_id}: the translation looks unrelated to the source "
                        f"(mean bead confidence {res.mean_confidence:.2f})")
    return Alignment(source=list(source), target=list(target), beads=res.beads, translation_id=translation_id,
                     signature=signature(enc.name, level, p), warnings=warnings)


def bead_evidence(scorer: dp.Scorer, path: list[dp.PathBead]) -> np.ndarray:
    """Per bead: dp.EVIDENCE (zeros for 1:0/0:1 beads), the inputs of the
    confidence; the search keeps it for its own beads."""
    out = np.zeros((len(path), len(dp.EVIDENCE)))
    for k, pb in enumerate(path):
        if pb.a and pb.b:
            if pb.evidence is not None:
                out[k] = pb.evidence
            else:
                F = scorer.features(pb.i, np.array([pb.j]), np.array([pb.a]), np.array([pb.b]))
                out[k] = dp.evidence(F[:, 0, 0])
    return out
