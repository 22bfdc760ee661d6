"""Reading text with encoding detection, and writing files atomically.

All file I/O of the tool goes through here so that every input gets the same
checks (missing, directory, binary, empty, encoding) and every output is
written to a temporary file and renamed into place: an interrupted run never
leaves a half-written file.
"""
from __future__ import annotations

import codecs
import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator

from .errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def detect_encoding(data: bytes) -> str:
    """Name the encoding of ``data``: BOMs first, then strict UTF-8, then
    UTF-16 without BOM (many NUL bytes), then GB18030 (a superset of GBK and
    GB2312), then charset-normalizer's best guess."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    sample = data[:4096]
    if sample and sample.count(0) > len(sample) // 4:
        even_nuls = sample[0::2].count(0)
        odd_nuls = sample[1::2].count(0)
        return "utf-16-le" if odd_nuls >= even_nuls else "utf-16-be"
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnicodeError("cannot detect the text encoding")
    return best.encoding


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    if any(sample.startswith(bom) for bom, _ in _BOMS):
        return False
    if sample.count(0) > len(sample) // 4:  # UTF-16 without BOM
        return False
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control > len(sample) // 20


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_bytes(data: bytes, path: str | os.PathLike = "<bytes>") -> str:
    if _looks_binary(data):
        raise InputError("looks like a binary file, not text", path)
    try:
        encoding = detect_encoding(data)
        text = data.decode(encoding)
    except (UnicodeError, LookupError) as exc:
        raise InputError(f"cannot decode text ({exc})", path) from None
    return normalize_newlines(text.lstrip("\ufeff"))


def read_text(path: str | os.PathLike, *, allow_empty: bool = False) -> str:
    """Read a text file in any common encoding; LF line endings, no BOM.

    Raises InputError (one line, naming the file) for a missing path, a
    directory, a binary or undecodable file, and an empty or whitespace-only
    file unless ``allow_empty``.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", p)
    if p.is_dir():
        raise InputError("is a directory, expected a text file", p)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", p) from None
    text = decode_bytes(data, p)
    if not allow_empty and not text.strip():
        raise InputError("file is empty" if not text else "file contains only whitespace", p)
    return text


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path``; rename it over ``path`` only if
    the block finishes without an exception."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    binary = "b" in mode
    try:
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else "") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text(path: str | os.PathLike, text: str) -> Path:
    with atomic_open(path, "w") as fh:
        fh.write(text)
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    with atomic_open(path, "wb") as fh:
        fh.write(data)
    return Path(path)
