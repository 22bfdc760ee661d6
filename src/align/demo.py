"""The main job (``make demo``): 国办发〔2016〕98号 against both of its translations.

Aligns the Chinese original with the China Law Translate and the blog
translation, runs the comparison checks and the glossary checker, and writes
``out/report.html`` plus the exports (TSV with both translations side by
side, one TMX per translation, JSONL with the flags).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import pipeline
from .errors import InputError
from .report.summary import TranslationSummary, summarize

DOC_ID = "guobanfa-2016-98"
TITLE = "国办发〔2016〕98号 · Guiding Opinions on Strengthening the Construction of a Personal 诚信 System"
KNOWN_SOURCE = f"zh/{DOC_ID}.txt"
KNOWN_TRANSLATIONS = {"clt": f"en/{DOC_ID}.clt.txt", "blog": f"en/{DOC_ID}.blog.txt"}


@dataclass
class DemoResult:
    report: Path
    exports: list[Path]
    summaries: list[TranslationSummary]
    flag_total: int
    rows: int
    source: Path
    translations: dict[str, Path]
    glossary: Path | None
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "report": str(self.report), "exports": [str(p) for p in self.exports],
            "source": str(self.source), "translations": {k: str(v) for k, v in self.translations.items()},
            "glossary": str(self.glossary) if self.glossary else None, "rows": self.rows,
            "flags": self.flag_total, "translations_summary": [s.as_dict() for s in self.summaries],
            "notes": list(self.notes), "seconds": {k: round(v, 2) for k, v in self.seconds.items()},
        }


def _repo_root() -> Path | None:
    """The checkout this package runs from (editable install), if any."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() else None


def resolve(path: str | os.PathLike | None, default: str) -> Path:
    """``path`` as given; else ``default`` in the current directory, or in the
    checkout when the current directory has none."""
    if path is not None:
        return Path(path)
    here = Path(default)
    if here.exists():
        return here
    root = _repo_root()
    if root is not None and (root / default).exists():
        return root / default
    return here


def find_inputs(data_dir: Path, doc_id: str = DOC_ID) -> tuple[Path, dict[str, Path]]:
    """The Chinese original and its translations: from the corpus manifest,
    else from the corpus's known file names."""
    if not data_dir.is_dir():
        raise InputError("data directory not found (run `align ingest` to build it, or pass --data)", data_dir)
    if (data_dir / "MANIFEST.yaml").is_file():
        from .ingest import load_manifest

        pair = next((p for p in load_manifest(data_dir).pairs if p.doc_id == doc_id), None)
        if pair is not None and pair.translations:
            known = [k for k in KNOWN_TRANSLATIONS if k in pair.translations]
            order = known + sorted(k for k in pair.translations if k not in known)
            return Path(pair.source), {k: Path(pair.translations[k]) for k in order}
    source = data_dir / KNOWN_SOURCE
    translations = {k: data_dir / v for k, v in KNOWN_TRANSLATIONS.items()}
    for p in [source, *translations.values()]:
        if not p.is_file():
            raise InputError(f"missing corpus file for {doc_id} (run `align ingest`, or pass --data)", p)
    return source, translations


def run_demo(*, data_dir: str | os.PathLike | None = None, out_dir: str | os.PathLike = "out",
             glossary: str | os.PathLike | None = None, encoder: str = "use", level: str = "sentence",
             progress: Callable | None = None) -> DemoResult:
    """Align, check, report and export 国办发〔2016〕98号; see the module docstring."""
    from .export import export

    started = time.perf_counter()
    data = resolve(data_dir, "data")
    gl_path = resolve(glossary, "glossary.yaml")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("output folder is a file", out)
    source, translations = find_inputs(data)

    stages = pipeline.Stages(progress, {"align": 80, "check": 8, "report": 6, "export": 6})
    analysis = pipeline.analyse(source, translations, settings=pipeline.Settings(level=level, encoder=encoder),
                                glossary=gl_path, glossary_required=glossary is not None, stages=stages)
    multi, flags = analysis.multi, analysis.all_flags
    report = pipeline.write_report(analysis, out / "report.html", title=TITLE, stages=stages)

    t0 = time.perf_counter()
    cb = stages.start("export", "exporting TSV, TMX, JSONL")
    jobs = [(out / f"{DOC_ID}.tsv", "tsv", {})]
    jobs += [(out / f"{DOC_ID}.{tid}.tmx", "tmx", {"translation": tid}) for tid in multi.translation_ids]
    jobs += [(out / f"{DOC_ID}.jsonl", "jsonl", {"flags": flags})]
    exports = [export(multi, path, fmt, **kw) for path, fmt, kw in jobs]
    if cb:
        cb.finish()
    analysis.seconds["export"] = time.perf_counter() - t0
    analysis.seconds["total"] = time.perf_counter() - started
    return DemoResult(
        report=report, exports=exports, summaries=summarize(multi, flags), flag_total=len(flags),
        rows=len(multi.groups), source=source, translations=translations,
        glossary=gl_path if analysis.glossary_report is not None else None,
        notes=analysis.notes, seconds=analysis.seconds,
    )
