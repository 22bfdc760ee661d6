"""CLI commands: check, export, corpus (registered on the app when imported)."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..errors import EXIT_FLAGS, UsageError
from . import _common, app

def _indices(idx, most: int = 4) -> str:
    """``3,4,9`` or ``3,4,9,12,…+8`` (glossary flags can cite dozens of segments)."""
    shown = ",".join(map(str, idx[:most]))
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
    as_json: bool = typer.Option(False, "--json", help="Print the flags as a JSON list."),
    strict: bool = typer.Option(False, "--strict", help="Exit with status 1 when any flag is found."),
    saved: Optional[Path] = _common.from_option(),
    level: str = _common.level_option(),
    encoder: str = _common.encoder_option(),
    presegmented: bool = _common.presegmented_option(),
    like: Optional[Path] = _common.like_option(),
    strict_encoding: bool = _common.strict_encoding_option(),
) -> None:
    """Align and list where the translations disagree with the source: omissions, additions,
    untranslated Chinese, numbers, length outliers, low confidence (and glossary terms)."""
    from .. import pipeline
    from ..compare import flag_counts, flag_to_dict

    settings = _common.settings(level, encoder, presegmented, like)
    with _common.progress("aligning", total=100) as advance:
        analysis = pipeline.run(source, translations or [], saved=saved, settings=settings, glossary=glossary,
                                progress=advance)
    multi, flags = analysis.multi, analysis.flags
    _common.tell(analysis)
    if as_json:
        _common.print_json([flag_to_dict(f) for f in flags])
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
    if strict and flags:
        raise typer.Exit(EXIT_FLAGS)


@app.command()
def export(
    source: Optional[Path] = typer.Argument(None, help="The Chinese original (optional with --from)."),
    translations: Optional[List[Path]] = typer.Argument(None, help="One or more English translations."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="tsv, tmx or jsonl (default: from -o, else tsv)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o",
                                          help="Output file (default, or -: standard output)."),
    translation: Optional[str] = typer.Option(None, "--translation", help="TMX: only this translation."),
    min_confidence: float = typer.Option(0.0, "--min-confidence", min=0.0, max=1.0,
                                         help="TMX: leave out units below this confidence (TSV and JSONL keep "
                                              "every row, with its confidence)."),
    glossary: Optional[Path] = typer.Option(None, "--glossary", "-g", help="Glossary YAML (JSONL flags include terms)."),
    saved: Optional[Path] = _common.from_option(),
    level: str = _common.level_option(),
    encoder: str = _common.encoder_option(),
    presegmented: bool = _common.presegmented_option(),
    like: Optional[Path] = _common.like_option(),
    strict_encoding: bool = _common.strict_encoding_option(),
) -> None:
    """Export the aligned rows as TSV, TMX 1.4b or JSONL (aligning first, unless --from)."""
    from .. import pipeline
    from ..export import FORMATS, export as write_export, export_string, format_for_path

    output = _common.output_path(output, {"source": source, "translation": translations, "glossary": glossary,
                                          "saved alignment": saved}, stdout=True)
    if fmt is None:
        fmt = format_for_path(output) if output is not None else "tsv"
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if translation is not None and saved is None and translations:
        known = pipeline.translation_ids(translations)
        if translation not in known:
            raise UsageError(f"no translation {translation!r}; have {', '.join(known)}")
    settings = _common.settings(level, encoder, presegmented, like)
    with _common.progress("aligning", total=100) as advance:
        analysis = pipeline.run(source, translations or [], saved=saved, settings=settings, glossary=glossary,
                                progress=advance)
    multi = analysis.multi
    _common.tell(analysis)
    if translation is not None and translation not in multi.alignments:
        raise UsageError(f"no translation {translation!r}; have {', '.join(multi.alignments)}")
    options = {"flags": analysis.all_flags, "translation": translation, "min_confidence": min_confidence}
    if output is None:
        _common.out.file.write(export_string(multi, fmt, **options))
        return
    path = write_export(multi, output, fmt, **options)
    _common.err.print(f"wrote {path} ({len(multi.groups)} rows)", highlight=False)


_SHORT = {"omission": "omit", "addition": "add", "untranslated": "untr", "number": "num", "length": "len",
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
    for r in rows:
        name = Path(r["file"]).name
        if r["error"]:
            table.add_row(name, r["translation"], *[""] * len(kinds), "", "", end_section=False)
            table.add_row(f"[red]  error: {r['error']}[/]", "", *[""] * len(kinds), "", "")
            continue
        conf = "" if r["mean_confidence"] is None else f"{r['mean_confidence']:.2f}"
        tid = "-" if r["english_only"] else r["translation"]
        table.add_row(name, tid, *[str(r["counts"].get(k, 0)) for k in kinds], str(r["total"]), conf)
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
    for d in summary.failed:
        _common.error_line(f"{d.doc_id}: {d.error}")
    if summary.exit_code:
        raise typer.Exit(summary.exit_code)
