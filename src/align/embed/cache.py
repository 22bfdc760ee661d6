"""On-disk embedding cache: sqlite, keyed by (encoder name, text).

Writes happen in one transaction per batch (sqlite is journaled), so an
interrupted run leaves either the old or the new state, never a corrupt file.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import numpy as np

_SCHEMA = """CREATE TABLE IF NOT EXISTS emb (
    encoder TEXT NOT NULL, key BLOB NOT NULL, dim INTEGER NOT NULL, vec BLOB NOT NULL,
    PRIMARY KEY (encoder, key)) WITHOUT ROWID"""


def default_cache_dir() -> Path:
    env = os.environ.get("ALIGN_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")).expanduser() / "align"


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class EmbeddingCache:
    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self.path = self.directory / "embeddings.sqlite"
        self._conn: sqlite3.Connection | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                # with WAL, NORMAL still never corrupts the file; a power cut may
                # lose the last batches, which are re-encoded on the next run
                conn.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.DatabaseError:  # pragma: no cover - e.g. network file systems
                pass
            conn.execute(_SCHEMA)
            self._conn = conn
        return self._conn

    def get(self, encoder: str, texts: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        keys = {_key(t): t for t in texts}
        klist = list(keys)
        for start in range(0, len(klist), 500):
            chunk = klist[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT key, dim, vec FROM emb WHERE encoder=? AND key IN ({marks})", [encoder, *chunk])
            for key, dim, vec in rows:
                arr = np.frombuffer(vec, dtype=np.float32)
                if arr.size == dim:
                    found[keys[bytes(key)]] = arr
        return found

    def put(self, encoder: str, texts: list[str], vectors: np.ndarray) -> None:
        rows = [(encoder, _key(t), int(v.size), np.ascontiguousarray(v, dtype=np.float32).tobytes())
                for t, v in zip(texts, vectors)]
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?, ?, ?)", rows)
            conn.execute("COMMIT")
        except BaseException:
            # a signal (Ctrl-C, SIGTERM) can land just after COMMIT returned:
            # then there is nothing to roll back, and trying would replace the
            # interrupt with an sqlite error
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def __len__(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM emb").fetchone()[0])

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class CachedEncoder:
    """Wraps an encoder: each distinct text is encoded at most once, ever.

    ``encoded`` counts texts actually sent to the model, ``hits`` the texts
    served from the cache (both per instance), for benchmarks and tests.
    """

    def __init__(self, encoder, cache: EmbeddingCache, batch: int = 2048):
        self.inner = encoder
        self.cache = cache
        self.name = encoder.name
        self.batch = batch
        self.encoded = 0
        self.hits = 0

    @property
    def dim(self) -> int:
        return self.inner.dim

    def encode(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        unique = list(dict.fromkeys(texts))
        found = self.cache.get(self.name, unique)
        self.hits += len(found)
        missing = [t for t in unique if t not in found]
        for start in range(0, len(missing), self.batch):
            chunk = missing[start:start + self.batch]
            found.update(zip(chunk, self._encode_new(chunk)[0]))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[t] for t in texts]).astype(np.float32, copy=False)

    def _encode_new(self, chunk: list[str]) -> tuple[np.ndarray, list[np.ndarray] | None]:
        """Encode texts the cache lacks: (vectors, per text its clause vectors,
        or None). With USE, also keep what joined runs and clauses of these
        texts will need (see encode_joined, encode_clauses)."""
        encode_all = getattr(self.inner, "encode_all", None)
        got = encode_all(chunk) if encode_all is not None else None
        clauses = None
        if got is None:
            vecs = self.inner.encode(chunk)
        else:
            from . import split_rows

            vecs, rows, clause_vecs, counts = got
            clauses = split_rows(clause_vecs, counts)
            self.cache.put(self._pooled_name, chunk, rows)
            self.cache.put(self._clauses_name, chunk, clauses)
        self.cache.put(self.name, chunk, vecs)
        self.encoded += len(chunk)
        return vecs, clauses

    @property
    def _pooled_name(self) -> str:
        return self.name + "/pooled"

    @property
    def _clauses_name(self) -> str:
        return self.name + "/clauses"

    def encode_clauses(self, texts: list[str]) -> list[np.ndarray] | None:
        """Per text, its clauses' vectors (k, dim), from the cache; None when
        the encoder has no such vectors (then the caller encodes the clauses'
        text)."""
        if getattr(self.inner, "encode_all", None) is None:
            return None
        unique = list(dict.fromkeys(texts))
        found = self.cache.get(self._clauses_name, unique)
        missing = [t for t in unique if t not in found]
        for start in range(0, len(missing), self.batch):
            chunk = missing[start:start + self.batch]
            clauses = self._encode_new(chunk)[1]
            if clauses is None:
                return None
            found.update(zip(chunk, clauses))
        return [found[t].reshape(-1, self.dim) for t in texts]

    def encode_joined(self, groups: list[list[str]]) -> np.ndarray | None:
        """Vectors of each group of texts as one joined text, from the texts'
        cached pooled rows; None when the encoder cannot join (then the
        caller encodes the joined text)."""
        if getattr(self.inner, "pooled", None) is None:
            return None
        from .use import EDGE

        flat = list(dict.fromkeys([EDGE] + [t for g in groups for t in g]))
        found = self.cache.get(self._pooled_name, flat)
        missing = [t for t in flat if t not in found]
        if missing:  # only these need the model (rows in the cache came from a checked model)
            rows = self.inner.pooled(missing)
            if rows is None:
                return None
            self.cache.put(self._pooled_name, missing, rows)
            found.update(zip(missing, rows))
        return self.inner.join([np.stack([found[t] for t in g]) for g in groups], found[EDGE])
