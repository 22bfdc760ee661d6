"""Glossary YAML: validation, line numbers in errors, the shipped glossary."""
from pathlib import Path

import pytest

from align.errors import InputError
from align.glossary import Glossary, load_glossary, parse_glossary

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "glossary"


def test_shipped_glossary_has_the_core_terms():
    g = load_glossary(ROOT / "glossary.yaml")
    for term in ["诚信", "信用", "守信", "失信", "征信", "联合惩戒", "信用修复", "黑名单", "红名单", "信用记录",
                 "信用信息", "社会信用体系", "公共信用信息", "信用信息共享平台", "信用中国", "统一社会信用代码", "征信机构"]:
        assert term in g, term
    e = g.entry("诚信")
    assert e.preferred == "integrity"
    assert "creditworthiness" in e.accepted
    assert e.status_of("sincerity") == "discouraged" and e.reason_for("sincerity")
    assert g.entry("失信").status_of("trust-breaking") == "accepted"
    # aliases are counted as the term
    assert "守信者" in g.entry("守信").forms
    # every entry's line is known (for messages)
    assert all(g.lines[e.term] > 0 for e in g.entries)


def test_syntax_error_names_file_and_line():
    with pytest.raises(InputError) as exc:
        load_glossary(DATA / "bad-syntax.yaml")
    msg = str(exc.value)
    assert "bad-syntax.yaml" in msg
    assert "line 5" in msg  # where the unclosed flow sequence is found to be broken
    assert "invalid YAML" in msg


def test_missing_field_names_the_entry_line():
    with pytest.raises(InputError) as exc:
        load_glossary(DATA / "bad-missing-preferred.yaml")
    msg = str(exc.value)
    assert "bad-missing-preferred.yaml: line 4:" in msg
    assert "entries[1].preferred" in msg and "missing" in msg


def test_duplicate_term_is_an_error_with_line():
    with pytest.raises(InputError) as exc:
        load_glossary(DATA / "bad-duplicate.yaml")
    assert "line 6" in str(exc.value) and "诚信" in str(exc.value)


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("entries:\n  - term: 诚信\n    preferred: integrity\n    colour: red\n", 4, "unknown field"),
        # a misspelt key is named, with the field it was probably meant to be
        ("entries:\n  - term: 诚信\n    prefered: integrity\n", 3, "prefered: unknown field (did you mean 'preferred'?)"),
        ("entries:\n  - trem: 诚信\n    preferred: integrity\n", 2, "trem: unknown field (did you mean 'term'?)"),
        ("entries:\n  - term: honesty\n    preferred: integrity\n", 2, "no Chinese"),
        ("entries:\n  - term: 诚信\n    preferred: integrity\n    accepted: [x, '']\n", 4, "empty"),
        ("entries:\n  - term: 诚信\n    preferred: integrity\n    discouraged: [integrity]\n", 2, "both"),
        ("entries:\n  - term: 诚信\n    preferred: [a, b]\n", 3, "string"),
        ("- 诚信\n", 1, ""),
    ],
)
def test_bad_values_point_at_their_line(text, line, words):
    with pytest.raises(InputError) as exc:
        parse_glossary(text, "g.yaml")
    msg = str(exc.value)
    assert msg.startswith(f"g.yaml: line {line}:"), msg
    assert words in msg


def test_empty_and_scalar_files():
    with pytest.raises(InputError, match="empty"):
        parse_glossary("# nothing\n", "g.yaml")
    with pytest.raises(InputError, match="mapping"):
        parse_glossary("just text\n", "g.yaml")


def test_bare_list_and_discouraged_forms():
    g = parse_glossary(
        "- term: 信用\n  preferred: credit\n  discouraged:\n    - trust\n    - {rendering: credibility, reason: 公信力}\n",
        "g.yaml",
    )
    assert isinstance(g, Glossary)
    e = g.entry("信用")
    assert [d.rendering for d in e.discouraged] == ["trust", "credibility"]
    assert e.reason_for("credibility") == "公信力"
    assert e.renderings()[0] == ("credit", "preferred")


def test_dump_and_reload_is_identical(tmp_path):
    g = load_glossary(ROOT / "glossary.yaml")
    p = tmp_path / "g.yaml"
    p.write_text(g.dump_yaml(), encoding="utf-8")
    assert load_glossary(p).entries == g.entries
