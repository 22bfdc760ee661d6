"""The sectioned index files (align/sections.py) on small hand-built indexes:
the byte format, the checks that refuse bytes it did not write, the stamped
file name, loading the cached file or building it with one note, and the
builds in child processes (a registered index: ``little_file`` below, which a
child imports from this module): waited for, stopped on Ctrl-C and at exit,
raced, and done here where no child can do them."""
from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from align import sections
from align.errors import InputError, Note
from align.sections import SectionedIndex, load_or_build, package_root, stamped_name
from builders import ctrl_c_as_at_a_terminal


class Little(SectionedIndex, magic=b"TESTIDX1", version=3, what="little index"):
    pass


class Other(SectionedIndex, magic=b"TESTIDX2", version=3, what="other index"):
    pass


class LittleNext(SectionedIndex, magic=b"TESTIDX1", version=4, what="little index"):
    pass


SECTIONS = {"中": {"中": 1, "中国": 2}, "人": {"人": 3}, "": ("a pattern", 0)}


def _notes(record) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, Note)]


def test_sections_and_metadata_read_back_as_packed():
    index = Little(Little.pack_sections(SECTIONS, meta=2 ** 40 + 7))
    assert index.meta == 2 ** 40 + 7
    assert sorted(index.keys()) == sorted(SECTIONS)
    assert index.section("中") == {"中": 1, "中国": 2} and index.section("") == ("a pattern", 0)
    assert index.section("无") == {}  # no such section
    assert index.section("人") is index.section("人")  # unmarshalled once
    assert Little(Little.pack_sections({})).meta == 0 and Little(Little.pack_sections({})).keys() == []


@pytest.mark.parametrize("damage", ["empty", "header-only", "cut-short", "one-more-byte", "flipped-byte",
                                    "other-kind", "other-version"])
def test_bytes_it_did_not_write_raise_value_error(damage):
    data = Little.pack_sections(SECTIONS, meta=5)
    bad = {"empty": b"", "header-only": data[:sections.HEADER.size], "cut-short": data[:-1],
           "one-more-byte": data + b"\0", "flipped-byte": data[:-3] + bytes([data[-3] ^ 0x20]) + data[-2:],
           "other-kind": Other.pack_sections(SECTIONS, meta=5),
           "other-version": LittleNext.pack_sections(SECTIONS, meta=5)}[damage]
    with pytest.raises(ValueError, match="little index"):
        Little(bad)


def test_a_directory_that_is_no_dict_is_refused():
    import marshal
    import zlib

    body = marshal.dumps([1, 2, 3])
    data = sections.HEADER.pack(b"TESTIDX1", 3, 0, len(body), 0, zlib.crc32(body)) + body
    with pytest.raises(ValueError, match="no directory"):
        Little(data)


def test_a_kind_is_named_with_an_eight_byte_magic():
    with pytest.raises(TypeError, match="8 bytes"):
        class Bad(SectionedIndex, magic=b"SHORT", version=1, what="bad"):
            pass


def test_the_stamped_name_changes_with_the_files_and_what_is_added(tmp_path):
    (tmp_path / "a.txt").write_text("one\n", encoding="utf-8")
    first = stamped_name("kind1", tmp_path, ("a.txt", "missing.txt"))
    assert first.startswith("kind1-") and first.endswith(".bin") and len(first) == len("kind1-") + 8 + 4
    assert stamped_name("kind1", tmp_path, ("a.txt", "missing.txt")) == first
    assert stamped_name("kind1", tmp_path, ("a.txt", "missing.txt"), "stemmer2") != first
    (tmp_path / "a.txt").write_text("one two\n", encoding="utf-8")  # another version of the package
    assert stamped_name("kind1", tmp_path, ("a.txt", "missing.txt")) != first


def test_package_root_without_importing_and_a_missing_package():
    assert (package_root("jieba") / "dict.txt").is_file()
    with pytest.raises(InputError, match="no_such_package_here not found; pip install no_such_package_here"):
        package_root("no_such_package_here")


@pytest.fixture
def builds(tmp_path, monkeypatch):
    """load_or_build of a Little index under a temporary cache folder; the list records each build."""
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    made: list[int] = []

    def build() -> bytes:
        made.append(1)
        return Little.pack_sections(SECTIONS, meta=len(made))

    return made, build, tmp_path / "cache" / "little.bin"


def test_built_once_then_read_from_the_cache_folder(builds, recwarn):
    made, build, target = builds
    first = load_or_build(Little, "little.bin", build, "it is built on every run")
    assert target.is_file() and made == [1] and first.meta == 1
    again = load_or_build(Little, "little.bin", build, "it is built on every run")
    assert made == [1] and again.meta == 1 and again.section("中") == first.section("中")
    assert _notes(recwarn) == []


def test_a_damaged_file_is_rebuilt_with_one_note(builds):
    made, build, target = builds
    target.parent.mkdir(parents=True)
    target.write_bytes(b"garbage")
    with pytest.warns(Note) as record:
        index = load_or_build(Little, "little.bin", build, "it is built on every run")
    assert _notes(record) == [f"{target}: damaged little index cache; rebuilding it"]
    assert made == [1] and index.meta == 1 and Little(target.read_bytes()).meta == 1


def test_an_old_version_s_file_is_rebuilt(builds):
    made, build, target = builds
    target.parent.mkdir(parents=True)
    target.write_bytes(LittleNext.pack_sections(SECTIONS, meta=99))
    with pytest.warns(Note, match="damaged little index cache"):
        index = load_or_build(Little, "little.bin", build, "it is built on every run")
    assert made == [1] and index.meta == 1


def test_a_read_only_cache_folder_is_said_in_one_note(builds, monkeypatch):
    import align.textio

    made, build, target = builds

    def read_only(path, data):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr(align.textio, "write_bytes", read_only)
    with pytest.warns(Note) as record:
        index = load_or_build(Little, "little.bin", build, "it is built on every run")
    assert _notes(record) == [f"{target}: cannot write the little index cache (Read-only file system); "
                              "it is built on every run"]
    assert made == [1] and index.section("人") == {"人": 3} and not target.exists()


def test_a_folder_where_the_file_should_be_is_said_in_one_note(builds):
    made, build, target = builds
    target.mkdir(parents=True)
    with pytest.warns(Note) as record:
        index = load_or_build(Little, "little.bin", build, "it is built on every run")
    notes = _notes(record)
    assert len(notes) == 1 and notes[0].startswith(f"{target}: cannot write the little index cache (")
    assert notes[0].endswith("); it is built on every run") and made == [1] and index.meta == 1


def test_without_a_cache_folder_it_is_only_built(builds, monkeypatch, recwarn):
    import align.embed.cache

    made, build, _ = builds

    def no_folder():
        raise OSError(errno.ENOENT, "no cache folder")

    monkeypatch.setattr(align.embed.cache, "default_cache_dir", no_folder)
    assert load_or_build(Little, "little.bin", build, "it is built on every run").meta == 1
    assert made == [1] and _notes(recwarn) == []


def test_importing_it_imports_nothing_heavy():
    probe = "import sys, align.sections; print(sorted(m for m in ('numpy', 'jieba', 'pypinyin') if m in sys.modules))"
    res = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


# --------------------------------------------------------------------- builds in child processes

LITTLE = "test_sections:little_file"


def little_file() -> sections.IndexFile:
    """A registered Little index. Its build appends the pid of the process
    that runs it to $LITTLE_BUILT_BY, sleeps $LITTLE_SLEEP seconds first, and
    fails in any process but $LITTLE_ONLY_IN (when set)."""

    def build() -> bytes:
        only = os.environ.get("LITTLE_ONLY_IN")
        if only and int(only) != os.getpid():
            raise RuntimeError("not built in this process")
        time.sleep(float(os.environ.get("LITTLE_SLEEP", "0")))
        with open(os.environ["LITTLE_BUILT_BY"], "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
        return Little.pack_sections(SECTIONS, meta=7)

    return sections.IndexFile(Little, "little.bin", build, "it is built on every run")


@pytest.fixture
def registered(tmp_path, monkeypatch):
    """A temporary cache folder and the file of the pids that built the index."""
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LITTLE_BUILT_BY", str(tmp_path / "built-by"))
    monkeypatch.setattr(sections, "_LOADED", set())
    sections.stop_children()  # none left by an earlier test's run
    yield tmp_path / "cache", tmp_path / "built-by"
    sections.stop_children()


def _built_by(record: Path) -> list[int]:
    return [int(x) for x in record.read_text(encoding="utf-8").split()] if record.exists() else []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_registered_index_is_built_by_a_child_then_read(registered, recwarn):
    folder, record = registered
    index = sections.load(LITTLE)
    (builder,) = _built_by(record)
    assert builder != os.getpid() and index.meta == 7 and index.section("中") == {"中": 1, "中国": 2}
    assert sorted(p.name for p in folder.iterdir()) == ["little.bin"]  # no temporary file left
    assert sections.load(LITTLE).meta == 7 and _built_by(record) == [builder]  # read, not built again
    assert _notes(recwarn) == [] and not sections._CHILDREN


def test_prepare_starts_the_build_and_load_waits_for_it(registered, monkeypatch):
    folder, record = registered
    monkeypatch.setenv("LITTLE_SLEEP", "1")
    sections.prepare([(LITTLE,)])
    assert folder / "little.bin" in sections._CHILDREN and not (folder / "little.bin").exists()
    sections.prepare([(LITTLE,)])  # one child per file, however often asked
    assert len(set(map(id, sections._CHILDREN.values()))) == 1
    assert sections.load(LITTLE).meta == 7
    assert len(_built_by(record)) == 1 and os.getpid() not in _built_by(record)  # waited for, not built again
    sections.prepare([(LITTLE,)])  # the file is there: nothing to start
    assert not sections._CHILDREN


def test_an_index_this_process_loaded_is_not_built_again_for_another_folder(registered, monkeypatch, tmp_path):
    """Its module keeps the index: a run with another cache folder (a test, a
    library user) reads no file, so building one there would be work thrown away."""
    folder, record = registered
    assert sections.load(LITTLE).meta == 7
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "other"))
    sections.prepare([(LITTLE,)])
    assert not sections._CHILDREN and len(_built_by(record)) == 1
    assert sections.load(LITTLE).meta == 7  # asked for all the same: built there (by a child), as before
    assert (tmp_path / "other" / "little.bin").exists()


def test_an_unwritable_cache_folder_builds_here_with_the_note(registered, monkeypatch, tmp_path):
    _, record = registered
    blocker = tmp_path / "a-file"
    blocker.write_text("x\n", encoding="utf-8")
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(blocker / "cache"))
    sections.prepare([(LITTLE,)])
    assert not sections._CHILDREN
    with pytest.warns(Note) as record_notes:
        assert sections.load(LITTLE).meta == 7
    assert _built_by(record) == [os.getpid()]
    notes = _notes(record_notes)
    assert len(notes) == 1 and "cannot write the little index cache" in notes[0], notes


def test_a_child_that_fails_leaves_the_build_to_this_process(registered, monkeypatch, recwarn):
    folder, record = registered
    monkeypatch.setenv("LITTLE_ONLY_IN", str(os.getpid()))
    assert sections.load(LITTLE).meta == 7
    assert _built_by(record) == [os.getpid()] and Little((folder / "little.bin").read_bytes()).meta == 7
    assert _notes(recwarn) == []


def test_a_damaged_file_is_said_once_and_rebuilt_by_a_child(registered):
    folder, record = registered
    folder.mkdir(parents=True)
    (folder / "little.bin").write_bytes(b"garbage")
    with pytest.warns(Note) as record_notes:
        assert sections.load(LITTLE).meta == 7
    assert _notes(record_notes) == [f"{folder / 'little.bin'}: damaged little index cache; rebuilding it"]
    assert os.getpid() not in _built_by(record) and Little((folder / "little.bin").read_bytes()).meta == 7


_PARENT = """
import os, sys, time
from align import sections
sections.prepare([("test_sections:little_file",)])
print(*[p.pid for p in sections._CHILDREN.values()], flush=True)
if sys.argv[1] == "wait":
    sections.load("test_sections:little_file")
else:
    time.sleep(60)
"""


def _parent(tmp_path: Path, how: str, **env) -> subprocess.Popen:
    env = {**os.environ, "ALIGN_CACHE_DIR": str(tmp_path / "cache"), "LITTLE_BUILT_BY": str(tmp_path / "built-by"),
           "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), **env}
    return subprocess.Popen([sys.executable, "-c", _PARENT, how], env=env, stdout=subprocess.PIPE, text=True,
                            stderr=subprocess.PIPE, start_new_session=True, preexec_fn=ctrl_c_as_at_a_terminal)


@pytest.mark.parametrize("how, whom", [("wait", "group"), ("sleep", "parent")],
                         ids=["ctrl-c-while-waiting", "parent-interrupted-alone"])
def test_ctrl_c_leaves_no_child_and_no_file(tmp_path, how, whom):
    """Ctrl-C at a terminal reaches the caller and its child (the process
    group); a SIGINT to the caller alone stops the child at its exit."""
    proc = _parent(tmp_path, how, LITTLE_SLEEP="60")
    (child,) = map(int, proc.stdout.readline().split())
    time.sleep(1.0)  # the child is in its build
    if whom == "group":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    assert proc.returncode != 0 and "KeyboardInterrupt" in proc.stderr.read()
    assert not _alive(child)
    assert list((tmp_path / "cache").iterdir()) == [] and not (tmp_path / "built-by").exists()


def test_two_processes_racing_for_one_file_both_get_it(tmp_path):
    procs = [_parent(tmp_path, "wait", LITTLE_SLEEP="0.5") for _ in range(2)]
    for proc in procs:
        proc.wait(timeout=60)
        assert proc.returncode == 0, proc.stderr.read()
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["little.bin"]
    assert Little((tmp_path / "cache" / "little.bin").read_bytes()).section("人") == {"人": 3}
