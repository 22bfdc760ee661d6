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
