"""Named limits of the segmenters (no magic numbers in the rules)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SegmentSettings:
    """Limits used by :func:`align.segment.segment`.

    Lengths count characters of the raw span (for Chinese, one character is
    about one English word's worth of content; English spans are about three
    to four times longer than the Chinese they translate).
    """

    # A segment longer than this is cut (issue 7: a 100,000-character line
    # without punctuation must not become one segment). Chosen above the
    # longest natural sentence in the corpus, so only run-on text is cut.
    max_chars_zh: int = 400
    max_chars_en: int = 2000
    # A cut is searched in the last part of the window: not before
    # max_chars * min_cut_fraction, so pieces stay reasonably long.
    min_cut_fraction: float = 0.5
    # Characters before the limit in which jieba word boundaries are searched
    # when a Chinese run has no punctuation or space to cut at.
    word_window_zh: int = 32
    # An opening bracket/quote protects its content only when its closing
    # partner comes within this many characters (so a stray quote cannot
    # swallow a paragraph).
    max_bracket_span_zh: int = 200
    max_bracket_span_en: int = 600
    # Clause level: a comma only ends a clause when both sides have at least
    # this many letters/characters (keeps "褒扬诚信，惩戒失信" and short noun
    # lists together).
    min_clause_chars_zh: int = 6
    min_clause_chars_en: int = 30
    # A colon introduces a list (English clause boundary) only when both sides
    # have at least this many characters ("Title: X" stays whole).
    min_colon_side_en: int = 30
    # Headings: a whole line with a marker up to this length, or a first
    # sentence (title) up to this length after a chapter/section/article marker.
    heading_line_max_zh: int = 40
    heading_line_max_en: int = 200
    title_max_zh: int = 30
    title_max_en: int = 150

    def max_chars(self, lang: str) -> int:
        return self.max_chars_zh if lang == "zh" else self.max_chars_en

    def max_bracket_span(self, lang: str) -> int:
        return self.max_bracket_span_zh if lang == "zh" else self.max_bracket_span_en

    def heading_line_max(self, lang: str) -> int:
        return self.heading_line_max_zh if lang == "zh" else self.heading_line_max_en

    def title_max(self, lang: str) -> int:
        return self.title_max_zh if lang == "zh" else self.title_max_en


DEFAULT_SETTINGS = SegmentSettings()
