"""``align check``: where the translations disagree with the source."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..errors import EXIT_FLAGS
from . import _common, app


def _indices(idx, most: int = 4) -> str:
    """``4,5,10`` or ``4,5,10,13,…+8``: segment numbers as people read them,
    counted from 1 like the messages and the report (``--json`` keeps the
    0-based indices)."""
    shown = ",".join(str(i + 1) for i in idx[:most])
    return shown + (f",…+{len(idx) - most}" if len(idx) > most else "")


_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def _print_flags(flags) -> None:
    """A table of the flags; on a narrow terminal one flag per paragraph, so
    that the message is not folded to a word per line."""
    from rich.markup import escape
    from rich.table import Table

    console = _common.out
    if console.width < _common.NARROW:
        for i, f in enumerate(flags, 1):
            console.print(f"{i}. [{_SEVERITY_STYLE.get(f.severity, '')}]{f.kind}[/] {escape(f.translation or '')} "
                          f"src {_indices(f.src) or '-'} tgt {_indices(f.tgt) or '-'}", highlight=False)
            console.print(f"   {escape(f.message)}", highlight=False)
        return
    table = Table(show_lines=False, expand=False)
    for name, kw in (("#", {"justify": "right", "no_wrap": True}), ("kind", {"no_wrap": True}),
                     ("translation", {"no_wrap": True}), ("src", {"no_wrap": True}), ("tgt", {"no_wrap": True}),
                     ("message", {"overflow": "fold", "min_width": 40})):
        table.add_column(name, **kw)
    for i, f in enumerate(flags, 1):
        table.add_row(str(i), f"[{_SEVERITY_STYLE.get(f.severity, '')}]{f.kind}[/]", escape(f.translation or ""),
                      _indices(f.src), _indices(f.tgt), escape(f.message))
    console.print(table)


@app.command()
def check(
    source: Optional[Path] = typer.Argument(None, help="The Chinese original, or one file holding both languages "
                                            "(optional with --from)."),
    translations: Optional[List[Path]] = typer.Argument(None, help="One or more English translations."),
    glossary: Optional[Path] = typer.Option(None, "--glossary", "-g", help="Glossary YAML: also check term renderings."),
    as_json: bool = typer.Option(False, "--json", help='Print JSON: {"flags": [...], "warnings": [...], '
                                 '"verdicts": {translation: {...}}}.'),
    strict: bool = typer.Option(False, "--strict", help="Exit with status 1 when any flag is found or a "
                                "translation's verdict is not clean."),
    saved: Optional[Path] = _common.from_option(),
    level: str = _common.level_option(),
    encoder: str = _common.encoder_option(),
    presegmented: bool = _common.presegmented_option(),
    like: Optional[Path] = _common.like_option(),
    strict_encoding: bool = _common.strict_encoding_option(),
    db: Optional[Path] = typer.Option(None, "--db", help="An `align review` project: its reviewed alignment, "
                                      "with the editors' decisions (dismissed flags stay dismissed)."),
) -> None:
    """Align and list where the translations disagree with the source: omissions, additions,
    untranslated Chinese, numbers, length outliers, low confidence (and glossary terms), and
    whether each is a translation of the whole source, of part of it or of a different text."""
    from .. import pipeline
    from ..compare import flag_counts, flag_to_dict

    settings = _common.settings(level, encoder, presegmented, like)
    with _common.progress("aligning", total=100) as advance:
        analysis = pipeline.run(source, translations or [], saved=saved, settings=settings, glossary=glossary,
                                progress=advance, db=db)
    multi, flags = analysis.multi, analysis.flags
    _common.tell(analysis)
    if as_json:
        _common.print_json({"flags": [flag_to_dict(f) for f in flags], "warnings": analysis.warnings,
                            "verdicts": _common.verdicts_json(analysis)})
        for line in _common.summary_lines(multi, flags):
            _common.err.print(line, highlight=False, markup=False)
    else:
        if flags:
            _print_flags(flags)
        for line in _common.summary_lines(multi, flags):
            _common.out.print(line, highlight=False, markup=False)
        counts = flag_counts(flags)
        if counts.get(""):
            across = ", ".join(f"{k} {n}" for k, n in counts[""].items())
            _common.out.print(f"across translations: {across}", highlight=False)
    if strict and (flags or _common.not_clean(analysis)):
        raise typer.Exit(EXIT_FLAGS)
