"""Property tests: on random and adversarial text the segmenters keep their
invariants (offsets, order, coverage, no empty segments, bounded length,
determinism) for both languages and both levels."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from align.segment import SegmentSettings, detect_lang, segment, segment_lines

# Pieces that exercise the rules: CJK text, ASCII words, every kind of
# punctuation and bracket (balanced or not), markers, abbreviations,
# numbers, whitespace of all kinds and line breaks.
PIECES = [
    "诚信", "信用", "体系建设", "个人", "的", "社会", "建立健全", "推动", "机构",
    "credit", "System", "the", "No", "Art", "e.g", "U.S", "J", "etc", "and", "so as to", "it",
    "。", "，", "；", "：", "！", "？", "、", "……", "…", ".", ",", ";", ":", "!", "?", "...",
    '"', "'", "“", "”", "‘", "’", "《", "》", "（", "）", "(", ")", "「", "」", "[", "]",
    "一、", "（一）", "(二)", "1.", "2、", "（3）", "(4)", "第一条", "一是", "I.", "VI,", "First,", "Article 2",
    "3.5", "10:30", "2016", "98",
    " ", "  ", "\t", "\u3000", "\xa0", "\n", "\n\n", "\r\n", "\r",
]
TEXT = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)
SMALL = SegmentSettings(max_chars_zh=7, max_chars_en=15, max_bracket_span_zh=10, max_bracket_span_en=20,
                        min_clause_chars_zh=2, min_clause_chars_en=5, min_colon_side_en=3)
CONFIGS = st.sampled_from([None, SMALL])


def check_invariants(text: str, segs, lang: str, level: str, max_chars: int | None) -> None:
    assert [s.index for s in segs] == list(range(len(segs)))
    pos = 0
    last_para = -1
    for s in segs:
        assert text[s.start:s.end] == s.text
        assert s.text and s.text == s.text.strip()
        assert s.start >= pos, "segments overlap or are out of order"
        assert not text[pos:s.start].strip(), "non-whitespace text fell between segments"
        assert "\n" not in s.text and "\r" not in s.text
        assert s.lang == lang and s.level == level
        assert s.paragraph >= last_para
        if max_chars is not None:
            assert len(s.text) <= max_chars
        if s.marker is not None:
            assert s.text.startswith(s.marker)
        pos = s.end
        last_para = s.paragraph
    assert not text[pos:].strip()
    # joining the segments reproduces the text up to whitespace
    assert "".join("".join(s.text.split()) for s in segs) == "".join(text.split())


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, lang=st.sampled_from(["zh", "en"]), level=st.sampled_from(["sentence", "clause"]), cfg=CONFIGS)
def test_segment_invariants(text, lang, level, cfg):
    segs = segment(text, lang, level, settings=cfg)
    limit = (cfg or SegmentSettings()).max_chars(lang)
    check_invariants(text, segs, lang, level, limit)
    assert segment(text, lang, level, settings=cfg) == segs  # deterministic


@settings(deadline=None, max_examples=60)
@given(text=st.text(max_size=200), lang=st.sampled_from(["zh", "en"]), level=st.sampled_from(["sentence", "clause"]))
def test_segment_invariants_on_arbitrary_unicode(text, lang, level):
    segs = segment(text, lang, level, settings=SMALL)
    check_invariants(text, segs, lang, level, SMALL.max_chars(lang))


@settings(deadline=None, max_examples=60)
@given(text=TEXT, lang=st.sampled_from(["zh", "en"]))
def test_segment_lines_invariants(text, lang):
    segs = segment_lines(text, lang)
    check_invariants(text, segs, lang, "sentence", None)
    nonblank = [ln.strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if ln.strip()]
    assert [s.text for s in segs] == nonblank


@settings(deadline=None, max_examples=40)
@given(text=TEXT, lang=st.sampled_from(["zh", "en"]))
def test_clauses_refine_sentences(text, lang):
    """Every sentence boundary is also a clause boundary."""
    sentences = segment(text, lang, "sentence")
    clause_ends = {s.end for s in segment(text, lang, "clause")}
    assert all(s.end in clause_ends for s in sentences)


@settings(deadline=None, max_examples=40)
@given(text=TEXT)
def test_detect_lang_is_total(text):
    assert detect_lang(text) in ("zh", "en")
