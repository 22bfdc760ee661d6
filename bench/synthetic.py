"""Synthetic variants of a mac-dev chapter with a known answer (bench_calibration.py).

A chapter is the dict that tune.features builds (vectors, lengths, texts,
clause vectors, gold beads). ``delete`` drops one side's segment of some
gold 1:1 beads, so the other side's segment truly has no counterpart (a gold
1:0 or 0:1); ``merge`` joins one side's segments of some pairs of
neighbouring gold 1:1 beads into one segment (a gold 2:1 or 1:2), its
vector encoded from the joined text (USE builds it from the cached pooled
rows), its clause vectors the two segments' concatenated.
"""
from __future__ import annotations

import numpy as np

# the per-segment entries of a chapter, per side
_SIDE_KEYS = {"src": ("zv", "zl", "zlen", "zt", "zc"), "tgt": ("ev", "el", "elen", "et", "ec")}


def _spaced(candidates: list[int], k: int, spacing: int, rng: np.random.Generator) -> list[int]:
    """Up to k of the candidates (in random order), no two closer than ``spacing``."""
    order = list(candidates)
    rng.shuffle(order)
    chosen: list[int] = []
    for c in order:
        if all(abs(c - x) >= spacing for x in chosen):
            chosen.append(c)
        if len(chosen) == k:
            break
    return sorted(chosen)


def _take(chapter: dict, side: str, rows: list[int]) -> dict:
    """The chapter's entries of one side, kept at ``rows`` (a list of old indices)."""
    out = {}
    for key in _SIDE_KEYS[side]:
        v = chapter[key]
        out[key] = v[rows] if isinstance(v, np.ndarray) else [v[r] for r in rows]
    return out


def delete(chapter: dict, side: str, k: int, rng: np.random.Generator, spacing: int = 4) -> dict:
    """The chapter with ``side``'s segment of k gold 1:1 beads dropped: the
    other side's segment becomes a gold 1:0 (side "tgt") or 0:1 (side "src")."""
    gold = [(tuple(s), tuple(t)) for s, t in chapter["gold"]]
    beads = _spaced([g for g, (s, t) in enumerate(gold) if len(s) == 1 and len(t) == 1], k, spacing, rng)
    pos = 0 if side == "src" else 1
    drop = {gold[g][pos][0] for g in beads}
    n = len(chapter["zt"] if side == "src" else chapter["et"])
    keep = [x for x in range(n) if x not in drop]
    new = {old: i for i, old in enumerate(keep)}
    out = dict(chapter, **_take(chapter, side, keep))
    moved = []
    for s, t in gold:
        s2 = tuple(new[i] for i in s if i in new) if side == "src" else s
        t2 = tuple(new[j] for j in t if j in new) if side == "tgt" else t
        if s2 or t2:
            moved.append((s2, t2))
    out["gold"] = moved
    return out


def merge(chapter: dict, side: str, k: int, rng: np.random.Generator, encoder, spacing: int = 4) -> dict:
    """The chapter with ``side``'s two segments of k pairs of neighbouring
    gold 1:1 beads joined into one: those beads become one gold 2:1 or 1:2."""
    from align.aligner.pair import lexical_vectors
    from align.embed import encode_joined

    gold = [(tuple(s), tuple(t)) for s, t in chapter["gold"]]
    pairs = _spaced([g for g in range(len(gold) - 1) if all(len(x) == 1 for x in gold[g] + gold[g + 1])],
                    k, spacing, rng)
    pos = 0 if side == "src" else 1
    firsts = {gold[g][pos][0] for g in pairs}  # each joined with the segment after it
    vec, lex, length, text, clauses = _SIDE_KEYS[side]
    sep = "" if side == "src" else " "
    T = chapter[text]
    joined_vecs = encode_joined(encoder, [[T[x], T[x + 1]] for x in sorted(firsts)], sep)
    joined_lex = lexical_vectors([T[x] + sep + T[x + 1] for x in sorted(firsts)])
    rows = {key: [] for key in _SIDE_KEYS[side]}
    new: dict[int, int] = {}
    x, r = 0, 0
    while x < len(T):
        if x in firsts:
            rows[vec].append(joined_vecs[r])
            rows[lex].append(joined_lex[r])
            rows[length].append(chapter[length][x] + chapter[length][x + 1] + len(sep))
            rows[text].append(T[x] + sep + T[x + 1])
            rows[clauses].append(np.concatenate([chapter[clauses][x], chapter[clauses][x + 1]]))
            new[x] = new[x + 1] = len(rows[text]) - 1
            x, r = x + 2, r + 1
        else:
            for key in _SIDE_KEYS[side]:
                rows[key].append(chapter[key][x])
            new[x] = len(rows[text]) - 1
            x += 1
    out = dict(chapter)
    for key, values in rows.items():
        out[key] = np.asarray(values, dtype=np.float32) if key in (vec, lex) else values
    moved: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for s, t in gold:
        if side == "src":
            s = tuple(sorted({new[i] for i in s}))
        else:
            t = tuple(sorted({new[j] for j in t}))
        shared = moved and ((side == "src" and s and moved[-1][0] == s) or (side == "tgt" and t and moved[-1][1] == t))
        if shared:
            ps, pt = moved.pop()
            s, t = tuple(sorted(set(ps) | set(s))), tuple(sorted(set(pt) | set(t)))
        moved.append((s, t))
    out["gold"] = moved
    return out
