"""Target side: find which listed rendering a translation used.

English text is tokenised once per target segment (``TokenIndex``); each
token carries a normalised stem (snowball English after a small table of
irregular and agentive forms), so that *trustworthy/trustworthiness*,
*keep/keeping/kept promises* and *trust-breaking/breaking trust/trust-breakers*
reduce to the same keys. A rendering is a tuple of stems; it matches

- in order, allowing one intervening word (``public personal credit information``),
- for two-word renderings also in reverse order (``promise-keeping`` /
  ``keeping promises``),
- closed compounds written open or the reverse (``blacklist`` / ``black list``,
  ``creditworthiness`` / ``credit worthiness``),
- with typo tolerance (rapidfuzz) on long words (``creditworworthiness``),
  never across a negative prefix (``trustworthy`` is not ``untrustworthy``).

The work per source occurrence is bounded by the size of its aligned span
and the number of renderings of that one entry, never by the glossary size.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][a-z]+)?")

# irregular forms and agent nouns the stemmer does not reduce to the verb
_LEMMA = {
    "kept": "keep", "keeper": "keep", "keepers": "keep",
    "broke": "break", "broken": "break", "breaker": "break", "breakers": "break",
    "made": "make", "maker": "make", "makers": "make",
    "held": "hold", "holder": "hold", "holders": "hold",
    "lost": "lose", "loser": "lose",
    "gave": "give", "given": "give",
    "black-listed": "blacklist", "blacklisted": "blacklist", "blacklisting": "blacklist",
    "redlisted": "redlist",
    "punitive": "punish", "punishment": "punish", "punishments": "punish",
}

STOPWORDS = frozenset(
    """a an the of and or for to in on at by with from as into onto is are be been being was were that this these
    those it its their his her our your they them we he she which who whom whose what than then so such not no
    nor but if all any each every other more most some same own very can may must should shall will would
    also etc i ii iii iv v vi vii viii ix x""".split()
)


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = _LEMMA.get(w, w)
    if w.endswith(("ability", "ibility")) and len(w) > 9:  # credibility ~ credible, creditability != credit
        return w[:-5] + "l"
    s = _stemmer().stemWord(w)
    # snowball gives integrity and integrate/integration the same stem; keep
    # the -ate/-ation verb family apart from the -ity noun
    if w.endswith(("ate", "ates", "ated", "ating", "ation", "ations")) and len(w) > 6:
        return s + "@"
    # honesty/honest, trustworthy(-iness)/trustworth: snowball keeps a final "i"
    if s.endswith("i") and len(s) >= 5:
        s = s[:-1]
    return s


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    word: str
    stem: str


def tokenize(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group(), stem(m.group())) for m in _WORD.finditer(text)]


@lru_cache(maxsize=100_000)
def rendering_key(rendering: str) -> tuple[str, ...]:
    """The stems of a rendering (``"keeping promises"`` -> ``("keep", "promis")``)."""
    return tuple(t.stem for t in tokenize(rendering))


@lru_cache(maxsize=100_000)
def content_key(rendering: str) -> tuple[str, ...]:
    """Stems without function words, in any order: ``keep their promises`` ~
    ``keeping promises`` ~ ``promise-keeping`` (used to merge unlisted phrasings)."""
    return tuple(sorted(t.stem for t in tokenize(rendering) if t.word.lower() not in STOPWORDS)) or rendering_key(rendering)


@lru_cache(maxsize=100_000)
def compact_key(rendering: str) -> str:
    """A rendering written as one closed word (``black list`` -> stem of ``blacklist``)."""
    return stem("".join(t.word for t in tokenize(rendering)))


@lru_cache(maxsize=100_000)
def reversible(rendering: str) -> bool:
    """A verb-object gerund phrase (``keeping promises``, ``breaking trust``)
    or its hyphenated compound (``promise-keeping``, ``trust-breaking``) also
    matches the other order (``trust-breakers``, ``breaking trust``);
    ``Credit China`` does not match ``China Credit``, nor ``credit reporting``
    ``reporting credit``."""
    words = [t.word.lower() for t in tokenize(rendering)]
    if len(words) != 2:
        return False
    return words[0].endswith("ing") or ("-" in rendering and words[1].endswith("ing"))


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) < 8 or len(b) < 8 or a[:3] != b[:3]:
        return False
    from rapidfuzz import fuzz

    return fuzz.ratio(a, b) >= 85


@dataclass(frozen=True)
class Instance:
    """One rendering found in a span of tokens (token indices ``i..j`` inclusive)."""

    rendering: str
    status: str
    i: int
    j: int
    start: int
    end: int
    tokens: frozenset

    @property
    def size(self) -> int:
        return len(self.tokens)


class TokenIndex:
    """A span's tokens indexed once: stem -> positions, long stems by their
    first three letters (for typo-tolerant look-ups), and closed-compound
    stems of adjacent word pairs. Matching a rendering then starts from the
    index, never from a scan of the span."""

    def __init__(self, tokens: list[Token]):
        from collections import defaultdict

        self.tokens = tokens
        self.by_stem: dict[str, list[int]] = defaultdict(list)
        self.long_by_prefix: dict[str, list[int]] = defaultdict(list)
        self.compact: dict[str, list[int]] = defaultdict(list)
        for i, t in enumerate(tokens):
            self.by_stem[t.stem].append(i)
            if len(t.stem) >= 8:
                self.long_by_prefix[t.stem[:3]].append(i)
        for i in range(len(tokens) - 1):
            a, b = tokens[i].word, tokens[i + 1].word
            if len(a) >= 3 and len(b) >= 3:
                self.compact[stem(a + b)].append(i)

    def positions(self, s: str) -> list[int]:
        out = list(self.by_stem.get(s, ()))
        if len(s) >= 8:
            out += [i for i in self.long_by_prefix.get(s[:3], ()) if self.tokens[i].stem != s
                    and _similar(self.tokens[i].stem, s)]
        return sorted(out)

    def stems(self) -> set[str]:
        return set(self.by_stem) | set(self.compact)


def _match_ordered(idx: TokenIndex, key: tuple[str, ...], gap: int = 1) -> list[list[int]]:
    found = []
    tokens = idx.tokens
    n = len(tokens)
    for i in idx.positions(key[0]):
        pos = [i]
        ok = True
        for s in key[1:]:
            j = pos[-1]
            nxt = None
            for k in range(j + 1, min(n, j + 2 + gap)):
                if _similar(tokens[k].stem, s):
                    nxt = k
                    break
            if nxt is None:
                ok = False
                break
            pos.append(nxt)
        if ok:
            found.append(pos)
    return found


def _match_compact(idx: TokenIndex, rendering: str, key: tuple[str, ...]) -> list[list[int]]:
    """Closed compound written open (``black list``) or open written closed."""
    if len(key) == 1:
        return [[i, i + 1] for i in idx.compact.get(key[0], ())]
    if len(key) == 2:
        return [[i] for i in idx.positions(compact_key(rendering))]
    return []


def find_instances(tokens: "list[Token] | TokenIndex", renderings: list[tuple[str, str]]) -> list[Instance]:
    """All occurrences of the given renderings in ``tokens`` (overlaps kept;
    the caller chooses)."""
    idx = tokens if isinstance(tokens, TokenIndex) else TokenIndex(tokens)
    tokens = idx.tokens
    out: list[Instance] = []
    for rendering, status in renderings:
        key = rendering_key(rendering)
        if not key:
            continue
        hits = _match_ordered(idx, key)
        if len(key) == 2:
            rev = _match_ordered(idx, (key[1], key[0]))
            if not reversible(rendering):  # "restoration of credit" for "credit restoration"
                rev = [p for p in rev if p[1] == p[0] + 2 and tokens[p[0] + 1].word.lower() in ("of", "for")]
            hits += rev
        hits += _match_compact(idx, rendering, key)
        seen = set()
        for pos in hits:
            t = tuple(pos)
            if t in seen:
                continue
            seen.add(t)
            i, j = min(pos), max(pos)
            out.append(
                Instance(
                    rendering=rendering, status=status, i=i, j=j, start=tokens[i].start, end=tokens[j].end,
                    tokens=frozenset(pos),
                )
            )
    return out


class RenderingIndex:
    """Every listed rendering of a glossary, keyed by the stems that can start
    a match, so that the renderings present in a span are found from the
    span's own words (cost independent of the glossary size)."""

    def __init__(self, glossary) -> None:
        from collections import defaultdict

        self.by_stem: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for e in glossary.entries:
            for r, st in e.renderings():
                key = rendering_key(r)
                if not key:
                    continue
                heads = {key[0], compact_key(r)}
                if reversible(r):
                    heads.add(key[1])
                for h in heads:
                    self.by_stem[h].append((r, e.term, st))

    def candidates(self, idx: TokenIndex) -> dict[str, tuple[str, str]]:
        """rendering -> (term, status) for renderings whose words all occur in
        the span (as words or as a closed compound); the caller then matches
        only these."""
        rank = {"preferred": 0, "accepted": 1, "discouraged": 2}
        out: dict[str, tuple[str, str]] = {}
        stems = idx.stems()
        for s in stems:
            for r, term, st in self.by_stem.get(s, ()):
                if r in out and rank[st] >= rank[out[r][1]]:
                    continue
                if compact_key(r) in stems or all(k in stems for k in rendering_key(r)):
                    out[r] = (term, st)
        return out
