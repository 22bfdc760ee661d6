"""N-way alignment: each translation against the source (sentences, then the
clauses inside each sentence bead), grouped by source."""
from __future__ import annotations

from typing import Mapping

from ..embed import get_encoder
from ..model import Alignment, Group, MultiAlignment, Segment
from .clause_units import ClauseUnits, infer_sentences, split_sentences
from .clauses import align_clauses, clause_level, clause_params, encode_side, wants_lexical
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


#: parameters that hold for both levels of the hierarchy (the rest apply to the level asked for)
SHARED_PARAMS = ("calibration", "lexical")


def align_multi(source: list[Segment], translations: dict[str, list[Segment]], *, encoder="use",
                progress=None, level: str | None = None, source_units: ClauseUnits | None = None,
                target_units: Mapping[str, ClauseUnits] | None = None, clauses: bool = True,
                **params) -> MultiAlignment:
    """Align each translation with the source and group the results by source segments.

    Hierarchical: the sentences are aligned, then the clauses inside each
    sentence bead (aligner/clauses.py); every alignment carries both
    (``Alignment.clauses``). ``level="clause"``: ``source`` and the
    translations are clauses, and the alignments are the clause beads (with
    their sentence units inferred from the clauses where ``source_units`` /
    ``target_units`` do not give them). ``params`` override the aligner's
    parameters at the level asked for (``calibration`` and ``lexical`` at
    both). ``clauses=False``: sentences only (``level="sentence"``).
    """
    enc = get_encoder(encoder)
    level = level or (source[0].level if source else "sentence")
    at_clause = level == "clause"
    shared = {k: v for k, v in params.items() if k in SHARED_PARAMS}
    sentence_params = shared if at_clause else params
    if at_clause or clauses:
        infer = infer_sentences if at_clause else split_sentences
        su = source_units or infer(source)
        tu = {tid: (target_units or {}).get(tid) or infer(segs) for tid, segs in translations.items()}
        src_sentences = list(su.sentences)
        tgt_sentences = {tid: list(u.sentences) for tid, u in tu.items()}
    else:
        src_sentences, tgt_sentences = source, translations
    src_vecs = encode_texts(enc, [s.text for s in src_sentences], progress, "source")
    alignments: dict[str, Alignment] = {}
    for tid in sorted(translations):
        alignments[tid] = align_pair(src_sentences, tgt_sentences[tid], encoder=enc, translation_id=tid,
                                     progress=progress, level="sentence", src_vecs=src_vecs, **sentence_params)
    if at_clause or clauses:
        cp = clause_params(enc, **(params if at_clause else shared))
        lexical = wants_lexical(enc, cp)
        src_side = encode_side(su, enc, lexical=lexical)
        for tid, al in alignments.items():
            al.clauses = align_clauses(al.beads, src_side, encode_side(tu[tid], enc, lexical=lexical), params=cp,
                                       encoder=enc)
            al.signature = {**al.signature, "clause_params": cp.as_dict()}
            if at_clause:
                alignments[tid] = clause_level(al)
    ordered = {tid: alignments[tid] for tid in translations}
    rows_of = ordered[next(iter(ordered))].source if ordered else list(source)
    groups = group_alignments(rows_of, ordered)
    warnings = [w for a in ordered.values() for w in a.warnings]
    sig = dict(next(iter(ordered.values())).signature) if ordered else {}
    sig["translations"] = list(ordered)
    return MultiAlignment(source=list(rows_of), alignments=ordered, groups=groups, signature=sig,
                          warnings=warnings)
