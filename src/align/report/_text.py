"""Escaped segment text with marked stretches: the one way text enters the page."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape as _html_escape
from typing import Iterable

from markupsafe import Markup


def esc(text: str) -> str:
    return _html_escape(text, quote=True)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    cls: str
    title: str = ""
    term: str = ""
    prio: int = 0


def render_text(text: str, spans: Iterable[Span] = ()) -> Markup:
    """Escape ``text`` and wrap non-overlapping spans in ``<mark>``.

    Overlaps are resolved by priority, then by position; a span that does not
    fit the text is ignored rather than trusted.
    """
    chosen: list[Span] = []
    for sp in sorted(spans, key=lambda s: (-s.prio, s.start, -s.end)):
        if not (0 <= sp.start < sp.end <= len(text)):
            continue
        if any(sp.start < c.end and c.start < sp.end for c in chosen):
            continue
        chosen.append(sp)
    chosen.sort(key=lambda s: s.start)
    # plain string building with html.escape: Markup.format is ~10x slower on 5,000-row pages
    parts: list[str] = []
    pos = 0
    for sp in chosen:
        parts.append(esc(text[pos:sp.start]))
        attrs = f' class="{esc(sp.cls)}"'
        if sp.title:
            attrs += f' title="{esc(sp.title)}"'
        if sp.term:
            attrs += f' data-term="{esc(sp.term)}"'
        parts.append(f"<mark{attrs}>{esc(text[sp.start:sp.end])}</mark>")
        pos = sp.end
    parts.append(esc(text[pos:]))
    return Markup("".join(parts))
