"""TSV export: one row per group (per bead for a single Alignment).

Columns: ``group``, ``src_idx``, ``src_text``, then for each translation
``<id>_idx``, ``<id>_text``, ``<id>_conf``, ``<id>_kind``. Indices are
0-based segment positions joined with commas (empty when there is none).
``<id>_kind`` says what the translation's beads in the row are: ``aligned``,
``omission`` (source without target), ``addition`` (target without source),
or for a row of several beads their kinds joined with ``+``
(``aligned+omission``). Confidence has four decimals: the probability that
the row's beads are right (the weakest of them); for an omission or an
addition, that the segment truly has no counterpart. Both are empty only
where the translation has no bead in the row (another translation's
addition). The first line is ``# align {signature json}``.
"""
from __future__ import annotations

import re

from ..model import Alignment, MultiAlignment
from ._common import as_multi, cell_kind, signature_json, source_text, target_text
from .jsonl import beads_by_group

# every character str.splitlines() breaks on, plus tab and backslash
_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_NEEDS_ESCAPE = re.compile("[\\\\\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_UNESCAPE = re.compile(r"\\(\\|t|n|r|x[0-9a-f]{2}|u[0-9a-f]{4})")


def _escape_char(m: re.Match) -> str:
    c = m.group(0)
    return _ESCAPES.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def escape_field(text: str) -> str:
    """Make ``text`` safe for one TSV cell: no tab or line break survives."""
    return _NEEDS_ESCAPE.sub(_escape_char, text)


def unescape_field(cell: str) -> str:
    """Undo :func:`escape_field`."""
    def back(m: re.Match) -> str:
        s = m.group(1)
        return {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}.get(s) or chr(int(s[1:], 16))
    return _UNESCAPE.sub(back, cell)


def _idx(idx) -> str:
    return ",".join(str(i) for i in idx)


def to_tsv_string(obj: MultiAlignment | Alignment) -> str:
    multi = as_multi(obj)
    tids = list(multi.alignments)
    header = ["group", "src_idx", "src_text"]
    for tid in tids:
        header += [f"{tid}_idx", f"{tid}_text", f"{tid}_conf", f"{tid}_kind"]
    lines = ["# align " + escape_field(signature_json(multi)), "\t".join(escape_field(h) for h in header)]
    beads = beads_by_group(multi)
    for gi, g in enumerate(multi.groups):
        row = [str(gi), _idx(g.src), escape_field(source_text(multi, g.src))]
        for tid in tids:
            tgt = g.targets.get(tid, ())
            conf = g.confidence.get(tid)
            here = beads[tid][gi]
            row += [_idx(tgt), escape_field(target_text(multi, tid, tgt)),
                    f"{conf:.4f}" if here and conf is not None else "", cell_kind(here)]
        lines.append("\t".join(row))
    return "\n".join(lines) + "\n"
