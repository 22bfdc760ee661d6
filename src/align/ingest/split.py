"""Split one bilingual text (Chinese and English in one file) into its two halves.

Laws copied from the web often come as ONE file that holds the Chinese
original and its English translation: a Chinese paragraph then its English
(interleaved paragraphs), article by article (``第一条 …`` / ``Article 1 …``),
all Chinese then all English or the other way round, with a title, a URL line,
stray markdown headings, separators and blank lines around.

Public API::

    split_bilingual(text) -> BilingualSplit   # .zh, .en, .layout, .dropped, .cut
    looks_bilingual(text) -> bool

How a line is decided (one line is one paragraph, as everywhere in the tool):

1. the line is stripped (a Chinese ``　　`` indent included) and a markdown
   heading marker (``# ``, ``## `` …) or quote marker (``> ``) in front of it
   is removed;
2. a line with neither letters nor digits (``---``, ``***``, ``#``, ``。``)
   and a line that is only a URL, perhaps after a label (``Source: http…``,
   ``来源：http…``, ``[Link](http…)``), is *dropped* (and reported);
3. a line that holds a Chinese part and then its English (or the reverse) is
   *cut* in two: a one-line bilingual title (``中华人民共和国网络安全法
   Cybersecurity Law``), a bilingual heading (``第一条 Article 1``), or
   sentences of both languages after one another (``…施行。This Law …``).
   A part counts only when it is substantial (three or more Chinese
   characters; two or more English words or numbers) and not in brackets;
   a line with three or more parts is cut only after sentence-final
   punctuation, so an English gloss inside a Chinese sentence
   (``本法所称个人信息 personal information 是指…``) stays where it is;
4. each line (or part) goes to the side of the majority of its letters,
   a Chinese character weighing ``CJK_WEIGHT`` Latin letters (as in
   :func:`align.segment.detect_lang`), URLs not counted, and letters in
   brackets counted only when the line has none outside them: so
   ``个人信息（personal information）`` and ``本法所称个人信息 personal
   information 是指…`` are Chinese, ``the Ministry of Commerce (商务部)
   shall …`` and ``Contact: Zhang San 张三`` English;
5. a line with digits but no letters (a date ``2016-12-30``, a page number)
   goes with the line before it (the first line after it at the start).

Blank lines between two lines of one side are kept (as one blank line), so
the paragraphs stay visible. The layout (``interleaved``, ``zh-then-en``,
``en-then-zh``) is reported only: the Chinese lines go to ``zh`` and the
English lines to ``en`` in their order whatever the layout.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

from ..errors import InputError

__all__ = ["BilingualSplit", "split_bilingual", "looks_bilingual", "LAYOUTS"]

LAYOUTS = ("interleaved", "zh-then-en", "en-then-zh")

#: A Chinese character carries about as much as three Latin letters (the
#: weighting of :func:`align.segment.detect_lang`): shares of the text are
#: computed with this weight.
CJK_WEIGHT = 3
#: Each language must hold at least this share of the (weighted) letters ...
MIN_SHARE = 0.25
#: ... and of the lines of the file ...
MIN_LINE_SHARE = 0.25
#: ... and at least this many lines, for the text to count as bilingual.
MIN_LINES = 2
#: Block layouts (all of one language, then all of the other) tolerate this
#: share of the letters on the "wrong" side of the block boundary (titles).
_BLOCK_SLACK = 0.1

_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FFFF))
_OPEN = "(（[［【〔"
_CLOSE = ")）]］】〕"
_FINAL = "。！？!?.；;…"
_CLOSERS = _CLOSE + "”’」』》>\"'。！？!?.；;…，,、：:"
_URL_RE = re.compile(r"(?:https?://|ftp://|www\.)\S+|\S+@\S+\.[A-Za-z]{2,}", re.I)
_MD_PREFIX_RE = re.compile(r"^(?:#{1,6}(?=\s|$)|>)\s*")
_MD_SUFFIX_RE = re.compile(r"\s+#+$")
_TOKEN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]+|\d+")
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# What may stand beside a URL on a line that is dropped as a URL line.
_URL_LABELS = {
    "source", "sources", "url", "link", "links", "from", "original", "original text", "retrieved from",
    "available at", "see", "web", "website", "online", "permalink", "via",
    "来源", "原文", "链接", "网址", "原文链接", "原文地址", "出处", "发布来源", "文章来源", "信息来源", "网页链接",
}


def _is_cjk(c: str) -> bool:
    o = ord(c)
    return any(a <= o <= b for a, b in _CJK_RANGES)


def _is_latin(c: str) -> bool:
    return ("a" <= c <= "z") or ("A" <= c <= "Z") or ("\u00c0" <= c <= "\u024f" and c.isalpha())


def _script(c: str) -> str | None:
    if _is_cjk(c):
        return "zh"
    if _is_latin(c):
        return "en"
    return None


# --------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class BilingualSplit:
    """The two halves of a bilingual text.

    ``zh`` and ``en``: the Chinese and the English lines in their order, one
    paragraph per line, a blank line where the input had one between two
    lines of that side, ending with a newline. ``layout``: one of
    :data:`LAYOUTS`. ``dropped``: the input lines that went to neither side
    (URL lines, separators, empty markdown markers), stripped, in order.
    ``cut``: the input lines that held both languages and were cut in two.
    """

    zh: str
    en: str
    layout: str
    dropped: tuple[str, ...] = ()
    cut: tuple[str, ...] = ()

    @property
    def zh_paragraphs(self) -> int:
        """Number of Chinese paragraphs (non-blank lines of ``zh``)."""
        return sum(1 for ln in self.zh.splitlines() if ln.strip())

    @property
    def en_paragraphs(self) -> int:
        """Number of English paragraphs (non-blank lines of ``en``)."""
        return sum(1 for ln in self.en.splitlines() if ln.strip())


@dataclass(frozen=True)
class _Piece:
    """A line, or one part of a cut line, with the side it goes to."""

    line: int  # 0-based index of its input line
    text: str
    side: str  # "zh", "en", "num" (digits, no letters: goes with a neighbour) or "drop"
    cjk: int = 0
    latin: int = 0

    @property
    def weight(self) -> int:
        return CJK_WEIGHT * self.cjk if self.side == "zh" else self.latin


# --------------------------------------------------------------------------
# One line


def _mask_urls(line: str) -> str:
    """URLs and e-mail addresses become spaces (same length: offsets keep)."""
    return _URL_RE.sub(lambda m: " " * len(m.group()), line)


def _is_url_line(line: str) -> bool:
    if not _URL_RE.search(line):
        return False
    rest = _URL_RE.sub(" ", line)
    rest = re.sub(r"[\W_\d]+", " ", rest).strip().lower()  # keeps letters (CJK too), drops punctuation
    return not rest or rest in _URL_LABELS


def _depths(line: str) -> list[int]:
    """Bracket depth of each character (an opening bracket is inside itself)."""
    out, depth = [], 0
    for c in line:
        if c in _OPEN:
            depth += 1
            out.append(depth)
        elif c in _CLOSE:
            out.append(depth)
            depth = max(0, depth - 1)
        else:
            out.append(depth)
    return out


def _count(line: str, depth: list[int], a: int, b: int) -> tuple[int, int]:
    """(Chinese characters, Latin letters) in ``line[a:b]``, URLs masked
    already; letters in brackets only when there are none outside them."""
    for outside_only in (True, False):
        cjk = latin = 0
        for i in range(a, b):
            if outside_only and depth[i]:
                continue
            s = _script(line[i])
            if s == "zh":
                cjk += 1
            elif s == "en":
                latin += 1
        if cjk or latin:
            return cjk, latin
    return 0, 0


@dataclass
class _Run:
    script: str
    start: int  # first letter
    end: int  # after the last letter
    letters: int
    bracketed: bool
    tokens: int = 0

    @property
    def substantial(self) -> bool:
        if self.bracketed:
            return False
        return self.letters >= 3 if self.script == "zh" else self.tokens >= 2


def _runs(masked: str, depth: list[int]) -> list[_Run]:
    """Maximal runs of letters of one script (what lies between two letters
    of the same script belongs to the run)."""
    runs: list[_Run] = []
    for i, c in enumerate(masked):
        s = _script(c)
        if s is None:
            continue
        if runs and runs[-1].script == s:
            runs[-1].end = i + 1
            runs[-1].letters += 1
        else:
            runs.append(_Run(s, i, i + 1, 1, depth[i] > 0))
    for k, r in enumerate(runs):
        if r.script == "en":  # words and the numbers after them ("Article 1")
            stop = runs[k + 1].start if k + 1 < len(runs) else len(masked)
            r.tokens = len(_TOKEN_RE.findall(masked[r.start:stop]))
    return runs


def _cut_at(line: str, a: int, b: int) -> int:
    """Where to cut in the gap ``line[a:b]`` between two parts: at its last
    space, else after the punctuation that closes the first part."""
    gap = line[a:b]
    for k in range(len(gap) - 1, -1, -1):
        if gap[k].isspace():
            return a + k
    k = 0
    while k < len(gap) and gap[k] in _CLOSERS:
        k += 1
    return a + k


def _cuts(line: str, masked: str, depth: list[int]) -> list[int]:
    """Offsets where ``line`` is cut into parts of one language each."""
    strong = [r for r in _runs(masked, depth) if r.substantial]
    pieces: list[list[_Run]] = []
    for r in strong:
        if pieces and pieces[-1][-1].script == r.script:
            pieces[-1].append(r)
        else:
            pieces.append([r])
    if len(pieces) < 2:
        return []
    cuts = []
    for left, right in zip(pieces, pieces[1:]):
        a, b = left[-1].end, right[0].start
        if len(pieces) > 2:  # several parts: only after the end of a sentence
            head = line[a:b].lstrip()
            closing = head[:len(head) - len(head.lstrip(_CLOSERS))]
            if not any(c in _FINAL for c in closing):
                continue
        cuts.append(_cut_at(line, a, b))
    return cuts


def _pieces_of_line(no: int, line: str) -> list[_Piece]:
    """The pieces of one stripped, non-empty input line."""
    body = _MD_SUFFIX_RE.sub("", _MD_PREFIX_RE.sub("", line, count=1)) if line[:1] in "#>" else line
    body = body.strip()
    if not any(c.isalnum() for c in body) or _is_url_line(body):
        return [_Piece(no, line, "drop")]
    masked = _mask_urls(body)
    depth = _depths(masked)
    bounds = [0, *_cuts(body, masked, depth), len(body)]
    parts = []
    for a, b in zip(bounds, bounds[1:]):
        cjk, latin = _count(masked, depth, a, b)
        side = "num" if not (cjk or latin) else ("zh" if CJK_WEIGHT * cjk >= latin else "en")
        if parts and parts[-1][2] == side:  # two parts of one side are one part
            parts[-1] = (parts[-1][0], b, side, parts[-1][3] + cjk, parts[-1][4] + latin)
        else:
            parts.append((a, b, side, cjk, latin))
    return [_Piece(no, body[a:b].strip(), side, cjk, latin) for a, b, side, cjk, latin in parts]


# --------------------------------------------------------------------------
# The whole text


def _pieces(text: str) -> tuple[list[_Piece], set[int]]:
    """All pieces in order (numbers given a side), and the blank line numbers."""
    pieces: list[_Piece] = []
    blanks: set[int] = set()
    for no, raw in enumerate(text.splitlines()):
        line = raw.strip().strip(_ZERO_WIDTH).strip()
        if not line:
            blanks.add(no)
            continue
        pieces.extend(_pieces_of_line(no, line))
    sides = [p.side for p in pieces if p.side in ("zh", "en")]
    if sides:
        last = sides[0]  # numbers at the start go with the first line of text
        for k, p in enumerate(pieces):
            if p.side in ("zh", "en"):
                last = p.side
            elif p.side == "num":
                pieces[k] = _Piece(p.line, p.text, last)
    return pieces, blanks


@dataclass(frozen=True)
class _Measure:
    zh_lines: int
    en_lines: int
    zh_weight: int
    en_weight: int

    def share(self, side: str) -> float:
        total = self.zh_weight + self.en_weight
        return (self.zh_weight if side == "zh" else self.en_weight) / total if total else 0.0

    def line_share(self, side: str) -> float:
        total = self.zh_lines + self.en_lines
        return (self.zh_lines if side == "zh" else self.en_lines) / total if total else 0.0

    @property
    def bilingual(self) -> bool:
        return all(n >= MIN_LINES for n in (self.zh_lines, self.en_lines)) and all(
            self.share(s) >= MIN_SHARE and self.line_share(s) >= MIN_LINE_SHARE for s in ("zh", "en"))


def _measure(pieces: list[_Piece]) -> _Measure:
    zh = [p for p in pieces if p.side == "zh" and p.cjk]
    en = [p for p in pieces if p.side == "en" and p.latin]
    return _Measure(len(zh), len(en), sum(p.weight for p in zh), sum(p.weight for p in en))


def _layout(pieces: list[_Piece]) -> str:
    """``zh-then-en`` or ``en-then-zh`` when one boundary leaves at most
    ``_BLOCK_SLACK`` of the letters on the wrong side of it, else
    ``interleaved``."""
    text = [p for p in pieces if p.side in ("zh", "en")]
    total = sum(p.weight for p in text) or 1
    best = {}
    for first, second in (("zh", "en"), ("en", "zh")):
        wrong = sum(p.weight for p in text if p.side == first)  # boundary before everything
        low = wrong
        for p in text:
            wrong += p.weight if p.side == second else -p.weight
            low = min(low, wrong)
        best[f"{first}-then-{second}"] = low / total
    name = min(best, key=best.get)
    return name if best[name] <= _BLOCK_SLACK else "interleaved"


def _join(pieces: list[_Piece], blanks: set[int]) -> str:
    """One piece per line; a blank line between two pieces when the input had
    a blank line between their lines."""
    marks = sorted(blanks)
    out: list[str] = []
    prev: int | None = None
    for p in pieces:
        if prev is not None:  # is there a blank line number in (prev, p.line)?
            k = bisect.bisect_right(marks, prev)
            out.append("\n\n" if k < len(marks) and marks[k] < p.line else "\n")
        out.append(p.text)
        prev = p.line
    return "".join(out) + "\n" if out else ""


def looks_bilingual(text: str) -> bool:
    """True when ``text`` holds both Chinese and English in substantial
    amounts: each at least ``MIN_SHARE`` of the letters (a Chinese character
    weighing ``CJK_WEIGHT`` Latin letters), at least ``MIN_LINE_SHARE`` of the
    lines and at least ``MIN_LINES`` lines. An English translation with some
    untranslated Chinese left in, or a Chinese text citing English terms, is
    not bilingual."""
    return _measure(_pieces(text)[0]).bilingual


def split_bilingual(text: str) -> BilingualSplit:
    """Split a text that holds a Chinese original and its English translation
    into the Chinese and the English text (see the module docstring for how
    each line is decided).

    Raises :class:`align.errors.InputError` (one line, without a file name:
    the caller adds it) when the text is not bilingual: only one language,
    or too little of one (see :func:`looks_bilingual`).
    """
    pieces, blanks = _pieces(text)
    m = _measure(pieces)
    if not m.bilingual:
        raise InputError(_not_bilingual(m))
    zh = [p for p in pieces if p.side == "zh"]
    en = [p for p in pieces if p.side == "en"]
    dropped = tuple(p.text for p in pieces if p.side == "drop")
    lines = text.splitlines()
    per_line = Counter(p.line for p in pieces)
    cut_nos = sorted(no for no, n in per_line.items() if n > 1)
    return BilingualSplit(zh=_join(zh, blanks), en=_join(en, blanks), layout=_layout(pieces),
                          dropped=dropped, cut=tuple(lines[no].strip() for no in cut_nos))


def _not_bilingual(m: _Measure) -> str:
    if not m.zh_lines and not m.en_lines:
        return "has no Chinese or English text to split"
    for side, name, other in (("zh", "Chinese", "English"), ("en", "English", "Chinese")):
        if not (m.zh_lines if side == "en" else m.en_lines):
            return f"holds only {name}, no {other}: not a bilingual file, nothing to split"
    minor, name = ("zh", "Chinese") if m.share("zh") + m.line_share("zh") < m.share("en") + m.line_share("en") \
        else ("en", "English")
    n = m.zh_lines if minor == "zh" else m.en_lines
    major = "English" if minor == "zh" else "Chinese"
    return (f"is mostly {major}: {name} is only {n} of {m.zh_lines + m.en_lines} lines "
            f"({m.share(minor):.0%} of the text), not a bilingual file")
