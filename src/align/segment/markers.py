"""Structural markers at the start of a paragraph or sentence.

Chinese policy texts number their parts ``一、`` (chapter), ``（一）`` or
``(一)`` (section), ``1.`` / ``1、`` (item), ``（1）`` (subitem), ``第一条``
(article), ``第一章`` (chapter) and enumerate principles with ``一是`` /
``二是`` (enumeration). The English translations render them ``I.`` or
``I,`` (chapter), ``(1)`` (section: translators turn ``（一）`` into ``(1)``),
``1.`` (item), ``(a)`` / ``1)`` (subitem), ``Article 1`` and ``First,`` /
``First is`` (enumeration). The kinds are chosen so that a Chinese marker
and its usual English rendering get the same ``marker_kind``.

A *heading* is a paragraph that starts with a marker and either is short as
a whole (``一、总体要求``) or begins with a short title closed by a full stop
(``（一）指导思想。全面贯彻…`` -> the title ``（一）指导思想。``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_CN_NUM = "一二三四五六七八九十百千零〇两"
_SPACE = r"[ \t\u3000\xa0]*"

# (regex, kind); the first match wins, so the more specific patterns come first.
_ZH_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"第[{_CN_NUM}\d]+条"), "article"),
    (re.compile(rf"第[{_CN_NUM}\d]+[章编]"), "chapter"),
    (re.compile(rf"第[{_CN_NUM}\d]+节"), "section"),
    (re.compile(rf"[{_CN_NUM}]+{_SPACE}[、,，.．]"), "chapter"),
    (re.compile(rf"[（(]{_SPACE}[{_CN_NUM}]+{_SPACE}[）)]"), "section"),
    (re.compile(rf"[（(]{_SPACE}\d{{1,3}}{_SPACE}[）)]"), "subitem"),
    (re.compile(r"\d{1,3}(?:[、．]|\.(?!\d))"), "item"),
    (re.compile(r"\d{1,3}[)）]"), "subitem"),
    (re.compile(rf"[{_CN_NUM}]+是"), "enumeration"),
    (re.compile(r"(?:首先|其次|再次|最后)[,，]"), "enumeration"),
]

_ROMAN = r"(?=[IVXL])L?X{0,3}(?:IX|IV|V?I{0,3})"
_ORDINALS = (
    "First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth|Eleventh|Twelfth"
)
_EN_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Article\s+(?:\d+|[IVXL]+|[A-Z][a-z]+)\b[.:]?"), "article"),
    (re.compile(r"Chapter\s+(?:\d+|[IVXL]+|[A-Z][a-z]+)\b[.:]?"), "chapter"),
    (re.compile(r"Section\s+(?:\d+|[IVXL]+)\b[.:]?"), "section"),
    # "I. General Requirements", and the blog translation's "VI, Perfecting ...".
    (re.compile(rf"{_ROMAN}[.,](?=\s+[A-Z(\"“])"), "chapter"),
    (re.compile(r"\(\d{1,3}\)(?=\s*\S)"), "section"),
    (re.compile(r"\([a-z]\)(?=\s*\S)"), "subitem"),
    (re.compile(r"\d{1,3}\.(?=\s+\S)"), "item"),
    (re.compile(r"\d{1,3}\)(?=\s+\S)"), "subitem"),
    (re.compile(rf"(?:{_ORDINALS})(?:ly)?(?:,|(?=\s+is\b)|(?=\s+are\b))"), "enumeration"),
]

# Kinds that make a short first sentence a heading (items and enumerations
# usually open an ordinary sentence, so they only count as headings when the
# whole line is short).
_TITLE_KINDS = {"chapter", "section", "article"}


@dataclass(frozen=True)
class Marker:
    text: str
    kind: str
    end: int  # offset just after the marker, relative to the string searched


def find_marker(text: str, lang: str, pos: int = 0) -> Marker | None:
    """The structural marker starting at ``text[pos]`` (no leading space), or None.

    ``end`` is an absolute offset into ``text``.
    """
    patterns = _ZH_PATTERNS if lang == "zh" else _EN_PATTERNS
    for pattern, kind in patterns:
        m = pattern.match(text, pos)
        if m:
            if kind == "chapter" and lang == "zh" and m.group()[-1] in ",.":
                # "一,": only a chapter marker when followed by a title, never "一,二,三".
                nxt = text[m.end(): m.end() + 1]
                if not nxt or nxt in _CN_NUM:
                    continue
            if kind == "chapter" and lang == "en" and not m.group()[:-1]:
                continue
            return Marker(m.group(), kind, m.end())
    return None


def is_bare_marker(text: str, lang: str) -> bool:
    """True when ``text`` (stripped) consists of a marker and nothing else."""
    stripped = text.strip()
    if not stripped:
        return False
    m = find_marker(stripped, lang)
    if m is None:
        # "(1)" at the end of a line is still a bare marker for English.
        m = find_marker(stripped + " X", lang)
        return m is not None and m.end == len(stripped)
    return not stripped[m.end:].strip(" \t\u3000.。,，:：")


def titles_make_headings(kind: str) -> bool:
    return kind in _TITLE_KINDS
