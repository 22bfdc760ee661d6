"""Source side: every occurrence of every glossary term in Chinese text.

One Aho-Corasick automaton holds all terms and aliases, so a scan costs the
same with 20 entries or 5,000. Matches are then chosen longest first (信用信息
wins over 信用 where the glossary has both; 征信 never yields 信用, because 信
alone is not a term), and a match is rejected when jieba -- with the glossary
forms added as user words -- cuts a word across its edge (诚信 inside 真诚信任
is 真诚 + 信任, not 诚信).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .schema import Glossary


@dataclass(frozen=True)
class SourceHit:
    term: str  # the entry's canonical term
    form: str  # the string found (the term or an alias)
    start: int
    end: int


_BASE: list = []


def _fresh_tokenizer():
    """A jieba tokenizer with the default dictionary, without reading the
    dictionary again: the loaded word frequencies are copied (each glossary
    adds its own user words to its own copy)."""
    import jieba

    if not _BASE:
        base = jieba.Tokenizer()
        base.initialize()
        _BASE.append(base)
    base = _BASE[0]
    tok = jieba.Tokenizer()
    tok.FREQ = dict(base.FREQ)
    tok.total = base.total
    tok.initialized = True
    return tok


class TermFinder:
    """Built once per glossary; ``find(text)`` returns non-overlapping hits."""

    def __init__(self, glossary: "Glossary", *, use_jieba: bool = True):
        import ahocorasick

        self.automaton = ahocorasick.Automaton()
        for e in glossary.entries:
            for form in e.forms:
                self.automaton.add_word(form, (form, e.term))
        self.empty = len(self.automaton) == 0
        if not self.empty:
            self.automaton.make_automaton()
        self._forms = [f for e in glossary.entries for f in e.forms]
        self._use_jieba = use_jieba
        self._tok = None

    def _tokenizer(self):
        if self._tok is None:
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            tok = _fresh_tokenizer()
            for form in self._forms:
                if not tok.FREQ.get(form):  # already a dictionary word: nothing to add
                    tok.add_word(form)
            self._tok = tok
        return self._tok

    def _words(self, text: str) -> list[tuple[int, int]]:
        """jieba's words as (start, end) offsets."""
        words = []
        pos = 0
        for w in self._tokenizer().cut(text, HMM=False):
            words.append((pos, pos + len(w)))
            pos += len(w)
        return words

    def find(self, text: str) -> list[SourceHit]:
        if self.empty or not text:
            return []
        cands = []
        for end_idx, (form, term) in self.automaton.iter(text):
            start = end_idx - len(form) + 1
            cands.append(SourceHit(term, form, start, end_idx + 1))
        if not cands:
            return []
        if self._use_jieba:
            words = self._words(text)
            starts = {}
            for ws, we in words:
                for p in range(ws, we):
                    starts[p] = (ws, we)

            def ok(h: SourceHit) -> bool:
                ws, we = starts.get(h.start, (h.start, h.end))
                if ws < h.start and we < h.end:  # a word runs into the term from the left
                    return False
                ws2, we2 = starts.get(h.end - 1, (h.start, h.end))
                if we2 > h.end and ws2 > h.start:  # a word runs out of the term to the right
                    return False
                return True

            cands = [h for h in cands if ok(h)]
        # longest first, then leftmost; keep those that do not overlap a chosen one
        cands.sort(key=lambda h: (-(h.end - h.start), h.start))
        taken = bytearray(len(text))
        chosen = []
        for h in cands:
            if any(taken[h.start:h.end]):
                continue
            taken[h.start:h.end] = b"\x01" * (h.end - h.start)
            chosen.append(h)
        chosen.sort(key=lambda h: h.start)
        return chosen


def term_finder(glossary: "Glossary") -> TermFinder:
    if glossary._matcher is None:
        glossary._matcher = TermFinder(glossary)
    return glossary._matcher
