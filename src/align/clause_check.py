"""A second opinion before a source clause is reported as left out: does the
dictionary find it in the row's English?

The clause aligner leaves a clause with no counterpart (a 1:0 clause bead)
when no English clause of the sentence bead matches it well enough, which a
free translation does as often as an omission ("felt a strange premonition
blazing inside him" for 有一种不寻常的预感，像熊熊燃烧的火焰一样). The
dictionary reads the clause word by word instead: its content words
(longest-match CC-CEDICT words, as :mod:`align.embed.lexical` segments them)
are *found* when a stem of one of their glosses is among the stems of the
sentence bead's English, or their pinyin among its capitalised words (names:
狗儿 "Gou-er"), and no other source clause of the bead has that stem or name
(then the English word may be theirs). A clause with enough of its words
found is translated, only not clause by clause.

The other way round, a clause the aligner merged into its neighbour's clause
bead may be one the translation leaves out, the English of the bead being
the neighbour's: when the dictionary finds none of its words there, and a
translated clause of as many words would have some found but for a small
chance at this translation's own rate (``RowReader.hit_rate``; a law's
wording is found more often than a novel's).

Cheap: dictionary look-ups (cached per clause text) for the clauses of the
beads read, the one-to-one ones once per translation for its rate, and a
pass over those rows' English; about 0.02 s a text (bench/README.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from .embed.lexical import cedict, stem, zh_words
from .embed.lexical_pinyin import joined_pinyin
from .model import Alignment, Bead, ClauseAlignment

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_EN_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_NAME_PART = re.compile(r"[A-Za-z]+")
#: the fewest letters a romanised name is compared by (shorter ones, li, er, meet English by chance)
MIN_NAME = 4

#: grammatical words of Chinese: their glosses (of, at, is, a, this ...) are
#: no evidence of content, so they are neither read nor counted
FUNCTION_WORDS = frozenset("""的 地 得 了 着 过 是 在 和 与 及 也 都 就 把 被 将 对 从 向 于 以 而 或 并 又 还 才
这 那 这个 那个 这些 那些 个 些 一 一个 一种 有 没 没有 不 很 太 更 最 吗 呢 吧 啊 呀 么 之 其 所 为 给 让
我 你 他 她 它 我们 你们 他们 她们 它们 自己 人家 咱们""".split())

#: irregular English forms the stemmer leaves alone, to the verb a gloss names
#: (CC-CEDICT glosses verbs in the infinitive: 站 "to stand", 看见 "to see")
_IRREGULAR = {
    "was": "be", "were": "be", "been": "be", "am": "be", "is": "be", "are": "be",
    "stood": "stand", "sat": "sit", "saw": "see", "seen": "see", "said": "say", "went": "go", "gone": "go",
    "came": "come", "took": "take", "taken": "take", "gave": "give", "given": "give", "got": "get",
    "gotten": "get", "made": "make", "knew": "know", "known": "know", "thought": "think", "felt": "feel",
    "left": "leave", "kept": "keep", "held": "hold", "brought": "bring", "bought": "buy", "told": "tell",
    "found": "find", "heard": "hear", "ran": "run", "ate": "eat", "eaten": "eat", "drank": "drink",
    "wrote": "write", "written": "write", "spoke": "speak", "spoken": "speak", "began": "begin",
    "begun": "begin", "fell": "fall", "fallen": "fall", "lay": "lie", "lain": "lie", "led": "lead",
    "met": "meet", "paid": "pay", "sent": "send", "spent": "spend", "built": "build", "lost": "lose",
    "sold": "sell", "taught": "teach", "caught": "catch", "fought": "fight", "sought": "seek",
    "slept": "sleep", "woke": "wake", "woken": "wake", "wore": "wear", "worn": "wear", "won": "win",
    "broke": "break", "broken": "break", "chose": "choose", "chosen": "choose", "drove": "drive",
    "driven": "drive", "flew": "fly", "flown": "fly", "grew": "grow", "grown": "grow", "hid": "hide",
    "hidden": "hide", "rose": "rise", "risen": "rise", "shook": "shake", "shaken": "shake", "stole": "steal",
    "stolen": "steal", "struck": "strike", "swore": "swear", "threw": "throw", "thrown": "throw",
    "understood": "understand", "men": "man", "women": "woman", "children": "child", "feet": "foot",
    "teeth": "tooth", "better": "good", "best": "good", "worse": "bad", "worst": "bad",
}


@dataclass(frozen=True)
class DictionaryEvidence:
    """What the dictionary says of left-out clauses: their content words
    (``words``), those whose glosses are in the row's English and belong to
    no other clause of the row (``found``)."""

    words: tuple[str, ...]
    found: tuple[str, ...]

    @property
    def share(self) -> float:
        return len(self.found) / len(self.words) if self.words else 0.0


@lru_cache(maxsize=50_000)
def _english_stem(word: str) -> str:
    low = word.lower().replace("’", "'")
    if low.endswith("'s"):
        low = low[:-2]
    return stem(_IRREGULAR.get(low, low))


@lru_cache(maxsize=4096)
def english_stems(text: str) -> frozenset[str]:
    """The stems of the words of an English text (irregular forms as their verb)."""
    return frozenset(_english_stem(w) for w in _EN_WORD.findall(text))


@lru_cache(maxsize=50_000)
def _content_words(text: str) -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    """The dictionary words of a Chinese text that carry content, each with
    its gloss stems and the romanisations it may be part of: the pinyin of
    each run of one to three consecutive content words, as names are written
    in English (狗儿 "Gou-er", 王琦瑶 "Wang Qiyao"), of ``MIN_NAME`` letters or more."""
    d = cedict()
    words: list[str | None] = []  # None: a function word or punctuation, which ends a name
    for w in zh_words(text):
        words.append(w if _CJK.search(w) and w not in FUNCTION_WORDS else None)
    names: list[set[str]] = [set() for _ in words]
    for i in range(len(words)):
        for j in range(i + 1, min(i + 3, len(words)) + 1):
            if words[j - 1] is None:
                break
            key = joined_pinyin("".join(words[i:j]))
            if len(key) >= MIN_NAME:
                for k in range(i, j):
                    names[k].add(key)
    out = []
    for w, keys in zip(words, names):
        glosses = frozenset(d.get(w, ())) if w is not None else frozenset()
        if glosses:
            out.append((w, glosses, frozenset(keys)))
    return tuple(out)


@lru_cache(maxsize=4096)
def english_names(text: str) -> frozenset[str]:
    """What a name in pinyin may look like in an English text: a capitalised
    word alone or joined with the one or two words after it, lower case
    (``Gou-er`` -> gou, gouer; ``Wang Qiyao`` -> wang, wangqiyao)."""
    tokens = _NAME_PART.findall(text)
    out = set()
    for i, t in enumerate(tokens):
        if not t[0].isupper():
            continue
        for j in range(i + 1, min(i + 3, len(tokens)) + 1):
            key = "".join(tokens[i:j]).lower()
            if len(key) >= MIN_NAME:
                out.add(key)
    return frozenset(out)


@lru_cache(maxsize=50_000)
def _known_in(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The gloss stems and romanisations of the content words of one text."""
    words = _content_words(text)
    return (frozenset().union(*(g for _, g, _ in words)), frozenset().union(*(k for _, _, k in words)))


def _known(texts: Iterable[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The gloss stems and romanisations of the content words of ``texts``."""
    known = [_known_in(t) for t in texts]
    return frozenset().union(*(s for s, _ in known)), frozenset().union(*(n for _, n in known))


def dictionary_evidence(clauses: Iterable[str], others: Iterable[str], english: str) -> DictionaryEvidence:
    """How many content words of ``clauses`` (the left-out source clauses)
    the dictionary finds in ``english`` (the row's translation), by a gloss
    or as a name in pinyin, leaving out the stems and names the ``others``
    (the row's other source clauses) account for."""
    other_stems, other_names = _known(others)
    stems = english_stems(english) - other_stems
    names = english_names(english) - other_names
    words, found = [], []
    for text in clauses:
        for w, glosses, keys in _content_words(text):
            words.append(w)
            if glosses & stems or keys & names:
                found.append(w)
    return DictionaryEvidence(tuple(words), tuple(found))


def _english(al: Alignment, bead: Bead) -> str:
    return " ".join(al.target[j].text for j in bead.tgt)


def _clauses_of(ca: ClauseAlignment) -> dict[int, list[int]]:
    """Per source sentence, its clause indices."""
    out: dict[int, list[int]] = {}
    for c, s in enumerate(ca.source_sentence):
        out.setdefault(s, []).append(c)
    return out


class RowReader:
    """The dictionary's reading of one translation's clauses, bead by sentence bead."""

    def __init__(self, al: Alignment):
        self.al = al
        self.ca = al.clauses
        self.bead_of = {i: b for b in al.beads for i in b.src}
        self.members = _clauses_of(self.ca)

    def sentence_bead(self, clause: int) -> Bead | None:
        return self.bead_of.get(self.ca.source_sentence[clause])

    def evidence(self, bead: Bead, clauses: Iterable[int]) -> DictionaryEvidence:
        """The dictionary's evidence for ``clauses`` in ``bead``'s English,
        beside the bead's other source clauses."""
        ca, clauses = self.ca, tuple(clauses)
        chosen = set(clauses)
        others = [ca.source[k].text for s in bead.src for k in self.members.get(s, ()) if k not in chosen]
        return dictionary_evidence([ca.source[c].text for c in clauses], others, _english(self.al, bead))

    def hit_rate(self, min_confidence: float) -> float:
        """The share of content words found, over the source clauses the
        aligner pairs one to one inside sentence beads of at least
        ``min_confidence``: how often this dictionary finds a translated word
        in this translation (a law's wording more often than a novel's)."""
        words = found = 0
        for cb in self.ca.beads:
            if len(cb.src) != 1 or len(cb.tgt) != 1:
                continue
            sb = self.sentence_bead(cb.src[0])
            if sb is None or not sb.tgt or sb.confidence < min_confidence:
                continue
            ev = self.evidence(sb, list(cb.src))
            words += len(ev.words)
            found += len(ev.found)
        return found / words if words else 0.0


def chance_unfound(evidence: DictionaryEvidence, hit_rate: float) -> float:
    """The chance that a translated clause with this many content words has
    none of them found, at the translation's own ``hit_rate`` (words taken
    as independent); 1.0 where some are found."""
    if evidence.found:
        return 1.0
    return (1.0 - hit_rate) ** len(evidence.words)
