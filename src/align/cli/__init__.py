"""Command line: a thin typer layer over the library API.

Each ``*_cmd`` module registers its commands on ``app``; ``main`` turns the
tool's errors into one line on stderr and a distinct exit code.
"""
from __future__ import annotations

import sys

import typer

from .. import __version__
from ..errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, AlignError
from . import _common

app = typer.Typer(
    name="align",
    help="Align a Chinese original with one or more English translations clause by clause, "
    "and show where the translations differ.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"align {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show the full traceback on errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    _common.STATE.debug = debug


# Command modules register themselves on `app` when imported.
from . import ingest_cmd, segment_cmd, align_cmd, glossary_cmd, check_cmd, report_cmd  # noqa: E402,F401


def main(argv: list[str] | None = None) -> None:
    import click

    args = sys.argv[1:] if argv is None else argv
    _common.STATE.debug = "--debug" in args
    try:
        rv = app(args=args, standalone_mode=False, prog_name="align")
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _common.error_line("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        if _common.STATE.debug:
            raise
        _common.error_line(exc.format_message())
        sys.exit(EXIT_USAGE)
    except AlignError as exc:
        if _common.STATE.debug:
            raise
        _common.error_line(str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _common.error_line("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # a bug: one line unless --debug
        if _common.STATE.debug:
            raise
        _common.error_line(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        sys.exit(EXIT_INTERNAL)
    sys.exit(rv if isinstance(rv, int) else 0)
