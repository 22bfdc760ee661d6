"""read_text: encodings, line endings, bad input, bad bytes; output checks and atomic writes."""
from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from align.errors import EXIT_INPUT, DecodingWarning, InputError, UsageError
from align.textio import (atomic_open, check_output, decode_bytes, detect_encoding, read_text, remove_stale_temps,
                          same_file, write_bytes, write_text)

ZH = "国务院办公厅关于加强个人诚信体系建设的指导意见\n国办发〔2016〕98号\n各省、自治区、直辖市人民政府，国务院各部委：\n"
EN = "Guiding Opinion on the Establishment of a Personal Creditworthiness System.\n(1) Guiding Thought.\n"
LATIN1_EN = "The café served crème brûlée to Herr Müller; naïve façade, déjà vu.\n"


def _file(tmp_path: Path, data: bytes, name: str = "in.txt") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize(
    "data, expected",
    [
        pytest.param(ZH.encode("utf-8"), ZH, id="utf-8"),
        pytest.param(ZH.encode("utf-8-sig"), ZH, id="utf-8-bom"),
        pytest.param(ZH.encode("gbk"), ZH, id="gbk"),
        pytest.param(ZH.encode("gb18030"), ZH, id="gb18030"),
        pytest.param(("𠀀𠀁 " + ZH).encode("gb18030"), "𠀀𠀁 " + ZH, id="gb18030-4-byte"),
        pytest.param(ZH.encode("utf-16"), ZH, id="utf-16-bom"),
        pytest.param(codecs.BOM_UTF16_LE + ZH.encode("utf-16-le"), ZH, id="utf-16-le-bom"),
        pytest.param(codecs.BOM_UTF16_BE + ZH.encode("utf-16-be"), ZH, id="utf-16-be-bom"),
        pytest.param(ZH.encode("utf-16-le"), ZH, id="utf-16-le-zh-no-bom"),
        pytest.param(ZH.encode("utf-16-be"), ZH, id="utf-16-be-zh-no-bom"),
        pytest.param(EN.encode("utf-16-le"), EN, id="utf-16-le-en-no-bom"),
        pytest.param(EN.encode("utf-16-be"), EN, id="utf-16-be-en-no-bom"),
        pytest.param((EN + ZH).encode("utf-32"), EN + ZH, id="utf-32-bom"),
        pytest.param(LATIN1_EN.encode("latin-1"), LATIN1_EN, id="latin-1-english"),
        pytest.param("Herr Müller\n".encode("latin-1"), "Herr Müller\n", id="latin-1-short"),
        pytest.param("He said “yes” – café\n".encode("cp1252"), "He said “yes” – café\n", id="cp1252-quotes"),
    ],
)
def test_read_text_decodes(tmp_path, data, expected):
    assert read_text(_file(tmp_path, data)) == expected


def test_latin1_is_not_read_as_gb18030(tmp_path):
    # Every accented letter here is followed by a byte GB18030 accepts as a
    # trail byte, so a plain GB18030 decode succeeds and yields rare hanzi.
    text = "Herr Müller, Björn and Gaëlle met in Zürich.\n"
    data = text.encode("latin-1")
    data.decode("gb18030")  # the trap: this does not raise
    assert detect_encoding(data) != "gb18030"
    assert read_text(_file(tmp_path, data)) == text


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16"])
def test_line_endings_become_lf(tmp_path, newline, encoding):
    text = ZH.replace("\n", newline)
    got = read_text(_file(tmp_path, text.encode(encoding)))
    assert got == ZH
    assert "\r" not in got


def test_real_seed_chinese_reencoded_as_gbk(tmp_path, data_dir):
    zh = (data_dir / "zh" / "guobanfa-2016-98.txt").read_text(encoding="utf-8")
    for enc in ("gbk", "gb18030", "utf-16", "utf-16-le", "utf-8-sig"):
        assert read_text(_file(tmp_path, zh.replace("\n", "\r\n").encode(enc), f"zh.{enc}")) == zh, enc


def _one_line_error(path: Path, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        read_text(path)
    msg = str(info.value)
    assert "\n" not in msg
    assert str(path) in msg
    assert fragment in msg
    assert info.value.exit_code == EXIT_INPUT


def test_empty_file(tmp_path):
    _one_line_error(_file(tmp_path, b""), "file is empty")


@pytest.mark.parametrize("data", [b"  \n\t\r\n  ", "\u3000\n".encode("utf-8"), "\n\n".encode("utf-16")])
def test_whitespace_only_file(tmp_path, data):
    _one_line_error(_file(tmp_path, data), "only whitespace")


def test_allow_empty(tmp_path):
    assert read_text(_file(tmp_path, b""), allow_empty=True) == ""


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "PNG"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "ZIP"),
        (bytes(range(256)) * 8, "binary"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08" * 64 + b"text", "binary"),
    ],
)
def test_binary_file(tmp_path, data, kind):
    _one_line_error(_file(tmp_path, data, "blob.bin"), kind)


def test_directory(tmp_path):
    d = tmp_path / "folder.txt"
    d.mkdir()
    _one_line_error(d, "is a directory")


def test_missing_path(tmp_path):
    _one_line_error(tmp_path / "nope.txt", "no such file")


def test_not_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    _one_line_error(fifo, "not a regular file")


def test_decode_bytes_strips_bom_and_unicode_separators():
    assert decode_bytes(codecs.BOM_UTF8 + "a\u2028b\u2029c\u0085d".encode("utf-8")) == "a\nb\nc\nd"


_COMMON_HANZI = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"
_TEXT = st.text(alphabet=st.sampled_from(list(_COMMON_HANZI + "，。、；：“”（）《》abcdefgXYZ 0123456789.,;\n")),
                min_size=10, max_size=200)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_TEXT, encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-32"]))
def test_round_trip_random_chinese_text(tmp_path, text, encoding):
    assume(sum(c in _COMMON_HANZI for c in text) >= 5 and text.strip())
    assert read_text(_file(tmp_path, text.encode(encoding))) == text


# --------------------------------------------------------------------------
# Atomic writes


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_write_text_and_bytes(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    write_text(target, "一\n二\n")
    assert target.read_bytes() == "一\n二\n".encode("utf-8")
    write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert _leftovers(target.parent) == []


def test_written_file_is_not_private(tmp_path):
    # mkstemp creates 0600 files; the output must get the usual umask mode.
    target = write_text(tmp_path / "report.html", "x")
    old = os.umask(0)
    os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~old


@pytest.mark.parametrize("exc", [RuntimeError("writer failed"), KeyboardInterrupt()])
def test_failed_write_leaves_old_file_and_no_temp(tmp_path, exc):
    target = tmp_path / "out.txt"
    target.write_text("old content\n", encoding="utf-8")
    with pytest.raises(type(exc)):
        with atomic_open(target) as fh:
            fh.write("new content, half written")
            raise exc
    assert target.read_text(encoding="utf-8") == "old content\n"
    assert _leftovers(tmp_path) == []


def test_failed_write_creates_nothing(tmp_path):
    target = tmp_path / "new.txt"
    with pytest.raises(ValueError):
        with atomic_open(target, "wb") as fh:
            fh.write(b"partial")
            raise ValueError("boom")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_open_keeps_newlines_as_written(tmp_path):
    target = tmp_path / "crlf.txt"
    with atomic_open(target) as fh:
        fh.write("a\nb\r\n")
    assert target.read_bytes() == b"a\nb\r\n"


def test_atomic_open_rejects_read_modes(tmp_path):
    with pytest.raises(ValueError):
        with atomic_open(tmp_path / "x", "r"):
            pass


# --------------------------------------------------------------------------
# UTF-8 with a few bad bytes (issue 18): replaced and warned about, or
# refused in strict mode; genuine legacy encodings are still detected.

ZH_LONG = ZH * 40
CURLY_EN = "It’s the State Council’s “guiding opinion” on creditworthiness.\n" * 3


def _with_bad_bytes(text: str, at: int, bad: bytes = b"\xff") -> tuple[bytes, int]:
    """UTF-8 of ``text`` with ``bad`` inserted before character ``at``; the byte offset."""
    head = text[:at].encode("utf-8")
    return head + bad + text[at:].encode("utf-8"), len(head)


@pytest.mark.parametrize("text, at", [(ZH_LONG, 500), (CURLY_EN, 20)], ids=["chinese", "english-curly-quotes"])
def test_stray_byte_in_utf8_is_replaced_with_a_warning(tmp_path, text, at):
    data, offset = _with_bad_bytes(text, at)
    path = _file(tmp_path, data)
    with pytest.warns(DecodingWarning) as record:
        got = read_text(path, strict_encoding=False)
    assert got == text[:at] + "\ufffd" + text[at:]  # the rest is UTF-8, not mojibake
    (w,) = record
    assert (w.message.path, w.message.offset, w.message.count) == (str(path), offset, 1)
    assert str(w.message) == f"{path}: invalid UTF-8 at byte {offset} (1 byte replaced)"


def test_bad_bytes_counted_and_first_offset(tmp_path):
    data, offset = _with_bad_bytes(ZH_LONG, 100, b"\xfe\xff")
    data = data[:-40] + b"\x80" + data[-40:]
    with pytest.warns(DecodingWarning, match=rf"at byte {offset} \(3 bytes replaced\)"):
        got = read_text(_file(tmp_path, data), strict_encoding=False)
    assert got.count("\ufffd") == 3 and got.count("诚信") == ZH_LONG.count("诚信")


def test_bom_and_a_stray_byte(tmp_path):
    data, offset = _with_bad_bytes(ZH_LONG, 300)
    with pytest.warns(DecodingWarning, match=f"at byte {offset + 3} "):  # the offset counts the BOM
        got = read_text(_file(tmp_path, codecs.BOM_UTF8 + data), strict_encoding=False)
    assert got.startswith(ZH_LONG[:300] + "\ufffd")


def test_strict_encoding_refuses_bad_bytes(tmp_path, monkeypatch):
    data, offset = _with_bad_bytes(ZH_LONG, 500)
    path = _file(tmp_path, data)
    with pytest.raises(InputError) as info:
        read_text(path, strict_encoding=True)
    msg = str(info.value)
    assert msg.startswith(f"{path}: invalid UTF-8 at byte {offset} (1 bad byte)") and "\n" not in msg
    # the default comes from the environment (what --strict-encoding sets for worker processes)
    monkeypatch.setenv("ALIGN_STRICT_ENCODING", "1")
    with pytest.raises(InputError, match="invalid UTF-8"):
        read_text(path)
    monkeypatch.setenv("ALIGN_STRICT_ENCODING", "0")
    with pytest.warns(DecodingWarning):
        assert read_text(path).count("\ufffd") == 1


@pytest.mark.parametrize("data, expected, encoding", [
    pytest.param(ZH_LONG.encode("gb18030"), ZH_LONG, "gb18030", id="gb18030"),
    pytest.param(LATIN1_EN.encode("cp1252"), LATIN1_EN, "cp1252", id="cp1252"),
    pytest.param("„Gruß“ sagte der Ökonom über München und Köln.\n".encode("cp1252"),
                 "„Gruß“ sagte der Ökonom über München und Köln.\n", "cp1252", id="cp1252-german-quotes"),
])
def test_legacy_encodings_are_not_taken_for_damaged_utf8(tmp_path, recwarn, data, expected, encoding):
    assert detect_encoding(data) == encoding
    assert read_text(_file(tmp_path, data), strict_encoding=True) == expected
    assert not recwarn.list


# --------------------------------------------------------------------------
# Outputs: check_output, non-regular files, stale temporary files, errors
# that name the output.


def _usage(fn, *args, **kw) -> str:
    with pytest.raises(UsageError) as info:
        fn(*args, **kw)
    assert info.value.exit_code == 2
    return str(info.value)


def test_check_output_refuses_an_input(tmp_path):
    src = _file(tmp_path, b"x\n", "v.txt")
    msg = _usage(check_output, src, {"source": tmp_path / "zh.txt", "translation": [src]})
    assert msg == (f"{src}: the output is the same file as the input translation {src}; "
                   "choose another output path")
    hard = tmp_path / "hard.txt"
    os.link(src, hard)
    sym = tmp_path / "sym.txt"
    sym.symlink_to(src.name)
    for alias in (hard, sym, tmp_path / "." / "v.txt"):
        assert same_file(alias, src)
        assert f"input glossary {src}" in _usage(check_output, alias, {"glossary": src})
    check_output(tmp_path / "other.txt", {"translation": [src], "glossary": None})  # fine
    check_output(tmp_path / "new" / "deep" / "out.txt", {"source": tmp_path / "missing.txt"})
    assert not (tmp_path / "new").exists()  # checking creates nothing


def test_check_output_refuses_what_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "named pipe" in _usage(check_output, fifo)
    assert "is a directory" in _usage(check_output, tmp_path)
    blocker = _file(tmp_path, b"x", "blocker")
    assert f"{blocker} is a file, not a directory" in _usage(check_output, blocker / "a" / "out.txt")
    assert "not a directory" in _usage(check_output, blocker, directory=True)
    check_output(tmp_path, directory=True)


def test_check_output_refuses_an_unwritable_place(tmp_path, monkeypatch):
    existing = _file(tmp_path, b"x", "old.txt")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) in (tmp_path, existing) else real_access(p, mode))
    assert "read-only" in _usage(check_output, existing)
    assert f"cannot write in {tmp_path}" in _usage(check_output, tmp_path / "new.txt")


def _device(path: Path) -> Path:
    if os.geteuid() != 0:
        pytest.skip("creating a device node needs root")
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a null device of our own, in tmp_path
    return path


def test_atomic_open_never_replaces_a_device_or_pipe(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    targets = [fifo]
    if os.geteuid() == 0:
        targets.append(_device(tmp_path / "null"))
    for target in targets:
        before = os.stat(target)
        with pytest.raises(UsageError, match="regular file"):
            write_text(target, "data")
        after = os.stat(target)
        assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)
    assert _leftovers(tmp_path) == []


def test_atomic_open_checks_again_before_renaming(tmp_path):
    """A device that appears at the output path while the file is being written is not replaced."""
    target = tmp_path / "out.txt"
    with pytest.raises(UsageError, match="named pipe"):
        with atomic_open(target) as fh:
            fh.write("data")
            os.mkfifo(target)
    assert stat.S_ISFIFO(os.stat(target).st_mode)
    assert _leftovers(tmp_path) == []


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_temp_name_carries_the_pid(tmp_path):
    target = tmp_path / "out.txt"
    with atomic_open(target) as fh:
        (tmp,) = _leftovers(tmp_path)
        assert tmp.startswith(f".out.txt.{os.getpid()}.") and tmp.endswith(".tmp")
        fh.write("x")
    assert _leftovers(tmp_path) == []


def test_stale_temp_files_of_dead_writers_are_removed(tmp_path):
    target = tmp_path / "out.txt"
    dead = tmp_path / f".out.txt.{_dead_pid()}.k3j2h1g0.tmp"
    live = tmp_path / f".out.txt.{os.getppid()}.a1b2c3d4.tmp"  # a running process: maybe writing right now
    other = tmp_path / f".other.txt.{_dead_pid()}.a1b2c3d4.tmp"  # another output's
    foreign = tmp_path / ".out.txt.k3j2h1g0.tmp"  # no pid: not ours to judge
    for p in (dead, live, other, foreign):
        p.write_text("half", encoding="utf-8")
    write_text(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert not dead.exists()
    assert live.exists() and other.exists() and foreign.exists()
    assert remove_stale_temps(tmp_path / "other.txt") == [other]


def test_disk_full_names_the_output_not_the_temp_file(tmp_path, monkeypatch):
    import errno

    target = tmp_path / "out.txt"
    target.write_text("old\n", encoding="utf-8")

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    class FullDisk:  # the temporary file, on a disk that is full
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            full()

        def __getattr__(self, name):
            return getattr(self.fh, name)

    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: FullDisk(real_fdopen(fd, *a, **k)))
    with pytest.raises(OSError) as info:
        write_text(target, "new content\n")
    monkeypatch.undo()
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(target)
    assert target.read_text(encoding="utf-8") == "old\n" and _leftovers(tmp_path) == []

    monkeypatch.setattr(os, "fsync", full)  # the full disk found at the flush
    with pytest.raises(OSError) as info:
        write_bytes(target, b"new")
    monkeypatch.undo()
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(target)
    assert target.read_text(encoding="utf-8") == "old\n" and _leftovers(tmp_path) == []


def test_unwritable_folder_names_the_output(tmp_path, monkeypatch):
    import errno
    import tempfile

    def refused(prefix, suffix, dir):
        raise PermissionError(errno.EACCES, "Permission denied", os.path.join(dir, prefix + "abc" + suffix))

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    with pytest.raises(PermissionError) as info:
        write_text(tmp_path / "out.txt", "x")
    assert info.value.filename == str(tmp_path / "out.txt")
