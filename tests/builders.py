"""Small builders for hand-made test data (imported by the test modules)."""
from __future__ import annotations

from align.model import Segment


def segments(texts, lang):
    """Segments of ``texts`` as if joined by newlines into one document."""
    out, pos = [], 0
    for i, t in enumerate(texts):
        out.append(Segment(index=i, text=t, start=pos, end=pos + len(t), lang=lang))
        pos += len(t) + 1
    return out


def align_command() -> list[str]:
    """The installed ``align`` console script beside this Python, else the
    same entry point through ``python -c`` (what a user runs, in a subprocess)."""
    import os
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("align")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-c", "import sys; from align.cli import main; sys.argv[0] = 'align'; main()"]


def ctrl_c_as_at_a_terminal() -> None:
    """``preexec_fn`` for a child that a test interrupts with SIGINT: the
    signal's default action, as a terminal gives it. A shell starts a
    background job (``pytest &``, ``nohup``) with SIGINT ignored, the child
    inherits that, and Python then installs no KeyboardInterrupt handler:
    the test's Ctrl-C would do nothing."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def cli_env(cache_dir) -> dict:
    """The environment a CLI test runs ``align`` in: its own cache folder,
    no model downloads, a wide terminal, no debug tracebacks."""
    import os

    env = dict(os.environ)
    env["ALIGN_CACHE_DIR"] = str(cache_dir)
    env["HF_HUB_OFFLINE"] = "1"
    env["COLUMNS"] = "200"
    env.pop("ALIGN_DEBUG", None)
    return env


def run_align(args, env: dict, *, cwd=None, timeout: float = 600):
    """``align ARGS`` in a subprocess, as a user runs it (text output captured)."""
    import subprocess

    return subprocess.run([*align_command(), *map(str, args)], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=timeout)


def empty_cache_folder(tmp_path, monkeypatch, state: dict):
    """A fixture's body: ALIGN_CACHE_DIR set to a new folder and a module's
    loaded index (``state``, its ``_STATE``) forgotten for the test and after it."""
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    state.clear()
    yield tmp_path / "cache"
    state.clear()
