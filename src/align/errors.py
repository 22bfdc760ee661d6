"""The errors a user sees: one line, naming the file and the problem.

Each class has its own process exit code so that scripts can tell a usage
mistake from bad input from a bug in the tool.
"""
from __future__ import annotations

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
