"""From files to a report: align, check (with the glossary when there is one), render.

Shared by ``align report`` and the demo. Progress goes to an optional
``progress(n=1, total=None, description=None)`` callback, in units of
percent of the whole job; nothing here prints.
"""
from __future__ import annotations

import inspect
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import InputError, UsageError
from ..model import Flag, MultiAlignment

PathLike = str | os.PathLike


@dataclass
class Analysis:
    """An alignment with its flags, the glossary report (or None) and notes
    about anything that was skipped."""

    multi: MultiAlignment
    flags: list[Flag]
    glossary_report: Any = None
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


class _Stage:
    """Progress callback of one stage: its own total scaled onto its share."""

    def __init__(self, bar: Callable, share: float):
        self.bar, self.share, self.total, self.given = bar, share, None, 0.0

    def __call__(self, n: int = 1, total: int | None = None, **_: Any) -> None:
        if total:
            self.total = total
        if self.total and n:
            self._give(self.share * n / self.total)

    def _give(self, step: float) -> None:
        step = min(step, self.share - self.given)
        if step > 0:
            self.given += step
            self.bar(step)

    def finish(self) -> None:
        self._give(self.share)


class Stages:
    """Maps stage-local progress onto one bar of 100 units (weights in percent)."""

    def __init__(self, progress: Callable | None, weights: dict[str, float]):
        self.progress = progress
        self.weights = weights
        if progress:
            progress(0, total=100)

    def start(self, name: str, description: str) -> _Stage | None:
        """A callback for the stage ``name``, or None when there is no bar."""
        if not self.progress:
            return None
        self.progress(0, description=description)
        return _Stage(self.progress, self.weights[name])


def translation_ids(paths: list[PathLike]) -> dict[str, Path]:
    """Name each translation file: the last dotted part of its stem when the
    stems share a document name (``guobanfa-2016-98.clt.txt`` -> ``clt``),
    else the stem; repeats get ``-2``, ``-3``."""
    ids: dict[str, Path] = {}
    for p in map(Path, paths):
        stem = p.stem
        base = stem.rsplit(".", 1)[1] if "." in stem else stem
        base = re.sub(r"[^\w.-]+", "-", base).strip("-") or "translation"
        tid, k = base, 2
        while tid in ids:
            tid, k = f"{base}-{k}", k + 1
        ids[tid] = p
    return ids


def _call_with_progress(fn: Callable, *args: Any, progress: Callable | None = None, **kw: Any) -> Any:
    try:
        accepts = "progress" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        accepts = False
    if accepts and progress is not None:
        kw["progress"] = progress
    return fn(*args, **kw)


def load_glossary_or_note(path: PathLike | None, notes: list[str], *, required: bool) -> Any:
    """The loaded glossary, or None with a note (or an error when ``required``)."""
    if path is None:
        return None
    p = Path(path)
    if not p.is_file():
        if required:
            raise InputError("no such glossary file", p)
        notes.append(f"no glossary at {p}: glossary checks skipped")
        return None
    try:
        from ..glossary import load_glossary
    except ImportError:
        notes.append("the glossary checker is not installed in this build: glossary checks skipped")
        return None
    return load_glossary(p)


def _align_files(source: Path, translations: dict[str, Path], *, level: str, encoder: str,
                 progress: Callable | None) -> MultiAlignment:
    """``align.api.align`` when it is there; else the same steps by hand
    (read, segment, ``align_multi``)."""
    try:
        from ..api import align
    except ImportError:
        align = None
    if align is not None:
        return _call_with_progress(align, source, translations, level=level, encoder=encoder, progress=progress)
    try:
        from ..aligner import align_multi
        from ..segment import segment
    except ImportError as exc:
        raise UsageError(f"the aligner is not available in this build ({exc})") from None
    from ..textio import read_text

    src = segment(read_text(source), "zh", level)
    tgts = {tid: segment(read_text(p), "en", level) for tid, p in translations.items()}
    for p, segs in [(source, src), *((translations[t], s) for t, s in tgts.items())]:
        if not segs:
            raise InputError("no text to align", p)
    return align_multi(src, tgts, encoder=encoder, progress=progress, level=level)


def analyse(source: PathLike, translations: dict[str, PathLike], *, glossary: PathLike | None = None,
            glossary_required: bool = True, level: str = "sentence", encoder: str = "use",
            stages: Stages | None = None) -> Analysis:
    """Align ``source`` with each translation, then run the comparison checks
    and the glossary checker."""
    if not translations:
        raise UsageError("give at least one translation")
    if level not in ("sentence", "clause"):
        raise UsageError(f"unknown level {level!r}; expected sentence or clause")
    for p in [source, *translations.values()]:
        if not Path(p).is_file():
            raise InputError("no such file" if not Path(p).exists() else "not a file", p)
    notes: list[str] = []
    seconds: dict[str, float] = {}
    stages = stages or Stages(None, {})

    gl = load_glossary_or_note(glossary, notes, required=glossary_required)

    t0 = time.perf_counter()
    cb = stages.start("align", f"aligning {len(translations)} translation(s) ({encoder})")
    multi = _align_files(Path(source), {k: Path(v) for k, v in translations.items()},
                         level=level, encoder=encoder, progress=cb)
    if cb:
        cb.finish()
    seconds["align"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    cb = stages.start("check", "checking")
    glossary_report = None
    try:
        from ..compare import run_checks
    except ImportError:
        run_checks = None
    if run_checks is not None:
        result = run_checks(multi, glossary=gl)
        flags, glossary_report = list(result.flags), result.glossary_report
    else:
        notes.append("the comparison checks are not installed in this build: no omission/number/... flags")
        flags = []
        if gl is not None:
            from ..glossary import check_glossary

            glossary_report = check_glossary(multi, gl)
            flags = list(glossary_report.flags)
    if cb:
        cb.finish()
    seconds["check"] = time.perf_counter() - t0
    return Analysis(multi, flags, glossary_report, notes, seconds)


def make_report(source: PathLike, translations: dict[str, PathLike] | list[PathLike], output: PathLike, *,
                glossary: PathLike | None = None, level: str = "sentence", encoder: str = "use",
                title: str | None = None, progress: Callable | None = None) -> tuple[Path, Analysis]:
    """``align report``: align, check, and write one self-contained HTML page."""
    from . import write_report

    if not isinstance(translations, dict):
        translations = translation_ids(list(translations))
    if Path(output).is_dir():
        raise UsageError("the output is a directory; give a file name such as report.html", output)
    stages = Stages(progress, {"align": 85, "check": 10, "report": 5})
    analysis = analyse(source, translations, glossary=glossary, level=level, encoder=encoder, stages=stages)
    t0 = time.perf_counter()
    cb = stages.start("report", "writing the report")
    path = write_report(analysis.multi, analysis.flags, output, glossary_report=analysis.glossary_report,
                        title=title or f"{Path(source).stem}: {', '.join(translations)}")
    if cb:
        cb.finish()
    analysis.seconds["report"] = time.perf_counter() - t0
    return path, analysis
