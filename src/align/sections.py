"""Indexes cut into sections by first character, kept as one file in the cache folder.

The CC-CEDICT index (:mod:`.embed.lexical`), jieba's tag index
(:mod:`.segment.zh_tags`) and pypinyin's index (:mod:`.embed.lexical_pinyin`)
spare a process loading a whole dictionary: a text unmarshals only the
sections of the characters it has. Each is one block of bytes::

    header   magic (8 bytes), format, an integer of metadata, directory bytes,
             section bytes, crc32 of directory and sections (``HEADER``)
    directory  marshalled dict: section key -> (offset, length) in the sections
    sections   each a marshalled object, unmarshalled on first use

kept in the cache folder under a name stamped with the installed package's
files (another version gets its own file). :func:`load_or_build` opens it,
or builds it (and says so in one ``align: note:`` line when the file there
was damaged, or when the new one cannot be written).

The three indexes (``GROUPS``) are built in short-lived child processes
where the cache folder can keep them: a build holds its whole dictionary
for a moment (a first cold mac-dev chapter peaked at 338 MiB with the
builds in the process, 263 MiB without), which then never counts in the
calling process's peak, and :func:`prepare`, called as an alignment starts,
lets the builds of a first run go on while the caller reads, segments and
encodes. A child writes its file atomically and is waited for when its
index is needed; one still running when the caller exits (or is
interrupted) is stopped, and leaves no file. Where no child can do it
(no cache folder, one that cannot be written, a child that failed), the
index is built in the process, as before, with the same notes.

Nothing heavy is imported here (the cache folder's module, which imports
numpy, only when an index is loaded).
"""
from __future__ import annotations

import atexit
import importlib
import importlib.util
import marshal
import os
import struct
import subprocess
import sys
import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, TypeVar

HEADER = struct.Struct("<8sIQQQI")  # magic, format, metadata, directory bytes, section bytes, crc32 of both

Index = TypeVar("Index", bound="SectionedIndex")


class SectionedIndex:
    """An opened block of sections. A subclass names its kind in its class
    line: ``magic`` (8 bytes), ``version`` (the format's number, bumped
    whenever what its sections hold changes, so that an old file is
    rebuilt) and ``what`` (its name in messages, ``"CC-CEDICT index"``)::

        class CedictIndex(SectionedIndex, magic=b"ALIGNCDX", version=2, what="CC-CEDICT index"):

    Opening checks the header, the length and the checksum, and raises
    ValueError on bytes it did not write."""

    MAGIC: ClassVar[bytes]
    FORMAT: ClassVar[int]
    WHAT: ClassVar[str]

    def __init_subclass__(cls, *, magic: bytes, version: int, what: str, **kwargs):
        super().__init_subclass__(**kwargs)
        if len(magic) != 8:
            raise TypeError(f"{cls.__name__}: the magic is 8 bytes")
        cls.MAGIC, cls.FORMAT, cls.WHAT = magic, version, what

    def __init__(self, data: bytes):
        if len(data) < HEADER.size:
            raise ValueError(f"not a {self.WHAT}: too short")
        magic, fmt, meta, dir_len, body_len, crc = HEADER.unpack_from(data)
        if magic != self.MAGIC or fmt != self.FORMAT or len(data) != HEADER.size + dir_len + body_len:
            raise ValueError(f"not a {self.WHAT} of this format")
        if zlib.crc32(memoryview(data)[HEADER.size:]) != crc:
            raise ValueError(f"not a {self.WHAT}: checksum mismatch")
        try:
            directory = marshal.loads(memoryview(data)[HEADER.size:HEADER.size + dir_len])
        except (EOFError, TypeError, ValueError) as exc:
            raise ValueError(f"not a {self.WHAT}: {exc}") from None
        if not isinstance(directory, dict):
            raise ValueError(f"not a {self.WHAT}: no directory")
        self._data = data
        self._base = HEADER.size + dir_len
        self._directory: dict[str, tuple[int, int]] = directory
        self._sections: dict[str, object] = {}
        self.meta = meta

    @classmethod
    def pack_sections(cls, sections: dict[str, object], meta: int = 0) -> bytes:
        """The bytes of an index of these sections (key -> any marshallable
        object) and ``meta`` (an integer the subclass gives a meaning)."""
        directory, blobs, offset = {}, [], 0
        for key in sorted(sections):
            blob = marshal.dumps(sections[key])
            directory[key] = (offset, len(blob))
            blobs.append(blob)
            offset += len(blob)
        body = marshal.dumps(directory) + b"".join(blobs)
        return HEADER.pack(cls.MAGIC, cls.FORMAT, meta, len(body) - offset, offset, zlib.crc32(body)) + body

    def section(self, key: str):
        """The section under ``key``, unmarshalled once; ``{}`` when there is none."""
        got = self._sections.get(key)
        if got is None:
            where = self._directory.get(key)
            got = {} if where is None else marshal.loads(
                memoryview(self._data)[self._base + where[0]:self._base + where[0] + where[1]])
            self._sections[key] = got
        return got

    def forget(self) -> None:
        """Drop the unmarshalled sections (the index's bytes stay): what a
        long text unmarshalled is not kept while other work runs; a section
        is unmarshalled again when next asked for."""
        self._sections.clear()

    def keys(self) -> list[str]:
        """The keys of the sections, in the order they were packed."""
        return list(self._directory)


def package_root(package: str) -> Path:
    """The folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(package)
    roots = list(spec.submodule_search_locations or []) if spec else []
    if not roots:
        from .errors import InputError

        raise InputError(f"{package} not found; pip install {package}", package)
    return Path(roots[0])


def stamped_name(stem: str, root: Path, files: Iterable[str], *also: str) -> str:
    """``STEM-XXXXXXXX.bin``, XXXXXXXX the crc32 of the sizes and times of
    these files under ``root`` (``-`` for a missing one) and of ``also``."""
    stamp = []
    for name in files:
        try:
            st = (root / name).stat()
            stamp.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            stamp.append(f"{name}:-")
    stamp.extend(also)
    return f"{stem}-{zlib.crc32('|'.join(stamp).encode('utf-8')):08x}.bin"


@dataclass(frozen=True)
class IndexFile:
    """One index as :func:`load_or_build` takes it: its class, its file's name
    in the cache folder, what builds its bytes, and what a cache folder that
    cannot keep it costs."""

    index_class: type[SectionedIndex]
    name: str
    build: Callable[[], bytes]
    without: str


#: The indexes a call may build, as ``module:function`` (the function gives
#: the index's :class:`IndexFile`), in groups: :func:`prepare` builds each
#: group's missing files in one child process, members in order. jieba's
#: tags go alone (the clause rule asks them before anything is encoded);
#: CC-CEDICT and pinyin, which the lexical view asks once encoding is done,
#: share the other core meanwhile.
GROUPS = (("align.segment.zh_tags:index_file",),
          ("align.embed.lexical:index_file", "align.embed.lexical_pinyin:index_file"))


def index_file(ref: str) -> IndexFile:
    """The :class:`IndexFile` that ``module:function`` gives."""
    module, _, function = ref.partition(":")
    return getattr(importlib.import_module(module), function)()


def load(ref: str) -> SectionedIndex:
    """The index ``module:function`` names (see ``GROUPS``): read from the
    cache folder, else built there by a child process, else built here."""
    f = index_file(ref)
    index = load_or_build(f.index_class, f.name, f.build, f.without, child=ref)
    _LOADED.add(ref)
    return index


def load_or_build(index_class: type[Index], name: str, build: Callable[[], bytes], without: str, *,
                  child: str | None = None) -> Index:
    """The index in the cache folder's file ``name``; built by ``build`` (and
    written there atomically) when missing or damaged.

    A damaged file (one that does not open as this kind of index) is said in
    one note and rebuilt; one that cannot be written (a read-only cache
    folder, a file where the folder should be) in one note ending with
    ``without``, what that costs (``"the dictionary is parsed again on every
    run"``). Without any usable cache folder the index is only built.

    ``child`` (``module:function``, as in ``GROUPS``) lets a child process
    build the file (one :func:`prepare` started, or a new one) when the
    folder can be written; ``build`` runs here only if that fails.
    """
    from .embed.cache import default_cache_dir
    from .errors import UsageError, note
    from .textio import write_bytes

    try:
        target = default_cache_dir() / name
    except OSError:  # no usable cache folder at all
        return index_class(build())
    try:
        with open(target, "rb") as fh:
            return index_class(fh.read())
    except ValueError:  # what the index (and marshal) raise on bytes it did not write
        note(f"damaged {index_class.WHAT} cache; rebuilding it", str(target))
    except OSError:  # not there yet, or not readable: writing it says why if that fails too
        pass
    if child is not None:
        built = _built_by_child(index_class, target, child)
        if built is not None:
            return built
    data = build()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(target, data)
    except (OSError, UsageError) as exc:  # UsageError: a directory where the file should be
        reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else exc.args[0]
        note(f"cannot write the {index_class.WHAT} cache ({reason}); {without}", str(target))
    return index_class(data)


# --------------------------------------------------------------------------- builds in child processes

_LOCK = threading.Lock()
_CHILDREN: dict[Path, subprocess.Popen] = {}  # target file -> the child building it (a group's under each)
#: the indexes this process has loaded (their modules keep them): another cache folder's run
#: (tests, a library user switching folders) does not start children to build them again
_LOADED: set[str] = set()
_STOP_AT_EXIT: list = []  # stop_children, once registered with atexit
_CHILD_MAIN = "import sys; from align.sections import child_main; sys.exit(child_main(sys.argv[1:]))"


def _writable_folder(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def _spawn(folder: Path, refs: list[str]) -> subprocess.Popen | None:
    """A child building ``refs`` into ``folder`` (this interpreter, this
    ``sys.path``), or None when it cannot be started."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    try:
        proc = subprocess.Popen([sys.executable, "-c", _CHILD_MAIN, str(folder), *refs], env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return None
    if not _STOP_AT_EXIT:
        _STOP_AT_EXIT.append(atexit.register(stop_children))
    return proc


def prepare(groups: Iterable[Iterable[str]] = GROUPS) -> None:
    """Start building, one child process per group, the indexes whose files
    the cache folder lacks (a first run); nothing when it has them all or
    cannot keep them, nor for an index this process has loaded already."""
    from .embed.cache import default_cache_dir

    try:
        folder = default_cache_dir()
    except OSError:
        return
    with _LOCK:
        wanted = [[(ref, folder / index_file(ref).name) for ref in group if ref not in _LOADED] for group in groups]
        missing = [[(ref, t) for ref, t in group if not t.exists() and t not in _CHILDREN] for group in wanted]
        if not any(missing) or not _writable_folder(folder):
            return
        for group in missing:
            proc = _spawn(folder, [ref for ref, _ in group]) if group else None
            for _, target in group if proc is not None else ():
                _CHILDREN[target] = proc


def _built_by_child(index_class: type[Index], target: Path, ref: str) -> Index | None:
    """The index a child wrote to ``target`` (the one building it already, or
    a new one); None when the folder cannot be written or the child failed."""
    with _LOCK:
        proc = _CHILDREN.get(target)
        if proc is None and _writable_folder(target.parent):
            proc = _spawn(target.parent, [ref])
            if proc is not None:
                _CHILDREN[target] = proc
    if proc is None:
        return None
    try:
        proc.wait()
    except BaseException:  # Ctrl-C, SIGTERM turned into an exception: no child outlives the wait
        stop_children()
        raise
    with _LOCK:
        if _CHILDREN.get(target) is proc:
            del _CHILDREN[target]
    if proc.returncode != 0:
        return None
    return _good_file(index_class, target)  # None: gone, or replaced by something else meanwhile: built here


def _good_file(index_class: type[Index], target: Path) -> Index | None:
    """The index in ``target``, or None where it is missing, unreadable or not such an index."""
    try:
        with open(target, "rb") as fh:
            return index_class(fh.read())
    except (OSError, ValueError):
        return None


def stop_children() -> None:
    """Stop the children still building (their files are left unwritten)
    and wait for them: at exit, and when a wait for one is interrupted."""
    with _LOCK:
        procs = list({id(p): p for p in _CHILDREN.values()}.values())
        _CHILDREN.clear()
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _terminated(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    raise SystemExit(128 + signum)


def child_main(argv: list[str]) -> int:
    """A child's work: ``FOLDER REF...``, each index written atomically into
    ``FOLDER`` unless a good one is there already. SIGTERM and Ctrl-C end it
    through the atomic write's clean-up: no file, no temporary file."""
    import signal

    from .textio import write_bytes

    signal.signal(signal.SIGTERM, _terminated)
    folder, refs = Path(argv[0]), argv[1:]
    try:
        for ref in refs:
            f = index_file(ref)
            target = folder / f.name
            if _good_file(f.index_class, target) is None:  # else another process wrote it meanwhile
                write_bytes(target, f.build())
    except KeyboardInterrupt:
        return 130
    return 0
