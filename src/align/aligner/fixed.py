"""Aligning around fixed beads: hard constraints from an editor.

A reviewer approves a bead or corrects one by hand; re-aligning must keep
those beads exactly and may only move the others. The simplest correct way:
every fixed bead pins both its corners on the search grid, so the path
between two consecutive fixed beads is independent of everything else. Each
gap (the source and target segments between them) is aligned on its own by
``solve`` (any aligner of two slices) and the pieces are stitched in order.

A bead with both sides non-empty knows its corners (its first source and
target segment). An omission (``[3]:[]``) or an addition (``[]:[5]``) does
not say where on the other side it sits: give it as a :class:`Fixed` with
that position, or next to another fixed bead (or a document edge) that
pins it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence, Union

from ..model import Bead


@dataclass(frozen=True)
class Fixed:
    """A bead to keep, and where it starts: before source segment ``src_at``
    and target segment ``tgt_at`` (its first segments where it has them)."""

    bead: Bead
    src_at: int
    tgt_at: int

    @property
    def src_end(self) -> int:
        return self.src_at + len(self.bead.src)

    @property
    def tgt_end(self) -> int:
        return self.tgt_at + len(self.bead.tgt)


@dataclass(frozen=True)
class Gap:
    """Source segments ``src_start:src_end`` and target segments
    ``tgt_start:tgt_end`` between two fixed beads, aligned on their own."""

    src_start: int
    src_end: int
    tgt_start: int
    tgt_end: int


FixedLike = Union[Bead, Fixed]
#: Aligns one gap: returns beads with indices relative to the gap's slices.
GapAligner = Callable[[Gap], Sequence[Bead]]


def _contiguous(idx: tuple[int, ...], what: str) -> None:
    if list(idx) != list(range(idx[0], idx[0] + len(idx))):
        raise ValueError(f"a fixed bead's {what} segments must be consecutive, got {list(idx)}")


def place(fixed: Sequence[FixedLike], n: int, m: int) -> list[Fixed]:
    """The fixed beads with their corners, in order, checked: consecutive
    indices, inside ``n`` source and ``m`` target segments, not overlapping
    and monotone (no fixed bead crosses another). A ``ValueError`` says what
    is wrong."""
    known: list[Fixed] = []
    loose: list[Bead] = []
    for f in fixed:
        bead = f.bead if isinstance(f, Fixed) else f
        if not bead.src and not bead.tgt:
            raise ValueError("a fixed bead must hold at least one segment")
        if bead.src:
            _contiguous(bead.src, "source")
        if bead.tgt:
            _contiguous(bead.tgt, "target")
        if isinstance(f, Fixed):
            if (bead.src and bead.src[0] != f.src_at) or (bead.tgt and bead.tgt[0] != f.tgt_at):
                raise ValueError(f"fixed bead {list(bead.src)}:{list(bead.tgt)} does not start at "
                                 f"({f.src_at}, {f.tgt_at})")
            known.append(f)
        elif bead.src and bead.tgt:
            known.append(Fixed(bead, bead.src[0], bead.tgt[0]))
        else:
            loose.append(bead)
    known = _placed_loose(known, loose, n, m)
    known.sort(key=lambda f: (f.src_at + f.tgt_at, f.src_at))
    i = j = 0
    for f in known:
        b = f.bead
        if f.src_at < i or f.tgt_at < j or f.src_end > n or f.tgt_end > m:
            raise ValueError(f"fixed bead {list(b.src)}:{list(b.tgt)} at ({f.src_at}, {f.tgt_at}) overlaps or "
                             f"crosses another, or lies outside {n} source and {m} target segments")
        i, j = f.src_end, f.tgt_end
    return known


def _placed_loose(known: list[Fixed], loose: list[Bead], n: int, m: int) -> list[Fixed]:
    """Place omissions and additions given as plain beads next to what pins
    them: a document edge or a fixed bead that ends or starts beside them."""
    known = list(known)
    pending = list(loose)
    while pending:
        progress = False
        for bead in list(pending):
            at = _pin(bead, known, n, m)
            if at is not None:
                known.append(Fixed(bead, *at))
                pending.remove(bead)
                progress = True
        if not progress:
            b = pending[0]
            raise ValueError(f"cannot tell where the fixed bead {list(b.src)}:{list(b.tgt)} sits on the other "
                             "side: give it as Fixed(bead, src_at, tgt_at), or fix a neighbour")
    return known


def _pin(bead: Bead, known: list[Fixed], n: int, m: int) -> tuple[int, int] | None:
    if bead.src:  # an omission: where is it in the target?
        s, e = bead.src[0], bead.src[-1] + 1
        if s == 0:
            return 0, 0
        if e == n:
            return s, m
        for f in known:
            if f.src_end == s:
                return s, f.tgt_end
            if f.src_at == e:
                return s, f.tgt_at
        return None
    s, e = bead.tgt[0], bead.tgt[-1] + 1  # an addition: where is it in the source?
    if s == 0:
        return 0, 0
    if e == m:
        return n, s
    for f in known:
        if f.tgt_end == s:
            return f.src_end, s
        if f.tgt_at == e:
            return f.src_at, s
    return None


def gaps(fixed: Sequence[Fixed], n: int, m: int) -> list[Gap]:
    """The gaps before, between and after placed fixed beads (empty ones left out)."""
    out = []
    i = j = 0
    for f in list(fixed) + [None]:
        si, tj = (f.src_at, f.tgt_at) if f is not None else (n, m)
        if si > i or tj > j:
            out.append(Gap(i, si, j, tj))
        if f is not None:
            i, j = f.src_end, f.tgt_end
    return out


def shift(bead: Bead, gap: Gap) -> Bead:
    """A bead of a gap's slices in the whole document's indices."""
    return Bead(tuple(i + gap.src_start for i in bead.src), tuple(j + gap.tgt_start for j in bead.tgt),
                bead.score, bead.confidence)


def align_around(fixed: Sequence[FixedLike], n: int, m: int, solve: GapAligner) -> list[Bead]:
    """Beads covering ``n`` source and ``m`` target segments in order: the
    fixed beads as given, and each gap between them aligned by ``solve``."""
    placed = place(fixed, n, m)
    out: list[Bead] = []
    pending = list(placed)
    for gap in gaps(placed, n, m):
        while pending and pending[0].src_at + pending[0].tgt_at < gap.src_start + gap.tgt_start:
            out.append(pending.pop(0).bead)
        out.extend(shift(b, gap) for b in solve(gap))
    out.extend(f.bead for f in pending)
    return out
