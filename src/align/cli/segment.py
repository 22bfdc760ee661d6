"""CLI commands: segment (registered on the app when imported)."""
from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import Optional

import typer

from ..errors import UsageError
from . import _common, app

_LANGS = ("auto", "zh", "en")


@app.command("segment")
def segment_command(
    file: Path = typer.Argument(..., help="Text file to segment (any common encoding)."),
    lang: str = typer.Option("auto", "--lang", help="Language: auto, zh or en."),
    level: str = _common.level_option(),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list with offsets and markers."),
    presegmented: bool = typer.Option(
        False, "--presegmented", help="One segment per non-empty line; nothing is re-split."
    ),
    output: Optional[Path] = typer.Option(None, "-o", "--output",
                                          help="Write to this file (atomically) instead of standard output."),
    strict_encoding: bool = _common.strict_encoding_option(),
) -> None:
    """Cut FILE into sentences or clauses and print one segment per line."""
    from ..segment import detect_lang, segment, segment_lines
    from ..textio import read_text

    if lang not in _LANGS:
        raise UsageError(f"--lang must be one of {', '.join(_LANGS)} (got {lang!r})")
    output = _common.output_path(output, {"file": file}, stdout=True)
    text = read_text(file)
    chosen = detect_lang(text) if lang == "auto" else lang
    segments = segment_lines(text, chosen) if presegmented else segment(text, chosen, level)
    if output is not None:
        from ..textio import write_text

        rendered = (_common.json_text([asdict(s) for s in segments]) if as_json
                    else "".join(s.text + "\n" for s in segments))
        write_text(output, rendered)
        return
    if as_json:
        _common.print_json([asdict(s) for s in segments])
        return
    write = sys.stdout.write
    for s in segments:
        write(s.text + "\n")
