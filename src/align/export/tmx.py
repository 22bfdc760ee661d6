"""TMX 1.4b export through translate-toolkit: one translation unit per bead,
source language ``zh-CN``, target ``en``. An omission (1:0) or an addition
(0:1) is a unit with an empty side, so that the unit count equals the bead
count; its ``x-bead`` prop says which.

Each unit has ``tuid="<translation>:<bead>"`` and props ``x-translation``,
``x-bead`` (``aligned``, ``omission`` or ``addition``), ``x-src`` / ``x-tgt``
(segment indices), ``x-confidence``; the header has ``creationtool="align"``
and ``<prop type="x-align-signature">``. ``min_confidence`` leaves out the
units below it (a CAT tool's memory should not fill with doubtful pairs); the
header's ``x-min-confidence`` prop records it.
"""
from __future__ import annotations

from ..model import Alignment, MultiAlignment
from ._common import as_multi, signature_json

SRC_LANG = "zh-CN"
TGT_LANG = "en"


def _prop(unit_or_header, name: str, value: str, *, before_tuv: bool = True):
    from lxml import etree

    el = etree.Element("prop")
    el.set("type", name)
    el.text = value
    parent = unit_or_header
    tuv = parent.find("tuv")
    if before_tuv and tuv is not None:
        parent.insert(parent.index(tuv), el)
    else:
        parent.append(el)


def bead_kind(bead) -> str:
    """``aligned``, ``omission`` (no target) or ``addition`` (no source)."""
    return "aligned" if bead.src and bead.tgt else ("omission" if bead.src else "addition")


def build_tmx(obj: MultiAlignment | Alignment, *, translation: str | None = None, min_confidence: float = 0.0):
    """A translate-toolkit ``tmxfile`` of the beads of every translation (or only ``translation``)."""
    from translate.storage.tmx import tmxfile

    from .. import __version__

    multi = as_multi(obj)
    if translation is not None and translation not in multi.alignments:
        from ..errors import UsageError

        raise UsageError(f"no translation {translation!r}; have {', '.join(multi.alignments)}")
    store = tmxfile(sourcelanguage=SRC_LANG, targetlanguage=TGT_LANG)
    store.addheader()
    header = next(store.document.getroot().iterchildren("header"))
    header.set("creationtool", "align")
    header.set("creationtoolversion", __version__)
    header.set("segtype", "sentence" if multi.signature.get("level", "sentence") == "sentence" else "phrase")
    _prop(header, "x-align-signature", signature_json(multi), before_tuv=False)
    if min_confidence:
        _prop(header, "x-min-confidence", f"{min_confidence:g}", before_tuv=False)
    for tid, al in multi.alignments.items():
        if translation is not None and tid != translation:
            continue
        for bi, bead in enumerate(al.beads):
            if bead.confidence < min_confidence:
                continue
            src = " ".join(al.source[i].text for i in bead.src)
            tgt = " ".join(al.target[j].text for j in bead.tgt)
            unit = store.addsourceunit(src, SRC_LANG)
            unit.settarget(tgt, TGT_LANG, append=True)
            el = unit.xmlelement
            el.set("tuid", f"{tid}:{bi}")
            for name, value in (("x-translation", tid), ("x-bead", bead_kind(bead)), ("x-src", ",".join(map(str, bead.src))),
                                ("x-tgt", ",".join(map(str, bead.tgt))), ("x-confidence", f"{bead.confidence:.4f}")):
                _prop(el, name, value)
    return store


def to_tmx_bytes(obj: MultiAlignment | Alignment, *, translation: str | None = None,
                 min_confidence: float = 0.0) -> bytes:
    return bytes(build_tmx(obj, translation=translation, min_confidence=min_confidence))


def to_tmx_string(obj: MultiAlignment | Alignment, *, translation: str | None = None,
                  min_confidence: float = 0.0) -> str:
    return to_tmx_bytes(obj, translation=translation, min_confidence=min_confidence).decode("utf-8")
