"""Shared CLI helpers: consoles, progress bars, JSON output, error and
warning lines, the output check and the options every command shares."""
from __future__ import annotations

import contextlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from rich.console import Console


@dataclass
class _State:
    debug: bool = False


STATE = _State()
#: Tables written to a file or a pipe get room to breathe (rich would give them 80
#: columns, which folds a message column to a word per line); $COLUMNS still wins.
_FILE_WIDTH = 200
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() or os.environ.get("COLUMNS") else _FILE_WIDTH)
err = Console(stderr=True, soft_wrap=True,
              width=None if sys.stderr.isatty() or os.environ.get("COLUMNS") else _FILE_WIDTH)
#: Below this many columns, lists are printed as lines instead of tables.
NARROW = 100


# Control characters (ANSI escapes), format characters (bidirectional
# overrides), surrogates (undecodable bytes of file names), private-use
# characters and line separators: shown escaped, never written raw.
from ..errors import printable  # noqa: E402,F401 - the one escaping, shared with the warnings


def error_line(message: str) -> None:
    """One line on stderr, no markup interpretation, control characters escaped."""
    print(f"align: error: {printable(message)}", file=sys.stderr)


def warning_line(message: str) -> None:
    """One warning line on stderr, control characters escaped."""
    print(f"align: warning: {printable(message)}", file=sys.stderr)


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


def _level(value: str) -> str:
    from ..pipeline import parse_level

    return parse_level(value)


def level_option():
    """The ``--level`` option every aligning command takes (validated by
    :func:`align.pipeline.parse_level`, the one place that knows the levels)."""
    import typer

    return typer.Option("sentence", "--level", callback=_level,
                        help="Segment into sentences or clauses: sentence or clause.")


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


def presegmented_option():
    """The ``--presegmented`` option every aligning command takes."""
    import typer

    return typer.Option(False, "--presegmented", help="Inputs have one segment per line; nothing is re-split.")


def from_option():
    """The ``--from`` option: a saved alignment instead of aligning again."""
    import typer

    return typer.Option(None, "--from", help="A saved alignment (the JSONL of `align pair -f jsonl -o A.jsonl`): "
                        "use it instead of aligning again. Files given beside it must be the ones it was made from.")


def like_option():
    """The ``--like`` option: the settings of a saved alignment for a new run."""
    import typer

    return typer.Option(None, "--like", help="Align with the settings (level, encoder, presegmented, parameters) "
                        "of this saved alignment, to reproduce it on new files.")


def settings(level: str, encoder: str, presegmented: bool, like=None):
    """The :class:`align.pipeline.Settings` of the options (or of ``--like``)."""
    from ..errors import UsageError
    from ..pipeline import Settings, settings_of

    if like is None:
        return Settings(level=level, encoder=encoder, presegmented=presegmented)
    if (level, encoder, presegmented) != ("sentence", "use", False):
        raise UsageError("--like takes the level, encoder and segmentation of the saved alignment: "
                         "give --like or those options, not both")
    return settings_of(like)


def summary_lines(multi, flags=None) -> list[str]:
    """One line per translation: segments, coverage, confidence (and flags,
    unless ``flags`` is None: nothing was checked)."""
    from ..report import summarize

    return format_summaries(summarize(multi, list(flags or ())), checked=flags is not None)


def format_summaries(summaries, *, checked: bool = True) -> list[str]:
    width = max((len(s.translation) for s in summaries), default=0)
    lines = []
    for s in summaries:
        line = (f"  {s.translation:<{width}}  {s.target_segments} segments  "
                f"source covered {100 * s.source_coverage:.1f}%  target aligned {100 * s.target_coverage:.1f}%  "
                f"mean confidence {s.mean_confidence:.2f}  low-confidence rows {s.low_confidence_rows}")
        if checked:
            kinds = ", ".join(f"{k} {v}" for k, v in s.flag_counts.items()) or "none"
            line += f"  flags {s.flags_total}: {kinds}"
        lines.append(line)
    return lines


def note(message: str) -> None:
    """One note line on stderr: what the user should know, nothing wrong."""
    print(f"align: note: {printable(message)}", file=sys.stderr)


def tell(analysis) -> None:
    """The notes and warnings of an Analysis, one line each on stderr: the
    alignment's warnings, then the verdict on each translation that is not
    clean (``align: warning: clt: different version? ...``)."""
    for n in analysis.notes:
        note(n)
    for w in analysis.warnings:
        warning_line(w)


def verdicts_json(analysis) -> dict:
    """``{translation: verdict}`` for ``--json`` (kind, message, evidence)."""
    return {tid: v.as_dict() for tid, v in analysis.verdicts.items()}


def not_clean(analysis) -> bool:
    """Whether some translation's verdict is not clean (``--strict`` fails then)."""
    return any(not v.clean for v in analysis.verdicts.values())
