"""CLI command: split (one bilingual file -> its Chinese and its English file)."""
from __future__ import annotations

import re
from pathlib import Path

import typer

from ..errors import InputError
from . import _common, app

# A language tag at the end of the input's stem is not repeated in the outputs:
# law.bilingual.txt -> law.zh.txt and law.en.txt.
_TAG_RE = re.compile(r"\.(?:zh|en|cn|bi|bilingual|zh[-_]en|en[-_]zh)$", re.I)


def output_stem(path: Path) -> str:
    """The stem of the output files: the input's name without its suffix and
    without a trailing language tag (``law.bilingual.txt`` -> ``law``)."""
    stem = path.stem if path.suffix else path.name
    return _TAG_RE.sub("", stem) or stem


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _shown_line(line: str, width: int = 60) -> str:
    return repr(line if len(line) <= width else line[:width - 1] + "…")


@app.command("split")
def split_command(
    file: Path = typer.Argument(..., help="A file that holds the Chinese original and its English translation."),
    output: Path = typer.Option(..., "-o", "--output", help="Folder to write STEM.zh.txt and STEM.en.txt into."),
    as_json: bool = typer.Option(False, "--json", help="Print the written files, the layout and the dropped lines "
                                 "as JSON."),
) -> None:
    """Split a bilingual FILE (interleaved paragraphs or lines, or all Chinese then all English, or the reverse)
    into DIR/STEM.zh.txt and DIR/STEM.en.txt (STEM: the name of FILE without its suffix), ready for `align pair`."""
    from ..ingest.split import split_bilingual
    from ..textio import read_text, write_text

    _common.output_path(output, {"file": file}, directory=True)
    stem = output_stem(file)
    zh_path, en_path = output / f"{stem}.zh.txt", output / f"{stem}.en.txt"
    for target in (zh_path, en_path):
        _common.output_path(target, {"file": file})
    text = read_text(file)
    try:
        result = split_bilingual(text)
    except InputError as exc:
        raise InputError(exc.args[0], file) from None
    write_text(zh_path, result.zh)
    write_text(en_path, result.en)
    if as_json:
        _common.print_json({
            "zh": str(zh_path), "en": str(en_path), "layout": result.layout,
            "zh_paragraphs": result.zh_paragraphs, "en_paragraphs": result.en_paragraphs,
            "dropped": list(result.dropped), "cut": list(result.cut),
        })
        return
    summary = (f"{file.name}: {result.layout}, {_count(result.zh_paragraphs, 'Chinese paragraph')} -> {zh_path}, "
               f"{_count(result.en_paragraphs, 'English paragraph')} -> {en_path}")
    if result.cut:
        summary += f"; {_count(len(result.cut), 'line')} cut into Chinese and English"
    if result.dropped:
        shown = ", ".join(_shown_line(d) for d in result.dropped[:5])
        more = f" and {len(result.dropped) - 5} more" if len(result.dropped) > 5 else ""
        summary += f"; dropped {_count(len(result.dropped), 'line')}: {shown}{more}"
    else:
        summary += "; nothing dropped"
    print(summary)
