"""`align glossary check|mine|import|export` through the CLI entry point."""
import json
from pathlib import Path

import pytest

from align.cli import main
from align.glossary import load_glossary

DATA = Path(__file__).resolve().parent / "data" / "glossary"
SMALL = str(DATA / "small.yaml")

ZH = "加强诚信教育。\n\n规范发展征信市场。\n\n提高全社会信用水平。\n\n弘扬诚信文化。\n"
CLT = ("Strengthen creditworthiness education.\n\nRegulate development of the credit market.\n\n"
       "Raise the trust level of the entire society.\n\nPromote a culture of honesty.\n")
BLOG = ("Strengthen sincerity education.\n\nStandardize and develop credit investigation markets.\n\n"
        "Raise the credit levels of the entire society.\n\nCarry forward a sincerity culture.\n")
CLEAN = ("Strengthen integrity education.\n\nRegulate development of the credit reporting market.\n\n"
         "Raise the credit level of the entire society.\n\nPromote a culture of integrity.\n")


def run(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return exc.value.code, out, err


@pytest.fixture()
def files(tmp_path):
    paths = {}
    for name, text in (("doc.txt", ZH), ("doc.clt.txt", CLT), ("doc.blog.txt", BLOG), ("doc.clean.txt", CLEAN)):
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        paths[name] = str(p)
    return paths


def test_check_json_shape(files, capsys):
    code, out, _ = run(["glossary", "check", files["doc.txt"], files["doc.clt.txt"], files["doc.blog.txt"],
                        "-g", SMALL, "--json", "--encoder", "lexical"], capsys)
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"occurrences", "flags"}
    assert {tuple(sorted(o)) for o in data["occurrences"]} == {
        ("rendering", "source_segment", "source_text", "target_text", "term", "translation")}
    got = {(o["term"], o["translation"], o["source_segment"]): o["rendering"] for o in data["occurrences"]}
    assert got[("诚信", "clt", 0)] == "creditworthiness" and got[("诚信", "clt", 3)] == "honesty"
    assert got[("诚信", "blog", 0)] == "sincerity"
    assert got[("征信", "clt", 1)] == "credit" and got[("征信", "blog", 1)] == "credit investigation"
    assert got[("信用", "clt", 2)] == "trust"
    for f in data["flags"]:
        assert set(f) == {"kind", "term", "translation", "severity", "scope", "message", "src", "tgt",
                          "renderings", "occurrences", "evidence"}
        assert f["scope"] in ("row", "document") and f["severity"] in ("error", "warning", "info")
    kinds = {(f["kind"], f["term"], f["translation"]) for f in data["flags"]}
    assert ("inconsistent", "诚信", "clt") in kinds
    assert ("off-glossary", "诚信", "blog") in kinds
    assert ("divergent", "诚信", None) in kinds


def test_strict_exit_code(files, capsys):
    args = ["glossary", "check", files["doc.txt"], files["doc.clt.txt"], "-g", SMALL, "--encoder", "lexical"]
    code, out, _ = run(args, capsys)
    assert code == 0 and "inconsistent" in out and "诚信" in out
    code, _, _ = run(args + ["--strict"], capsys)
    assert code == 1
    # a translation that follows the glossary passes --strict
    code, out, _ = run(["glossary", "check", files["doc.txt"], files["doc.clean.txt"], "-g", SMALL,
                        "--encoder", "lexical", "--strict"], capsys)
    assert code == 0, out
    assert "No glossary flags" in out


def test_malformed_glossary_is_one_line_exit_3(files, capsys):
    code, out, err = run(["glossary", "check", files["doc.txt"], files["doc.clt.txt"],
                          "-g", str(DATA / "bad-missing-preferred.yaml"), "--encoder", "lexical"], capsys)
    assert code == 3
    assert "bad-missing-preferred.yaml: line 4:" in err and len(err.strip().splitlines()) == 1


def test_usage_errors(files, capsys):
    code, _, err = run(["glossary", "check", files["doc.txt"], "-g", SMALL], capsys)
    assert code == 2 and "translation" in err
    code, _, err = run(["glossary", "check", files["doc.txt"], "/nonexistent.txt", "-g", SMALL], capsys)
    assert code == 3 and "no such file" in err


def test_export_import_round_trip(tmp_path, capsys):
    for suffix in ("csv", "tbx"):
        out = tmp_path / f"terms.{suffix}"
        code, _, _ = run(["glossary", "export", str(out), "-g", SMALL], capsys)
        assert code == 0 and out.exists()
        back = tmp_path / f"back-{suffix}.yaml"
        code, _, err = run(["glossary", "import", str(out), "-o", str(back)], capsys)
        assert code == 0, err
        assert load_glossary(back).entries == load_glossary(SMALL).entries
        code, _, err = run(["glossary", "import", str(out), "-o", str(back)], capsys)
        assert code == 2 and "--force" in err  # no silent overwrite


def test_mine_writes_a_draft(files, tmp_path, capsys):
    draft = tmp_path / "draft.yaml"
    code, out, err = run(["glossary", "mine", files["doc.txt"], files["doc.clt.txt"], "-g", SMALL,
                          "-o", str(draft), "--encoder", "lexical", "--min-count", "2", "--json"], capsys)
    assert code == 0, err
    g = load_glossary(draft)
    assert "诚信" in g and g.entry("诚信").preferred == "integrity"  # kept from the glossary
    mined = {m["term"]: m for m in json.loads(out)}
    assert mined["诚信"]["count"] == 2 and mined["诚信"]["in_glossary"]


def test_english_only(files, capsys):
    code, out, _ = run(["glossary", "check", "--english-only", files["doc.clt.txt"], files["doc.blog.txt"],
                        "-g", SMALL, "--reference", "clt", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["reference"] == "clt"
    assert data["table"]["诚信"]["blog"] == {"sincerity": 2}
    assert data["table"]["诚信"]["clt"] == {"creditworthiness": 1, "honesty": 1}
    assert any(f["kind"] == "divergent" and f["term"] == "诚信" and f["translation"] == "blog" for f in data["flags"])
    code, _, err = run(["glossary", "check", "--english-only", files["doc.clt.txt"], "-g", SMALL,
                        "--reference", "nope"], capsys)
    assert code == 2
