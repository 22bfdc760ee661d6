"""align.align and the CLI commands pair/eval, on the corpus and its gold."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import align
from align.pipeline import translation_ids
from align.errors import InputError, UsageError
from align.evaluate import read_beads, score
from align.model import Document

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "tests" / "data" / "gold"


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGN_CACHE_DIR", str(tmp_path / "cache"))


def _covers(multi) -> None:
    """Every source and target segment appears exactly once across groups, in order."""
    src = [i for g in multi.groups for i in g.src]
    assert src == list(range(len(multi.source)))
    for tid, al in multi.alignments.items():
        tgt = [j for g in multi.groups for j in g.targets[tid]]
        assert tgt == list(range(len(al.target))), tid


@pytest.mark.slow
def test_gold_corpus_sentence_level_with_default_encoder():
    level = GOLD / "sentence"
    multi = align.align(level / "zh.txt", [level / "clt.txt", level / "blog.txt"], presegmented=True)
    assert multi.translation_ids == ["clt", "blog"]
    _covers(multi)
    for tid in ("clt", "blog"):
        al = multi.alignments[tid]
        s = score(read_beads(level / f"{tid}.beads"), [(b.src, b.tgt) for b in al.beads])
        assert s.f1_strict >= 0.95, (tid, s)  # measured 1.00 (clt) and 0.98 (blog)
        assert al.mean_confidence > 0.6
    assert multi.warnings == []
    assert multi.signature["encoder"] == "use" and multi.signature["level"] == "sentence"
    assert "params" in multi.signature and multi.signature["version"] == align.__version__


UNRELATED = """The river rose quickly after three days of rain.
Farmers moved their animals to the hills before the water reached the fields.
In the village, the old bridge creaked under the weight of carts.
Children watched the boats drift past the mill.
By evening the bakery had sold every loaf of bread.
The schoolteacher read a story about a fox and a crow.
A storm blew the roof off the grain store.
The doctor walked from house to house with his black bag.
At night the wind carried the sound of bells across the valley.
In spring the fields were green again and the river was calm.
"""


@pytest.mark.slow
def test_unrelated_translation_is_reported(tmp_path):
    zh = GOLD / "sentence" / "zh.txt"
    other = tmp_path / "story.txt"
    other.write_text(UNRELATED * 3)
    multi = align.align(zh, {"clt": GOLD / "sentence" / "clt.txt", "story": other}, presegmented=True)
    assert multi.alignments["story"].mean_confidence < 0.35
    assert multi.alignments["clt"].mean_confidence > 0.6
    assert any("story" in w and "unrelated" in w for w in multi.warnings)
    assert not any("clt" in w for w in multi.warnings)


def test_presegmented_lines_are_not_resplit(tmp_path):
    zh = tmp_path / "doc.txt"
    en = tmp_path / "doc.clt.txt"
    zh.write_text("第一条 诚信。第二句。\n建设信用体系。\n")
    en.write_text("Article 1: Sincerity. The second sentence.\nBuild the credit system.\n")
    multi = align.align(zh, [en], presegmented=True, encoder="lexical")
    assert [s.text for s in multi.source] == ["第一条 诚信。第二句。", "建设信用体系。"]
    assert multi.translation_ids == ["clt"]
    assert [(b.src, b.tgt) for b in multi.alignments["clt"].beads] == [((0,), (0,)), ((1,), (1,))]
    segmented = align.align(zh, [en], encoder="lexical")
    assert len(segmented.source) > 2  # the segmenter splits sentences when not presegmented
    _covers(segmented)


def test_translation_order_does_not_change_results():
    level = GOLD / "sentence"
    a = align.align(level / "zh.txt", {"clt": level / "clt.txt", "blog": level / "blog.txt"},
                    presegmented=True, encoder="lexical")
    b = align.align(level / "zh.txt", {"blog": level / "blog.txt", "clt": level / "clt.txt"},
                    presegmented=True, encoder="lexical")
    assert a.groups == b.groups
    assert a.alignments["clt"].beads == b.alignments["clt"].beads
    _covers(a)


def test_ids_and_inputs():
    assert translation_ids(["x/guobanfa.clt.txt", "y/guobanfa.blog.txt"]) == ["clt", "blog"]
    assert translation_ids(["a.txt", "b.txt"]) == ["a", "b"]
    assert translation_ids(["a/x.txt", "b/x.txt"]) == ["x", "x-2"]
    assert translation_ids(["a/d.clt.txt", "b/d.clt.txt", "c/d.clt.txt"]) == ["clt", "clt-2", "clt-3"]
    assert translation_ids([Document("t", "en", translation_id="mine")]) == ["mine"]
    with pytest.raises(InputError, match="no such file"):
        align.align("/nonexistent/zh.txt", ["/nonexistent/en.txt"], encoder="lexical")
    with pytest.raises(UsageError):
        align.align(GOLD / "sentence" / "zh.txt", [], encoder="lexical")
    with pytest.raises(UsageError):
        align.align(GOLD / "sentence" / "zh.txt", [GOLD / "sentence" / "clt.txt"], level="word")


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-c", "from align.cli import main; main()", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


def test_cli_pair_beads_and_eval(tmp_path):
    level = GOLD / "sentence"
    out = tmp_path / "clt.beads"
    r = _cli("pair", level / "zh.txt", level / "clt.txt", "--presegmented", "--encoder", "lexical",
             "--format", "beads", "-o", out)
    assert r.returncode == 0, r.stderr
    assert "unrelated" not in r.stderr  # confidence is calibrated for the lexical encoder too
    beads = read_beads(out)
    assert beads[0] == ((0,), (0,))
    assert [i for s, _ in beads for i in s] == list(range(len((level / "zh.txt").read_text().splitlines())))
    r = _cli("eval", level / "clt.beads", out, "--json")
    assert r.returncode == 0, r.stderr
    total = json.loads(r.stdout)["total"]
    assert 0.8 < total["f1_strict"] <= 1.0 and total["f1_lax"] > 0.95
    r = _cli("eval", level / "clt.beads", out)
    assert "strict" in r.stdout and r.returncode == 0


def test_cli_pair_tsv_jsonl_two_translations(tmp_path):
    level = GOLD / "sentence"
    r = _cli("pair", level / "zh.txt", level / "clt.txt", level / "blog.txt", "--presegmented",
             "--encoder", "lexical", "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert records[0]["record"] == "header" and records[0]["signature"]["encoder"] == "lexical"
    rows = [rec for rec in records if rec["record"] == "group"]
    assert set(rows[0]["translations"]) == {"clt", "blog"}
    assert [i for row in rows for i in row["src"]] == list(range(len((level / "zh.txt").read_text().splitlines())))
    r = _cli("pair", level / "zh.txt", level / "clt.txt", level / "blog.txt", "--presegmented",
             "--encoder", "lexical", "--format", "tsv", "-o", tmp_path / "x.tsv")
    assert r.returncode == 0, r.stderr
    lines = (tmp_path / "x.tsv").read_text().splitlines()
    assert lines[0].startswith("# align ")  # the signature line
    assert lines[1].split("\t")[:3] == ["group", "src_idx", "src_text"] and len(lines) == len(rows) + 2
    r = _cli("pair", level / "zh.txt", level / "clt.txt", level / "blog.txt", "--presegmented",
             "--encoder", "lexical", "--format", "beads")
    assert r.returncode == 2 and "exactly one translation" in r.stderr


def test_cli_errors_are_one_line(tmp_path):
    r = _cli("pair", tmp_path / "missing.txt", tmp_path / "also.txt")
    assert r.returncode == 3 and r.stderr.count("\n") == 1 and "missing.txt" in r.stderr
    r = _cli("pair", GOLD / "sentence" / "zh.txt", GOLD / "sentence" / "clt.txt", "--encoder", "bogus")
    assert r.returncode == 2 and "unknown encoder" in r.stderr
    r = _cli("eval", tmp_path / "nogold", tmp_path / "nopred")
    assert r.returncode == 3
