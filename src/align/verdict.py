"""The document verdict: is a translation a translation of the whole source
(``clean``), of part of it (``partial``), or of a different text or a
different version of it (``different``)?

A good mean confidence does not say it. The aligner pairs what it is given:
the English of a law's later revision lines up with the original at 0.95 a
row, extra articles fold into the rows as 1:5 beads, and half a translation
is stretched over the whole source. So the verdict reads what the alignment
cannot hide, each measured by one small function over a MultiAlignment (no
I/O, no encoder), then judged by one small function that says what the
figure means, if anything:

* ``segment_counts`` - a translation with 8 times the source's segments
  (the pipeline's old size warning) is another text;
* ``length_ratio`` - English characters per Chinese character against the
  norm measured on our corpus and mac-dev (:data:`NORM_RATIO`,
  :data:`NORM_LOG_SD`): outside the band is a hint, twice the norm is
  another text;
* ``confidence_share`` - half the aligned rows below 0.35 is another text;
* ``missing_ranges`` - a stretch of the source with far less English than
  the rest of the document (max-subarray over the rows: ``short_stretches``),
  placed by the run of headings the English lacks where there is one
  (``outline_gaps``), is what a partial translation leaves untranslated;
* ``structure_agreement`` - in the aligned rows, do 第N条/Article N,
  第N章/Chapter N (Roman numerals too), 一、/I. and (一)/(1) carry the same
  numbers? Agreement confirms the alignment, a systematic mismatch says
  "different version";
* ``numbered_extra`` - articles or chapters the English numbers and the
  source has not (a later revision);
* ``outline_diff`` - the sequence of headings on each side: headings only
  one side has, outside any missing range;
* ``added_dates`` - dates and years the English adds to many rows
  (deadlines of an implementation plan built on the source);
* ``unaligned_source`` and ``large_beads`` - evidence shown with the
  verdict (where the source has no counterpart, 1:n beads with a large n).

A strong finding makes a translation ``different``; so do two weak ones,
unless the structure confirms the alignment. Otherwise a missing range
makes it ``partial``. The thresholds are named in :class:`VerdictSettings`;
bench/bench_verdict.py prints every figure on the genuine pairs (98号 with
both translations, the mac-dev chapters) and on the synthetic cases.
"""
from __future__ import annotations

import difflib
import math
import re
import statistics
from dataclasses import dataclass
from typing import Iterable, Literal, Mapping, Sequence

from .model import MultiAlignment, Segment, Verdict
from .numbers import (QUANTITY_KINDS, Mention, chinese_to_int, compare_numbers, english_numbers, extract_numbers,
                      roman_to_int)
from .segment.markers import find_marker

__all__ = [
    "VerdictSettings", "NORM_RATIO", "NORM_LOG_SD", "KINDS", "Row", "Finding", "rows_of", "verdicts", "verdict_of",
    "verdict_warnings", "decide", "judge_unaligned", "segment_counts", "length_ratio", "confidence_share",
    "unaligned_source",
    "expected_ratio", "short_stretches", "outline_gaps", "missing_ranges", "large_beads", "marks_of", "marker_number",
    "structure_agreement", "numbered_extra", "outline_diff", "added_dates",
]

KINDS = ("clean", "partial", "different")

#: English characters per Chinese character (non-space characters of the
#: segments) of a zh->en translation: the geometric mean over 98号 (clt 4.20,
#: blog 4.03) and the six mac-dev chapters (3.35, 3.05, 4.27, 3.09, 3.55,
#: 2.89), and the standard deviation of the log ratio. bench/bench_verdict.py
#: prints the figures these come from.
NORM_RATIO = 3.52
NORM_LOG_SD = 0.154

#: The marker kinds whose numbers are compared: 第N条/Article N, 第N章/一、/
#: Chapter N/I., 第N节/(一)/Section N/(1).
STRUCTURE_KINDS = ("article", "chapter", "section")
#: Kinds whose numbers are unique in a document, so that a number one side has
#: and the other has not is a unit one side has and the other has not.
NUMBERED_KINDS = ("article", "chapter")
#: A bead the document's own length ratio is read from: at least this confident
#: (and small, with 10 or more source characters).
_PLAIN_CONFIDENCE = 0.5
#: A row to believe where headings are placed: this confident, and small.
_RELIABLE_CONFIDENCE = 0.8
#: Runs of rows short of English tried at most (each costs one pass over the rows).
_MAX_SEARCHES = 32


@dataclass(frozen=True)
class VerdictSettings:
    """Thresholds of the verdict's signals (see the module docstring).

    ``low_confidence``: a row below this is low-confidence (the check's
    threshold); ``low_share``: the share of such rows from which the
    translation is another text; ``min_rows``: rows the shares need.
    ``segment_ratio``/``segment_min``: the pipeline's size rule.
    ``band_sd``: the length ratio's band, in standard deviations of the log
    ratio around :data:`NORM_RATIO`; ``far_factor``: from this multiple of
    the norm the English is another text.
    ``missing_theta``: a row with less than this share of the document's own
    ratio is short of English; ``missing_min_share``/``missing_min_segments``:
    what a stretch of such rows needs to be a missing range (share of the
    source's characters, source segments); ``missing_ranges``: at most this many.
    ``large_bead``: a bead with this many segments on one side is large.
    ``structure_min_rows``: numbered rows the agreement needs;
    ``mismatch_strong``/``mismatch_weak``: shares of them numbered
    differently that make a strong or a weak finding; ``confirm_share``/
    ``confirm_rows``: the agreement that confirms an alignment.
    ``extra_min``/``extra_share``: articles or chapters only the English has
    (a count, and a share of the source's) that make another version.
    ``outline_min``: headings only one side has (outside missing ranges) that
    make a weak finding; ``date_rows``/``date_share``: rows with dates only
    the English gives (a count and a share of the aligned rows) that do.
    """

    low_confidence: float = 0.35
    low_share: float = 0.5
    min_rows: int = 8
    segment_ratio: float = 8.0
    segment_min: int = 20
    norm_ratio: float = NORM_RATIO
    norm_log_sd: float = NORM_LOG_SD
    band_sd: float = 2.0
    far_factor: float = 2.0
    missing_theta: float = 0.5
    missing_min_share: float = 0.15
    missing_min_segments: int = 3
    missing_ranges: int = 3
    large_bead: int = 4
    structure_min_rows: int = 5
    mismatch_strong: float = 0.25
    mismatch_weak: float = 0.10
    confirm_share: float = 0.9
    confirm_rows: int = 10
    extra_min: int = 3
    extra_share: float = 0.10
    outline_min: int = 2
    date_rows: int = 3
    date_share: float = 0.05

    @property
    def band(self) -> tuple[float, float]:
        """The length ratios of a usual translation: the norm times exp(+-band_sd sd)."""
        spread = math.exp(self.band_sd * self.norm_log_sd)
        return self.norm_ratio / spread, self.norm_ratio * spread


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class Row:
    """One bead of one translation, with the lengths the signals read
    (non-space characters)."""

    bead: int
    src: tuple[int, ...]
    tgt: tuple[int, ...]
    src_chars: int
    tgt_chars: int
    confidence: float

    @property
    def aligned(self) -> bool:
        return bool(self.src and self.tgt)


def _chars(text: str) -> int:
    """Non-space characters (``str.split`` drops what ``str.isspace`` calls space)."""
    return len("".join(text.split()))


def rows_of(multi: MultiAlignment, tid: str) -> list[Row]:
    """The beads of translation ``tid`` in order, as Rows."""
    al = multi.alignments[tid]
    src_len = [_chars(s.text) for s in multi.source]
    tgt_len = [_chars(s.text) for s in al.target]
    return [Row(k, tuple(b.src), tuple(b.tgt), sum(src_len[i] for i in b.src), sum(tgt_len[j] for j in b.tgt),
                float(b.confidence)) for k, b in enumerate(al.beads)]


@dataclass(frozen=True)
class SourceRange:
    """Source segments ``start``..``end`` (inclusive, 0-based) and their share of the source's characters."""

    start: int
    end: int
    share: float

    def label(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "share": round(self.share, 4)}


# --------------------------------------------------------------------------- signals


@dataclass(frozen=True)
class SegmentCounts:
    """How many segments the source and the translation have."""

    source: int
    target: int

    @property
    def ratio(self) -> float:
        return self.target / self.source if self.source else math.inf

    def as_dict(self) -> dict:
        return {"source": self.source, "target": self.target,
                "ratio": round(self.ratio, 4) if math.isfinite(self.ratio) else None}


def segment_counts(multi: MultiAlignment, tid: str) -> SegmentCounts:
    """How many segments each side has."""
    return SegmentCounts(len(multi.source), len(multi.alignments[tid].target))


@dataclass(frozen=True)
class LengthRatio:
    """English characters per Chinese character: over the whole document, and
    over what is left outside the missing ranges (``covered_ratio``), with the
    norm, the standard deviation of its log (``sd``) and the band
    (``low``..``high``) a usual translation falls in."""

    source_chars: int
    target_chars: int
    covered_ratio: float | None
    norm: float
    sd: float
    low: float
    high: float

    @property
    def ratio(self) -> float | None:
        return self.target_chars / self.source_chars if self.source_chars else None

    @property
    def z(self) -> float | None:
        """How many standard deviations of the log ratio the document's ratio lies from the norm."""
        r = self.ratio
        return math.log(r / self.norm) / self.sd if r and self.sd else None

    def as_dict(self) -> dict:
        return {"source_chars": self.source_chars, "target_chars": self.target_chars,
                "ratio": _round(self.ratio), "covered_ratio": _round(self.covered_ratio), "norm": self.norm,
                "sd": self.sd, "z": _round(self.z, 2), "band": [round(self.low, 2), round(self.high, 2)]}


def _round(x: float | None, n: int = 4) -> float | None:
    return None if x is None else round(x, n)


def length_ratio(rows: Sequence[Row], missing: Sequence[SourceRange] = (),
                 settings: VerdictSettings = VerdictSettings()) -> LengthRatio:
    """The document's length ratio, and the ratio of all its English to the
    source outside ``missing`` (what the translation covers)."""
    s = sum(r.src_chars for r in rows)
    t = sum(r.tgt_chars for r in rows)
    covered = None
    if missing:
        inside = _in_ranges(rows, missing)
        cs = sum(r.src_chars for r, x in zip(rows, inside) if not x)
        covered = t / cs if cs else None
    low, high = settings.band
    return LengthRatio(s, t, covered, settings.norm_ratio, settings.norm_log_sd, low, high)


def _in_ranges(rows: Sequence[Row], ranges: Sequence[SourceRange]) -> list[bool]:
    """Per row: whether its source lies in one of ``ranges``; a row with no
    source is inside when the rows with a source on both sides of it are."""
    if not ranges:
        return [False] * len(rows)
    flags = [any(r.start <= row.src[0] <= r.end for r in ranges) if row.src else None for row in rows]
    before: list[bool] = []
    last = False
    for f in flags:
        last = last if f is None else f
        before.append(last)
    out = [False] * len(rows)
    nxt = False
    for k in range(len(rows) - 1, -1, -1):
        f = flags[k]
        nxt = nxt if f is None else f
        out[k] = f if f is not None else (before[k] and nxt)
    return out


@dataclass(frozen=True)
class ConfidenceShare:
    """Aligned rows (both sides), how many are below ``threshold``, and their mean confidence."""

    rows: int
    low_rows: int
    threshold: float
    mean: float

    @property
    def share(self) -> float:
        return self.low_rows / self.rows if self.rows else 0.0

    def as_dict(self) -> dict:
        return {"rows": self.rows, "low_rows": self.low_rows, "low_share": round(self.share, 4),
                "threshold": self.threshold, "mean": round(self.mean, 4)}


def confidence_share(rows: Sequence[Row], settings: VerdictSettings = VerdictSettings()) -> ConfidenceShare:
    """The share of aligned rows the aligner is unsure of."""
    confs = [r.confidence for r in rows if r.aligned]
    low = sum(1 for c in confs if c < settings.low_confidence)
    return ConfidenceShare(len(confs), low, settings.low_confidence, sum(confs) / len(confs) if confs else 0.0)


@dataclass(frozen=True)
class Unaligned:
    """Source segments in rows with no translation: how many, their share of
    the source's characters, and the largest runs of them."""

    segments: int
    share: float
    ranges: tuple[SourceRange, ...]

    def as_dict(self) -> dict:
        return {"segments": self.segments, "share": round(self.share, 4), "ranges": [r.as_dict() for r in self.ranges]}


def unaligned_source(multi: MultiAlignment, rows: Sequence[Row], most: int = 5) -> Unaligned:
    """Where the source has no counterpart in the translation (omission beads)."""
    lengths = [_chars(s.text) for s in multi.source]
    total = sum(lengths) or 1
    alone = sorted(i for r in rows if r.src and not r.tgt for i in r.src)
    runs: list[list[int]] = []
    for i in alone:
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    ranges = [SourceRange(run[0], run[-1], sum(lengths[i] for i in run) / total) for run in runs]
    ranges.sort(key=lambda r: (-r.share, r.start))
    return Unaligned(len(alone), sum(lengths[i] for i in alone) / total,
                     tuple(sorted(ranges[:most], key=lambda r: r.start)))


def expected_ratio(rows: Sequence[Row], settings: VerdictSettings = VerdictSettings()) -> float:
    """The document's own length ratio where the alignment is plain: the
    median ratio of confident small beads (up to 2:2, 10 or more source
    characters); of all aligned rows when there are few; else the norm."""
    plain = [r.tgt_chars / r.src_chars for r in rows
             if r.aligned and r.src_chars >= 10 and len(r.src) <= 2 and len(r.tgt) <= 2
             and r.confidence >= _PLAIN_CONFIDENCE]
    if len(plain) < 5:
        plain = [r.tgt_chars / r.src_chars for r in rows if r.aligned and r.src_chars]
    return statistics.median(plain) if plain else settings.norm_ratio


@dataclass(frozen=True)
class MissingRange(SourceRange):
    """A source range with no translation.

    ``found_by``: ``length`` (a stretch of rows short of English) or
    ``headings`` (a run of source headings the English does not have, where
    the English is short too); ``edge``: ``start`` or ``end`` when the range
    begins or ends the source (the English starts late or stops early), None
    inside it. ``stretch`` is the run of rows short of English, where the
    alignment is not to be read (the aligner spreads what English there is
    over it); ``english_share``: the English the stretch has, as a share of
    what the document's own ratio would give it."""

    found_by: Literal["length", "headings"] = "length"
    edge: Literal["start", "end"] | None = None
    stretch: SourceRange = SourceRange(0, 0, 0.0)
    english_share: float = 0.0

    def as_dict(self) -> dict:
        return {**super().as_dict(), "found_by": self.found_by, "edge": self.edge, "stretch": self.stretch.as_dict(),
                "english_share": round(self.english_share, 4)}


def _best_stretch(gains: Sequence[float], lo: int, hi: int) -> tuple[int, int, float] | None:
    """The run ``[a, b]`` of ``gains[lo:hi]`` with the largest positive sum (Kadane)."""
    best: tuple[int, int, float] | None = None
    run, start = 0.0, lo
    for k in range(lo, hi):
        if run <= 0:
            run, start = gains[k], k
        else:
            run += gains[k]
        if run > 0 and (best is None or run > best[2]):
            best = (start, k, run)
    return best


def short_stretches(multi: MultiAlignment, rows: Sequence[Row],
                    settings: VerdictSettings = VerdictSettings()) -> tuple[MissingRange, ...]:
    """Source ranges with no translation, found by their want of English.

    A row's gain is ``theta * rho * source chars - target chars`` (``rho``:
    :func:`expected_ratio`): positive where the row has less than ``theta``
    of the English the document's ratio would give it. The run of rows with
    the largest sum is the stretch short of English. It holds English that
    belongs to its edge (the aligner scatters the last segments of a
    translation that stops early over the rest of the source): a stretch at
    the end of the document gives that English to its first source
    characters, and the rest is the range; at the start, to its last; inside
    the document the whole stretch is the range. A range is kept when it has
    ``missing_min_share`` of the source's characters and
    ``missing_min_segments`` segments; the rows on either side are searched
    again (at most ``missing_ranges`` ranges). A stretch over the whole
    document is no range: the translation is short as a whole."""
    lengths = [_chars(s.text) for s in multi.source]
    total = sum(lengths)
    with_src = [k for k, r in enumerate(rows) if r.src]
    if not total or not with_src:
        return ()
    rho = expected_ratio(rows, settings)
    gains = [settings.missing_theta * rho * r.src_chars - r.tgt_chars for r in rows]
    first, last = with_src[0], with_src[-1]
    cum = [0]
    for r in rows:
        cum.append(cum[-1] + r.src_chars)
    found: list[MissingRange] = []
    todo = [(0, len(rows))]
    searches = 0
    while todo and len(found) < settings.missing_ranges and searches < _MAX_SEARCHES:
        lo, hi = todo.pop(0)
        searches += 1
        best = _best_stretch(gains, lo, hi)
        if best is None:
            continue
        a, b, _ = best
        # only the sides that could hold a range are searched again
        todo.extend((x, y) for x, y in ((lo, a), (b + 1, hi)) if cum[y] - cum[x] >= settings.missing_min_share * total)
        if a <= first and b >= last:
            continue  # short as a whole: not a range
        s_chars = sum(r.src_chars for r in rows[a:b + 1])
        t_chars = sum(r.tgt_chars for r in rows[a:b + 1])
        srcs = [i for r in rows[a:b + 1] for i in r.src]
        if not srcs:
            continue
        stretch = SourceRange(min(srcs), max(srcs), s_chars / total)
        edge = "end" if b >= last else ("start" if a <= first else None)
        p_srcs = _uncovered(rows, a, b, t_chars / rho if rho else 0.0, edge, lengths)
        p_chars = sum(lengths[i] for i in p_srcs)
        if p_chars >= settings.missing_min_share * total and len(p_srcs) >= settings.missing_min_segments:
            found.append(MissingRange(min(p_srcs), max(p_srcs), p_chars / total, "length", edge, stretch,
                                      t_chars / (rho * s_chars) if rho and s_chars else 0.0))
    return tuple(sorted(found, key=lambda m: m.start))


def _reliable(row: Row) -> bool:
    """A row the aligner is sure of and that is small: a row to believe."""
    return row.aligned and row.confidence >= _RELIABLE_CONFIDENCE and len(row.src) <= 2 and len(row.tgt) <= 2


def outline_gaps(multi: MultiAlignment, rows: Sequence[Row], source_marks: Sequence[Mark],
                 target_marks: Sequence[Mark],
                 settings: VerdictSettings = VerdictSettings()) -> tuple[SourceRange, ...]:
    """Runs of source headings the English does not have (``missing_min_segments``
    headings or more, matched as outlines like :func:`outline_diff`), as the
    source ranges they head: from the first such heading (from the start of
    the source when the run opens the outline and no reliable row comes
    before it) to the segment before the next heading both have (to the end
    of the source when the run closes it and no reliable row comes after)."""
    src, tgt = _outline(source_marks, target_marks)
    if not src or not tgt or not multi.source:
        return ()
    lengths = [_chars(s.text) for s in multi.source]
    total = sum(lengths) or 1
    last_seg = len(multi.source) - 1
    believed = sorted(i for r in rows if _reliable(r) for i in r.src)
    matcher = difflib.SequenceMatcher(None, [(m.kind, m.number) for m in src], [(m.kind, m.number) for m in tgt],
                                      autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal" or i2 - i1 < settings.missing_min_segments or (j2 - j1) * 3 > i2 - i1:
            continue
        start = src[i1].segment
        if i1 == 0:
            before = [i for i in believed if i < start]
            start = before[-1] + 1 if before else 0
        if i2 < len(src):
            end = src[i2].segment - 1
        else:
            after = [i for i in believed if i > src[i2 - 1].segment]
            end = after[0] - 1 if after else last_seg
        if end >= start:
            out.append(SourceRange(start, end, sum(lengths[start:end + 1]) / total))
    return tuple(out)


def _overlaps(a: SourceRange, b: SourceRange) -> bool:
    return a.start <= b.end and b.start <= a.end


def missing_ranges(multi: MultiAlignment, rows: Sequence[Row], source_marks: Sequence[Mark] = (),
                   target_marks: Sequence[Mark] = (),
                   settings: VerdictSettings = VerdictSettings()) -> tuple[MissingRange, ...]:
    """The source ranges with no translation: the stretches short of English
    (:func:`short_stretches`), placed by the headings where the source has a
    run of headings the English has not (:func:`outline_gaps`) that overlaps
    such a stretch, or that the English, short as a whole, does not have."""
    stretches = short_stretches(multi, rows, settings)
    gaps = outline_gaps(multi, rows, source_marks, target_marks, settings)
    if not gaps:
        return stretches
    total_s = sum(r.src_chars for r in rows)
    short_doc = total_s and sum(r.tgt_chars for r in rows) / total_s < settings.band[0]
    last_seg = len(multi.source) - 1
    out: list[MissingRange] = []
    used: set[int] = set()
    for gap in gaps:
        if gap.share < settings.missing_min_share or gap.end - gap.start + 1 < settings.missing_min_segments:
            continue
        near = [k for k, s in enumerate(stretches) if _overlaps(gap, s.stretch)]
        if not near and not short_doc:
            continue
        used.update(near)
        stretch = stretches[near[0]].stretch if near else gap
        share = stretches[near[0]].english_share if near else 0.0
        edge = "start" if gap.start == 0 else ("end" if gap.end == last_seg else None)
        out.append(MissingRange(gap.start, gap.end, gap.share, "headings", edge, stretch, share))
    out.extend(s for k, s in enumerate(stretches) if k not in used and not any(_overlaps(s, m) for m in out))
    return tuple(sorted(out, key=lambda m: m.start)[:settings.missing_ranges])


def _uncovered(rows: Sequence[Row], a: int, b: int, covered: float, edge: str | None,
               lengths: Sequence[int]) -> list[int]:
    """The source segments of the stretch ``a..b`` left once ``covered``
    source characters are given the English found in it, segment by segment:
    from the stretch's start when it ends the document (``edge`` ``end``),
    from its end when it starts it (``start``); inside the document, none are
    given (the whole stretch)."""
    segs = [i for r in rows[a:b + 1] for i in r.src]
    if edge is None:
        return segs
    order = segs if edge == "end" else segs[::-1]
    given = 0.0
    for k, i in enumerate(order):
        if given >= covered:
            rest = order[k:]
            return rest if edge == "end" else rest[::-1]
        given += lengths[i]
    return []


@dataclass(frozen=True)
class LargeBeads:
    """Aligned beads with ``size`` or more segments on one side: how many,
    their share of the aligned rows, the largest (``1:5``) and the first few."""

    size: int
    count: int
    share: float
    largest: str | None
    examples: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]

    def as_dict(self) -> dict:
        return {"size": self.size, "count": self.count, "share": round(self.share, 4), "largest": self.largest,
                "examples": [{"src": list(s), "tgt": list(t)} for s, t in self.examples]}


def large_beads(rows: Sequence[Row], settings: VerdictSettings = VerdictSettings(), most: int = 5) -> LargeBeads:
    """1:n and n:1 beads with a large n."""
    aligned = [r for r in rows if r.aligned]
    big = [r for r in aligned if max(len(r.src), len(r.tgt)) >= settings.large_bead]
    top = max(big, key=lambda r: (max(len(r.src), len(r.tgt)), -r.bead), default=None)
    return LargeBeads(settings.large_bead, len(big), len(big) / len(aligned) if aligned else 0.0,
                      f"{len(top.src)}:{len(top.tgt)}" if top else None,
                      tuple((r.src, r.tgt) for r in big[:most]))


# --------------------------------------------------------------------------- structure


@dataclass(frozen=True)
class Mark:
    """A structural marker at the start of a segment, with its number."""

    segment: int
    kind: str
    number: int
    text: str


_MARKER_WORDS = re.compile(r"^(?:第|Article|Chapter|Section)\s*|\s*[条章编节是]$", re.I)
_MARKER_PUNCT = re.compile(r"[\s、,，.．:：()（）]+")


def marker_number(marker: str) -> int | None:
    """The number of a structural marker: 第十二条 12, Article 12 12, Chapter
    III 3, 一、 1, (一) 1, XI. 11, (a) 1, Secondly, 2; None when it has none."""
    body = _MARKER_PUNCT.sub("", _MARKER_WORDS.sub("", marker.strip()))
    if not body:
        return None
    if body.isdigit():
        return int(body)
    try:
        return chinese_to_int(body)
    except ValueError:
        pass
    if body.isupper() or body in ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"):
        try:
            return roman_to_int(body)
        except ValueError:
            pass
    words = english_numbers(body.removesuffix("ly"))
    if len(words) == 1:
        return words[0].value
    if len(body) == 1 and body.isascii() and body.isalpha():
        return ord(body.lower()) - ord("a") + 1
    return None


def marks_of(segments: Sequence[Segment], kinds: Iterable[str] = STRUCTURE_KINDS) -> list[Mark]:
    """The numbered structural markers of ``kinds`` at the start of the segments."""
    wanted = set(kinds)
    out = []
    for seg in segments:
        text = seg.text.lstrip()
        m = find_marker(text, seg.lang)
        if m is None or m.kind not in wanted:
            continue
        n = marker_number(m.text)
        if n is not None:
            out.append(Mark(seg.index, m.kind, n, m.text))
    return out


@dataclass(frozen=True)
class Disagreement:
    """An aligned row whose numbered markers of one kind differ."""

    kind: str
    src: tuple[int, ...]
    tgt: tuple[int, ...]
    source: tuple[str, ...]
    target: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"kind": self.kind, "src": list(self.src), "tgt": list(self.tgt),
                "source": list(self.source), "target": list(self.target)}


@dataclass(frozen=True)
class StructureAgreement:
    """Markers of each kind on each side, and the aligned rows (outside the
    missing ranges) where both sides have markers of a kind: how many carry
    the same numbers (``agree``) and how many do not."""

    counts: Mapping[str, tuple[int, int]]
    agree: int
    disagree: int
    examples: tuple[Disagreement, ...]

    @property
    def compared(self) -> int:
        return self.agree + self.disagree

    @property
    def mismatch(self) -> float:
        return self.disagree / self.compared if self.compared else 0.0

    def as_dict(self) -> dict:
        return {"markers": {k: {"source": s, "target": t} for k, (s, t) in self.counts.items()},
                "compared_rows": self.compared, "agree": self.agree, "disagree": self.disagree,
                "mismatch": round(self.mismatch, 4), "examples": [d.as_dict() for d in self.examples]}


def structure_agreement(rows: Sequence[Row], source_marks: Sequence[Mark], target_marks: Sequence[Mark],
                        missing: Sequence[SourceRange] = (), most: int = 5) -> StructureAgreement:
    """Whether the aligned rows carry the same article/chapter/section numbers on both sides."""
    kinds = sorted({m.kind for m in source_marks} | {m.kind for m in target_marks}, key=STRUCTURE_KINDS.index)
    counts = {k: (sum(1 for m in source_marks if m.kind == k), sum(1 for m in target_marks if m.kind == k))
              for k in kinds}
    by_src: dict[int, Mark] = {m.segment: m for m in source_marks}
    by_tgt: dict[int, Mark] = {m.segment: m for m in target_marks}
    agree = disagree = 0
    examples: list[Disagreement] = []
    for row, inside in zip(rows, _in_ranges(rows, missing)):
        if not row.aligned or inside:
            continue
        src = [by_src[i] for i in row.src if i in by_src]
        tgt = [by_tgt[j] for j in row.tgt if j in by_tgt]
        for kind in STRUCTURE_KINDS:
            s = [m for m in src if m.kind == kind]
            t = [m for m in tgt if m.kind == kind]
            if not s or not t:
                continue
            if [m.number for m in s] == [m.number for m in t]:
                agree += 1
            else:
                disagree += 1
                if len(examples) < most:
                    examples.append(Disagreement(kind, row.src, row.tgt, tuple(m.text for m in s),
                                                 tuple(m.text for m in t)))
    return StructureAgreement(counts, agree, disagree, tuple(examples))


@dataclass(frozen=True)
class NumberedExtra:
    """The numbers of one unique-numbered kind (article, chapter) on each side,
    and those only one side has."""

    kind: str
    source: int
    target: int
    extra: tuple[int, ...]
    missing: tuple[int, ...]

    def as_dict(self) -> dict:
        return {"source": self.source, "target": self.target, "extra": list(self.extra), "missing": list(self.missing)}


def numbered_extra(source_marks: Sequence[Mark], target_marks: Sequence[Mark]) -> dict[str, NumberedExtra]:
    """Per unique-numbered kind both sides use: the article (chapter) numbers
    only the English has (``extra``) and only the source has (``missing``)."""
    out = {}
    for kind in NUMBERED_KINDS:
        s = {m.number for m in source_marks if m.kind == kind}
        t = {m.number for m in target_marks if m.kind == kind}
        if s and t:
            out[kind] = NumberedExtra(kind, len(s), len(t), tuple(sorted(t - s)), tuple(sorted(s - t)))
    return out


@dataclass(frozen=True)
class OutlineDiff:
    """The headings of each side in order (kinds both sides use at least twice),
    matched as sequences: headings only the source has outside the missing
    ranges (and at how many places), and headings only the English has."""

    kinds: tuple[str, ...]
    source: int
    target: int
    source_only: int
    source_only_places: int
    target_only: int
    target_only_places: int

    def as_dict(self) -> dict:
        return {"kinds": list(self.kinds), "source": self.source, "target": self.target,
                "source_only": self.source_only, "source_only_places": self.source_only_places,
                "target_only": self.target_only, "target_only_places": self.target_only_places}


def _outline(source_marks: Sequence[Mark], target_marks: Sequence[Mark]) -> tuple[list[Mark], list[Mark]]:
    """The headings of the kinds both sides use at least twice, each side in order."""
    kinds = {k for k in STRUCTURE_KINDS
             if sum(1 for m in source_marks if m.kind == k) >= 2 and sum(1 for m in target_marks if m.kind == k) >= 2}
    return [m for m in source_marks if m.kind in kinds], [m for m in target_marks if m.kind in kinds]


def outline_diff(source_marks: Sequence[Mark], target_marks: Sequence[Mark],
                 missing: Sequence[SourceRange] = ()) -> OutlineDiff:
    """The two sides' headings compared as outlines (difflib on (kind, number))."""
    src, tgt = _outline(source_marks, target_marks)
    kinds = tuple(k for k in STRUCTURE_KINDS if any(m.kind == k for m in src))
    matcher = difflib.SequenceMatcher(None, [(m.kind, m.number) for m in src], [(m.kind, m.number) for m in tgt],
                                      autojunk=False)
    s_only = s_places = t_only = t_places = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        unexplained = [m for m in src[i1:i2] if not any(r.start <= m.segment <= r.end for r in missing)]
        if unexplained:
            s_only += len(unexplained)
            s_places += 1
        if j2 > j1:
            t_only += j2 - j1
            t_places += 1
    return OutlineDiff(kinds, len(src), len(tgt), s_only, s_places, t_only, t_places)


# --------------------------------------------------------------------------- dates


@dataclass(frozen=True)
class AddedDates:
    """Aligned rows whose English gives a date or a year, and those where the
    source row does not give it."""

    rows: int
    added_rows: int
    examples: tuple[tuple[int, ...], ...]

    def as_dict(self) -> dict:
        return {"rows": self.rows, "added_rows": self.added_rows, "examples": [list(e) for e in self.examples]}


_DIGIT = re.compile(r"[0-9]")
_YEAR = re.compile(r"[0-9]{4}")


def _is_date(m: Mention) -> bool:
    """A date, a document number, or a year written in four digits (1900-2100)."""
    if m.kind in ("date", "docno"):
        return True
    return (m.kind == "number" and m.strong and isinstance(m.value[0], int) and 1900 <= m.value[0] <= 2100
            and bool(_YEAR.fullmatch(m.text.strip())))


def added_dates(multi: MultiAlignment, tid: str, rows: Sequence[Row], missing: Sequence[SourceRange] = (),
                most: int = 5) -> AddedDates:
    """Dates and years in the English of aligned rows that their source does
    not give: a translator does not add them, a plan built on the source does.
    Only rows whose English has a digit are read (every date it can add has one)."""
    tgt = multi.alignments[tid].target
    src_lang = multi.source[0].lang if multi.source else "zh"
    tgt_lang = tgt[0].lang if tgt else "en"
    dated = added = 0
    examples = []
    for row, inside in zip(rows, _in_ranges(rows, missing)):
        if not row.aligned or inside:
            continue
        english = "\n".join(tgt[j].text for j in row.tgt)
        if not _DIGIT.search(english):
            continue
        t = extract_numbers(english, tgt_lang)
        if not any(_is_date(m) for m in t):
            continue
        dated += 1
        s = extract_numbers("\n".join(multi.source[i].text for i in row.src), src_lang)
        if any(_is_date(m) and m.kind in QUANTITY_KINDS for m in compare_numbers(s, t).extra):
            added += 1
            if len(examples) < most:
                examples.append(row.src)
    return AddedDates(dated, added, tuple(examples))


# --------------------------------------------------------------------------- judging


@dataclass(frozen=True)
class Finding:
    """What one signal says: ``says`` the kind it points to, ``strength``
    ``strong`` (decides alone), ``weak`` (two decide) or ``support`` (the
    structure confirms the alignment), and why in a few words."""

    signal: str
    says: Literal["clean", "partial", "different"]
    strength: Literal["strong", "weak", "support"]
    message: str
    version: bool = False  # points to another version of the text rather than another text

    def as_dict(self) -> dict:
        return {"signal": self.signal, "says": self.says, "strength": self.strength, "message": self.message}


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def judge_segment_counts(c: SegmentCounts, settings: VerdictSettings = VerdictSettings()) -> Finding | None:
    """Eight times the source's segments: another text (strong); eight times
    fewer: only a hint (a partial translation has fewer too)."""
    n, m = c.source, c.target
    if min(n, m) < 1 or max(n, m) < settings.segment_min:
        return None
    if m / n >= settings.segment_ratio:
        return Finding("segments", "different", "strong", f"{m:,} segments against the source's {n:,}")
    if n / m >= settings.segment_ratio:
        return Finding("segments", "different", "weak", f"{m:,} segments against the source's {n:,}")
    return None


def judge_length(length: LengthRatio, missing: Sequence[MissingRange],
                 settings: VerdictSettings = VerdictSettings()) -> Finding | None:
    """Twice the norm: another text (strong); outside the band (over what is
    not missing): a hint."""
    ratio = length.ratio
    if ratio is None:
        return None
    if length.target_chars == 0:
        return Finding("length", "different", "strong", "the translation has no text aligned to the source")
    if ratio >= settings.far_factor * length.norm:
        return Finding("length", "different", "strong",
                       f"the English is {ratio / length.norm:.1f} times as long as a translation of this source "
                       f"would be ({ratio:.2f} characters per Chinese character, norm {length.norm:.2f})")
    covered = length.covered_ratio if missing else ratio
    if covered is None:
        return None
    if not length.low <= covered <= length.high:
        word = "long" if covered > length.high else "short"
        return Finding("length", "different", "weak",
                       f"the English is {word} for a translation ({covered:.2f} characters per Chinese character, "
                       f"usually {length.low:.2f}-{length.high:.2f})")
    return None


def judge_confidence(conf: ConfidenceShare, settings: VerdictSettings = VerdictSettings()) -> Finding | None:
    """Half the aligned rows below the low-confidence threshold: another text."""
    if conf.rows >= settings.min_rows and conf.share >= settings.low_share:
        return Finding("confidence", "different", "strong",
                       f"{_pct(conf.share)} of the aligned rows have a confidence below {conf.threshold:.2f}")
    return None


def judge_unaligned(multi: MultiAlignment, rows: Sequence[Row], missing: Sequence[SourceRange],
                    settings: VerdictSettings = VerdictSettings()) -> Finding | None:
    """Half the source with no counterpart, outside any missing range (the
    aligner found nothing to pair it with): another text."""
    lengths = [_chars(seg.text) for seg in multi.source]
    total = sum(lengths) or 1
    alone = [i for r in rows if r.src and not r.tgt for i in r.src
             if not any(m.start <= i <= m.end for m in missing)]
    share = sum(lengths[i] for i in alone) / total
    if len(alone) >= settings.missing_min_segments and share >= settings.low_share:
        return Finding("unaligned", "different", "strong",
                       f"{_pct(share)} of the source has no counterpart in the translation")
    return None


def judge_structure(agreement: StructureAgreement, outline: OutlineDiff,
                    settings: VerdictSettings = VerdictSettings()) -> Finding | None:
    """Aligned rows numbered differently: another version (strong from
    ``mismatch_strong``, weak from ``mismatch_weak``); the same numbers in
    nearly every row and the same outline: support."""
    if agreement.compared < settings.structure_min_rows:
        return None
    if agreement.mismatch >= settings.mismatch_weak:
        strength = "strong" if agreement.mismatch >= settings.mismatch_strong else "weak"
        shown = ", ".join(f"{'/'.join(d.source)} with {'/'.join(d.target)}" for d in agreement.examples[:2])
        return Finding("structure", "different", strength,
                       f"{agreement.disagree} of {agreement.compared} aligned numbered rows differ in number "
                       f"({shown})", version=True)
    if (agreement.compared >= settings.confirm_rows and 1 - agreement.mismatch >= settings.confirm_share
            and outline.source_only == 0 and outline.target_only == 0):
        return Finding("structure", "clean", "support",
                       f"{agreement.agree} of {agreement.compared} aligned numbered rows agree")
    return None


_UNIT = {"article": ("article", "Article"), "chapter": ("chapter", "Chapter")}


def _numbers(ns: Sequence[int], most: int = 6) -> str:
    """``51-75`` for a run, else ``3, 7, 9 …``."""
    if len(ns) > 2 and ns[-1] - ns[0] == len(ns) - 1:
        return f"{ns[0]}-{ns[-1]}"
    return ", ".join(map(str, ns[:most])) + (" …" if len(ns) > most else "")


def judge_numbered_extra(extra: Mapping[str, NumberedExtra],
                         settings: VerdictSettings = VerdictSettings()) -> Finding | None:
    """Articles (chapters) the English numbers and the source has not: a later
    or other version."""
    for kind, e in extra.items():
        if len(e.extra) >= max(settings.extra_min, settings.extra_share * e.source):
            word, title = _UNIT[kind]
            return Finding("numbering", "different", "strong",
                           f"the English has {len(e.extra)} {word}s the source has not ({title} {_numbers(e.extra)}; "
                           f"source {e.source}, English {e.target})", version=True)
    return None


def judge_outline(outline: OutlineDiff, settings: VerdictSettings = VerdictSettings()) -> Finding | None:
    """Headings only the English has, or source headings (outside any missing
    range) left out at more than one place: a hint of another version."""
    parts = []
    if outline.target_only >= settings.outline_min:
        parts.append(f"{outline.target_only} English heading(s) the source has not")
    if outline.source_only >= settings.outline_min and outline.source_only_places >= 2:
        parts.append(f"{outline.source_only} source heading(s) missing at {outline.source_only_places} places")
    if not parts:
        return None
    return Finding("outline", "different", "weak", "the outline differs: " + ", ".join(parts), version=True)


def judge_dates(dates: AddedDates, conf: ConfidenceShare,
                settings: VerdictSettings = VerdictSettings()) -> Finding | None:
    """Dates or years the English adds to several rows: a hint of another version."""
    if dates.added_rows >= settings.date_rows and dates.added_rows >= settings.date_share * max(conf.rows, 1):
        return Finding("dates", "different", "weak",
                       f"{dates.added_rows} aligned rows have dates or years their source does not give",
                       version=True)
    return None


def judge_missing(missing: Sequence[MissingRange]) -> Finding | None:
    """Source ranges with no translation: a partial translation."""
    if not missing:
        return None
    parts = []
    for m in missing:
        what = f"segment{'s' if m.start != m.end else ''} {m.label()} ({_pct(m.share)} of the source text)"
        if m.edge == "end":
            parts.append(f"the English stops near source segment {m.start - 1}: {what} have no translation")
        elif m.edge == "start":
            parts.append(f"the English starts near source segment {m.end + 1}: {what} have no translation")
        elif m.found_by == "headings":
            parts.append(f"about source {what} have no translation (a gap in the English's headings)")
        else:
            parts.append(f"source {what} have {_pct(m.english_share)} of the English the rest of the document "
                         "would give them")
    return Finding("missing", "partial", "strong", "; ".join(parts))


# --------------------------------------------------------------------------- the verdict


#: Signals whose strong finding says "another text" rather than "another version of it".
_TEXT_SIGNALS = ("confidence", "segments", "length", "unaligned")


def decide(findings: Sequence[Finding]) -> tuple[str, str]:
    """The kind and the message from the findings: a strong ``different``,
    or two weak ones where the structure does not confirm the alignment,
    make ``different``; else a missing range makes ``partial``; else clean."""
    different = [f for f in findings if f.says == "different"]
    strong = [f for f in different if f.strength == "strong"]
    weak = [f for f in different if f.strength == "weak"]
    supported = any(f.strength == "support" for f in findings)
    if strong or (len(weak) >= 2 and not supported):
        used = (strong + weak)[:2] if strong else weak[:3]
        version = (any(f.version for f in used)
                   and not any(f.signal in _TEXT_SIGNALS and f.strength == "strong" for f in used))
        return "different", f"different {'version' if version else 'text'}? " + "; ".join(f.message for f in used)
    partial = [f for f in findings if f.says == "partial"]
    if partial:
        return "partial", "partial translation? " + partial[0].message
    support = next((f for f in findings if f.strength == "support"), None)
    return "clean", "clean: a translation of the whole source" + (f" ({support.message})" if support else "")


def verdict_of(multi: MultiAlignment, tid: str, settings: VerdictSettings = VerdictSettings()) -> Verdict:
    """The verdict on translation ``tid``: every signal measured, judged, decided."""
    rows = rows_of(multi, tid)
    target = multi.alignments[tid].target
    counts = segment_counts(multi, tid)
    s_marks, t_marks = marks_of(multi.source), marks_of(target)
    missing = missing_ranges(multi, rows, s_marks, t_marks, settings)
    # where the alignment itself is not to be read: the missing ranges and the stretches around them
    stretches = [r for m in missing for r in (m, m.stretch)]
    length = length_ratio(rows, missing, settings)
    conf = confidence_share(rows, settings)
    unaligned = unaligned_source(multi, rows)
    big = large_beads(rows, settings)
    agreement = structure_agreement(rows, s_marks, t_marks, stretches)
    extra = numbered_extra(s_marks, t_marks)
    outline = outline_diff(s_marks, t_marks, stretches)
    dates = added_dates(multi, tid, rows, stretches)
    judged = [judge_segment_counts(counts, settings), judge_confidence(conf, settings),
              judge_unaligned(multi, rows, missing, settings), judge_length(length, missing, settings),
              judge_numbered_extra(extra, settings),
              judge_structure(agreement, outline, settings), judge_outline(outline, settings),
              judge_dates(dates, conf, settings), judge_missing(missing)]
    findings = [f for f in judged if f is not None]
    kind, message = decide(findings)
    evidence = {
        "segments": counts.as_dict(),
        "length": length.as_dict(),
        "confidence": conf.as_dict(),
        "unaligned": unaligned.as_dict(),
        "missing": [m.as_dict() for m in missing],
        "expected_ratio": round(expected_ratio(rows, settings), 4),
        "large_beads": big.as_dict(),
        "structure": {**agreement.as_dict(), "numbered": {k: e.as_dict() for k, e in extra.items()},
                      "outline": outline.as_dict()},
        "dates": dates.as_dict(),
        "findings": [f.as_dict() for f in findings],
    }
    return Verdict(tid, kind, message, evidence)


def verdicts(multi: MultiAlignment, settings: VerdictSettings = VerdictSettings()) -> dict[str, Verdict]:
    """The verdict on every translation of ``multi``, in its order."""
    return {tid: verdict_of(multi, tid, settings) for tid in multi.alignments}


def verdict_warnings(verdicts: Mapping[str, Verdict]) -> list[str]:
    """One warning line per translation whose verdict is not clean (``clt: different version? ...``)."""
    return [v.warning() for v in verdicts.values() if not v.clean]
