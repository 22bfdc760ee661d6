"""CLI commands: report and demo (registered on the app when imported)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from . import _common, app
from ._common import print_json, progress


def _short(path: Path) -> str:
    """``path`` relative to the current directory when it is below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _summary_lines(summaries) -> list[str]:
    width = max((len(s.translation) for s in summaries), default=0)
    lines = []
    for s in summaries:
        flags = ", ".join(f"{k} {v}" for k, v in s.flag_counts.items()) or "none"
        lines.append(
            f"  {s.translation:<{width}}  {s.target_segments} segments  "
            f"source covered {100 * s.source_coverage:.1f}%  target aligned {100 * s.target_coverage:.1f}%  "
            f"mean confidence {s.mean_confidence:.2f}  low-confidence rows {s.low_confidence_rows}  "
            f"flags {s.flags_total}: {flags}"
        )
    return lines


@app.command()
def report(
    source: Path = typer.Argument(..., help="The Chinese original (text file)."),
    translations: list[Path] = typer.Argument(..., help="One or more English translations."),
    output: Path = typer.Option(..., "--output", "-o", help="The HTML file to write."),
    glossary: Optional[Path] = typer.Option(None, "--glossary", "-g", help="A glossary.yaml to check terms against."),
    level: str = _common.level_option(),
    encoder: str = _common.encoder_option(),
    title: Optional[str] = typer.Option(None, "--title", help="The page title."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    strict_encoding: bool = _common.strict_encoding_option(),
) -> None:
    """Write a one-page, self-contained HTML diff report: the source clause by
    clause, every translation side by side, with flags and glossary terms."""
    from ..report import summarize
    from ..report.pipeline import make_report

    _common.output_path(output, {"source": source, "translation": translations, "glossary": glossary})
    with progress("aligning", total=100) as advance:
        path, analysis = make_report(source, list(translations), output, glossary=glossary, level=level,
                                     encoder=encoder, title=title, progress=advance)
    summaries = summarize(analysis.multi, analysis.flags)
    if as_json:
        print_json({"report": str(path), "rows": len(analysis.multi.groups), "notes": analysis.notes,
                    "translations": [s.as_dict() for s in summaries]})
        return
    typer.echo(f"{source}: {len(analysis.multi.source)} source segments, {len(analysis.multi.groups)} rows")
    for line in _summary_lines(summaries):
        typer.echo(line)
    for note in analysis.notes:
        typer.echo(f"note: {note}")
    typer.echo(f"report: {path}")


@app.command()
def demo(
    out: Path = typer.Option(Path("out"), "--out", help="Where to write report.html and the exports."),
    data: Optional[Path] = typer.Option(None, "--data", help="The corpus directory [default: ./data]."),
    glossary: Optional[Path] = typer.Option(None, "--glossary", help="The glossary [default: ./glossary.yaml]."),
    encoder: str = _common.encoder_option(),
    level: str = _common.level_option(),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    strict_encoding: bool = _common.strict_encoding_option(),
) -> None:
    """The main job: align 国办发〔2016〕98号 with both translations, check them,
    and write out/report.html, TSV, TMX and JSONL exports."""
    from ..demo import resolve, run_demo

    _common.output_path(out, {"data folder": resolve(data, "data"), "glossary": glossary}, directory=True)
    with progress("demo", total=100) as advance:
        result = run_demo(data_dir=data, out_dir=out, glossary=glossary, encoder=encoder, level=level,
                          progress=advance)
    if as_json:
        print_json(result.as_dict())
        return
    n_src = result.summaries[0].source_segments if result.summaries else 0
    across = result.flag_total - sum(s.flags_total for s in result.summaries)
    typer.echo(f"国办发〔2016〕98号: {_short(result.source)} ({n_src} segments) with {len(result.translations)} "
               f"translations, {result.rows} rows, {result.flag_total} flags"
               + (f" ({across} across translations)" if across else "") + f", {result.seconds.get('total', 0):.1f}s")
    for line in _summary_lines(result.summaries):
        typer.echo(line)
    if result.glossary:
        typer.echo(f"glossary: {_short(result.glossary)}")
    for note in result.notes:
        typer.echo(f"note: {note}")
    if result.exports:
        typer.echo("exports: " + ", ".join(_short(p) for p in result.exports))
    typer.echo(f"report: {_short(result.report)}")
