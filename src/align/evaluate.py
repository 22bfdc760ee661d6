"""Bead files and alignment scores exactly as Vecalign's score.py defines them.

A bead file has one bead per line, ``[0,1]:[2]``, 0-based indices, either
side possibly empty (``[3]:[]``); anything after the second bracket (Vecalign
appends ``:cost``) is ignored. Strict precision counts predicted beads equal
to a gold bead; lax counts a predicted bead as correct when it overlaps some
gold bead on both sides. Recall is the same with gold and prediction swapped.
Beads with an empty side are left out. Counts are summed over files
(micro-average) before dividing.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .model import Bead
from .textio import read_text, write_text

_BEAD = re.compile(r"^\s*\[([^\[\]]*)\]\s*:\s*\[([^\[\]]*)\]")

BeadPairs = list[tuple[tuple[int, ...], tuple[int, ...]]]


def _indices(text: str) -> tuple[int, ...]:
    """``0, 1`` -> (0, 1); ValueError (a message) for anything but non-negative integers."""
    if not text.strip():
        return ()
    out = []
    for token in (t.strip() for t in text.split(",")):
        if not token.isdigit() or not token.isascii():
            if re.fullmatch(r"-\s*\d+", token):
                raise ValueError(f"negative index {token}")
            raise ValueError(f"not an index: {token!r}" if token else "empty index (two commas in a row?)")
        out.append(int(token))
    for a, b in zip(out, out[1:]):
        if b == a:
            raise ValueError(f"index {a} repeated")
        if b < a:
            raise ValueError(f"indices must increase ({a} then {b})")
    return tuple(out)


def parse_beads(text: str, path: str | os.PathLike = "<beads>") -> BeadPairs:
    """Beads of a bead file. An input error names the file and the line of a
    malformed bead: not ``[..]:[..]``, an index that is not a non-negative
    integer, indices not increasing within a side, both sides empty, or an
    index already used by an earlier bead (each segment is in one bead)."""
    beads: BeadPairs = []
    used: tuple[dict[int, int], dict[int, int]] = ({}, {})  # index -> line, per side
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _BEAD.match(line)
        if not match:
            raise InputError(f"line {lineno}: not a bead like [0,1]:[2]: {line.strip()[:60]!r}", path)
        sides = []
        for side, group, seen in zip(("source", "target"), match.groups(), used):
            try:
                idx = _indices(group)
            except ValueError as exc:
                raise InputError(f"line {lineno}: {exc} on the {side} side of {match.group(0).strip()[:60]!r}",
                                 path) from None
            for i in idx:
                if i in seen:
                    raise InputError(f"line {lineno}: {side} index {i} is already in the bead on line {seen[i]}",
                                     path)
                seen[i] = lineno
            sides.append(idx)
        if not sides[0] and not sides[1]:
            raise InputError(f"line {lineno}: empty bead []:[] (a bead needs an index on one side at least)", path)
        beads.append((sides[0], sides[1]))
    return beads


def read_beads(path: str | os.PathLike) -> BeadPairs:
    return parse_beads(read_text(path, allow_empty=True), path)


def format_beads(beads: list[Bead] | BeadPairs) -> str:
    lines = []
    for bead in beads:
        src, tgt = (bead.src, bead.tgt) if isinstance(bead, Bead) else bead
        lines.append(f"[{','.join(map(str, src))}]:[{','.join(map(str, tgt))}]")
    return "\n".join(lines) + ("\n" if lines else "")


def write_beads(path: str | os.PathLike, beads: list[Bead] | BeadPairs) -> Path:
    return write_text(path, format_beads(beads))


def _counts(gold: BeadPairs, test: BeadPairs) -> tuple[int, int, int, int]:
    """tp/fp strict, tp/fp lax of ``test`` against ``gold`` (Vecalign's _precision)."""
    gold_set = {(tuple(s), tuple(t)) for s, t in gold if s and t}
    test_set = {(tuple(s), tuple(t)) for s, t in test if s and t}
    tp_strict = len(gold_set & test_set)
    fp_strict = len(test_set - gold_set)
    tp_lax = fp_lax = 0
    by_src: dict[int, list[tuple[tuple[int, ...], tuple[int, ...]]]] = {}
    for gs, gt in gold_set:  # index: the same answer as scanning every gold bead, faster
        for i in gs:
            by_src.setdefault(i, []).append((gs, gt))
    for ts, tt in test_set:
        if (ts, tt) in gold_set:
            tp_lax += 1
            continue
        tset = set(tt)
        if any(tset & set(gt) for i in ts for _, gt in by_src.get(i, ())):
            tp_lax += 1
        else:
            fp_lax += 1
    return tp_strict, fp_strict, tp_lax, fp_lax


@dataclass
class Scores:
    precision_strict: float
    recall_strict: float
    f1_strict: float
    precision_lax: float
    recall_lax: float
    f1_lax: float
    gold_beads: int = 0
    test_beads: int = 0
    files: int = 1

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _div(a: float, b: float) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return _div(2 * p * r, p + r)


def score_many(pairs: list[tuple[BeadPairs, BeadPairs]]) -> Scores:
    """Micro-averaged scores over (gold, test) pairs of bead lists."""
    pc = [0, 0, 0, 0]
    rc = [0, 0, 0, 0]
    ng = nt = 0
    for gold, test in pairs:
        pc = [x + y for x, y in zip(pc, _counts(gold, test))]
        rc = [x + y for x, y in zip(rc, _counts(test, gold))]
        ng += sum(1 for s, t in gold if s and t)
        nt += sum(1 for s, t in test if s and t)
    ps, pl = _div(pc[0], pc[0] + pc[1]), _div(pc[2], pc[2] + pc[3])
    rs, rl = _div(rc[0], rc[0] + rc[1]), _div(rc[2], rc[2] + rc[3])
    return Scores(ps, rs, _f1(ps, rs), pl, rl, _f1(pl, rl), ng, nt, len(pairs))


def score(gold: BeadPairs, test: BeadPairs) -> Scores:
    return score_many([(gold, test)])


def evaluate_paths(gold: str | os.PathLike, pred: str | os.PathLike) -> tuple[Scores, dict[str, Scores]]:
    """Score a predicted bead file against a gold one, or two folders of
    same-named files (micro-averaged). Returns (total, per file)."""
    g, p = Path(gold), Path(pred)
    if not g.exists():
        raise InputError("no such file or folder", g)
    if not p.exists():
        raise InputError("no such file or folder", p)
    if g.is_dir() != p.is_dir():
        raise InputError("GOLD and PRED must both be files or both be folders", p)
    if not g.is_dir():
        s = score(read_beads(g), read_beads(p))
        return s, {g.name: s}
    names = sorted(f.name for f in g.iterdir() if f.is_file() and not f.name.startswith("."))
    if not names:
        raise InputError("folder has no bead files", g)
    missing = [n for n in names if not (p / n).is_file()]
    if missing:
        raise InputError(f"no prediction for {len(missing)} gold file(s), e.g. {missing[0]}", p)
    pairs = {n: (read_beads(g / n), read_beads(p / n)) for n in names}
    per = {n: score(*pp) for n, pp in pairs.items()}
    return score_many(list(pairs.values())), per
