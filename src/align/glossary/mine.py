"""Draft the glossary a new domain needs, from an aligned corpus.

1. **Terms** (``candidates``): n-grams of jieba words ranked by termhood --
   specificity against general Chinese (jieba's dictionary counts),
   frequency, spread, boundary entropy, nesting (C-value).
2. **Renderings** (``renderings``): for each candidate and translation, the
   English phrase it goes with in the aligned groups (Dice and G2, CC-CEDICT
   and pinyin evidence, full spans), and how many occurrences each rendering
   accounts for, counted as the checker counts.
3. **Rank**: termhood x *stability* (the share of its occurrences the
   translations' main renderings account for: a term has an established
   rendering, a phrase such as X 体系建设 is rendered a different way each
   time; where the alignment has clause links, an occurrence counts only
   when its rendering lies in a target clause linked to its source clause,
   ``ClauseLinks``: a free phrase's "rendering" is often words of a
   neighbouring clause) x *unity* (how well the main renderings translate a compound as a
   whole: a fragment such as 个人严重失信 -> *seriously* is no term).
   Candidates no translation renders are left out, and one seen
   ``min_count`` times or more that some translation never renders ranks
   lower (x the share of translations that render it). A rare string
   (``candidates`` step 7) ranks by its termhood x its ``attestation``, no
   higher than the longest candidate it contains (``_capped``), and of rare
   strings overlapping in the text only the best is kept (``_one_per_place``).
   A rare string is left out when a translation renders the source word
   after it by the English word right after its rendering and none renders
   that word further on (``_HeadAfter``: 信用分类 + 监管 -> *categorized
   credit supervision*, a modifier cut out of a longer compound).
   The ``POOL`` x ``top`` best by termhood are rendered (as many rare
   strings besides), the ``top`` best by rank returned.
4. **Draft** (``draft_glossary``): one entry per term, best first; preferred
   = the rendering most occurrences have, accepted = every other
   translation's main rendering and any other rendering used twice or more;
   ``note`` gives the counts per translation and says when the translations
   disagree; ``evidence`` holds two source clauses with each translation's
   aligned text.

A glossary is read only when one is given (``glossary``): its terms are then
marked as known and their renderings are the checker's; its other entries
are kept in the draft after the mined ones.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Callable

from ..model import MultiAlignment
from .associate import _cedict, gloss_text_stems
from .candidates import Candidate, candidates, pieces_of
from .render import content_key, tokenize
from .renderings import (Pairing, TermRenderings, TermSpec, glosses, headword_glosses, render_terms,
                         stem_matches)
from .schema import Entry, Evidence, Glossary

POOL = 3  # candidates rendered per entry asked for (the rank uses the renderings)
MIN_POOL = 150
DEFAULT_TOP = 100
MAX_ACCEPTED = 4
HEAD_REACH = 3  # English words after a rare string's rendering searched for its next word's rendering
WORD_FOR_WORD = 0.25  # attestation of a rare compound every translation renders word for word
_SRC_STOP = "；;：:。！？!?\n"
_TGT_STOP = ";:.!?\n"


@dataclass(frozen=True)
class MinedTerm:
    """A source term, how often it occurs, and how each translation renders it.

    ``renderings[tid]`` maps each rendering to the occurrences it accounts
    for, most frequent first; ``missing[tid]`` counts occurrences where no
    rendering was found; ``score`` is the rank (termhood x stability x unity); ``stability`` is
    ``consistency`` over the clause links (None where there are none).
    """

    term: str
    count: int
    renderings: dict[str, dict[str, int]] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)
    score: float = 0.0
    termhood: float = 0.0
    segments: int = 0
    in_glossary: bool = False
    evidence: tuple[Evidence, ...] = ()
    attested: "Attestation | None" = None  # for a string seen fewer than min_count times: why it is proposed
    stability: float | None = None  # clause-linked consistency (``clause_stability``), None without clauses

    def best(self) -> list[tuple[str, int]]:
        """Renderings over all translations (same words, one rendering), most frequent first."""
        total: Counter = Counter()
        names: dict[tuple, str] = {}
        for counts in self.renderings.values():
            for r, n in counts.items():
                total[names.setdefault(content_key(r), r)] += n
        return total.most_common()

    @property
    def main(self) -> dict[str, str]:
        """Each translation's most frequent rendering."""
        return {tid: next(iter(c)) for tid, c in self.renderings.items() if c}

    @property
    def agree(self) -> bool:
        """Whether the translations' main renderings are the same words."""
        return len({content_key(r) for r in self.main.values()}) <= 1

    @property
    def consistency(self) -> float:
        """Mean share, over the translations, of the occurrences their main rendering accounts for."""
        shares = []
        for tid, counts in self.renderings.items():
            n = sum(counts.values()) + self.missing.get(tid, 0)
            if n:
                shares.append((next(iter(counts.values()), 0)) / n)
        return sum(shares) / len(shares) if shares else 0.0


def mine_glossary(
    multi: MultiAlignment,
    glossary: Glossary | None = None,
    *,
    min_count: int = 3,
    top: int | None = DEFAULT_TOP,
    max_terms: int | None = None,
    progress: Callable | None = None,
    rare: bool = True,
) -> list[MinedTerm]:
    """The terms of the source and their renderings in each translation, best first.

    ``top``: how many new terms to return (None: all); ``glossary``: known
    terms, marked and rendered by the checker (they do not count towards
    ``top``). ``max_terms`` is an older name of ``top``. ``rare``: also
    propose strings seen fewer than ``min_count`` times when the
    translations attest them (``attestation``).
    """
    if max_terms is not None:
        top = max_terms
    texts = [s.text for s in multi.source]
    known_forms = {f for e in glossary.entries for f in e.forms} if glossary else set()
    rows = pieces_of(texts)
    ranked = candidates(texts, min_count=min_count, rows=rows, rare=rare)
    pool = [c for c in ranked if c.term not in known_forms and not c.rare]
    few = [c for c in ranked if c.term not in known_forms and c.rare]
    if top is not None:
        pool = pool[: max(MIN_POOL, POOL * top)]
        few = few[: max(MIN_POOL, POOL * top)]
    pool += few
    # known terms are rendered too: what they are rendered as is evidence for the compounds they are in
    pool += [c for c in ranked if c.term in known_forms]
    nesting = _nesting(pool)
    specs = [TermSpec(c.term, c.pieces, c.occurrences, _own_occurrences(c, nesting[c.term]),
                      1 - nesting[c.term].bound) for c in pool]
    if progress:
        progress(0, total=len(specs) * len(multi.translation_ids))
    rendered = render_terms(multi, specs, source_words=[[p.text for p in row] for row in rows], progress=progress)
    mined = []
    links = ClauseLinks.of(multi)
    heads = _HeadAfter(rows, rendered)
    for c in pool:
        if c.term in known_forms:
            continue
        if c.rare and heads.modifies(rendered[c.term]):
            continue
        m = _mined(c, rendered[c.term], nesting[c.term].inside, links)
        if m is not None:
            mined.append(m)
    mined = _capped(mined, {c.term: c for c in pool})
    mined.sort(key=lambda m: (-m.score, -m.count, -len(m.term), m.term))
    mined = _one_per_place([m for m in mined if m.score > 0], {c.term: c for c in pool})
    if top is not None:
        mined = mined[:top]
    if glossary is not None:
        mined = _merge_known(mined, multi, glossary, {c.term: c for c in ranked if c.term in glossary})
    return mined


@dataclass(frozen=True)
class _HeadAfter:
    """Whether a rare string is a modifier cut out of a longer unit: Chinese
    and English both put a compound's head last, so when the translations
    render the source word right after it by the English word right after
    its rendering (信用分类 + 监管 -> *categorized credit* + *supervision*),
    the string modifies that word in both languages, and the unit is the
    longer one. A translation that renders that word a few words further on
    (*information product and application markets*) keeps them apart; one
    where no rendering of it follows says nothing. The word before the
    string does not count: a modifier before it (社会 + 信用体系, *social* +
    *credit system*) leaves it a whole phrase, its head included."""

    rows: list
    rendered: dict  # term -> translation -> TermRenderings: the next word's own renderings, if it has any

    def modifies(self, per: dict[str, TermRenderings]) -> bool:
        seen = [self._head_after(tid, p) for tid, r in per.items() for p in r.pairings]
        return True in seen and False not in seen

    def _head_after(self, tid: str, p: Pairing) -> bool | None:
        """True: the next source word's rendering follows the string's at
        once; False: a few words on, or no word follows in the source (a
        break); None: no rendering of the next word found."""
        if p.target_start is None:
            return None
        nxt = next((w for w in self.rows[p.segment] if w.start == p.end), None)
        if nxt is None or nxt.breaks:
            return False  # it stands alone there
        rest = p.target_text[p.target_end:]
        toks = tokenize(rest)[:HEAD_REACH]
        own = self.rendered.get(nxt.text, {}).get(tid)
        stems = _head_glosses(nxt.text) | frozenset(st for r in (own.counts if own else ()) for st in content_key(r))
        at = next((k for k, t in enumerate(toks) if stem_matches(t.stem, stems)), None)
        if at is None:
            return None
        return at == 0 and not rest[:toks[0].start].strip(" -")


def _head_glosses(word: str) -> frozenset[str]:
    """The stems of the CC-CEDICT senses of ``word`` that can head a noun
    phrase: not the verb senses ("to have the right to": 被告人 + 有权 is
    *defendants have the right*, a subject and its verb, no compound); the
    glosses of its parts when it is no headword."""
    entry = _cedict().get(word)
    if entry is None:
        return glosses(word)
    senses = [g.strip() for g in entry.split("/")]
    return frozenset().union(*(gloss_text_stems(g) for g in senses if g and not g.startswith("to ")))


@dataclass(frozen=True)
class _Nesting:
    """Where a candidate's occurrences lie inside longer candidates."""

    inside: frozenset  # (segment, start) of the occurrences inside a longer candidate
    bound: float  # the largest share of its occurrences inside one and the same longer candidate


@dataclass(frozen=True)
class _Host:
    """An occurrence of a candidate, as a place other candidates may lie in."""

    start: int
    end: int
    term: str

    def holds(self, o) -> bool:
        return self.start <= o.start and o.end <= self.end and self.end - self.start > o.end - o.start


def _own_occurrences(c: Candidate, nesting: "_Nesting") -> tuple:
    """The occurrences a compound's renderings are learnt from: when most of
    them lie inside one longer candidate (公共信用信息, 15 of 17 times inside
    个人公共信用信息, whose rendering is not its own), those outside longer
    candidates, if they are in two segments or more; else those outside
    names."""
    if len(c.pieces) == 1 or nesting.bound < 0.5:  # a word keeps its renderings inside compounds; a
        return c.standalone                         # compound mostly outside longer ones has its own
    own = tuple(o for o in c.standalone if (o.segment, o.start) not in nesting.inside)
    return own if len({o.segment for o in own}) >= 2 else c.standalone


def _nesting(pool: list[Candidate]) -> dict[str, _Nesting]:
    """Where each candidate lies inside the others; rare strings are not
    hosts (one occurrence of 信用管理水平 does not make 信用管理 a part)."""
    spans: dict[int, list[_Host]] = {}
    for c in pool:
        if c.rare:
            continue
        for o in c.occurrences:
            spans.setdefault(o.segment, []).append(_Host(o.start, o.end, c.term))
    out = {}
    for c in pool:
        inside = set()
        per: Counter = Counter()
        for o in c.occurrences:
            hosts = {h.term for h in spans.get(o.segment, ()) if h.holds(o)}
            if hosts:
                inside.add((o.segment, o.start))
                per.update(hosts)
        out[c.term] = _Nesting(frozenset(inside), max(per.values()) / c.count if per else 0.0)
    return out


def _mined(c: Candidate, per: dict[str, TermRenderings], nested: frozenset,
           links: "ClauseLinks | None" = None) -> MinedTerm | None:
    renderings = {tid: dict(r.counts) for tid, r in per.items() if r.counts}
    if not renderings:
        return None
    missing = {tid: r.missing for tid, r in per.items()}
    termhood = c.score
    attested = None
    if c.rare:  # attested by the translations in place of the occurrences it lacks
        attested = attestation(c, per)
        termhood *= attested.strength
    else:  # a term seen often enough has a rendering in every translation
        termhood *= len(renderings) / len(per)
    m = MinedTerm(term=c.term, count=c.count, renderings=renderings, missing=missing, termhood=termhood,
                  segments=c.segments, evidence=_evidence(c.term, per, nested), attested=attested,
                  stability=links.stability(per) if links else None)
    steady = m.consistency if m.stability is None else m.stability
    return replace(m, score=termhood * steady * _unity(c, per))


@dataclass(frozen=True)
class ClauseLinks:
    """The clause beads inside the sentence beads, as character spans: for
    each translation, which source clause each source position lies in
    (``source``: segment -> (start, end, clause)), and where, in each
    group's target text (as ``renderings`` joins it), the target clauses
    linked to each source clause lie (``target``: (group, clause) -> spans)."""

    source: dict
    target: dict

    @classmethod
    def of(cls, multi: MultiAlignment) -> "ClauseLinks | None":
        if any(multi.alignments[t].clauses is None for t in multi.translation_ids):
            return None
        src: dict[str, dict] = {}
        tgt: dict[str, dict] = {}
        for tid in multi.translation_ids:
            a = multi.alignments[tid]
            ca = a.clauses
            places: dict[int, list] = {}
            for ci, c in enumerate(ca.source):
                s = multi.source[ca.source_sentence[ci]]
                places.setdefault(ca.source_sentence[ci], []).append((c.start - s.start, c.end - s.start, ci))
            src[tid] = places
            # where each target sentence starts in its group's joined text
            at: dict[int, tuple[int, int]] = {}
            for gi, g in enumerate(multi.groups):
                pos = 0
                for t in g.targets.get(tid, ()):
                    at[t] = (gi, pos)
                    pos += len(a.target[t].text) + 1
            spans: dict[tuple[int, int], list] = {}
            for b in ca.beads:
                for tj in b.tgt:
                    t = ca.target_sentence[tj]
                    if t not in at:
                        continue
                    gi, off = at[t]
                    c, sent = ca.target[tj], a.target[t]
                    for ci in b.src:
                        spans.setdefault((gi, ci), []).append((off + c.start - sent.start, off + c.end - sent.start))
            tgt[tid] = spans
        return cls(src, tgt)

    def linked(self, tid: str, p: Pairing) -> bool:
        """Whether the rendering paired with an occurrence lies in a target
        clause linked to the source clause of the occurrence."""
        if p.target_start is None:
            return False
        ci = next((ci for a, b, ci in self.source[tid].get(p.segment, ()) if a <= p.start < b), None)
        return ci is not None and any(a < p.target_end and p.target_start < b
                                      for a, b in self.target[tid].get((p.group, ci), ()))

    def stability(self, per: dict[str, TermRenderings]) -> float:
        """Mean share, over the translations that render the term, of its
        occurrences whose main rendering lies in a linked clause."""
        shares = []
        for tid, r in per.items():
            if not r.counts or not r.pairings:
                continue
            main = r.main
            shares.append(sum(1 for p in r.pairings if p.rendering == main and self.linked(tid, p)) / len(r.pairings))
        return sum(shares) / len(shares) if shares else 0.0


@dataclass(frozen=True)
class Attestation:
    """What the translations say of a string seen too few times for
    statistics: ``strength`` 0 to 1, and why, in words for the draft's note."""

    strength: float
    reason: str


def attestation(c: Candidate, per: dict[str, TermRenderings]) -> Attestation:
    """How strongly the translations attest a rare string as a term. 1: a
    CC-CEDICT gloss of the whole string is what a translation gives (黑名单
    -> *blacklist*), or two translators independently give it the same words
    (社会信用体系 -> *social credit system* in both; *Credit China* / *China
    Credit*); else the share of their main renderings' words they share, and
    at least ``WORD_FOR_WORD`` when every translation renders a compound word
    for word (a free phrase is rendered word for word too, so that is weak
    evidence). A rare string's termhood (``candidates``) is that of a string
    seen ``min_count`` - 1 times; it is multiplied by this."""
    mains = {tid: r for tid, r in per.items() if r.scored}
    keys = {tid: set(r.scored[0].key) for tid, r in mains.items()}

    def alike(a: str, b: str) -> float:
        return len(keys[a] & keys[b]) / len(keys[a] | keys[b])

    pair = max(combinations(keys, 2), key=lambda ab: alike(*ab), default=None)
    shared = alike(*pair) if pair else 0.0
    if len(c.pieces) > 1 and max((len(k) for k in keys.values()), default=0) < 2:
        shared = 0.0  # one English word for a compound: the phrase is not attested as a unit
    listed = [tid for tid, k in keys.items()
              if any(all(stem_matches(g, frozenset(k)) for g in sense) for sense in headword_glosses(c.term))]
    literal = [len(c.pieces) > 1 and r.unity * r.scored[0].cover * r.scored[0].support >= 1.0
               for r in mains.values()]
    if listed:
        return Attestation(1.0, f"{listed[0]} gives its CC-CEDICT gloss {mains[listed[0]].main!r}")
    if shared >= WORD_FOR_WORD and shared > 0:
        a, b = pair
        same = "the same words" if shared == 1 else f"{shared:.0%} of their words alike"
        return Attestation(shared, f"{a} and {b} give it {same} ({mains[a].main!r}, {mains[b].main!r})")
    if literal and all(literal) and len(per) > 1:
        return Attestation(WORD_FOR_WORD, "every translation renders it word for word")
    return Attestation(0.0, "")


def _capped(mined: list[MinedTerm], cands: dict[str, Candidate]) -> list[MinedTerm]:
    """A rare string ranks no higher than the longest candidate of the text
    it contains, the one it is built on (信用管理水平 not above 信用管理): one
    more word does not make a string more of a term than what it extends."""
    often = {m.term: m.score for m in mined if not cands[m.term].rare}
    out = []
    for m in mined:
        if cands[m.term].rare:
            base = max((term for term in often if term in m.term), key=len, default=None)
            if base is not None and often[base] < m.score:
                m = replace(m, score=often[base])
        out.append(m)
    return out


def _one_per_place(mined: list[MinedTerm], cands: dict[str, Candidate]) -> list[MinedTerm]:
    """Of rare strings overlapping in the text (信用体系 in 社会信用体系,
    信用惩戒 and 信用惩戒措施), the best ranked only."""
    taken: dict[int, list] = {}  # segment -> occurrences of the rare strings kept
    out = []
    for m in mined:
        c = cands[m.term]
        if c.rare:
            if any(o.start < t.end and t.start < o.end for o in c.occurrences for t in taken.get(o.segment, ())):
                continue
            for o in c.occurrences:
                taken.setdefault(o.segment, []).append(o)
        out.append(m)
    return out


def _unity(c: Candidate, per: dict[str, TermRenderings]) -> float:
    """The mean, over the translations that render it, of how well their
    main rendering translates the candidate as a whole (``TranslationSide.unity``)."""
    qs = [r.unity for r in per.values() if r.scored]
    return sum(qs) / len(qs) if qs else 0.0


def _merge_known(mined: list[MinedTerm], multi: MultiAlignment, glossary: Glossary,
                 cands: dict[str, Candidate]) -> list[MinedTerm]:
    """Known terms found in the text, ranked among the mined ones by their
    termhood, with the checker's counts."""
    from .check import check_glossary

    rep = check_glossary(multi, glossary)
    known = []
    for term, per in rep.table.items():
        renderings = {tid: {r: n for r, n in c.items() if r is not None} for tid, c in per.items()}
        missing = {tid: c.get(None, 0) for tid, c in per.items()}
        count = sum(next(iter(per.values()), {}).values())
        hits = [h for h in rep.occurrences if h.term == term]
        c = cands.get(term)
        termhood = c.score if c else 0.0
        m = MinedTerm(term=term, count=count, renderings={t: r for t, r in renderings.items() if r},
                      missing=missing, termhood=termhood, segments=len({h.source_segment for h in hits}),
                      in_glossary=True, evidence=_evidence_from_hits(term, hits))
        known.append(replace(m, score=termhood * m.consistency))
    return sorted(mined + known, key=lambda m: (-m.score, -m.count, m.term))


# --- evidence -------------------------------------------------------------------


def _clip(text: str, start: int, end: int, stops: str, soft: str, reach: int, least: int) -> str:
    """The clause of ``text`` around ``[start, end)``, the span marked with
    «»: cut at ``stops``, and at ``soft`` stops (commas) once ``least``
    characters are taken on that side, at most ``reach`` either side."""
    a = start
    while a > 0 and start - a < reach:
        c = text[a - 1]
        if c in stops or (c in soft and start - a >= least):
            break
        a -= 1
    b = end
    while b < len(text) and b - end < reach:
        c = text[b]
        if c in stops or (c in soft and b - end >= least):
            break
        b += 1
    left = ("…" if a > 0 and text[a - 1] not in stops + soft else "") + text[a:start]
    right = text[end:b] + ("…" if b < len(text) and text[b] not in stops + soft else "")
    return " ".join(f"{left.lstrip()}«{text[start:end]}»{right.rstrip()}".split())


def _target_clause(text: str, start: int, end: int) -> str:
    return _clip(text, start, end, _TGT_STOP, ",", 100, 30)


def _source_clause(text: str, start: int, end: int) -> str:
    return _clip(text, start, end, _SRC_STOP, "，,、", 40, 8)


def _evidence(term: str, per: dict[str, TermRenderings], nested: set[tuple[int, int]] = frozenset(),
              k: int = 2) -> tuple[Evidence, ...]:
    """Two places where the term occurs, preferring ones where every
    translation has its main rendering (so that a disagreement shows) and
    the term is not part of a longer one (``nested``)."""
    by_occ: dict[tuple[int, int], dict[str, Pairing]] = {}
    for tid, r in per.items():
        for p in r.pairings:
            by_occ.setdefault((p.segment, p.start), {})[tid] = p
    mains = {tid: r.main for tid, r in per.items()}

    def rank(item):
        (seg, start), ps = item
        found = sum(1 for tid, p in ps.items() if p.rendering is not None)
        main = sum(1 for tid, p in ps.items() if p.rendering is not None and p.rendering == mains.get(tid))
        return (-main, (seg, start) in nested, -found, seg, start)

    out: list[Evidence] = []
    used: set[int] = set()
    for (seg, start), ps in sorted(by_occ.items(), key=rank):
        if seg in used:
            continue
        used.add(seg)
        any_p = next(iter(ps.values()))
        src = any_p.source_text
        targets = {}
        for tid, p in ps.items():
            if p.target_start is not None:
                targets[tid] = _target_clause(p.target_text, p.target_start, p.target_end)
            elif p.target_text:
                targets[tid] = _clip(p.target_text, 0, 0, "", "", 160, 0).replace("«»", "", 1) + " (no rendering found)"
            else:
                targets[tid] = "(not translated)"
        out.append(Evidence(source=_source_clause(src, any_p.start, any_p.end), targets=targets))
        if len(out) >= k:
            break
    return tuple(out)


def _evidence_from_hits(term: str, hits, k: int = 2) -> tuple[Evidence, ...]:
    """Evidence for a known term from the checker's occurrences."""
    by_occ: dict[tuple[int, int], list] = {}
    for h in hits:
        by_occ.setdefault((h.source_segment, h.source_start), []).append(h)
    out = []
    used: set[int] = set()
    for (seg, _), hs in sorted(by_occ.items(), key=lambda kv: (-sum(h.rendering is not None for h in kv[1]), kv[0])):
        if seg in used:
            continue
        used.add(seg)
        h0 = hs[0]
        targets = {}
        for h in hs:
            if h.target_start is not None:
                targets[h.translation] = _target_clause(h.target_text, h.target_start, h.target_end)
            else:
                targets[h.translation] = "(no rendering found)"
        out.append(Evidence(source=_source_clause(h0.source_text, h0.source_start, h0.source_end),
                            targets=targets))
        if len(out) >= k:
            break
    return tuple(out)


# --- the draft -------------------------------------------------------------------


def _counts_line(m: MinedTerm) -> str:
    parts = []
    for tid in sorted(set(m.renderings) | set(m.missing), key=lambda t: list(m.missing).index(t)
                      if t in m.missing else 99):
        counts = m.renderings.get(tid, {})
        cell = ", ".join(f"{r} x{n}" for r, n in counts.items()) or "no rendering found"
        if m.missing.get(tid):
            cell += f" (not found x{m.missing[tid]})"
        parts.append(f"{tid}: {cell}")
    return "; ".join(parts)


def note_of(m: MinedTerm) -> str:
    """The counts, and whether the translations agree, as one line."""
    head = f"{m.count} occurrences in {m.segments} segments" if m.segments else f"{m.count} occurrences"
    note = f"{head}. {_counts_line(m)}."
    if m.attested is not None:
        note += f" Seen too rarely for statistics; proposed because {m.attested.reason}."
    mains = m.main
    if len(mains) > 1 and not m.agree:
        note += " The translations disagree: " + ", ".join(f"{tid} {r!r}" for tid, r in mains.items()) + "."
    return note


def draft_glossary(mined: list[MinedTerm], glossary: Glossary | None = None, *, name: str = "draft") -> Glossary:
    """The draft: one entry per mined term in rank order (a known term keeps
    its glossary entry, with the counts added to its note), then the
    glossary's entries not found in the text."""
    entries = []
    seen: set[str] = set()
    taken: set[str] = set()  # Chinese forms already used by an entry
    known_forms = {f for e in glossary.entries for f in e.forms} if glossary else set()
    for m in mined:
        if m.term in seen:
            continue
        if glossary is not None and m.term in glossary:
            e = glossary.entry(m.term)
            note = "Known term (in the glossary). " + note_of(m)
            entries.append(e.model_copy(update={"note": (e.note + " | " if e.note else "") + note,
                                                "evidence": list(m.evidence)}))
        else:
            if m.term in known_forms or m.term in taken:
                continue
            best = m.best()
            if not best:
                continue
            preferred = best[0][0]
            accepted: list[str] = []
            keys = {content_key(preferred)}
            for r in list(m.main.values()) + [r for r, n in best[1:] if n >= 2]:
                if content_key(r) not in keys:
                    keys.add(content_key(r))
                    accepted.append(r)
            entries.append(Entry(term=m.term, preferred=preferred, accepted=accepted[:MAX_ACCEPTED],
                                 note=note_of(m), evidence=list(m.evidence)))
        seen.add(m.term)
        taken.update(entries[-1].forms)
    if glossary is not None:
        entries += [e.model_copy(update={"note": (e.note + " | " if e.note else "") + "Not found in this text."})
                    for e in glossary.entries if e.term not in seen]
    return Glossary.from_entries(entries, name=name)

