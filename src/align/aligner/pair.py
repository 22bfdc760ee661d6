"""Aligning one source with one translation."""
from __future__ import annotations

import math
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
    return dp.Side(length, head, quote, weak_end)


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
                     w_len=p.w_len, len_sigma=p.len_sigma, merge_penalty=0.0,
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
    src_nn, tgt_nn = dp.margins(scorer, lo, hi, p.margin_k)
    scorer.set_margins(src_nn, tgt_nn)
    if progress is not None:
        progress(0, total=inp.n + 1, description="aligning")
    path = dp.search(scorer, lo, hi, progress)
    return path, scorer


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def make_inputs(src_vecs, tgt_vecs, src_len, tgt_len, *, src_lex=None, tgt_lex=None, src_texts=None,
                tgt_texts=None, src_head=None, tgt_head=None, len_weight: float = 0.0) -> dp.Inputs:
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
    if src_texts is not None:
        sside = side_facts(src_texts, src_len, src_head)
    else:
        sside = dp.Side.plain(src_len)
        if src_head is not None:
            sside.head = np.asarray(src_head, dtype=bool)
    if tgt_texts is not None:
        tside = side_facts(tgt_texts, tgt_len, tgt_head)
    else:
        tside = dp.Side.plain(tgt_len)
        if tgt_head is not None:
            tside.head = np.asarray(tgt_head, dtype=bool)
    return dp.Inputs(neural=dp.View(src_vecs, tgt_vecs), lexical=lex, src=sside, tgt=tside)


def align_vectors(src_vecs: np.ndarray, tgt_vecs: np.ndarray, src_len: Sequence[float], tgt_len: Sequence[float],
                  *, params: AlignParams | None = None, src_lex: np.ndarray | None = None,
                  tgt_lex: np.ndarray | None = None, src_texts: Sequence[str] | None = None,
                  tgt_texts: Sequence[str] | None = None, src_head: Sequence[bool] | None = None,
                  tgt_head: Sequence[bool] | None = None, progress: Progress | None = None) -> VectorResult:
    """Align two sequences given their vectors (rows L2-normalised) and lengths.

    The model-free core of the aligner: tests pass tiny hand-made vectors.
    ``src_texts``/``tgt_texts`` (optional) give punctuation and quotation
    features. Returns beads covering every index of both sides exactly once,
    in order.
    """
    from threadpoolctl import threadpool_limits

    p = params or AlignParams()
    n, m = len(src_vecs), len(tgt_vecs)
    if n == 0 or m == 0:
        beads = [Bead((i,), (), 0.0, 0.0) for i in range(n)] + [Bead((), (j,), 0.0, 0.0) for j in range(m)]
        return VectorResult(beads, 0.0, {"cells": 0})
    inp = make_inputs(src_vecs, tgt_vecs, src_len, tgt_len, src_lex=src_lex if p.w_lex else None,
                      tgt_lex=tgt_lex if p.w_lex else None, src_texts=src_texts, tgt_texts=tgt_texts,
                      src_head=src_head, tgt_head=tgt_head, len_weight=p.len_weight)
    # small matrix-vector products: BLAS threads only add overhead (and are
    # dramatically slow on a loaded machine)
    with threadpool_limits(1, user_api="blas"):
        path, scorer = _solve(inp, p, progress)
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
    return VectorResult(beads, mean, {"cells": cells})


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

    ``encoder``: a name (``use``, ``lexical``, ``st:PATH``) or an Encoder.
    ``src_vecs``/``tgt_vecs``: precomputed vectors (skip encoding).
    Other keyword arguments override AlignParams fields.
    """
    from ..embed import get_encoder

    level = level or (source[0].level if source else "sentence")
    p = AlignParams.for_level(level, **params)
    enc = get_encoder(encoder)
    src_texts = [s.text for s in source]
    tgt_texts = [t.text for t in target]
    if src_vecs is None:
        src_vecs = _encode(enc, src_texts, progress, "source")
    if tgt_vecs is None:
        tgt_vecs = _encode(enc, tgt_texts, progress, translation_id)
    src_lex = tgt_lex = None
    if enc.name.startswith("lexical"):
        p = replace(p, conf_weights=p.conf_weights_lexical)
    if p.lexical and p.w_lex and not enc.name.startswith("lexical") and source and target:
        src_lex, tgt_lex = lexical_vectors(src_texts), lexical_vectors(tgt_texts)
    res = align_vectors(src_vecs, tgt_vecs, [_text_len(t) for t in src_texts], [_text_len(t) for t in tgt_texts],
                        params=p, src_lex=src_lex, tgt_lex=tgt_lex, src_texts=src_texts, tgt_texts=tgt_texts,
                        src_head=[s.is_heading for s in source], tgt_head=[t.is_heading for t in target],
                        progress=progress)
    warnings = []
    if source and target and res.mean_confidence < p.unrelated_below:
        warnings.append(f"{translation_id}: the translation looks unrelated to the source "
                        f"(mean bead confidence {res.mean_confidence:.2f})")
    return Alignment(source=list(source), target=list(target), beads=res.beads, translation_id=translation_id,
                     signature=signature(enc.name, level, p), warnings=warnings)


def bead_evidence(scorer: dp.Scorer, path: list[dp.PathBead]) -> np.ndarray:
    """Per bead: [cos, cos - neighbour similarity, lexical cos, length term]
    (zeros for 1:0/0:1 beads); the inputs of the confidence."""
    out = np.zeros((len(path), 4))
    for k, pb in enumerate(path):
        if pb.a and pb.b:
            F = scorer.features(pb.i, np.array([pb.j]), np.array([pb.a]), np.array([pb.b]))[:, 0, 0]
            out[k] = (F[0], F[0] + F[3], F[1], F[2])
    return out
