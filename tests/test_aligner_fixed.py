"""Aligning around fixed beads (an editor's approvals and corrections) on
hand-built vectors whose right answer comes from how they were built."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from align.aligner import align_pair, align_vectors
from align.aligner.fixed import Fixed, Gap, align_around, gaps, place
from align.model import Bead

from builders import segments
from test_aligner import build

SHAPES = [(1, 1), (1, 2), (1, 1), (2, 1), (1, 1), (1, 0), (1, 1), (1, 1), (1, 1), (2, 2), (1, 1), (0, 1),
          (1, 1), (1, 3), (1, 1), (1, 1)]


def spans(beads):
    return [(b.src, b.tgt) for b in beads]


def test_fixed_beads_that_agree_with_the_truth_give_the_truth():
    s, t, sl, tl, gold = build(SHAPES)
    fixed = [Bead(src, tgt, 1.0, 1.0) for src, tgt in (gold[3], gold[9])]
    res = align_vectors(s, t, sl, tl, fixed=fixed)
    assert spans(res.beads) == gold
    kept = [b for b in res.beads if (b.src, b.tgt) in {gold[3], gold[9]}]
    assert [(b.score, b.confidence) for b in kept] == [(1.0, 1.0), (1.0, 1.0)]  # as given, not re-scored
    assert res.stats["fixed"] == 2


def test_a_fixed_bead_the_aligner_would_never_choose_is_kept_and_the_gaps_align_alone():
    s, t, sl, tl, gold = build(SHAPES)
    # three 1:1 beads (6, 7, 8) joined into one 3:3 bead by hand
    assert [len(gold[k][0]) for k in (6, 7, 8)] == [1, 1, 1] and [len(gold[k][1]) for k in (6, 7, 8)] == [1, 1, 1]
    merged = Bead(gold[6][0] + gold[7][0] + gold[8][0], gold[6][1] + gold[7][1] + gold[8][1], 0.0, 1.0)
    free = align_vectors(s, t, sl, tl)
    assert (merged.src, merged.tgt) not in spans(free.beads)
    res = align_vectors(s, t, sl, tl, fixed=[merged])
    assert spans(res.beads) == gold[:6] + [(merged.src, merged.tgt)] + gold[9:]


def test_a_fix_where_the_vectors_mislead_gives_the_constructed_answer():
    # Two documents back to back, joined by a pair of sentences that are a
    # free translation of each other: the bridge's source reads like the
    # second document's first target sentence, and its target like nothing.
    # The search alone is pulled off; with the bridge fixed, each half aligns
    # on its own, to its construction.
    s1, t1, sl1, tl1, gold1 = build([(1, 1)] * 6, seed=1)
    s2, t2, sl2, tl2, gold2 = build([(1, 1)] * 6, seed=2)
    rng = np.random.default_rng(3)
    r = rng.normal(size=(2, s1.shape[1])).astype(np.float32)
    r /= np.linalg.norm(r, axis=1, keepdims=True)
    n1, m1 = len(s1), len(t1)
    s = np.concatenate([s1, t2[:1], s2])
    t = np.concatenate([t1, r[1:], t2])
    sl, tl = sl1 + [10.0] + sl2, tl1 + [30.0] + tl2
    truth = gold1 + [((n1,), (m1,))] + [((n1 + 1 + i,), (m1 + 1 + j,)) for (i,), (j,) in gold2]
    free = align_vectors(s, t, sl, tl)
    assert spans(free.beads) != truth
    res = align_vectors(s, t, sl, tl, fixed=[Bead((n1,), (m1,), 0.0, 1.0)])
    assert spans(res.beads) == truth


def test_omissions_and_additions_are_placed_by_their_position_or_a_neighbour():
    s, t, sl, tl, gold = build(SHAPES)
    om = next(k for k, g in enumerate(gold) if g[1] == ())  # the 1:0 bead
    (i,) = gold[om][0]
    src_at, tgt_at = i, sum(len(g[1]) for g in gold[:om])
    res = align_vectors(s, t, sl, tl, fixed=[Fixed(Bead((i,), ()), src_at, tgt_at)])
    assert spans(res.beads) == gold
    # a plain omission next to a fixed bead is placed by it
    placed = place([Bead((i,), ()), Bead(gold[om + 1][0], gold[om + 1][1])], len(s), len(t))
    assert [(f.src_at, f.tgt_at) for f in placed] == [(src_at, tgt_at), (i + 1, tgt_at)]
    with pytest.raises(ValueError, match="where the fixed bead"):
        place([Bead((i,), ())], len(s), len(t))


@pytest.mark.parametrize("fixed, match", [
    ([Bead((1, 3), (1,))], "consecutive"),
    ([Bead((), ())], "at least one"),
    ([Bead((2,), (2,)), Bead((2,), (3,))], "overlaps or crosses"),
    ([Bead((2,), (5,)), Bead((4,), (3,))], "overlaps or crosses"),
    ([Bead((9,), (9,))], "outside"),
    ([Fixed(Bead((2,), (2,)), 2, 3)], "does not start"),
])
def test_inconsistent_fixed_beads_are_refused(fixed, match):
    with pytest.raises(ValueError, match=match):
        place(fixed, 5, 5)


def test_gaps_between_fixed_beads():
    placed = place([Bead((0,), (0,)), Bead((3, 4), (2,))], 6, 4)
    assert gaps(placed, 6, 4) == [Gap(1, 3, 1, 2), Gap(5, 6, 3, 4)]
    seen = []
    out = align_around(placed, 6, 4, lambda g: seen.append(g) or [Bead(tuple(range(g.src_end - g.src_start)),
                                                                         tuple(range(g.tgt_end - g.tgt_start)))])
    assert seen == [Gap(1, 3, 1, 2), Gap(5, 6, 3, 4)]
    assert spans(out) == [((0,), (0,)), ((1, 2), (1,)), ((3, 4), (2,)), ((5,), (3,))]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from([(1, 1), (1, 2), (2, 1), (1, 0), (0, 1), (2, 2)]), min_size=1, max_size=12),
       st.data())
def test_any_beads_fixed_cover_everything_once_in_order_and_are_kept(shapes, data):
    assume(sum(a for a, _ in shapes) and sum(b for _, b in shapes))
    s, t, sl, tl, gold = build(shapes, seed=len(shapes))
    chosen = data.draw(st.lists(st.integers(0, len(gold) - 1), unique=True, max_size=len(gold)))
    fixed = []
    for k in sorted(chosen):
        src, tgt = gold[k]
        fixed.append(Fixed(Bead(src, tgt, 0.5, 0.5), sum(len(g[0]) for g in gold[:k]), sum(len(g[1]) for g in gold[:k])))
    res = align_vectors(s, t, sl, tl, fixed=fixed)
    got = spans(res.beads)
    assert [i for b in res.beads for i in b.src] == list(range(len(s)))
    assert [j for b in res.beads for j in b.tgt] == list(range(len(t)))
    for f in fixed:
        assert (f.bead.src, f.bead.tgt) in got


def test_align_pair_takes_fixed_beads():
    zh = ["第一句。", "第二句。", "第三句。"]
    en = ["One.", "Two.", "Three."]
    src, tgt = segments(zh, "zh"), segments(en, "en")
    fixed = [Bead((0, 1), (0,), 0.0, 1.0)]
    al = align_pair(src, tgt, encoder="lexical", fixed=fixed)
    assert spans(al.beads)[0] == ((0, 1), (0,))
    assert [i for b in al.beads for i in b.src] == [0, 1, 2]
    assert [j for b in al.beads for j in b.tgt] == [0, 1, 2]
