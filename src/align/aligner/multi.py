"""N-way alignment: each translation against the source, grouped by source."""
from __future__ import annotations

from ..embed import get_encoder
from ..model import Alignment, Group, MultiAlignment, Segment
from .pair import align_pair, encode_texts


def group_alignments(source: list[Segment], alignments: dict[str, Alignment]) -> list[Group]:
    """Finest partition of the source compatible with every translation's beads.

    A cut between source segments k-1 and k is allowed when no bead of any
    translation spans it. Additions (0:n beads) become groups with src=(),
    placed before the source segment that follows them (or at the end).
    Every source and target segment appears exactly once across groups.
    """
    n = len(source)
    ids = sorted(alignments)  # results independent of the order translations are given in
    no_cut = [False] * (n + 1)
    for tid in ids:
        for bead in alignments[tid].beads:
            for k in bead.src[1:]:
                no_cut[k] = True
    # source blocks
    blocks: list[tuple[int, int]] = []
    start = 0
    for k in range(1, n + 1):
        if k == n or not no_cut[k]:
            blocks.append((start, k))
            start = k
    block_of = {}
    for bi, (s, e) in enumerate(blocks):
        for k in range(s, e):
            block_of[k] = bi
    # per block and translation: target indices and bead confidences
    targets: list[dict[str, list[int]]] = [{t: [] for t in ids} for _ in blocks]
    confs: list[dict[str, list[float]]] = [{t: [] for t in ids} for _ in blocks]
    additions: dict[int, list[tuple[str, tuple[int, ...], float]]] = {}  # before block bi (len = at end)
    for tid in ids:
        beads = alignments[tid].beads
        prev_block = None  # block of the last bead with source segments
        for pos, bead in enumerate(beads):
            if bead.src:
                bi = block_of[bead.src[0]]
                targets[bi][tid].extend(bead.tgt)
                confs[bi][tid].append(bead.confidence)
                prev_block = block_of[bead.src[-1]]
            else:
                nxt = next((b.src[0] for b in beads[pos + 1:] if b.src), None)
                bi = block_of[nxt] if nxt is not None else len(blocks)
                if bi == prev_block:
                    # inside a block that another translation's bead holds together:
                    # a row of its own would put these targets out of order
                    targets[bi][tid].extend(bead.tgt)
                else:
                    additions.setdefault(bi, []).append((tid, bead.tgt, bead.confidence))
    groups: list[Group] = []
    for bi in range(len(blocks) + 1):
        for tid, tgt, conf in additions.get(bi, []):
            groups.append(Group(src=(), targets={t: (tgt if t == tid else ()) for t in ids},
                                confidence={t: (conf if t == tid else 1.0) for t in ids}))
        if bi < len(blocks):
            s, e = blocks[bi]
            groups.append(Group(src=tuple(range(s, e)),
                                targets={t: tuple(sorted(targets[bi][t])) for t in ids},
                                confidence={t: (min(confs[bi][t]) if confs[bi][t] else 0.0) for t in ids}))
    return groups


def align_multi(source: list[Segment], translations: dict[str, list[Segment]], *, encoder="use",
                progress=None, level: str | None = None, **params) -> MultiAlignment:
    """Align each translation with the source and group the results by source segments."""
    enc = get_encoder(encoder)
    src_vecs = encode_texts(enc, [s.text for s in source], progress, "source")
    alignments: dict[str, Alignment] = {}
    for tid in sorted(translations):
        alignments[tid] = align_pair(source, translations[tid], encoder=enc, translation_id=tid,
                                     progress=progress, level=level, src_vecs=src_vecs, **params)
    ordered = {tid: alignments[tid] for tid in translations}
    groups = group_alignments(source, ordered)
    warnings = [w for a in ordered.values() for w in a.warnings]
    sig = dict(next(iter(ordered.values())).signature) if ordered else {}
    sig["translations"] = list(ordered)
    return MultiAlignment(source=list(source), alignments=ordered, groups=groups, signature=sig,
                          warnings=warnings)
