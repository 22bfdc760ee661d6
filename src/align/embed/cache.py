"""On-disk embedding cache: sqlite, keyed by (encoder name, text).

Writes happen in one transaction per batch (the three kinds of rows USE
gives a batch of texts together; sqlite is journaled), so an
interrupted run leaves either the old or the new state, never a corrupt file.

The cache is only a cache: nothing in it stops a run.

- A damaged ``embeddings.sqlite`` (not a database, truncated, malformed) is
  renamed ``embeddings.sqlite.corrupt-<UTC time>`` and a new one is built;
- a cache that cannot be written (a read-only folder, a full disk, a file
  where the folder should be) is read without writing, or not used at all.

Each of these is said once, as one ``align: note:`` line naming the file
(:func:`align.errors.note`).

Where the cache lives (:func:`default_cache_dir`): ``$ALIGN_CACHE_DIR``,
else ``$XDG_CACHE_HOME/align``, else ``$HOME/.cache/align``; with ``HOME``
empty or unset, the home directory of the user in the password database;
with none there either (a system user whose home is ``/``, or missing), a
folder of this user's own in the temporary directory. An empty or relative
variable counts as unset, so that the cache never lands in ``/.cache`` or
in whatever the current directory happens to be.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np

from ..errors import note

#: The table, with a rowid: a row (a vector of 2-4 KB) stays in its table
#: page, where a WITHOUT ROWID table (the layout of files made before) sent
#: each to overflow pages (writing a cold book's three kinds of rows took
#: 2.5x as long). A file of either layout is read and written by the same
#: statements.
_SCHEMA = """CREATE TABLE IF NOT EXISTS emb (
    encoder TEXT NOT NULL, key BLOB NOT NULL, dim INTEGER NOT NULL, vec BLOB NOT NULL,
    UNIQUE (encoder, key))"""

#: sqlite result codes (the low byte of ``sqlite_errorcode``) that mean the file is damaged
_DAMAGED = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
#: ... and those that mean it cannot be written (or opened) here, or not now
_UNWRITABLE = {3, 5, 8, 10, 13, 14}  # PERM, BUSY (after the timeout), READONLY, IOERR, FULL, CANTOPEN


def _usable_dir(value: str | None) -> Path | None:
    """``value`` as a directory path when it is a usable setting: set, absolute, not ``/``."""
    if not value or not os.path.isabs(value):
        return None
    path = Path(value)
    return None if path == Path(path.anchor) else path


def _home() -> Path | None:
    home = _usable_dir(os.environ.get("HOME"))
    if home is not None:
        return home
    try:
        import pwd

        entry = pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError, OSError):  # no password database (Windows), or no entry for this uid
        return None
    home = _usable_dir(entry)
    return home if home is not None and home.is_dir() else None


def _private_temp_dir() -> Path:
    """``<tmp>/align-cache-<uid>``, created 0700 if need be; a new private
    temporary folder when that name is taken by someone else (a shared
    ``/tmp``: their vectors must not end up in our alignments)."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    path = Path(tempfile.gettempdir()) / f"align-cache-{uid}"
    with contextlib.suppress(OSError):
        path.mkdir(mode=0o700, exist_ok=True)
    try:
        st = path.lstat()
        if path.is_dir() and not path.is_symlink() and st.st_uid == uid and not st.st_mode & 0o022:
            return path
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix="align-cache-"))


def default_cache_dir() -> Path:
    """Where the caches go (see the module docstring for the order)."""
    env = os.environ.get("ALIGN_CACHE_DIR", "").strip()
    if env:
        return Path(env).expanduser()
    xdg = _usable_dir(os.environ.get("XDG_CACHE_HOME"))
    if xdg is not None:
        return xdg / "align"
    home = _home()
    if home is not None:
        return home / ".cache" / "align"
    return _private_temp_dir()


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def _code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def _damaged(exc: sqlite3.Error) -> bool:
    return _code(exc) in _DAMAGED


def _unwritable(exc: sqlite3.Error) -> bool:
    return _code(exc) in _UNWRITABLE


class _Damaged(Exception):
    """The database file is damaged (internal: handled by EmbeddingCache)."""


@contextlib.contextmanager
def _dir_lock(directory: Path):
    """An exclusive lock on the cache folder, among processes sharing it
    (the corpus workers), for as long as the block runs; none where locks
    are not available."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


class EmbeddingCache:
    """The sqlite file ``embeddings.sqlite`` in ``directory``.

    ``readonly`` is True once writes are skipped (the folder or disk refused
    them), ``disabled`` once the cache is not used at all; a run goes on in
    both cases, encoding what it cannot read.
    """

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)
        self.path = self.directory / "embeddings.sqlite"
        self._conn: sqlite3.Connection | None = None
        self.readonly = False
        self.disabled = False

    # -- opening ---------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection | None:
        """The open connection; None when the cache is disabled."""
        if self._conn is None and not self.disabled:
            self._conn = self._open()
        return self._conn

    def _open(self) -> sqlite3.Connection | None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._disable(f"cannot create the cache folder ({exc.strerror or exc})", self.directory)
            return None
        for attempt in range(2):
            try:
                return self._connect()
            except _Damaged:
                if attempt:
                    break
                self._set_aside()
                if self.disabled:
                    return None
            except sqlite3.OperationalError as exc:
                if not _unwritable(exc):
                    raise
                return self._open_readonly(exc)
        self._disable("damaged again after it was rebuilt", self.path)
        return None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                # with WAL, NORMAL still never corrupts the file; a power cut may
                # lose the last batches, which are re-encoded on the next run
                conn.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.DatabaseError as exc:  # e.g. network file systems refuse WAL
                if _damaged(exc):
                    raise
            conn.execute(_SCHEMA)
            conn.execute("SELECT 1 FROM emb LIMIT 1").fetchall()
        except BaseException as exc:
            conn.close()
            if isinstance(exc, sqlite3.DatabaseError) and _damaged(exc):
                raise _Damaged() from exc
            raise
        return conn

    def _open_readonly(self, why: sqlite3.Error) -> sqlite3.Connection | None:
        """Read the cache without writing it, or (no file to read) go without."""
        reason = _reason(why)
        if self.path.is_file():
            uris = [f"{self.path.resolve().as_uri()}?mode=ro"]
            if not Path(f"{self.path}-wal").exists():  # the main file is the whole database
                uris.append(f"{uris[0]}&immutable=1")
            for uri in uris:
                conn = None
                try:
                    conn = sqlite3.connect(uri, uri=True, timeout=60, isolation_level=None)
                    conn.execute("SELECT 1 FROM emb LIMIT 1").fetchall()
                except sqlite3.DatabaseError:
                    if conn is not None:
                        conn.close()
                    continue
                self.readonly = True
                note(f"cannot write the embedding cache ({reason}); reading it without adding to it", str(self.path))
                return conn
        self._disable(f"cannot write the embedding cache ({reason})", self.path)
        return None

    def _set_aside(self) -> None:
        """Rename the damaged file (and its journal) out of the way, unless
        another process sharing the folder did so already."""
        with _dir_lock(self.directory):
            try:
                self._connect().close()
                return  # someone else replaced it meanwhile
            except _Damaged:
                pass
            except sqlite3.OperationalError as exc:
                if not _unwritable(exc):
                    raise
                return  # _open goes on to the read-only path
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
            n = 1
            while aside.exists():
                n += 1
                aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
            try:
                os.replace(self.path, aside)
            except OSError as exc:
                self._disable(f"damaged, and cannot be moved aside ({exc.strerror or exc})", self.path)
                return
            for suffix in ("-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.replace(f"{self.path}{suffix}", f"{aside}{suffix}")
        note(f"damaged embedding cache moved aside to {aside.name}; building a new one", str(self.path))

    def _disable(self, message: str, path: Path) -> None:
        self.disabled = True
        note(f"{message}; running without the embedding cache", str(path))

    def _damaged_now(self) -> None:
        """The open file turned out damaged while in use: set it aside and start a new one."""
        self.close()
        self._set_aside()

    # -- reading and writing -----------------------------------------------------
    def get(self, encoder: str, texts: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        conn = self.conn
        if conn is None:
            return found
        keys = {_key(t): t for t in texts}
        klist = list(keys)
        try:
            for start in range(0, len(klist), 500):
                chunk = klist[start:start + 500]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT key, dim, vec FROM emb WHERE encoder=? AND key IN ({marks})", [encoder, *chunk])
                for key, dim, vec in rows:
                    arr = np.frombuffer(vec, dtype=np.float32)
                    if arr.size == dim:
                        found[keys[bytes(key)]] = arr
        except sqlite3.DatabaseError as exc:
            if _damaged(exc):
                self._damaged_now()
            elif isinstance(exc, sqlite3.OperationalError) and _unwritable(exc):
                self.close()
                self._disable(f"cannot read the embedding cache ({_reason(exc)})", self.path)
            else:
                raise
        return found

    def put(self, encoder: str, texts: list[str], vectors: np.ndarray) -> None:
        self.put_kinds(texts, {encoder: vectors})

    def put_kinds(self, texts: list[str], kinds: dict) -> None:
        """Store, in one transaction, each encoder name's vectors of ``texts``
        (``kinds``: name -> one vector, or array, per text)."""
        keys = [_key(t) for t in texts]
        rows = [(encoder, k, int(v.size), np.ascontiguousarray(v, dtype=np.float32).tobytes())
                for encoder, vectors in kinds.items() for k, v in zip(keys, vectors)]
        for attempt in range(2):  # a second time into the new file when the old one turns out damaged
            conn = self.conn
            if conn is None or self.readonly:
                return
            try:
                self._put(conn, rows)
                return
            except sqlite3.DatabaseError as exc:
                if _damaged(exc) and not attempt:
                    self._damaged_now()
                elif isinstance(exc, sqlite3.OperationalError) and _unwritable(exc):
                    self.readonly = True
                    note(f"cannot write the embedding cache ({_reason(exc)}); going on without adding to it",
                         str(self.path))
                    return
                elif _damaged(exc):
                    self.close()
                    self._disable("damaged again after it was rebuilt", self.path)
                    return
                else:
                    raise

    @staticmethod
    def _put(conn: sqlite3.Connection, rows: list[tuple]) -> None:
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
        conn = self.conn
        return 0 if conn is None else int(conn.execute("SELECT COUNT(*) FROM emb").fetchone()[0])

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _reason(exc: sqlite3.Error) -> str:
    return str(exc).strip() or type(exc).__name__


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
            self.cache.put(self.name, chunk, vecs)
        else:
            from . import split_rows

            vecs, rows, clause_vecs, counts = got
            clauses = split_rows(clause_vecs, counts)
            self.cache.put_kinds(chunk, {self._pooled_name: rows, self._clauses_name: clauses, self.name: vecs})
        self.encoded += len(chunk)
        return vecs, clauses

    @property
    def _pooled_name(self) -> str:
        return self.name + "/pooled"

    @property
    def _clauses_name(self) -> str:
        return self.name + "/clauses"

    def encode_clauses(self, texts: list[str]):
        """Per text, its clauses' vectors (k, dim), from the cache, as one
        :class:`align.embed.ClauseVectors` (each distinct text's rows once);
        None when the encoder has no such vectors (then the caller encodes
        the clauses' text). Read ``batch`` texts at a time, so that only
        those are ever held as float32."""
        if getattr(self.inner, "encode_all", None) is None:
            return None
        from . import ClauseVectors

        unique = list(dict.fromkeys(texts))
        blocks: list[np.ndarray] = []
        counts: list[int] = []
        encoded = 0
        for start in range(0, len(unique), self.batch):
            chunk = unique[start:start + self.batch]
            found = self.cache.get(self._clauses_name, chunk)
            missing = [t for t in chunk if t not in found]
            encoded += len(missing)
            if missing:
                clauses = self._encode_new(missing)[1]
                if clauses is None:
                    return None
                found.update(zip(missing, clauses))
            parts = [found[t].reshape(-1, self.dim) for t in chunk]
            counts.extend(len(p) for p in parts)
            blocks.append(np.concatenate(parts).astype(np.float16))
        if not unique:
            return ClauseVectors.empty(self.dim)
        if not encoded:
            self._release_model(len(unique))
        table = ClauseVectors.from_flat(np.concatenate(blocks), counts)
        at = np.fromiter((k for k in map({t: k for k, t in enumerate(unique)}.__getitem__, texts)), dtype=np.int64,
                         count=len(texts))
        return ClauseVectors(table.rows, table.start[at], table.stop[at])

    #: texts (or joined runs) in one call from which a served-from-cache call
    #: lets the encoder drop its model: a book's, not a chapter's
    RELEASE_AT = 2048

    def _release_model(self, size: int) -> None:
        """Let the encoder drop its model (USE: the tokenizer's tables and the
        embedding table's pages, about 130 MB) when a call of ``size`` texts
        found them all in the cache: a pair's clauses and joined runs are
        read after all its texts are encoded, and a book's memory peaks in
        the search that follows. A chapter's call (fewer than ``RELEASE_AT``)
        keeps it: the next chapter would load it again (0.3 s)."""
        release = getattr(self.inner, "release_model", None)
        if release is not None and size >= self.RELEASE_AT:
            release()

    def run_joiner(self, texts: list[str]):
        """A function giving the vectors of runs of ``texts`` joined (each run
        as the indices of its texts), as ``encode_joined`` gives them, with
        the texts' pooled rows read from the cache once for all the calls
        (the clause pass asks for a few runs in each of hundreds of small
        problems); None when the encoder cannot join."""
        join_rows = getattr(self.inner, "join_rows", None)
        if getattr(self.inner, "pooled", None) is None or join_rows is None:
            return None
        from .use import EDGE

        flat = list(dict.fromkeys([EDGE, *texts]))
        found = self.cache.get(self._pooled_name, flat)
        missing = [t for t in flat if t not in found]
        if missing:
            rows = self.inner.pooled(missing)
            if rows is None:
                return None
            self.cache.put(self._pooled_name, missing, rows)
            found.update(zip(missing, rows))
        table = np.stack([found[t] for t in flat])
        del found
        at = {t: k for k, t in enumerate(flat)}
        row_of = [at[t] for t in texts]

        def join(runs: list[list[int]]) -> np.ndarray:
            return join_rows(table, [[row_of[i] for i in run] for run in runs], table[0])

        return join

    def encode_joined(self, groups: list[list[str]]) -> np.ndarray | None:
        """Vectors of each group of texts as one joined text, from the texts'
        cached pooled rows; None when the encoder cannot join (then the
        caller encodes the joined text)."""
        if getattr(self.inner, "pooled", None) is None:
            return None
        from .use import EDGE

        self._release_model(len(groups))  # joins need the head's weights and the texts' cached rows
        flat = list(dict.fromkeys([EDGE] + [t for g in groups for t in g]))
        found = self.cache.get(self._pooled_name, flat)
        missing = [t for t in flat if t not in found]
        if missing:  # only these need the model (rows in the cache came from a checked model)
            rows = self.inner.pooled(missing)
            if rows is None:
                return None
            self.cache.put(self._pooled_name, missing, rows)
            found.update(zip(missing, rows))
        join_rows = getattr(self.inner, "join_rows", None)
        if join_rows is None:
            return self.inner.join([np.stack([found[t] for t in g]) for g in groups], found[EDGE])
        at = {t: k for k, t in enumerate(flat)}
        table = np.stack([found[t] for t in flat])  # the distinct texts' rows, once
        del found
        return join_rows(table, [[at[t] for t in g] for g in groups], table[0])
