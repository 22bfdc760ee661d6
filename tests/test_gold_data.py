"""Validate the hand-checked gold alignment in tests/data/gold/.

The gold is fixed data (presegmented texts plus Vecalign-style bead files), so
these tests check its integrity, not the aligner: every bead parses, the beads
cover every line of both sides exactly once and in order, the segment files
are one non-empty segment per line and still spell out the corpus documents,
headings pair with headings, and the clause-level gold refines the
sentence-level gold.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

GOLD = Path(__file__).resolve().parent / "data" / "gold"
LEVELS = ("sentence", "clause")
TRANSLATIONS = ("clt", "blog")
CORPUS = {
    "zh": "zh/guobanfa-2016-98.txt",
    "clt": "en/guobanfa-2016-98.clt.txt",
    "blog": "en/guobanfa-2016-98.blog.txt",
}

_BEAD = re.compile(r"^\[(\d+(?:,\d+)*)?\]:\[(\d+(?:,\d+)*)?\]$")
_ZH_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\))")
_EN_HEADING = re.compile(r"^(?:[IVX]+[.,]\s|\(\d+\)\s)")

Bead = tuple[tuple[int, ...], tuple[int, ...]]


def parse_bead_line(line: str) -> Bead:
    """`[0,1]:[2]` -> ((0, 1), (2,)); raises ValueError on anything else."""
    m = _BEAD.match(line)
    if not m:
        raise ValueError(f"not a bead: {line!r}")
    src, tgt = (tuple(int(x) for x in g.split(",")) if g else () for g in m.groups())
    return src, tgt


def read_beads(path: Path) -> list[Bead]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [parse_bead_line(line) for line in lines]


def read_segments(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n"), f"{path}: no final newline"
    return text[:-1].split("\n")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _cases():
    return [(level, tid) for level in LEVELS for tid in TRANSLATIONS]


@pytest.fixture(scope="module")
def segments() -> dict[tuple[str, str], list[str]]:
    return {
        (level, name): read_segments(GOLD / level / f"{name}.txt")
        for level in LEVELS
        for name in ("zh", *TRANSLATIONS)
    }


def test_gold_files_exist():
    expected = {
        f"{level}/{name}"
        for level in LEVELS
        for name in ("zh.txt", "clt.txt", "blog.txt", "clt.beads", "blog.beads")
    }
    present = {p.relative_to(GOLD).as_posix() for p in GOLD.glob("*/*") if p.is_file()}
    assert expected <= present
    assert (GOLD / "README.md").is_file()


def test_bead_parser_accepts_vecalign_format_and_rejects_junk():
    assert parse_bead_line("[0,1]:[2]") == ((0, 1), (2,))
    assert parse_bead_line("[3]:[]") == ((3,), ())
    assert parse_bead_line("[]:[4]") == ((), (4,))
    for bad in ("[0, 1]:[2]", "[0]:[1", "0:1", "[a]:[1]", "[0]-[1]", ""):
        with pytest.raises(ValueError):
            parse_bead_line(bad)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name", ("zh", *TRANSLATIONS))
def test_segment_files_one_nonempty_segment_per_line(segments, level, name):
    lines = segments[(level, name)]
    assert lines, f"{level}/{name}.txt is empty"
    for i, line in enumerate(lines):
        assert line.strip(), f"{level}/{name}.txt line {i}: empty"
        assert line == line.strip(), f"{level}/{name}.txt line {i}: surrounding whitespace"
        assert "\t" not in line and "\r" not in line, f"{level}/{name}.txt line {i}: tab/CR"


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name", ("zh", *TRANSLATIONS))
def test_segment_files_spell_out_the_corpus_document(segments, data_dir, level, name):
    """Frozen segments, joined, are the corpus text (whitespace aside): nothing
    lost, nothing duplicated, nothing reordered."""
    corpus = (data_dir / CORPUS[name]).read_text(encoding="utf-8")
    assert _squash("".join(segments[(level, name)])) == _squash(corpus)


@pytest.mark.parametrize("level,tid", _cases())
def test_beads_cover_both_sides_exactly_once_in_order(segments, level, tid):
    beads = read_beads(GOLD / level / f"{tid}.beads")
    n_src, n_tgt = len(segments[(level, "zh")]), len(segments[(level, tid)])
    next_src = next_tgt = 0
    for k, (src, tgt) in enumerate(beads):
        assert src or tgt, f"{level}/{tid}.beads line {k}: empty bead"
        for idx in src:
            assert idx == next_src, f"{level}/{tid}.beads line {k}: source {idx}, expected {next_src}"
            next_src += 1
        for idx in tgt:
            assert idx == next_tgt, f"{level}/{tid}.beads line {k}: target {idx}, expected {next_tgt}"
            next_tgt += 1
    assert next_src == n_src, f"{level}/{tid}: {n_src - next_src} source lines not covered"
    assert next_tgt == n_tgt, f"{level}/{tid}: {n_tgt - next_tgt} target lines not covered"


@pytest.mark.parametrize("level,tid", _cases())
def test_headings_align_one_to_one_with_headings(segments, level, tid):
    zh, en = segments[(level, "zh")], segments[(level, tid)]
    beads = read_beads(GOLD / level / f"{tid}.beads")
    headings = 0
    for src, tgt in beads:
        if any(_ZH_HEADING.match(zh[i]) for i in src):
            headings += 1
            assert len(src) == 1 and len(tgt) == 1, (src, tgt, [zh[i] for i in src])
            assert _EN_HEADING.match(en[tgt[0]]), (zh[src[0]], en[tgt[0]])
    assert headings == 7 + 21  # 一…七 and the 21 (一)-style sub-headings of 98号


def _line_owner(fine: list[str], coarse: list[str]) -> list[int]:
    """For each fine (clause) line, the index of the coarse (sentence) line it lies in."""
    owner, pos, ends, total = [], 0, [], 0
    for line in coarse:
        total += len(_squash(line))
        ends.append(total)
    k = 0
    for line in fine:
        start = pos
        pos += len(_squash(line))
        while start >= ends[k]:
            k += 1
        assert pos <= ends[k], f"clause {line!r} crosses a sentence boundary"
        owner.append(k)
    return owner


@pytest.mark.parametrize("tid", TRANSLATIONS)
def test_clause_gold_refines_sentence_gold(segments, tid):
    """Each clause bead lies inside one sentence bead, and the clause beads of a
    sentence bead cover exactly its clauses: the two levels tell one story."""
    zh_owner = _line_owner(segments[("clause", "zh")], segments[("sentence", "zh")])
    en_owner = _line_owner(segments[("clause", tid)], segments[("sentence", tid)])
    sent_of_src, sent_of_tgt = {}, {}
    for b, (src, tgt) in enumerate(read_beads(GOLD / "sentence" / f"{tid}.beads")):
        sent_of_src.update({i: b for i in src})
        sent_of_tgt.update({i: b for i in tgt})
    for src, tgt in read_beads(GOLD / "clause" / f"{tid}.beads"):
        owners = {sent_of_src[zh_owner[i]] for i in src} | {sent_of_tgt[en_owner[j]] for j in tgt}
        assert len(owners) == 1, f"clause bead {src}:{tgt} spans sentence beads {sorted(owners)}"


@pytest.mark.parametrize("level,tid", _cases())
def test_readme_histogram_matches_the_beads(level, tid):
    """README.md states the bead-type histogram; keep it honest."""
    readme = (GOLD / "README.md").read_text(encoding="utf-8")
    counts: dict[str, int] = {}
    for src, tgt in read_beads(GOLD / level / f"{tid}.beads"):
        key = f"{len(src)}:{len(tgt)}"
        counts[key] = counts.get(key, 0) + 1
    hist = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    assert f"| {level} | {tid} | {hist} |" in readme, hist
