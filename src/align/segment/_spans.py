"""Language-independent span helpers: lines, bracket protection, stripping,
and cutting over-long runs into bounded pieces.

Spans are ``(start, end)`` pairs of absolute offsets into the text; the
segmenters only ever cut a line into contiguous spans, so the text between
the final (stripped) segments is whitespace by construction.
"""
from __future__ import annotations

import re
from itertools import accumulate
from typing import Callable, Iterator

_LINE_RE = re.compile(r"[^\n\r\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85]+")

ZH_PAIRS = {
    "《": "》", "“": "”", "‘": "’", "（": "）", "(": ")", "「": "」", "『": "』",
    "【": "】", "〔": "〕", "〈": "〉", "[": "]",
}
EN_PAIRS = {"(": ")", "“": "”", "[": "]", "（": "）", "《": "》", "「": "」"}
SYMMETRIC = {'"'}
QUOTE_CLOSERS = set("”’」』\"'")


def lines(text: str) -> Iterator[tuple[int, int]]:
    """Stripped spans of the non-blank lines of ``text``."""
    for m in _LINE_RE.finditer(text):
        a, b = strip_span(text, *m.span())
        if a < b:
            yield a, b


def strip_span(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


class Depth:
    """Bracket depth at each position of a line.

    Only matched pairs whose closer comes within ``max_span`` characters
    count; an unmatched opener protects nothing. The opener and closer
    themselves are at the outer depth; the characters between them are
    "inside".
    """

    __slots__ = ("base", "depth")

    def __init__(self, text: str, a: int, b: int, lang: str, max_span: int):
        pairs = ZH_PAIRS if lang == "zh" else EN_PAIRS
        closers = set(pairs.values())
        chars = "".join(sorted(set(pairs) | closers | SYMMETRIC))
        pattern = re.compile("[" + re.escape(chars) + "]")
        diff = [0] * (b - a + 1)
        stack: list[tuple[str, int]] = []
        for m in pattern.finditer(text, a, b):
            i = m.start()
            c = text[i]
            if c in pairs and c not in closers:
                stack.append((pairs[c], i))
                continue
            # a closer (or a symmetric quote): match it with an opener near the top
            for k in range(len(stack) - 1, max(-1, len(stack) - 5), -1):
                if stack[k][0] == c:
                    p = stack[k][1]
                    del stack[k:]
                    if i - p <= max_span:
                        diff[p + 1 - a] += 1
                        diff[i - a] -= 1
                    break
            else:
                if c in SYMMETRIC:
                    stack.append((c, i))
        self.base = a
        self.depth = list(accumulate(diff))

    def inside(self, i: int) -> bool:
        return self.depth[i - self.base] > 0


def bounded(
    text: str,
    a: int,
    b: int,
    max_chars: int,
    min_fraction: float,
    soft: str,
    word_cut: Callable[[str, int, int], int | None] | None = None,
) -> list[tuple[int, int]]:
    """Cut ``text[a:b]`` into pieces of at most ``max_chars`` characters.

    Each cut is placed, in order of preference, after the last soft
    punctuation mark (``soft``) or whitespace in the second part of the
    window, at a word boundary found by ``word_cut(text, lo, limit)``, or
    at the limit itself.
    """
    out: list[tuple[int, int]] = []
    while b - a > max_chars:
        limit = a + max_chars
        lo = a + max(1, int(max_chars * min_fraction))
        cut = None
        for j in range(limit - 1, lo - 1, -1):
            if text[j] in soft:
                cut = j + 1
                break
        if cut is None:
            for j in range(limit - 1, lo - 1, -1):
                if text[j].isspace():
                    cut = j + 1
                    break
        if cut is None and word_cut is not None:
            cut = word_cut(text, lo, limit)
        if cut is None or not (a < cut <= limit):
            cut = limit
        out.append((a, cut))
        a = cut
    out.append((a, b))
    return out


def merge_bare(spans: list[tuple[int, int]], is_bare: Callable[[int, int], bool]) -> list[tuple[int, int]]:
    """Join a span that holds only a marker ("2." or "（一）") with the next one."""
    out: list[tuple[int, int]] = []
    pending: int | None = None
    for s, e in spans:
        if pending is not None:
            s = pending
            pending = None
        if is_bare(s, e):
            pending = s
            continue
        out.append((s, e))
    if pending is not None:
        if out:
            out[-1] = (out[-1][0], spans[-1][1])
        else:
            out.append((pending, spans[-1][1]))
    return out


def cuts_to_spans(a: int, b: int, cuts: list[int]) -> list[tuple[int, int]]:
    spans = []
    prev = a
    for c in sorted(set(cuts)):
        if prev < c < b:
            spans.append((prev, c))
            prev = c
    spans.append((prev, b))
    return spans
