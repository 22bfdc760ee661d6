"""Exports of an alignment for researchers: TSV, TMX 1.4b and JSONL.

``export(multi, path, fmt)`` writes a file atomically; ``export_string(multi,
fmt)`` returns the text (the aligner's ``align pair --format`` uses it). Both
accept a :class:`MultiAlignment` or a single :class:`Alignment` (one row per
bead). Every export carries the alignment's signature (encoder, level,
parameters, version):

- TSV: a first line ``# align {json signature}``, then a header row, then one
  row per group; tabs, newlines and other line breaks in text are escaped
  (``\\t``, ``\\n``, ``\\r``, ``\\\\``; see :func:`align.export.tsv.unescape_field`).
  Read it with ``pandas.read_csv(path, sep="\\t", skiprows=1, quoting=3)``.
- TMX: in the header ``<prop type="x-align-signature">``.
- JSONL: a first ``{"record": "header", "signature": ...}`` line.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError
from ..model import Alignment, Flag, MultiAlignment
from ._common import as_multi
from .jsonl import to_jsonl_string
from .tmx import to_tmx_bytes, to_tmx_string
from .tsv import to_tsv_string, unescape_field

__all__ = ["FORMATS", "export", "export_string", "as_multi", "to_tsv_string", "to_tmx_string", "to_tmx_bytes",
           "to_jsonl_string", "unescape_field", "format_for_path"]

FORMATS = ("tsv", "tmx", "jsonl")
_SUFFIXES = {".tsv": "tsv", ".tab": "tsv", ".tmx": "tmx", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def format_for_path(path: str | os.PathLike) -> str:
    """The export format a file name asks for (``.tsv``, ``.tmx``, ``.jsonl``)."""
    fmt = _SUFFIXES.get(Path(path).suffix.lower())
    if fmt is None:
        raise UsageError(f"cannot tell the export format from the file name; use --format {'|'.join(FORMATS)}", path)
    return fmt


def export_string(multi: MultiAlignment | Alignment, fmt: str, *, flags: list[Flag] | None = None,
                  translation: str | None = None, min_confidence: float = 0.0) -> str:
    """The export as text. ``flags`` go into JSONL rows (computed with
    :func:`align.compare.check_alignment` when not given); ``translation``
    restricts TMX to one translation, ``min_confidence`` its units to the
    beads at or above it (TSV and JSONL keep every row, with its confidence)."""
    fmt = fmt.lower()
    if fmt == "tsv":
        return to_tsv_string(multi)
    if fmt == "tmx":
        return to_tmx_string(multi, translation=translation, min_confidence=min_confidence)
    if fmt == "jsonl":
        return to_jsonl_string(multi, flags=flags)
    raise UsageError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")


def export(multi: MultiAlignment | Alignment, path: str | os.PathLike, fmt: str | None = None, *,
           flags: list[Flag] | None = None, translation: str | None = None, min_confidence: float = 0.0) -> Path:
    """Write the export to ``path`` atomically (temporary file, then rename);
    ``fmt`` defaults to the one the file suffix names."""
    from ..textio import write_bytes, write_text

    if Path(path).is_dir():
        raise UsageError("is a directory; give a file name for the export", path)
    fmt = (fmt or format_for_path(path)).lower()
    if fmt == "tmx":
        return write_bytes(path, to_tmx_bytes(multi, translation=translation, min_confidence=min_confidence))
    return write_text(path, export_string(multi, fmt, flags=flags, translation=translation))
