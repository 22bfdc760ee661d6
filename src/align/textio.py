"""Reading text with encoding detection, and writing files atomically.

All file I/O of the tool goes through here so that every input gets the same
checks (missing, directory, binary, empty, encoding) and every output is
written to a temporary file and renamed into place: an interrupted run never
leaves a half-written file.

Encoding detection, in order (first match wins):

1. a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
2. NUL bytes present: UTF-16 LE or BE without BOM, whichever decodes to
   plausible text (otherwise the file is binary);
3. strict UTF-8;
4. UTF-16 without BOM and without NUL bytes (pure CJK text), only when the
   decode is plausible CJK text;
5. GB18030 (a superset of GBK and GB2312), only when the decode is plausible:
   GB18030 accepts many byte sequences, so Latin-1 English can decode to rare
   ideographs; real Chinese text is mostly characters of the GB2312 set;
6. text that is mostly ASCII with a few high bytes is Latin-script text in
   Windows-1252 (a superset of Latin-1's printable range);
7. charset-normalizer's guess; a guess of a Latin-script single-byte code page
   (which it often gets wrong between cp1250/cp1252/cp1257 on short English
   text) is read as Windows-1252 (Latin-1 with curly quotes), the encoding
   such files nearly always have in practice.
"""
from __future__ import annotations

import codecs
import contextlib
import os
import stat
import tempfile
import unicodedata
from pathlib import Path
from typing import IO, Iterator

from .errors import InputError, UsageError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# File signatures of common binary formats, for a clearer message.
_MAGIC = (
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
    (b"\xd0\xcf\x11\xe0", "an OLE document (.doc/.xls)"),
)

_SAMPLE = 1 << 16
_LATIN_SINGLE_BYTE = ("cp125", "iso8859", "latin", "mac_", "cp437", "cp850", "cp858", "ascii")


def _text_like(ch: str) -> bool:
    o = ord(ch)
    if o < 0x80:
        return ch.isprintable() or ch in "\n\r\t\f"
    return (
        0x00A0 <= o <= 0x024F  # Latin-1 supplement, Latin extended
        or 0x2000 <= o <= 0x206F  # general punctuation
        or 0x3000 <= o <= 0x303F  # CJK punctuation
        or 0x3400 <= o <= 0x4DBF  # CJK extension A
        or 0x4E00 <= o <= 0x9FFF  # CJK unified ideographs
        or 0xFF00 <= o <= 0xFFEF  # full-width forms
        or 0x2E80 <= o <= 0x2FDF  # CJK radicals
        or 0x3100 <= o <= 0x312F  # bopomofo
        or 0x20A0 <= o <= 0x21FF  # currency, letterlike, arrows
    )


def _plausibility(text: str) -> float:
    """Share of characters that ordinary Chinese/English text is made of."""
    if not text:
        return 0.0
    return sum(map(_text_like, text)) / len(text)


def _cjk_share(text: str) -> float:
    letters = [c for c in text if not c.isspace()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if "\u3400" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f"
               or "\uff00" <= c <= "\uffef") / len(letters)


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeError, LookupError):
        return None


def _plausible_gb(text: str) -> bool:
    """GB18030 decodes of non-Chinese bytes land on rare characters: real
    Chinese text is mostly made of the 6,763 GB2312 hanzi and punctuation."""
    text = text[:_SAMPLE]
    wide = [c for c in text if ord(c) >= 0x80]
    if not wide:
        return True
    common = 0
    for c in wide:
        try:
            c.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(wide) >= 0.5 and _plausibility(text) >= 0.95


def _utf16_without_bom(data: bytes, require_cjk: bool) -> str | None:
    if len(data) % 2:
        return None
    best: tuple[float, str] | None = None
    for enc in ("utf-16-le", "utf-16-be"):
        text = _try_decode(data[:_SAMPLE], enc)
        if text is None:
            continue
        score = _plausibility(text)
        if require_cjk and _cjk_share(text) < 0.3:
            continue
        if score >= 0.95 and (best is None or score > best[0]):
            best = (score, enc)
    return best[1] if best else None


def detect_encoding(data: bytes) -> str:
    """Name the encoding of ``data`` (see the module docstring for the order).

    Raises UnicodeError when no encoding gives plausible text.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    if b"\x00" in data[:_SAMPLE]:
        enc = _utf16_without_bom(data, require_cjk=False)
        if enc:
            return enc
        raise UnicodeError("contains NUL bytes and is not UTF-16")
    if _try_decode(data, "utf-8") is not None:
        return "utf-8"
    enc = _utf16_without_bom(data, require_cjk=True)
    if enc:
        return enc
    text = _try_decode(data, "gb18030")
    if text is not None and _plausible_gb(text):
        return "gb18030"
    high = sum(1 for b in data[:_SAMPLE] if b >= 0x80)
    if high <= 0.3 * min(len(data), _SAMPLE):
        # Mostly ASCII with a few high bytes: accented letters in Latin-script
        # text (a non-Latin single-byte text would be mostly high bytes).
        return "cp1252" if _try_decode(data, "cp1252") is not None else "latin-1"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    guess = best.encoding if best is not None else None
    if guess is None or guess.lower().replace("-", "_").startswith(_LATIN_SINGLE_BYTE):
        return "cp1252" if _try_decode(data, "cp1252") is not None else "latin-1"
    return guess


def _binary_kind(data: bytes) -> str | None:
    """A description when ``data`` is clearly not text, else None."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    sample = data[:8192]
    if not sample or any(sample.startswith(bom) for bom, _ in _BOMS):
        return None
    if b"\x00" in sample:
        return None if _utf16_without_bom(sample[: len(sample) // 2 * 2], require_cjk=False) else "a binary file"
    control = sum(1 for b in sample if b < 9 or 13 < b < 32 or b == 127)
    return "a binary file" if control > len(sample) // 20 else None


def normalize_newlines(text: str) -> str:
    """CRLF, CR, NEL and the Unicode line/paragraph separators become LF."""
    return (text.replace("\r\n", "\n").replace("\r", "\n").replace("\u0085", "\n")
            .replace("\u2028", "\n").replace("\u2029", "\n"))


def decode_bytes(data: bytes, path: str | os.PathLike = "<bytes>") -> str:
    """Decode file content to text with LF line endings and no BOM."""
    kind = _binary_kind(data)
    if kind:
        raise InputError(f"looks like {kind}, not text", path)
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
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError("no such file", p) from None
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", p) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a directory, expected a text file", p)
    if not stat.S_ISREG(st.st_mode):
        raise InputError("is not a regular file", p)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", p) from None
    text = decode_bytes(data, p)
    if not allow_empty and not text.strip():
        raise InputError("file is empty" if not text else "file contains only whitespace", p)
    return text


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


_UMASK: int | None = None


def _new_file_mode() -> int:
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0o022)
        os.umask(_UMASK)
    return 0o666 & ~_UMASK


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path``; rename it over ``path`` only if
    the block finishes without an exception (Ctrl-C included). Text mode
    writes ``\\n`` as is. The file gets the mode a plain ``open`` would give
    (mkstemp's 0600 is not kept)."""
    if mode not in ("w", "wt", "wb", "x", "xt", "xb"):
        raise ValueError(f"atomic_open supports write modes only, not {mode!r}")
    p = Path(path)
    if p.is_dir():
        raise UsageError("is a directory; give the output a file name", p)
    if "x" in mode and p.exists():
        raise FileExistsError(str(p))
    for parent in reversed(p.parents):  # mkdir would only say "File exists"
        if parent.exists() and not parent.is_dir():
            raise UsageError(f"{parent} is a file, not a directory; give the output another path", p)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    binary = "b" in mode
    try:
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else encoding,
                       newline=None if binary else "") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        try:
            file_mode = stat.S_IMODE(p.stat().st_mode)
        except OSError:
            file_mode = _new_file_mode()
        os.chmod(tmp, file_mode)
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
