"""English sentence and clause boundaries (rules, no model).

A sentence ends at ``.``, ``!``, ``?``, ``…`` or ``...`` (plus any closing
quotes/brackets) followed by whitespace and something that can start a
sentence (a capital, a digit, an opening quote or bracket, a CJK
character), except:

- after an abbreviation that does not end sentences in these texts
  (No., Art., e.g., i.e., Mr., Dr., vs., ...), after a single initial
  ("J. Smith") or a dotted acronym (U.S., a.m., P.R.C.);
- inside parentheses and quotations, unless a quotation closes right after
  the stop ('"...done." Then' ends after the quote);
- decimals and numbers (3.5, 10:30) never match because no space follows.

Full-width stops (``。！？``), which English typed with a Chinese input method
has, end a sentence when a plausible sentence start follows, with or
without a space.

Clause level adds semicolons, colons introducing a list (both sides at
least ``min_colon_side_en`` characters), inline enumeration items
("... (1) ... (2) ...": a new clause starts at each item) and commas
where the boundary is unambiguous: ", so as to", ", in order to",
", so that", ", thereby", ", while", ", whereas", ", but", ", and" +
a pronoun subject (it, they, we, this, these, there), and ", " / ", and "
+ an imperative verb of policy language ("strengthen", "establish", ...,
also after an adverb: ", strictly implement") that is not itself part of
a list ("establish, complete and implement" stays whole); both sides must
have ``min_clause_chars_en`` characters. Full-width ``；`` and ``：`` count as
``;`` and ``:`` (no space needed after them), and a full-width ``，`` is a clause
boundary as it is in Chinese (both sides ``min_clause_chars_en`` long): a
translator who types Chinese punctuation marks the clauses the Chinese way.
"""
from __future__ import annotations

import re

from ._spans import QUOTE_CLOSERS, Depth

CLOSERS = set("\"'”’)]）》」")
_STOP_RE = re.compile(r"(?:\.{3,}|…+|[.!?]+|[。！？]+)")
_FULL_WIDTH_STOPS = "。！？"
_OPENERS = "\"'“‘([（《「"

# Lower-cased tokens (without the final period) after which a period never
# ends a sentence in policy texts.
ABBREVIATIONS = frozenset(
    """
    no nos art arts para paras sec secs ch chap fig figs vol vols p pp ed eds
    mr mrs ms dr prof st sr jr gen gov govt sen rep hon col lt capt cmdr
    vs v cf e.g i.e viz approx incl dept jan feb mar apr jun jul aug
    sep sept oct nov dec mt ft co corp ltd inc
    """.split()
)
# These end a sentence when a capitalised word follows ("... Ltd. The").
_ENDING_ABBREVIATIONS = frozenset({"co", "corp", "ltd", "inc"})
_ACRONYM_RE = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")
_INITIAL_RE = re.compile(r"^[A-Z]$")


def _starts_sentence(text: str, k: int, b: int, *, space: bool = True) -> bool:
    """Whitespace (optional where ``space`` is False: after a full-width
    stop) then a plausible sentence start follows ``text[k]``."""
    if k >= b or (space and not text[k].isspace()):
        return False
    m = k
    while m < b and text[m].isspace():
        m += 1
    if m >= b:
        return False
    c = text[m]
    if c.isupper() or c.isdigit():
        return True
    if c in "(（[":
        return True  # "... information. (responsibility of the PBoC)" is a note of its own
    if c in _OPENERS:
        nxt = text[m + 1] if m + 1 < b else ""
        return nxt.isupper() or nxt.isdigit() or nxt in _OPENERS
    return not c.isascii() and not c.islower() and c.isalpha()  # CJK


def _abbreviation_before(text: str, a: int, i: int, k: int, b: int) -> bool:
    j = i  # scan back to the start of the token (a regex search from `a` would be quadratic)
    while j > a and not text[j - 1].isspace():
        j -= 1
    if j == i:
        return False
    token = text[j:i].lstrip(_OPENERS)
    low = token.lower()
    if low in ABBREVIATIONS:
        if low in _ENDING_ABBREVIATIONS:
            return False
        return True
    return bool(_INITIAL_RE.match(token) or _ACRONYM_RE.match(token))


def sentence_cuts(text: str, a: int, b: int, depth: Depth) -> list[int]:
    cuts: list[int] = []
    for m in _STOP_RE.finditer(text, a, b):
        i, j = m.span()
        k = j
        closed_quote = False
        while k < b and text[k] in CLOSERS:
            closed_quote = closed_quote or text[k] in QUOTE_CLOSERS
            k += 1
        if not _starts_sentence(text, k, b, space=m.group()[0] not in _FULL_WIDTH_STOPS):
            continue
        if depth.inside(i) and not (k > j and closed_quote and not depth.inside(k - 1)):
            continue
        if m.group() == "." and _abbreviation_before(text, a, i, k, b):
            continue
        cuts.append(k)
    return cuts


# Imperative verbs that open the comma-separated clauses of policy texts
# ("..., strengthen the supervision of ..., establish systems for ...").
_VERBS = frozenset(
    """
    accelerate achieve adhere advance bring broaden build carry clarify collect combine complete
    conduct consolidate create cultivate deepen develop disclose do draft encourage enrich ensure
    establish expand explore follow form formulate foster give guide implement improve include
    increase innovate integrate intensify launch lead let make optimize organize perfect persist
    popularize promote protect provide publicize push put raise realize regulate reinforce rely
    restrict reward safeguard set share spread standardize steadily strengthen strive support take
    uphold urge use
    """.split()
)
_ADVERBS = frozenset(
    """
    actively comprehensively deeply earnestly effectively energetically firmly forcefully fully
    further gradually jointly lawfully periodically promptly realistically regularly resolutely
    scientifically steadily strictly thoroughly vigorously widely
    """.split()
)
_NOT_AFTER_VERB = frozenset({"and", "or", "of", "nor", "as"})


def _ing(verb: str) -> set[str]:
    forms = {verb + "ing"}
    if verb.endswith("e") and not verb.endswith("ee"):
        forms.add(verb[:-1] + "ing")
    if verb in {"put", "set", "let"}:
        forms.add(verb + verb[-1] + "ing")
    return forms


_VERB_FORMS = (_VERBS | {f for v in _VERBS for f in _ing(v)}) - {"including"}  # a preposition
_WORDS_AFTER_COMMA_RE = re.compile(r",\s+(?:and\s+)?([A-Za-z]+)[ \t]+([A-Za-z]+)(?:\s+([A-Za-z]+))?")


def _verb_clause_cuts(text: str, a: int, b: int) -> list[int]:
    """Commas (", " or ", and ") followed by an imperative verb, optionally
    after an adverb, whose next word is not "and"/"or"/"of" (so the verb
    does not belong to a list of verbs or a noun like "use of")."""
    cuts = []
    for m in _WORDS_AFTER_COMMA_RE.finditer(text, a, b):
        w1, w2, w3 = m.group(1).lower(), m.group(2).lower(), (m.group(3) or "").lower()
        if w1 in _ADVERBS:
            w1, w2 = w2, w3
        if w1 in _VERB_FORMS and w2 and w2 not in _NOT_AFTER_VERB:
            cuts.append(m.start() + 1)
    return cuts


_SEMI_COLON_RE = re.compile(r"[;:；：]")
_FULL_WIDTH_COMMA_RE = re.compile("，")
_ENUM_RE = re.compile(r"(?<=\s)\((?:\d{1,2}|[a-z]|[ivx]{1,4})\)(?=\s)")
_COMMA_RE = re.compile(
    r",\s+(?=(?:so as to|in order to|so that|thereby|while|whereas|but|and (?:it|they|we|this|these|there))\b)"
)


def clause_cuts(text: str, a: int, b: int, depth: Depth, min_chars: int, min_colon_side: int) -> list[int]:
    """Offsets (within one sentence ``(a, b)``) where a new clause starts.

    Candidates are taken left to right; the length conditions are measured
    from the previous accepted cut, so a run of colons or commas does not
    produce a cascade of tiny clauses.
    """
    candidates: list[tuple[int, str]] = []
    for m in _SEMI_COLON_RE.finditer(text, a, b):
        i = m.start()
        if depth.inside(i):
            continue
        if text[i] in ";；":
            candidates.append((i + 1, ";"))
        elif text[i] == "：" or (i + 1 < b and text[i + 1].isspace()):
            candidates.append((i + 1, ":"))
    for m in _ENUM_RE.finditer(text, a, b):
        if not depth.inside(m.start()):
            candidates.append((m.start(), "enum"))
    commas = [m.start() + 1 for m in _COMMA_RE.finditer(text, a, b)] + _verb_clause_cuts(text, a, b)
    commas += [m.start() + 1 for m in _FULL_WIDTH_COMMA_RE.finditer(text, a, b)]
    for c in commas:
        if not depth.inside(c - 1):
            candidates.append((c, ","))
    cuts: list[int] = []
    last = a
    for pos, kind in sorted(candidates):
        if not text[last:pos].strip():
            continue  # same boundary as the previous cut ("; (2)")
        if kind == ":" and (pos - last < min_colon_side or b - pos < min_colon_side):
            continue
        if kind == "enum" and pos - a < min_colon_side:
            continue  # an item marker near the sentence start is not an inline list
        if kind == "," and (pos - last < min_chars or b - pos < min_chars):
            continue
        cuts.append(pos)
        last = pos
    return cuts


SOFT = ",;:"


def word_cut(text: str, lo: int, limit: int) -> int | None:
    return None  # whitespace is tried before this; without it, cut at the limit
