"""Bad input through the real command line (issue 7).

Every case runs the installed ``align`` console script in a subprocess and
checks what a user sees: a single ``align: error: ...`` line on stderr that
names the file and the problem, no traceback, and the exit code of the error
class (usage 2, input 3, internal 4). Inputs that are unusual but valid (GBK,
UTF-16 with and without BOM, Latin-1, mixed languages, a 100,000-character
line without punctuation, duplicated lines) must work and give the same
result as the plain UTF-8 input.

Decisions recorded here (the behaviour the CLI guarantees):

- source and target swapped (an English file given as the Chinese source, or
  a Chinese file given as a translation) is an input error, exit 3, naming the
  file, saying which language it looks like and suggesting the swap;
- the same file given twice (twice as a translation, or the source again as a
  translation) is a usage error, exit 2, naming the file;
- a Latin-1 file with no label is read as Windows-1252 (works); a Latin-1
  file mislabelled as UTF-8 by a UTF-8 byte-order mark is a clear input error;
- the alignment runs use the lexical encoder (no neural model: fast), and
  the embedding cache goes to a temporary directory.
"""
from __future__ import annotations

import json
import os
import random
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from builders import align_command, run_align

REPO = Path(__file__).resolve().parents[1]
ZH = REPO / "data" / "zh" / "guobanfa-2016-98.txt"
EN = REPO / "data" / "en" / "guobanfa-2016-98.clt.txt"
EN_BLOG = REPO / "data" / "en" / "guobanfa-2016-98.blog.txt"
ENCODER = ["--encoder", "lexical"]

EXIT_USAGE, EXIT_INPUT = 2, 3


ALIGN = align_command()  # tests/builders.py




def run(args, env, cwd=None, timeout=600) -> subprocess.CompletedProcess:
    return run_align(args, env, cwd=cwd, timeout=timeout)


def assert_error(res: subprocess.CompletedProcess, code: int, path: Path | str | None, *patterns: str) -> str:
    """One error line on stderr naming ``path`` and matching every pattern."""
    err = res.stderr
    assert "Traceback" not in err, err
    assert res.returncode == code, (res.returncode, err, res.stdout[-2000:])
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one error line, got: {err!r}"
    line = lines[0]
    assert line.startswith("align: error: "), line
    if path is not None:
        assert Path(path).name in line, f"{Path(path).name!r} not named in {line!r}"
    for pat in patterns:
        assert re.search(pat, line, re.I), f"{pat!r} not in {line!r}"
    return line


def assert_ok(res: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in res.stderr, res.stderr
    assert res.returncode == 0, (res.returncode, res.stderr)


# --------------------------------------------------------------------- inputs

def _head(path: Path, n: int) -> str:
    return "\n".join(path.read_text(encoding="utf-8").splitlines()[:n]) + "\n"


@pytest.fixture
def small(tmp_path) -> tuple[Path, Path]:
    """The first lines of the 98号 document and of its CLT translation."""
    zh, en = tmp_path / "small.zh.txt", tmp_path / "small.en.txt"
    zh.write_text(_head(ZH, 12), encoding="utf-8")
    en.write_text(_head(EN, 12), encoding="utf-8")
    return zh, en


def _random_bytes(seed: int, n: int = 4096) -> bytes:
    return random.Random(seed).randbytes(n)


BAD_KINDS = {
    # name: (maker, pattern the message must contain)
    "empty": (lambda p: p.write_bytes(b""), r"empty"),
    "whitespace": (lambda p: p.write_bytes(b"  \n\t\n \r\n\xe3\x80\x80\n"), r"whitespace|empty"),
    "binary": (lambda p: p.write_bytes(_random_bytes(7)),
               r"binary|not text"),
    "png": (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8), r"PNG|binary|not text"),
    "directory": (lambda p: p.mkdir(), r"directory|not a (regular )?file"),
    "missing": (lambda p: None, r"no such file|not found|does not exist"),
}


def make_bad(tmp_path: Path, kind: str) -> tuple[Path, str]:
    maker, pattern = BAD_KINDS[kind]
    path = tmp_path / f"bad-{kind}.txt"
    maker(path)
    return path, pattern


# One argument list per command; BAD marks where the bad file goes.
BAD = object()


def _commands(good_zh: Path, good_en: Path, out: Path) -> dict[str, list]:
    return {
        "segment": ["segment", BAD],
        "pair-source": ["pair", BAD, good_en, *ENCODER],
        "pair-target": ["pair", good_zh, BAD, *ENCODER],
        "check-source": ["check", BAD, good_en, *ENCODER],
        "check-target": ["check", good_zh, BAD, *ENCODER],
        "report-source": ["report", BAD, good_en, "-o", out, *ENCODER],
        "report-target": ["report", good_zh, BAD, "-o", out, *ENCODER],
        "glossary-check-source": ["glossary", "check", BAD, good_en, *ENCODER],
        "glossary-check-target": ["glossary", "check", good_zh, BAD, *ENCODER],
    }


@pytest.mark.parametrize("command", ["segment", "pair-source", "pair-target", "check-source", "check-target",
                                     "report-source", "report-target", "glossary-check-source",
                                     "glossary-check-target"])
@pytest.mark.parametrize("kind", list(BAD_KINDS))
def test_bad_input_file(tmp_path, env, small, command, kind):
    bad, pattern = make_bad(tmp_path, kind)
    out = tmp_path / "out" / "report.html"
    args = [bad if a is BAD else a for a in _commands(*small, out)[command]]
    res = run(args, env)
    assert_error(res, EXIT_INPUT, bad, pattern)
    assert not out.exists()
    if out.parent.exists():
        assert list(out.parent.iterdir()) == []


def test_error_names_full_path_not_just_a_basename(tmp_path, env):
    """Two files with the same name in different folders: the message says which one."""
    (tmp_path / "a").mkdir()
    bad = tmp_path / "a" / "text.txt"
    bad.write_bytes(b"")
    res = run(["segment", bad], env, cwd=tmp_path)
    line = assert_error(res, EXIT_INPUT, bad, "empty")
    assert "a/text.txt" in line or str(bad) in line


# ---------------------------------------------------------------- encodings

def _segments_json(res: subprocess.CompletedProcess) -> list[str]:
    assert_ok(res)
    return [s["text"] for s in json.loads(res.stdout)]


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_chinese_in_other_encodings_reads_the_same(tmp_path, env, encoding):
    text = ZH.read_text(encoding="utf-8")
    f = tmp_path / f"zh.{encoding}.txt"
    f.write_bytes(text.encode(encoding))
    if encoding in ("utf-16-le", "utf-16-be"):
        assert not f.read_bytes().startswith((b"\xff\xfe", b"\xfe\xff"))  # really without BOM
    expected = _segments_json(run(["segment", ZH, "--json"], env))
    got = _segments_json(run(["segment", f, "--json"], env))
    assert got == expected
    assert "诚信" in "".join(got)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "cp1252"])
def test_english_in_other_encodings_reads_the_same(tmp_path, env, encoding):
    text = EN.read_text(encoding="utf-8")
    text = text.encode(encoding, errors="replace").decode(encoding)  # what survives the code page
    ref, f = tmp_path / "en.utf8.txt", tmp_path / f"en.{encoding}.txt"
    ref.write_text(text, encoding="utf-8")
    f.write_bytes(text.encode(encoding))
    assert _segments_json(run(["segment", f, "--json"], env)) == _segments_json(run(["segment", ref, "--json"], env))


LATIN = ("The café's naïve résumé was reviewed by Zoë Müller on 3 März 2016 — “in good faith”.\n"
         "Señor Ibáñez paid 50 £ for the crème brûlée; the façade was rebuilt.\n")


def test_latin1_without_label_is_decoded(tmp_path, env):
    f = tmp_path / "latin1.txt"
    f.write_bytes(LATIN.encode("cp1252"))
    res = run(["segment", f], env)
    assert_ok(res)
    assert "café's naïve résumé" in res.stdout and "Zoë Müller" in res.stdout and "crème brûlée" in res.stdout
    assert "Ã" not in res.stdout  # no mojibake


def test_latin1_mislabelled_as_utf8_is_a_clear_error(tmp_path, env):
    """A UTF-8 byte-order mark in front of Latin-1 bytes: the label lies."""
    f = tmp_path / "mislabelled.txt"
    f.write_bytes(b"\xef\xbb\xbf" + LATIN.encode("latin-1", errors="replace"))
    res = run(["segment", f], env)
    if res.returncode == 0:  # allowed only when decoded correctly
        assert "café's naïve résumé" in res.stdout and "Ã" not in res.stdout
    else:
        assert_error(res, EXIT_INPUT, f, r"decode|encoding|UTF-8")


def test_pair_of_gbk_source_and_utf16_target_aligns_like_utf8(tmp_path, env, small):
    zh, en = small
    gbk, u16 = tmp_path / "src.gbk.txt", tmp_path / "tgt.utf16.txt"
    gbk.write_bytes(zh.read_text(encoding="utf-8").encode("gbk"))
    u16.write_bytes(en.read_text(encoding="utf-8").encode("utf-16-le"))
    ref = run(["pair", zh, en, *ENCODER, "--format", "beads"], env)
    got = run(["pair", gbk, u16, *ENCODER, "--format", "beads"], env)
    assert_ok(ref)
    assert_ok(got)
    assert got.stdout == ref.stdout
    assert len(ref.stdout.splitlines()) >= 5


# ------------------------------------------------------ content edge cases

def _beads(stdout: str) -> list[tuple[list[int], list[int]]]:
    beads = []
    for line in stdout.splitlines():
        if not line.strip():
            continue
        m = re.fullmatch(r"\s*\[([\d,\s]*)\]\s*:\s*\[([\d,\s]*)\]\s*", line)
        assert m, f"not a bead line: {line!r}"
        beads.append(tuple([int(x) for x in g.split(",") if x.strip()] for g in m.groups()))
    return beads


def assert_covers(beads, n_src: int, n_tgt: int) -> None:
    """Every source and target index exactly once, in order."""
    assert [i for s, _ in beads for i in s] == list(range(n_src))
    assert [j for _, t in beads for j in t] == list(range(n_tgt))


def _count_segments(path: Path, env, *extra) -> int:
    return len(_segments_json(run(["segment", path, "--json", *extra], env)))


def test_long_chinese_line_without_punctuation(tmp_path, env):
    """100,000 Chinese characters on one line, no punctuation: cut into
    bounded segments that reproduce the line, and the aligner copes."""
    from align.segment import DEFAULT_SETTINGS

    han = "".join(re.findall(r"[\u4e00-\u9fff]", ZH.read_text(encoding="utf-8")))
    line = (han * (100_000 // len(han) + 1))[:100_000]
    src = tmp_path / "long.zh.txt"
    src.write_text(line + "\n", encoding="utf-8")
    res = run(["segment", src, "--json"], env)
    segs = json.loads(res.stdout) if res.returncode == 0 else None
    assert_ok(res)
    limit = DEFAULT_SETTINGS.max_chars("zh")
    assert len(segs) >= 100_000 // limit
    assert max(len(s["text"]) for s in segs) <= limit
    assert "".join(s["text"] for s in segs) == line
    assert all(line[s["start"]:s["end"]] == s["text"] for s in segs)
    # a long English counterpart: the whole translation several times over
    tgt = tmp_path / "long.en.txt"
    tgt.write_text(EN.read_text(encoding="utf-8") * 4, encoding="utf-8")
    n_tgt = _count_segments(tgt, env)
    res = run(["pair", src, tgt, *ENCODER, "--format", "beads"], env)
    assert_ok(res)
    assert_covers(_beads(res.stdout), len(segs), n_tgt)


def test_mixed_language_target_is_aligned_and_flagged(tmp_path, env, small):
    """An English translation with Chinese paragraphs left in it."""
    zh, en = small
    zh_lines, en_lines = zh.read_text(encoding="utf-8").splitlines(), en.read_text(encoding="utf-8").splitlines()
    mixed = tmp_path / "mixed.en.txt"
    mixed.write_text("\n".join(en_lines[:6] + zh_lines[6:8] + en_lines[8:]) + "\n", encoding="utf-8")
    res = run(["check", zh, mixed, *ENCODER, "--json"], env)
    assert_ok(res)
    flags = json.loads(res.stdout)["flags"]
    assert any(f["kind"] == "untranslated" for f in flags), flags
    res = run(["segment", mixed], env)
    assert_ok(res)
    assert zh_lines[6].strip()[:10] in res.stdout


def test_blog_translation_with_chinese_appended_is_still_english(tmp_path, env):
    """The corpus's blog translation carries the Chinese original after it:
    it is detected as English and segmented as English."""
    res = run(["segment", EN_BLOG, "--json"], env)
    segs = json.loads(res.stdout)
    assert_ok(res)
    assert {s["lang"] for s in segs} == {"en"}


def test_duplicated_lines(tmp_path, env, small):
    zh, en = small
    dz, de = tmp_path / "dup.zh.txt", tmp_path / "dup.en.txt"
    dz.write_text("".join(ln + "\n" + ln + "\n" for ln in zh.read_text(encoding="utf-8").splitlines()),
                  encoding="utf-8")
    de.write_text("".join(ln + "\n" + ln + "\n" for ln in en.read_text(encoding="utf-8").splitlines()),
                  encoding="utf-8")
    res = run(["pair", dz, de, *ENCODER, "--format", "beads"], env)
    assert_ok(res)
    assert_covers(_beads(res.stdout), _count_segments(dz, env), _count_segments(de, env))
    # one sentence repeated 300 times on each side
    rz, re_ = tmp_path / "rep.zh.txt", tmp_path / "rep.en.txt"
    rz.write_text("建立健全个人诚信体系。\n" * 300, encoding="utf-8")
    re_.write_text("Establish and complete a personal integrity system.\n" * 300, encoding="utf-8")
    res = run(["pair", rz, re_, *ENCODER, "--format", "beads", "--presegmented"], env)
    assert_ok(res)
    beads = _beads(res.stdout)
    assert_covers(beads, 300, 300)


@pytest.mark.parametrize("command", ["pair", "check", "report"])
def test_source_and_target_swapped(tmp_path, env, small, command):
    zh, en = small
    out = tmp_path / "out" / "report.html"
    extra = ["-o", out] if command == "report" else []
    res = run([command, en, zh, *ENCODER, *extra], env)
    assert_error(res, EXIT_INPUT, en, r"swap", r"English|Chinese")
    assert not out.exists()


def test_chinese_file_given_as_translation(tmp_path, env, small):
    zh, _ = small
    other = tmp_path / "other.zh.txt"
    other.write_text(_head(ZH, 20), encoding="utf-8")
    res = run(["pair", zh, other, *ENCODER], env)
    assert_error(res, EXIT_INPUT, other, r"Chinese", r"English|translation")


def test_same_translation_given_twice(tmp_path, env, small):
    zh, en = small
    res = run(["pair", zh, en, en, *ENCODER], env)
    assert_error(res, EXIT_USAGE, en, r"twice|more than once|same file|duplicate")


def test_source_given_again_as_translation(tmp_path, env, small):
    zh, _ = small
    res = run(["pair", zh, zh, *ENCODER], env)
    assert res.returncode in (EXIT_USAGE, EXIT_INPUT), res.stderr
    assert_error(res, res.returncode, zh, r"twice|same file|source|swap|Chinese")


# ------------------------------------------------------------- glossary

MALFORMED_GLOSSARIES = {
    # name: (text, line the message must name)
    "yaml-syntax": ("entries:\n  - term: 诚信\n    preferred: integrity\n  - term: 信用\n"
                    "   preferred: credit\n    accepted: [trust\n", None),
    "missing-preferred": ("entries:\n  - term: 诚信\n    preferred: integrity\n  - term: 信用\n"
                          "    accepted: [trust]\n", 4),
    # the entry (line 4) lacks `preferred`; the typo is on line 5: either line will do
    "typo-in-key": ("entries:\n  - term: 诚信\n    preferred: integrity\n  - term: 信用\n"
                    "    prefered: credit\n", "4|5"),
    "no-chinese-term": ("entries:\n  - term: 诚信\n    preferred: integrity\n  - term: credit\n"
                        "    preferred: credit\n", 4),
    "not-a-list": ("entries: 诚信 is integrity\n", 1),
    # YAML loaders keep the last of two values silently (issue 18)
    "duplicate-key": ("entries:\n  - term: 诚信\n    preferred: integrity\n    accepted: [honesty]\n"
                      "    preferred: credit\n", 5),
}


@pytest.mark.parametrize("name", list(MALFORMED_GLOSSARIES))
def test_malformed_glossary_names_the_line(tmp_path, env, small, name):
    text, line_no = MALFORMED_GLOSSARIES[name]
    g = tmp_path / f"{name}.yaml"
    g.write_text(text, encoding="utf-8")
    zh, en = small
    res = run(["glossary", "check", zh, en, "--glossary", g, *ENCODER], env)
    msg = assert_error(res, EXIT_INPUT, g, r"line \d+")
    if line_no is not None:
        assert re.search(rf"line ({line_no})\b", msg), msg
    if name == "duplicate-key":
        assert "duplicate key 'preferred'" in msg and "line 3" in msg, msg


@pytest.mark.parametrize("command", ["check", "report"])
def test_malformed_glossary_in_check_and_report(tmp_path, env, small, command):
    g = tmp_path / "typo.yaml"
    g.write_text(MALFORMED_GLOSSARIES["typo-in-key"][0], encoding="utf-8")
    zh, en = small
    out = tmp_path / "out" / "report.html"
    extra = ["-o", out] if command == "report" else []
    res = run([command, zh, en, "--glossary", g, *ENCODER, *extra], env)
    assert_error(res, EXIT_INPUT, g, r"line (4|5)\b")
    assert not out.exists()


@pytest.mark.parametrize("kind", ["missing", "empty", "binary", "directory"])
def test_bad_glossary_file(tmp_path, env, small, kind):
    g, pattern = make_bad(tmp_path, kind)
    zh, en = small
    res = run(["glossary", "check", zh, en, "--glossary", g, *ENCODER], env)
    assert_error(res, EXIT_INPUT, g, pattern if kind != "missing" else r"no such|not found|does not exist")


# ----------------------------------------------------------------- ingest

def test_ingest_bad_seed_dirs(tmp_path, env):
    res = run(["ingest", tmp_path / "nowhere", "-o", tmp_path / "o1"], env)
    assert_error(res, EXIT_INPUT, tmp_path / "nowhere", r"not found|no such|does not exist")
    f = tmp_path / "file.txt"
    f.write_text("x\n", encoding="utf-8")
    res = run(["ingest", f, "-o", tmp_path / "o2"], env)
    assert_error(res, EXIT_INPUT, f, r"not a directory")
    (tmp_path / "emptydir").mkdir()
    res = run(["ingest", tmp_path / "emptydir", "-o", tmp_path / "o3"], env)
    assert_error(res, EXIT_INPUT, tmp_path / "emptydir", r"empty|no seed")
    for o in ("o1", "o2", "o3"):
        assert not (tmp_path / o).exists()


@pytest.mark.parametrize("kind", ["empty", "binary"])
def test_ingest_bad_seed_file(tmp_path, env, seeds_dir, kind):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    names = sorted(p.name for p in seeds_dir.iterdir() if p.is_file())
    for name in names:
        (seeds / name).write_bytes((seeds_dir / name).read_bytes())
    bad = seeds / names[0]
    bad.write_bytes(b"" if kind == "empty" else _random_bytes(3))
    res = run(["ingest", seeds, "-o", tmp_path / "data"], env)
    assert_error(res, EXIT_INPUT, bad, BAD_KINDS[kind][1])
    assert not (tmp_path / "data" / "MANIFEST.yaml").exists()


def test_ingest_of_gbk_and_utf16_seeds_gives_the_same_corpus(tmp_path, env, seeds_dir):
    ref_seeds, enc_seeds = tmp_path / "ref", tmp_path / "enc"
    ref_seeds.mkdir()
    enc_seeds.mkdir()
    names = sorted(p.name for p in seeds_dir.iterdir() if p.is_file())
    for k, name in enumerate(names):
        data = (seeds_dir / name).read_bytes()
        (ref_seeds / name).write_bytes(data)
        text = data.decode("utf-8")
        (enc_seeds / name).write_bytes(text.encode("utf-16") if k % 2 else text.encode("gb18030"))
    assert_ok(run(["ingest", ref_seeds, "-o", tmp_path / "d1"], env))
    assert_ok(run(["ingest", enc_seeds, "-o", tmp_path / "d2"], env))
    files1 = sorted(p.relative_to(tmp_path / "d1") for p in (tmp_path / "d1").rglob("*") if p.is_file())
    files2 = sorted(p.relative_to(tmp_path / "d2") for p in (tmp_path / "d2").rglob("*") if p.is_file())
    assert files1 == files2 and files1
    for rel in files1:
        a, b = (tmp_path / "d1" / rel).read_bytes(), (tmp_path / "d2" / rel).read_bytes()
        if rel.name == "MANIFEST.yaml":  # the seeds' checksums differ, nothing else
            la = [ln for ln in a.decode().splitlines() if "sha256" not in ln]
            lb = [ln for ln in b.decode().splitlines() if "sha256" not in ln]
            assert la == lb
        else:
            assert a == b, rel


# ------------------------------------------------------- usage and --debug

def test_unknown_encoder_is_a_usage_error(tmp_path, env, small):
    zh, en = small
    res = run(["pair", zh, en, "--encoder", "nonsense"], env)
    assert_error(res, EXIT_USAGE, None, r"nonsense", r"encoder")


def test_st_encoder_with_missing_model_path(tmp_path, env, small):
    zh, en = small
    missing = tmp_path / "models" / "no-such-model"
    res = run(["pair", zh, en, "--encoder", f"st:{missing}"], env)
    assert_error(res, EXIT_INPUT, missing, r"not found|no such|model")


@pytest.mark.parametrize("args", [
    ["pair", "{zh}"],  # no translation
    ["pair", "{zh}", "{en}", "--level", "word"],
    ["segment", "{zh}", "--lang", "fr"],
    ["segment", "{zh}", "--no-such-option"],
    ["no-such-command"],
])
def test_usage_errors(tmp_path, env, small, args):
    zh, en = small
    res = run([a.format(zh=zh, en=en) for a in args], env)
    assert_error(res, EXIT_USAGE, None)


def test_debug_shows_the_traceback(tmp_path, env):
    missing = tmp_path / "missing.txt"
    res = run(["--debug", "segment", missing], env)
    assert res.returncode != 0
    assert "Traceback" in res.stderr
    assert "InputError" in res.stderr and "missing.txt" in res.stderr
    plain = run(["segment", missing], env)
    assert_error(plain, EXIT_INPUT, missing, r"no such file")
    late = run(["segment", missing, "--debug"], env)  # after the command works too
    assert late.returncode != 0 and "Traceback" in late.stderr and "InputError" in late.stderr


def test_broken_pipe_is_quiet(tmp_path, env):
    """`align segment big.txt | head -1`: no error, no traceback."""
    big = tmp_path / "big.txt"
    big.write_text(ZH.read_text(encoding="utf-8") * 50, encoding="utf-8")
    proc = subprocess.Popen([*ALIGN, "segment", str(big)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env)
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    rc = proc.wait(timeout=120)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert rc == 0, (rc, err)


# ----------------------------------------------------------------- outputs

@pytest.mark.parametrize("command", ["pair", "report", "export"])
def test_output_that_is_a_directory(tmp_path, env, small, command):
    zh, en = small
    out = tmp_path / "out.d"
    out.mkdir()
    (out / "keep.txt").write_text("x", encoding="utf-8")
    extra = ["--format", "tsv"] if command == "export" else []
    res = run([command, zh, en, *ENCODER, "-o", out, *extra], env)
    assert_error(res, EXIT_USAGE, out, r"directory")
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


@pytest.mark.parametrize("command", ["pair", "report", "export"])
def test_output_below_a_file(tmp_path, env, small, command):
    """-o a/b.tsv where a is a file: one usage line saying that a is a file, nothing written."""
    zh, en = small
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    res = run([command, zh, en, *ENCODER, "-o", blocker / "out.tsv"], env)
    assert_error(res, EXIT_USAGE, blocker, r"blocker is a file, not a directory")
    assert blocker.read_text(encoding="utf-8") == "x"


def test_source_without_any_letters(tmp_path, env, small):
    """Punctuation and digits only: not called English, called empty of Chinese."""
    _, en = small
    src = tmp_path / "punct.zh.txt"
    src.write_text("。。。\n1 2 3\n——\n", encoding="utf-8")
    res = run(["pair", src, en, *ENCODER], env)
    assert_error(res, EXIT_INPUT, src, r"no Chinese text")


# ================================================ never lose or damage a file
#
# Issue 18. No command writes over one of its inputs (the same path, or the
# same file through a hard link or a symlink); outputs go only to regular
# files or new paths; every output problem is a usage error before any work;
# UTF-8 with a few bad bytes is read with a warning (an input error with
# --strict-encoding); a killed writer's temporary file is cleaned up by the
# next write; errors name the output, never the temporary file, and show
# control characters in file names escaped.

GLOSSARY = "entries:\n  - term: 诚信\n    preferred: integrity\n  - term: 信用\n    preferred: credit\n"


def _tmp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp"))


@pytest.fixture
def inputs(tmp_path, small) -> dict[str, Path]:
    """Every kind of input a command reads, in tmp_path."""
    zh, en = small
    g = tmp_path / "g.yaml"
    g.write_text(GLOSSARY, encoding="utf-8")
    csv = tmp_path / "terms.csv"
    csv.write_text("term,preferred\n诚信,integrity\n", encoding="utf-8")
    v = tmp_path / "v.txt"  # a translation with a plain name, as in the issue
    v.write_bytes(en.read_bytes())
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "seed.txt").write_text("x\n", encoding="utf-8")
    return {"zh": zh, "en": en, "g": g, "csv": csv, "v": v, "folder": folder}


# command, the output (a key of `inputs`), the role the message names
SAME_FILE_CASES = {
    "pair-translation": (["pair", "{zh}", "{v}", "-o", "{v}"], "v", "translation"),
    "pair-source": (["pair", "{zh}", "{v}", "-f", "tsv", "-o", "{zh}"], "zh", "source"),
    "export": (["export", "{zh}", "{v}", "-f", "tsv", "-o", "{v}"], "v", "translation"),
    "export-glossary": (["export", "{zh}", "{en}", "-g", "{g}", "-f", "jsonl", "-o", "{g}"], "g", "glossary"),
    "report-glossary": (["report", "{zh}", "{en}", "--glossary", "{g}", "-o", "{g}"], "g", "glossary"),
    "report-translation": (["report", "{zh}", "{v}", "-o", "{v}"], "v", "translation"),
    "glossary-mine": (["glossary", "mine", "{zh}", "{en}", "-g", "{g}", "-o", "{g}"], "g", "glossary"),
    "glossary-mine-source": (["glossary", "mine", "{zh}", "{en}", "-o", "{zh}"], "zh", "source"),
    "glossary-export": (["glossary", "export", "-g", "{g}", "-f", "csv", "{g}"], "g", "glossary"),
    "glossary-import-force": (["glossary", "import", "{csv}", "-o", "{csv}", "--force"], "csv", "term base"),
    "segment": (["segment", "{zh}", "-o", "{zh}"], "zh", "file"),
    "ingest": (["ingest", "{folder}", "-o", "{folder}"], "folder", "seeds directory"),
    "corpus": (["corpus", "{folder}", "-o", "{folder}"], "folder", "corpus directory"),
    "demo": (["demo", "--data", "{folder}", "--out", "{folder}"], "folder", "data folder"),
}


def _snapshot(path: Path):
    if path.is_dir():
        return sorted((p.name, p.read_bytes()) for p in path.iterdir())
    return path.read_bytes()


@pytest.mark.parametrize("case", list(SAME_FILE_CASES))
def test_no_command_writes_over_its_input(tmp_path, env, inputs, case):
    args, out_key, role = SAME_FILE_CASES[case]
    victim = inputs[out_key]
    before = _snapshot(victim)
    no_encoder = case in ("segment", "glossary-export", "glossary-import-force", "ingest")
    res = run([a.format(**inputs) for a in args] + ([] if no_encoder else ENCODER), env)
    what = "directory" if victim.is_dir() else "file"
    line = assert_error(res, EXIT_USAGE, victim, rf"the output is the same {what} as the input {role} ",
                        r"choose another output path")
    assert line.count(str(victim)) == 2, line  # both paths named
    assert _snapshot(victim) == before
    assert _tmp_files(tmp_path) == []


@pytest.mark.parametrize("how", ["hard-link", "symlink-output", "symlink-input"])
def test_same_file_under_another_name(tmp_path, env, inputs, how):
    """`cp clt.txt v.txt; align pair zh.txt v.txt -o v.txt` left v.txt holding beads."""
    zh, v = inputs["zh"], inputs["v"]
    before = v.read_bytes()
    other = tmp_path / "other.txt"
    if how == "hard-link":
        os.link(v, other)
        translation, output = v, other
    elif how == "symlink-output":
        other.symlink_to(v)
        translation, output = v, other
    else:
        other.symlink_to(v)
        translation, output = other, v
    res = run(["pair", zh, translation, *ENCODER, "-o", output], env)
    line = assert_error(res, EXIT_USAGE, output, r"same file as the input translation")
    assert str(translation) in line
    assert v.read_bytes() == before and os.path.exists(other)


OUTPUT_FIRST_CASES = {
    # a bad output and a missing translation: the usage error about the output
    # comes first, so nothing was read or aligned before it
    "beads-with-two-translations": (["pair", "{zh}", "{en}", "{missing}", "-f", "beads", "-o", "{out}"],
                                    r"--format beads needs exactly one translation"),
    "table-to-a-file": (["pair", "{zh}", "{missing}", "-f", "table", "-o", "{out}"], r"--format table"),
    "export-format-unknown": (["export", "{zh}", "{missing}", "-o", "{out}"], r"cannot tell the export format"),
    "export-tmx-no-such-translation": (["export", "{zh}", "{missing}", "-f", "tmx", "--translation", "nope",
                                        "-o", "{out}"], r"no translation 'nope'"),
    "report-below-a-file": (["report", "{zh}", "{missing}", "-o", "{blocker}/r.html"], r"blocker is a file"),
    "report-to-a-directory": (["report", "{zh}", "{missing}", "-o", "{folder}"], r"is a directory"),
    "glossary-mine-below-a-file": (["glossary", "mine", "{zh}", "{missing}", "-o", "{blocker}/g.yaml"],
                                   r"blocker is a file"),
}


@pytest.mark.parametrize("case", list(OUTPUT_FIRST_CASES))
def test_output_is_checked_before_any_work(tmp_path, env, inputs, case):
    args, pattern = OUTPUT_FIRST_CASES[case]
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    names = dict(inputs, missing=tmp_path / "missing.en.txt", out=tmp_path / "out.xyz", blocker=blocker)
    res = run([a.format(**names) for a in args] + ENCODER, env)
    assert_error(res, EXIT_USAGE, None, pattern)
    assert not (tmp_path / "out.xyz").exists() and blocker.read_text(encoding="utf-8") == "x"


def _fifo(tmp_path: Path) -> Path:
    p = tmp_path / "fifo"
    os.mkfifo(p)
    return p


def _device(tmp_path: Path) -> Path:
    """A character device of the test's own (a null device) in its tmp dir, never a system path."""
    if os.geteuid() != 0:
        pytest.skip("creating a device node needs root")
    p = tmp_path / "null"
    os.mknod(p, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    return p


@pytest.mark.parametrize("node", ["fifo", "device"])
@pytest.mark.parametrize("command", ["pair", "export", "report", "segment", "glossary-mine"])
def test_output_that_is_a_device_or_pipe(tmp_path, env, inputs, node, command):
    target = _fifo(tmp_path) if node == "fifo" else _device(tmp_path)
    before = os.stat(target)
    zh, en = inputs["zh"], inputs["en"]
    args = {"pair": ["pair", zh, en, *ENCODER, "-o", target],
            "export": ["export", zh, en, *ENCODER, "-f", "tsv", "-o", target],
            "report": ["report", zh, en, *ENCODER, "-o", target],
            "segment": ["segment", zh, "-o", target],
            "glossary-mine": ["glossary", "mine", zh, en, *ENCODER, "-o", target]}[command]
    res = run(args, env, timeout=120)  # a writer that opened the FIFO would block: fail, don't hang
    assert_error(res, EXIT_USAGE, target, r"(named pipe|character device).*must be a regular file or a new path")
    after = os.stat(target)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)
    assert _tmp_files(tmp_path) == []


@pytest.mark.parametrize("command", ["pair", "export", "segment"])
def test_dash_output_is_standard_output(tmp_path, env, inputs, command):
    zh, en = inputs["zh"], inputs["en"]
    args = {"pair": ["pair", zh, en, *ENCODER, "-f", "beads"],
            "export": ["export", zh, en, *ENCODER, "-f", "tsv"],
            "segment": ["segment", zh]}[command]
    plain = run(args, env, cwd=tmp_path)
    dash = run([*args, "-o", "-"], env, cwd=tmp_path)
    assert_ok(plain)
    assert_ok(dash)
    assert dash.stdout == plain.stdout and dash.stdout.strip()
    assert not (tmp_path / "-").exists()


def test_segment_output_file(tmp_path, env, inputs):
    out = tmp_path / "segs" / "zh.json"
    res = run(["segment", inputs["zh"], "--json", "-o", out], env)
    assert_ok(res)
    assert res.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(run(["segment", inputs["zh"], "--json"],
                                                                         env).stdout)


# A driver that kills itself with SIGKILL once half of the output is in the
# temporary file: what a power cut or the OOM killer does.
_KILLED_WRITER = r"""
import os, signal, sys
import align.textio as textio

def write_text(path, text):
    with textio.atomic_open(path, "w") as fh:
        fh.write(text[: len(text) // 2])
        fh.flush()
        os.kill(os.getpid(), signal.SIGKILL)

textio.write_text = write_text
from align.cli import main
main(sys.argv[1:])
"""


def test_temp_file_of_a_killed_run_is_cleaned_up(tmp_path, env, inputs):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "segments.txt"
    out.write_text("previous result\n", encoding="utf-8")
    res = subprocess.run([sys.executable, "-c", _KILLED_WRITER, "segment", str(inputs["zh"]), "-o", str(out)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == -9, (res.returncode, res.stderr)
    (stale,) = _tmp_files(out_dir)
    assert re.fullmatch(r"\.segments\.txt\.\d+\.\w+\.tmp", stale), stale
    assert out.read_text(encoding="utf-8") == "previous result\n"
    assert_ok(run(["segment", inputs["zh"], "-o", out], env))  # the next run of the same output
    assert _tmp_files(out_dir) == []
    assert out.read_text(encoding="utf-8") == run(["segment", inputs["zh"]], env).stdout


# ------------------------------------------------------ in-process runs

def _main(args: list, capsys) -> tuple[int, str]:
    """Run the CLI in this process (for monkeypatched file systems): exit code, stderr."""
    from align.cli import main

    with pytest.raises(SystemExit) as info:
        main([str(a) for a in args])
    return info.value.code, capsys.readouterr().err


def test_disk_full_names_the_output(tmp_path, inputs, monkeypatch, capsys):
    import errno

    import align.textio

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "out" / "segments.txt"
    monkeypatch.setattr(align.textio.os, "fsync", full)
    code, err = _main(["segment", inputs["zh"], "-o", out], capsys)
    assert code == EXIT_INPUT, err
    assert err.strip() == f"align: error: {out}: No space left on device"
    assert list(out.parent.iterdir()) == []


# ------------------------------------------------- error and warning lines

@pytest.mark.parametrize("name", ["evil\x1b]0;pwned\x07.txt", "two\nlines.txt", "rtl\u202etxt.exe", "tab\there.txt"])
def test_control_characters_in_file_names_are_escaped(tmp_path, env, name):
    p = tmp_path / name
    p.write_bytes(b"")
    res = run(["segment", p], env)
    line = assert_error(res, EXIT_INPUT, None, r"empty")
    assert not any(c in line for c in "\x1b\x07\n\t\u202e"), repr(line)
    assert name.encode("unicode_escape").decode("ascii") in line


# ----------------------------------------------------------------- bad bytes

def _damaged(tmp_path: Path, source: Path, name: str, at_line: int = 3) -> tuple[Path, int]:
    """``source`` with a stray 0xff at the start of line ``at_line``; its byte offset."""
    data = source.read_bytes()
    offset = sum(len(ln) for ln in data.splitlines(keepends=True)[:at_line])
    p = tmp_path / name
    p.write_bytes(data[:offset] + b"\xff" + data[offset:])
    return p, offset


def test_stray_byte_in_utf8_is_replaced_with_one_warning(tmp_path, env, inputs):
    bad, offset = _damaged(tmp_path, ZH, "damaged.zh.txt", at_line=5)
    res = run(["segment", bad], env)
    assert_ok(res)
    assert res.stderr.splitlines() == [f"align: warning: {bad}: invalid UTF-8 at byte {offset} (1 byte replaced); "
                                       "use --strict-encoding to refuse"]
    assert "诚信" in res.stdout and res.stdout.count("\ufffd") == 1 and "è¯" not in res.stdout  # no mojibake


def test_damaged_chinese_source_still_aligns(tmp_path, env, inputs):
    """One bad byte used to make the whole file Latin-1: 'looks like English ... swapped?'."""
    bad, _ = _damaged(tmp_path, inputs["zh"], "damaged.zh.txt")
    res = run(["pair", bad, inputs["en"], *ENCODER, "-f", "beads"], env)
    assert_ok(res)
    assert [ln for ln in res.stderr.splitlines() if "warning" in ln and bad.name in ln], res.stderr
    assert len(_beads(res.stdout)) >= 5


STRICT_CASES = {
    "segment": ["segment", "{bad}"],
    "pair": ["pair", "{bad}", "{en}"],
    "check": ["check", "{bad}", "{en}"],
    "export": ["export", "{bad}", "{en}"],
    "report": ["report", "{bad}", "{en}", "-o", "{out}"],
    "glossary-check": ["glossary", "check", "{bad}", "{en}", "-g", "{g}"],
    "glossary-mine": ["glossary", "mine", "{bad}", "{en}", "-o", "{out}"],
    "glossary-export": ["glossary", "export", "-g", "{badg}", "{out}.csv"],
}


@pytest.mark.parametrize("command", list(STRICT_CASES))
def test_strict_encoding_makes_bad_bytes_an_input_error(tmp_path, env, inputs, command):
    bad, offset = _damaged(tmp_path, inputs["zh"], "damaged.zh.txt")
    badg, goffset = _damaged(tmp_path, inputs["g"], "damaged.yaml", at_line=2)
    args = [a.format(bad=bad, badg=badg, out=tmp_path / "out", **inputs) for a in STRICT_CASES[command]]
    if command != "segment" and command != "glossary-export":
        args += ENCODER
    res = run([*args, "--strict-encoding"], env)
    culprit, at = (badg, goffset) if command == "glossary-export" else (bad, offset)
    assert_error(res, EXIT_INPUT, culprit, rf"invalid UTF-8 at byte {at}\b")
    assert list(tmp_path.glob("out*")) == []


def test_bad_bytes_name_escaped_in_the_warning(tmp_path, env):
    name = "evil\x1b[31mred\x1b[0m.txt"
    bad, _ = _damaged(tmp_path, ZH, name)
    res = run(["segment", bad], env)
    assert_ok(res)
    assert "\x1b" not in res.stderr
    assert "evil\\x1b[31mred\\x1b[0m.txt: invalid UTF-8" in res.stderr


# -------------------------------------------------------- other input errors

def _unreadable(monkeypatch, locked: Path) -> None:
    """Reading ``locked`` fails with EACCES, as with chmod 000 for a user that is not root."""
    import errno

    real = Path.read_bytes

    def read_bytes(self):
        if self.resolve() == locked.resolve():
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


@pytest.mark.parametrize("command", ["segment", "pair", "glossary-check", "glossary-export", "eval"])
def test_unreadable_input_is_an_input_error(tmp_path, inputs, monkeypatch, capsys, command):
    locked = {"segment": inputs["zh"], "pair": inputs["en"], "glossary-check": inputs["g"],
              "glossary-export": inputs["g"], "eval": inputs["v"]}[command]
    args = {"segment": ["segment", locked],
            "pair": ["pair", inputs["zh"], locked, *ENCODER, "-o", tmp_path / "out.beads"],
            "glossary-check": ["glossary", "check", inputs["zh"], inputs["en"], "-g", locked, *ENCODER],
            "glossary-export": ["glossary", "export", "-g", locked, tmp_path / "out.csv"],
            "eval": ["eval", locked, locked]}[command]
    _unreadable(monkeypatch, locked)
    code, err = _main(args, capsys)
    assert code == EXIT_INPUT, err
    assert err.strip() == f"align: error: {locked}: cannot read (Permission denied)"
    assert not list(tmp_path.glob("out*"))


def test_unreadable_input_file_for_real(tmp_path, env, inputs):
    locked = inputs["v"]
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop reading (see the monkeypatched test)")
        res = run(["pair", inputs["zh"], locked, *ENCODER, "-o", tmp_path / "out.beads"], env)
        assert_error(res, EXIT_INPUT, locked, r"cannot read|permission")
    finally:
        locked.chmod(0o644)


def test_english_only_check_of_a_chinese_file(tmp_path, env, inputs):
    res = run(["glossary", "check", "--english-only", inputs["zh"], inputs["en"], "-g", inputs["g"]], env)
    assert_error(res, EXIT_INPUT, inputs["zh"], r"looks like Chinese", r"--english-only")


@pytest.mark.parametrize("bead, pattern", [
    ("[0,0,0]:[0]", r"line 2: index 0 repeated on the source side"),
    ("[2,1]:[1]", r"line 2: indices must increase \(2 then 1\) on the source side"),
    ("[]:[]", r"line 2: empty bead"),
    ("[1]:[-1]", r"line 2: negative index -1 on the target side"),
    ("[0]:[1]", r"line 2: source index 0 is already in the bead on line 1"),
    ("[1]:[x]", r"line 2: not an index: 'x'"),
])
def test_eval_rejects_malformed_beads(tmp_path, env, bead, pattern):
    gold = tmp_path / "gold.beads"
    gold.write_text("[0]:[0]\n[1]:[1]\n", encoding="utf-8")
    pred = tmp_path / "pred.beads"
    pred.write_text(f"[0]:[0]\n{bead}\n", encoding="utf-8")
    res = run(["eval", gold, pred], env)
    assert_error(res, EXIT_INPUT, pred, pattern)
