"""Aligning one source with one translation.

``align_vectors`` is the model-free core: the search band (band.py), the
neighbour similarities (similarity.py), the document's length spread
(length.py), the search (dp.py), the second pass at close calls
(refine.py) and the confidences (confidence.py). ``align_pair`` encodes
the texts first.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
from threadpoolctl import ThreadpoolController

from .. import __version__
from ..embed import ClauseVectors, capabilities, edges_of, encode_clauses, encode_joined, get_encoder
from ..embed.lexical import LexicalEncoder
from ..model import Alignment, Bead, Segment
from . import dp, small
from .band import search_band
from .confidence import BeadEvidence, bead_evidence, load_calibrator
from .fixed import FixedLike, Gap, align_around
from .inputs import Inputs, make_inputs, text_length
from .length import LengthModel, document_sigma
from .params import AlignParams
from .refine import Clauses, SpanEncoder, refine
from .scorer import Scorer, cosines_for
from .similarity import Neighbours

Progress = Callable[..., None]


@lru_cache(maxsize=1)
def _blas_controller() -> ThreadpoolController:
    """The BLAS libraries loaded, found once: looking them up costs 0.5 ms a
    time, which the clause problems (one per sentence bead) would pay each."""
    return ThreadpoolController()


def one_blas_thread():
    """A context in which BLAS runs on one thread."""
    return _blas_controller().limit(limits=1, user_api="blas")


@dataclass(frozen=True)
class VectorResult:
    """The beads, their mean confidence (a:b beads), search statistics, and
    per bead the evidence its confidence was computed from (confidence.py)."""

    beads: list[Bead]
    mean_confidence: float
    stats: dict
    evidence: tuple[BeadEvidence, ...] = ()


@dataclass(frozen=True)
class Solution:
    """The search's path and the scorer it was found with."""

    path: list[dp.PathBead]
    scorer: Scorer


def solve(inp: Inputs, p: AlignParams, progress: Progress | None = None) -> Solution:
    """The first pass: the band, the neighbour similarities within it, the
    length spread of this document (where ``len_adapt``), then the search
    with a scorer built on all of them. A small problem (small.fits) is
    scored and searched in one go, to the same path."""
    if small.fits(inp, p):
        if progress is not None:
            progress(0, total=inp.n + 1, description="aligning")
        scorer = small.build_scorer(inp, p)
        path = small.search(small.Grid.of(scorer))
        if progress is not None:
            progress(inp.n + 1)
        return Solution(path, scorer)
    band = search_band(inp, p, lambda coarse, cp: solve(coarse, cp).path)
    cosines = cosines_for(inp, band, p)
    neighbours = Neighbours.within(cosines, band, p.margin_k)
    if p.len_adapt:
        p = replace(p, len_sigma=document_sigma(LengthModel.of(inp, p), neighbours, inp, p))
    scorer = Scorer.build(inp, p, band, neighbours, cosines)
    if progress is not None:
        progress(0, total=inp.n + 1, description="aligning")
    return Solution(dp.search(scorer, progress), scorer)


def align_vectors(src_vecs: np.ndarray, tgt_vecs: np.ndarray, src_len: Sequence[float], tgt_len: Sequence[float],
                  *, params: AlignParams | None = None, src_lex: np.ndarray | None = None,
                  tgt_lex: np.ndarray | None = None, src_texts: Sequence[str] | None = None,
                  tgt_texts: Sequence[str] | None = None, src_head: Sequence[bool] | None = None,
                  tgt_head: Sequence[bool] | None = None, progress: Progress | None = None,
                  encode_spans: SpanEncoder | None = None, src_edges=None, tgt_edges=None,
                  src_clauses=None, tgt_clauses=None, fixed: Sequence[FixedLike] | None = None,
                  src_marked: Sequence[bool] | None = None, tgt_marked: Sequence[bool] | None = None) -> VectorResult:
    """Align two sequences given their vectors (rows L2-normalised) and lengths.

    The model-free core of the aligner: tests pass tiny hand-made vectors.
    ``src_texts``/``tgt_texts`` (optional) give punctuation and quotation
    features. ``encode_spans(src_spans, tgt_spans)`` (optional) encodes the
    concatenated text of (start, end) spans for the second pass (``refine``).
    ``src_clauses``/``tgt_clauses`` (optional): per segment, its clauses'
    vectors (k, dim) (embed.encode_clauses); they give the edge features
    (unless ``src_edges``/``tgt_edges`` are given) and, in the second pass,
    where each clause is best placed.
    ``fixed`` (optional): beads to keep as they are (an editor's); each gap
    between them is aligned on its own (aligner/fixed.py).
    ``src_marked``/``tgt_marked`` (optional): which segments start with a
    structural marker (an article, a chapter, an item: the marker_inside feature).
    Returns beads covering every index of both sides exactly once, in order.
    """
    p = params or AlignParams()
    n, m = len(src_vecs), len(tgt_vecs)
    if fixed:
        return _vectors_around(fixed, dict(
            src_vecs=src_vecs, tgt_vecs=tgt_vecs, src_len=src_len, tgt_len=tgt_len, src_lex=src_lex,
            tgt_lex=tgt_lex, src_texts=src_texts, tgt_texts=tgt_texts, src_head=src_head, tgt_head=tgt_head,
            src_edges=src_edges, tgt_edges=tgt_edges, src_clauses=src_clauses, tgt_clauses=tgt_clauses,
            src_marked=src_marked, tgt_marked=tgt_marked),
            p, encode_spans, n, m)
    if n == 0 or m == 0:
        # nothing on the other side: no segment can have a counterpart
        beads = [Bead((i,), (), 0.0, 1.0) for i in range(n)] + [Bead((), (j,), 0.0, 1.0) for j in range(m)]
        return VectorResult(beads, 0.0, {"cells": 0})
    clauses = None
    if src_clauses is not None and tgt_clauses is not None:
        clauses = Clauses(ClauseVectors.of(src_clauses), ClauseVectors.of(tgt_clauses))  # float16, one array
        if src_edges is None or tgt_edges is None:
            src_edges = edges_of(clauses.src, clauses.src[0].shape[1])
            tgt_edges = edges_of(clauses.tgt, clauses.tgt[0].shape[1])
    inp = make_inputs(src_vecs, tgt_vecs, src_len, tgt_len, src_lex=src_lex if p.w_lex else None,
                      tgt_lex=tgt_lex if p.w_lex else None, src_texts=src_texts, tgt_texts=tgt_texts,
                      src_head=src_head, tgt_head=tgt_head, len_weight=p.len_weight,
                      src_edges=src_edges if p.w_edge_head or p.w_edge_tail else None, tgt_edges=tgt_edges,
                      src_marked=src_marked, tgt_marked=tgt_marked)
    # small matrix-vector products: BLAS threads only add overhead (and are
    # dramatically slow on a loaded machine)
    with one_blas_thread():
        first = solve(inp, p, progress)
        path = first.path
        if p.refine and encode_spans is not None:
            path = refine(first.scorer, path, encode_spans, clauses,
                          steps_of=small.region_steps if small.fits(inp, p) else None)
    calibrator = load_calibrator(p.calibration)
    evidence = tuple(bead_evidence(path, first.scorer))
    beads = [Bead(tuple(range(pb.i - pb.a, pb.i)), tuple(range(pb.j - pb.b, pb.j)), round(pb.score, 4),
                  round(calibrator.confidence(ev, p.skip), 4)) for pb, ev in zip(path, evidence)]
    scored = [b.confidence for b in beads if b.src and b.tgt]
    mean = float(np.mean(scored)) if scored else 0.0
    return VectorResult(beads, mean, {"cells": first.scorer.band.cells, "len_sigma": first.scorer.params.len_sigma},
                        evidence)


def _cut(value, start: int, end: int):
    """A slice of one per-segment argument of align_vectors (arrays, lists, or
    a (heads, tails) pair of arrays); None stays None."""
    if value is None:
        return None
    if isinstance(value, tuple) and len(value) == 2 and all(hasattr(v, "shape") for v in value):
        return (value[0][start:end], value[1][start:end])
    return value[start:end]


def _vectors_around(fixed: Sequence[FixedLike], args: dict, p: AlignParams, encode_spans: SpanEncoder | None,
                    n: int, m: int) -> VectorResult:
    """align_vectors with fixed beads: each gap between them aligned alone, then stitched."""
    cells = 0

    def solve_gap(gap: Gap) -> list[Bead]:
        nonlocal cells
        part = {k: _cut(v, gap.src_start, gap.src_end) if k.startswith("src_") else _cut(v, gap.tgt_start, gap.tgt_end)
                for k, v in args.items()}
        spans = None
        if encode_spans is not None:
            def spans(src_spans, tgt_spans, g=gap):
                return encode_spans([(a + g.src_start, b + g.src_start) for a, b in src_spans],
                                    [(a + g.tgt_start, b + g.tgt_start) for a, b in tgt_spans])
        res = align_vectors(params=p, encode_spans=spans, **part)
        cells += int(res.stats.get("cells", 0))
        return res.beads

    beads = align_around(fixed, n, m, solve_gap)
    scored = [b.confidence for b in beads if b.src and b.tgt]
    mean = float(np.mean(scored)) if scored else 0.0
    return VectorResult(beads, mean, {"cells": cells, "fixed": len(fixed)})


def structural(segment: Segment) -> bool:
    """Whether a segment starts with a structural marker (an article, chapter,
    section, item: not an enumeration such as 一是 / First)."""
    return segment.marker_kind is not None and segment.marker_kind != "enumeration"


def encode_texts(encoder, texts: list[str], progress: Progress | None, what: str) -> np.ndarray:
    """``encoder.encode(texts)``, in batches that advance ``progress`` for long inputs."""
    if progress is None or len(texts) <= 256:
        return encoder.encode(texts)
    progress(0, total=len(texts), description=f"encoding {what}")
    parts = []
    for start in range(0, len(texts), 256):
        parts.append(encoder.encode(texts[start:start + 256]))
        progress(len(parts[-1]))
    return np.concatenate(parts)


def lexical_vectors(texts: list[str]) -> np.ndarray:
    """The dictionary view: CC-CEDICT vectors of the texts."""
    return LexicalEncoder(dim=1024).encode(texts)


def signature(encoder_name: str, level: str, params: AlignParams) -> dict:
    return {"encoder": encoder_name, "level": level, "params": params.as_dict(),
            "version": __version__, "aligner": "align.aligner/banded-dp",
            "calibration": load_calibrator(params.calibration).label}


def align_pair(source: list[Segment], target: list[Segment], *, encoder="use", translation_id: str = "target",
               progress: Progress | None = None, level: str | None = None, src_vecs=None, tgt_vecs=None,
               fixed: Sequence[FixedLike] | None = None, **params) -> Alignment:
    """Align a source segment list with one translation.

    ``encoder``: a name (``use``, ``lexical``, ``st:PATH``) or an Encoder;
    what it declares (embed.capabilities) decides whether the dictionary
    view, clause vectors and the second pass's joined vectors are used.
    ``src_vecs``/``tgt_vecs``: precomputed vectors (skip encoding).
    ``fixed``: beads to keep (approved or corrected by an editor); the rest is
    aligned gap by gap between them (aligner/fixed.py).
    Other keyword arguments override AlignParams fields; the confidences
    come from the ``lexical`` calibrator for an encoder that declares
    lexical vectors, from ``use`` for every other (``st:`` models included)
    unless ``calibration`` is given.
    """
    level = level or (source[0].level if source else "sentence")
    p = AlignParams.for_level(level, **params)
    enc = get_encoder(encoder)
    can = capabilities(enc)
    src_texts = [s.text for s in source]
    tgt_texts = [t.text for t in target]
    if src_vecs is None:
        src_vecs = encode_texts(enc, src_texts, progress, "source")
    if tgt_vecs is None:
        tgt_vecs = encode_texts(enc, tgt_texts, progress, translation_id)
    if can.lexical and "calibration" not in params:  # its cosines are on another scale
        p = replace(p, calibration="lexical")
    src_lex = tgt_lex = None
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

    res = align_vectors(src_vecs, tgt_vecs, [text_length(t) for t in src_texts], [text_length(t) for t in tgt_texts],
                        params=p, src_lex=src_lex, tgt_lex=tgt_lex, src_texts=src_texts, tgt_texts=tgt_texts,
                        src_head=[s.is_heading for s in source], tgt_head=[t.is_heading for t in target],
                        src_marked=[structural(s) for s in source], tgt_marked=[structural(t) for t in target],
                        src_clauses=src_clauses, tgt_clauses=tgt_clauses,
                        progress=progress, encode_spans=encode_spans if can.joined_vectors else None,
                        fixed=fixed)
    warnings = []
    if source and target and res.mean_confidence < p.unrelated_below:
        warnings.append(f"{translation_id}: the translation looks unrelated to the source "
                        f"(mean bead confidence {res.mean_confidence:.2f})")
    return Alignment(source=list(source), target=list(target), beads=res.beads, translation_id=translation_id,
                     signature=signature(enc.name, level, p), warnings=warnings)
