"""TMX 1.4b export through translate-toolkit: one translation unit per bead
with both sides (omissions and additions have nothing to pair and are left
out), source language ``zh-CN``, target ``en``.

Each unit has ``tuid="<translation>:<bead>"`` and props ``x-translation``,
``x-src`` / ``x-tgt`` (segment indices), ``x-confidence``; the header has
``creationtool="align"`` and ``<prop type="x-align-signature">``.
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


def build_tmx(obj: MultiAlignment | Alignment, *, translation: str | None = None):
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
    for tid, al in multi.alignments.items():
        if translation is not None and tid != translation:
            continue
        for bi, bead in enumerate(al.beads):
            if not bead.src or not bead.tgt:
                continue
            src = " ".join(al.source[i].text for i in bead.src)
            tgt = " ".join(al.target[j].text for j in bead.tgt)
            unit = store.addsourceunit(src, SRC_LANG)
            unit.settarget(tgt, TGT_LANG, append=True)
            el = unit.xmlelement
            el.set("tuid", f"{tid}:{bi}")
            for name, value in (("x-translation", tid), ("x-src", ",".join(map(str, bead.src))),
                                ("x-tgt", ",".join(map(str, bead.tgt))), ("x-confidence", f"{bead.confidence:.4f}")):
                _prop(el, name, value)
    return store


def to_tmx_bytes(obj: MultiAlignment | Alignment, *, translation: str | None = None) -> bytes:
    return bytes(build_tmx(obj, translation=translation))


def to_tmx_string(obj: MultiAlignment | Alignment, *, translation: str | None = None) -> str:
    return to_tmx_bytes(obj, translation=translation).decode("utf-8")
