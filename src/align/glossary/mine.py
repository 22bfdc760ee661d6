"""Bootstrap a glossary from an aligned corpus.

Candidate source terms are the glossary's terms (if one is given) plus the
frequent multi-character nouns jieba finds in the source (``n*``/``vn``
parts of speech, at least ``min_count`` occurrences). Each candidate is found
in the source longest match first (as the checker does); for each occurrence
the phrase of the aligned target span most associated with the term over the
whole translation (``associate``) is its rendering. Renderings are counted
per translation; the draft entry takes the most frequent one as
``preferred``, the others seen at least twice as ``accepted``, and records
the counts in ``note`` for a human to review.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable

from ..model import MultiAlignment
from .associate import Association
from .check import _group_occurrences, _span
from .render import content_key
from .schema import Entry, Glossary
from .terms import TermFinder

_CONTENT = ("n", "vn", "nz", "nt", "nr", "ns", "l", "v", "a", "an", "i")


@dataclass
class MinedTerm:
    term: str
    count: int
    renderings: dict[str, dict[str, int]] = field(default_factory=dict)  # translation -> rendering -> count
    in_glossary: bool = False

    def best(self) -> list[tuple[str, int]]:
        total: Counter = Counter()
        for counts in self.renderings.values():
            total.update(counts)
        return total.most_common()


def candidate_terms(texts: list[str], *, min_count: int = 3, max_terms: int = 200) -> Counter:
    """Frequent content words of the source, ranked by TF-IDF against jieba's
    general-language frequencies (so 守信 and 失信 rank above 建立 and 加强),
    keeping those seen at least ``min_count`` times."""
    import logging

    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    text = "\n".join(texts)
    counts: Counter = Counter(w for w in jieba.cut(text) if len(w) >= 2)
    ranked = jieba.analyse.extract_tags(text, topK=max_terms * 3, allowPOS=_CONTENT)
    out: Counter = Counter()
    for w in ranked:
        if counts[w] >= min_count and all("\u4e00" <= c <= "\u9fff" for c in w):
            out[w] = counts[w]
        if len(out) >= max_terms:
            break
    return out


def mine_glossary(
    multi: MultiAlignment,
    glossary: Glossary | None = None,
    *,
    min_count: int = 3,
    max_terms: int = 200,
    progress: Callable | None = None,
) -> list[MinedTerm]:
    """Renderings of frequent source terms in each translation, with counts."""
    cands = candidate_terms([s.text for s in multi.source], min_count=min_count, max_terms=max_terms)
    entries = list(glossary.entries) if glossary else []
    known = {f for e in entries for f in e.forms}
    for w in cands:
        if w not in known:
            entries.append(Entry(term=w, preferred="?"))
            known.add(w)
    probe = Glossary(entries=entries, name="mine")
    finder = TermFinder(probe)
    hits = {i: finder.find(s.text) for i, s in enumerate(multi.source)}
    grouped = _group_occurrences(multi, hits)
    counts = Counter(h.term for hs in hits.values() for h in hs)
    mined = {
        e.term: MinedTerm(e.term, counts[e.term], in_glossary=bool(glossary and e.term in glossary))
        for e in entries if counts[e.term]
    }
    for tid in multi.translation_ids:
        targets = multi.alignments[tid].target
        cache: dict = {}
        assoc = Association()
        spans = []
        for g, occs in grouped:
            span = _span(targets, tuple(g.targets.get(tid, ())), cache)
            assoc.add_unit({o.hit.term for o in occs}, span.tokens)
            spans.append((occs, span))
        score_cache: dict = {}
        per_term: dict[str, Counter] = defaultdict(Counter)
        names: dict[tuple, str] = {}
        for occs, span in spans:
            claimed: set[int] = set()
            # longer source terms choose first, as in the checker
            for o in sorted(occs, key=lambda o: -(o.hit.end - o.hit.start)):
                p = assoc.propose(o.hit.term, span.tokens, claimed, score_cache)
                if p is None or p.dice < 0.2:
                    continue
                claimed |= set(range(p.i, p.j + 1))
                surface = " ".join(span.text[span.tokens[p.i].start: span.tokens[p.j].end].lower().replace("-", " ").split())
                name = names.setdefault((o.hit.term, content_key(surface)), surface)
                per_term[o.hit.term][name] += 1
            if progress:
                progress(1)
        for term, c in per_term.items():
            if term in mined:
                mined[term].renderings[tid] = dict(c.most_common())
    if glossary is not None:
        # glossary terms: the checker's own matching (listed variants through
        # inflection, then association) is better evidence than association alone
        from .check import check_glossary

        rep = check_glossary(multi, glossary)
        for term, per in rep.table.items():
            m = mined.setdefault(term, MinedTerm(term, 0, in_glossary=True))
            m.in_glossary = True
            m.count = sum(next(iter(per.values()), {}).values())
            m.renderings = {tid: {r: n for r, n in c.items() if r is not None} for tid, c in per.items()}
    return sorted(mined.values(), key=lambda m: (-m.count, m.term))


def draft_glossary(mined: list[MinedTerm], glossary: Glossary | None = None, *, name: str = "draft") -> Glossary:
    """A glossary draft: existing entries kept (found renderings noted),
    new terms with their most frequent rendering as preferred."""
    entries = []
    seen = set()
    for m in mined:
        best = m.best()
        found = "; ".join(
            f"{tid}: " + ", ".join(f"{r} x{n}" for r, n in counts.items()) for tid, counts in m.renderings.items()
        )
        note = f"{m.count} occurrences. Found: {found}" if found else f"{m.count} occurrences; no rendering found"
        if glossary and m.term in glossary:
            e = glossary.entry(m.term)
            entries.append(e.model_copy(update={"note": (e.note + " | " if e.note else "") + note}))
        elif best:
            accepted = [r for r, n in best[1:] if n >= 2 and content_key(r) != content_key(best[0][0])]
            entries.append(Entry(term=m.term, preferred=best[0][0], accepted=accepted[:4], note=note))
        else:
            continue
        seen.add(m.term)
    if glossary:
        entries += [e for e in glossary.entries if e.term not in seen]
    return Glossary.from_entries(entries, name=name)
