"""Clause vectors as one float16 array, joined runs without one array per
run (issue 16): the same answers in less memory."""
from __future__ import annotations

import numpy as np
import pytest

from align.embed import ClauseVectors, edges_of


def _parts(rng, counts, dim=8):
    out = []
    for k in counts:
        x = rng.standard_normal((k, dim)).astype(np.float32)
        out.append(x / np.linalg.norm(x, axis=1, keepdims=True))
    return out


def test_clause_vectors_index_slice_and_edges_like_the_list_of_arrays():
    rng = np.random.default_rng(0)
    parts = _parts(rng, [3, 1, 2, 4])
    cv = ClauseVectors.of(parts)
    assert len(cv) == 4 and cv.rows.dtype == np.float16 and cv.rows.shape == (10, 8)
    for got, want in zip(cv, parts):
        assert got.dtype == np.float32 and got.shape == want.shape
        assert np.allclose(got, want, atol=1e-3)  # float16: about three decimals
    sub = cv[1:3]
    assert isinstance(sub, ClauseVectors) and len(sub) == 2 and sub.rows is cv.rows
    assert [c.shape for c in sub] == [(1, 8), (2, 8)] and np.array_equal(sub[1], cv[2])
    heads, tails = edges_of(cv, 8)
    lh, lt = edges_of(list(cv), 8)
    assert np.array_equal(heads, lh) and np.array_equal(tails, lt)
    assert np.array_equal(np.concatenate(list(cv[0:2])), np.concatenate([cv[0], cv[1]]))
    assert len(ClauseVectors.of([], 8)) == 0 and edges_of(ClauseVectors.empty(8), 8)[0].shape == (0, 8)
    assert ClauseVectors.of(cv) is cv
    with pytest.raises(IndexError):
        cv[4]


def test_cached_clause_vectors_share_the_rows_of_a_repeated_text(tmp_path):
    from align.embed.cache import CachedEncoder, EmbeddingCache

    class Pooling:
        """An encoder with clause vectors from its encoding (as USE has)."""

        name, dim = "pooling", 4

        def encode(self, texts):
            return self.encode_all(texts)[0]

        def encode_all(self, texts):
            counts = [t.count(",") + 1 for t in texts]
            clauses = np.concatenate([[[len(t), i, 1.0, 0.0] for i in range(k)] for t, k in zip(texts, counts)])
            vecs = np.array([[len(t), 0.0, 1.0, 1.0] for t in texts], dtype=np.float32)
            return vecs, np.zeros((len(texts), 5), np.float32), clauses.astype(np.float32), np.array(counts)

    enc = CachedEncoder(Pooling(), EmbeddingCache(tmp_path), batch=2)
    texts = ["a, b", "c", "a, b", "d, e, f", "c"]
    cv = enc.encode_clauses(texts)
    assert isinstance(cv, ClauseVectors) and len(cv) == 5
    assert cv.rows.shape == (6, 4)  # three distinct texts: 2 + 1 + 3 clauses
    assert [c.shape[0] for c in cv] == [2, 1, 2, 3, 1]
    assert np.array_equal(cv[0], cv[2]) and cv.start[0] == cv.start[2]
    assert np.array_equal(cv[3], [[7, 0, 1, 0], [7, 1, 1, 0], [7, 2, 1, 0]])


def test_joined_rows_give_join_bit_for_bit():
    from align.embed import use_pool

    head = use_pool.HeadWeights()
    rng = np.random.default_rng(1)
    table = np.abs(rng.standard_normal((40, use_pool.POOLED_DIM))).astype(np.float32)
    table[:, -1] = rng.integers(3, 30, 40)
    groups = [list(range(a, a + k)) for a, k in zip(rng.integers(1, 30, 500), rng.integers(2, 9, 500))]
    # runs of one segment, and runs whose rows are scattered or repeated, between the others
    groups[::7] = [[int(a)] for a in rng.integers(0, 40, len(groups[::7]))]
    groups[3::11] = [[int(x) for x in rng.integers(0, 40, k)] for k in rng.integers(2, 6, len(groups[3::11]))]
    want = use_pool.joined(head, [table[g] for g in groups], table[0])
    assert np.array_equal(use_pool.joined_rows(head, table, groups, table[0]), want)
    assert use_pool.joined_rows(head, table, [], table[0]).shape == (0, 512)


def test_joined_rows_in_blocks_match_the_whole_within_float_rounding(monkeypatch):
    """The head runs over JOIN_BLOCK runs at a time (a book's tens of
    thousands of runs held their float32 intermediates at once): the vectors
    are those of one block, within 1e-6 in cosine."""
    from align.embed import use_pool

    head = use_pool.HeadWeights()
    rng = np.random.default_rng(2)
    table = np.abs(rng.standard_normal((60, use_pool.POOLED_DIM))).astype(np.float32)
    table[:, -1] = rng.integers(3, 30, 60)
    groups = [list(range(a, a + k)) for a, k in zip(rng.integers(1, 50, 1000), rng.integers(2, 9, 1000))]
    whole = use_pool.joined_rows(head, table, groups, table[0])
    monkeypatch.setattr(use_pool, "JOIN_BLOCK", 96)  # 10 full blocks and a short one
    blocks = use_pool.joined_rows(head, table, groups, table[0])
    assert blocks.shape == whole.shape == (1000, 512)
    assert np.all(np.einsum("ij,ij->i", blocks, whole) > 1 - 1e-6)
