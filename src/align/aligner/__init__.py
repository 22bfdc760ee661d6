"""The aligner: m:n beads between a source and its translations.

``align_pair`` aligns one translation, ``align_multi`` several (grouped by
source segments), ``align_vectors`` is the model-free core that takes vectors.

One module per concern, in the order a pair goes through them:

- ``params``: AlignParams, every knob, one line each;
- ``inputs``: the vectors and per-segment facts of both sides;
- ``band``: which cells the search visits (all, or a band around a coarse path);
- ``similarity``: cosines of segments and beads in the band, neighbour similarities;
- ``length``: the length model and this document's length spread;
- ``features``: the bead features by name, with their docstrings and weights;
- ``scorer``: a bead's score, the one method the search and the second pass use;
- ``dp``: the search;
- ``refine``: the second pass at the search's close calls;
- ``confidence``: each bead's calibrated confidence;
- ``pair``: the passes put together, and encoding (``align_pair``);
- ``clause_units``: each side's sentences and clauses, and which sentence holds each clause;
- ``clauses``: the clauses inside each sentence bead, each bead a small problem of its own;
- ``multi``: several translations (sentences, then their clauses), grouped.
"""
from __future__ import annotations

from .multi import align_multi, group_alignments
from .pair import align_pair, align_vectors
from .params import AlignParams

__all__ = ["align_pair", "align_multi", "align_vectors", "group_alignments", "AlignParams"]
