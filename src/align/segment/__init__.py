"""Segmenters: Chinese and English text -> sentences or clauses.

Public API (agreed between colleagues)::

    segment(text, lang, level="sentence") -> list[Segment]
    detect_lang(text) -> "zh" | "en"
    segment_lines(text, lang) -> list[Segment]

Every segment carries offsets into ``text``: ``text[s.start:s.end] ==
s.text``; segments are in order, never overlap, are never empty, are
stripped, and the text between them is whitespace only. A line break always
ends a segment; ``paragraph`` is the 0-based index of the non-blank line the
segment comes from.

Per line: (1) a structural marker at its start is recognised
(:mod:`.markers`); a heading becomes a segment of its own; (2) the rest is
cut into sentences (:mod:`.zh`, :mod:`.en`); (3) at clause level each
sentence is cut into clauses; (4) any piece longer than
``SegmentSettings.max_chars_*`` is cut at the last soft punctuation mark,
space or (Chinese) jieba word boundary before the limit.
"""
from __future__ import annotations

import re
from typing import Callable

from ..errors import UsageError
from ..model import Lang, Level, Segment
from . import en, zh
from ._spans import Depth, bounded, cuts_to_spans, lines, merge_bare, strip_span
from .markers import find_marker, is_bare_marker, titles_make_headings
from .settings import DEFAULT_SETTINGS, SegmentSettings

__all__ = ["segment", "segment_lines", "detect_lang", "save_memos", "SegmentSettings", "DEFAULT_SETTINGS"]

_LANGS = ("zh", "en")
_LEVELS = ("sentence", "clause")

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_LATIN_RE = re.compile(r"[A-Za-z]")


def detect_lang(text: str) -> Lang:
    """``"zh"`` when CJK characters dominate, else ``"en"``.

    A Chinese character carries about as much as a short English word, so
    CJK characters are weighted 3:1 against Latin letters: English texts
    with embedded Chinese agency lists stay ``"en"``.
    """
    cjk = len(_CJK_RE.findall(text))
    latin = len(_LATIN_RE.findall(text))
    return "zh" if cjk and cjk * 3 >= latin else "en"


def _check(lang: str, level: str) -> None:
    if lang not in _LANGS:
        raise UsageError(f"unknown language {lang!r} (expected 'zh' or 'en')")
    if level not in _LEVELS:
        raise UsageError(f"unknown level {level!r} (expected 'sentence' or 'clause')")


_FINAL_PUNCT = "。！？!?.…；;"


def _heading(text: str, lang: str, a: int, sentences: list[tuple[int, int]],
             st: SegmentSettings) -> tuple[int, int] | None:
    """The span of the heading at the start of a line, if it has one.

    A heading starts with a marker (not an enumeration like 一是/First) and
    is either the whole line, when short (for items and subitems only if it
    does not end like a sentence: "1. Do this." is an item), or, after a
    chapter/section/article marker, the short first sentence of a longer
    paragraph ("（一）指导思想。" / "(1) Guiding Thought.").
    """
    marker = find_marker(text, lang, a)
    if marker is None or marker.kind == "enumeration":
        return None
    s0, e0 = strip_span(text, *sentences[0])
    if e0 - s0 > st.max_chars(lang):
        return None
    title_kind = titles_make_headings(marker.kind)
    if len(sentences) == 1:
        short = e0 - s0 <= st.heading_line_max(lang)
        return sentences[0] if short and (title_kind or text[e0 - 1] not in _FINAL_PUNCT) else None
    if title_kind and e0 - marker.end <= st.title_max(lang):
        return sentences[0]
    return None


def segment(
    text: str,
    lang: Lang,
    level: Level = "sentence",
    *,
    settings: SegmentSettings | None = None,
) -> list[Segment]:
    """Cut ``text`` into sentence or clause segments (see module docstring)."""
    _check(lang, level)
    st = settings or DEFAULT_SETTINGS
    mod = zh if lang == "zh" else en
    max_chars = st.max_chars(lang)
    word_cut: Callable[[str, int, int], int | None] | None
    if lang == "zh":
        def word_cut(t: str, lo: int, limit: int) -> int | None:
            return zh.word_cut(t, lo, limit, st.word_window_zh)
    else:
        word_cut = None

    def bare(s: int, e: int) -> bool:
        return is_bare_marker(text[s:e], lang)

    out: list[Segment] = []
    for para, (a, b) in enumerate(lines(text)):
        depth = Depth(text, a, b, lang, st.max_bracket_span(lang))
        sentences = merge_bare(cuts_to_spans(a, b, mod.sentence_cuts(text, a, b, depth)), bare)
        heading = _heading(text, lang, a, sentences, st)
        pieces: list[tuple[int, int, bool]] = []
        for s, e in sentences:
            if (s, e) == heading:
                pieces.append((s, e, True))
                continue
            spans = [(s, e)]
            if level == "clause":
                if lang == "zh":
                    cuts = zh.clause_cuts(text, s, e, depth, st.min_clause_chars_zh)
                else:
                    cuts = en.clause_cuts(text, s, e, depth, st.min_clause_chars_en, st.min_colon_side_en)
                spans = merge_bare(cuts_to_spans(s, e, cuts), bare)
            for cs, ce in spans:
                for ps, pe in bounded(text, cs, ce, max_chars, st.min_cut_fraction, mod.SOFT, word_cut):
                    pieces.append((ps, pe, False))
        for s, e, is_heading in pieces:
            s, e = strip_span(text, s, e)
            if s >= e:
                continue
            m = find_marker(text, lang, s)
            if m is not None and m.end > e:
                m = None
            out.append(Segment(
                index=len(out), text=text[s:e], start=s, end=e, level=level, lang=lang,
                marker=m.text if m else None, marker_kind=m.kind if m else None,
                is_heading=is_heading, paragraph=para,
            ))
    return out


def save_memos() -> None:
    """Keep what jieba's tagger answered in this process for the next one (the
    Chinese clause level's verbs; see zh._predicates): call it once after
    segmenting a document or a batch of segments, not after every segment."""
    zh.save_predicates()


def segment_lines(text: str, lang: Lang, *, settings: SegmentSettings | None = None) -> list[Segment]:
    """One segment per non-blank line, nothing re-split (for presegmented
    input). Markers are still detected; a short line with a marker and no
    full stop is a heading."""
    _check(lang, "sentence")
    st = settings or DEFAULT_SETTINGS
    out: list[Segment] = []
    for para, (a, b) in enumerate(lines(text)):
        m = find_marker(text, lang, a)
        if m is not None and m.end > b:
            m = None
        is_heading = bool(
            m and m.kind != "enumeration" and b - a <= st.heading_line_max(lang)
            and (titles_make_headings(m.kind) or text[b - 1] not in _FINAL_PUNCT)
        )
        out.append(Segment(
            index=len(out), text=text[a:b], start=a, end=b, level="sentence", lang=lang,
            marker=m.text if m else None, marker_kind=m.kind if m else None,
            is_heading=is_heading, paragraph=para,
        ))
    return out
