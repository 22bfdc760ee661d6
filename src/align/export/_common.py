"""Helpers shared by the exporters."""
from __future__ import annotations

import json

from ..model import Alignment, Group, MultiAlignment


def as_multi(obj: MultiAlignment | Alignment) -> MultiAlignment:
    """A MultiAlignment; a single Alignment becomes one with one group per bead."""
    if isinstance(obj, MultiAlignment):
        return obj
    if isinstance(obj, Alignment):
        tid = obj.translation_id
        groups = [Group(b.src, {tid: b.tgt}, {tid: b.confidence}) for b in obj.beads]
        return MultiAlignment(obj.source, {tid: obj}, groups, dict(obj.signature), list(obj.warnings))
    raise TypeError(f"expected a MultiAlignment or an Alignment, got {type(obj).__name__}")


def cell_kind(beads) -> str:
    """What a translation's beads in one row are: ``aligned``, ``omission``
    or ``addition`` (tmx.bead_kind), the distinct kinds in bead order joined
    with ``+`` for a row of several (``aligned+omission``); empty for none."""
    from .tmx import bead_kind

    kinds: list[str] = []
    for b in beads:
        kind = bead_kind(b)
        if kind not in kinds:
            kinds.append(kind)
    return "+".join(kinds)


def signature_json(multi: MultiAlignment) -> str:
    """The signature as one line of JSON (stable key order)."""
    sig = dict(multi.signature)
    sig.setdefault("translations", list(multi.alignments))
    return json.dumps(sig, ensure_ascii=False, sort_keys=True, default=str)


def source_text(multi: MultiAlignment, idx) -> str:
    return " ".join(multi.source[i].text for i in idx)


def target_text(multi: MultiAlignment, tid: str, idx) -> str:
    tgt = multi.alignments[tid].target
    return " ".join(tgt[j].text for j in idx)
