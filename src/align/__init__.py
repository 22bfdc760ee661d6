"""align: line up a Chinese original with competing English translations.

The public API is re-exported here lazily so that ``import align`` stays fast
and ``align --help`` never loads a neural model.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .model import Alignment, Bead, Document, Flag, Group, MultiAlignment, Segment, TermHit  # noqa: E402

__all__ = [
    "__version__", "Alignment", "Bead", "Document", "Flag", "Group", "MultiAlignment", "Segment", "TermHit",
]


def __getattr__(name: str):
    """``align.align`` loads the aligner only when first used."""
    if name == "align":
        from .pipeline import align

        return align
    raise AttributeError(f"module 'align' has no attribute {name!r}")
