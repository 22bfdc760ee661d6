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
6. *mostly* UTF-8: the file holds at least as many bytes of well-formed
   UTF-8 characters (of the scripts text is made of) as invalid bytes: a
   stray 0xff in a Chinese file, or in an English one with a curly quote; a
   legacy code page has next to no well-formed UTF-8 sequences, only
   invalid bytes (see :class:`Utf8Damage`). It is read as UTF-8 with each invalid sequence replaced
   by U+FFFD, and a :class:`~align.errors.DecodingWarning` names the file,
   the first bad byte and how many there are;
7. text that is mostly ASCII with a few high bytes is Latin-script text in
   Windows-1252 (a superset of Latin-1's printable range) when it decodes
   cleanly as such, else UTF-8 with the bad bytes replaced (as in 6);
8. charset-normalizer's guess; a guess of a Latin-script single-byte code page
   (which it often gets wrong between cp1250/cp1252/cp1257 on short English
   text) is read as Windows-1252 (Latin-1 with curly quotes), the encoding
   such files nearly always have in practice.

Strict encoding (``strict_encoding=True``, or ``ALIGN_STRICT_ENCODING=1`` in
the environment, which ``--strict-encoding`` sets so that worker processes
see it too) turns the replacements of 6, 7 and of a UTF-8 file with a BOM
into an InputError.

Outputs: :func:`check_output` is the one check of an output path (not an
input of the command, not a directory, device, pipe or socket, a writable
place) that every command runs before doing any work; :func:`atomic_open`
writes through a temporary file ``.NAME.PID.RANDOM.tmp`` beside the output
and renames it into place.
"""
from __future__ import annotations

import codecs
import contextlib
import errno
import os
import re
import stat
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator, Mapping, Union

from .errors import DecodingWarning, InputError, UsageError

PathLike = Union[str, os.PathLike]
STRICT_ENCODING_ENV = "ALIGN_STRICT_ENCODING"

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


_ESCAPED = re.compile("[\udc80-\udcff]")  # the bytes surrogateescape could not decode
# Non-ASCII characters of Chinese and English text by the length of their
# UTF-8 encoding (the ranges of _text_like, and CJK extension B and beyond).
_TEXT_2 = re.compile("[\u00a0-\u024f]")
_TEXT_3 = re.compile("[\u2000-\u206f\u20a0-\u21ff\u2e80-\u2fdf\u3000-\u303f\u3100-\u312f"
                     "\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_TEXT_4 = re.compile("[\U00020000-\U0003134f]")


def _count(pattern: re.Pattern, text: str) -> int:
    return len(text) - len(pattern.sub("", text))


@dataclass(frozen=True)
class Utf8Damage:
    """What a UTF-8 decode of bytes that are not valid UTF-8 found."""

    bad: int  # invalid bytes
    first: int  # offset of the first one (-1: none)
    good: int  # bytes of well-formed non-ASCII UTF-8 characters of the kinds text is made of

    @property
    def mostly_utf8(self) -> bool:
        """Some bad bytes, and at least as many bytes of well-formed
        multibyte characters: bytes of a legacy code page are mostly invalid
        UTF-8, and their few well-formed accidents decode to rare scripts
        (cp1252 ``ß“`` is U+07D3, NKo), which are not counted."""
        return 0 < self.bad <= self.good


def utf8_damage(data: bytes) -> Utf8Damage:
    """Count the invalid bytes of ``data`` read as UTF-8 (zero when it is valid)."""
    text = data.decode("utf-8", "surrogateescape")
    good = 2 * _count(_TEXT_2, text) + 3 * _count(_TEXT_3, text) + 4 * _count(_TEXT_4, text)
    first = _ESCAPED.search(text)
    if first is None:
        return Utf8Damage(0, -1, good)
    return Utf8Damage(_count(_ESCAPED, text), len(text[:first.start()].encode("utf-8")), good)


def _detect(data: bytes) -> tuple[str, Utf8Damage | None]:
    """The encoding, and the damage when it is UTF-8 with bad bytes to replace."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            if name == "utf-8-sig" and _try_decode(data, name) is None:
                damage = utf8_damage(data)
                if damage.mostly_utf8:
                    return name, damage
            return name, None
    if b"\x00" in data[:_SAMPLE]:
        enc = _utf16_without_bom(data, require_cjk=False)
        if enc:
            return enc, None
        raise UnicodeError("contains NUL bytes and is not UTF-16")
    if _try_decode(data, "utf-8") is not None:
        return "utf-8", None
    enc = _utf16_without_bom(data, require_cjk=True)
    if enc:
        return enc, None
    text = _try_decode(data, "gb18030")
    if text is not None and _plausible_gb(text):
        return "gb18030", None
    damage = utf8_damage(data)
    if damage.mostly_utf8:
        return "utf-8", damage
    high = sum(1 for b in data[:_SAMPLE] if b >= 0x80)
    if high <= 0.3 * min(len(data), _SAMPLE):
        # Mostly ASCII with a few high bytes: accented letters in Latin-script
        # text (a non-Latin single-byte text would be mostly high bytes);
        # bytes that are not even Windows-1252 are damage, not a code page.
        return ("cp1252", None) if _try_decode(data, "cp1252") is not None else ("utf-8", damage)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    guess = best.encoding if best is not None else None
    if guess is None or guess.lower().replace("-", "_").startswith(_LATIN_SINGLE_BYTE):
        return ("cp1252" if _try_decode(data, "cp1252") is not None else "latin-1"), None
    return guess, None


def detect_encoding(data: bytes) -> str:
    """Name the encoding of ``data`` (see the module docstring for the order).

    UTF-8 with a few invalid bytes is ``"utf-8"`` (or ``"utf-8-sig"``) too:
    :func:`decode_bytes` replaces them. Raises UnicodeError when no encoding
    gives plausible text.
    """
    return _detect(data)[0]


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


def strict_encoding_default() -> bool:
    """Whether ``ALIGN_STRICT_ENCODING`` asks for strict decoding (what
    ``--strict-encoding`` sets; the environment reaches worker processes)."""
    return os.environ.get(STRICT_ENCODING_ENV, "").strip().lower() not in ("", "0", "false", "no", "off")


def decode_bytes(data: bytes, path: PathLike = "<bytes>", *, strict_encoding: bool | None = None) -> str:
    """Decode file content to text with LF line endings and no BOM.

    UTF-8 with a few invalid bytes (see the module docstring) is decoded with
    each invalid sequence replaced by U+FFFD and a
    :class:`~align.errors.DecodingWarning` (``warnings.warn``) naming the file
    and the first bad byte; with ``strict_encoding`` (default: the
    environment, :func:`strict_encoding_default`) it is an InputError.
    """
    kind = _binary_kind(data)
    if kind:
        raise InputError(f"looks like {kind}, not text", path)
    try:
        encoding, damage = _detect(data)
        if damage is None:
            text = data.decode(encoding)
    except (UnicodeError, LookupError) as exc:
        raise InputError(f"cannot decode text ({exc})", path) from None
    if damage is not None:
        if strict_encoding is None:
            strict_encoding = strict_encoding_default()
        if strict_encoding:
            raise InputError(f"invalid UTF-8 at byte {damage.first} ({damage.bad} bad "
                             f"byte{'s' if damage.bad != 1 else ''}); strict encoding refuses to replace them", path)
        warnings.warn(DecodingWarning(str(path), damage.first, damage.bad), stacklevel=3)
        text = data.decode("utf-8", "replace")
    return normalize_newlines(text.lstrip("\ufeff"))


def read_text(path: PathLike, *, allow_empty: bool = False, strict_encoding: bool | None = None) -> str:
    """Read a text file in any common encoding; LF line endings, no BOM.

    Raises InputError (one line, naming the file) for a missing path, a
    directory, a binary or undecodable file, and an empty or whitespace-only
    file unless ``allow_empty``. A mostly-UTF-8 file with a few bad bytes is
    read with them replaced and a DecodingWarning, or refused with
    ``strict_encoding`` (see :func:`decode_bytes`).
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
    text = decode_bytes(data, p, strict_encoding=strict_encoding)
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


def _paths(given: PathLike | Iterable[PathLike] | None) -> list[PathLike]:
    if given is None:
        return []
    if isinstance(given, (str, os.PathLike)):
        return [given]
    return [q for q in given if q is not None]


def same_file(a: PathLike, b: PathLike) -> bool:
    """Whether two paths name one file: the same resolved path, or the same
    inode (a hard link, a symlink, another spelling on a case-insensitive
    disk). A path that cannot be looked at is not the same as anything."""
    try:
        if Path(a).expanduser().resolve() == Path(b).expanduser().resolve():
            return True
    except (OSError, RuntimeError):
        pass
    try:
        sa, sb = os.stat(a), os.stat(b)
    except (OSError, ValueError):
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def _stat_output(q: Path, output: Path) -> os.stat_result | None:
    """``os.stat(q)`` (following links), None for a path that does not exist."""
    try:
        return os.stat(q)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise UsageError(f"cannot check the output path ({exc.strerror or exc}); choose another output path",
                         output) from None


def _not_regular(st: os.stat_result) -> str:
    mode = st.st_mode
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _check_kind(p: Path, st: os.stat_result | None, directory: bool) -> None:
    """What is at the output path already: nothing, or what the output is."""
    if st is None:
        return
    if directory:
        if not stat.S_ISDIR(st.st_mode):
            kind = "a file" if stat.S_ISREG(st.st_mode) else _not_regular(st)
            raise UsageError(f"output is not a directory but {kind}; give a directory or a new path", p)
    elif stat.S_ISDIR(st.st_mode):
        raise UsageError("the output is a directory; give a file name", p)
    elif not stat.S_ISREG(st.st_mode):
        raise UsageError(f"is {_not_regular(st)}; the output must be a regular file or a new path", p)


def check_output(path: PathLike, inputs: Mapping[str, PathLike | Iterable[PathLike] | None] | None = None, *,
                 directory: bool = False) -> None:
    """Refuse, with a UsageError naming the path, an output that must not or
    cannot be written; every command calls this before doing any work (and
    :func:`atomic_open` again before writing).

    ``inputs`` maps a role (``"source"``, ``"translation"``, ``"glossary"``...)
    to the path or paths the command reads: the output may be none of them,
    by resolved path or by inode (a hard link, a symlink). The output must
    be a regular file or a new path (a directory when ``directory``), with
    no file where one of its folders should be, in a writable folder, and
    not a read-only file. A missing input is not an error here: reading it
    says so later.
    """
    p = Path(path)
    for parent in reversed(p.parents):  # mkdir would only say "File exists"
        st = _stat_output(parent, p)
        if st is not None and not stat.S_ISDIR(st.st_mode):
            raise UsageError(f"{parent} is a file, not a directory; give the output another path", p)
    st = _stat_output(p, p)
    _check_kind(p, st, directory)
    if st is not None and not os.access(p, os.W_OK | (os.X_OK if directory else 0)):
        raise UsageError("is read-only; choose another output path", p)
    if st is None or not directory:
        where = p.parent
        while _stat_output(where, p) is None and where != where.parent:
            where = where.parent
        if not os.access(where, os.W_OK | os.X_OK):
            raise UsageError(f"cannot write in {where} (not writable); choose another output path", p)
    what = "directory" if directory else "file"
    for role, given in (inputs or {}).items():
        for q in _paths(given):
            if same_file(p, q):
                raise UsageError(f"the output is the same {what} as the input {role} {q}; "
                                 "choose another output path", p)


# Temporary files are named .NAME.PID.RANDOM.tmp: a writer killed before it
# could clean up (SIGKILL, power loss) leaves one behind, which the next
# write of the same output removes once PID is no longer running.
_TEMP_NAME_MAX = 200  # of NAME in the temporary name: the whole must stay under NAME_MAX


def _temp_prefix(p: Path) -> str:
    return f".{p.name[:_TEMP_NAME_MAX]}."


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` may be running (True when unsure)."""
    if os.name == "nt" or pid <= 0:  # os.kill(pid, 0) would end a process on Windows
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: another user's live process
        return True
    return True


def remove_stale_temps(path: PathLike) -> list[Path]:
    """Delete the temporary files that killed writers of ``path`` left beside
    it (``.NAME.PID.RANDOM.tmp`` whose PID no longer runs); those of live
    processes (a concurrent run writing the same output) are kept. Returns
    the files removed."""
    p = Path(path)
    pattern = re.compile(re.escape(_temp_prefix(p)) + r"(\d+)\.[A-Za-z0-9_]+\.tmp")
    removed: list[Path] = []
    try:
        entries = os.scandir(p.parent)
    except OSError:
        return removed
    with entries:
        for entry in entries:
            m = pattern.fullmatch(entry.name)
            if m is None or int(m.group(1)) == os.getpid() or _pid_alive(int(m.group(1))):
                continue
            with contextlib.suppress(OSError):
                if entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def _about_output(exc: OSError, p: Path) -> OSError:
    """The same error, naming the output rather than the temporary file (or no file)."""
    if exc.errno is None or exc.filename == str(p):
        return exc
    return OSError(exc.errno, exc.strerror or os.strerror(exc.errno), str(p))


@contextlib.contextmanager
def atomic_open(path: PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path``; rename it over ``path`` only if
    the block finishes without an exception (Ctrl-C included). Text mode
    writes ``\\n`` as is. The file gets the mode a plain ``open`` would give
    (mkstemp's 0600 is not kept).

    ``path`` must pass :func:`check_output` (a UsageError otherwise): a
    directory, device, pipe or socket is never replaced. An OSError while
    writing (a full disk, a read-only file system) names ``path``, not the
    temporary file.
    """
    if mode not in ("w", "wt", "wb", "x", "xt", "xb"):
        raise ValueError(f"atomic_open supports write modes only, not {mode!r}")
    p = Path(path)
    check_output(p)
    if "x" in mode and p.exists():
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(p))
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(p)
        fd, tmp = tempfile.mkstemp(prefix=f"{_temp_prefix(p)}{os.getpid()}.", suffix=".tmp", dir=p.parent)
    except OSError as exc:
        raise _about_output(exc, p) from exc
    binary = "b" in mode
    try:
        fh = os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else encoding,
                       newline=None if binary else "")
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    try:
        try:
            yield fh
        except OSError as exc:
            if exc.filename is None and exc.filename2 is None:  # a write to fh: about the output
                raise _about_output(exc, p) from exc
            raise
        try:
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
            _check_kind(p, _stat_output(p, p), directory=False)  # not replaced by a device meanwhile
            try:
                file_mode = stat.S_IMODE(p.stat().st_mode)
            except OSError:
                file_mode = _new_file_mode()
            os.chmod(tmp, file_mode)
            os.replace(tmp, p)
        except OSError as exc:
            raise _about_output(exc, p) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            fh.close()
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
