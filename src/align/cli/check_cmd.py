"""CLI commands: check, export, corpus (registered on the app when imported)."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..errors import EXIT_FLAGS, UsageError
from . import _common, app

_LEVELS = ("sentence", "clause")


def _level(level: str) -> str:
    if level not in _LEVELS:
        raise UsageError(f"--level must be one of {', '.join(_LEVELS)}, got {level!r}")
    return level


def _indices(idx, most: int = 4) -> str:
    """``3,4,9`` or ``3,4,9,12,…+8`` (glossary flags can cite dozens of segments)."""
    shown = ",".join(map(str, idx[:most]))
    return shown + (f",…+{len(idx) - most}" if len(idx) > most else "")


def _flags_table(flags, title: str | None = None):
    from rich.table import Table

    table = Table(title=title, show_lines=False, expand=False)
    for name, kw in (("#", {"justify": "right"}), ("kind", {}), ("translation", {}), ("src", {}), ("tgt", {}),
                     ("message", {"overflow": "fold"})):
        table.add_column(name, **kw)
    style = {"error": "red", "warning": "yellow", "info": "cyan"}
    for i, f in enumerate(flags, 1):
        table.add_row(str(i), f"[{style.get(f.severity, '')}]{f.kind}[/]", f.translation or "",
                      _indices(f.src), _indices(f.tgt), f.message)
    return table


@app.command()
def check(
    source: Path = typer.Argument(..., help="The Chinese original."),
    translations: List[Path] = typer.Argument(..., help="One or more English translations."),
    glossary: Optional[Path] = typer.Option(None, "--glossary", "-g", help="Glossary YAML: also check term renderings."),
    as_json: bool = typer.Option(False, "--json", help="Print the flags as a JSON list."),
    strict: bool = typer.Option(False, "--strict", help="Exit with status 1 when any flag is found."),
    level: str = _common.level_option(),
    encoder: str = _common.encoder_option(),
    presegmented: bool = typer.Option(False, "--presegmented", help="Inputs have one segment per line."),
    strict_encoding: bool = _common.strict_encoding_option(),
) -> None:
    """Align and list where the translations disagree with the source: omissions, additions,
    untranslated Chinese, numbers, length outliers, low confidence (and glossary terms)."""
    from ..compare import check_files, flag_counts, flag_to_dict

    multi, result = check_files(source, translations, glossary=glossary, level=_level(level), encoder=encoder,
                                presegmented=presegmented)
    flags = result.flags
    if as_json:
        _common.print_json([flag_to_dict(f) for f in flags])
    else:
        if flags:
            _common.out.print(_flags_table(flags))
        counts = flag_counts(flags)
        for tid in multi.alignments:
            per = counts.get(tid, {})
            summary = ", ".join(f"{k} {n}" for k, n in per.items()) or "no flags"
            _common.out.print(f"{tid}: {summary} (mean confidence {multi.alignments[tid].mean_confidence:.2f})",
                              highlight=False)
        if counts.get(""):
            across = ", ".join(f"{k} {n}" for k, n in counts[""].items())
            _common.out.print(f"across translations: {across}", highlight=False)
    if strict and flags:
        raise typer.Exit(EXIT_FLAGS)


@app.command()
def export(
    source: Path = typer.Argument(..., help="The Chinese original."),
    translations: List[Path] = typer.Argument(..., help="One or more English translations."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="tsv, tmx or jsonl (default: from -o, else tsv)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o",
                                          help="Output file (default, or -: standard output)."),
    translation: Optional[str] = typer.Option(None, "--translation", help="TMX: only this translation."),
    glossary: Optional[Path] = typer.Option(None, "--glossary", "-g", help="Glossary YAML (JSONL flags include terms)."),
    level: str = _common.level_option(),
    encoder: str = _common.encoder_option(),
    presegmented: bool = typer.Option(False, "--presegmented", help="Inputs have one segment per line."),
    strict_encoding: bool = _common.strict_encoding_option(),
) -> None:
    """Align and export the aligned rows as TSV, TMX 1.4b or JSONL."""
    from ..api import translation_ids
    from ..compare import check_files
    from ..export import FORMATS, export as write_export, export_string, format_for_path

    output = _common.output_path(output, {"source": source, "translation": translations, "glossary": glossary},
                                 stdout=True)
    if fmt is None:
        fmt = format_for_path(output) if output is not None else "tsv"
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "tmx" and translation is not None and translation not in translation_ids(translations):
        raise UsageError(f"no translation {translation!r}; have {', '.join(translation_ids(translations))}")
    multi, result = check_files(source, translations, glossary=glossary, level=_level(level), encoder=encoder,
                                presegmented=presegmented)
    if output is None:
        _common.out.file.write(export_string(multi, fmt, flags=result.flags, translation=translation))
        return
    path = write_export(multi, output, fmt, flags=result.flags, translation=translation)
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
                             encoder=encoder, level=_level(level), glossary=glossary, report=not no_report)
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
