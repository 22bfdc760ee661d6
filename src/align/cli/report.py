"""``align report``: the one-page HTML diff report."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from . import _common, app
from ._common import print_json, progress


@app.command()
def report(
    source: Optional[Path] = typer.Argument(None, help="The Chinese original, or one file holding both languages "
                                            "(optional with --from)."),
    translations: Optional[list[Path]] = typer.Argument(None, help="One or more English translations."),
    output: Path = typer.Option(..., "--output", "-o", help="The HTML file to write."),
    glossary: Optional[Path] = typer.Option(None, "--glossary", "-g", help="A glossary.yaml to check terms against."),
    saved: Optional[Path] = _common.from_option(),
    level: str = _common.level_option(),
    encoder: str = _common.encoder_option(),
    presegmented: bool = _common.presegmented_option(),
    like: Optional[Path] = _common.like_option(),
    title: Optional[str] = typer.Option(None, "--title", help="The page title."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    strict_encoding: bool = _common.strict_encoding_option(),
    db: Optional[Path] = typer.Option(None, "--db", help="An `align review` project: its reviewed alignment, "
                                      "with the editors' decisions (dismissed flags stay dismissed)."),
) -> None:
    """Write a one-page, self-contained HTML diff report: the source clause by
    clause, every translation side by side, with flags and glossary terms."""
    from .. import pipeline
    from ..report import summarize

    _common.output_path(output, {"source": source, "translation": translations, "glossary": glossary,
                                 "saved alignment": saved,
                                 "review project": db})
    settings = _common.settings(level, encoder, presegmented, like)
    with progress("aligning", total=100) as advance:
        stages = pipeline.Stages(advance, {"align": 85, "check": 10, "report": 5})
        analysis = pipeline.run(source, translations or [], saved=saved, settings=settings, glossary=glossary,
                                stages=stages, db=db)
        path = pipeline.write_report(analysis, output, title=title, stages=stages)
    multi = analysis.multi
    summaries = summarize(multi, analysis.all_flags)
    if as_json:
        print_json({"report": str(path), "rows": len(multi.groups), "notes": analysis.notes,
                    "warnings": analysis.warnings, "verdicts": _common.verdicts_json(analysis),
                    "translations": [s.as_dict() for s in summaries]})
        return
    for w in analysis.warnings:
        _common.warning_line(w)
    name = source if source is not None else (saved if saved is not None else db)
    typer.echo(f"{name}: {len(multi.source)} source segments, {len(multi.groups)} rows")
    for line in _common.summary_lines(multi, analysis.all_flags):
        typer.echo(line)
    for note in analysis.notes:
        typer.echo(f"note: {note}")
    typer.echo(f"report: {path}")
