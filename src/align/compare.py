"""Comparison checks: where a translation leaves something out, adds
something, repeats itself where the source does not, leaves Chinese
untranslated, disagrees on a number, or is suspiciously long or short.

Each check is a small function over one :class:`MultiAlignment` returning
:class:`Flag` objects; :func:`check_alignment` runs them all (plus the glossary
checker when a glossary is given) and returns the flags in a deterministic
order: by row (group) of the alignment, then translation (in the order of
``multi.alignments``), then kind (:data:`FLAG_ORDER`); document flags last.
Every group-based flag carries its row in ``details["group"]``; every flag
that :func:`run_checks` returns says in ``details["scope"]`` whether it is
about a row (``"row"``) or about the whole document (``"document"``: no row
of its own, its rows in ``details["groups"]``). Thresholds live in
:class:`CheckSettings`.

Numbering: ``src``/``tgt`` and every index in ``details`` are 0-based
positions in the segment lists (as in the JSON and the exports); the
messages, written for people, count segments from 1, as the report's row
and segment labels do (``source segment 40`` is ``src`` 39).

Severities: ``error`` -- a likely mistake the editor must fix (numbers that
disagree, a source clause with no translation, Chinese left in the English);
``warning`` -- a likely problem worth a look (a value on one side only, a
repeated paragraph, an addition, a row far shorter or longer than the
document's norm, and the glossary's discouraged, inconsistent, colliding or
missing renderings); ``info`` -- an observation that needs no fix by itself
(the aligner's doubt, enumeration markers that differ, a rendering found only
by association, how the translations differ from each other).
"""
from __future__ import annotations

import bisect
import dataclasses
import functools
import math
import os
import re
import statistics
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from rapidfuzz import fuzz, process

from .clause_check import RowReader, chance_unfound
from .model import Bead, Flag, Group, MultiAlignment, Segment
from .numbers import Mention, NumberComparison, compare_numbers, extract_numbers
from .verdict import NORM_RATIO

__all__ = [
    "CheckSettings", "CheckResult", "KINDS", "GLOSSARY_KINDS", "FLAG_ORDER", "check_alignment", "run_checks", "check_english_only",
    "check_omissions", "check_clause_omissions", "check_additions", "check_duplicates", "check_untranslated", "check_numbers",
    "check_length", "check_low_confidence", "find_cjk_runs", "find_repeats", "Repeat", "flags_by_group",
    "flag_counts", "flag_to_dict", "flag_from_dict", "flag_scope", "is_document_flag", "segments_label",
]

#: The comparison kinds, in the order flags of one row are listed.
KINDS = ("omission", "addition", "duplicate", "untranslated", "number", "length", "low-confidence")
#: The glossary checker's kinds (align.glossary.check), in the order they are listed.
GLOSSARY_KINDS = ("inconsistent", "collision", "off-glossary", "missing", "divergent")
#: Every kind, in the order the flags of one row are listed (the report's order too).
FLAG_ORDER = KINDS + GLOSSARY_KINDS


@dataclass(frozen=True)
class CheckSettings:
    """Thresholds of the checks.

    ``omission_confidence``: a bead with both sides but a confidence below
    this is reported as a possible omission (the aligner found nothing that
    really matches). ``low_confidence``: below this (and above the omission
    threshold) a bead is reported as low-confidence.
    ``untranslated_min_chars``: Chinese characters a run needs to count.
    ``length_z``: robust z-score (median / MAD of the log length ratio over the
    document's own rows) beyond which a row is a length outlier; 3.0 rather
    than the textbook 3.5 because a partial omission inside a merged bead
    (CLT's sentence 39 of 国办发〔2016〕98号, z -3.3) is what it is for.
    ``length_min_source_chars`` keeps short rows (titles, document numbers,
    signature lines; headings are always left out) out of it;
    ``length_min_rows`` is how many rows the statistics need;
    ``length_min_mad`` is a floor on the MAD so that a very uniform document
    does not turn small differences into outliers.
    ``clause_omission_*``: a source clause left with no counterpart (a 1:0
    clause bead) inside a sentence bead is an omission when the sentence bead
    has both sides and a confidence of at least ``clause_omission_sentence``,
    the clause bead a confidence of at least ``clause_omission_confidence``,
    and the clause ``clause_omission_min_chars`` letters or Chinese
    characters besides its marker (not a bare marker or punctuation), and
    when the row is short by at least ``clause_omission_length_share`` of the
    English the left-out clauses would have had (at the document's median
    length ratio): a clause the aligner could not place in a row of the usual
    length is more likely translated freely than left out. Last, the
    dictionary's second opinion (:mod:`align.clause_check`): left-out clauses
    of which at least ``clause_omission_found_share`` of the content words
    (and at least ``clause_omission_found_min``) have a gloss in the sentence
    bead's English that the bead's other clauses do not account for are
    translated, only freely; ``clause_omission_found_share`` above 1 turns
    the second opinion off. A clause the aligner merged into a neighbour's
    clause bead is left out too when the dictionary finds none of its words
    in the row's English but finds the neighbour's, and a translated clause
    of as many words would have none found with a chance below
    ``clause_omission_unfound_chance`` at the translation's own rate (the
    share of words found in its one-to-one clause beads); 0 turns this off.
    ``duplicate_similarity``: the rapidfuzz ratio (0-100, on normalised text)
    from which two target segments count as the same text repeated;
    ``duplicate_min_chars``: the normalised length a segment needs for that
    (short headings and "(Responsible units: ...)" lines repeat legitimately).
    ``checks`` names the checks to run (all of :data:`KINDS` plus ``glossary``).
    """

    omission_confidence: float = 0.10
    low_confidence: float = 0.35
    untranslated_min_chars: int = 1
    length_z: float = 3.0
    length_min_source_chars: int = 20
    length_min_rows: int = 8
    length_min_mad: float = 0.1
    clause_omission_sentence: float = 0.8
    clause_omission_confidence: float = 0.5
    clause_omission_min_chars: int = 4
    clause_omission_length_share: float = 0.5
    clause_omission_found_share: float = 1 / 3
    clause_omission_found_min: int = 2
    clause_omission_unfound_chance: float = 0.01
    duplicate_similarity: float = 95.0
    duplicate_min_chars: int = 20
    checks: tuple[str, ...] = KINDS + ("glossary",)


@dataclass
class CheckResult:
    """All flags of one alignment, and the glossary report when a glossary was checked."""

    flags: list[Flag]
    glossary_report: Any = None


# --------------------------------------------------------------------------- helpers

def _source_text(multi: MultiAlignment, idx: Iterable[int]) -> str:
    return " ".join(multi.source[i].text for i in idx)


def _target_text(multi: MultiAlignment, tid: str, idx: Iterable[int]) -> str:
    tgt = multi.alignments[tid].target
    return " ".join(tgt[j].text for j in idx)


def _lang(segments: list[Segment], default: str) -> str:
    return segments[0].lang if segments else default


def segments_label(idx: Iterable[int]) -> str:
    """Segment indices as people read them, counted from 1 like the report's
    labels: ``segment 40`` for (39,), ``segments 40–41`` for (39, 40)."""
    idx = sorted(idx)
    if not idx:
        return "no segment"
    if len(idx) == 1:
        return f"segment {idx[0] + 1}"
    return f"segments {idx[0] + 1}–{idx[-1] + 1}"


def _has(idx: tuple[int, ...]) -> str:
    return "has" if len(idx) == 1 else "have"


def _clip(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


# --------------------------------------------------------------------------- the checks

def _source_cells(multi: MultiAlignment):
    """(group index, group, translation id, target ids, confidence) for every
    row with a source and every translation."""
    for gi, g in enumerate(multi.groups):
        if g.src:
            for tid in multi.alignments:
                yield gi, g, tid, g.targets.get(tid, ()), g.confidence.get(tid, 0.0)


def check_omissions(multi: MultiAlignment, settings: CheckSettings = CheckSettings()) -> list[Flag]:
    """Source rows with no target in a translation, or with a confidence so low
    that the aligned target is probably something else."""
    flags = []
    for gi, g, tid, tgt, conf in _source_cells(multi):
        if not tgt:
            msg = f"source {segments_label(g.src)} {_has(g.src)} no translation: {_clip(_source_text(multi, g.src))}"
        elif conf < settings.omission_confidence:
            msg = (f"source {segments_label(g.src)} may not be translated "
                   f"(confidence {conf:.2f} < {settings.omission_confidence:.2f}; or the translation reorders it)")
        else:
            continue
        flags.append(Flag("omission", msg, tid, g.src, tgt, severity="error",
                          details={"group": gi, "confidence": round(conf, 4)}))
    return flags + check_clause_omissions(multi, settings)


def _content_chars(seg: Segment) -> int:
    text = seg.text[len(seg.marker):] if seg.marker and seg.text.startswith(seg.marker) else seg.text
    return sum(1 for c in text if c.isalnum())


def check_clause_omissions(multi: MultiAlignment, settings: CheckSettings = CheckSettings()) -> list[Flag]:
    """Source clauses left untranslated inside an otherwise aligned, confident
    sentence bead (``Alignment.clauses``; see CheckSettings for what counts):
    a clause with no counterpart (a 1:0 clause bead) the dictionary does not
    find in the row's English, or a clause the aligner merged into its
    neighbour's bead of which the dictionary finds none of the words where it
    finds those of the neighbour (:mod:`align.clause_check`). Consecutive such
    clauses of one sentence bead are one flag; ``details["clauses"]`` are
    their 0-based clause indices, ``details["dictionary"]`` the words read and
    found, ``src`` and ``tgt`` the sentence bead's segments; the message
    counts from 1."""
    src_rows = _source_rows(multi)
    flags = []
    for tid, al in multi.alignments.items():
        if al.clauses is None:
            continue
        ratios = _row_log_ratios(multi, tid, settings)
        # the document's own ratio, or the usual zh->en one where it has too few rows to tell
        ratio = math.exp(statistics.median(ratios.values())) if len(ratios) >= settings.length_min_rows else NORM_RATIO
        reader = RowReader(al)

        @functools.cache
        def deficit(sb: Bead) -> float:
            """How much less English the row of ``sb`` has than its source would give."""
            g = multi.groups[src_rows[sb.src[0]]]
            return ratio * _visible_len(_source_text(multi, g.src)) - _visible_len(_target_text(multi, tid, g.targets[tid]))

        @functools.cache
        def short(sb: Bead) -> bool:
            """Whether some run of the bead's clauses could pass the length test
            below: the row is short by the share of its shortest clause that may be one."""
            eligible = [c for s in sb.src for c in reader.members.get(s, ())
                        if _content_chars(al.clauses.source[c]) >= settings.clause_omission_min_chars]
            return bool(eligible) and deficit(sb) >= settings.clause_omission_length_share * ratio * min(
                _visible_len(al.clauses.source[c].text) for c in eligible)

        candidates = (list(_unpaired_clauses(reader, settings, short))
                      + list(_merged_clauses(reader, settings, short)))
        runs: list[_ClauseRun] = []
        for cand in sorted(candidates, key=lambda r: r.clauses[0]):
            last = runs[-1] if runs else None
            if last is not None and last.bead is cand.bead and last.clauses[-1] == cand.clauses[0] - 1:
                runs[-1] = _ClauseRun(last.bead, last.clauses + cand.clauses, min(last.confidence, cand.confidence),
                                      last.merged or cand.merged)
            else:
                runs.append(cand)
        for run in runs:
            sb, clauses = run.bead, run.clauses
            gi = src_rows[sb.src[0]]
            left_out = ratio * sum(_visible_len(al.clauses.source[c].text) for c in clauses)
            if deficit(sb) < settings.clause_omission_length_share * left_out:
                continue
            evidence = reader.evidence(sb, clauses)
            if (evidence.share >= settings.clause_omission_found_share
                    and len(evidence.found) >= settings.clause_omission_found_min):
                continue  # the dictionary finds it in the row's English: translated, only freely
            sentence = al.clauses.source_sentence[clauses[0]]
            what = f"clause {clauses[0] + 1}" if len(clauses) == 1 else f"clauses {clauses[0] + 1}–{clauses[-1] + 1}"
            text = "".join(al.clauses.source[c].text for c in clauses)
            how = (f"the dictionary finds none of its {len(evidence.words)} words in the row's English, "
                   if run.merged and not evidence.found else "")
            msg = (f"{tid} leaves out source {what} (in source segment {sentence + 1}, row {gi + 1}), "
                   f"{how}though it translates the rest of the row: {_clip(text)}")
            flags.append(Flag("omission", msg, tid, sb.src, sb.tgt, severity="error",
                              details={"group": gi, "level": "clause", "clauses": list(clauses), "sentence": sentence,
                                       "confidence": round(run.confidence, 4), "merged": run.merged,
                                       "dictionary": {"words": list(evidence.words), "found": list(evidence.found)}}))
    return flags


@dataclass(frozen=True)
class _ClauseRun:
    """Consecutive source clauses of one sentence bead that may be left out
    (``merged``: one of them was paired only as part of its neighbour's bead)."""

    bead: Bead
    clauses: tuple[int, ...]
    confidence: float
    merged: bool = False


def _confident_bead(reader: RowReader, clause: int, settings: CheckSettings,
                    short: Callable[[Bead], bool]) -> Bead | None:
    """The sentence bead of ``clause`` where it is confident and ``short`` (its
    row has too little English for none of its clauses to be missing)."""
    sb = reader.sentence_bead(clause)
    if sb is None or not sb.tgt or sb.confidence < settings.clause_omission_sentence or not short(sb):
        return None
    return sb


def _unpaired_clauses(reader: RowReader, settings: CheckSettings,
                      short: Callable[[Bead], bool]) -> Iterable[_ClauseRun]:
    """The 1:0 clause beads the aligner is sure of, in confident sentence beads."""
    ca = reader.ca
    for cb in ca.beads:
        if not cb.src or cb.tgt or cb.confidence < settings.clause_omission_confidence:
            continue
        (c,) = cb.src
        sb = _confident_bead(reader, c, settings, short)
        if sb is not None and _content_chars(ca.source[c]) >= settings.clause_omission_min_chars:
            yield _ClauseRun(sb, (c,), cb.confidence)


def _merged_clauses(reader: RowReader, settings: CheckSettings,
                    short: Callable[[Bead], bool]) -> Iterable[_ClauseRun]:
    """Source clauses of a many-to-some clause bead in a confident sentence
    bead of which the dictionary finds no word in the sentence bead's English,
    where it finds words of another clause of the same clause bead, and where
    that is improbable for a translated clause at this translation's own rate
    (below ``clause_omission_unfound_chance``)."""
    ca = reader.ca
    rate = None
    for cb in ca.beads:
        if len(cb.src) < 2 or not cb.tgt:
            continue
        sb = _confident_bead(reader, cb.src[0], settings, short)
        if sb is None:
            continue
        unfound, found_any = [], False
        for c in cb.src:
            ev = reader.evidence(sb, [c])
            if ev.found:
                found_any = True
            elif _content_chars(ca.source[c]) >= settings.clause_omission_min_chars:
                unfound.append((c, ev))
        if not found_any or not unfound:
            continue
        if rate is None:
            rate = reader.hit_rate(settings.clause_omission_sentence)
        for c, ev in unfound:
            if chance_unfound(ev, rate) < settings.clause_omission_unfound_chance:
                yield _ClauseRun(sb, (c,), cb.confidence, merged=True)


def check_additions(multi: MultiAlignment, settings: CheckSettings = CheckSettings()) -> list[Flag]:
    """Target segments with no source: translator insertions, notes, page furniture."""
    flags = []
    for gi, g in enumerate(multi.groups):
        if g.src:
            continue
        for tid in multi.alignments:
            tgt = g.targets.get(tid, ())
            if tgt:
                msg = f"{tid} {segments_label(tgt)} {_has(tgt)} no source: {_clip(_target_text(multi, tid, tgt))}"
                flags.append(Flag("addition", msg, tid, (), tgt, details={"group": gi}))
    return flags


@dataclass(frozen=True)
class Repeat:
    """Segment ``repeat`` of a text says again what segment ``first`` said
    (``similarity``: rapidfuzz ratio of the normalised texts, 0-100)."""

    first: int
    repeat: int
    similarity: float


def _normalise(text: str) -> str:
    """Case, width and punctuation folded away, spaces collapsed: what is compared for repeats."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def find_repeats(texts: list[str], *, similarity: float = 95.0, min_chars: int = 0, block: int = 256) -> list[Repeat]:
    """Each text that repeats an earlier one verbatim or nearly so (ratio >=
    ``similarity`` on normalised text, at least ``min_chars`` long), paired
    with the first of them. Texts are compared only with texts of a length
    the ratio allows (a ratio of r needs the shorter to be at least r/(200-r)
    of the longer), ``block`` texts at a time, so a book-sized text stays
    fast and its score matrix small; the result does not depend on ``block``."""
    norm = [_normalise(t) for t in texts]
    order = sorted((i for i, t in enumerate(norm) if len(t) >= max(min_chars, 1)), key=lambda i: (len(norm[i]), i))
    lengths = [len(norm[i]) for i in order]
    stretch = (200 - similarity) / similarity if similarity > 0 else math.inf
    first: dict[int, tuple[int, float]] = {}
    for a in range(0, len(order), block):
        rows = order[a:a + block]
        hi = bisect.bisect_right(lengths, lengths[min(a + block, len(order)) - 1] * stretch + 1e-9)
        cols = order[a:hi]
        scores = process.cdist([norm[i] for i in rows], [norm[j] for j in cols], scorer=fuzz.ratio,
                               score_cutoff=similarity)
        for r, c in zip(*scores.nonzero()):
            i, j = rows[r], cols[c]
            if i == j:
                continue
            early, late = min(i, j), max(i, j)
            if late not in first or early < first[late][0]:
                first[late] = (early, float(scores[r, c]))
    # each repeat is paired with the earliest text it repeats: three copies are two repeats of the first
    return [Repeat(first[late][0], late, round(first[late][1], 1)) for late in sorted(first)]


def _source_repeats(multi: MultiAlignment, src_a: tuple[int, ...], src_b: tuple[int, ...],
                    settings: CheckSettings) -> bool:
    """Whether two different source segments of the rows say the same thing,
    or one says again what the other contains (国务院办公厅 alone and in the
    title 国务院办公厅关于…): then the translation repeats because the source does."""
    cutoff = settings.duplicate_similarity
    for i in src_a:
        for j in src_b:
            if i == j:
                continue
            a, b = sorted((_normalise(multi.source[i].text), _normalise(multi.source[j].text)), key=len)
            if fuzz.ratio(a, b, score_cutoff=cutoff) or (
                    len(a) >= _MIN_CONTAINED and fuzz.partial_ratio(a, b, score_cutoff=cutoff)):
                return True
    return False


#: the characters a source segment needs to count as repeated inside a longer one
_MIN_CONTAINED = 4


def check_duplicates(multi: MultiAlignment, settings: CheckSettings = CheckSettings()) -> list[Flag]:
    """A target segment that repeats an earlier one of the same translation
    verbatim or nearly so (see :func:`find_repeats`) where the source does not
    repeat correspondingly: a paragraph pasted twice, often merged into one
    bead with the first copy at a high confidence. ``src``/``tgt`` name both
    rows; the flag sits in the row of the repeat."""
    flags = []
    for tid, al in multi.alignments.items():
        row_of = _target_rows(multi, tid)
        for rep in find_repeats([seg.text for seg in al.target], similarity=settings.duplicate_similarity,
                                min_chars=settings.duplicate_min_chars):
            rows = [row_of.get(rep.first), row_of.get(rep.repeat)]
            srcs = [multi.groups[g].src if g is not None else () for g in rows]
            if _source_repeats(multi, srcs[0], srcs[1], settings):
                continue
            first, repeat = al.target[rep.first], al.target[rep.repeat]
            msg = (f"{tid} segment {rep.repeat + 1} repeats segment {rep.first + 1} (similarity {rep.similarity:.1f}) "
                   f"where the source does not: {_clip(repeat.text)}")
            details: dict[str, Any] = {"first": rep.first, "repeat": rep.repeat, "similarity": rep.similarity,
                                       "groups": [g for g in rows if g is not None]}
            if rows[1] is not None:
                details["group"] = rows[1]
            flags.append(Flag("duplicate", msg, tid, tuple(sorted(set(srcs[0]) | set(srcs[1]))),
                              (first.index, repeat.index), severity="warning", details=details))
    return flags


_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
_CJK_RUN = re.compile(rf"[{_HAN}](?:[{_HAN}\u3000-\u303f\uff00-\uffef\s,;:·()\[\]“”\"'.\-]*[{_HAN}])?")
_HAN_CHAR = re.compile(f"[{_HAN}]")


def find_cjk_runs(text: str, min_chars: int = 1) -> list[tuple[int, int, str]]:
    """Runs of Chinese text (Chinese punctuation and spaces inside a run keep
    it together) as ``(start, end, run)`` offsets into ``text``; runs with
    fewer than ``min_chars`` Chinese characters are left out."""
    return [(m.start(), m.end(), m.group(0)) for m in _CJK_RUN.finditer(text)
            if len(_HAN_CHAR.findall(m.group(0))) >= min_chars]


def _untranslated_flag(seg: Segment, tid: str | None, src: tuple[int, ...], runs, group: int | None) -> Flag:
    shown = "; ".join(_clip(r, 30) for _, _, r in runs[:3]) + ("; …" if len(runs) > 3 else "")
    n = sum(len(_HAN_CHAR.findall(r)) for _, _, r in runs)
    where = f"{tid} segment {seg.index + 1}" if tid else f"segment {seg.index + 1}"
    details: dict[str, Any] = {
        "runs": [{"text": r, "start": s, "end": e, "doc_start": seg.start + s, "doc_end": seg.start + e}
                 for s, e, r in runs],
        "chinese_chars": n,
    }
    if group is not None:
        details["group"] = group
    return Flag("untranslated", f"{where} has {n} untranslated Chinese character(s) at offset {seg.start + runs[0][0]}: {shown}",
                tid, src, (seg.index,), severity="error", details=details)


def check_untranslated(multi: MultiAlignment, settings: CheckSettings = CheckSettings()) -> list[Flag]:
    """Chinese left in the English: every target segment of every translation,
    aligned or not, with the runs and their offsets (in the segment and in
    the document) in ``details["runs"]``."""
    flags = []
    for tid, al in multi.alignments.items():
        row_of = _target_rows(multi, tid)
        for seg in al.target:
            runs = find_cjk_runs(seg.text, settings.untranslated_min_chars)
            if runs:
                gi = row_of.get(seg.index)
                src = multi.groups[gi].src if gi is not None else ()
                flags.append(_untranslated_flag(seg, tid, src, runs, gi))
    return flags


def _mention_dict(m: Mention) -> dict:
    return {"value": m.describe(), "kind": m.kind, "text": m.text}


def _mentions(ms: Iterable[Mention]) -> str:
    return ", ".join(f"{m.describe()} ({m.text})" for m in ms)


def _number_message(c: NumberComparison, tid: str) -> str:
    """The message of a number flag: what each side has that the other does not."""
    if not (c.missing or c.extra):
        return (f"enumeration differs (structure, not a quantity): source {_mentions(c.markers_source)}, "
                f"{tid} {_mentions(c.markers_target)}")
    parts = []
    if c.missing:
        part = f"source has {_mentions(c.missing)} that {tid} does not give"
        if c.against_target:
            part += f", where {tid} has {_mentions(c.against_target)}"
        parts.append(part)
    if c.extra:
        part = f"{tid} has {_mentions(c.extra)} that the source does not"
        if c.against_source:
            part += f", where the source has {_mentions(c.against_source)}"
        parts.append(part)
    if c.disagree:
        return "numbers disagree: " + "; ".join(parts)
    return ("a number on one side only (the other may say it in words, or not at all): " + "; ".join(parts))


def _row_text_for_numbers(segments: list[Segment], idx: Iterable[int]) -> str:
    """The segments of a row one per line, so that a marker at the start of a
    segment is at the start of a line, and a date cut between two clauses is whole."""
    return "\n".join(segments[i].text for i in idx)


def check_numbers(multi: MultiAlignment, settings: CheckSettings = CheckSettings()) -> list[Flag]:
    """Numbers, dates, percentages and document numbers of a source row that
    its translation does not give, or gives differently; the severity follows
    :mod:`align.numbers`: ``error`` where the two sides give different values
    for the same thing, ``warning`` where a value is on one side only (the
    other may say it in words that are not read), ``info`` where only the
    enumeration markers differ (第三章 vs "Chapter IV": structure)."""
    flags = []
    src_lang = _lang(multi.source, "zh")
    src_cache: dict[tuple[int, ...], list[Mention]] = {}
    for gi, g in enumerate(multi.groups):
        if not g.src:
            continue
        if g.src not in src_cache:
            src_cache[g.src] = extract_numbers(_row_text_for_numbers(multi.source, g.src), src_lang)
        src_m = src_cache[g.src]
        for tid, al in multi.alignments.items():
            tgt = g.targets.get(tid, ())
            if not tgt:
                continue  # an omission, reported as such
            tgt_m = extract_numbers(_row_text_for_numbers(al.target, tgt), _lang(al.target, "en"))
            c = compare_numbers(src_m, tgt_m)
            if c.severity is None:
                continue
            details: dict[str, Any] = {"group": gi, "missing": [_mention_dict(m) for m in c.missing],
                                       "extra": [_mention_dict(m) for m in c.extra]}
            if c.missing or c.extra:
                if c.against_source:
                    details["source"] = [_mention_dict(m) for m in c.against_source]
                if c.against_target:
                    details["target"] = [_mention_dict(m) for m in c.against_target]
            else:
                details.update(structure=True, source=[_mention_dict(m) for m in c.markers_source],
                               target=[_mention_dict(m) for m in c.markers_target])
            flags.append(Flag("number", _number_message(c, tid), tid, g.src, tgt, severity=c.severity,
                              details=details))
    return flags


def _visible_len(text: str) -> int:
    return sum(1 for c in text if not c.isspace())


def _row_log_ratios(multi: MultiAlignment, tid: str, settings: CheckSettings) -> dict[int, float]:
    """Per row the length check reads (aligned, not all headings, a source of
    ``length_min_source_chars``): the log of target over source characters."""
    out = {}
    for gi, g in enumerate(multi.groups):
        tgt = g.targets.get(tid, ())
        if not g.src or not tgt or all(multi.source[i].is_heading for i in g.src):
            continue
        s_len = _visible_len(_source_text(multi, g.src))
        t_len = _visible_len(_target_text(multi, tid, tgt))
        if s_len >= settings.length_min_source_chars and t_len:
            out[gi] = math.log(t_len / s_len)
    return out


def check_length(multi: MultiAlignment, settings: CheckSettings = CheckSettings()) -> list[Flag]:
    """Rows whose target/source length ratio is far from the document's own
    median ratio: robust z-score ``0.6745 * (x - median) / MAD`` of the log
    ratio, per translation. A warning: something may be left out or added
    there (a partial omission inside a merged bead shows only this way)."""
    flags = []
    for tid in multi.alignments:
        rows = []
        for gi, g in enumerate(multi.groups):
            tgt = g.targets.get(tid, ())
            if not g.src or not tgt or all(multi.source[i].is_heading for i in g.src):
                continue  # headings are too short and formulaic for a ratio to mean much
            s_len = _visible_len(_source_text(multi, g.src))
            t_len = _visible_len(_target_text(multi, tid, tgt))
            if s_len < settings.length_min_source_chars or t_len == 0:
                continue
            rows.append((gi, g, math.log(t_len / s_len), s_len, t_len))
        if len(rows) < settings.length_min_rows:
            continue
        logs = [r[2] for r in rows]
        med = statistics.median(logs)
        mad = max(statistics.median(abs(x - med) for x in logs), settings.length_min_mad)
        for gi, g, x, s_len, t_len in rows:
            z = 0.6745 * (x - med) / mad
            if abs(z) > settings.length_z:
                word, hint = ("long", "something may be added") if z > 0 else ("short", "something may be left out")
                msg = (f"{tid} is {word} for source {segments_label(g.src)}, {hint}: {t_len} chars for {s_len} "
                       f"(ratio {math.exp(x):.2f}, document median {math.exp(med):.2f}, z {z:+.1f})")
                flags.append(Flag("length", msg, tid, g.src, g.targets[tid], severity="warning",
                                  details={"group": gi, "ratio": round(math.exp(x), 4),
                                           "median_ratio": round(math.exp(med), 4), "z": round(z, 3)}))
    return flags


def check_low_confidence(multi: MultiAlignment, settings: CheckSettings = CheckSettings()) -> list[Flag]:
    """Aligned rows the aligner is unsure about (between the omission and the
    low-confidence thresholds)."""
    flags = []
    for gi, g, tid, tgt, conf in _source_cells(multi):
        if tgt and settings.omission_confidence <= conf < settings.low_confidence:
            flags.append(Flag("low-confidence", f"{tid} {segments_label(tgt)} for source {segments_label(g.src)}: "
                              f"confidence {conf:.2f} < {settings.low_confidence:.2f}",
                              tid, g.src, tgt, severity="info",
                              details={"group": gi, "confidence": round(conf, 4)}))
    return flags


_CHECKS = {
    "omission": check_omissions,
    "addition": check_additions,
    "duplicate": check_duplicates,
    "untranslated": check_untranslated,
    "number": check_numbers,
    "length": check_length,
    "low-confidence": check_low_confidence,
}


# --------------------------------------------------------------------------- ordering and running

def _source_rows(multi: MultiAlignment) -> dict[int, int]:
    return {i: gi for gi, g in enumerate(multi.groups) for i in g.src}


def _target_rows(multi: MultiAlignment, tid: str) -> dict[int, int]:
    return {j: gi for gi, g in enumerate(multi.groups) for j in g.targets.get(tid, ())}


def flag_scope(flag: Flag) -> str:
    """``"document"`` for a finding about the whole document (no row of its
    own), else ``"row"``; a flag that does not say is about a row."""
    return "document" if (flag.details or {}).get("scope") == "document" else "row"


def is_document_flag(flag: Flag) -> bool:
    """Whether ``flag`` is a document flag (``details["scope"] == "document"``)."""
    return flag_scope(flag) == "document"


def _row_of(multi: MultiAlignment, flag: Flag, src_rows: dict[int, int], tgt_rows: dict[str, dict[int, int]]) -> int:
    if is_document_flag(flag):
        return len(multi.groups)
    if isinstance(flag.details.get("group"), int):
        return flag.details["group"]
    for i in flag.src:
        if i in src_rows:
            return src_rows[i]
    if flag.translation in tgt_rows:
        for j in flag.tgt:
            if j in tgt_rows[flag.translation]:
                return tgt_rows[flag.translation][j]
    return len(multi.groups)  # document-level flags last


def _sorted(multi: MultiAlignment, flags: list[Flag]) -> list[Flag]:
    """By row (document flags last), translation, kind (:data:`FLAG_ORDER`);
    flags equal in these keep the order their check gave them (the glossary
    checker's is the glossary's)."""
    src_rows = _source_rows(multi)
    tgt_rows = {tid: _target_rows(multi, tid) for tid in multi.alignments}
    t_rank = {tid: i for i, tid in enumerate(multi.alignments)}
    k_rank = {k: i for i, k in enumerate(FLAG_ORDER)}
    keyed = []
    for f in flags:
        row = _row_of(multi, f, src_rows, tgt_rows)
        keyed.append(((row, t_rank.get(f.translation, len(t_rank)), k_rank.get(f.kind, len(k_rank)), f.kind), f))
    keyed.sort(key=lambda kf: kf[0])  # stable
    return [f for _, f in keyed]


def _scoped(multi: MultiAlignment, flags: list[Flag]) -> list[Flag]:
    """Every flag with ``details["scope"]``: the glossary checker sets it; a
    check's flag that points at a row is about that row, one that points at
    none is about the document."""
    src_rows = _source_rows(multi)
    tgt_rows = {tid: _target_rows(multi, tid) for tid in multi.alignments}
    out = []
    for f in flags:
        if "scope" not in (f.details or {}):
            row = _row_of(multi, f, src_rows, tgt_rows)
            f = dataclasses.replace(f, details={**(f.details or {}),
                                                "scope": "row" if row < len(multi.groups) else "document"})
        out.append(f)
    return out


def _resolve_glossary(glossary):
    if isinstance(glossary, (str, os.PathLike)):
        from .glossary import load_glossary

        return load_glossary(glossary)
    return glossary


def run_checks(multi: MultiAlignment, *, glossary=None, settings: CheckSettings = CheckSettings()) -> CheckResult:
    """Run every check named in ``settings.checks``; ``glossary`` is a loaded
    glossary or a path to one. Returns the sorted flags and the glossary report."""
    flags: list[Flag] = []
    for name, check in _CHECKS.items():
        if name in settings.checks:
            flags.extend(check(multi, settings))
    report = None
    if glossary is not None and "glossary" in settings.checks:
        from .glossary import check_glossary

        report = check_glossary(multi, _resolve_glossary(glossary))
        flags.extend(report.flags)
    return CheckResult(_sorted(multi, _scoped(multi, flags)), report)


def check_alignment(multi: MultiAlignment, *, glossary=None, settings: CheckSettings = CheckSettings()) -> list[Flag]:
    """All flags of ``multi`` in a deterministic order (row, translation, kind)."""
    return run_checks(multi, glossary=glossary, settings=settings).flags


def check_english_only(segments: list[Segment], *, settings: CheckSettings = CheckSettings(),
                       translation: str | None = None) -> list[Flag]:
    """Checks that need no source, for an English text with no Chinese
    original in the corpus: untranslated Chinese left in it."""
    flags = []
    for seg in segments:
        runs = find_cjk_runs(seg.text, settings.untranslated_min_chars)
        if runs:
            flags.append(_untranslated_flag(seg, translation, (), runs, None))
    return flags


# --------------------------------------------------------------------------- flag utilities

def flags_by_group(multi: MultiAlignment, flags: Iterable[Flag]) -> dict[int, list[Flag]]:
    """The flags of each row (group index); document flags and flags of no row under ``-1``."""
    src_rows = _source_rows(multi)
    tgt_rows = {tid: _target_rows(multi, tid) for tid in multi.alignments}
    out: dict[int, list[Flag]] = {}
    for f in flags:
        row = _row_of(multi, f, src_rows, tgt_rows)
        out.setdefault(row if row < len(multi.groups) else -1, []).append(f)
    return out


def flag_counts(flags: Iterable[Flag]) -> dict[str, dict[str, int]]:
    """``{translation: {kind: count}}`` (translation ``""`` for flags of no translation)."""
    out: dict[str, dict[str, int]] = {}
    for f in flags:
        per = out.setdefault(f.translation or "", {})
        per[f.kind] = per.get(f.kind, 0) + 1
    return {t: dict(sorted(k.items())) for t, k in out.items()}


def flag_to_dict(flag: Flag) -> dict:
    """A JSON-ready dict (tuples become lists)."""
    d = dataclasses.asdict(flag)
    d["src"] = list(flag.src)
    d["tgt"] = list(flag.tgt)
    return d


def flag_from_dict(d: dict) -> Flag:
    return Flag(kind=d["kind"], message=d["message"], translation=d.get("translation"),
                src=tuple(d.get("src", ())), tgt=tuple(d.get("tgt", ())), term=d.get("term"),
                severity=d.get("severity", "warning"), details=dict(d.get("details", {})))
