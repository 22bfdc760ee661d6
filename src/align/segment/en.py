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

Clause level adds semicolons, colons introducing a list (both sides at
least ``min_colon_side_en`` characters), inline enumeration items
("... (1) ... (2) ...": a new clause starts at each item) and commas
where the boundary is unambiguous: ", so as to", ", in order to",
", so that", ", thereby", ", while", ", whereas", ", but" and ", and" +
a pronoun subject (it, they, we, this, these, there); both sides must have
``min_clause_chars_en`` characters.
"""
from __future__ import annotations

import re

from ._spans import QUOTE_CLOSERS, Depth

CLOSERS = set("\"'”’)]）》」")
_STOP_RE = re.compile(r"(?:\.{3,}|…+|[.!?]+)")
_TOKEN_BEFORE_RE = re.compile(r"(\S+)$")
_OPENERS = "\"'“‘([（《「"

# Lower-cased tokens (without the final period) after which a period never
# ends a sentence in policy texts.
ABBREVIATIONS = frozenset(
    """
    no nos art arts para paras sec secs ch chap fig figs vol vols p pp ed eds
    mr mrs ms dr prof st sr jr gen gov govt sen rep hon col lt capt gen cmdr
    vs v cf e.g i.e viz approx incl dept est fig jan feb mar apr jun jul aug
    sep sept oct nov dec mt ft co corp ltd inc
    """.split()
)
# These end a sentence when a capitalised word follows ("... Ltd. The").
_ENDING_ABBREVIATIONS = frozenset({"co", "corp", "ltd", "inc"})
_ACRONYM_RE = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")
_INITIAL_RE = re.compile(r"^[A-Z]$")


def _starts_sentence(text: str, k: int, b: int) -> bool:
    """Whitespace then a plausible sentence start follows ``text[k]``."""
    if k >= b or not text[k].isspace():
        return False
    m = k
    while m < b and text[m].isspace():
        m += 1
    if m >= b:
        return False
    c = text[m]
    if c.isupper() or c.isdigit():
        return True
    if c in _OPENERS:
        nxt = text[m + 1] if m + 1 < b else ""
        return nxt.isupper() or nxt.isdigit() or nxt in _OPENERS
    return not c.isascii() and not c.islower() and c.isalpha()  # CJK


def _abbreviation_before(text: str, a: int, i: int, k: int, b: int) -> bool:
    m = _TOKEN_BEFORE_RE.search(text, a, i)
    if not m:
        return False
    token = m.group(1).lstrip(_OPENERS)
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
        if not _starts_sentence(text, k, b):
            continue
        if depth.inside(i) and not (k > j and closed_quote and not depth.inside(k - 1)):
            continue
        if m.group() == "." and _abbreviation_before(text, a, i, k, b):
            continue
        cuts.append(k)
    return cuts


_ENUM_RE = re.compile(r"(?<=\s)\((?:\d{1,2}|[a-z]|[ivx]{1,4})\)(?=\s)")
_COMMA_RE = re.compile(
    r",\s+(?=(?:so as to|in order to|so that|thereby|while|whereas|but|and (?:it|they|we|this|these|there))\b)"
)


def clause_cuts(text: str, a: int, b: int, depth: Depth, min_chars: int, min_colon_side: int) -> list[int]:
    cuts: list[int] = []
    for m in re.finditer(r"[;:]", text[a:b]):
        i = a + m.start()
        if depth.inside(i):
            continue
        if text[i] == ";":
            cuts.append(i + 1)
        elif i + 1 < b and text[i + 1].isspace() and i - a >= min_colon_side and b - i - 1 >= min_colon_side:
            cuts.append(i + 1)
    for m in _ENUM_RE.finditer(text, a, b):
        i = m.start()
        if not depth.inside(i) and i - a >= min_colon_side:
            cuts.append(i)
    for m in _COMMA_RE.finditer(text, a, b):
        i = m.start()
        if not depth.inside(i) and i - a >= min_chars and b - m.end() >= min_chars:
            cuts.append(i + 1)
    return sorted(cuts)


SOFT = ",;:"


def word_cut(text: str, lo: int, limit: int) -> int | None:
    return None  # whitespace is tried before this; without it, cut at the limit
