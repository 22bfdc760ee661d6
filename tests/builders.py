"""Small builders for hand-made test data (imported by the test modules)."""
from __future__ import annotations

from align.model import Segment


def segments(texts, lang):
    """Segments of ``texts`` as if joined by newlines into one document."""
    out, pos = [], 0
    for i, t in enumerate(texts):
        out.append(Segment(index=i, text=t, start=pos, end=pos + len(t), lang=lang))
        pos += len(t) + 1
    return out
