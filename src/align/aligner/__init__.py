"""The aligner: m:n beads between a source and its translations.

``align_pair`` aligns one translation, ``align_multi`` several (grouped by
source segments), ``align_vectors`` is the model-free core that takes vectors.
"""
from __future__ import annotations

from .multi import align_multi, group_alignments
from .pair import align_pair, align_vectors
from .params import AlignParams

__all__ = ["align_pair", "align_multi", "align_vectors", "group_alignments", "AlignParams"]
