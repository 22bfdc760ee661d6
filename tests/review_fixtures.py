"""A review project of 98号 (both translations, lexical encoder) made once
per test session and copied for each test (imported by the review tests)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from align.pipeline import Settings
from builders import ctrl_c_as_at_a_terminal

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "data/zh/guobanfa-2016-98.txt"
TRANSLATIONS = [REPO / "data/en/guobanfa-2016-98.clt.txt", REPO / "data/en/guobanfa-2016-98.blog.txt"]
LOCAL = "http://127.0.0.1:8765"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    from align.review.service import create_project

    path = tmp_path_factory.mktemp("review") / "template.sqlite"
    create_project(path, SOURCE, TRANSLATIONS, settings=Settings(encoder="lexical")).close()
    return path


@pytest.fixture
def project(template_db, tmp_path) -> Path:
    """A fresh copy of the template project."""
    path = tmp_path / "project.sqlite"
    shutil.copy(template_db, path)
    return path


class Server:
    """``align review`` running in a subprocess on 127.0.0.1 (a free port)."""

    def __init__(self, db: Path, *args: str):
        import subprocess
        import sys

        self.db = db
        cmd = [sys.executable, "-c", "from align.cli import main; main()", "review", "--db", str(db),
               "--port", "0", "--encoder", "lexical", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     preexec_fn=ctrl_c_as_at_a_terminal)
        line = self.proc.stdout.readline()  # the server prints its URL once it listens
        if not line.startswith("review: "):
            self.proc.kill()
            out, err = self.proc.communicate(timeout=30)
            raise RuntimeError(f"align review did not start: {line!r} {out!r} {err!r}")
        self.url = line.split(" ", 1)[1].strip()
        self.base = self.url.split("?", 1)[0].rstrip("/")

    def stop(self, sig=None, timeout: float = 30) -> tuple[int, str, str]:
        """Stop it (SIGINT: Ctrl-C) and return (exit code, stdout, stderr)."""
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(sig or signal.SIGINT)
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except Exception:
            self.proc.kill()
            out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, err

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.stop()
