"""Command line: a thin typer layer over the library API.

Each module registers its command (or command group) on ``app``, and is named for it; ``main`` turns the
tool's errors into one line on stderr and a distinct exit code.

The modules are listed in :data:`COMMANDS` and imported only when their
command runs (``align pair`` imports ``cli/pair.py`` alone) or when the help
lists them all: a command module is one line in that registry.
"""
from __future__ import annotations

import contextlib
import errno
import importlib
import os
import sys
from collections.abc import MutableMapping

import typer
from typer.core import TyperGroup

from .. import __version__
from ..errors import EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, AlignError, warnings_to_stderr
from ..textio import STRICT_ENCODING_ENV
from . import _common

#: The command modules, in the order the help lists them; each registers the
#: command (or command group) it is named for on ``app`` when imported.
COMMANDS = ("ingest", "segment", "split", "pair", "eval", "check", "export", "glossary", "report", "demo",
            "corpus", "review")


class _Commands(MutableMapping):
    """The root group's subcommands by name, each built when first looked up:
    its module is imported (registering it on ``app``) and typer builds it."""

    def __init__(self, built: dict):
        self._built: dict = {}
        for name, command in built.items():
            self[name] = command

    def __getitem__(self, name: str):
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            importlib.import_module(f"{__name__}.{name}")
            from typer.main import get_group

            self[name] = get_group(app).commands[name]
        return self._built[name]

    def load_all(self) -> None:
        """Import every command module and build their commands at once (the help lists them all)."""
        missing = [n for n in COMMANDS if n not in self._built]
        if not missing:
            return
        for name in missing:
            importlib.import_module(f"{__name__}.{name}")
        from typer.main import get_group

        built = get_group(app).commands
        for name in missing:
            self._built[name] = built[name]

    def __setitem__(self, name: str, command) -> None:
        from . import _params

        _params.install(command)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self):
        yield from COMMANDS
        yield from (n for n in self._built if n not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS) + sum(1 for n in self._built if n not in COMMANDS)

    def __contains__(self, name) -> bool:
        return name in COMMANDS or name in self._built


class _LazyGroup(TyperGroup):
    """The ``align`` group: subcommands from :data:`COMMANDS`, imported on first use."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(self.commands, _Commands):
            self.commands = _Commands(self.commands)

    def list_commands(self, ctx) -> list[str]:
        self.commands.load_all()
        return super().list_commands(ctx)


app = typer.Typer(
    name="align",
    cls=_LazyGroup,
    help="Align a Chinese original with one or more English translations clause by clause, "
    "and show where the translations differ.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # docstrings are reflowed, not broken at their source line ends
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



class Terminated(BaseException):
    """Raised in the main thread when the process gets SIGTERM or SIGHUP.

    The default action of those signals kills the process without running
    ``finally`` blocks, which would leave atomic-write temporary files behind
    and an open sqlite transaction. Turning the signal into an exception lets
    every ``with``/``finally`` clean up; ``main`` then exits 128 + signal.
    It is a BaseException so that ``except Exception`` in library code does
    not swallow it, and not a KeyboardInterrupt so that click passes it on.
    """

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signum)


def _raise_terminated(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    raise Terminated(signum)


def _install_signal_handlers() -> dict:
    """SIGTERM/SIGHUP raise Terminated (where they still have their default
    action); returns the previous handlers for :func:`_restore_signal_handlers`."""
    import signal

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            old = signal.getsignal(sig)
            if old in (signal.SIG_DFL, None):
                signal.signal(sig, _raise_terminated)
                previous[sig] = old
        except (ValueError, OSError):  # not the main thread, or not allowed
            pass
    return previous


def _restore_signal_handlers(previous: dict) -> None:
    import signal

    for sig, old in previous.items():
        with contextlib.suppress(ValueError, OSError, TypeError):
            signal.signal(sig, signal.SIG_DFL if old is None else old)


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so that the interpreter's
    final flush does not print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


_USER_ERRNOS = {errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EROFS, errno.EEXIST, errno.ENOTDIR, errno.EISDIR,
                errno.ENOENT, errno.EDQUOT, errno.ENAMETOOLONG, errno.ELOOP}


def _cli_exceptions() -> tuple[tuple[type, ...], tuple[type, ...], tuple[type, ...]]:
    """(usage errors, exits, aborts) of typer and of click.

    typer >= 0.20 vendors its own copy of click (``typer._click``) whose
    exceptions are not click's; commands may raise either. click's count
    only once something imported click (nothing else can raise them), so
    ``_run`` looks them up in its ``except`` clauses, when an exception is
    being matched, and the tool never imports click for them.
    """
    found: dict[str, list[type]] = {"ClickException": [], "Exit": [], "Abort": []}
    for modname in ("typer._click.exceptions", "typer.exceptions", "click.exceptions"):
        if modname.startswith("click") and "click" not in sys.modules:
            continue
        try:
            mod = importlib.import_module(modname)
        except ImportError:
            continue
        for name, bucket in found.items():
            cls = getattr(mod, name, None)
            if isinstance(cls, type) and cls not in bucket:
                bucket.append(cls)
    return tuple(found["ClickException"]), tuple(found["Exit"]), tuple(found["Abort"])


def _usage_message(exc: BaseException) -> str:
    msg = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    if not msg and getattr(exc, "ctx", None) is not None:  # no_args_is_help: show the help
        with contextlib.suppress(Exception):
            sys.stderr.write(exc.ctx.get_help() + "\n")
        return "a command is required (see the list above)"
    return msg


def main(argv: list[str] | None = None) -> None:
    """The console script: run the command; every error becomes one line on
    stderr and an exit code (usage 2, input 3, internal 4, interrupted 130,
    terminated 128 + signal)."""
    import typer.main

    args = list(sys.argv[1:] if argv is None else argv)
    head = args[:args.index("--")] if "--" in args else args
    if "--debug" in head:  # accepted anywhere before `--`: `align pair a b --debug` works too
        args = ["--debug"] + [a for a in head if a != "--debug"] + args[len(head):]
    _common.STATE.debug = "--debug" in head
    previous = _install_signal_handlers()
    strict_env = os.environ.get(STRICT_ENCODING_ENV)
    try:
        with warnings_to_stderr():  # notes and decoding warnings: one line each (errors.show_warnings)
            _run(args)
    finally:  # main() called in-process (tests) leaves the handlers and the environment as it found them
        _restore_signal_handlers(previous)
        if strict_env is None:
            os.environ.pop(STRICT_ENCODING_ENV, None)
        else:
            os.environ[STRICT_ENCODING_ENV] = strict_env


def _params_install(command) -> None:
    from . import _params

    _params.install(command)


def _run(args: list[str]) -> None:
    try:
        # make_context/invoke directly rather than app(): click's and typer's
        # main() turn a broken pipe into exit 1 and Ctrl-C into a silent 130.
        command = typer.main.get_command(app)
        _params_install(command)
        with command.make_context("align", args) as ctx:
            rv = command.invoke(ctx)
    except _cli_exceptions()[1] as exc:  # evaluated only when an exception is matched
        sys.exit(getattr(exc, "exit_code", 0))
    except _cli_exceptions()[2]:
        _common.error_line("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except _cli_exceptions()[0] as exc:
        if _common.STATE.debug:
            raise
        _common.error_line(_usage_message(exc))
        sys.exit(EXIT_USAGE)
    except AlignError as exc:
        if _common.STATE.debug:
            raise
        _common.error_line(str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        if _common.STATE.debug:
            import traceback

            traceback.print_exc()
        _common.error_line("interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except Terminated as exc:
        import signal

        if _common.STATE.debug:
            import traceback

            traceback.print_exc()
        _common.error_line(f"terminated by {signal.Signals(exc.signum).name}")
        sys.exit(128 + exc.signum)
    except BrokenPipeError:  # `align ... | head`: the reader has all it wanted
        _silence_stdout()
        sys.exit(0)
    except OSError as exc:
        # a file-system refusal on a path the user gave (permission, disk full,
        # read-only, a file where a folder should be) is not a bug in the tool
        if _common.STATE.debug or exc.errno not in _USER_ERRNOS:
            if _common.STATE.debug:
                raise
            _common.error_line(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")
            sys.exit(EXIT_INTERNAL)
        where = exc.filename2 or exc.filename
        prefix = f"{where}: " if where else ""
        _common.error_line(f"{prefix}{exc.strerror or exc}")
        sys.exit(EXIT_INPUT)
    except Exception as exc:  # a bug: one line unless --debug
        if _common.STATE.debug:
            raise
        _common.error_line(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        sys.exit(EXIT_INTERNAL)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    sys.exit(rv if isinstance(rv, int) else 0)
