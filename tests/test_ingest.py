"""Ingest: boilerplate cleaner on each seed, notes, manifest, determinism, errors, CLI."""
from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml

from align.cli import main
from align.errors import EXIT_INPUT, InputError
from align.ingest import RULES, clean_web_copy, identify, ingest, load_manifest, load_notes
from align.ingest.rules import normalise_line

SEED_OF = {  # the shared seeds, by the document they hold
    "anhui": "000_52129f079a853d7f.txt",
    "ndrc": "001_151ea68d074cf60c.txt",
    "clt": "002_d7300bd8cad28809.txt",
    "blog": "003_e69e144f6498c606.txt",
    "hainan": "004_f876630a0eec777c.txt",
}
ZH = "zh/guobanfa-2016-98.txt"
CLT = "en/guobanfa-2016-98.clt.txt"
BLOG = "en/guobanfa-2016-98.blog.txt"
ANHUI = "en/anhui-2018-personal-creditworthiness.txt"
HAINAN = "en/hainan-personal-creditworthiness.txt"
NDRC = "en/ndrc-2015-division-of-labour.txt"
ALL_FILES = [ZH, CLT, BLOG, ANHUI, HAINAN, NDRC]

BOILERPLATE = [
    'Press "Enter" to skip to content', "Posted on", "Click to rate this post", "[Total:", "Comments",
    "Be First to Comment", "Leave a Reply", "Your email address", "You are commenting using", "Log Out / Change",
    "Connecting to %s", "Fill in your details below", "Advertisements", "Translators Notes in Comments",
    "WordPress.com Logo", "Twitter picture", "Facebook photo", "Google+ photo", "Title:", "Promulgating Entities:",
    "Reference number:", "Promulgation Date:", "Expiration date:", "Source of text:", "Source:", "\u00a0",
    "Credit vs. Creditworthiness", "Giving credit", "[…]",
]


@pytest.fixture(scope="module")
def fresh(seeds_dir, tmp_path_factory) -> Path:
    """The corpus ingested afresh from the seeds."""
    out = tmp_path_factory.mktemp("data")
    ingest(seeds_dir, out)
    return out


@pytest.fixture(scope="module")
def corpus(data_dir, tmp_path_factory) -> Path:
    """The corpus ingested from the seeds when they are here (so these tests
    check the cleaner itself), else the committed data/."""
    import os

    seeds = Path(os.environ.get("ALIGN_SEEDS_DIR") or data_dir.parent.parent / "shared" / "seeds")
    if not seeds.is_dir():
        return data_dir
    out = tmp_path_factory.mktemp("corpus")
    ingest(seeds, out)
    return out


def _text(data_dir: Path, rel: str) -> str:
    return (data_dir / rel).read_text(encoding="utf-8")


def _paragraphs(data_dir: Path, rel: str) -> list[str]:
    return _text(data_dir, rel).rstrip("\n").split("\n\n")


# --------------------------------------------------------------------------
# Identification


def test_each_seed_is_identified_by_content(seeds_dir):
    for key, name in SEED_OF.items():
        matches = identify((seeds_dir / name).read_text(encoding="utf-8"))
        assert [s.key for s in matches] == [key], name


def test_renamed_seeds_still_work(seeds_dir, tmp_path, fresh):
    renamed = tmp_path / "seeds"
    renamed.mkdir()
    for i, name in enumerate(sorted(SEED_OF.values(), reverse=True)):
        shutil.copy(seeds_dir / name, renamed / f"document-{i}.txt")
    manifest = ingest(renamed, tmp_path / "data")
    for rel in ALL_FILES:
        assert _text(tmp_path / "data", rel) == _text(fresh, rel), rel
    assert {f.seed for f in manifest.files} == {f"document-{i}.txt" for i in range(5)}


def test_unidentifiable_seed_is_a_clear_error(seeds_dir, tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir, seeds)
    (seeds / "recipe.txt").write_text("Preheat the oven to 200 degrees.\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        ingest(seeds, tmp_path / "data")
    msg = str(info.value)
    assert "recipe.txt" in msg and "cannot identify this seed" in msg and "\n" not in msg
    assert not (tmp_path / "data").exists(), "a failed ingest must write nothing"


def test_duplicate_and_missing_seeds(seeds_dir, tmp_path):
    dup = tmp_path / "dup"
    shutil.copytree(seeds_dir, dup)
    shutil.copy(seeds_dir / SEED_OF["clt"], dup / "zzz-copy.txt")
    with pytest.raises(InputError, match=r"two seeds hold the same document \(clt\)"):
        ingest(dup, tmp_path / "d1")
    missing = tmp_path / "missing"
    shutil.copytree(seeds_dir, missing)
    (missing / SEED_OF["hainan"]).unlink()
    with pytest.raises(InputError, match=r"no seed found for hainan"):
        ingest(missing, tmp_path / "d2")


def test_unreadable_seed_names_the_file(seeds_dir, tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir, seeds)
    (seeds / "empty.txt").write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.txt: file is empty"):
        ingest(seeds, tmp_path / "data")


def test_seeds_in_other_encodings_give_the_same_corpus(seeds_dir, tmp_path, fresh):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, enc in zip(sorted(SEED_OF.values()), ["utf-8-sig", "gb18030", "utf-16", "utf-16-be", "gbk"]):
        text = (seeds_dir / name).read_text(encoding="utf-8").replace("\n", "\r\n")
        (seeds / name).write_bytes(text.encode(enc, errors="strict") if enc != "utf-16-be"
                                   else b"\xfe\xff" + text.encode(enc))
    ingest(seeds, tmp_path / "data")
    for rel in ALL_FILES:
        assert _text(tmp_path / "data", rel) == _text(fresh, rel), rel


# --------------------------------------------------------------------------
# Determinism and the committed corpus


def test_ingest_reproduces_committed_data_byte_for_byte(fresh, data_dir):
    produced = sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(data_dir).as_posix() for p in data_dir.rglob("*") if p.is_file())
    assert produced == committed
    for rel in produced:
        assert (fresh / rel).read_bytes() == (data_dir / rel).read_bytes(), rel


def test_ingest_twice_is_identical(seeds_dir, fresh, tmp_path):
    ingest(seeds_dir, tmp_path)
    for p in fresh.rglob("*"):
        if p.is_file():
            assert (tmp_path / p.relative_to(fresh)).read_bytes() == p.read_bytes()


@pytest.mark.parametrize("rel", ALL_FILES)
def test_file_format(corpus, rel):
    text = _text(corpus, rel)
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "\r" not in text and "\t" not in text and "\u00a0" not in text and "\ufeff" not in text
    assert "\n\n\n" not in text
    assert unicodedata.is_normalized("NFC", text)
    lines = text.rstrip("\n").split("\n")
    assert all(line == line.strip() for line in lines)
    # one paragraph per line, one blank line between paragraphs
    assert all(bool(line) == (i % 2 == 0) for i, line in enumerate(lines))
    assert "  " not in text


@pytest.mark.parametrize("rel", ALL_FILES)
def test_no_boilerplate_left(corpus, rel):
    text = _text(corpus, rel)
    for junk in BOILERPLATE:
        assert junk not in text, f"{rel}: {junk!r}"
    for line in text.split("\n"):
        assert line not in {"Translate", "Advertisements"}


def test_every_seed_line_is_kept_or_accounted_for(seeds_dir, fresh):
    """Nothing disappears silently: each non-blank seed line is in a corpus
    file, in the manifest's removed list, or in a notes file."""
    manifest = load_manifest(fresh)
    for seed_name in SEED_OF.values():
        files = [f for f in manifest.files if f.seed == seed_name]
        kept = "\n".join(f.read() for f in files)
        removed = {text for f in files for r in f.removed for _, text in r.lines}
        notes = "\n".join(n["text"] for f in files if f.notes for n in load_notes(f.notes))
        for no, raw in enumerate((seeds_dir / seed_name).read_text(encoding="utf-8").split("\n"), start=1):
            line = normalise_line(raw)
            if line:
                assert line in kept or line in removed or line in notes, f"{seed_name}:{no}: {line[:80]!r}"


# --------------------------------------------------------------------------
# Each seed


def test_chinese_original(corpus, seeds_dir):
    text = _text(corpus, ZH)
    paras = _paragraphs(corpus, ZH)
    assert paras[0] == "国务院办公厅关于加强个人诚信体系建设的指导意见"  # joined from two seed lines
    assert paras[1] == "国办发〔2016〕98号"
    assert paras[-2:] == ["国务院办公厅", "2016年12月23日"]
    assert "一、总体要求" in paras and "七、强化保障措施" in paras
    assert not re.search(r"[A-Za-z]", text), "no English left in the Chinese original"
    # punctuation is not rewritten: the seed's half-width commas and parentheses stay
    seed_zh = (seeds_dir / SEED_OF["blog"]).read_text(encoding="utf-8").split("国办发〔2016〕98号")[1]
    assert text.count(",") == seed_zh.count(",") > 100
    assert "(一)指导思想。" in text and "“守信光荣、失信可耻”" in text


def test_clt_translation(corpus):
    paras = _paragraphs(corpus, CLT)
    assert paras[0] == ("Guiding Opinion by the General Office of the State Council on Strengthening the "
                        "Establishment of the Personal Creditworthiness System")
    assert paras[1] == "SGO release No. 98 (2016)"
    assert paras[-2:] == ["General Office of the State Council", "December 23, 2016"]
    assert "Guiding Opinion on the Establishment of a Personal Creditworthiness System" not in paras  # post title
    assert any(p.startswith("(1) Guiding Thought.") for p in paras)
    assert "I. General Requirements" in paras


def test_clt_translator_note_kept_apart(corpus):
    manifest = load_manifest(corpus)
    clt = manifest.file("guobanfa-2016-98", "clt")
    assert clt.notes == corpus.resolve() / "notes" / "guobanfa-2016-98.clt.notes.yaml"
    notes = load_notes(clt.notes)
    assert len(notes) == 1
    note = notes[0]
    assert note["author"] == "China Law Translate" and note["post_author"] is True
    assert note["date"] == "2017-01-02"
    assert note["text"].startswith("Credit vs. Creditworthiness:\nNote that there are several different terms")
    assert "守信 信用 诚信" in note["text"] and note["text"].endswith("but there are contrary examples as well.")
    # the pingback is not a note, but its removal is recorded
    assert "Giving credit" not in yaml.safe_dump(notes, allow_unicode=True)
    pingback = [r for r in clt.removed if r.rule == "pingback"]
    assert pingback and pingback[0].count == 1 and "slowly changing" in pingback[0].lines[0][1]


def test_blog_translation(corpus):
    text = _text(corpus, BLOG)
    paras = _paragraphs(corpus, BLOG)
    assert paras[0] == "Guiding Opinions concerning Strengthening the Construction of a Personal Sincerity System"
    assert paras[1:3] == ["State Council General Office", "GBF No. (2016)98"]
    assert paras[-2:] == ["State Council General Office", "23 December 2016"]
    assert not re.search(r"[\u4e00-\u9fff]", text), "the Chinese original went to zh/"
    assert "I, General requirements" in paras


def test_anhui_keeps_chinese_agency_lists(corpus):
    text = _text(corpus, ANHUI)
    paras = _paragraphs(corpus, ANHUI)
    assert paras[0].startswith("Anhui Provincial Implementation Plan")
    assert paras[1].startswith("This implementation Plan is drafted")
    assert "(省委宣传部、省文明办牵头,省网宣办、" in text
    assert paras[-1].endswith("(省财政厅,各市、县人民政府牵头负责)")
    f = load_manifest(corpus).file("anhui-2018-personal-creditworthiness")
    assert f.source_url == ("http://www.creditchina.gov.cn/zhengcefagui/zhengcefagui/difangzhengcefagui1/"
                            "201807/t20180724_121455.html")


def test_hainan_keeps_untranslated_chinese(corpus):
    paras = _paragraphs(corpus, HAINAN)
    assert paras[0].startswith("Hainan Provincial Implementation Plan")
    assert any(p.startswith("建立跨市县、跨部门、跨行业个人公共信用信息的互联") for p in paras)
    assert paras[-1].startswith("All city and county governments")
    f = load_manifest(corpus).file("hainan-personal-creditworthiness")
    assert [ln for r in f.removed if r.rule == "rating-widget" for ln in r.lines][1][1] == "[Total: 1 Average: 5]"


def test_ndrc_split_attributions_are_joined(corpus):
    paras = _paragraphs(corpus, NDRC)
    assert paras[0].startswith("The following division of labor")
    assert paras[1].startswith("I. Strengthen the System of Laws")
    assert not any(p.startswith("(responsibility") or p.startswith("(The National") or p.startswith("(发展改革委")
                   for p in paras)
    item13 = next(p for p in paras if p.startswith("13. Improve Basic Financial Credit Information Databases"))
    assert item13.endswith("the level of services that the system provides. (responsibility of the People's Bank "
                           "of China)")
    item59 = next(p for p in paras if p.startswith("59. "))
    assert item59.endswith("interests of informants. (发展改革委、人民银行牵头,各有关部门、各省级人民政府负责)")
    # enumerated sub-headings are never joined to the item before them
    assert "(1) Strengthen the Establishment of a System of Laws and Regulations on Credit." in paras
    f = load_manifest(corpus).file("ndrc-2015-division-of-labour")
    assert f.removed_count("join-split-attribution") == 6
    assert f.title.startswith("Division of Labour") and f.source_url.startswith("http://www.ndrc.gov.cn/")


# --------------------------------------------------------------------------
# Manifest


def test_manifest(corpus):
    m = load_manifest(corpus)
    assert sorted(f.rel_path for f in m.files) == sorted(ALL_FILES)
    assert all(f.path.is_absolute() and f.path.is_file() for f in m.files)
    [pair] = m.pairs
    assert pair.doc_id == "guobanfa-2016-98"
    assert pair.source == (corpus / ZH).resolve()
    assert pair.translations == {"blog": (corpus / BLOG).resolve(), "clt": (corpus / CLT).resolve()}
    assert sorted(doc_id for doc_id, _, _ in m.unpaired) == [
        "anhui-2018-personal-creditworthiness", "hainan-personal-creditworthiness", "ndrc-2015-division-of-labour"]
    zh = m.file("guobanfa-2016-98")
    assert (zh.lang, zh.translation_id, zh.kind) == ("zh", None, "original")
    assert zh.reference_number == "国办发〔2016〕98号" and zh.date == "2016-12-23"
    assert zh.seed == SEED_OF["blog"]
    clt = m.file("guobanfa-2016-98", "clt")
    assert clt.reference_number == "SGO release No. 98 (2016)" and clt.date == "2016-12-23"
    assert clt.source_url == "http://www.gov.cn/zhengce/content/2016-12/30/content_5154830.htm"
    doc = m.document("guobanfa-2016-98", "blog")
    assert doc.lang == "en" and doc.translation_id == "blog" and doc.text == _text(corpus, BLOG)
    for f in m.files:
        assert f.chars == len(f.read())
        assert {r.rule for r in f.removed} <= set(RULES)


def test_manifest_records_seed_hashes(corpus, seeds_dir):
    import hashlib

    for f in load_manifest(corpus).files:
        assert f.seed_sha256 == hashlib.sha256((seeds_dir / f.seed).read_bytes()).hexdigest()


def test_load_manifest_errors(tmp_path, data_dir):
    with pytest.raises(InputError, match="data directory not found"):
        load_manifest(tmp_path / "nowhere")
    with pytest.raises(InputError, match="no manifest here"):
        load_manifest(tmp_path)
    (tmp_path / "MANIFEST.yaml").write_text("files: [\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML"):
        load_manifest(tmp_path)
    (tmp_path / "MANIFEST.yaml").write_text("files: 3\n", encoding="utf-8")
    with pytest.raises(InputError, match="invalid manifest"):
        load_manifest(tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(data_dir, copy)
    (copy / NDRC).unlink()
    with pytest.raises(InputError, match="missing file: en/ndrc-2015-division-of-labour.txt"):
        load_manifest(copy)


# --------------------------------------------------------------------------
# The cleaner on hand-made pages

PAGE = """\
Press "Enter" to skip to content

Post Title

Title: Full Title of the Document
Reference number: No. 7 (2020)
Promulgation Date: 2020-01-02
Expiration date:\u00a0
Source of text: http://example.org/doc
Translators Notes in Comments

Full Title of the Document

(1) First item.\u00a0\u00a0 It has  text.
(responsibility of the Ministry)
(2) Second item.
An unknown line that is no boilerplate

2 Comments

  1. Jane Doe Jane Doe Post author | 2020/02/03

    A note on terms:
    信用 is credit.

  2. Other Blog Other Blog 2020/02/04

    […] an excerpt of this post […]

Leave a Reply

Your email address will not be published. Required fields are marked *
"""


def test_cleaner_on_a_hand_made_page():
    c = clean_web_copy(PAGE)
    assert [line.text for line in c.lines] == [
        "Full Title of the Document",
        "(1) First item. It has text. (responsibility of the Ministry)",
        "(2) Second item.",
        "An unknown line that is no boilerplate",
    ]
    assert c.metadata == {"title": "Full Title of the Document", "reference_number": "No. 7 (2020)",
                          "promulgation_date": "2020-01-02", "expiration_date": None,
                          "source_url": "http://example.org/doc"}
    assert c.post_title == "Post Title"
    [note] = c.notes
    assert (note.author, note.date, note.post_author) == ("Jane Doe", "2020-02-03", True)
    assert note.text == "A note on terms:\n信用 is credit."
    assert c.counts["pingback"] == 1 and c.counts["translator-note"] == 1
    assert [ln.text for ln in c.removed["pingback"]] == ["[…] an excerpt of this post […]"]
    assert c.removed["skip-link"][0].no == 1


def test_cleaner_leaves_plain_text_alone():
    text = "第一条 为了规范信用信息，制定本办法。\n(一)指导思想。\nSource code is not a header line at the end.\n"
    c = clean_web_copy(text)
    assert [line.text for line in c.lines] == text.strip("\n").split("\n")
    assert not c.removed and not c.notes


def test_posted_on_variants_and_login_prompts():
    page = ("Title\n\nPosted on March 3, 2017 Updated on March 4, 2017\n\nBody.\n\nLeave a Reply Cancel reply\n"
            "You are commenting using your Facebook account. Log\u00a0Out\u00a0/\u00a0Change\u00a0)\n"
            "Connecting to %s\n")
    c = clean_web_copy(page)
    assert [line.text for line in c.lines] == ["Title", "Body."]
    assert c.counts["posted-on"] == 1 and c.counts["login-prompt"] == 2 and c.counts["comment-form"] == 1


def test_enumerations_are_not_joined_as_attributions():
    c = clean_web_copy("1. Do this.\n(1) Responsibility of the lead unit.\n(一)负责部门。\n")
    assert len(c.lines) == 3


# --------------------------------------------------------------------------
# CLI


def test_cli_ingest(seeds_dir, tmp_path, capsys):
    out = tmp_path / "data"
    with pytest.raises(SystemExit) as info:
        main(["ingest", str(seeds_dir), "-o", str(out)])
    assert info.value.code == 0
    stdout = capsys.readouterr().out
    assert "ingested 5 seeds" in stdout and "zh/guobanfa-2016-98.txt" in stdout and "MANIFEST.yaml" in stdout
    assert load_manifest(out).pairs[0].translations.keys() == {"blog", "clt"}


def test_cli_ingest_json(seeds_dir, tmp_path, capsys):
    import json

    with pytest.raises(SystemExit) as info:
        main(["ingest", str(seeds_dir), "-o", str(tmp_path), "--json"])
    assert info.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert {f["path"] for f in data["files"]} == set(ALL_FILES)


@pytest.mark.parametrize("make_bad", ["missing", "file", "empty"])
def test_cli_ingest_bad_seeds_dir(tmp_path, capsys, make_bad):
    bad = tmp_path / "seeds"
    if make_bad == "file":
        bad.write_text("x", encoding="utf-8")
    elif make_bad == "empty":
        bad.mkdir()
    with pytest.raises(SystemExit) as info:
        main(["ingest", str(bad), "-o", str(tmp_path / "data")])
    assert info.value.code == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("align: error: ") and str(bad) in err
    assert not (tmp_path / "data").exists()


def test_cli_ingest_output_is_a_file(seeds_dir, tmp_path, capsys):
    out = tmp_path / "data"
    out.write_text("not a folder", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["ingest", str(seeds_dir), "-o", str(out)])
    assert info.value.code == 2
    assert "data: output is not a directory" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "not a folder"


def test_cli_ingest_default_seeds_dir_missing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ALIGN_SEEDS_DIR", str(tmp_path / "no-seeds"))
    with pytest.raises(SystemExit) as info:
        main(["ingest", "-o", str(tmp_path / "data")])
    assert info.value.code == EXIT_INPUT
    err = capsys.readouterr().err
    assert "no-seeds: seeds directory not found" in err and err.count("\n") == 1


def test_cli_ingest_in_a_real_process(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", "from align.cli import main; main()", "ingest",
                           str(tmp_path / "absent"), "-o", str(tmp_path / "data")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == EXIT_INPUT
    assert proc.stdout == ""
    assert proc.stderr == f"align: error: {tmp_path / 'absent'}: seeds directory not found (give the folder of raw " \
                          "seed files as SEEDS_DIR)\n"
