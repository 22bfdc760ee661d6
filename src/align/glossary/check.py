"""Check a multi-way alignment against a glossary: occurrences, table, flags.

For every source segment the term finder gives the glossary terms in it
(longest match first). For every translation, each alignment group's target
text is tokenised once; the occurrences of the group's terms are then paired
with the renderings found in that text:

1. every (occurrence, listed rendering instance) pair of the group is a
   candidate; candidates are taken greedily -- longer renderings first
   (``credit reporting`` before ``credit``), preferred/accepted before
   discouraged, then the closest relative position (so that the i-th 诚信 of
   a sentence pairs with the i-th *creditworthiness*) -- and each target word
   serves one occurrence only (as a careful reader counts: three 诚信 and two
   *creditworthiness* leave one 诚信 to explain);
2. an occurrence left over takes a rendering the glossary lists for ANOTHER
   term when one is present in the span and not used by that term (诚信
   rendered *trustworthiness*, 守信's word: a collision), confidence 0.5;
3. else the phrase of its span most associated with the term over the whole
   translation (``associate``: Dice and log-likelihood over alignment groups,
   with CC-CEDICT glosses as a lexical prior), confidence = Dice, when the
   association is significant and the phrase lies near the occurrence's
   expected position;
4. otherwise it is *missing* (no rendering found, or the clause is omitted).

Pairs of one term are finally put in reading order on both sides, so that
evidence never crosses.

Flags (``model.Flag``): inconsistent, collision, off-glossary, missing,
divergent. A finding about a translation's habit (its usual rendering of a
term, used in several rows) is one *document* flag (``details["scope"] ==
"document"``, empty ``src``/``tgt``, its rows in ``details["groups"]``); a
slip in a few rows is one flag per row (``details["scope"] == "row"``,
``details["group"]``), naming only that row's segments. Every flag keeps
all its occurrences in ``details["occurrences"]`` (short records) and up to
``MAX_EVIDENCE`` of them with their texts in ``details["evidence"]``; the
rules are in the comment above :data:`MIN_HABIT_ROWS`.
"""
from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from ..model import Flag, Group, MultiAlignment, Segment, TermHit
from .associate import Association
from .render import Token, TokenIndex, content_key, find_instances, tokenize
from .schema import Glossary
from .terms import SourceHit, term_finder

MIN_DICE = 0.6  # below this an association proposal is not trusted (one document is little evidence)
MAX_EVIDENCE = 50

_STATUS_RANK = {"preferred": 0, "accepted": 0, "discouraged": 1}


@dataclass
class GlossaryReport:
    """What ``check_glossary`` found.

    ``table[term][translation]`` maps each rendering (``None`` = missing) to
    its number of occurrences; ``status[term][rendering]`` says whether a
    rendering is preferred, accepted, discouraged or unlisted (found by
    association).
    """

    occurrences: list[TermHit]
    flags: list[Flag]
    table: dict[str, dict[str, dict[str | None, int]]]
    translations: list[str]
    status: dict[str, dict[str, str]] = field(default_factory=dict)
    signature: dict = field(default_factory=dict)

    def counts(self, term: str, translation: str) -> dict[str | None, int]:
        return dict(self.table.get(term, {}).get(translation, {}))

    def flags_of(self, kind: str) -> list[Flag]:
        return [f for f in self.flags if f.kind == kind]

    def to_json(self) -> dict:
        """The ``--json`` shape: occurrences and flags."""
        occ = [
            {
                "term": h.term,
                "translation": h.translation,
                "source_segment": h.source_segment,
                "source_text": h.source_text,
                "target_text": h.target_text,
                "rendering": h.rendering,
            }
            for h in self.occurrences
        ]
        flags = [
            {
                "kind": f.kind,
                "term": f.term,
                "translation": f.translation,
                "severity": f.severity,
                "scope": f.details.get("scope", "row"),
                "message": f.message,
                "src": list(f.src),
                "tgt": list(f.tgt),
                "renderings": f.details.get("renderings", {}),
                "occurrences": f.details.get("occurrences", []),
                "evidence": f.details.get("evidence", []),
            }
            for f in self.flags
        ]
        return {"occurrences": occ, "flags": flags}


# --------------------------------------------------------------------------


@dataclass
class _Occ:
    seg: int
    hit: SourceHit
    rel: float  # relative position in the group's source text
    order: int


@dataclass
class _Span:
    text: str
    tokens: list[Token]
    segs: tuple[int, ...]
    offsets: list[int]  # start of each target segment in ``text``
    _index: TokenIndex | None = None

    @property
    def index(self) -> TokenIndex:
        if self._index is None:
            self._index = TokenIndex(self.tokens)
        return self._index


def _span(segments: list[Segment], idx: tuple[int, ...], cache: dict[int, list[Token]]) -> _Span:
    parts, tokens, offsets = [], [], []
    pos = 0
    for i in idx:
        seg = segments[i]
        if i not in cache:
            cache[i] = tokenize(seg.text)
        offsets.append(pos)
        tokens.extend(Token(t.start + pos, t.end + pos, t.word, t.stem) for t in cache[i])
        parts.append(seg.text)
        pos += len(seg.text) + 1
    return _Span(" ".join(parts), tokens, tuple(idx), offsets)


def _find_source_hits(multi: MultiAlignment, glossary: Glossary) -> dict[int, list[SourceHit]]:
    finder = term_finder(glossary)
    # keyed by position in ``multi.source``, which is what groups refer to
    return {i: finder.find(seg.text) for i, seg in enumerate(multi.source)}


def _group_occurrences(multi: MultiAlignment, hits: dict[int, list[SourceHit]]) -> list[tuple[Group, list[_Occ]]]:
    out = []
    for g in multi.groups:
        occs: list[_Occ] = []
        total = sum(len(multi.source[s].text) for s in g.src) or 1
        pos = 0
        for s in g.src:
            for h in hits.get(s, []):
                occs.append(_Occ(s, h, (pos + (h.start + h.end) / 2) / total, len(occs)))
            pos += len(multi.source[s].text)
        out.append((g, occs))
    return out


def _assign(occs: list[_Occ], span: _Span, glossary: Glossary) -> tuple[dict[int, tuple], set[int]]:
    """Greedy pairing of occurrences with listed rendering instances."""
    by_term: dict[str, list[_Occ]] = defaultdict(list)
    for o in occs:
        by_term[o.hit.term].append(o)
    cands = []
    n = max(1, len(span.text))
    for term, tocc in by_term.items():
        for inst in find_instances(span.index, glossary.entry(term).renderings()):
            rel_t = (inst.start + inst.end) / 2 / n
            for o in tocc:
                cands.append((-inst.size, _STATUS_RANK[inst.status], abs(o.rel - rel_t), o.order, inst, o))
    cands.sort(key=lambda c: c[:4])
    chosen: dict[int, tuple] = {}
    claimed: set[int] = set()
    for *_, inst, o in cands:
        if o.order in chosen or inst.tokens & claimed:
            continue
        chosen[o.order] = (inst.rendering, inst.status, inst.start, inst.end, 1.0)
        claimed |= inst.tokens
    _in_reading_order(occs, chosen)
    return chosen, claimed


def _in_reading_order(occs: list[_Occ], chosen: dict[int, tuple]) -> None:
    """Within one term, pair in reading order on both sides: the earlier
    passes decide which words render the term, this decides which occurrence
    each one renders, so that pairs never cross."""
    by_term: dict[str, list[int]] = defaultdict(list)
    for o in occs:
        if o.order in chosen:
            by_term[o.hit.term].append(o.order)
    for got in by_term.values():
        if len(got) > 1:
            got.sort()
            insts = sorted((chosen[k] for k in got), key=lambda c: c[2])
            for k, c in zip(got, insts):
                chosen[k] = c


def _window(o: _Occ, span: _Span, share: float = 0.2, least: float = 12.0) -> tuple[float, float]:
    """Expected token position of an occurrence in the span, and how far
    from it a rendering may lie."""
    n = len(span.tokens)
    return o.rel * n, max(least, share * n)


def _explain_leftovers(left, present, span, chosen, claimed, glossary, assoc, score_cache, borrowed) -> None:
    """Occurrences with no listed rendering: first a rendering the glossary
    lists for another term (诚信 rendered *trustworthiness*, a collision) --
    anywhere in the span when that other term is absent from the source (the
    English term is otherwise unexplained), near the occurrence's expected
    position when it is present -- then the phrase most associated with the
    term, near the expected position."""
    rindex = getattr(glossary, "_rindex", None)
    if rindex is None:
        from .render import RenderingIndex

        rindex = glossary._rindex = RenderingIndex(glossary)
    cands = rindex.candidates(span.index)
    # every listed rendering present in the span, found once for all leftovers
    found = find_instances(span.index, [(r, "unlisted") for r in cands]) if cands else []
    for o in left:
        own = {r for r, _ in glossary.entry(o.hit.term).renderings()}
        centre, reach = _window(o, span, 0.35, 16.0)
        best = None
        for inst in found:
            owner = cands[inst.rendering][0]
            if owner == o.hit.term or inst.rendering in own or inst.tokens & claimed:
                continue
            dist = abs((inst.i + inst.j) / 2 - centre)
            if owner in present and dist > reach:
                continue
            key = (owner in present, -inst.size, dist)
            if best is None or key < best[0]:
                best = (key, inst)
        if best is not None:
            inst = best[1]
            chosen[o.order] = (inst.rendering, "unlisted", inst.start, inst.end, 0.5)
            claimed |= inst.tokens
            borrowed[(o.hit.term, inst.rendering)] = cands[inst.rendering][0]
            continue
        p = assoc.propose(o.hit.term, span.tokens, claimed, score_cache, window=_window(o, span), grow=False)
        if p is None or p.dice < MIN_DICE:
            continue
        a, b = span.tokens[p.i].start, span.tokens[p.j].end
        chosen[o.order] = (None, "unlisted", a, b, round(p.dice, 3))
        claimed |= set(range(p.i, p.j + 1))


def check_glossary(
    multi: MultiAlignment,
    glossary: "Glossary | str | os.PathLike",
    *,
    progress: Callable | None = None,
) -> GlossaryReport:
    """Find every glossary term in the source, how each translation rendered
    it, and flag inconsistent, colliding, off-glossary, missing and divergent
    renderings. ``glossary`` may also be a path to a glossary YAML file."""
    if not isinstance(glossary, Glossary):
        from .schema import load_glossary

        glossary = load_glossary(glossary)
    src_hits = _find_source_hits(multi, glossary)
    grouped = _group_occurrences(multi, src_hits)
    tids = list(multi.translation_ids)
    if progress:
        progress(0, total=len(tids) * len(grouped))
    occurrences: list[TermHit] = []
    status: dict[str, dict[str, str]] = defaultdict(dict)
    borrowed: dict[tuple[str, str], str] = {}  # (term, rendering) -> the entry that lists it
    for tid in tids:
        targets = multi.alignments[tid].target
        cache: dict[int, list[Token]] = {}
        assoc = Association()
        work = []
        for g, occs in grouped:
            idx = tuple(g.targets.get(tid, ()))
            span = _span(targets, idx, cache)
            assoc.add_unit({o.hit.term for o in occs}, span.tokens)
            if not occs:
                if progress:
                    progress(1)
                continue
            chosen, claimed = _assign(occs, span, glossary) if span.tokens else ({}, set())
            work.append((g, occs, span, chosen, claimed))
        score_cache: dict = {}
        for g, occs, span, chosen, claimed in work:
            left = [o for o in occs if o.order not in chosen]
            if left and span.tokens:
                present = {o.hit.term for o in occs}
                _explain_leftovers(left, present, span, chosen, claimed, glossary, assoc, score_cache, borrowed)
                _in_reading_order(occs, chosen)
            for o in occs:
                got = chosen.get(o.order)
                seg = multi.source[o.seg]
                if got is None:
                    rendering, st, a, b, conf = None, "missing", None, None, 0.0
                    matched = None
                else:
                    rendering, st, a, b, conf = got
                    matched = span.text[a:b]
                    if rendering is None:  # association proposal: name it by its words
                        rendering = " ".join(matched.lower().replace("-", " ").split())
                    status[o.hit.term].setdefault(rendering, st)
                occurrences.append(
                    TermHit(
                        term=o.hit.term, translation=tid, source_segment=o.seg,
                        source_start=o.hit.start, source_end=o.hit.end, source_text=seg.text,
                        target_segments=span.segs, target_text=span.text, rendering=rendering,
                        target_start=a, target_end=b, matched=matched, confidence=conf,
                    )
                )
            if progress:
                progress(1)
    occurrences = _merge_unlisted(occurrences, status)
    occurrences.sort(key=lambda h: (h.source_segment, h.source_start, tids.index(h.translation)))
    table: dict[str, dict[str, dict[str | None, int]]] = {}
    order = {e.term: i for i, e in enumerate(glossary.entries)}
    for h in sorted(occurrences, key=lambda h: order.get(h.term, 0)):
        cell = table.setdefault(h.term, {t: {} for t in tids}).setdefault(h.translation, {})
        cell[h.rendering] = cell.get(h.rendering, 0) + 1
    for term in table:
        for tid in tids:
            table[term][tid] = dict(sorted(table[term][tid].items(), key=lambda kv: (kv[0] is None, -kv[1], str(kv[0]))))
    flags = build_flags(occurrences, glossary, tids, status, multi, borrowed)
    from .. import __version__

    return GlossaryReport(
        occurrences=occurrences, flags=flags, table=table, translations=tids, status=dict(status),
        signature={
            "glossary": glossary.path or glossary.name, "entries": len(glossary), "checker": "glossary",
            "alignment": dict(multi.signature), "version": __version__, "min_dice": MIN_DICE,
        },
    )


def _merge_unlisted(occurrences: list[TermHit], status: dict[str, dict[str, str]]) -> list[TermHit]:
    """Unlisted renderings that differ only by inflection count as one."""
    from dataclasses import replace

    canon: dict[tuple, str] = {}
    out = []
    for h in occurrences:
        if h.rendering is not None and status[h.term].get(h.rendering) == "unlisted":
            k = (h.term, h.translation, content_key(h.rendering))
            name = canon.setdefault(k, h.rendering)
            if name != h.rendering:
                h = replace(h, rendering=name)
        out.append(h)
    return out


# -------------------------------------------------------------------------- flags
#
# Where a flag points (issue 13.3). A rendering that a translation uses for a
# term in at least MIN_HABIT_ROWS rows, and that is not a minority use (no
# other rendering has DOMINANT_SHARE of the term's rendered occurrences), is a
# *habit* of the translation: a finding about it is about the whole document
# and becomes ONE document flag (``details["scope"] == "document"``, no row of
# its own, every occurrence in ``details["occurrences"]``). Everything else is
# a local slip: one flag per row (``details["group"]``), whose ``src``/``tgt``
# are the segments of that row's occurrences only. An occurrence is flagged
# once: a collision (another term's word) before off-glossary (a discouraged or
# unlisted word) before inconsistent (a listed word, but not the usual one).

#: rows a rendering needs to be a habit of the translation rather than a slip
MIN_HABIT_ROWS = 3
#: the share of a term's rendered occurrences that makes a rendering the dominant
#: one, and the others minority uses (local flags)
DOMINANT_SHARE = 2 / 3

_KIND_RANK = {"inconsistent": 0, "collision": 1, "off-glossary": 2, "missing": 3, "divergent": 4}
_LISTED = ("preferred", "accepted")


def _target_position(h: TermHit, multi: MultiAlignment | None) -> dict | None:
    """The rendering's target segment and offsets inside that segment."""
    if h.target_start is None or multi is None or h.translation not in multi.alignments:
        return None
    segs = multi.alignments[h.translation].target
    pos = 0
    for i in h.target_segments:
        n = len(segs[i].text)
        if pos <= h.target_start < pos + n + 1:
            return {"segment": i, "start": h.target_start - pos, "end": h.target_end - pos}
        pos += n + 1
    return None


def _evidence(h: TermHit, multi: MultiAlignment | None = None) -> dict:
    """One occurrence with its texts, for people (capped at MAX_EVIDENCE per flag)."""
    return {
        "source_segment": h.source_segment,
        "source_span": [h.source_start, h.source_end],
        "source_text": h.source_text,
        "translation": h.translation,
        "target_segments": list(h.target_segments),
        "target_text": h.target_text,
        "rendering": h.rendering,
        "matched": h.matched,
        "target_span": [h.target_start, h.target_end] if h.target_start is not None else None,
        "target_position": _target_position(h, multi),
        "confidence": h.confidence,
    }


def _count(hits: Iterable[TermHit]) -> dict[str | None, int]:
    c = Counter(h.rendering for h in hits)
    return dict(sorted(c.items(), key=lambda kv: (kv[0] is None, -kv[1], str(kv[0]))))


def _fmt(counts: dict) -> str:
    return ", ".join(f"{'(none)' if r is None else repr(r)} x{n}" for r, n in counts.items())


def _tgts(hits: Iterable[TermHit]) -> tuple[int, ...]:
    return tuple(sorted({t for h in hits for t in h.target_segments}))


@dataclass(frozen=True)
class _Rows:
    """The row (alignment group) of each source segment; with no alignment
    given, a segment is its own row and flags carry no ``group``."""

    of_segment: Mapping[int, int]
    known: bool

    def of(self, h: TermHit) -> int:
        return self.of_segment.get(h.source_segment, h.source_segment)


def _rows(multi: MultiAlignment | None) -> _Rows:
    if multi is None:
        return _Rows({}, False)
    return _Rows({s: gi for gi, g in enumerate(multi.groups) for s in g.src}, True)


@dataclass(frozen=True)
class _Usage:
    """How one translation renders one term across the document."""

    term: str
    translation: str
    hits: tuple[TermHit, ...]  # every occurrence, in reading order
    counts: Mapping[str, int]  # rendered occurrences by rendering, most frequent first
    status: Mapping[str, str]  # rendering -> preferred / accepted / discouraged / unlisted
    rows: _Rows

    @property
    def total(self) -> int:
        return len(self.hits)

    @property
    def rendered(self) -> int:
        return sum(self.counts.values())

    @property
    def main(self) -> str | None:
        """The most frequent rendering (ties: the first by name), or None."""
        return next(iter(self.counts), None)

    @property
    def dominant(self) -> str | None:
        """The main rendering when it has DOMINANT_SHARE of the rendered occurrences."""
        m = self.main
        return m if m is not None and self.counts[m] >= DOMINANT_SHARE * self.rendered else None

    @property
    def usual(self) -> frozenset[str]:
        """The renderings with the highest count (several on a tie)."""
        top = max(self.counts.values(), default=0)
        return frozenset(r for r, n in self.counts.items() if n == top)

    def hits_of(self, rendering: str | None) -> list[TermHit]:
        return [h for h in self.hits if h.rendering == rendering]

    def rows_of(self, rendering: str | None) -> set[int]:
        return {self.rows.of(h) for h in self.hits_of(rendering)}

    def is_minority(self, rendering: str) -> bool:
        d = self.dominant
        return d is not None and d != rendering

    def is_habit(self, rendering: str | None) -> bool:
        """Whether a rendering (None: no rendering found) is the translation's
        habit for the term rather than a slip in a few rows."""
        if len(self.rows_of(rendering)) < MIN_HABIT_ROWS:
            return False
        if rendering is None:  # most occurrences have no rendering found
            return 2 * len(self.hits_of(None)) >= self.total
        return not self.is_minority(rendering)

    def owns(self, rendering: str) -> bool:
        """Whether ``rendering`` is this term's own word in the translation (for
        collisions): its main rendering, and listed for it or a habit."""
        return rendering == self.main and (self.status.get(rendering) in _LISTED or self.is_habit(rendering))

    def share(self, rendering: str | None) -> str:
        """``13 of 18``: the rendering's occurrences of all the term's."""
        return f"{len(self.hits_of(rendering))} of {self.total}"


def _usages(occurrences, tids, status, rows, order) -> list[_Usage]:
    by_tt: dict[tuple[str, str], list[TermHit]] = defaultdict(list)
    for h in occurrences:
        by_tt[(h.term, h.translation)].append(h)
    out = []
    for term, tid in sorted(by_tt, key=lambda k: (order.get(k[0], 0), tids.index(k[1]) if k[1] in tids else 0)):
        hits = sorted(by_tt[(term, tid)], key=lambda h: (h.source_segment, h.source_start))
        counts = {r: n for r, n in _count(hits).items() if r is not None}
        out.append(_Usage(term, tid, tuple(hits), counts, dict(status.get(term, {})), rows))
    return out


@dataclass(frozen=True)
class _Finding:
    """What one flag says, before it is cut into rows: the hits it is about."""

    kind: str
    translation: str | None
    term: str
    severity: str
    scope: str  # "row" or "document"
    hits: tuple[TermHit, ...]
    message: Callable[[list[TermHit]], str]  # the message for the hits of one flag
    details: Mapping[str, Any]


def _occurrence(h: TermHit, multi: MultiAlignment | None, rows: _Rows) -> dict:
    """One occurrence in short (no texts): every one of a flag's, for tools."""
    occ = {
        "translation": h.translation,
        "source_segment": h.source_segment,
        "source_span": [h.source_start, h.source_end],
        "target_segments": list(h.target_segments),
        "rendering": h.rendering,
        "matched": h.matched,
        "target_position": _target_position(h, multi),
        "confidence": h.confidence,
    }
    if rows.known:
        occ["group"] = rows.of(h)
    return occ


def _flags_of(f: _Finding, multi: MultiAlignment | None, rows: _Rows) -> list[Flag]:
    """A document finding as one flag; a local one as one flag per row."""
    if f.scope == "document":
        parts = [list(f.hits)]
    else:
        per_row: dict[int, list[TermHit]] = defaultdict(list)
        for h in f.hits:
            per_row[rows.of(h)].append(h)
        parts = [per_row[r] for r in sorted(per_row)]
    out = []
    for hits in parts:
        details = dict(f.details)
        details["scope"] = f.scope
        if rows.known:
            if f.scope == "document":
                details["groups"] = sorted({rows.of(h) for h in hits})
            else:
                details["group"] = rows.of(hits[0])
        details["occurrences"] = [_occurrence(h, multi, rows) for h in hits]
        details["evidence"] = [_evidence(h, multi) for h in hits[:MAX_EVIDENCE]]
        local = f.scope != "document"
        out.append(Flag(
            kind=f.kind, message=f.message(hits), translation=f.translation, term=f.term, severity=f.severity,
            src=tuple(sorted({h.source_segment for h in hits})) if local else (),
            tgt=_tgts(hits) if local else (), details=details,
        ))
    return out


def _notes(*parts: str) -> str:
    """`` (a; b)`` of the non-empty parts, or nothing."""
    kept = [p for p in parts if p]
    return f" ({'; '.join(kept)})" if kept else ""


def _here(hits: list[TermHit]) -> str:
    """``x2 here`` when a flag's row holds the rendering more than once."""
    return f"x{len(hits)} here" if len(hits) > 1 else ""


def _elsewhere(u: "_Usage", rendering: str | None) -> str:
    """``elsewhere 'credit', 13 of 18``: the translation's main rendering, when it is another."""
    if u.main is None or u.main == rendering:
        return ""
    return f"elsewhere {u.main!r}, {u.share(u.main)}"


def build_flags(
    occurrences: list[TermHit], glossary: Glossary, tids: list[str], status: dict,
    multi: MultiAlignment | None = None, borrowed: dict | None = None,
) -> list[Flag]:
    """The glossary flags of the occurrences (see the comment above
    MIN_HABIT_ROWS for what is local and what is document-wide)."""
    order = {e.term: i for i, e in enumerate(glossary.entries)}
    rows = _rows(multi)
    usages = _usages(occurrences, tids, status, rows, order)
    claimed: set[TermHit] = set()  # occurrences a more specific flag already names
    findings = _collisions(usages, glossary, claimed)
    findings += _off_glossary(usages, glossary, borrowed or {}, claimed)
    findings += _inconsistent(usages, claimed)
    findings += _missing(usages)
    flags = [fl for f in findings for fl in _flags_of(f, multi, rows)]
    flags += _divergent(occurrences, usages, tids, order, multi, rows)

    def key(fl: Flag):
        scope = 0 if fl.details.get("scope") == "document" else 1
        where = fl.details.get("group", fl.src[0] if fl.src else -1)
        return (_KIND_RANK.get(fl.kind, 9), order.get(fl.term, 0), tids.index(fl.translation)
                if fl.translation in tids else -1, scope, where)

    return sorted(flags, key=key)


def _collisions(usages: list[_Usage], glossary: Glossary, claimed: set[TermHit]) -> list[_Finding]:
    """One English word for several source terms in one translation. The terms
    whose own word it is (:meth:`_Usage.owns`) keep it; the other terms' uses
    of it are local flags. Several owners: one document flag for them."""
    out: list[_Finding] = []
    by_word: dict[tuple[str, str], list[_Usage]] = defaultdict(list)
    names: dict[tuple[str, str], str] = {}
    for u in usages:
        for r in u.counts:
            by_word[(u.translation, r.lower())].append(u)
            names.setdefault((u.translation, r.lower()), r)
    for (tid, low), us in by_word.items():
        if len(us) < 2:
            continue
        word = names[(tid, low)]
        of = {u.term: [h for h in u.hits if h.rendering is not None and h.rendering.lower() == low] for u in us}
        counts = {u.term: len(of[u.term]) for u in us}
        details = {"rendering": word, "terms": [u.term for u in us], "renderings": {word: counts}}
        owners = [u for u in us if u.owns(next(r for r in u.counts if r.lower() == low))]
        listed = ", ".join(f"{t} x{n}" for t, n in counts.items())
        if len(owners) >= 2:
            hits = tuple(h for u in owners for h in of[u.term])
            claimed.update(hits)
            names_owned = ", ".join(f"{u.term} x{counts[u.term]}" for u in owners)
            out.append(_Finding(
                "collision", tid, " / ".join(u.term for u in owners), "warning", "document", hits,
                lambda hits, tid=tid, word=word, n=len(owners), s=names_owned:
                    f"{tid} uses {word!r} as its usual rendering of {n} source terms: {s}",
                {**details, "owners": [u.term for u in owners]},
            ))
        owner = owners[0] if len(owners) == 1 else None
        for u in us:
            if u in owners:
                continue
            hits = tuple(of[u.term])
            claimed.update(hits)
            entry = glossary.entry(u.term)
            reason = entry.reason_for(word) if u.status.get(word) == "discouraged" else ""

            def message(hits, u=u, word=word, owner=owner, reason=reason, listed=listed, n=len(us)):
                msg = f"{u.translation} renders {u.term} as {word!r}" + _notes(_here(hits))
                if owner is not None:
                    own = next(r for r in owner.counts if r.lower() == word.lower())
                    msg += f", the word it uses for {owner.term} ({owner.share(own)})"
                else:
                    msg += f", a word it uses for {n} source terms ({listed})"
                if u.main is not None and u.main.lower() != word.lower():
                    msg += f"; elsewhere {u.term} is {u.main!r} ({u.share(u.main)})"
                return msg + (f": the glossary discourages it, {reason}" if reason else "")

            out.append(_Finding("collision", tid, u.term, "warning", "row", hits, message,
                                {**details, "owner": owner.term if owner else None, "main": u.main}))
    return out


def _off_glossary(usages: list[_Usage], glossary: Glossary, borrowed: dict, claimed: set[TermHit]) -> list[_Finding]:
    """Discouraged or unlisted renderings: a habit is one document flag, a
    slip is flagged in its rows (with the translation's usual rendering)."""
    out: list[_Finding] = []
    for u in usages:
        entry = glossary.entry(u.term)
        for r in u.counts:
            st = u.status.get(r)
            if st not in ("discouraged", "unlisted"):
                continue
            hits = tuple(h for h in u.hits_of(r) if h not in claimed)
            if not hits:
                continue
            habit = u.is_habit(r)
            reason = entry.reason_for(r) if st == "discouraged" else ""
            lender = borrowed.get((u.term, r))

            def message(hits, u=u, r=r, st=st, habit=habit, reason=reason, lender=lender, pref=entry.preferred):
                how = f" in {u.share(r)} occurrences" if habit else ""
                where = "" if habit else _here(hits)
                usual = "" if habit else _elsewhere(u, r)
                if st == "discouraged":
                    msg = f"{u.translation} renders {u.term} as discouraged {r!r}{how}"
                    return (msg + _notes(where, usual, f"preferred {pref!r}" if pref != u.main or habit else "")
                            + (f": {reason}" if reason else ""))
                if lender:
                    return (f"{u.translation} renders {u.term} as {r!r}{how}, the glossary's rendering of {lender}"
                            + _notes(where, usual, f"preferred for {u.term}: {pref!r}"))
                conf = max(h.confidence for h in hits)
                return (f"{u.translation} renders {u.term} as {r!r}{how}, not a listed rendering"
                        + _notes(where, usual, f"found by association, confidence {conf:.2f}", f"preferred {pref!r}"))

            out.append(_Finding(
                "off-glossary", u.translation, u.term, "warning" if st == "discouraged" else "info",
                "document" if habit else "row", hits, message,
                {"rendering": r, "status": st, "preferred": entry.preferred, "reason": entry.reason_for(r),
                 "listed_for": lender, "main": u.main, "renderings": dict(u.counts)},
            ))
    return out


def _inconsistent(usages: list[_Usage], claimed: set[TermHit]) -> list[_Finding]:
    """Several renderings of one term in one translation. With a dominant
    rendering, each other listed rendering is flagged where it is used (the
    discouraged and unlisted ones are off-glossary flags, other terms' words
    collisions); with none, the translation has no settled rendering: one
    document flag."""
    out: list[_Finding] = []
    for u in usages:
        if len(u.counts) < 2:
            continue
        details = {"renderings": dict(u.counts), "main": u.main}
        if u.dominant is None:
            hits = tuple(h for h in u.hits if h.rendering is not None)
            out.append(_Finding(
                "inconsistent", u.translation, u.term, "warning", "document", hits,
                lambda hits, u=u: f"{u.translation} has no settled rendering of {u.term}: {_fmt(u.counts)}",
                details,
            ))
            continue
        for r in u.counts:
            if r == u.dominant or u.status.get(r) not in _LISTED:
                continue
            hits = tuple(h for h in u.hits_of(r) if h not in claimed)
            if hits:
                out.append(_Finding(
                    "inconsistent", u.translation, u.term, "warning", "row", hits,
                    lambda hits, u=u, r=r: f"{u.translation} renders {u.term} as {r!r}" + _notes(
                        _here(hits), _elsewhere(u, r)),
                    {**details, "rendering": r},
                ))
    return out


def _missing(usages: list[_Usage]) -> list[_Finding]:
    """Occurrences with no rendering found: local, unless it is so for most of
    a term's occurrences (then the translation probably uses a word the
    glossary does not list: one document flag, info)."""
    out: list[_Finding] = []
    for u in usages:
        hits = tuple(u.hits_of(None))
        if not hits:
            continue
        details = {"renderings": {"(none)": len(hits)}, "main": u.main}
        if u.is_habit(None):
            omitted = sum(1 for h in hits if not h.target_segments)
            out.append(_Finding(
                "missing", u.translation, u.term, "info", "document", hits,
                lambda hits, u=u, omitted=omitted: (
                    f"{u.translation}: no rendering of {u.term} found for {len(hits)} of {u.total} occurrences"
                    + (f" ({omitted} in clauses the translation leaves out)" if omitted else "")
                    + "; it may use a word the glossary does not list"),
                {**details, "omitted": omitted},
            ))
            continue

        def message(hits, u=u):
            omitted = any(not h.target_segments for h in hits)
            return f"{u.translation}: no rendering of {u.term} found" + _notes(
                _here(hits), "the translation leaves this clause out" if omitted else _elsewhere(u, None))

        # one details dict per row: "omitted" counts that row's
        for h_row in _split_rows(hits, u.rows):
            out.append(_Finding("missing", u.translation, u.term, "warning", "row", h_row, message,
                                {**details, "omitted": sum(1 for h in h_row if not h.target_segments)}))
    return out


def _split_rows(hits: tuple[TermHit, ...], rows: _Rows) -> list[tuple[TermHit, ...]]:
    per_row: dict[int, list[TermHit]] = defaultdict(list)
    for h in hits:
        per_row[rows.of(h)].append(h)
    return [tuple(per_row[r]) for r in sorted(per_row)]


def _divergent(occurrences, usages, tids, order, multi, rows: _Rows) -> list[Flag]:
    """The translations have no usual rendering of a term in common (info,
    one document flag per term, the places where they differ in its
    occurrences). Where they share one, a place where one of them deviates is
    that translation's own flag (inconsistent, off-glossary, collision)."""
    if len(tids) < 2:
        return []
    by_term: dict[str, dict[str, _Usage]] = defaultdict(dict)
    for u in usages:
        if u.counts:
            by_term[u.term][u.translation] = u
    # term -> (source segment, start) -> translation -> its occurrence there
    by_occ: dict[str, dict[tuple[int, int], dict[str, TermHit]]] = defaultdict(lambda: defaultdict(dict))
    for h in occurrences:
        by_occ[h.term][(h.source_segment, h.source_start)][h.translation] = h
    out = []
    for term in sorted(by_term, key=lambda t: order.get(t, 0)):
        per = by_term[term]
        if len(per) < 2 or frozenset.intersection(*(u.usual for u in per.values())):
            continue
        places = []
        for _, got in sorted(by_occ[term].items()):
            rs = {tid: h.rendering for tid, h in got.items() if h.rendering is not None}
            if len(set(rs.values())) > 1:
                places.append(got)
        if not places:
            continue
        usual = "; ".join(f"{tid} {' / '.join(repr(r) for r in sorted(u.usual))} ({u.share(u.main)})"
                          for tid, u in ((tid, per[tid]) for tid in tids if tid in per))
        first = [next(iter(got.values())) for got in places]
        details: dict[str, Any] = {
            "scope": "document",
            "renderings": {tid: _count(u.hits) for tid, u in per.items()},
            "main": {tid: u.main for tid, u in per.items()},
            "places": len(places),
            "occurrences": [
                {"source_segment": h.source_segment, "source_span": [h.source_start, h.source_end],
                 **({"group": rows.of(h)} if rows.known else {}),
                 "renderings": {tid: got[tid].rendering for tid in tids if tid in got}}
                for h, got in zip(first, places)],
            "evidence": [
                {"source_segment": h.source_segment, "source_text": h.source_text,
                 "source_span": [h.source_start, h.source_end],
                 "translations": {tid: _evidence(x, multi) for tid, x in got.items()}}
                for h, got in zip(first[:MAX_EVIDENCE], places[:MAX_EVIDENCE])],
        }
        if rows.known:
            details["groups"] = sorted({rows.of(h) for h in first})
        out.append(Flag(
            kind="divergent", translation=None, term=term, severity="info",
            message=(f"the translations render {term} differently"
                     f" ({len(places)} {'place' if len(places) == 1 else 'places'}): {usual}"),
            details=details,
        ))
    return out
