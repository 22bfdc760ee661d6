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

Nothing heavy is imported here (the cache folder's module, which imports
numpy, only when an index is loaded).
"""
from __future__ import annotations

import importlib.util
import marshal
import struct
import zlib
from collections.abc import Callable, Iterable
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


def load_or_build(index_class: type[Index], name: str, build: Callable[[], bytes], without: str) -> Index:
    """The index in the cache folder's file ``name``; built by ``build`` (and
    written there atomically) when missing or damaged.

    A damaged file (one that does not open as this kind of index) is said in
    one note and rebuilt; one that cannot be written (a read-only cache
    folder, a file where the folder should be) in one note ending with
    ``without``, what that costs (``"the dictionary is parsed again on every
    run"``). Without any usable cache folder the index is only built.
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
    data = build()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes(target, data)
    except (OSError, UsageError) as exc:  # UsageError: a directory where the file should be
        reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else exc.args[0]
        note(f"cannot write the {index_class.WHAT} cache ({reason}); {without}", str(target))
    return index_class(data)
