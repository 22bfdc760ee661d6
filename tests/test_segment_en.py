"""English segmenter, language detection and the `align segment` command."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from align.cli import main
from align.errors import EXIT_INPUT, EXIT_USAGE
from align.segment import SegmentSettings, detect_lang, segment, segment_lines

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


def texts(source: str, level: str = "sentence", **kw) -> list[str]:
    return [s.text for s in segment(source, "en", level, **kw)]


def load(data_name: str, seed_prefix: str) -> str:
    """A cleaned corpus file from data/en when ingested, else the raw seed
    (for seed 003 only the translation before the Chinese original)."""
    data = ROOT / "data" / "en" / data_name
    if data.exists():
        return data.read_text(encoding="utf-8")
    seeds = sorted(SEEDS.glob(f"{seed_prefix}_*.txt")) if SEEDS.is_dir() else []
    if not seeds:
        pytest.skip(f"neither data/en/{data_name} nor the raw seeds are available")
    raw = seeds[0].read_text(encoding="utf-8")
    if seed_prefix == "003":
        raw = raw[: raw.index("国务院办公厅关于加强")]
    return raw


# --- sentences --------------------------------------------------------------

def test_abbreviations_do_not_end_sentences():
    src = ("See Art. 5 of the Law. It applies to No. 98 documents, e.g. this one, i.e. the Opinion. "
           "Mr. Li and Dr. Wang agreed. Arts. 3 and 4 vs. Art. 6 differ.")
    assert texts(src) == [
        "See Art. 5 of the Law.",
        "It applies to No. 98 documents, e.g. this one, i.e. the Opinion.",
        "Mr. Li and Dr. Wang agreed.",
        "Arts. 3 and 4 vs. Art. 6 differ.",
    ]


def test_document_numbers_initials_decimals_times():
    src = ("The Opinion (Guobanfa (2016) No. 98) was issued. SGO release No. 98 (2016) applies. "
           "The U.S. Government and J. Smith agree. Growth was 3.5 percent. Meet at 10:30 a.m. on Monday.")
    assert texts(src) == [
        "The Opinion (Guobanfa (2016) No. 98) was issued.",
        "SGO release No. 98 (2016) applies.",
        "The U.S. Government and J. Smith agree.",
        "Growth was 3.5 percent.",
        "Meet at 10:30 a.m. on Monday.",
    ]


def test_etc_ends_a_sentence_only_before_a_capital():
    assert texts("Include rules, regulations, etc. The next step follows.") == [
        "Include rules, regulations, etc.", "The next step follows."]
    assert texts("Credit cards, etc. retain that meaning.") == ["Credit cards, etc. retain that meaning."]


def test_sentence_end_inside_quotes():
    assert texts('He said "it is done." Then he left.') == ['He said "it is done."', "Then he left."]
    assert texts("He said “it is done.” Then he left!") == ["He said “it is done.”", "Then he left!"]
    assert texts('Create a climate where "trust is honored. Breach is shameful" in society. Next.') == [
        'Create a climate where "trust is honored. Breach is shameful" in society.', "Next."]


def test_question_exclamation_ellipsis():
    assert texts("Is it done? Yes! He waited... Then he left. And so on… Finally.") == [
        "Is it done?", "Yes!", "He waited...", "Then he left.", "And so on…", "Finally."]


def test_parenthetical_note_after_a_sentence_is_its_own_segment():
    src = "Expand investigation of the sale of secrets. (responsibility of the People's Bank of China)"
    assert texts(src) == ["Expand investigation of the sale of secrets.", "(responsibility of the People's Bank of China)"]


def test_unknown_language_or_level_is_a_usage_error():
    from align.errors import UsageError

    with pytest.raises(UsageError):
        segment("text", "fr")
    with pytest.raises(UsageError):
        segment("text", "en", "word")


def test_stray_quote_does_not_swallow_the_paragraph():
    src = "A stray \" quote here. Second sentence. Third sentence.\nNext line."
    assert texts(src) == ['A stray " quote here.', "Second sentence.", "Third sentence.", "Next line."]


def test_line_breaks_end_segments():
    segs = segment("No full stop here\nNor here\n\nLast line.", "en")
    assert [s.text for s in segs] == ["No full stop here", "Nor here", "Last line."]
    assert [s.paragraph for s in segs] == [0, 1, 2]


# --- markers and headings ---------------------------------------------------

def test_headings_and_markers():
    src = ("I. General Requirements\n"
           "(1) Guiding Thought. Fully put in place the spirit.\n"
           "VI, Perfecting incentive mechanisms for personal promise-keeping.\n"
           "1. Improve legal systems. Move work forward.\n"
           "First is government promotion. Fully play the role.\n"
           "Article 1 This law applies. It is binding.")
    got = [(s.text, s.marker, s.marker_kind, s.is_heading) for s in segment(src, "en")]
    assert got == [
        ("I. General Requirements", "I.", "chapter", True),
        ("(1) Guiding Thought.", "(1)", "section", True),
        ("Fully put in place the spirit.", None, None, False),
        ("VI, Perfecting incentive mechanisms for personal promise-keeping.", "VI,", "chapter", True),
        ("1. Improve legal systems.", "1.", "item", False),
        ("Move work forward.", None, None, False),
        ("First is government promotion.", "First", "enumeration", False),
        ("Fully play the role.", None, None, False),
        ("Article 1 This law applies.", "Article 1", "article", True),
        ("It is binding.", None, None, False),
    ]


def test_numbered_item_mid_line_is_not_a_segment_of_its_own():
    assert texts("Finish this by 2017. 2. Establish the system. Done.") == [
        "Finish this by 2017.", "2. Establish the system.", "Done."]


def test_roman_numeral_heading_is_not_split_after_the_numeral():
    segs = segment("II. Strengthening the education on personal creditworthiness", "en")
    assert len(segs) == 1 and segs[0].is_heading and segs[0].marker == "II."


# --- clauses ----------------------------------------------------------------

def test_clause_semicolons_colons_and_inline_enumerations():
    src = ("The main tasks of this plan are as follows: (1) build credit records for individuals; "
           "(2) share the data among departments. Next sentence.")
    segs = segment(src, "en", "clause")
    assert [s.text for s in segs] == [
        "The main tasks of this plan are as follows:",
        "(1) build credit records for individuals;",
        "(2) share the data among departments.",
        "Next sentence.",
    ]
    assert [s.marker for s in segs] == [None, "(1)", "(2)", None]


def test_short_colon_is_not_a_clause_boundary():
    assert texts("Title: Guiding Opinion on Creditworthiness", "clause") == ["Title: Guiding Opinion on Creditworthiness"]
    assert texts("Meet at 10:30 in the morning to discuss the plan.", "clause") == [
        "Meet at 10:30 in the morning to discuss the plan."]


def test_commas_split_only_at_clear_clause_boundaries():
    assert texts("Establish mechanisms for sharing credit information across departments, "
                 "so as to raise the level of trust in the whole of society.", "clause") == [
        "Establish mechanisms for sharing credit information across departments,",
        "so as to raise the level of trust in the whole of society."]
    plain = "Food, drugs, production safety, fire safety, and the environment are key areas for this work."
    assert texts(plain, "clause") == [plain]


def test_commas_before_imperative_verbs_split_policy_clauses():
    src = ("Establish and complete joint reward and punishment mechanisms for personal creditworthiness, "
           "strictly implement the rules on information security, and broaden the scope of applications.")
    assert texts(src, "clause") == [
        "Establish and complete joint reward and punishment mechanisms for personal creditworthiness,",
        "strictly implement the rules on information security,",
        "and broaden the scope of applications."]
    # a verb that is part of a list, a noun use ("use of") and a preposition stay inside the clause
    for keep in ["Relevant departments must establish, complete and strictly implement the regulatory systems.",
                 "Standardize the collection of credit information, use of credit information and its sharing.",
                 "Publicize the examples in many channels, including websites such as Credit Hainan."]:
        assert texts(keep, "clause") == [keep]


def test_metadata_colon_lines_stay_whole():
    for line in ["Promulgating Entities: General Office of the State Council",
                 "Source of text: http://www.gov.cn/zhengce/content/2016-12/30/content_5154830.htm"]:
        assert texts(line, "clause") == [line]


def test_runs_of_colons_or_commas_do_not_cascade_into_tiny_clauses():
    segs = texts("word: " * 200, "clause")
    assert 1 < len(segs) < 50 and all(len(s) >= 25 for s in segs[:-1])
    segs = texts("Establish the system, " * 100, "clause")
    assert 1 < len(segs) < 100 and all(len(s) >= 30 for s in segs[:-1])


def test_clause_boundaries_never_inside_parentheses():
    src = ("Responsibility lies with the agencies (the NDRC; the People's Bank of China; "
           "the Ministry of Finance) according to their duties.")
    assert texts(src, "clause") == [src]


# --- long runs --------------------------------------------------------------

def test_long_unpunctuated_english_is_cut_at_spaces():
    rng = random.Random(0)
    vocab = ["credit", "system", "the", "establishment", "of", "personal", "information"]
    words = [rng.choice(vocab) for _ in range(20000)]
    src = " ".join(words)
    segs = segment(src, "en")
    limit = SegmentSettings().max_chars_en
    assert len(segs) >= len(src) // limit
    assert all(len(s.text) <= limit for s in segs)
    assert [w for s in segs for w in s.text.split()] == words
    tiny = segment(src, "en", "clause", settings=SegmentSettings(max_chars_en=40))
    assert all(len(s.text) <= 40 for s in tiny)
    assert [w for s in tiny for w in s.text.split()] == words


def test_a_single_huge_token_is_still_bounded():
    segs = segment("x" * 10_000, "en", settings=SegmentSettings(max_chars_en=300))
    assert [len(s.text) for s in segs] == [300] * 33 + [100]


# --- language detection -----------------------------------------------------

def test_detect_lang():
    assert detect_lang("这是一个中文句子。") == "zh"
    assert detect_lang("This is English.") == "en"
    assert detect_lang("Responsible units: 省发展改革委、省公安厅 and the Provincial Credit Office, "
                       "together with all relevant departments and people's governments.") == "en"
    assert detect_lang("") == "en"


def test_detect_lang_on_corpus_with_chinese_agency_lists():
    assert detect_lang(load("hainan-personal-creditworthiness.txt", "004")) == "en"
    assert detect_lang(load("ndrc-2015-division-of-labour.txt", "001")) == "en"
    assert detect_lang(load("anhui-2018-personal-creditworthiness.txt", "000")) == "en"


# --- the real corpus --------------------------------------------------------

@pytest.mark.parametrize("name,prefix,sep", [
    ("guobanfa-2016-98.clt.txt", "002", "."),
    ("guobanfa-2016-98.blog.txt", "003", ","),
])
@pytest.mark.parametrize("level", ["sentence", "clause"])
def test_corpus_translations_have_the_structure_of_the_original(name, prefix, sep, level):
    text = load(name, prefix)
    segs = segment(text, "en", level)
    chapters = [s.marker for s in segs if s.marker_kind == "chapter" and s.is_heading]
    assert chapters == [f"{r}{sep}" for r in ["I", "II", "III", "IV", "V", "VI", "VII"]]
    counts: list[int] = []
    for s in segs:
        if s.marker_kind == "chapter" and s.is_heading:
            counts.append(0)
        elif s.marker_kind == "section" and s.is_heading and counts:
            counts[-1] += 1
    assert counts == [2, 5, 2, 3, 2, 3, 4]  # the same as the Chinese original
    for s in segs:
        assert text[s.start:s.end] == s.text
        assert "No." not in s.text[-3:]  # never cut after "No."


def test_corpus_ndrc_items_are_numbered_in_order():
    text = load("ndrc-2015-division-of-labour.txt", "001")
    items = [int(s.marker[:-1]) for s in segment(text, "en") if s.marker_kind == "item" and s.text[0].isdigit()]
    assert items[:40] == list(range(1, 41))


def test_segment_lines_does_not_resplit():
    src = "Line one. Still line one.\n\nI. General Requirements\n(1) Guiding. Text.\n"
    segs = segment_lines(src, "en")
    assert [s.text for s in segs] == ["Line one. Still line one.", "I. General Requirements", "(1) Guiding. Text."]
    assert [s.marker_kind for s in segs] == [None, "chapter", "section"]
    assert [(s.start, s.end) for s in segs] == [(0, 25), (27, 50), (51, 69)]


# --- CLI --------------------------------------------------------------------

def run_cli(args: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        main(args)
    return exc.value.code


def test_cli_plain_output_one_segment_per_line(tmp_path, capsys):
    f = tmp_path / "doc.txt"
    f.write_text("一、总体要求\n（一）指导思想。全面贯彻落实，深入贯彻精神。\n", encoding="gb18030")
    assert run_cli(["segment", str(f)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == ["一、总体要求", "（一）指导思想。", "全面贯彻落实，深入贯彻精神。"]
    assert "\x1b[" not in out


def test_cli_json_output(tmp_path, capsys):
    f = tmp_path / "doc.txt"
    text = "I. General Requirements\n(1) Guiding Thought. Fully put in place the spirit; act on it.\n"
    f.write_text(text, encoding="utf-8")
    assert run_cli(["segment", str(f), "--lang", "en", "--level", "clause", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["text"] for d in data] == [
        "I. General Requirements", "(1) Guiding Thought.", "Fully put in place the spirit;", "act on it."]
    assert set(data[0]) == {"index", "text", "start", "end", "level", "lang", "marker", "marker_kind",
                            "is_heading", "paragraph"}
    assert all(text[d["start"]:d["end"]] == d["text"] for d in data)
    assert data[1]["marker"] == "(1)" and data[1]["is_heading"] is True
    assert {d["level"] for d in data} == {"clause"} and {d["lang"] for d in data} == {"en"}


def test_cli_errors_are_one_line_with_exit_codes(tmp_path, capsys):
    assert run_cli(["segment", str(tmp_path / "missing.txt")]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.txt" in err and "no such file" in err
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert run_cli(["segment", str(empty)]) == EXIT_INPUT
    assert "empty" in capsys.readouterr().err
    f = tmp_path / "doc.txt"
    f.write_text("Some text.", encoding="utf-8")
    assert run_cli(["segment", str(f), "--lang", "fr"]) == EXIT_USAGE
    assert "--lang" in capsys.readouterr().err
    assert run_cli(["segment", str(f), "--level", "word"]) == EXIT_USAGE


# --- full-width punctuation in English (typed with a Chinese input method) ----------

def test_full_width_stops_end_english_sentences():
    assert texts("This Law is formulated in accordance with the Constitution。It applies to all persons。") == [
        "This Law is formulated in accordance with the Constitution。", "It applies to all persons。"]
    assert texts("The rate is 3.5% today。") == ["The rate is 3.5% today。"]


def test_full_width_commas_semicolons_and_colons_cut_english_clauses():
    text = ("This Law is formulated in order to protect personal information rights，regulate the handling of "
            "personal information；and promote the reasonable use of personal information：for all persons and "
            "organisations within the territory alike.")
    assert texts(text, "clause") == [
        "This Law is formulated in order to protect personal information rights，",
        "regulate the handling of personal information；",
        "and promote the reasonable use of personal information：",
        "for all persons and organisations within the territory alike."]
    # a short piece before a full-width comma stays with its clause, as with ASCII commas
    assert texts("In short，the plan goes ahead as agreed by all members.", "clause") == [
        "In short，the plan goes ahead as agreed by all members."]
