"""``align corpus``: every document pair of a corpus, in parallel."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from ..errors import UsageError
from . import _common, app

_SHORT = {"omission": "omit", "addition": "add", "untranslated": "untr", "number": "num", "length": "len",
          "duplicate": "dup",
          "low-confidence": "low", "inconsistent": "incon", "collision": "coll", "off-glossary": "offg",
          "missing": "miss", "divergent": "div"}


def _summary_table(summary):
    """Which file had which flags: one row per file, one column per flag kind (short headers, legend below)."""
    from rich.table import Table

    from ..compare import KINDS

    rows = summary.rows()
    found = {k for r in rows for k, n in r["counts"].items() if n}
    kinds = [k for k in KINDS if k in found] + sorted(found - set(KINDS))
    table = Table(title="align corpus: flags per file",
                  caption="  ".join(f"{_SHORT.get(k, k)}={k}" for k in kinds if _SHORT.get(k, k) != k))
    table.add_column("file", overflow="fold")
    table.add_column("tr.", no_wrap=True)
    for k in kinds:
        table.add_column(_SHORT.get(k, k), justify="right", no_wrap=True)
    table.add_column("all", justify="right", no_wrap=True)
    table.add_column("conf", justify="right", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    for r in rows:
        name = Path(r["file"]).name
        if r["error"]:
            table.add_row(name, r["translation"], *[""] * len(kinds), "", "", "", end_section=False)
            table.add_row(f"[red]  error: {r['error']}[/]", "", *[""] * len(kinds), "", "", "")
            continue
        conf = "" if r["mean_confidence"] is None else f"{r['mean_confidence']:.2f}"
        tid = "-" if r["english_only"] else r["translation"]
        verdict = r["verdict"] or ""
        shown = f"[yellow]{verdict}[/]" if verdict and verdict != "clean" else verdict
        table.add_row(name, tid, *[str(r["counts"].get(k, 0)) for k in kinds], str(r["total"]), conf, shown)
    return table


@app.command()
def corpus(
    data_dir: Path = typer.Argument(..., help="Corpus directory with MANIFEST.yaml (see `align ingest`)."),
    output: Path = typer.Option(Path("out"), "--output", "-o", help="Directory for the outputs."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", help="Local worker processes (default: one per document pair, at most one per core)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="Run on a Dask cluster: tcp://HOST:PORT."),
    glossary: Optional[Path] = typer.Option(None, "--glossary", "-g", help="Glossary YAML for the term checks."),
    level: str = _common.level_option(),
    encoder: str = _common.encoder_option(),
    no_report: bool = typer.Option(False, "--no-report", help="Skip the HTML reports."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    strict_encoding: bool = _common.strict_encoding_option(),
) -> None:
    """Align, check, export (and report) every document pair of a corpus, in parallel; English-only
    documents get the checks that need no source. Writes OUT/summary.json."""
    from ..corpus import SUMMARY_NAME, run_corpus

    if scheduler is not None and workers is not None:
        raise UsageError("give --workers or --scheduler, not both")
    _common.output_path(output, {"corpus directory": data_dir, "glossary": glossary}, directory=True)
    with _common.progress("corpus", None) as advance:
        summary = run_corpus(data_dir, output, workers=workers, scheduler=scheduler, progress=advance,
                             encoder=encoder, level=level, glossary=glossary, report=not no_report)
    if as_json:
        _common.print_json(summary.to_dict(timings=True))
    else:
        _common.out.print(_summary_table(summary))
        totals = ", ".join(f"{k} {n}" for k, n in summary.counts().items()) or "no flags"
        where = f"on {summary.scheduler}" if summary.scheduler else f"with {summary.workers} worker(s)"
        _common.out.print(f"{len(summary.documents)} documents in {summary.seconds:.1f}s {where}; {totals}; "
                          f"outputs in {output}/ (summary: {output / SUMMARY_NAME})", highlight=False)
    for d in summary.documents:
        for tid, v in d.verdicts.items():
            if v["kind"] != "clean":
                _common.warning_line(f"{d.doc_id}: {tid}: {v['message']}")
    for d in summary.failed:
        _common.error_line(f"{d.doc_id}: {d.error}")
    if summary.exit_code:
        raise typer.Exit(summary.exit_code)
