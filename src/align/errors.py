"""The errors a user sees: one line, naming the file and the problem.

Each class has its own process exit code so that scripts can tell a usage
mistake from bad input from a bug in the tool.
"""
from __future__ import annotations

import contextlib
import sys
import warnings
from typing import Iterator

EXIT_OK = 0
EXIT_FLAGS = 1  # --strict found flags
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130


class AlignError(Exception):
    """Base class of the errors shown to users as one line."""

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str, path: str | None = None):
        self.path = str(path) if path is not None else None
        super().__init__(message)

    def __str__(self) -> str:
        msg = super().__str__()
        return f"{self.path}: {msg}" if self.path else msg


class UsageError(AlignError):
    """Wrong arguments or options."""

    exit_code = EXIT_USAGE


class InputError(AlignError):
    """An input file is missing, unreadable, empty or malformed."""

    exit_code = EXIT_INPUT


class DecodingWarning(UserWarning):
    """A text file was read with invalid bytes replaced by U+FFFD.

    Issued with ``warnings.warn`` by :func:`align.textio.read_text`; the CLI
    shows it as one ``align: warning:`` line, and ``--strict-encoding`` (or
    ``strict_encoding=True``) makes the read an :class:`InputError` instead.
    """

    def __init__(self, path: str, offset: int, count: int):
        self.path, self.offset, self.count = path, offset, count
        super().__init__(path, offset, count)

    def __str__(self) -> str:
        return (f"{self.path}: invalid UTF-8 at byte {self.offset} "
                f"({self.count} byte{'s' if self.count != 1 else ''} replaced)")


class Note(UserWarning):
    """Something the user should know that did not stop the run: a damaged
    cache moved aside and rebuilt, an unwritable one bypassed. Raised with
    :func:`note` through :mod:`warnings`; shown as one ``align: note: ...``
    line on stderr (see :func:`show_warnings`)."""


def note(message: str, path: str | None = None) -> None:
    """Tell the user ``path: message`` (one line) and carry on."""
    warnings.warn(f"{path}: {message}" if path else message, Note, stacklevel=2)


_HIDDEN = frozenset(("Cc", "Cf", "Cs", "Co", "Zl", "Zp"))


def printable(text: str) -> str:
    """``text`` with every control or invisible character escaped the way
    ``repr`` writes it (``\\x1b``, ``\\n``, ``\\u202e``), so that a file
    name cannot move the cursor, recolour the terminal or break the line."""
    import unicodedata

    if text.isascii() and text.isprintable():
        return text
    return "".join(c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) in _HIDDEN else c
                   for c in text)


def _line(message, category) -> str | None:
    """The one stderr line of a warning of ours, or None for other warnings."""
    if issubclass(category, Note):
        return f"align: note: {printable(str(message))}"
    if issubclass(category, DecodingWarning):
        return f"align: warning: {printable(str(message))}; use --strict-encoding to refuse"
    return None


def show_warnings() -> None:
    """From now on print :class:`Note` and :class:`DecodingWarning` as one
    ``align: note:`` / ``align: warning:`` line each on stderr, each text once
    (other warnings keep Python's format). The CLI's ``main`` does this for a
    command's run (:func:`warnings_to_stderr`); the corpus workers, which run
    no ``main``, for their life."""
    shown = warnings.showwarning
    if getattr(shown, "align_lines", False):
        return
    seen: set[str] = set()

    def showwarning(message, category, filename, lineno, file=None, line=None):
        text = _line(message, category)
        if text is None:
            shown(message, category, filename, lineno, file, line)
        elif text not in seen:
            seen.add(text)
            print(text, file=file or sys.stderr, flush=True)

    showwarning.align_lines = True
    warnings.showwarning = showwarning
    warnings.simplefilter("always", Note)
    warnings.simplefilter("always", DecodingWarning)


@contextlib.contextmanager
def warnings_to_stderr() -> Iterator[None]:
    """:func:`show_warnings` inside the block, the previous warning settings
    restored after it (the CLI's ``main`` also runs in-process, in tests)."""
    with warnings.catch_warnings():
        show_warnings()
        yield
