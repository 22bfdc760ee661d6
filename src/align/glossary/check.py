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

Flags (``model.Flag``, one per term and translation -- or per term for
``divergent``, per rendering for ``collision`` -- with the evidence in
``details["evidence"]``): inconsistent, collision, off-glossary, missing,
divergent.
"""
from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable

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
                "renderings": f.details.get("renderings", {}),
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


# --------------------------------------------------------------------------


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
    ev = {
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
    return ev


def _count(hits: list[TermHit]) -> dict[str | None, int]:
    c = Counter(h.rendering for h in hits)
    return dict(sorted(c.items(), key=lambda kv: (kv[0] is None, -kv[1], str(kv[0]))))


def _fmt(counts: dict) -> str:
    return ", ".join(f"{'(none)' if r is None else repr(r)} x{n}" for r, n in counts.items())


def _tgts(hits: list[TermHit]) -> tuple[int, ...]:
    return tuple(sorted({t for h in hits for t in h.target_segments}))


def build_flags(
    occurrences: list[TermHit], glossary: Glossary, tids: list[str], status: dict,
    multi: MultiAlignment | None = None, borrowed: dict | None = None,
) -> list[Flag]:
    return _build_flags(occurrences, glossary, tids, status, multi, borrowed or {})


def _build_flags(occurrences, glossary, tids, status, multi, borrowed) -> list[Flag]:
    flags: list[Flag] = []
    by_tt: dict[tuple[str, str], list[TermHit]] = defaultdict(list)
    for h in occurrences:
        by_tt[(h.term, h.translation)].append(h)
    order = {e.term: i for i, e in enumerate(glossary.entries)}
    keys = sorted(by_tt, key=lambda k: (order.get(k[0], 0), tids.index(k[1])))

    # 1. inconsistent
    for term, tid in keys:
        hits = [h for h in by_tt[(term, tid)] if h.rendering is not None]
        counts = _count(hits)
        if len(counts) < 2:
            continue
        main = next(iter(counts))
        odd = [h for h in hits if h.rendering != main]
        flags.append(Flag(
            kind="inconsistent", translation=tid, term=term, severity="warning",
            message=f"{tid} renders {term} {len(counts)} ways: {_fmt(counts)}",
            src=tuple(sorted({h.source_segment for h in odd})), tgt=_tgts(odd),
            details={"renderings": counts, "main": main,
                     "evidence": [_evidence(h, multi) for h in sorted(hits, key=lambda h: h.rendering == main)][:MAX_EVIDENCE]},
        ))

    # 2. collision: one English rendering for several source terms
    for tid in tids:
        by_key: dict[tuple, dict[str, list[TermHit]]] = defaultdict(lambda: defaultdict(list))
        names: dict[tuple, str] = {}
        for h in occurrences:
            if h.translation == tid and h.rendering is not None:
                k = h.rendering.lower()
                by_key[k][h.term].append(h)
                names.setdefault(k, h.rendering)
        for k, per_term in by_key.items():
            if len(per_term) < 2:
                continue
            terms = sorted(per_term, key=lambda t: order.get(t, 0))
            # evidence: the rarer uses first (they are the ones to look at)
            hits = [h for t in sorted(terms, key=lambda t: len(per_term[t])) for h in per_term[t]]
            word = names[k]
            counts = {t: len(per_term[t]) for t in terms}
            flags.append(Flag(
                kind="collision", translation=tid, term=" / ".join(terms), severity="warning",
                message=f"{tid} uses {word!r} for {len(terms)} source terms: "
                + ", ".join(f"{t} x{n}" for t, n in counts.items()),
                src=tuple(sorted({h.source_segment for h in hits})), tgt=_tgts(hits),
                details={"rendering": word, "terms": terms, "renderings": {word: counts},
                         "evidence": [_evidence(h, multi) for h in hits][:MAX_EVIDENCE]},
            ))

    # 3. off-glossary: discouraged or unlisted renderings
    for term, tid in keys:
        entry = glossary.entry(term)
        per_r: dict[str, list[TermHit]] = defaultdict(list)
        for h in by_tt[(term, tid)]:
            if h.rendering is not None and status.get(term, {}).get(h.rendering) in ("discouraged", "unlisted"):
                per_r[h.rendering].append(h)
        for r, hits in per_r.items():
            st = status[term][r]
            if st == "discouraged":
                why = entry.reason_for(r)
                msg = f"{tid} renders {term} as discouraged {r!r} x{len(hits)} (preferred {entry.preferred!r})"
                msg += f": {why}" if why else ""
            elif (term, r) in borrowed:
                msg = (f"{tid} renders {term} as {r!r} x{len(hits)}, the glossary's rendering of "
                       f"{borrowed[(term, r)]} (preferred for {term}: {entry.preferred!r})")
            else:
                conf = max(h.confidence for h in hits)
                msg = (f"{tid} renders {term} as {r!r} x{len(hits)}, not a listed rendering "
                       f"(found by association, confidence {conf:.2f}; preferred {entry.preferred!r})")
            flags.append(Flag(
                kind="off-glossary", translation=tid, term=term, severity="warning" if st == "discouraged" else "info",
                message=msg, src=tuple(sorted({h.source_segment for h in hits})), tgt=_tgts(hits),
                details={"rendering": r, "status": st, "preferred": entry.preferred, "reason": entry.reason_for(r),
                         "listed_for": borrowed.get((term, r)),
                         "renderings": {r: len(hits)}, "evidence": [_evidence(h, multi) for h in hits][:MAX_EVIDENCE]},
            ))

    # 4. missing
    for term, tid in keys:
        hits = [h for h in by_tt[(term, tid)] if h.rendering is None]
        if not hits:
            continue
        omitted = sum(1 for h in hits if not h.target_segments)
        msg = f"{tid}: no rendering of {term} found for {len(hits)} of {len(by_tt[(term, tid)])} occurrences"
        if omitted:
            msg += f" ({omitted} in clauses the translation leaves out)"
        flags.append(Flag(
            kind="missing", translation=tid, term=term, severity="warning",
            message=msg, src=tuple(sorted({h.source_segment for h in hits})), tgt=_tgts(hits),
            details={"renderings": {"(none)": len(hits)}, "omitted": omitted,
                     "evidence": [_evidence(h, multi) for h in hits][:MAX_EVIDENCE]},
        ))

    # 5. divergent: the translations render the same occurrence differently
    if len(tids) >= 2:
        by_occ: dict[tuple, dict[str, TermHit]] = defaultdict(dict)
        for h in occurrences:
            by_occ[(h.term, h.source_segment, h.source_start)][h.translation] = h
        per_term: dict[str, list[dict[str, TermHit]]] = defaultdict(list)
        for (term, _, _), per in by_occ.items():
            rs = {tid: per[tid].rendering for tid in tids if tid in per and per[tid].rendering is not None}
            if len(set(rs.values())) > 1:
                per_term[term].append(per)
        for term in sorted(per_term, key=lambda t: order.get(t, 0)):
            rows = per_term[term]
            counts = {tid: _count([h for h in occurrences if h.term == term and h.translation == tid and h.rendering])
                      for tid in tids}
            main = {tid: next(iter(c), None) for tid, c in counts.items()}
            hits = [h for per in rows for h in per.values()]
            flags.append(Flag(
                kind="divergent", translation=None, term=term, severity="info",
                message=f"{term} is rendered differently by the translations in {len(rows)} places: "
                + "; ".join(f"{tid} {_fmt(c)}" for tid, c in counts.items()),
                src=tuple(sorted({h.source_segment for h in hits})), tgt=(),
                details={"renderings": counts, "main": main, "places": len(rows),
                         "evidence": [
                             {"source_segment": next(iter(per.values())).source_segment,
                              "source_text": next(iter(per.values())).source_text,
                              "source_span": [next(iter(per.values())).source_start, next(iter(per.values())).source_end],
                              "translations": {tid: _evidence(h, multi) for tid, h in per.items()}}
                             for per in rows][:MAX_EVIDENCE]},
            ))
    return flags
