"""Files in, MultiAlignment out: what the glossary commands need from the aligner.

Uses ``align.api.align`` when it exists, else reads, segments and calls
``align_multi`` itself. Translation ids come from the file names
(``guobanfa-2016-98.clt.txt`` -> ``clt``; otherwise the file stem).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..errors import InputError, UsageError
from ..model import MultiAlignment


def translation_ids(paths: list[Path]) -> list[str]:
    ids = []
    for p in paths:
        parts = Path(p).name.split(".")
        tid = parts[-2] if len(parts) >= 3 else Path(p).stem
        base, n = tid, 2
        while tid in ids:
            tid = f"{base}-{n}"
            n += 1
        ids.append(tid)
    return ids


def align_files(source: Path, translations: list[Path], *, level: str = "sentence", encoder: str = "use",
                progress: Callable | None = None) -> MultiAlignment:
    for p in [source, *translations]:
        if not Path(p).exists():
            raise InputError("no such file", p)
        if Path(p).is_dir():
            raise InputError("is a directory, expected a text file", p)
    tids = translation_ids(list(translations))
    from ..aligner import align_multi
    from ..segment import segment
    from ..textio import read_text

    from ..api import check_inputs, check_language
    from ..model import Document

    check_inputs(source, dict(zip(tids, translations)))
    text = read_text(source)
    check_language(Document(text, "zh", path=str(source)), "source", "source")
    src = segment(text, "zh", level)
    if not src:
        raise InputError("no text to align", source)
    tgts = {}
    for tid, p in zip(tids, translations):
        text = read_text(p)
        check_language(Document(text, "en", path=str(p)), "translation", tid)
        segs = segment(text, "en", level)
        if not segs:
            raise InputError("no text to align", p)
        tgts[tid] = segs
    try:
        return align_multi(src, tgts, encoder=encoder, progress=progress)
    except TypeError:
        return align_multi(src, tgts, encoder=encoder)
    except (ValueError, KeyError) as exc:
        raise UsageError(str(exc)) from None
