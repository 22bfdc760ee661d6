"""The caches are only caches (issue 18): nothing in them stops a run.

- a damaged ``embeddings.sqlite`` (garbage, cut short) is moved aside to
  ``embeddings.sqlite.corrupt-<time>`` and rebuilt, with one ``align: note:``
  line naming it;
- a cache that cannot be written (a read-only folder, a full disk, a file
  where the folder should be) is read without writing, or not used;
- a damaged CC-CEDICT index cache is rebuilt (it used to be kept, and the
  dictionary parsed again on every run), one that cannot be written (as
  jieba's tag index or the pinyin index) is skipped with a note;
- with ``HOME`` empty or unset the cache does not go to ``/.cache``.

The library cases run in-process with a counting encoder; the command-line
cases run the ``align`` console script with the default (neural) encoder,
the one whose vectors the sqlite cache holds.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from builders import align_command

from align import sections
from align.embed import cache as cache_mod
from align.embed.cache import CachedEncoder, EmbeddingCache, default_cache_dir
from align.errors import Note

REPO = Path(__file__).resolve().parents[1]
ZH = REPO / "data" / "zh" / "guobanfa-2016-98.txt"
EN = REPO / "data" / "en" / "guobanfa-2016-98.clt.txt"
DB = "embeddings.sqlite"


class Counting:
    """A tiny deterministic encoder that records what it was asked to encode."""

    name = "counting"
    dim = 4

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen.extend(texts)
        return np.array([[len(t), 1.0, float(sum(map(ord, t)) % 7), 0.5] for t in texts], dtype=np.float32)


TEXTS = [f"text number {i}" for i in range(300)]


def _filled(directory: Path) -> Path:
    """A valid cache in ``directory`` holding the vectors of TEXTS; its path."""
    enc = CachedEncoder(Counting(), EmbeddingCache(directory))
    enc.encode(TEXTS)
    enc.cache.close()
    return directory / DB


def _integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _notes(record) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, Note)]


# --------------------------------------------------------------------- damaged sqlite file

def _garbage(db: Path) -> None:
    db.write_bytes(b"this is not an sqlite database, whatever its name says\n" * 40)


def _cut_short(db: Path) -> None:
    with open(db, "r+b") as fh:
        fh.truncate(db.stat().st_size // 2)


@pytest.mark.parametrize("damage", [_garbage, _cut_short], ids=["garbage", "truncated"])
def test_damaged_cache_is_moved_aside_and_rebuilt(tmp_path, damage):
    db = _filled(tmp_path)
    damage(db)
    damaged_bytes = db.read_bytes()
    inner = Counting()
    enc = CachedEncoder(inner, EmbeddingCache(tmp_path))
    with pytest.warns(Note) as record:
        out = enc.encode(TEXTS[:10])
    assert np.array_equal(out, Counting().encode(TEXTS[:10]))  # the run goes on, with the right vectors
    notes = _notes(record)
    assert len(notes) == 1 and str(db) in notes[0] and "moved aside" in notes[0], notes
    aside = [p for p in tmp_path.iterdir() if p.name.startswith(f"{DB}.corrupt-")]
    assert len(aside) == 1 and re.fullmatch(rf"{DB}\.corrupt-\d{{8}}T\d{{6}}Z", aside[0].name), aside
    assert aside[0].read_bytes() == damaged_bytes  # kept as it was, for whoever wants to look
    enc.cache.close()
    assert _integrity(db) == "ok"
    # the new file serves the next run
    again = CachedEncoder(Counting(), EmbeddingCache(tmp_path))
    again.encode(TEXTS[:10])
    assert again.hits == 10 and again.encoded == 0


def test_cache_damaged_while_in_use_is_replaced(tmp_path):
    """The file goes bad under an open cache (another program overwrote it):
    the next read notices, sets it aside and goes on with a new file."""
    db = _filled(tmp_path)
    cache = EmbeddingCache(tmp_path)
    assert len(cache.get("counting", TEXTS)) == len(TEXTS)
    cache.conn.execute("PRAGMA cache_size=0")  # no pages kept in memory: reads go to the file
    with open(db, "r+b") as fh:
        fh.seek(0)
        fh.write(b"\xff" * 4096)
    with pytest.warns(Note) as record:
        got = cache.get("counting", TEXTS)
    assert got == {}
    assert len(_notes(record)) == 1
    enc = CachedEncoder(Counting(), cache)
    enc.encode(["fresh"])
    assert cache.get("counting", ["fresh"])
    cache.close()
    assert _integrity(db) == "ok"
    assert len([p for p in tmp_path.iterdir() if ".corrupt-" in p.name and not p.name.endswith(("-wal", "-shm"))]) == 1


def test_two_handles_on_one_damaged_file_move_it_aside_once(tmp_path):
    """Corpus workers share the cache: the second one to find the damage must
    not move aside the new file the first one made."""
    import warnings

    db = _filled(tmp_path)
    second = EmbeddingCache(tmp_path)
    assert len(second.get("counting", TEXTS)) == len(TEXTS)  # its connection is open on the old file
    second.conn.execute("PRAGMA cache_size=0")
    _garbage(db)
    first = EmbeddingCache(tmp_path)
    with pytest.warns(Note):
        first.put("counting", ["a"], np.ones((1, 4), dtype=np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Note)  # no second note: nothing more is moved
        second.get("counting", ["a"])
        assert second.get("counting", ["a"])  # now on the first one's new file
    assert first.get("counting", ["a"])
    assert len([p for p in tmp_path.iterdir() if p.name.startswith(f"{DB}.corrupt-") and
                not p.name.endswith(("-wal", "-shm"))]) == 1
    first.close()
    second.close()


# --------------------------------------------------------------------- unwritable cache

def test_full_disk_stops_writes_not_the_run(tmp_path):
    """sqlite's "database or disk is full" (here: the file may not grow past
    its current size): what is cached is still served, new vectors are not
    stored, and the run goes on."""
    _filled(tmp_path)
    cache = EmbeddingCache(tmp_path)
    pages = cache.conn.execute("PRAGMA page_count").fetchone()[0]
    cache.conn.execute(f"PRAGMA max_page_count={pages}")
    inner = Counting()
    enc = CachedEncoder(inner, cache)
    new = [f"new text {i} " * 20 for i in range(200)]
    with pytest.warns(Note) as record:
        out = enc.encode(TEXTS[:5] + new)
    assert np.array_equal(out, Counting().encode(TEXTS[:5] + new))
    assert enc.hits == 5 and inner.seen == new
    notes = _notes(record)
    assert len(notes) == 1 and str(tmp_path / DB) in notes[0] and "full" in notes[0], notes
    assert cache.readonly
    enc.encode(["and another"])  # no second note, no error
    assert len(cache) == len(TEXTS)
    cache.close()
    assert _integrity(tmp_path / DB) == "ok"


def test_cache_folder_that_cannot_be_made_is_bypassed(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    inner = Counting()
    enc = CachedEncoder(inner, EmbeddingCache(blocker / "cache"))
    with pytest.warns(Note) as record:
        out = enc.encode(["x", "y", "x"])
    assert out.shape == (3, 4) and inner.seen == ["x", "y"]
    notes = _notes(record)
    assert len(notes) == 1 and str(blocker / "cache") in notes[0], notes
    assert enc.cache.disabled and len(enc.cache) == 0
    enc.encode(["z"])
    assert blocker.read_text(encoding="utf-8") == "not a folder\n"


def test_other_sqlite_errors_are_not_hidden(tmp_path):
    """Only damage and refusals are handled: a bug (here: a table of another
    shape) still raises."""
    conn = sqlite3.connect(tmp_path / DB)
    conn.execute("CREATE TABLE emb (x)")
    conn.close()
    with pytest.raises(sqlite3.OperationalError):
        EmbeddingCache(tmp_path).get("counting", ["a"])


# --------------------------------------------------------------------- the CC-CEDICT index cache

@pytest.fixture
def small_cedict(monkeypatch, tmp_path):
    """The index cache under a temporary ALIGN_CACHE_DIR, built from a small
    stand-in dictionary (parsing the real one costs seconds); the list records
    each build. It is built in this process, as where no child process can be
    started (a child would parse the real dictionary: see test_sections)."""
    from align.embed import lexical

    monkeypatch.setattr(sections, "_spawn", lambda folder, refs: None)
    builds: list[int] = []

    def build():
        builds.append(1)
        return {f"词{i}": (f"stem{i}", "word") for i in range(1500)}

    monkeypatch.setattr(lexical, "_load_cedict", build)
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    return lexical, builds, tmp_path / "cache" / lexical._index_name()


def test_cedict_index_cache_is_written_then_used(small_cedict):
    lexical, builds, target = small_cedict
    first = lexical._cedict_cached()
    assert target.is_file() and builds == [1]
    assert first.to_dict() == {f"词{i}": (f"stem{i}", "word") for i in range(1500)}
    again = lexical._cedict_cached()
    assert again.to_dict() == first.to_dict() and builds == [1]
    assert "词7" in again and again["词7"] == ("stem7", "word") and again.get("词x") == () and "词x" not in again
    assert again.section("词") == first.section("词") and again.section("无") == {}


@pytest.mark.parametrize("damage", [b"garbage", b"", b"\xe3" * 10, None, "flip", "header"],
                         ids=["garbage", "empty", "bad-bytes", "cut-short", "flipped-byte", "header-only"])
def test_damaged_cedict_index_cache_is_rebuilt(small_cedict, damage):
    lexical, builds, target = small_cedict
    good = lexical._cedict_cached().to_dict()
    data = target.read_bytes()
    if damage is None:
        damage = data[:len(data) // 2]
    elif damage == "flip":  # one byte of one section: the checksum tells
        damage = data[:-10] + bytes([data[-10] ^ 0x55]) + data[-9:]
    elif damage == "header":
        damage = data[:sections.HEADER.size]
    target.write_bytes(damage)
    with pytest.warns(Note) as record:
        again = lexical._cedict_cached()
    assert again.to_dict() == good and builds == [1, 1]
    notes = _notes(record)
    assert len(notes) == 1 and str(target) in notes[0] and "damaged" in notes[0], notes
    assert target.read_bytes() == data  # rewritten: the next run loads it
    lexical._cedict_cached()
    assert builds == [1, 1]


def test_cedict_index_cache_of_another_format_is_rebuilt(small_cedict):
    import marshal

    lexical, builds, target = small_cedict
    target.parent.mkdir(parents=True)
    target.write_bytes(marshal.dumps({f"词{i}": ("x",) for i in range(2000)}))  # the old format's marshalled dict
    with pytest.warns(Note):
        data = lexical._cedict_cached()
    assert data["词3"] == ("stem3", "word") and builds == [1]
    assert lexical.CedictIndex(target.read_bytes()).to_dict() == data.to_dict()


def test_unwritable_cedict_index_cache_is_skipped_with_a_note(small_cedict, monkeypatch, tmp_path):
    lexical, builds, _ = small_cedict
    blocker = tmp_path / "a-file"
    blocker.write_text("x\n", encoding="utf-8")
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(blocker / "cache"))
    with pytest.warns(Note) as record:
        data = lexical._cedict_cached()
    assert len(data) == 1500 and builds == [1]
    notes = _notes(record)
    assert len(notes) == 1 and str(blocker / "cache") in notes[0] and "cannot write" in notes[0], notes


def _tags_of_a_piece():
    from align.segment import zh_tags

    return zh_tags, lambda: zh_tags.tagger().lcut("他就跟我比武"), \
        [("他", "r"), ("就", "d"), ("跟", "p"), ("我", "r"), ("比武", "nr")]


def _pinyin_of_a_name():
    from align.embed import lexical_pinyin

    return lexical_pinyin, lambda: lexical_pinyin.joined_pinyin("陈清扬"), "chenqingyang"


@pytest.mark.parametrize("index, stem, message", [
    (_tags_of_a_piece, "jieba-tags", "cannot write the jieba tag index cache (Not a directory); "
                                     "jieba's dictionary is read again on every run"),
    (_pinyin_of_a_name, "pinyin-index", "cannot write the pinyin index cache (Not a directory); "
                                        "pypinyin is imported again on every run")], ids=["jieba-tags", "pinyin"])
def test_unwritable_tag_and_pinyin_index_caches_are_skipped_with_a_note(index, stem, message, monkeypatch,
                                                                         tmp_path):
    module, ask, answer = index()
    blocker = tmp_path / "a-file"  # where the cache folder should be: nothing can be written under it
    blocker.write_text("x\n", encoding="utf-8")
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(blocker / "cache"))
    module._STATE.clear()
    try:
        with pytest.warns(Note) as record:
            assert ask() == answer
        assert ask() == answer  # the same index: no second note
    finally:
        module._STATE.clear()
    notes = _notes(record)
    assert len(notes) == 1 and notes[0].startswith(str(blocker / "cache" / stem)) and message in notes[0], notes
    assert blocker.read_text(encoding="utf-8") == "x\n"


# --------------------------------------------------------------------- where the cache lives

@pytest.fixture
def clean_env(monkeypatch):
    for name in ("ALIGN_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _user_home() -> Path | None:
    import pwd

    home = pwd.getpwuid(os.getuid()).pw_dir
    return Path(home) if home and home != "/" and Path(home).is_dir() else None


@pytest.mark.parametrize("home", ["", None, "relative/dir"], ids=["empty", "unset", "relative"])
def test_no_usable_home_falls_back_to_the_password_database(clean_env, home):
    if home is not None:
        clean_env.setenv("HOME", home)
    expected = _user_home()
    got = default_cache_dir()
    assert got.is_absolute()
    assert not str(got).startswith("/.cache")
    if expected is not None:
        assert got == expected / ".cache" / "align"


def test_xdg_cache_home_comes_before_home(clean_env, tmp_path):
    clean_env.setenv("HOME", "")
    clean_env.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "align"
    clean_env.setenv("XDG_CACHE_HOME", "not/absolute")  # the XDG spec: ignore a relative path
    clean_env.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "align"
    clean_env.setenv("ALIGN_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"


def _no_passwd_home(monkeypatch, pw_dir: str) -> None:
    import pwd
    from types import SimpleNamespace

    monkeypatch.setattr(pwd, "getpwuid", lambda uid: SimpleNamespace(pw_dir=pw_dir))


@pytest.mark.parametrize("pw_dir", ["/", "", "/nonexistent/home"])
def test_no_home_at_all_uses_a_private_temporary_folder(clean_env, tmp_path, pw_dir):
    _no_passwd_home(clean_env, pw_dir)
    clean_env.setattr(tempfile, "tempdir", str(tmp_path))
    got = default_cache_dir()
    assert got == tmp_path / f"align-cache-{os.getuid()}"
    st = got.stat()
    assert st.st_uid == os.getuid() and stat.S_IMODE(st.st_mode) == 0o700


def test_a_temporary_folder_others_can_write_is_not_used(clean_env, tmp_path):
    _no_passwd_home(clean_env, "/")
    clean_env.setattr(tempfile, "tempdir", str(tmp_path))
    shared = tmp_path / f"align-cache-{os.getuid()}"
    shared.mkdir()
    shared.chmod(0o777)  # anyone could plant vectors here
    got = default_cache_dir()
    assert got != shared and got.parent == tmp_path and got.name.startswith("align-cache-")
    assert stat.S_IMODE(got.stat().st_mode) == 0o700


# --------------------------------------------------------------------- through the command line

_align_cmd = align_command  # tests/builders.py


def _env(cache_dir: Path) -> dict:
    env = dict(os.environ)
    env["ALIGN_CACHE_DIR"] = str(cache_dir)
    env["HF_HUB_OFFLINE"] = "1"
    env.pop("ALIGN_DEBUG", None)
    return env


def _pair(directory: Path, lines: int = 12) -> tuple[Path, Path]:
    zh, en = directory / "s.zh.txt", directory / "s.en.txt"
    zh.write_text("\n".join(ZH.read_text(encoding="utf-8").splitlines()[:lines]) + "\n", encoding="utf-8")
    en.write_text("\n".join(EN.read_text(encoding="utf-8").splitlines()[:lines]) + "\n", encoding="utf-8")
    return zh, en


def _run(args, env, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*_align_cmd(), *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=600, **kw)


_SUMMARY = re.compile(r"^  \S+\s+\d+ segments  source covered ")


def _quiet(err: str) -> list[str]:
    """stderr less the coverage summary that `align pair` prints there."""
    return [ln for ln in err.splitlines() if ln.strip() and not _SUMMARY.match(ln)]


def _note_lines(err: str) -> list[str]:
    lines = _quiet(err)
    assert "Traceback" not in err, err
    assert all(ln.startswith("align: note: ") for ln in lines), err
    return lines


@pytest.mark.slow
def test_cli_damaged_embedding_cache_is_rebuilt(tmp_path):
    """Once "file is not a database", exit 4, on every run; now one note and
    the same alignment, and the next run is quiet and uses the new file."""
    zh, en = _pair(tmp_path)
    cache = tmp_path / "cache"
    cache.mkdir()
    _garbage(cache / DB)
    first = _run(["pair", zh, en], _env(cache))
    assert first.returncode == 0, first.stderr
    lines = _note_lines(first.stderr)
    assert len(lines) == 1 and str(cache / DB) in lines[0] and "moved aside" in lines[0], first.stderr
    assert len(list(cache.glob(f"{DB}.corrupt-*"))) == 1
    assert _integrity(cache / DB) == "ok"
    second = _run(["pair", zh, en], _env(cache))
    assert second.returncode == 0 and _quiet(second.stderr) == [], second.stderr
    assert second.stdout == first.stdout


@pytest.mark.slow
def test_cli_cache_under_a_file_is_bypassed(tmp_path):
    zh, en = _pair(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("x\n", encoding="utf-8")
    res = _run(["pair", zh, en], _env(blocker / "cache"))
    assert res.returncode == 0, res.stderr
    lines = _note_lines(res.stderr)
    # the embedding cache and the three indexes (CC-CEDICT, jieba's tags, pinyin), one line each, naming where
    assert len(lines) == 4 and all(str(blocker / "cache") in ln for ln in lines), res.stderr
    for what in ("embedding cache", "CC-CEDICT index cache", "jieba tag index cache", "pinyin index cache"):
        assert sum(what in ln for ln in lines) == 1, (what, res.stderr)
    assert res.stdout.strip()
    assert blocker.read_text(encoding="utf-8") == "x\n"


@contextlib.contextmanager
def _world_readable_tmp():
    """A temporary folder another user can read (pytest's tmp_path is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="align-ro-test-"))
    try:
        path.chmod(0o755)
        yield path
    finally:
        for p in [path, *path.rglob("*")]:
            with contextlib.suppress(OSError):
                p.chmod(0o755 if p.is_dir() else 0o644)
        shutil.rmtree(path, ignore_errors=True)


def _unprivileged() -> list[str]:
    """A command prefix under which a read-only folder is read-only: none for
    a normal user; for root (who writes anywhere), setpriv to nobody."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot make a folder read-only")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.mark.slow
def test_cli_read_only_cache_folder_is_read_not_written(tmp_path):
    with _world_readable_tmp() as shared:
        zh, en = _pair(shared)
        cache = shared / "cache"
        filled = _run(["pair", zh, en], _env(cache))
        assert filled.returncode == 0 and _quiet(filled.stderr) == [], filled.stderr
        before = sorted((p.name, p.stat().st_size) for p in cache.iterdir())
        for p in cache.iterdir():
            p.chmod(0o444)
        cache.chmod(0o555)
        res = subprocess.run([*_unprivileged(), *_align_cmd(), "pair", str(zh), str(en)], capture_output=True,
                             text=True, env={**_env(cache), "HOME": str(shared)}, cwd=shared, timeout=600)
        assert res.returncode == 0, res.stderr
        lines = _note_lines(res.stderr)
        assert len(lines) == 1 and str(cache / DB) in lines[0] and "cannot write" in lines[0], res.stderr
        assert res.stdout == filled.stdout
        assert sorted((p.name, p.stat().st_size) for p in cache.iterdir()) == before


@pytest.mark.slow
def test_cli_damaged_cedict_index_cache_is_rebuilt(tmp_path):
    """The lexical encoder's dictionary index: garbage in its cache file used
    to cost a full parse on every run, for ever."""
    zh, en = _pair(tmp_path)
    cache = tmp_path / "cache"
    good = _run(["pair", zh, en, "--encoder", "lexical"], _env(cache))
    assert good.returncode == 0 and _quiet(good.stderr) == [], good.stderr
    (index,) = cache.glob("cedict-index*.bin")
    index.write_bytes(b"\x00garbage" * 100)
    res = _run(["pair", zh, en, "--encoder", "lexical"], _env(cache))
    assert res.returncode == 0, res.stderr
    lines = _note_lines(res.stderr)
    assert len(lines) == 1 and str(index) in lines[0] and "damaged" in lines[0], res.stderr
    assert res.stdout == good.stdout
    assert index.stat().st_size > 100_000  # rebuilt in place
    quiet = _run(["pair", zh, en, "--encoder", "lexical"], _env(cache))
    assert quiet.returncode == 0 and _quiet(quiet.stderr) == [], quiet.stderr


@pytest.mark.slow
def test_cli_corpus_workers_sharing_a_damaged_cache_move_it_aside_once(tmp_path):
    """Two workers meet the same damaged file at the same time: one moves it
    aside (one note, one ``.corrupt-`` file), the other uses the new one."""
    from test_robustness_corpus import build_corpus

    data = tmp_path / "data"
    build_corpus(data, doc_ids=("doc-a", "doc-b"))
    cache = tmp_path / "cache"
    cache.mkdir()
    _garbage(cache / DB)
    res = _run(["corpus", data, "-o", tmp_path / "out", "--workers", "2", "--no-report"], _env(cache))
    assert res.returncode == 0, res.stderr
    lines = _note_lines(res.stderr)
    assert len(lines) == 1 and "moved aside" in lines[0], res.stderr
    assert len([p for p in cache.iterdir() if p.name.startswith(f"{DB}.corrupt-") and "-wal" not in p.name
                and "-shm" not in p.name]) == 1
    assert _integrity(cache / DB) == "ok"
    conn = sqlite3.connect(cache / DB)
    try:
        assert conn.execute("SELECT COUNT(*) FROM emb").fetchone()[0] > 0  # both workers wrote into the new file
    finally:
        conn.close()
