"""CLI commands: ingest (registered on the app when imported)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from . import _common, app


def _shown(path: Path) -> str:
    """A path relative to the working directory when it is near it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith(os.pardir + os.sep + os.pardir) else rel


@app.command()
def ingest(
    seeds_dir: Optional[Path] = typer.Argument(
        None, help="Folder of raw seed files (default: ../shared/seeds next to the repository).",
        show_default=False),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output", help="Data directory to write (default: data/ of the repository).",
        show_default=False),
    json_out: bool = typer.Option(False, "--json", help="Print the written files as JSON."),
    strict_encoding: bool = _common.strict_encoding_option(),
) -> None:
    """Turn the raw web copies in SEEDS_DIR into the clean corpus: data/zh, data/en, data/notes, data/MANIFEST.yaml."""
    from ..ingest import default_data_dir, default_seeds_dir, ingest as run_ingest

    seeds = seeds_dir if seeds_dir is not None else default_seeds_dir()
    data = output if output is not None else default_data_dir()
    _common.output_path(data, {"seeds directory": seeds}, directory=True)
    with _common.progress("ingest", total=None) as advance:
        manifest = run_ingest(seeds, data, progress=advance)
    if json_out:
        _common.print_json({
            "data_dir": str(manifest.data_dir),
            "manifest": str(manifest.path),
            "files": [{"path": f.rel_path, "lang": f.lang, "doc_id": f.doc_id, "translation_id": f.translation_id,
                       "seed": f.seed, "paragraphs": f.paragraphs, "chars": f.chars,
                       "removed": {r.rule: r.count for r in f.removed},
                       "notes": str(f.notes.relative_to(manifest.data_dir)) if f.notes else None}
                      for f in manifest.files],
            "pairs": [{"doc_id": p.doc_id, "source": str(p.source.relative_to(manifest.data_dir)),
                       "translations": {k: str(v.relative_to(manifest.data_dir)) for k, v in p.translations.items()}}
                      for p in manifest.pairs],
        })
        return
    width = max(len(f.rel_path) for f in manifest.files)
    print(f"ingested {len({f.seed for f in manifest.files})} seeds from {_shown(seeds)} into {_shown(data)}")
    for f in manifest.files:
        removed = sum(r.count for r in f.removed if r.rule != "normalise-whitespace" and not r.rule.startswith("join-"))
        joined = sum(r.count for r in f.removed if r.rule.startswith("join-"))
        role = f.translation_id or ("original" if f.kind == "original" else "en only")
        notes = f"  notes: {f.notes.relative_to(manifest.data_dir)}" if f.notes else ""
        print(f"  {f.rel_path:<{width}}  {f.lang}  {role:<8} {f.paragraphs:>4} paragraphs {f.chars:>6} chars"
              f"  {removed:>3} removed {joined:>2} joined  ({f.seed}){notes}")
    for p in manifest.pairs:
        print(f"pair {p.doc_id}: {p.source.relative_to(manifest.data_dir)} <- "
              + ", ".join(f"{k}: {v.relative_to(manifest.data_dir)}" for k, v in p.translations.items()))
    print(f"manifest: {_shown(manifest.path)}")
