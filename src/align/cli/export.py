"""``align export``: TSV, TMX 1.4b or JSONL of an alignment (aligned now, or saved)."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..errors import UsageError
from . import _common, app


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
    db: Optional[Path] = typer.Option(None, "--db", help="An `align review` project: export its reviewed alignment "
                                      "(with each bead's status: machine, approved, edited); --format beads gives "
                                      "gold for `align eval`."),
) -> None:
    """Export the aligned rows as TSV, TMX 1.4b or JSONL (aligning first, unless --from or --db)."""
    from .. import pipeline
    from ..export import FORMATS, export as write_export, export_string, format_for_path

    if db is not None:
        return _export_review(db, source, translations, fmt, output, translation, min_confidence, glossary, saved)

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


def _export_review(db, source, translations, fmt, output, translation, min_confidence, glossary, saved) -> None:
    """``align export --db P.sqlite``: the reviewed alignment, not aligned again."""
    from ..review.export import export_project

    if source is not None or translations or glossary is not None or saved is not None:
        raise UsageError("--db is the whole project: give no files, -g or --from with it")
    output = _common.output_path(output, {"review project": db}, stdout=True)
    if fmt is None:
        suffix = output.suffix.lower() if output is not None else ""
        fmt = {".tsv": "tsv", ".tmx": "tmx", ".jsonl": "jsonl", ".beads": "beads"}.get(suffix, "tsv")
    data, rows = export_project(db, fmt.lower(), output=output, translation=translation,
                                min_confidence=min_confidence)
    if output is None:
        _common.out.file.write(data.decode("utf-8") if isinstance(data, bytes) else data)
        return
    _common.err.print(f"wrote {output} ({rows} {'beads' if fmt == 'beads' else 'rows'})", highlight=False)
