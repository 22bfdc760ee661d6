"""Source side of glossary mining: which Chinese strings of a text are terms.

A term is often several words: 信用信息, 公共信用信息, 统一社会信用代码,
全国人民代表大会常务委员会. Candidates are therefore n-grams over words, ranked
by *termhood*:

1. **Words.** jieba (``posseg``, so each word has its part of speech) cuts
   each source segment; a dictionary word of four or more characters is cut
   again into the dictionary words it is made of (全国人民代表大会 -> 全国 +
   人民代表大会 -> 全国 + 人民 + 代表大会 ...), so that 全国人民代表大会 inside
   全国人民代表大会常务委员会 is found as well, and 诚信 inside 诚信教育.
2. **N-grams.** Runs of up to ``MAX_PIECES`` words (``MAX_CHARS`` characters)
   between breaks: punctuation, numbers, Latin text and function words
   (particles, prepositions, conjunctions, pronouns, adverbs, numerals,
   measure words, locatives, and the closed classes of verbs jieba does not
   tell apart: modal verbs 应当/可以/不得..., the copula 是, the light verbs
   进行/予以/作出...). A single word must have at least two
   characters and be a noun, a verbal noun, a verb, an adjective, an idiom or
   an abbreviation. An n-gram may not start with a *governing verb*: a verb
   (jieba's ``v``) more common in general Chinese than the word after it
   governs it as its object (加强 + 信用管理, 完善 + 个人...), unless that word
   is verbal too and follows the verb in most of its occurrences (联合 +
   惩戒); a verb rarer than what follows modifies it (征信 + 机构, 失信 + 行为).
3. **Boundaries.** Left and right *branching entropy*: the entropy (bits) of
   the words next to the candidate's occurrences, where a break counts as a
   new word each time. A fragment of a longer unit has one neighbour only on
   one side (人民代表 is always followed by 大会): entropy 0, not a term. The
   factor is ``min(1, min(H_left, H_right))``.
4. **Nesting (C-value).** A candidate inside longer ones is kept when it
   also occurs on its own: its occurrences minus the mean frequency of the
   candidates that contain it (Frantzi et al.'s C-value frequency) must be
   at least ``MIN_OWN`` (2: a string met on its own once is a fragment of
   the longer ones, 全国信用 of 全国信用信息共享平台), and at least one occurrence must lie outside a *name* -- a
   longer word jieba's dictionary lists (``MIN_LISTED``). So nested terms are
   both kept when both occur on their own (全国人民代表大会常务委员会 and
   全国人民代表大会); a word met only inside names is not a term (人民 of
   人民法院, 人民检察院, 中华人民共和国), while one inside compounds that are not
   names is (信用信息 of 公共信用信息, 信用信息共享平台). The occurrences outside
   names are the ones the renderings are learnt from (``standalone``).
   A one-word candidate ranks by its C-value frequency over the compounds
   it is a part of (``_rank_frequency``: 惩戒 of 联合惩戒, 失信惩戒, 惩戒措施),
   not counting a longer candidate that goes on with a one-character verb,
   a clause about it (书房 + 去); a compound ranks by its frequency.
5. **Domain specificity.** The log ratio of a word's frequency in the text
   (occurrences per word) and in general Chinese, estimated from jieba's own
   dictionary counts (about 60 million words). A candidate's is that of its
   most specific word (信用信息 is as specific as 信用), or of the whole
   string when jieba lists it with a reliable count (``MIN_LISTED``) and
   that is higher (人民法院). Filler (工作, 建设, 加强, 相关) is about as
   frequent in general Chinese as in the text and falls to the bottom.
6. **Spread.** Occurrences spread over the text score higher than a burst
   in one paragraph: with the text cut in ``PARTS`` equal parts, the share
   of parts it occurs in over the share expected for its frequency,
   ``0.5 + 0.5 * min(1, ratio)``.

7. **Rare strings** (``rare=True``, as ``mine`` asks). A string seen fewer
   than ``min_count`` times has no statistics of its own, yet a person
   drafting the glossary keeps 社会信用体系, 信用报告, “黑名单” although each
   occurs once. One is a candidate when it has a term's shape: one candidate
   of the text and one word more (信用 + 报告, 社会信用 + 体系: the added word a
   noun, or a candidate too: 信用 + 惩戒), or one word of three characters or
   more that jieba lists (黑名单), or words CC-CEDICT lists as one headword
   of three characters or more (市场经济, 行政机关: ``_headword``). A verb may
   start it only when it modifies verbs (联合 + 激励, as in 联合惩戒), and a
   verbal word end it only when it heads a candidate compound too (激励 of
   守信激励): 采集 + 个人诚信 and 国家 + 发展 are phrases. Its boundary is its neighbours' branching: the word
   before it followed by many different words, the word after it preceded
   by many (``_Edges``). Its specificity is that of its most specific word
   seen ``min_count`` times (a word seen once says nothing of the domain);
   a listed word's own, as if seen ``min_count`` times, when it is quoted
   (the text names it) or built on a *morpheme of the subject* (公信力 on 信,
   ``Morphemes``), as seen once otherwise.
   Its termhood is that of a string seen ``min_count`` - 1 times (a quoted
   one, named by the text, ``min_count`` times); ``mine``
   multiplies it by how strongly the translations attest it
   (``mine.attestation``: the same words in two translations, a CC-CEDICT
   gloss of the whole), so that a free phrase, rendered variously, stays out.

Termhood = specificity³ x log2(1 + frequency) x boundary x spread x a
part-of-speech weight of the head (last) word (nouns 1, verbal nouns, verbs
and idioms 0.8, adjectives 0.5), halved for a one-word candidate of basic
vocabulary (``BASIC``: about the 1,450 commonest words of jieba's
dictionary, 个人, 信息, 工作, 法律: a translator needs no entry for them).
Specificity counts most: in one text, a word of its subject and a word of
its genre are both frequent; only the first is rare elsewhere. No list of
content words is consulted (the function-verb classes above are grammar).
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

from .associate import _cedict

MAX_PIECES = 6
MAX_CHARS = 14
MIN_LISTED = 50  # jieba lists many compounds with a nominal count of 3: not a frequency
PARTS = 10
SPEC_POWER = 3  # specificity counts more than frequency: see the module docstring
BASIC = 1e-4  # general-Chinese frequency of basic vocabulary: about the 1,450 commonest words of jieba's
BASIC_WEIGHT = 0.5  # a one-word candidate of basic vocabulary needs no glossary entry (个人, 信息, 法律)
SPLIT_FROM = 4  # dictionary words this long are cut again into the words they are made of
MIN_OWN = 2  # least C-value frequency: a string met on its own once is a fragment of the longer ones
MORPHEME_SHARE = 0.5  # a character this close to the text's most specific one is a morpheme of its subject

_HAN = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+$")
# parts of speech (jieba/ICTCLAS first letters) that break an n-gram: particles,
# prepositions, conjunctions, pronouns, adverbs, numerals, measure words,
# locatives, interjections, onomatopoeia, modal particles, punctuation
_BREAK = frozenset("u p c r d m q f e o y x w".split())
_BREAK_TAGS = frozenset({"uj", "ul", "uz", "ug", "uv", "ud", "zg", "tg", "mq", "df", "dg", "rr", "rz", "mg"})
_VERB = frozenset({"v", "vd", "vg", "vi", "vq"})
_VERBAL = "<verbal>"  # stands for any verb or verbal noun in the counts of what follows a word
# closed classes jieba tags as plain verbs: modal verbs (能愿动词), the copula
# and the existential 有, and the light verbs (形式动词) that take a verbal
# object (进行 + 环境影响评价). They are grammar, not content, so they break an n-gram.
_FUNCTION_VERBS = frozenset("""应当 应该 应 可以 可 能 能够 会 要 必须 须 得 不得 愿意 敢 肯 是 有
进行 加以 予以 给予 给以 作出 做出""".split())


def _pos_weight(tag: str) -> float:
    """How likely a word of this part of speech heads a term."""
    if tag in ("vn", "an", "l", "i", "j"):
        return 0.8
    if tag.startswith("n") or tag in ("nz", "nt", "ns", "nr", "b"):
        return 1.0
    if tag.startswith("v"):
        return 0.8
    if tag.startswith("a"):
        return 0.5
    return 0.4


@dataclass(frozen=True)
class Piece:
    """One word of the source, with its offsets in its segment."""

    text: str
    tag: str
    segment: int
    start: int
    end: int
    name: tuple[int, int] | None = None  # span of the listed dictionary word it was cut from

    @property
    def breaks(self) -> bool:
        """Ends an n-gram: not Chinese, or a function word."""
        return (not _HAN.match(self.text) or self.tag[:1] in _BREAK or self.tag in _BREAK_TAGS
                or self.text in _FUNCTION_VERBS)


@dataclass(frozen=True)
class Occurrence:
    """Where a candidate occurs: segment index and character offsets in it."""

    segment: int
    start: int
    end: int


@dataclass(frozen=True)
class Candidate:
    """A ranked source term candidate and the statistics behind its rank."""

    term: str
    pieces: tuple[str, ...]
    count: int  # every occurrence, nested ones included
    own: float  # C-value frequency: occurrences minus the mean count of longer candidates containing it
    segments: int  # distinct source segments it occurs in
    left_entropy: float
    right_entropy: float
    specificity: float  # ln(frequency in the text / frequency in general Chinese)
    spread: float
    head_tag: str
    score: float
    occurrences: tuple[Occurrence, ...]
    standalone: tuple[Occurrence, ...] = ()  # the occurrences not inside a name (a longer dictionary word)
    rare: bool = False  # fewer than min_count occurrences: a term only if the renderings attest it (``mine``)

    @property
    def boundary(self) -> float:
        return min(1.0, self.left_entropy, self.right_entropy)


@dataclass(frozen=True)
class Background:
    """General-language word counts: jieba's dictionary (word -> count, total)."""

    freq: dict
    total: int
    tags: dict

    def probability(self, word: str) -> float:
        return max(self.freq.get(word) or 0, 1) / self.total

    def listed(self, word: str) -> bool:
        return (self.freq.get(word) or 0) >= MIN_LISTED


@lru_cache(maxsize=1)
def character_mass() -> tuple[Counter, int]:
    """How often each character occurs in general Chinese: jieba's dictionary
    counts spread over the characters of each word (and their total)."""
    mass: Counter = Counter()
    for word, n in background().freq.items():
        if n:
            for ch in word:
                mass[ch] += n
    return mass, sum(mass.values())


@dataclass(frozen=True)
class Morphemes:
    """How specific to the text each character (morpheme) is: the log ratio
    of its share of the text's characters and of general Chinese's
    (``character_mass``). A Chinese word is made of morphemes: 公信力 is
    公 + 信 + 力, and 信 (of 信用, 诚信, 失信, 守信) is a morpheme of this
    text's subject although 公信力 itself occurs once."""

    spec: dict
    top: float  # the most specific character's

    @classmethod
    def of(cls, texts: Sequence[str], min_count: int) -> "Morphemes":
        mass, total = character_mass()
        chars = Counter(ch for t in texts for ch in t if _HAN.match(ch))
        n = sum(chars.values()) or 1
        spec = {ch: math.log((k / n) / (max(mass[ch], 1) / total)) for ch, k in chars.items() if k >= min_count}
        return cls(spec, max(spec.values(), default=0.0))

    def domain(self, word: str) -> bool:
        """Whether ``word`` holds a morpheme of the text's subject: a
        character seen ``min_count`` times whose specificity is at least
        ``MORPHEME_SHARE`` of the text's most specific character's."""
        return self.top > 0 and any(self.spec.get(ch, -math.inf) >= MORPHEME_SHARE * self.top for ch in word)


@lru_cache(maxsize=1)
def background() -> Background:
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.initialize()
    return Background(jieba.dt.FREQ, jieba.dt.total, jieba.posseg.dt.word_tag_tab)


def _split_word(word: str, bg: Background) -> list[str]:
    """A long dictionary word as the dictionary words it is made of (most
    probable cut, the whole word excluded, each part two characters or more),
    recursively; the word itself when it cannot be cut so."""
    n = len(word)
    if n < SPLIT_FROM or not _HAN.match(word):
        return [word]
    logtotal = math.log(bg.total)
    # best[i]: (log probability, end of the first part) of the best cut of word[i:]
    best: list[tuple[float, int] | None] = [None] * (n + 1)
    best[n] = (0.0, n)
    for i in range(n - 2, -1, -1):
        for j in range(i + 2, n + 1):
            rest = best[j]
            if (i, j) == (0, n) or rest is None or not bg.freq.get(word[i:j]):
                continue
            lp = math.log(bg.freq[word[i:j]]) - logtotal + rest[0]
            if best[i] is None or lp > best[i][0]:
                best[i] = (lp, j)
    if best[0] is None:
        return [word]
    out: list[str] = []
    i = 0
    while i < n:
        j = best[i][1]
        out.extend(_split_word(word[i:j], bg))
        i = j
    return out


def pieces_of(texts: Sequence[str]) -> list[list[Piece]]:
    """The words of each segment (see the module docstring, step 1)."""
    import jieba.posseg

    bg = background()
    out = []
    for si, text in enumerate(texts):
        row: list[Piece] = []
        pos = 0
        for pair in jieba.posseg.cut(text):
            w, tag = pair.word, pair.flag
            parts = _split_word(w, bg) if bg.freq.get(w) else [w]
            name = (pos, pos + len(w)) if len(parts) > 1 and bg.listed(w) else None
            p = pos
            for part in parts:
                t = tag if len(parts) == 1 else (bg.tags.get(part) or tag)
                row.append(Piece(part, t, si, p, p + len(part), name))
                p += len(part)
            pos += len(w)
        out.append(row)
    return out


def _entropy(counts: Counter, breaks: int) -> float:
    total = sum(counts.values()) + breaks
    if total == 0:
        return 0.0
    h = -sum(c / total * math.log2(c / total) for c in counts.values())
    h += breaks * (1 / total) * math.log2(total)  # each break a neighbour of its own
    return h


@dataclass(frozen=True)
class _Place:
    """Where an n-gram occurs: its row (segment) and first and last word there."""

    row: int
    i: int
    j: int


@dataclass(frozen=True)
class _Stats:
    """Raw counts of one n-gram while candidates are collected."""

    pieces: tuple[str, ...]
    occurrences: tuple[Occurrence, ...]
    left: Counter
    right: Counter
    left_breaks: int
    right_breaks: int
    in_name: tuple[bool, ...]  # per occurrence: inside a longer dictionary word (a name)


def _governing(first: Piece, nxt: Piece, follow: Counter, counts: Counter, spec: Callable[[str], float]) -> bool:
    """A verb at the left edge that governs what follows (step 2): a verb
    more common in general Chinese than the word after it (加强 + 信用, 完善 +
    个人; not 征信 + 机构, 失信 + 行为), unless that word is verbal too and
    follows the verb in most of the verb's occurrences (联合 + 惩戒)."""
    if first.tag not in _VERB:
        return False
    if spec(first.text) >= spec(nxt.text):
        return False
    return not (nxt.tag.startswith("v") and follow[(first.text, _VERBAL)] * 2 >= counts[first.text])


def candidates(
    texts: Sequence[str], *, min_count: int = 3, limit: int | None = None, rows: list[list[Piece]] | None = None,
    rare: bool = False,
) -> list[Candidate]:
    """Term candidates of the source segments ``texts``, best first
    (``rows``: their words, when ``pieces_of`` has already cut them).
    ``rare``: also the strings seen fewer than ``min_count`` times that
    have a term's shape (step 7), marked ``rare``."""
    bg = background()
    rows = pieces_of(texts) if rows is None else rows
    word_counts: Counter = Counter(p.text for row in rows for p in row)
    follow: Counter = Counter()
    for row in rows:
        for a, b in zip(row, row[1:]):
            if b.tag.startswith("v"):
                follow[(a.text, _VERBAL)] += 1
    n_words = max(1, sum(1 for row in rows for p in row if not p.breaks))

    def word_spec(w: str) -> float:
        return math.log((word_counts[w] / n_words) / bg.probability(w))

    occ: dict[tuple[str, ...], list[_Place]] = defaultdict(list)
    for r, row in enumerate(rows):
        for i, first in enumerate(row):
            if first.breaks:
                continue
            chars = 0
            for j in range(i, min(len(row), i + MAX_PIECES)):
                p = row[j]
                if p.breaks:
                    break
                chars += len(p.text)
                if chars > MAX_CHARS:
                    break
                if j == i and len(p.text) < 2:
                    continue
                if j > i and _governing(first, row[i + 1], follow, word_counts, word_spec):
                    break
                occ[tuple(x.text for x in row[i:j + 1])].append(_Place(r, i, j))
    stats: dict[tuple[str, ...], _Stats] = {}
    for key, places in occ.items():
        if len(places) < min_count and not (rare and (_rare_shape(key, occ, min_count, bg) or _headword(key))):
            continue
        if len(key) == 1 and not _single_ok(rows[places[0].row][places[0].i].tag):
            continue
        left: Counter = Counter()
        right: Counter = Counter()
        lb = rb = 0
        occs = []
        in_name = []
        for place in places:
            row, i, j = rows[place.row], place.i, place.j
            occs.append(Occurrence(row[i].segment, row[i].start, row[j].end))
            name = row[i].name
            in_name.append(name is not None and all(p.name == name for p in row[i:j + 1])
                           and name != (row[i].start, row[j].end))
            if i > 0 and not row[i - 1].breaks:
                left[row[i - 1].text] += 1
            else:
                lb += 1
            if j + 1 < len(row) and not row[j + 1].breaks:
                right[row[j + 1].text] += 1
            else:
                rb += 1
        stats[key] = _Stats(key, tuple(occs), left, right, lb, rb, tuple(in_name))
    # boundaries first: a fragment never counts as a longer candidate for C-value
    kept = {k: s for k, s in stats.items() if len(s.occurrences) >= min_count
            and min(_entropy(s.left, s.left_breaks), _entropy(s.right, s.right_breaks)) > 0}
    few = {k: s for k, s in stats.items() if len(s.occurrences) < min_count}

    def modifies_verbs(w: str) -> bool:
        return follow[(w, _VERBAL)] * 2 >= word_counts[w]

    edges = _Edges.of(rows) if few else None
    morphemes = Morphemes.of(texts, min_count) if few else None
    containing: dict[tuple[str, ...], list[int]] = defaultdict(list)
    compounds: dict[tuple[str, ...], list[int]] = defaultdict(list)  # per one-word candidate, its compounds
    for key, s in kept.items():
        n = len(key)
        for a in range(n):
            for b in range(a + 1, n + 1):
                if (a, b) != (0, n) and key[a:b] in kept:
                    containing[key[a:b]].append(len(s.occurrences))
                    if b == a + 1 and not _predicated(key, b, bg):
                        compounds[key[a:b]].append(len(s.occurrences))
    n_segments = max(1, len(texts))
    out = []
    for key, s in kept.items():
        f = len(s.occurrences)
        longer = containing.get(key, [])
        own = f - (sum(longer) / len(longer) if longer else 0.0)
        alone = tuple(o for o, inside in zip(s.occurrences, s.in_name) if not inside)
        if own < MIN_OWN or not alone:
            continue
        hl, hr = _entropy(s.left, s.left_breaks), _entropy(s.right, s.right_breaks)
        whole = "".join(key)
        spec = max(math.log((f / n_words) / bg.probability(whole)) if bg.listed(whole) else 0.0,
                   max(word_spec(p) for p in key))
        if spec <= 0:
            continue
        segs = {o.segment for o in s.occurrences}
        parts = {o.segment * PARTS // n_segments for o in s.occurrences}
        expected = PARTS * (1 - (1 - 1 / PARTS) ** len(segs))
        spread = 0.5 + 0.5 * min(1.0, len(parts) / expected)
        first = s.occurrences[0]
        head_tag = _tag_of(rows, first, key[-1])
        score = (spec ** SPEC_POWER * math.log2(1 + _rank_frequency(key, f, compounds)) * min(1.0, hl, hr) * spread
                 * _pos_weight(head_tag))
        if len(key) == 1 and bg.probability(whole) >= BASIC:
            score *= BASIC_WEIGHT
        out.append(Candidate(
            term="".join(key), pieces=key, count=f, own=own, segments=len(segs), left_entropy=hl,
            right_entropy=hr, specificity=spec, spread=spread, head_tag=head_tag, score=score,
            occurrences=s.occurrences, standalone=alone,
        ))
    for key, s in few.items():
        if len(key) > 1 and not _headword(key) and not _built_on(key, kept, rows, s, modifies_verbs):
            continue
        c = _rare_candidate(key, s, edges, texts, rows, n_words, min_count, word_counts, word_spec, bg, morphemes)
        if c is not None:
            out.append(c)
    out.sort(key=lambda c: (-c.score, -c.count, c.term))
    # one candidate per string (a string can be cut into words two ways)
    seen: set[str] = set()
    unique = []
    for c in out:
        if c.term not in seen:
            seen.add(c.term)
            unique.append(c)
    return unique[:limit] if limit else unique


def _predicated(host: tuple[str, ...], end: int, bg: Background) -> bool:
    """Whether the words of ``host`` before ``end`` are followed there by a
    one-character verb (jieba's dictionary tag): the host then says
    something of them (书房 + 去, "to the study"; 陈清扬 + 说), it is a clause,
    not a compound they are a part of. A verb of two characters after a
    noun makes a compound (隐私 + 保护 *privacy protection*, 信用 + 修复)."""
    return end < len(host) and len(host[end]) == 1 and (bg.tags.get(host[end]) or "") in _VERB


def _rank_frequency(key: tuple[str, ...], f: int, compounds: dict) -> float:
    """The frequency a candidate ranks by: its occurrences; for one word, its
    C-value frequency over the compounds it is a part of (its occurrences
    minus their mean count), since a word met mostly inside longer
    candidates is a part of those terms more than a term of its own
    (惩戒 of 联合惩戒, 失信惩戒, 惩戒措施; 数据库 of 金融信用信息基础数据库). A
    compound keeps its frequency: what it is nested in is most often a free
    phrase around it (联合惩戒 of 联合惩戒措施)."""
    longer = compounds.get(key)  # one-word candidates only
    return max(1.0, f - sum(longer) / len(longer)) if longer else f


def _single_ok(tag: str) -> bool:
    """Parts of speech a one-word term may have."""
    return tag.startswith(("n", "v", "a", "l", "i", "j", "b")) and tag not in ("vg", "ag", "ng", "ad")


def _tag_of(rows: list[list[Piece]], o: Occurrence, last: str) -> str:
    for p in rows[o.segment]:
        if p.end == o.end and p.text == last:
            return p.tag
    return "n"


# --- rare strings (step 7) ----------------------------------------------------------

RARE_EDGE = 0.5  # least boundary of a rare string (its neighbours' branching, ``_Edges``)
MIN_RARE_CHARS = 3


def _headword(key: tuple[str, ...]) -> bool:
    """A string of words that CC-CEDICT lists as one headword of three
    characters or more (市场经济, 行政机关, 统一社会信用代码): the language
    has it as a unit, so it has a term's shape whatever the text is built on."""
    whole = "".join(key)
    return len(key) > 1 and len(whole) >= MIN_RARE_CHARS and whole in _cedict()


def _rare_shape(key: tuple[str, ...], occ: dict, min_count: int, bg: Background) -> bool:
    """A string seen too few times for statistics may still be a term when it
    has a term's shape: one word of three characters or more that jieba's
    dictionary lists with a reliable count (黑名单, 公信力), or a string of
    words one part of which is frequent enough in the text to be a candidate
    (社会信用 + 体系, 信用 + 报告; ``_built_on`` then asks more)."""
    if sum(len(p) for p in key) < MIN_RARE_CHARS:
        return False
    if len(key) == 1:
        return bg.listed(key[0])
    return any(len(occ.get(key[:k], ())) >= min_count or len(occ.get(key[k:], ())) >= min_count
               for k in range(1, len(key)))


def _built_on(key: tuple[str, ...], kept: dict, rows: list[list[Piece]], s: "_Stats",
              modifies_verbs: Callable[[str], bool]) -> bool:
    """A rare string is one candidate of the text and one word more: the
    candidate (with its boundaries) before a word that can head a term (a
    noun) or is a candidate too (信用 + 惩戒, 联合 + 激励), or a candidate
    after one word that is a candidate too (社会 + 信用报告 would need 社会).
    Longer free phrases (开展 + 重点领域 + 个人征信信息) are not."""
    o = s.occurrences[0]
    row = rows[o.segment]
    first = next(p for p in row if p.start == o.start)
    last = next(p for p in row if p.end == o.end)
    # a verb at the start modifies the rest only when a verbal word follows and the verb modifies
    # verbs (a verbal word follows it in most of its occurrences) and starts a candidate compound
    # (联合 + 激励 beside 联合惩戒); else it governs the rest (采集 + 个人诚信, 监督 + 人民法院). A
    # verb or verbal noun at the end heads the string only when it heads a candidate compound too
    # (惩戒 of 联合惩戒, 激励 of 守信激励); else it is said of the rest (征信机构 + 采集, 国家 + 发展)
    second = next(p for p in row if p.start == first.end)
    if first.tag.startswith("v") and not (second.tag.startswith("v") and modifies_verbs(first.text)
                                          and any(len(k) > 1 and k[0] == key[0] for k in kept)):
        return False
    if last.tag.startswith("v") and not any(len(k) > 1 and k[-1] == key[-1] for k in kept):
        return False
    for k in (1, len(key) - 1):
        head, tail = key[:k], key[k:]
        heads = tail in kept or last.tag.startswith("n") or last.tag in ("vn", "j")
        if len(tail) == 1 and head in kept and heads:
            return True
        if len(head) == 1 and tail in kept and head in kept:
            return True
    return False


@dataclass(frozen=True)
class _Edges:
    """How freely each word combines: the entropy of the words after it
    (``right``) and before it (``left``) over the whole text. A string seen
    once has no boundary statistics of its own; its neighbours' have: when
    the word before it is followed by many different words, the string does
    not continue it (加强 + 社会信用体系), when it is always followed by the
    same word, the string is a fragment of a longer unit."""

    right: dict
    left: dict
    count: Counter

    @classmethod
    def of(cls, rows: list[list[Piece]]) -> "_Edges":
        after: dict[str, Counter] = defaultdict(Counter)
        before: dict[str, Counter] = defaultdict(Counter)
        after_breaks: Counter = Counter()
        before_breaks: Counter = Counter()
        for row in rows:
            for k, p in enumerate(row):
                if p.breaks:
                    continue
                nxt = row[k + 1] if k + 1 < len(row) else None
                prv = row[k - 1] if k > 0 else None
                if nxt is None or nxt.breaks:
                    after_breaks[p.text] += 1
                else:
                    after[p.text][nxt.text] += 1
                if prv is None or prv.breaks:
                    before_breaks[p.text] += 1
                else:
                    before[p.text][prv.text] += 1
        words = set(after) | set(after_breaks) | set(before) | set(before_breaks)
        return cls({w: _entropy(after.get(w, Counter()), after_breaks[w]) for w in words},
                   {w: _entropy(before.get(w, Counter()), before_breaks[w]) for w in words},
                   Counter({w: sum(after.get(w, Counter()).values()) + after_breaks[w] for w in words}))

    def free_after(self, word: str) -> float:
        """How freely ``word`` is followed by other words, 0 to 1 (1 for a
        word seen fewer than twice: it tells nothing)."""
        return 1.0 if self.count[word] < 2 else min(1.0, self.right.get(word, 0.0))

    def free_before(self, word: str) -> float:
        return 1.0 if self.count[word] < 2 else min(1.0, self.left.get(word, 0.0))


def _rare_candidate(key, s: _Stats, edges: _Edges, texts: Sequence[str], rows, n_words: int, min_count: int,
                    word_counts: Counter, word_spec: Callable[[str], float], bg: Background,
                    morphemes: "Morphemes") -> Candidate | None:
    """A string seen fewer than ``min_count`` times: boundary from its
    neighbours' branching (``_Edges``); specificity that of its most specific
    word seen ``min_count`` times or more (a word seen once says nothing of
    the domain), or of the whole when jieba lists it (as if seen
    ``min_count`` times when it is quoted: ``_quoted``); no spread (one
    occurrence tells nothing of it). Its termhood is the one it would have
    if seen ``min_count`` - 1 times (``min_count`` times when quoted: the
    text names it as a unit, 违规经营“黑名单”制度): ``mine`` multiplies it by
    how strongly the translations attest it (``mine.attestation``)."""
    left = right = 0.0
    for o in s.occurrences:
        row = rows[o.segment]
        i = next(k for k, p in enumerate(row) if p.start == o.start)
        j = next(k for k, p in enumerate(row) if p.end == o.end)
        a = row[i - 1] if i > 0 and not row[i - 1].breaks else None
        b = row[j + 1] if j + 1 < len(row) and not row[j + 1].breaks else None
        left += 1.0 if a is None else edges.free_after(a.text)
        right += 1.0 if b is None else edges.free_before(b.text)
    f = len(s.occurrences)
    hl, hr = left / f, right / f
    if min(hl, hr) < RARE_EDGE:
        return None
    alone = tuple(o for o, inside in zip(s.occurrences, s.in_name) if not inside)
    if not alone:
        return None
    whole = "".join(key)
    quoted = any(_quoted(texts[o.segment], o.start, o.end) for o in s.occurrences)
    # a listed word seen once is as specific as that one occurrence says, unless the text names
    # it as a unit (quoted: 违规经营“黑名单”制度) or it is built on a morpheme of the text's subject
    # (公信力 on 信: ``Morphemes``)
    seen = min_count if quoted or (len(key) == 1 and morphemes.domain(whole)) else f
    spec = max([math.log((seen / n_words) / bg.probability(whole)) if bg.listed(whole) else 0.0]
               + [word_spec(p) for p in key if word_counts[p] >= min_count])
    if spec <= 0:
        return None
    head_tag = _tag_of(rows, s.occurrences[0], key[-1])
    # as if seen min_count - 1 times: the translations' attestation (``mine``) stands for the occurrences it
    # lacks; a quoted string is named by the text as a unit, and counts as seen min_count times
    as_seen = min_count if quoted else min_count - 1
    score = spec ** SPEC_POWER * math.log2(1 + as_seen) * min(1.0, hl, hr) * _pos_weight(head_tag)
    return Candidate(term=whole, pieces=key, count=f, own=float(f), segments=len({o.segment for o in s.occurrences}),
                     left_entropy=hl, right_entropy=hr, specificity=spec, spread=1.0, head_tag=head_tag,
                     score=score, occurrences=s.occurrences, standalone=alone, rare=True)


_OPEN_QUOTES = "“‘「『《〈\"'"
_CLOSE_QUOTES = "”’」』》〉\"'"


def _quoted(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` stands between quotation marks or title
    brackets: the author names it as one unit (“信用中国”, “黑名单”)."""
    return 0 < start and end < len(text) and text[start - 1] in _OPEN_QUOTES and text[end] in _CLOSE_QUOTES
