"""One pipeline from files to outputs (issue 12): the saved alignment every
command reuses with ``--from``, the signature that reproduces a run, one
validation of the options, and the same translation ids everywhere.

CLI cases run the real console script with the lexical encoder (fast, no
model) and the embedding cache in a temporary directory.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from builders import align_command

from align import pipeline
from align.errors import InputError, UsageError

REPO = Path(__file__).resolve().parents[1]
ZH = REPO / "data" / "zh" / "guobanfa-2016-98.txt"
CLT = REPO / "data" / "en" / "guobanfa-2016-98.clt.txt"
BLOG = REPO / "data" / "en" / "guobanfa-2016-98.blog.txt"
GLOSSARY = REPO / "glossary.yaml"
LEX = pipeline.Settings(encoder="lexical")


_align_cmd = align_command  # tests/builders.py


def run(*args, env_dir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, ALIGN_CACHE_DIR=str(env_dir / "cache"), COLUMNS="200")
    return subprocess.run([*_align_cmd(), *map(str, args)], capture_output=True, text=True, env=env, timeout=300)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def analysis():
    return pipeline.analyse(ZH, [CLT, BLOG], settings=LEX, glossary=GLOSSARY)


# --------------------------------------------------------------------------- library


def test_saved_alignment_reads_back_as_the_same_alignment(analysis, tmp_path):
    path = pipeline.save_alignment(analysis, tmp_path / "a.jsonl")
    back = pipeline.load_alignment(path)
    multi = analysis.multi
    assert back.source == multi.source
    assert back.translation_ids == multi.translation_ids == ["clt", "blog"]
    for tid in multi.translation_ids:
        assert back.alignments[tid].target == multi.alignments[tid].target
        assert [(b.src, b.tgt) for b in back.alignments[tid].beads] == [(b.src, b.tgt) for b in multi.alignments[tid].beads]
        assert [b.confidence for b in back.alignments[tid].beads] == pytest.approx(
            [b.confidence for b in multi.alignments[tid].beads], abs=1e-12)
    assert back.groups == multi.groups
    assert back.signature["inputs"] == multi.signature["inputs"]


def test_checks_of_a_saved_alignment_equal_those_of_the_run(analysis, tmp_path, monkeypatch):
    path = pipeline.save_alignment(analysis, tmp_path / "a.jsonl")
    import align.aligner

    def no_aligning(*a, **k):
        raise AssertionError("--from must not align again")

    monkeypatch.setattr(align.aligner, "align_multi", no_aligning)
    again = pipeline.run(saved=path, glossary=GLOSSARY)
    assert [(f.kind, f.translation, f.src, f.tgt, f.message) for f in again.all_flags] == \
        [(f.kind, f.translation, f.src, f.tgt, f.message) for f in analysis.all_flags]


def test_signature_reproduces_the_run(analysis):
    sig = analysis.signature
    assert sig["inputs"]["source"] == {"path": str(ZH), "sha256": sha(ZH)}
    assert sig["inputs"]["translations"]["clt"]["sha256"] == sha(CLT)
    assert sig["inputs"]["translations"]["blog"]["sha256"] == sha(BLOG)
    assert sig["glossary"] == {"path": str(GLOSSARY), "sha256": sha(GLOSSARY)}
    assert (sig["level"], sig["encoder"], sig["presegmented"]) == ("sentence", "lexical", False)
    assert sig["versions"]["align"] and sig["versions"]["numpy"] and sig["versions"]["python"]
    assert sig["translations"] == ["clt", "blog"]


def test_files_beside_from_must_be_the_ones_it_was_made_from(analysis, tmp_path):
    path = pipeline.save_alignment(analysis, tmp_path / "a.jsonl")
    pipeline.run(ZH, [CLT, BLOG], saved=path)  # the same files: fine
    edited = tmp_path / "guobanfa-2016-98.clt.txt"
    edited.write_text(CLT.read_text(encoding="utf-8").replace("credit", "trust", 1), encoding="utf-8")
    with pytest.raises(InputError, match="sha256 differs") as err:
        pipeline.run(ZH, [edited, BLOG], saved=path)
    assert str(edited) in str(err.value)
    with pytest.raises(InputError, match="is not the source"):
        pipeline.run(CLT, [], saved=path)
    with pytest.raises(UsageError, match="2 translation"):
        pipeline.run(ZH, [CLT], saved=path)


def test_settings_of_a_saved_alignment(tmp_path):
    a = pipeline.analyse(ZH, [CLT], settings=pipeline.Settings(level="clause", encoder="lexical"))
    path = pipeline.save_alignment(a, tmp_path / "a.jsonl")
    assert pipeline.settings_of(path) == pipeline.Settings(level="clause", encoder="lexical")


@pytest.mark.parametrize("text, message", [
    ("", "file is empty"),
    ("not json\n", "is not a saved alignment"),
    ('{"record": "header", "format": "other/9"}\n', "has format 'other/9'"),
])
def test_a_file_that_is_no_saved_alignment_is_an_input_error(tmp_path, text, message):
    p = tmp_path / "x.jsonl"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        pipeline.load_alignment(p)


def test_a_broken_row_names_its_line(analysis, tmp_path):
    path = pipeline.save_alignment(analysis, tmp_path / "a.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3][: len(lines[3]) // 2]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"a\.jsonl:4: is not JSON"):
        pipeline.load_alignment(path)


def test_one_level_check_everywhere():
    with pytest.raises(UsageError, match=r"unknown level 'word' \(choose sentence or clause\)"):
        pipeline.Settings(level="word")
    with pytest.raises(UsageError, match="unknown level 'word'"):
        pipeline.align(ZH, [CLT], level="word", encoder="lexical")


def test_translation_ids_name_repeats_the_same_way_everywhere():
    assert pipeline.translation_ids(["a/d.clt.txt", "b/d.clt.txt"]) == ["clt", "clt-2"]
    assert pipeline.translation_ids(["my draft!.txt"]) == ["my-draft"]


def test_a_translation_far_longer_than_the_source_is_warned_about(tmp_path):
    """The segment-count rule lives in the verdict (align.verdict.judge_segment_counts)."""
    zh = tmp_path / "zh.txt"
    zh.write_text("".join(f"第{i}条规定了信用信息的使用。" for i in range(1, 26)), encoding="utf-8")
    en = tmp_path / "big.en.txt"
    en.write_text(" ".join(f"Sentence number {i} is about something else entirely." for i in range(300)),
                  encoding="utf-8")
    analysis = pipeline.run(zh, [en], settings=pipeline.Settings(encoder="lexical"))
    assert analysis.verdicts["en"].kind == "different"
    assert any(w.startswith("en: different text?") and "300 segments against the source's 25" in w
               for w in analysis.warnings)
    clean = pipeline.run(ZH, [CLT], settings=pipeline.Settings(encoder="lexical"))
    assert not clean.warnings and clean.verdicts["clt"].kind == "clean"


# --------------------------------------------------------------------------- CLI


def test_cli_pair_saves_and_every_command_reads_it_back(tmp_path):
    saved = tmp_path / "a.jsonl"
    r = run("pair", ZH, CLT, BLOG, "--encoder", "lexical", "-f", "jsonl", "-o", saved, env_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "source covered" in r.stderr and "mean confidence" in r.stderr  # the summary, on stderr
    beads = {tid: n for tid, n in ((k, v["beads"]) for k, v in json.loads(saved.read_text(encoding="utf-8")
                                                                           .splitlines()[0])["translations"].items())}

    # export: the same TSV as aligning again
    r1 = run("export", "--from", saved, "-f", "tsv", env_dir=tmp_path)
    r2 = run("export", ZH, CLT, BLOG, "--encoder", "lexical", "-f", "tsv", env_dir=tmp_path)
    assert r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr
    assert r1.stdout.splitlines()[1:] == r2.stdout.splitlines()[1:]

    # TMX: one unit per bead, omissions and additions included
    tmx = tmp_path / "a.clt.tmx"
    r = run("export", "--from", saved, "-o", tmx, "--translation", "clt", env_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    assert tmx.read_text(encoding="utf-8").count("<tu ") == beads["clt"]

    # check, report, glossary check
    r = run("check", "--from", saved, "--json", env_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    assert isinstance(json.loads(r.stdout)["flags"], list)
    html = tmp_path / "r.html"
    r = run("report", "--from", saved, "-g", GLOSSARY, "-o", html, env_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    assert html.is_file() and "诚信" in html.read_text(encoding="utf-8")
    r = run("glossary", "check", "--from", saved, "-g", GLOSSARY, "--json", env_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    assert {o["translation"] for o in json.loads(r.stdout)["occurrences"]} == {"clt", "blog"}


def test_cli_from_with_other_inputs_is_one_line_error(tmp_path):
    saved = tmp_path / "a.jsonl"
    assert run("pair", ZH, CLT, "--encoder", "lexical", "-f", "jsonl", "-o", saved, env_dir=tmp_path).returncode == 0
    r = run("export", ZH, BLOG, "--from", saved, env_dir=tmp_path)
    assert r.returncode == 3
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith("align: error: ") and str(BLOG) in line and "sha256" in line


def test_cli_like_reproduces_settings_on_new_files(tmp_path):
    saved = tmp_path / "a.jsonl"
    r = run("pair", ZH, CLT, "--encoder", "lexical", "--level", "clause", "-f", "jsonl", "-o", saved, env_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    r = run("pair", ZH, BLOG, "--like", saved, "--json", env_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    sig = json.loads(r.stdout)["signature"]
    assert (sig["level"], sig["encoder"]) == ("clause", "lexical")
    r = run("pair", ZH, BLOG, "--like", saved, "--presegmented", env_dir=tmp_path)
    assert r.returncode == 2 and "--like" in r.stderr


@pytest.mark.parametrize("command", [["pair", ZH, CLT], ["check", ZH, CLT], ["export", ZH, CLT],
                                     ["report", ZH, CLT, "-o", "x.html"], ["glossary", "check", ZH, CLT]])
def test_cli_level_is_validated_once_with_one_message(tmp_path, command):
    r = run(*command, "--level", "word", "--encoder", "lexical", env_dir=tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip() == "align: error: unknown level 'word' (choose sentence or clause)"


def test_cli_needs_inputs_or_from(tmp_path):
    r = run("export", env_dir=tmp_path)
    assert r.returncode == 2 and "--from" in r.stderr


def test_cli_check_output_reads_in_a_narrow_terminal_and_in_a_file(tmp_path):
    flags = json.loads(run("check", ZH, BLOG, "--encoder", "lexical", "--json", env_dir=tmp_path).stdout)["flags"]
    assert flags
    env = dict(os.environ, ALIGN_CACHE_DIR=str(tmp_path / "cache"), COLUMNS="60")
    narrow = subprocess.run([*_align_cmd(), "check", str(ZH), str(BLOG), "--encoder", "lexical"],
                            capture_output=True, text=True, env=env, timeout=300).stdout
    for f in flags:  # each message whole, on a line of its own
        assert f"   {f['message']}" in narrow.splitlines()
    env.pop("COLUMNS")
    to_file = subprocess.run([*_align_cmd(), "check", str(ZH), str(BLOG), "--encoder", "lexical"],
                             capture_output=True, text=True, env=env, timeout=300).stdout
    # a table, its message column wide enough that no flag takes more than a few lines
    assert "message" in to_file.splitlines()[1]
    assert len(to_file.splitlines()) < 4 * len(flags) + 10


BILINGUAL = REPO / "tests" / "data" / "bilingual" / "pipl-interleaved.txt"


def test_one_bilingual_file_is_split_on_the_fly():
    a = pipeline.run(BILINGUAL, [], settings=LEX)
    assert a.multi.translation_ids == ["en"]
    assert any("holds Chinese and English" in n and "split on the fly" in n for n in a.notes)
    assert all(s.lang == "zh" for s in a.multi.source)
    src = a.signature["inputs"]["source"]
    assert src == a.signature["inputs"]["translations"]["en"] == {"path": str(BILINGUAL), "sha256": sha(BILINGUAL)}
    with pytest.raises(UsageError, match="at least one translation"):
        pipeline.run(ZH, [], settings=LEX)


@pytest.mark.parametrize("command", [["pair", "-f", "tsv"], ["check"], ["report", "-o", "r.html"]])
def test_cli_takes_one_bilingual_file_and_says_so(tmp_path, command):
    cmd, *rest = command
    rest = [str(tmp_path / x) if x.endswith(".html") else x for x in rest]
    r = run(cmd, BILINGUAL, *rest, "--encoder", "lexical", env_dir=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "split on the fly" in (r.stderr + r.stdout)
