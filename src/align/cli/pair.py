"""``align pair``: align a source with one or more translations."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..errors import EXIT_FLAGS, UsageError
from . import _common, app

_FORMATS = ("beads", "tsv", "jsonl", "table")


def render_alignment(multi, fmt: str, flags=None) -> str:
    """Plain-text renderings of an N-way alignment: Vecalign beads for one
    translation, else the same TSV/JSONL as ``align export``."""
    ids = multi.translation_ids
    if fmt == "beads":
        if len(ids) != 1:
            raise UsageError("--format beads needs exactly one translation (use tsv or jsonl for several)")
        from ..evaluate import format_beads

        return format_beads(multi.alignments[ids[0]].beads)
    if fmt in ("tsv", "jsonl"):
        from ..export import export_string

        return export_string(multi, fmt, flags=flags)
    raise UsageError(f"unknown format {fmt!r} (choose {', '.join(_FORMATS)})")


def _table(multi):
    from rich.table import Table

    ids = multi.translation_ids
    table = Table(show_lines=False, expand=False)
    table.add_column("src", justify="right", no_wrap=True)
    table.add_column("source", overflow="fold")
    for tid in ids:
        table.add_column(tid, overflow="fold")
        table.add_column("conf", justify="right", no_wrap=True)
    for g in multi.groups:
        row = [",".join(map(str, g.src)) or "-", " ".join(multi.source[i].text for i in g.src)]
        for tid in ids:
            t = g.targets[tid]
            segs = multi.alignments[tid].target
            conf = g.confidence[tid]
            style = "red" if conf < 0.5 else ("yellow" if conf < 0.8 else "green")
            row += [" ".join(segs[j].text for j in t) or "[dim](none)[/dim]",
                    f"[{style}]{conf:.2f}[/{style}]" if t and g.src else "-"]
        table.add_row(*row)
    return table


@app.command("pair")
def pair_cmd(
    source: Path = typer.Argument(..., help="The Chinese original (or one file holding both languages)."),
    translations: Optional[List[Path]] = typer.Argument(None, help="One or more English translations."),
    level: str = _common.level_option(),
    encoder: str = _common.encoder_option(),
    presegmented: bool = _common.presegmented_option(),
    like: Optional[Path] = _common.like_option(),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="beads, tsv, jsonl or table "
                                      "(default: table on a terminal, beads for one translation, else tsv). "
                                      "jsonl is the saved alignment that --from reads."),
    output: Optional[Path] = typer.Option(None, "-o", "--output",
                                          help="Write to this file (atomically); - is standard output."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON summary (beads, confidences, warnings, "
                                 "the verdict on each translation)."),
    strict: bool = typer.Option(False, "--strict", help="Exit with status 1 when a translation's verdict is not "
                                "clean (a partial translation, a different text or version)."),
    strict_encoding: bool = _common.strict_encoding_option(),
) -> None:
    """Align SRC with one or more translations, m:n, with a confidence per pair."""
    from .. import pipeline

    if fmt is not None and fmt not in _FORMATS:
        raise UsageError(f"unknown format {fmt!r} (choose {', '.join(_FORMATS)})")
    translations = list(translations or [])
    output = _common.output_path(output, {"source": source, "translation": translations}, stdout=True)
    if fmt is None:
        if output is None and _common.out.is_terminal:
            fmt = "table"
        else:
            fmt = "beads" if len(translations) <= 1 else "tsv"
    if not as_json:  # what the format needs, before the work
        if fmt == "table" and output is not None:
            raise UsageError("--format table is for the terminal; use tsv, jsonl or beads with -o")
        if fmt == "beads" and len(translations) > 1:
            raise UsageError("--format beads needs exactly one translation (use tsv or jsonl for several)")
    settings = _common.settings(level, encoder, presegmented, like)
    with _common.progress("aligning", total=100) as advance:
        analysis = pipeline.run(source, translations, settings=settings, progress=advance)
    multi = analysis.multi
    _common.tell(analysis)
    if as_json:
        _common.print_json({
            "signature": multi.signature, "warnings": analysis.warnings,
            "verdicts": _common.verdicts_json(analysis),
            "alignments": {tid: {"mean_confidence": round(a.mean_confidence, 4),
                                 "beads": [{"src": list(b.src), "tgt": list(b.tgt),
                                            "confidence": b.confidence} for b in a.beads]}
                           for tid, a in multi.alignments.items()}})
        if output is None:
            _strict_exit(strict, analysis)
            return
    if fmt == "table":
        _common.out.print(_table(multi))
        for line in _common.summary_lines(multi):
            _common.out.print(line, highlight=False)
        _strict_exit(strict, analysis)
        return
    rendered = render_alignment(multi, fmt, analysis.all_flags)
    if output is not None:
        from ..textio import write_text

        write_text(output, rendered)
    else:
        import sys

        sys.stdout.write(rendered)
    for line in _common.summary_lines(multi):  # the data went to stdout or -o: the summary to stderr
        _common.err.print(line, highlight=False, markup=False)
    _strict_exit(strict, analysis)


def _strict_exit(strict: bool, analysis) -> None:
    """``--strict``: exit 1 when a translation's verdict is not clean (after the output is written)."""
    if strict and _common.not_clean(analysis):
        raise typer.Exit(EXIT_FLAGS)
