"""CLI commands: segment (registered on the app when imported)."""
from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path

import typer

from ..errors import UsageError
from . import app
from ._common import print_json

_LANGS = ("auto", "zh", "en")
_LEVELS = ("sentence", "clause")


@app.command("segment")
def segment_command(
    file: Path = typer.Argument(..., help="Text file to segment (any common encoding)."),
    lang: str = typer.Option("auto", "--lang", help="Language: auto, zh or en."),
    level: str = typer.Option("sentence", "--level", help="Segment level: sentence or clause."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list with offsets and markers."),
    presegmented: bool = typer.Option(
        False, "--presegmented", help="One segment per non-empty line; nothing is re-split."
    ),
) -> None:
    """Cut FILE into sentences or clauses and print one segment per line."""
    from ..segment import detect_lang, segment, segment_lines
    from ..textio import read_text

    if lang not in _LANGS:
        raise UsageError(f"--lang must be one of {', '.join(_LANGS)} (got {lang!r})")
    if level not in _LEVELS:
        raise UsageError(f"--level must be one of {', '.join(_LEVELS)} (got {level!r})")
    text = read_text(file)
    chosen = detect_lang(text) if lang == "auto" else lang
    segments = segment_lines(text, chosen) if presegmented else segment(text, chosen, level)
    if as_json:
        print_json([asdict(s) for s in segments])
        return
    write = sys.stdout.write
    for s in segments:
        write(s.text + "\n")
