"""Translator notes, shown in the report with their translation.

``align ingest`` keeps a translator's comments about a translation in
``notes/<stem>.notes.yaml`` beside the corpus's ``en/`` folder (see
:mod:`align.ingest`). The report finds the notes of each translation it was
made from by that layout, from the input paths its signature records. A
notes file that cannot be read gives one note and the report goes on.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ..errors import InputError, note
from ..model import MultiAlignment


@dataclass(frozen=True)
class TranslatorNote:
    """One comment of a translator (or a reader) about a translation."""

    text: str
    author: str = ""
    date: str = ""
    by_translator: bool = False  # written by the translation's own author


def notes_file(translation: Path) -> Path:
    """Where ``align ingest`` puts the notes of a corpus file: ``en/X.txt`` -> ``notes/X.notes.yaml``."""
    return translation.parent.parent / "notes" / f"{translation.stem}.notes.yaml"


def read_notes(path: Path, translation: Path | None = None) -> list[TranslatorNote]:
    """The notes of a notes file (of ``translation``, when its ``file`` key names another file: none)."""
    import yaml

    from ..ingest import load_notes
    from ..textio import read_text

    raw = yaml.safe_load(read_text(path))
    named = raw.get("file") if isinstance(raw, dict) else None
    if translation is not None and isinstance(named, str) and Path(named).name != translation.name:
        return []
    out = []
    for n in load_notes(path):
        if not isinstance(n, dict) or not str(n.get("text") or "").strip():
            continue
        out.append(TranslatorNote(text=str(n["text"]).strip(), author=str(n.get("author") or ""),
                                  date=str(n.get("date") or ""), by_translator=bool(n.get("post_author"))))
    return out


def notes_of(multi: MultiAlignment) -> dict[str, list[TranslatorNote]]:
    """The translator notes of each translation of ``multi`` that has any."""
    import yaml

    inputs: Mapping = ((multi.signature or {}).get("inputs") or {}).get("translations") or {}
    out: dict[str, list[TranslatorNote]] = {}
    for tid in multi.translation_ids:
        rec = inputs.get(tid)
        if not isinstance(rec, dict) or not rec.get("path"):
            continue
        path = notes_file(Path(rec["path"]))
        if not path.is_file():
            continue
        try:
            notes = read_notes(path, Path(rec["path"]))
        except (InputError, OSError, yaml.YAMLError) as exc:
            note(f"translator notes not shown ({exc})", str(path))
            continue
        if notes:
            out[tid] = notes
    return out
