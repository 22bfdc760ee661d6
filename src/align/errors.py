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


class Note(UserWarning):
    """Something the user should know that did not stop the run: a damaged
    cache moved aside and rebuilt, an unwritable one bypassed. Raised with
    :func:`note` through :mod:`warnings`; the CLI shows each as one
    ``align: note: ...`` line on stderr (see :func:`notes_to_stderr`)."""


def note(message: str, path: str | None = None) -> None:
    """Tell the user ``path: message`` (one line) and carry on."""
    warnings.warn(f"{path}: {message}" if path else message, Note, stacklevel=2)


def show_notes() -> None:
    """From now on print :class:`Note` warnings as ``align: note: ...``
    lines on stderr, every one (other warnings keep Python's format). For
    processes that run no CLI ``main``, such as the corpus workers."""
    shown = warnings.showwarning
    if getattr(shown, "align_notes", False):
        return

    def showwarning(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, Note):
            print(f"align: note: {message}", file=file or sys.stderr, flush=True)
        else:
            shown(message, category, filename, lineno, file, line)

    showwarning.align_notes = True
    warnings.showwarning = showwarning
    warnings.simplefilter("always", Note)


@contextlib.contextmanager
def notes_to_stderr() -> Iterator[None]:
    """:func:`show_notes` inside the block, the previous warning settings
    restored after it (the CLI's ``main`` also runs in-process, in tests)."""
    with warnings.catch_warnings():
        show_notes()
        yield
