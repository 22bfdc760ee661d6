"""N-way grouping: finest partition of the source compatible with every translation."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from align.aligner import align_multi, group_alignments
from align.model import Alignment, Bead, Segment


def _segs(n, lang="zh"):
    return [Segment(index=i, text=f"s{i}", start=0, end=2, lang=lang) for i in range(n)]


def _al(tid, beads, n_tgt):
    return Alignment(source=_segs(5), target=_segs(n_tgt, "en"),
                     beads=[Bead(tuple(s), tuple(t), 0.0, c) for s, t, c in beads], translation_id=tid)


def test_groups_are_the_finest_common_partition():
    a = _al("a", [((0,), (0,), .9), ((1, 2), (1,), .8), ((3,), (2,), .7), ((4,), (3,), .9)], 4)
    b = _al("b", [((0,), (0, 1), .9), ((1,), (2,), .6), ((2, 3), (3,), .5), ((4,), (), .4)], 4)
    groups = group_alignments(a.source, {"a": a, "b": b})
    assert [g.src for g in groups] == [(0,), (1, 2, 3), (4,)]
    assert groups[1].targets == {"a": (1, 2), "b": (2, 3)}
    assert groups[1].confidence == {"a": 0.7, "b": 0.5}  # the weakest bead of the group
    assert groups[2].targets == {"a": (3,), "b": ()}


def test_additions_become_their_own_groups_in_order():
    a = _al("a", [((0,), (0,), .9), ((), (1,), .3), ((1,), (2,), .9), ((2, 3, 4), (3,), .9), ((), (4,), .2)], 5)
    b = _al("b", [((0,), (0,), .9), ((1,), (1,), .9), ((2,), (2,), .9), ((3,), (3,), .9), ((4,), (4,), .9)], 5)
    groups = group_alignments(a.source, {"a": a, "b": b})
    assert [g.src for g in groups] == [(0,), (), (1,), (2, 3, 4), ()]
    assert groups[1].targets == {"a": (1,), "b": ()}
    assert groups[3].targets == {"a": (3,), "b": (2, 3, 4)}
    assert groups[4].targets == {"a": (4,), "b": ()}


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_every_segment_exactly_once_and_order_independent(data):
    n = data.draw(st.integers(1, 12))
    als = {}
    for tid in ("x", "y", "z")[: data.draw(st.integers(1, 3))]:
        beads, i, j = [], 0, 0
        while i < n:
            kind = data.draw(st.sampled_from(["11", "12", "21", "10", "01"]))
            a, b = {"11": (1, 1), "12": (1, 2), "21": (2, 1), "10": (1, 0), "01": (0, 1)}[kind]
            a = min(a, n - i)
            beads.append((tuple(range(i, i + a)), tuple(range(j, j + b)), 0.5))
            i, j = i + a, j + b
        als[tid] = _al(tid, beads, j)
    groups = group_alignments(_segs(n), als)
    assert [k for g in groups for k in g.src] == list(range(n))
    for tid, al in als.items():
        assert [k for g in groups for k in g.targets[tid]] == list(range(len(al.target)))
    reordered = group_alignments(_segs(n), dict(reversed(list(als.items()))))
    assert reordered == groups


class Table:
    name = "table"

    def __init__(self, vecs):
        self.vecs, self.dim = vecs, len(next(iter(vecs.values())))

    def encode(self, texts):
        return np.stack([self.vecs[t] for t in texts])


def test_align_multi_groups_by_source_and_is_deterministic():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(6, 16))
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    src = [Segment(index=i, text=f"源{i}源{i}源{i}", start=0, end=6, lang="zh") for i in range(6)]
    t1 = [Segment(index=i, text=f"one {i} one {i} one {i} x", start=0, end=20, lang="en") for i in range(6)]
    # t2 merges source 2 and 3 into one sentence
    t2_texts = [f"two {i} two {i} two {i} y" for i in (0, 1, 2, 4, 5)]
    t2 = [Segment(index=k, text=t, start=0, end=len(t), lang="en") for k, t in enumerate(t2_texts)]
    vecs = {s.text: base[i] for i, s in enumerate(src)}
    vecs.update({t.text: base[i] for i, t in enumerate(t1)})
    merged = base[2] + base[3]
    for k, i in enumerate((0, 1, 2, 4, 5)):
        vecs[t2_texts[k]] = merged / np.linalg.norm(merged) if i == 2 else base[i]
    t2[2] = Segment(index=2, text=t2_texts[2] + " and more words here", start=0, end=60, lang="en")
    vecs[t2[2].text] = vecs.pop(t2_texts[2])
    enc = Table(vecs)
    m1 = align_multi(src, {"t1": t1, "t2": t2}, encoder=enc, lexical=False)
    m2 = align_multi(src, {"t2": t2, "t1": t1}, encoder=enc, lexical=False)
    assert [g.src for g in m1.groups] == [(0,), (1,), (2, 3), (4,), (5,)]
    assert m1.groups[2].targets == {"t1": (2, 3), "t2": (2,)}
    assert m1.groups == m2.groups
    assert m1.translation_ids == ["t1", "t2"] and m2.translation_ids == ["t2", "t1"]
