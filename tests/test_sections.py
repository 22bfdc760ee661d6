"""The sectioned index files (align/sections.py) on small hand-built indexes:
the byte format, the checks that refuse bytes it did not write, the stamped
file name, and loading the cached file or building it with one note."""
from __future__ import annotations

import errno
import os
import subprocess
import sys

import pytest

from align import sections
from align.errors import InputError, Note
from align.sections import SectionedIndex, load_or_build, package_root, stamped_name


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
