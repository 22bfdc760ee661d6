"""``align demo``: the main job on the bundled corpus (``make demo``)."""
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


@app.command()
def demo(
    out: Path = typer.Option(Path("out"), "--output", "-o", "--out", help="Where to write report.html and the exports."),
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
    for line in _common.format_summaries(result.summaries):
        typer.echo(line)
    if result.glossary:
        typer.echo(f"glossary: {_short(result.glossary)}")
    for note in result.notes:
        typer.echo(f"note: {note}")
    if result.exports:
        typer.echo("exports: " + ", ".join(_short(p) for p in result.exports))
    typer.echo(f"report: {_short(result.report)}")
