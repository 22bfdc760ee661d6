"""Shared CLI helpers: consoles, progress bars, JSON output, error and
warning lines, the output check and the options every command shares."""
from __future__ import annotations

import contextlib
import json
import os
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from rich.console import Console


@dataclass
class _State:
    debug: bool = False


STATE = _State()
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


# Control characters (ANSI escapes), format characters (bidirectional
# overrides), surrogates (undecodable bytes of file names), private-use
# characters and line separators: shown escaped, never written raw.
_HIDDEN = frozenset(("Cc", "Cf", "Cs", "Co", "Zl", "Zp"))


def printable(text: str) -> str:
    """``text`` with every control or invisible character escaped the way
    ``repr`` writes it (``\\x1b``, ``\\n``, ``\\u202e``), so that a file
    name cannot move the cursor, recolour the terminal or break the line."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) in _HIDDEN else c
                   for c in text)


def error_line(message: str) -> None:
    """One line on stderr, no markup interpretation, control characters escaped."""
    print(f"align: error: {printable(message)}", file=sys.stderr)


def warning_line(message: str) -> None:
    """One warning line on stderr, control characters escaped."""
    print(f"align: warning: {printable(message)}", file=sys.stderr)


class WarningLines:
    """A ``warnings.showwarning`` for the time a command runs: a
    DecodingWarning becomes one ``align: warning:`` line (each shown once);
    other warnings go to the ``default`` display."""

    def __init__(self, default):
        self.default = default
        self.shown: set[str] = set()

    def __call__(self, message, category, filename, lineno, file=None, line=None) -> None:
        from ..errors import DecodingWarning

        if not issubclass(category, DecodingWarning):
            self.default(message, category, filename, lineno, file, line)
            return
        text = f"{message}; use --strict-encoding to refuse"
        if text not in self.shown:
            self.shown.add(text)
            warning_line(text)


def output_path(output: os.PathLike | str | None,
                inputs: Mapping[str, os.PathLike | str | Iterable[os.PathLike | str] | None], *,
                stdout: bool = False, directory: bool = False) -> Path | None:
    """The output path after :func:`align.textio.check_output` (a usage error
    when it is one of ``inputs``, a directory, a device...); None for no
    output, or for ``-`` (standard output) where the command has ``stdout``."""
    from ..textio import check_output

    if output is None or (stdout and str(output) == "-"):
        return None
    check_output(output, inputs, directory=directory)
    return Path(output)


def interactive() -> bool:
    """True when stderr is a terminal: progress bars only then."""
    return err.is_terminal


def json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def print_json(data: Any) -> None:
    sys.stdout.write(json_text(data))


@contextlib.contextmanager
def progress(description: str, total: int | None = None, *, enabled: bool | None = None) -> Iterator[Any]:
    """A rich progress bar on stderr when interactive; a no-op callable otherwise.

    Yields ``advance(n=1)``. Library code takes an optional ``progress``
    callback; the CLI passes this one.
    """
    if enabled is None:
        enabled = interactive()
    if not enabled:
        yield lambda n=1, **kw: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(), TimeRemainingColumn(), console=err, transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)

        def advance(n: int = 1, total: int | None = None, description: str | None = None) -> None:
            if total is not None:
                bar.update(task, total=total)
            if description is not None:
                bar.update(task, description=description)
            bar.advance(task, n)

        yield advance


def level_option():
    """The ``--level`` option every aligning command takes."""
    import typer

    return typer.Option("sentence", "--level", help="Segment into sentences or clauses: sentence or clause.")


def _strict_encoding(value: bool) -> bool:
    if value:  # the environment: worker processes read files too
        from ..textio import STRICT_ENCODING_ENV

        os.environ[STRICT_ENCODING_ENV] = "1"
    return value


def strict_encoding_option():
    """The ``--strict-encoding`` option of every command that reads text files;
    it takes effect when parsed (``main`` restores the environment)."""
    import typer

    return typer.Option(False, "--strict-encoding", callback=_strict_encoding,
                        help="Refuse a UTF-8 file with invalid bytes (input error) instead of replacing them "
                             "with U+FFFD and warning.")


def encoder_option():
    """The ``--encoder`` option every aligning command takes."""
    import typer

    return typer.Option("use", "--encoder",
                        help="use (default, offline), lexical, or st:PATH (a sentence-transformers model on disk).")
