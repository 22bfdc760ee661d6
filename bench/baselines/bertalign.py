"""Bertalign's algorithm with our USE encoder: the baseline the speed figures
are measured against (for benchmarking only; nothing in ``align`` uses it).

    .venv/bin/python bench/baselines/bertalign.py SRC TGT [-o BEADS] [--cache DIR]

SRC and TGT hold one sentence a line (Bertalign's ``is_split=True``; the
lines are taken as they are, so that bead indices are line numbers, where
Bertalign's ``clean_text`` would also drop blank lines); the beads are
written as ``[0,1]:[0]`` lines (``align pair -o``'s format) or printed.
``--cache DIR`` is the embedding cache folder (default: align's own,
``$ALIGN_CACHE_DIR``); an empty folder is a cold run.

This follows the published Bertalign (Liu & Zhu 2022; bfsujason/bertalign,
``bertalign/aligner.py``, ``corelib.py``, ``encoder.py``, ``utils.py``) with
its defaults (max_align=5, top_k=3, win=5, skip=-0.1, margin=True,
len_penalty=True), written anew:

- **Embedding**: every sentence and every run of 2 .. max_align-1
  consecutive sentences joined with a space (``yield_overlaps``: "PAD" where
  a run would start before the text, a blank line read as "BLANK_LINE",
  lines cut at 10,000 characters) is encoded as its own text, and each
  run's length is its UTF-8 byte count. The encoder is ours: USE through
  ``align.embed.get_encoder`` and its sqlite cache, seeing only the
  encoder's ``encode`` (the cache keeps the vectors Bertalign needs, not
  the pooled and clause rows that ``align`` itself keeps).
- **First pass**: the top-k targets of each source sentence by inner
  product (exact, as faiss ``IndexFlatIP``), then a DP over 0-1, 1-0 and
  1-1 beads in a band around the diagonal (half-width max(250, 6% of the
  longer side)), a 1-1 bead scoring its inner product where the target is
  among the top k and 0 otherwise; the 1-1 beads of the best path are the
  anchors.
- **Second pass**: a DP in a window of ``win`` around the anchors over all
  m:n beads with m + n <= max_align (0-1 and 1-0 cost ``skip``), a bead
  scoring the cosine of its joined source and target vectors less the mean
  cosine of each to the other side's neighbouring sentences (``margin``),
  times log2(1 + shorter / longer length) with the target's length scaled
  by the corpus's source/target byte ratio (``len_penalty``).

The DPs are numpy loops over rows (Bertalign's are numba loops over
cells); ``timings`` says how long they took next to the encoding, so that a
slow DP here never passes for a slow algorithm. Ties go to the first bead
type, as Bertalign's strict ``>`` does.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAX_ALIGN, TOP_K, WIN, SKIP = 5, 3, 5, -0.1


@dataclass
class Timings:
    """Seconds spent encoding and in the two passes of the last call."""

    encode: float = 0.0
    first_pass: float = 0.0
    second_pass: float = 0.0
    texts: int = 0  # texts given to the encoder (sentences and joined runs)
    extra: dict = field(default_factory=dict)


class _EncodeOnly:
    """The encoder as Bertalign sees one: a name, a width and ``encode``."""

    def __init__(self, encoder):
        self.name, self.dim, self._encoder = encoder.name, encoder.dim, encoder

    def encode(self, texts: list[str]) -> np.ndarray:
        return self._encoder.encode(texts)


def bertalign_encoder(cache: Path | None):
    """Our USE encoder behind align's embedding cache, seen through ``encode`` only."""
    from align.embed import get_encoder
    from align.embed.cache import CachedEncoder, EmbeddingCache, default_cache_dir

    base = get_encoder("use", cache=False)
    return CachedEncoder(_EncodeOnly(base), EmbeddingCache(cache if cache is not None else default_cache_dir()))


# ------------------------------------------------------------------ embedding

def _overlaps(lines: list[str], layers: int) -> list[str]:
    lines = [line.strip() or "BLANK_LINE" for line in lines]
    out = []
    for size in range(1, layers + 1):
        out += ["PAD"] * min(size - 1, len(lines))
        out += [" ".join(lines[k:k + size])[:10000] for k in range(len(lines) - size + 1)]
    return out


def transform(encoder, lines: list[str], layers: int) -> tuple[np.ndarray, np.ndarray]:
    """(layers, n, dim) vectors and (layers, n) byte lengths: layer k holds
    the runs of k + 1 sentences ending at each sentence."""
    texts = _overlaps(lines, layers)
    vecs = encoder.encode(texts).reshape(layers, len(lines), -1)
    lens = np.array([len(t.encode("utf-8")) for t in texts], dtype=np.float64).reshape(layers, len(lines))
    return vecs, lens


# ------------------------------------------------------------------ first pass

def top_k(src: np.ndarray, tgt: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per source row the k largest inner products with the target rows and their indices."""
    k = min(k, len(tgt))
    dist = np.empty((len(src), k), dtype=np.float32)
    index = np.empty((len(src), k), dtype=np.int64)
    for a in range(0, len(src), 1024):
        sims = src[a:a + 1024] @ tgt.T
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(sims, part, axis=1)
        order = np.argsort(-vals, axis=1, kind="stable")
        index[a:a + 1024] = np.take_along_axis(part, order, axis=1)
        dist[a:a + 1024] = np.take_along_axis(vals, order, axis=1)
    return dist, index


def alignment_types(max_align: int) -> list[tuple[int, int]]:
    return [(0, 1), (1, 0)] + [(x, y) for x in range(1, max_align) for y in range(1, max_align) if x + y <= max_align]


def first_search_path(n_src: int, n_tgt: int, min_win: int = 250, percent: float = 0.06):
    win = max(min_win, int(max(n_src, n_tgt) * percent))
    centre = (n_tgt / n_src * np.arange(n_src + 1)).astype(np.int64)
    return win, np.stack([np.maximum(0, centre - win), np.minimum(centre + win, n_tgt)], axis=1)


def first_pass(n_src: int, n_tgt: int, path: np.ndarray, dist: np.ndarray, index: np.ndarray) -> list[tuple[int, int]]:
    """The 1-1 beads (as (i, j), 1-based ends) of the best 0-1/1-0/1-1 path."""
    width = int((path[:, 1] - path[:, 0]).max()) + 1
    cost = np.full((n_src + 1, width), -np.inf, dtype=np.float32)
    ptr = np.zeros((n_src + 1, width), dtype=np.int8)
    for i in range(n_src + 1):
        lo, hi = path[i]
        js = np.arange(lo, hi + 1)
        v1 = np.full(len(js), -np.inf, dtype=np.float32)  # 1-0: from (i-1, j)
        v2 = np.full(len(js), -np.inf, dtype=np.float32)  # 1-1: from (i-1, j-1)
        if i > 0:
            plo, phi = path[i - 1]
            ok = (js >= plo) & (js <= phi)
            v1[ok] = cost[i - 1, js[ok] - plo]
            ok = (js - 1 >= plo) & (js - 1 <= phi)
            gain = np.zeros(len(js), dtype=np.float32)
            for kk in range(index.shape[1]):
                at = index[i - 1, kk] + 1 - lo  # 1-1 ending at target index[i-1, kk] + 1
                if 0 <= at < len(js):
                    gain[at] += dist[i - 1, kk]
            v2[ok] = cost[i - 1, js[ok] - 1 - plo] + gain[ok]
        rest = np.maximum(v1, v2)
        if i == 0 and lo == 0:
            rest[0] = 0.0  # the origin
        row = np.maximum.accumulate(rest)  # 0-1 adds nothing: the best of this row so far
        cost[i, :len(js)] = row
        v0 = np.concatenate([[-np.inf], row[:-1]]).astype(np.float32)  # 0-1: from (i, j-1)
        a = np.where(v1 > v0, 1, 0)
        a = np.where(v2 > np.maximum(v0, v1), 2, a)
        ptr[i, :len(js)] = a
    beads = []
    i, j = n_src, n_tgt
    while i > 0 or j > 0:
        a = ptr[i, j - path[i, 0]]
        if a == 2:
            beads.append((i, j))
        s, t = ((0, 1), (1, 0), (1, 1))[a]
        i, j = i - s, j - t
    return beads[::-1]


# ------------------------------------------------------------------ second pass

def second_search_path(anchors: list[tuple[int, int]], win: int, n_src: int, n_tgt: int) -> np.ndarray:
    anchors = list(anchors) or [(n_src, n_tgt)]
    last_src, last_tgt = anchors[-1]
    if last_src != n_src:
        if last_tgt == n_tgt:
            anchors.pop()
        anchors.append((n_src, n_tgt))
    elif last_tgt != n_tgt:
        anchors.pop()
        anchors.append((n_src, n_tgt))
    rows = []
    prev_src = prev_tgt = 0
    for src, tgt in anchors:
        lo, hi = max(0, prev_tgt - win), min(n_tgt, tgt + win)
        rows += [(lo, hi)] * (src - prev_src)
        prev_src, prev_tgt = src, tgt
    return np.array([rows[0]] + rows, dtype=np.int64)


def _neighbour_mean(sim_right: np.ndarray, sim_left: np.ndarray) -> np.ndarray:
    """Bertalign's neighbour average: the two summed, halved only where both are non-zero."""
    total = sim_right + sim_left
    return np.where((sim_right != 0) & (sim_left != 0), total / 2, total)


def second_pass(src_vecs, tgt_vecs, src_lens, tgt_lens, path, types, char_ratio, skip,
                margin=True, len_penalty=True) -> list[tuple[list[int], list[int]]]:
    n_src, n_tgt = src_vecs.shape[1], tgt_vecs.shape[1]
    width = int((path[:, 1] - path[:, 0]).max()) + 1
    cost = np.full((n_src + 1, width), -np.inf, dtype=np.float64)
    ptr = np.zeros((n_src + 1, width), dtype=np.int8)
    src1, tgt1 = src_vecs[0], tgt_vecs[0]
    for i in range(n_src + 1):
        lo, hi = path[i]
        js = np.arange(lo, hi + 1)
        best = np.full(len(js), -np.inf)
        best_a = np.full(len(js), -1, dtype=np.int8)
        for a, (s, t) in enumerate(types):
            if s == 0:
                continue  # 0-1 comes from this row: below
            pi = i - s
            if pi < 0:
                continue
            plo, phi = path[pi]
            pj = js - t
            ok = (pj >= 0) & (pj >= plo) & (pj <= phi)
            if not ok.any():
                continue
            score = np.full(len(js), -np.inf)
            prev = cost[pi, pj[ok] - plo]
            if t == 0:
                gain = np.full(ok.sum(), skip)
            else:
                jj = js[ok]  # the bead's target run ends at sentence jj (1-based)
                sv = src_vecs[s - 1, i - 1]
                tv = tgt_vecs[t - 1, jj - 1]
                gain = tv @ sv
                if margin:
                    right = np.where(jj + 1 <= n_tgt, tgt1[np.minimum(jj, n_tgt - 1)] @ sv, 0.0)
                    left = np.where(jj - t > 0, tgt1[np.maximum(jj - t - 1, 0)] @ sv, 0.0)
                    tgt_side = _neighbour_mean(right, left)
                    s_right = tv @ src1[i] if i + 1 <= n_src else np.zeros(len(jj))
                    s_left = tv @ src1[i - s - 1] if i - s > 0 else np.zeros(len(jj))
                    gain = gain - (tgt_side + _neighbour_mean(s_right, s_left)) / 2
                if len_penalty:
                    sl = src_lens[s - 1, i - 1]
                    tl = tgt_lens[t - 1, jj - 1] * char_ratio
                    gain = gain * np.log2(1 + np.minimum(sl, tl) / np.maximum(sl, tl))
            score[ok] = prev + gain
            better = score > best
            best[better] = score[better]
            best_a[better] = a
        # 0-1 (type 0, tried first: it wins ties) from (i, j-1), in order along the row
        row = cost[i]
        for k in range(len(js)):
            if i == 0 and js[k] == 0:
                row[k] = 0.0
                continue
            from_left = row[k - 1] + skip if k > 0 else -np.inf
            if best[k] > from_left:
                row[k], ptr[i, k] = best[k], best_a[k]
            else:
                row[k], ptr[i, k] = from_left, 0
    beads = []
    i, j = n_src, n_tgt
    while i > 0 or j > 0:
        s, t = types[ptr[i, j - path[i, 0]]]
        beads.append((list(range(i - s, i)), list(range(j - t, j))))
        i, j = i - s, j - t
    return beads[::-1]


# ------------------------------------------------------------------ the aligner

def align(src_lines: list[str], tgt_lines: list[str], encoder, *, max_align: int = MAX_ALIGN, k: int = TOP_K,
          win: int = WIN, skip: float = SKIP, margin: bool = True, len_penalty: bool = True,
          timings: Timings | None = None) -> list[tuple[list[int], list[int]]]:
    """Bertalign's beads (0-based source and target indices) for two lists of sentences."""
    timings = timings if timings is not None else Timings()
    if not src_lines or not tgt_lines:
        return [([i], []) for i in range(len(src_lines))] + [([], [j]) for j in range(len(tgt_lines))]
    t0 = time.perf_counter()
    layers = max_align - 1
    src_vecs, src_lens = transform(encoder, src_lines, layers)
    tgt_vecs, tgt_lens = transform(encoder, tgt_lines, layers)
    timings.texts = layers * (len(src_lines) + len(tgt_lines))
    t1 = time.perf_counter()
    char_ratio = src_lens[0].sum() / tgt_lens[0].sum()
    dist, index = top_k(src_vecs[0], tgt_vecs[0], k)
    _, path = first_search_path(len(src_lines), len(tgt_lines))
    anchors = first_pass(len(src_lines), len(tgt_lines), path, dist, index)
    t2 = time.perf_counter()
    path2 = second_search_path(anchors, win, len(src_lines), len(tgt_lines))
    beads = second_pass(src_vecs, tgt_vecs, src_lens, tgt_lens, path2, alignment_types(max_align), char_ratio,
                        skip, margin=margin, len_penalty=len_penalty)
    t3 = time.perf_counter()
    timings.encode, timings.first_pass, timings.second_pass = t1 - t0, t2 - t1, t3 - t2
    return beads


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", type=Path)
    ap.add_argument("tgt", type=Path)
    ap.add_argument("-o", "--output", type=Path, default=None, help="write the beads here (else print them)")
    ap.add_argument("--cache", type=Path, default=None, help="embedding cache folder (default: align's)")
    ap.add_argument("--timings", action="store_true", help="print the encoding and DP seconds on stderr")
    args = ap.parse_args(argv)
    from align.evaluate import format_beads

    src = args.src.read_text(encoding="utf-8").splitlines()
    tgt = args.tgt.read_text(encoding="utf-8").splitlines()
    times = Timings()
    beads = align(src, tgt, bertalign_encoder(args.cache), timings=times)
    text = format_beads([(tuple(s), tuple(t)) for s, t in beads])
    if args.output:
        tmp = args.output.with_name(args.output.name + f".tmp-{os.getpid()}")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, args.output)
    else:
        sys.stdout.write(text)
    if args.timings:
        print(f"bertalign: {len(src)} x {len(tgt)} sentences, {times.texts} texts, encode {times.encode:.2f} s, "
              f"first pass {times.first_pass:.2f} s, second pass {times.second_pass:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
