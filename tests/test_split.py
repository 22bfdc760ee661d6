"""Bilingual files (issue 12): `align.ingest.split` and `align split`.

The texts below mimic what users copy from the web: the Chinese original and
its English translation in one file, interleaved paragraph by paragraph or
line by line, or one block after the other, with a title, a URL line, stray
markdown headings and separators around.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from builders import run_align
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import align
from align.errors import InputError
from align.ingest.split import LAYOUTS, BilingualSplit, looks_bilingual, split_bilingual

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "tests" / "data" / "bilingual" / "pipl-interleaved.txt"
ZH_FILE = REPO / "data" / "zh" / "guobanfa-2016-98.txt"
EN_FILE = REPO / "data" / "en" / "guobanfa-2016-98.clt.txt"
SAMPLE_TITLE = "中华人民共和国个人信息保护法 Personal Information Protection Law of the People's Republic of China"
SAMPLE_URL = "http://www.npc.gov.cn/npc/c30834/202108/a8c4e3672c74491a80b53a172bb753fe.shtml"
HAINAN = REPO / "data" / "en" / "hainan-personal-creditworthiness.txt"

ZH_TITLE = "中华人民共和国数据安全法"
EN_TITLE = "Data Security Law of the People's Republic of China"
URL = "http://www.npc.gov.cn/npc/c30834/202106/7c9af12f51334a73b56d7938f99a788a.shtml"

ZH = [
    "第一条 为了规范数据处理活动，保障数据安全，促进数据开发利用，保护个人、组织的合法权益，维护国家主权、安全和发展利益，制定本法。",
    "第二条 在中华人民共和国境内开展数据处理活动及其安全监管，适用本法。",
    "第三条 本法所称数据，是指任何以电子或者其他方式对信息的记录。",
    "第四条 维护数据安全，应当坚持总体国家安全观，建立健全数据安全治理体系，提高数据安全保障能力。",
]
EN = [
    "Article 1 This Law is enacted in order to regulate data processing activities, ensure data security, "
    "promote the development and utilization of data, protect the lawful rights and interests of individuals "
    "and organizations, and safeguard national sovereignty, security and development interests.",
    "Article 2 This Law applies to data processing activities and their security supervision carried out "
    "within the territory of the People's Republic of China.",
    "Article 3 For the purposes of this Law, data means any record of information in electronic or other form.",
    "Article 4 Safeguarding data security shall adhere to the overall national security concept, establish and "
    "improve a data security governance system, and raise the capacity to ensure data security.",
]


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def paragraphs(text: str) -> list[str]:
    """Blocks of lines separated by blank lines."""
    return [p.strip() for p in text.split("\n\n") if p.strip()]


# ------------------------------------------------------------- (a) interleaved paragraphs

INTERLEAVED = "\n".join([
    ZH_TITLE,
    EN_TITLE,
    f"Source: {URL}",
    "",
    "# 第一章 总则",
    "# Chapter I General Provisions",
    "",
    *[f"{z}\n\n{e}\n" for z, e in zip(ZH, EN)],
    "---",
    "",
])


def test_interleaved_paragraphs_with_title_url_and_heading():
    s = split_bilingual(INTERLEAVED)
    assert isinstance(s, BilingualSplit)
    assert s.layout == "interleaved"
    assert lines(s.zh) == [ZH_TITLE, "第一章 总则", *ZH]
    assert lines(s.en) == [EN_TITLE, "Chapter I General Provisions", *EN]
    assert s.dropped == (f"Source: {URL}", "---")
    assert s.cut == ()
    # the blank lines between the paragraphs are kept on each side
    assert paragraphs(s.zh) == [ZH_TITLE, "第一章 总则", *ZH]
    assert paragraphs(s.en) == [EN_TITLE, "Chapter I General Provisions", *EN]
    assert s.zh.endswith("。\n") and s.en.endswith(".\n")
    assert (s.zh_paragraphs, s.en_paragraphs) == (6, 6)
    assert looks_bilingual(INTERLEAVED)


# ------------------------------------------------------------- (b), (c) one block after the other

def _block(title: str, paras: list[str]) -> str:
    return title + "\n\n" + "\n\n".join(paras) + "\n"


def test_all_chinese_then_all_english():
    text = f"{URL}\n\n" + _block(ZH_TITLE, ZH) + "\n* * *\n\n" + _block(EN_TITLE, EN)
    s = split_bilingual(text)
    assert s.layout == "zh-then-en"
    assert lines(s.zh) == [ZH_TITLE, *ZH]
    assert lines(s.en) == [EN_TITLE, *EN]
    assert paragraphs(s.en) == [EN_TITLE, *EN]
    assert s.dropped == (URL, "* * *")


def test_both_titles_in_front_then_chinese_then_english():
    """A title pair on top does not make the layout interleaved."""
    text = f"{ZH_TITLE}\n{EN_TITLE}\n\n" + "\n".join(ZH) + "\n\n" + "\n".join(EN) + "\n"
    s = split_bilingual(text)
    assert s.layout == "zh-then-en"
    assert lines(s.zh) == [ZH_TITLE, *ZH]
    assert lines(s.en) == [EN_TITLE, *EN]
    # a blank line where the input had one, none between lines that had none between them
    assert s.zh == ZH_TITLE + "\n\n" + "\n".join(ZH) + "\n"
    assert s.en == EN_TITLE + "\n\n" + "\n".join(EN) + "\n"


def test_all_english_then_all_chinese():
    text = ("## " + EN_TITLE + "\n\n" + "\n\n".join(EN) + "\n\n来源：" + URL + "\n\n"
            + "## " + ZH_TITLE + "\n\n" + "\n\n".join(ZH) + "\n\n2021年6月10日\n")
    s = split_bilingual(text)
    assert s.layout == "en-then-zh"
    assert lines(s.en) == [EN_TITLE, *EN]
    assert lines(s.zh) == [ZH_TITLE, *ZH, "2021年6月10日"]
    assert s.dropped == ("来源：" + URL,)


def test_the_corpus_blog_seed_is_english_then_chinese(seeds_dir):
    """The raw blog copy of 国办发〔2016〕98号 holds the translation and then
    the Chinese original: its Chinese half is the corpus's Chinese text (save
    the title, which the seed breaks over two lines and ingest joins)."""
    seed = seeds_dir / "003_e69e144f6498c606.txt"
    if not seed.is_file():
        pytest.skip("blog seed not found")
    s = split_bilingual(seed.read_text(encoding="utf-8"))
    assert s.layout == "en-then-zh"
    zh = lines(s.zh)
    assert "".join(zh[:2]) == "国务院办公厅关于加强个人诚信体系建设的指导意见"
    assert zh[2:] == lines(ZH_FILE.read_text(encoding="utf-8"))[1:]
    assert lines(s.en)[0].startswith("Guiding Opinions concerning Strengthening")


# ------------------------------------------------------------- (d) interleaved lines, article by article

ARTICLES = """中华人民共和国数据安全法 Data Security Law of the People's Republic of China
（2021年6月10日第十三届全国人民代表大会常务委员会第二十九次会议通过）
(Adopted at the 29th Meeting of the Standing Committee of the Thirteenth National People's Congress on June 10, 2021)
第一章 总则 Chapter I General Provisions
第一条
Article 1
{z1}
{e1}
第二条 Article 2
{z2}
{e2}
""".format(z1=ZH[0][4:], e1=EN[0][10:], z2=ZH[1][4:], e2=EN[1][10:])


def test_interleaved_lines_article_by_article():
    s = split_bilingual(ARTICLES)
    assert s.layout == "interleaved"
    assert lines(s.zh) == [
        ZH_TITLE, "（2021年6月10日第十三届全国人民代表大会常务委员会第二十九次会议通过）",
        "第一章 总则", "第一条", ZH[0][4:], "第二条", ZH[1][4:]]
    assert lines(s.en) == [
        EN_TITLE, "(Adopted at the 29th Meeting of the Standing Committee of the Thirteenth National "
        "People's Congress on June 10, 2021)", "Chapter I General Provisions", "Article 1", EN[0][10:],
        "Article 2", EN[1][10:]]
    # one line per paragraph, as in the input: no blank lines appear
    assert "\n\n" not in s.zh and "\n\n" not in s.en
    assert s.cut == (ARTICLES.splitlines()[0], "第一章 总则 Chapter I General Provisions", "第二条 Article 2")
    assert s.dropped == ()


# ------------------------------------------------------------- (e) mixed-script lines

CONTEXT_ZH, CONTEXT_EN = ZH[:3], EN[:3]


def _placed(line: str) -> tuple[list[str], list[str]]:
    """Where ``line`` goes when it stands between a Chinese and an English block."""
    text = "\n".join(CONTEXT_ZH) + "\n" + line + "\n" + "\n".join(CONTEXT_EN) + "\n"
    s = split_bilingual(text)
    zh, en = lines(s.zh), lines(s.en)
    assert zh[:3] == CONTEXT_ZH and en[-3:] == CONTEXT_EN
    return zh[3:], en[:-3]


@pytest.mark.parametrize("line", [
    "个人信息（personal information）是指以电子或者其他方式记录的各种信息。",
    "本法所称个人信息 personal information 是指各种信息。",
    "第一条（Article 1）",
    "个人信息（personal information）",
    "依照《中华人民共和国网络安全法》和 WTO 规则处理。",
    "Title: 中华人民共和国数据安全法",
])
def test_mixed_line_goes_to_chinese(line):
    assert _placed(line) == ([line], [])


@pytest.mark.parametrize("line", [
    "The Ministry of Commerce (商务部) shall be responsible for the work.",
    "Contact: Zhang San 张三",
    "(Responsible units: the Provincial Finance Office 省政府金融办 and the county governments)",
    "标题：Data Security Law of the People's Republic of China",
    "Article 1 [第一条] General provisions",
    "the Office (国务院办公厅秘书局)",
])
def test_mixed_line_goes_to_english(line):
    assert _placed(line) == ([], [line])


@pytest.mark.parametrize("line, zh, en", [
    ("第一条 Article 1", ["第一条"], ["Article 1"]),
    ("Article 1 第一条", ["第一条"], ["Article 1"]),
    ("第一条（目的）Article 1 (Purpose)", ["第一条（目的）"], ["Article 1 (Purpose)"]),
    ("国办发〔2016〕98号 SGO release No. 98 (2016)", ["国办发〔2016〕98号"], ["SGO release No. 98 (2016)"]),
    ("2021年6月10日 June 10, 2021", ["2021年6月10日"], ["June 10, 2021"]),
    ("本法自2021年9月1日起施行。This Law shall come into force on September 1, 2021.",
     ["本法自2021年9月1日起施行。"], ["This Law shall come into force on September 1, 2021."]),
    ("数据受法律保护。Data is protected by law. 任何组织不得侵害。No organization may infringe it.",
     ["数据受法律保护。", "任何组织不得侵害。"], ["Data is protected by law.", "No organization may infringe it."]),
])
def test_line_with_both_languages_is_cut(line, zh, en):
    assert _placed(line) == (zh, en)


@pytest.mark.parametrize("line", ["2021-06-10", "- 3 -", "98"])
def test_numbers_only_line_goes_with_the_line_before(line):
    text = "\n".join(CONTEXT_ZH) + "\n" + line + "\n\n" + "\n".join(CONTEXT_EN) + "\n" + line + "\n"
    s = split_bilingual(text)
    assert lines(s.zh) == [*CONTEXT_ZH, line]
    assert lines(s.en) == [*CONTEXT_EN, line]
    assert s.dropped == ()


@pytest.mark.parametrize("line", [
    "#", "##", "---", "***", "===", "。", "……", "|---|---|", ">",
    URL, f"<{URL}>", f"Source: {URL}", f"原文链接：{URL}", f"[Link]({URL})", "www.gov.cn", "Retrieved from " + URL,
])
def test_markers_separators_and_url_lines_are_dropped_and_reported(line):
    text = "\n".join(CONTEXT_ZH) + "\n" + line + "\n" + "\n".join(CONTEXT_EN) + "\n"
    s = split_bilingual(text)
    assert s.dropped == (line,)
    assert lines(s.zh) == CONTEXT_ZH and lines(s.en) == CONTEXT_EN


def test_url_inside_a_sentence_is_kept_and_not_counted_as_english():
    line = f"详见{URL}。"
    assert _placed(line) == ([line], [])


# ------------------------------------------------------------- (f) not bilingual

@pytest.mark.parametrize("text, pattern", [
    ("\n\n".join(ZH) + "\n", r"only Chinese"),
    ("\n\n".join(EN) + "\n", r"only English"),
    (f"{URL}\n---\n", r"no Chinese or English"),
])
def test_monolingual_text_is_an_input_error(text, pattern):
    assert not looks_bilingual(text)
    with pytest.raises(InputError, match=pattern) as info:
        split_bilingual(text)
    assert "\n" not in str(info.value)


def test_translation_with_some_chinese_left_in_is_not_bilingual():
    """The Hainan translation leaves a few passages untranslated: English
    with Chinese in it, not a bilingual file."""
    text = HAINAN.read_text(encoding="utf-8")
    assert not looks_bilingual(text)
    with pytest.raises(InputError, match=r"mostly English.*not a bilingual file"):
        split_bilingual(text)


@pytest.mark.parametrize("path", sorted((REPO / "data").glob("*/*.txt")), ids=lambda p: p.name)
def test_corpus_files_are_not_bilingual(path):
    assert not looks_bilingual(path.read_text(encoding="utf-8"))


def test_the_texts_above_are_bilingual():
    for text in (INTERLEAVED, ARTICLES, SAMPLE.read_text(encoding="utf-8")):
        assert looks_bilingual(text)


# ------------------------------------------------------------- the "swapped?" message

def test_bilingual_source_suggests_align_split(tmp_path):
    bi = tmp_path / "law.txt"
    bi.write_text(INTERLEAVED, encoding="utf-8")
    with pytest.raises(InputError) as info:
        align.align(bi, EN_FILE, encoder="lexical")
    msg = str(info.value)
    assert "both Chinese and English" in msg and f"align split {bi} -o DIR" in msg
    assert "swapped" not in msg


def test_bilingual_translation_suggests_align_split(tmp_path):
    """A bilingual file whose Chinese outweighs its English reads as Chinese:
    given as the translation it gets the same advice."""
    text = "\n".join(z + z + "\n" + e for z, e in zip(ZH, EN)) + "\n"
    from align.segment import detect_lang

    assert detect_lang(text) == "zh" and looks_bilingual(text)
    bi = tmp_path / "law.txt"
    bi.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"both Chinese and English.*align split"):
        align.align(ZH_FILE, bi, encoder="lexical")


def test_monolingual_swap_keeps_the_swapped_message():
    with pytest.raises(InputError, match=r"swapped"):
        align.align(EN_FILE, ZH_FILE, encoder="lexical")


# ------------------------------------------------------------- (h) property: nothing lost, nothing moved

_HANZI = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你对法条规定数据信息安全组织个人"
_ZH_PUNCT = "，。；、"
_WORDS = ("law", "data", "security", "the", "of", "and", "shall", "Article", "State", "person", "rights",
          "information", "processing", "organization", "protect", "in", "by", "any")

noise_line = st.sampled_from([URL, f"Source: {URL}", "---", "#", "***", "==="])


@st.composite
def paragraph_pair(draw) -> tuple[str, str]:
    """A Chinese paragraph and an English one of about the length of its
    translation: 2 to 4 Latin letters (and a word) per Chinese character."""
    body = draw(st.text(alphabet=_HANZI + _ZH_PUNCT, min_size=6, max_size=60)
                .filter(lambda t: sum(c in _HANZI for c in t) >= 6))
    zh = body + draw(st.sampled_from(["", "（WTO）", "（personal information）", "2021年"])) \
        + draw(st.sampled_from(["。", "；", "", "："]))
    hanzi = sum(c in _HANZI for c in body)
    budget = draw(st.integers(2 * hanzi, 4 * hanzi))
    pool = draw(st.lists(st.sampled_from(_WORDS), min_size=2, max_size=8))
    words: list[str] = []
    while len(words) < 2 or sum(map(len, words)) < budget:
        words.append(pool[len(words) % len(pool)])
    en = " ".join(words) + draw(st.sampled_from(["", " (商务部)", " (Article 3)", ", 2021"])) \
        + draw(st.sampled_from([".", ";", "", ":"]))
    return zh, en


@st.composite
def bilingual_documents(draw):
    pairs = draw(st.lists(paragraph_pair(), min_size=2, max_size=8))
    by_kind = {"zh": [z for z, _ in pairs], "en": [e for _, e in pairs],
               "drop": draw(st.lists(noise_line, max_size=4))}
    # a random interleaving that keeps each kind in its order: from paragraph
    # by paragraph to one block after the other
    kinds = [k for k, v in by_kind.items() for _ in v]
    kinds = [kinds[i] for i in draw(st.permutations(range(len(kinds))))]
    taken = {k: iter(v) for k, v in by_kind.items()}
    sequence = [next(taken[k]) for k in kinds]
    seps = draw(st.lists(st.sampled_from(["\n", "\n\n", "\n  \n", "\n\n\n"]), min_size=len(sequence),
                         max_size=len(sequence)))
    indent = draw(st.sampled_from(["", "  ", "\u3000\u3000"]))
    text = "".join(indent + t + sep for t, sep in zip(sequence, seps))
    return text, by_kind


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bilingual_documents())
def test_every_line_ends_up_in_exactly_one_place_in_order(doc):
    text, expected = doc
    assert looks_bilingual(text)
    s = split_bilingual(text)
    assert lines(s.zh) == expected["zh"]
    assert lines(s.en) == expected["en"]
    assert list(s.dropped) == expected["drop"]
    assert s.cut == ()
    assert s.layout in LAYOUTS


# ------------------------------------------------------------- (g) the command line





def run(args, env, cwd=None, timeout=600) -> subprocess.CompletedProcess:
    return run_align(args, env, cwd=cwd, timeout=timeout)


def one_error_line(res: subprocess.CompletedProcess, code: int) -> str:
    assert "Traceback" not in res.stderr, res.stderr
    assert res.returncode == code, (res.returncode, res.stderr)
    err = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(err) == 1 and err[0].startswith("align: error: "), res.stderr
    return err[0]


def test_cli_split_then_pair(tmp_path, env):
    out = tmp_path / "out"
    res = run(["split", SAMPLE, "-o", out], env)
    assert res.returncode == 0, res.stderr
    zh, en = out / "pipl-interleaved.zh.txt", out / "pipl-interleaved.en.txt"
    summary = res.stdout.strip()
    assert len(summary.splitlines()) == 1
    assert "interleaved" in summary and "5 Chinese paragraphs" in summary and "5 English paragraphs" in summary
    assert "dropped 2 lines" in summary and "Source: http" in summary
    assert "1 line cut" in summary  # the title: Chinese and English on one line
    expected = split_bilingual(SAMPLE.read_text(encoding="utf-8"))
    assert zh.read_text(encoding="utf-8") == expected.zh
    assert lines(expected.zh)[:2] == ["中华人民共和国个人信息保护法", "第一章 总则"]
    assert lines(expected.en)[:2] == ["Personal Information Protection Law of the People's Republic of China",
                                      "Chapter I General Provisions"]
    assert en.read_text(encoding="utf-8") == expected.en
    assert sorted(p.name for p in out.iterdir()) == [en.name, zh.name]  # no temporary files left

    res = run(["split", SAMPLE, "-o", out, "--json"], env)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data == {"zh": str(zh), "en": str(en), "layout": "interleaved", "zh_paragraphs": 5,
                    "en_paragraphs": 5, "dropped": list(expected.dropped), "cut": [SAMPLE_TITLE]}
    assert expected.dropped == (f"Source: {SAMPLE_URL}", "---")

    res = run(["pair", zh, en, "--encoder", "lexical", "--format", "beads"], env)
    assert res.returncode == 0, res.stderr
    beads = res.stdout.split()
    assert beads[:4] == ["[0]:[0]", "[1]:[1]", "[2]:[2]", "[3]:[3]"]


def test_cli_bilingual_file_given_to_pair_suggests_split(env):
    res = run(["pair", SAMPLE, EN_FILE, "--encoder", "lexical"], env)
    line = one_error_line(res, 3)
    assert SAMPLE.name in line and "both Chinese and English" in line and "align split" in line


def test_cli_missing_file(tmp_path, env):
    line = one_error_line(run(["split", tmp_path / "nope.txt", "-o", tmp_path / "out"], env), 3)
    assert "nope.txt" in line and "no such file" in line


def test_cli_monolingual_file(tmp_path, env):
    out = tmp_path / "out"
    line = one_error_line(run(["split", ZH_FILE, "-o", out], env), 3)
    assert ZH_FILE.name in line and "only Chinese" in line
    assert not out.exists()


def test_cli_output_is_a_file(tmp_path, env):
    out = tmp_path / "out"
    out.write_text("x", encoding="utf-8")
    line = one_error_line(run(["split", SAMPLE, "-o", out], env), 2)
    assert "out" in line and "not a directory" in line
    assert out.read_text(encoding="utf-8") == "x"


def test_cli_without_output_folder_is_a_usage_error(env):
    res = run(["split", SAMPLE], env)
    assert res.returncode == 2 and "Traceback" not in res.stderr


def test_cli_never_overwrites_its_input(tmp_path, env):
    """law.zh.txt split into its own folder would write law.zh.txt: refused."""
    src = tmp_path / "law.zh.txt"
    src.write_text(INTERLEAVED, encoding="utf-8")
    line = one_error_line(run(["split", src, "-o", tmp_path], env), 2)
    assert "the output is the same file as the input" in line
    assert src.read_text(encoding="utf-8") == INTERLEAVED
    assert not (tmp_path / "law.en.txt").exists()
    # into another folder it works, and the language tag is not repeated
    res = run(["split", src, "-o", tmp_path / "out"], env)
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["law.en.txt", "law.zh.txt"]
