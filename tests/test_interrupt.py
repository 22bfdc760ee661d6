"""Interrupting a real run (issue 7): Ctrl-C, kill and kill -9 part-way.

A real ``align report`` / ``align pair -o`` runs in a subprocess on a long
input with the default (neural) encoder and a fresh embedding cache under a
temporary ALIGN_CACHE_DIR. Once the first batch of embeddings is committed
to the cache (so encoding is under way and the cache is being written), the
test sends the signal and checks:

- the exit code: 130 for SIGINT, 128 + 15 for SIGTERM (the CLI turns SIGTERM
  into an exception so that clean-up code runs), -9 for SIGKILL;
- one ``align: error:`` line and no traceback;
- no output file and no temporary file left beside it;
- the sqlite embedding cache opens, passes ``PRAGMA integrity_check`` and
  every stored vector has the size it claims; a rerun can use it.

A second kind of test interrupts the write itself: the output is half
written into its temporary file when the signal comes, and afterwards
neither the temporary file nor the output exists.
"""
from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builders import align_command, ctrl_c_as_at_a_terminal

REPO = Path(__file__).resolve().parents[1]
ZH = REPO / "data" / "zh" / "guobanfa-2016-98.txt"
EN = REPO / "data" / "en" / "guobanfa-2016-98.clt.txt"

pytestmark = pytest.mark.slow


_align_cmd = align_command  # tests/builders.py


def _env(tmp_path: Path) -> dict:
    env = dict(os.environ)
    env["ALIGN_CACHE_DIR"] = str(tmp_path / "cache")
    env["HF_HUB_OFFLINE"] = "1"
    return env


def _long_pair(tmp_path: Path, lines: int = 1200) -> tuple[Path, Path]:
    """Corpus paragraphs repeated with a running number, so that most
    segments are new texts the encoder has to work on."""
    zh_par = [ln for ln in ZH.read_text(encoding="utf-8").splitlines() if ln.strip()]
    en_par = [ln for ln in EN.read_text(encoding="utf-8").splitlines() if ln.strip()]
    zh, en = tmp_path / "long.zh.txt", tmp_path / "long.en.txt"
    zh.write_text("".join(f"第{i + 1}项 {zh_par[i % len(zh_par)]}\n" for i in range(lines)), encoding="utf-8")
    en.write_text("".join(f"Item {i + 1}: {en_par[i % len(en_par)]}\n" for i in range(lines)), encoding="utf-8")
    return zh, en


def _cache_rows(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM emb").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _wait_for_cache_writes(proc: subprocess.Popen, db: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the run ended before it could be interrupted (rc={proc.returncode}): {err[-2000:]}")
        if _cache_rows(db) > 0:
            return
        time.sleep(0.2)
    proc.kill()
    pytest.fail("no embedding was cached in time: cannot interrupt during encoding")


def assert_cache_intact(cache_dir: Path) -> int:
    db = cache_dir / "embeddings.sqlite"
    assert db.exists()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT dim, length(vec) FROM emb").fetchall()
    finally:
        conn.close()
    assert rows, "the committed batches are kept"
    assert all(nbytes == 4 * dim for dim, nbytes in rows)
    from align.embed.cache import EmbeddingCache

    cache = EmbeddingCache(cache_dir)
    try:
        assert len(cache) == len(rows)
    finally:
        cache.close()
    return len(rows)


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


CASES = [
    ("report", signal.SIGINT),
    ("report", signal.SIGTERM),
    ("pair", signal.SIGTERM),
    ("pair", signal.SIGINT),
]


@contextlib.contextmanager
def _reaped(proc: subprocess.Popen):
    """Whatever happens in the block, leave no child process running."""
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _exit_code(sig: int) -> int:
    """What align exits with after ``sig``: 130 for Ctrl-C, 128 + n otherwise."""
    return 130 if sig == signal.SIGINT else 128 + sig


@pytest.mark.parametrize("command,sig", CASES, ids=[f"{c}-{s.name}" for c, s in CASES])
def test_interrupt_during_encoding(tmp_path, command, sig):
    zh, en = _long_pair(tmp_path)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / ("report.html" if command == "report" else "pair.tsv")
    args = [command, str(zh), str(en), "-o", str(out)]
    if command == "pair":
        args += ["--format", "tsv"]
    proc = subprocess.Popen([*_align_cmd(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(tmp_path), cwd=tmp_path, preexec_fn=ctrl_c_as_at_a_terminal)
    with _reaped(proc):
        _wait_for_cache_writes(proc, tmp_path / "cache" / "embeddings.sqlite")
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == _exit_code(sig), (proc.returncode, err)
    assert "Traceback" not in err, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and re.match(r"align: error: (interrupted|terminated)", lines[0]), err
    assert not out.exists()
    assert _leftovers(out_dir) == []
    assert not list(tmp_path.glob("**/*.tmp"))
    assert_cache_intact(tmp_path / "cache")


def test_kill_9_leaves_no_output_and_an_intact_cache(tmp_path):
    """SIGKILL cannot be caught: nothing cleans up, yet the output name never
    holds a partial file (it is only ever renamed into place) and sqlite's
    journal keeps the cache consistent."""
    zh, en = _long_pair(tmp_path)
    out = tmp_path / "out" / "pair.tsv"
    proc = subprocess.Popen([*_align_cmd(), "pair", str(zh), str(en), "-o", str(out), "--format", "tsv"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=ctrl_c_as_at_a_terminal, env=_env(tmp_path))
    with _reaped(proc):
        _wait_for_cache_writes(proc, tmp_path / "cache" / "embeddings.sqlite")
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()
    n = assert_cache_intact(tmp_path / "cache")
    # the cache is usable: what was committed before the kill is served from it
    from align.embed.cache import EmbeddingCache

    cache = EmbeddingCache(tmp_path / "cache")
    try:
        texts = [ln.strip() for ln in zh.read_text(encoding="utf-8").splitlines()[:1]]
        cache.put("test", texts, __import__("numpy").ones((1, 4), dtype="float32"))
        assert len(cache) == n + 1
        assert list(cache.get("test", texts)) == texts
    finally:
        cache.close()


# A driver that runs the real CLI main() with the output writer slowed down:
# it writes half of the output into the temporary file, says so on stdout,
# and waits for the signal.
_SLOW_WRITER = r"""
import sys, time
from pathlib import Path
import align.textio as textio

def write_text(path, text):
    with textio.atomic_open(path, "w") as fh:
        fh.write(text[: len(text) // 2])
        fh.flush()
        print("HALF", flush=True)
        time.sleep(120)
        fh.write(text[len(text) // 2:])
    return Path(path)

textio.write_text = write_text
from align.cli import main
main(sys.argv[1:])
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_while_writing_the_output(tmp_path, sig):
    zh_lines = ZH.read_text(encoding="utf-8").splitlines()[:12]
    en_lines = EN.read_text(encoding="utf-8").splitlines()[:12]
    zh, en = tmp_path / "s.zh.txt", tmp_path / "s.en.txt"
    zh.write_text("\n".join(zh_lines) + "\n", encoding="utf-8")
    en.write_text("\n".join(en_lines) + "\n", encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "pair.tsv"
    out.write_text("previous result\n", encoding="utf-8")  # an older output must survive intact
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, "pair", str(zh), str(en), "--encoder", "lexical",
                             "--format", "tsv", "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=ctrl_c_as_at_a_terminal, env=_env(tmp_path))
    with _reaped(proc):
        line = proc.stdout.readline()
        assert line.strip() == "HALF", (line, proc.stderr.read() if proc.poll() is not None else "")
        tmp_files = [p for p in out_dir.iterdir() if p.name != "pair.tsv"]
        assert len(tmp_files) == 1 and tmp_files[0].stat().st_size > 0  # the half-written temporary file
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == _exit_code(sig), (proc.returncode, err)
    assert "Traceback" not in err, err
    assert _leftovers(out_dir) == ["pair.tsv"]
    assert out.read_text(encoding="utf-8") == "previous result\n"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_interrupt_corpus_run_leaves_no_workers_and_no_partial_files(tmp_path, sig):
    """`align corpus` runs pairs in worker processes: an interrupt stops them
    all, writes no partial file and keeps the shared cache intact."""
    import psutil

    out = tmp_path / "out"
    proc = subprocess.Popen([*_align_cmd(), "corpus", str(REPO / "data"), "-o", str(out), "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=ctrl_c_as_at_a_terminal, env=_env(tmp_path))
    with _reaped(proc):
        _wait_for_cache_writes(proc, tmp_path / "cache" / "embeddings.sqlite")
        children = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == _exit_code(sig), (proc.returncode, err)
    assert "Traceback" not in err, err
    gone, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, f"worker processes left running: {alive}"
    leftovers = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert not [p for p in leftovers if p.name.endswith(".tmp")]
    assert not (out / "summary.json").exists()  # the run did not finish: no summary claims it did
    assert_cache_intact(tmp_path / "cache")
