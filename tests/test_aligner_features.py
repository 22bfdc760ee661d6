"""The bead features by name: the registry, its weights, and that each
feature is wired into the score and measures something on a document that
has what it looks at."""
from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from align.aligner import AlignParams
from align.aligner.features import FEATURES, NAMES, index
from align.aligner.inputs import make_inputs
from align.aligner.pair import solve
from align.aligner.scorer import NEG

DIM = 16

ZH = ["一、总则", "他说：“走吧，", "现在就走。”", "她笑了，", "然后走了。", "他没有回来。"]
EN = ["I. General", "'Let us go,' he said.", "'Now.", "She laughed", "and left.", "He never came back."]
HEADINGS_ZH = [True, False, False, False, False, False]
HEADINGS_EN = [True, False, False, False, False, False]
MARKED = [True, False, False, True, False, False]  # segments that start with a structural marker


def _unit(x):
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _document():
    """Vectors and facts of ZH/EN with every kind of evidence: a dictionary
    view, clause edges, headings, quotations, weak ends, structural markers."""
    rng = np.random.default_rng(0)
    src, tgt = rng.normal(size=(len(ZH), DIM)), rng.normal(size=(len(EN), DIM))
    tgt[:len(ZH)] += 2 * src[:len(EN)]

    def edges(x):
        return _unit(x + rng.normal(size=x.shape)), _unit(x + rng.normal(size=x.shape))

    return make_inputs(_unit(src), _unit(tgt), [len(t) for t in ZH], [len(t) for t in EN],
                       src_lex=_unit(src + rng.normal(size=src.shape)), tgt_lex=_unit(tgt + rng.normal(size=tgt.shape)),
                       src_texts=ZH, tgt_texts=EN, src_head=HEADINGS_ZH, tgt_head=HEADINGS_EN,
                       src_edges=edges(src), tgt_edges=edges(tgt), src_marked=MARKED, tgt_marked=MARKED)


def test_every_feature_has_a_name_a_docstring_and_a_weight():
    assert len(set(NAMES)) == len(NAMES) == len(FEATURES)
    weights = {f.name[2:] for f in fields(AlignParams) if f.name.startswith("w_")}
    # w_clause weighs clause placement in the second pass, not a bead feature
    assert set(NAMES) == weights - {"clause"}
    p = AlignParams(w_lex=0.123)
    for k, f in enumerate(FEATURES):
        assert index(f.name) == k
        assert f.param == f"w_{f.name}" and f.weight(p) == getattr(p, f.param)
        assert len(f.doc) > 20, f.name


@pytest.mark.parametrize("name", NAMES)
def test_each_feature_weighted_alone_is_the_score(name):
    """With only this feature weighted (and no shape bias), a bead's score is
    the feature's value; and on this document the value is not 0 everywhere."""
    alone = {f.param: 0.0 for f in FEATURES} | {f"w_{name}": 1.0}
    p = AlignParams(bead_cost=0.0, merge_penalty=0.0, refine=False, **alone)
    inp = _document()
    scorer = solve(inp, p).scorer
    values = []
    for i in range(1, inp.n + 1):
        js = np.arange(1, inp.m + 1)
        scores = scorer.score(i, js, scorer.fitting(i))
        fits = scores.total > NEG / 2
        np.testing.assert_allclose(scores.total[fits], scores.feature(name)[fits], rtol=0, atol=1e-12)
        values.append(scores.feature(name)[fits])
    assert np.any(np.concatenate(values) != 0), f"{name} is 0 on every bead"


def test_a_feature_missing_its_inputs_is_zero():
    """No dictionary view, no clause vectors, no texts, no headings: the
    features that need them are 0, the others are not."""
    rng = np.random.default_rng(1)
    v = _unit(rng.normal(size=(5, DIM)))
    inp = make_inputs(v, v, [10.0, 20, 30, 40, 50], [30.0, 50, 90, 120, 160])
    scorer = solve(inp, AlignParams(refine=False)).scorer
    scores = scorer.score(4, np.arange(1, 6), scorer.fitting(4))
    fits = scores.total > NEG / 2
    for name in ("lex", "head_pure", "head_mixed", "qbal", "edge_tail", "edge_head", "qend", "quote", "marker_inside"):
        assert np.all(scores.feature(name)[fits] == 0), name
    for name in ("cos", "len", "nn", "cos_extra"):
        assert np.any(scores.feature(name)[fits] != 0), name


def test_a_bead_pays_for_each_marked_segment_past_its_first():
    inp = _document()
    p = AlignParams(bead_cost=0.0, merge_penalty=0.0, refine=False,
                    **({f.param: 0.0 for f in FEATURES} | {"w_marker_inside": 1.0}))
    scorer = solve(inp, p).scorer
    shapes = {s: k for k, s in enumerate(scorer.shapes)}
    # source 2..3 with target 2..3 (1:1 shapes never pay); a 2:2 bead over 3..4 holds marked 3 first
    (k,) = [shapes[(2, 2)]]
    assert scorer.score(4, np.array([4]), np.array([k])).feature("marker_inside")[0, 0] == -2.0
    assert scorer.score(5, np.array([5]), np.array([k])).feature("marker_inside")[0, 0] == 0.0
    one = shapes[(1, 1)]
    assert scorer.score(4, np.array([4]), np.array([one])).feature("marker_inside")[0, 0] == 0.0
