"""The small-problem path (aligner/small.py) against the general one: the
same path, scores, margins, evidence and beads, on many random small
problems and on the real corpus's clause pass."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align import pipeline
from align.aligner import AlignParams, align_vectors, dp, small, small_cosines
from align.aligner.band import Band
from align.aligner.confidence import FEATURE_NAMES
from align.aligner.inputs import make_inputs
from align.aligner.scorer import Scorer, cosines_for
from align.aligner.similarity import Cosines, Neighbours, span_norms

ZH = "data/zh/guobanfa-2016-98.txt"
TRANSLATIONS = {"clt": "data/en/guobanfa-2016-98.clt.txt", "blog": "data/en/guobanfa-2016-98.blog.txt"}
DIM = 24
TEXTS_ZH = ["他说，", "我们要加强。", "“好”", "然而；", "第二条 总则", "其中", "并且：", "（一）"]
TEXTS_EN = ["The end.", "and then,", "“Yes,” he said", "no", "Article 2", "which is \"fine\"", "(1)", "so;"]


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.where(norms > 0, norms, 1)).astype(np.float32)


def problem(seed: int, n: int, m: int):
    """A small problem: related vectors (a shuffled, noisy translation),
    sometimes an exact copy or a zero vector (ties, empty sums), dictionary
    vectors half the time, texts with weak and strong ends, quotation marks
    and headings; a joined-text encoder that depends on the span alone."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(max(n, m), DIM))
    src = _unit(base[:n] + rng.uniform(0.2, 1.5) * rng.normal(size=(n, DIM)))
    tgt = _unit(base[rng.permutation(max(n, m))[:m]] * rng.random() + base[:m] + rng.normal(size=(m, DIM)))
    if rng.random() < 0.25:
        tgt[rng.integers(m)] = src[rng.integers(n)]
    if rng.random() < 0.05:
        src[rng.integers(n)] = 0.0
    lex = rng.random() < 0.5
    extra = rng.normal(size=(2, 16, DIM))

    def encode_spans(src_spans, tgt_spans):
        def joined(x, spans, side):
            rows = [x[a:b].sum(axis=0) + 0.3 * extra[side, (7 * a + b) % 16] for a, b in spans]
            return _unit(np.array(rows).reshape(-1, DIM))
        return joined(src, src_spans, 0), joined(tgt, tgt_spans, 1)

    args = dict(src_lex=_unit(rng.normal(size=(n, 8))) if lex else None,
                tgt_lex=_unit(rng.normal(size=(m, 8))) if lex else None,
                src_texts=[TEXTS_ZH[k] for k in rng.integers(0, 8, n)],
                tgt_texts=[TEXTS_EN[k] for k in rng.integers(0, 8, m)],
                src_head=list(rng.random(n) < 0.15), tgt_head=list(rng.random(m) < 0.15),
                encode_spans=encode_spans)
    return src, tgt, rng.integers(1, 40, n).astype(float), rng.integers(1, 90, m).astype(float), args


def params(kind: int) -> AlignParams:
    return [AlignParams.for_level("clause", w_strong_inside=0.4), AlignParams(),
            AlignParams.for_level("clause", skip_nn=0.3, len_adapt=1.0, w_quote=0.2, w_weak_inside=0.1)][kind]


def general(*args, **kwargs):
    """align_vectors with the small path switched off."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(small, "SMALL_CELLS", 0)
        return align_vectors(*args, **kwargs)


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(1, 7), m=st.integers(1, 7), kind=st.integers(0, 2))
def test_the_small_path_gives_the_general_paths_beads(seed, n, m, kind):
    src, tgt, sl, tl, args = problem(seed, n, m)
    p = params(kind)
    assert small.fits(make_inputs(src, tgt, sl, tl), p)
    fast = align_vectors(src, tgt, sl, tl, params=p, **args)
    slow = general(src, tgt, sl, tl, params=p, **args)
    assert fast.beads == slow.beads
    assert fast.stats == slow.stats
    for a, b in zip(fast.evidence, slow.evidence):  # refine's regions may differ in the last bits
        assert a.kind == b.kind
        assert np.allclose([a.value(f) for f in FEATURE_NAMES], [b.value(f) for f in FEATURE_NAMES],
                           rtol=0, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(1, 8), m=st.integers(1, 8), kind=st.integers(0, 2))
def test_the_first_pass_is_dp_searchs_value_for_value(seed, n, m, kind):
    src, tgt, sl, tl, args = problem(seed, n, m)
    p = params(kind)
    inp = make_inputs(src, tgt, sl, tl, src_lex=args["src_lex"], tgt_lex=args["tgt_lex"],
                      src_texts=args["src_texts"], tgt_texts=args["tgt_texts"], src_head=args["src_head"],
                      tgt_head=args["tgt_head"])
    band = Band.full(n, m)
    cos = cosines_for(inp, band, p)
    neighbours = Neighbours.within(cos, band, p.margin_k)
    fast_scorer = small.build_scorer(inp, p)
    for field in ("src_nn", "tgt_nn", "pair_src", "pair_tgt", "pair_cos"):
        assert np.array_equal(getattr(fast_scorer.neighbours, field), getattr(neighbours, field))
    expected = dp.search(Scorer.build(inp, fast_scorer.params, band, neighbours, cos))
    got = small.search(small.Grid.of(fast_scorer))
    assert [(pb.a, pb.b, pb.i, pb.j, pb.score, pb.margin) for pb in got] == \
        [(pb.a, pb.b, pb.i, pb.j, pb.score, pb.margin) for pb in expected]
    assert all(np.array_equal(x.evidence, y.evidence) for x, y in zip(got, expected))


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(1, 12), amax=st.integers(1, 6), dim=st.sampled_from([3, 64, 512]))
def test_span_norms_are_similaritys_bit_for_bit(seed, n, amax, dim):
    rng = np.random.default_rng(seed)
    x = _unit(rng.normal(size=(n, dim)))
    if rng.random() < 0.2:
        x[rng.integers(n)] = 0.0
    assert np.array_equal(small_cosines.span_norms(x, amax), span_norms(x, amax))


def test_the_grid_scores_every_bead_as_the_scorer_does():
    src, tgt, sl, tl, args = problem(7, 5, 6)
    p = params(0)
    inp = make_inputs(src, tgt, sl, tl, src_lex=args["src_lex"], tgt_lex=args["tgt_lex"],
                      src_texts=args["src_texts"], tgt_texts=args["tgt_texts"])
    scorer = small.build_scorer(inp, p)
    grid = small.Grid.of(scorer)
    general = Scorer.build(inp, scorer.params, scorer.band, scorer.neighbours, Cosines(inp, scorer.band, 6, 6))
    js = np.arange(inp.m + 1)
    for i in range(1, inp.n + 1):
        want = general.score(i, js, general.fitting(i))
        rows = range(grid.rows.first[i], grid.rows.first[i + 1])
        for r in rows:
            k = list(want.shapes).index(grid.rows.shape[r])
            assert np.allclose(grid.total[r], want.total[k], rtol=0, atol=1e-12)
            assert np.allclose(grid.features[:, r], want.features[:, k], rtol=0, atol=1e-12)
        # the shapes the grid leaves out are wider than the problem: no bead of theirs fits
        left_out = set(want.shapes.tolist()) - {int(grid.rows.shape[r]) for r in rows}
        assert all((want.total[list(want.shapes).index(k)] <= -1e17).all() for k in left_out)


def test_what_the_small_path_takes():
    rng = np.random.default_rng(0)
    v = _unit(rng.normal(size=(30, DIM)))
    p = AlignParams()
    assert small.fits(make_inputs(v[:3], v[3:7], [1] * 3, [1] * 4), p)
    assert not small.fits(make_inputs(v[:25], v[:20], [1] * 25, [1] * 20), p)  # 546 cells
    assert not small.fits(make_inputs(v[:3], v[:0], [1] * 3, []), p)
    edges = (v[:3], v[:3])
    assert not small.fits(make_inputs(v[:3], v[:3], [1] * 3, [1] * 3, src_edges=edges, tgt_edges=edges), p)


@pytest.mark.parametrize("tid", sorted(TRANSLATIONS))
def test_the_corpus_clause_beads_are_the_general_paths(repo_root, monkeypatch, tid):
    """98号's clause pass (the real encoder, joined runs and all) gives the
    same clause beads, scores and confidences with the small path as without."""
    paths = (repo_root / ZH, {tid: repo_root / TRANSLATIONS[tid]})
    fast = pipeline.align(*paths)
    monkeypatch.setattr(small, "SMALL_CELLS", 0)
    slow = pipeline.align(*paths)
    assert fast.alignments[tid].clauses.beads == slow.alignments[tid].clauses.beads
    assert fast.alignments[tid].beads == slow.alignments[tid].beads


@pytest.mark.parametrize("case", ["zero", "identical", "one target"])
@pytest.mark.parametrize("kind", [0, 1])
def test_degenerate_problems_give_the_general_paths_beads(case, kind):
    """Problems full of ties: every vector zero, every segment the same, or one target."""
    rng = np.random.default_rng(3)
    v = _unit(rng.normal(size=(1, DIM)))
    n, m = (4, 1) if case == "one target" else (3, 4)
    src = np.zeros((n, DIM), np.float32) if case == "zero" else np.repeat(v, n, axis=0)
    tgt = np.zeros((m, DIM), np.float32) if case == "zero" else np.repeat(v, m, axis=0)
    args = dict(src_texts=["我们。"] * n, tgt_texts=["We do."] * m, params=params(kind),
                encode_spans=lambda s, t: (np.repeat(v, len(s), axis=0), np.repeat(v, len(t), axis=0)))
    fast = align_vectors(src, tgt, [5.0] * n, [10.0] * m, **args)
    slow = general(src, tgt, [5.0] * n, [10.0] * m, **args)
    assert fast.beads == slow.beads
