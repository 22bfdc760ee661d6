"""One call from files (or Documents, or segment lists) to an N-way alignment.

    import align
    multi = align.align("data/zh/guobanfa-2016-98.txt",
                        ["data/en/guobanfa-2016-98.clt.txt", "data/en/guobanfa-2016-98.blog.txt"])
    for group in multi.groups: ...
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Mapping, Sequence, Union

from .errors import InputError, UsageError
from .model import Document, MultiAlignment, Segment

Source = Union[str, os.PathLike, Document, Sequence[Segment]]


def _document(x: Source, what: str) -> Document | list[Segment]:
    if isinstance(x, Document):
        return x
    if isinstance(x, (str, os.PathLike)):
        if isinstance(x, str) and ("\n" in x or len(x) > 4096):
            raise UsageError(f"{what}: expected a path, a Document or a list of segments, got text "
                             "(wrap it in align.Document(text, lang))")
        from .segment import detect_lang
        from .textio import read_text

        path = Path(x)
        text = read_text(path)
        return Document(text=text, lang=detect_lang(text), path=str(path), doc_id=path.name.split(".")[0])
    if isinstance(x, Sequence) and all(isinstance(s, Segment) for s in x):
        return list(x)
    raise UsageError(f"{what}: expected a path, a Document or a list of segments, not {type(x).__name__}")


def _segments(x: Source, what: str, level: str, presegmented: bool) -> list[Segment]:
    doc = _document(x, what)
    if isinstance(doc, list):
        return doc
    from .segment import detect_lang, segment, segment_lines

    lang = detect_lang(doc.text)
    segs = segment_lines(doc.text, lang) if presegmented else segment(doc.text, lang, level)
    if not segs:
        raise InputError("no text to align", doc.path or what)
    return segs


def _path_key(x) -> Path | None:
    if isinstance(x, Document) and x.path:
        x = x.path
    if isinstance(x, os.PathLike) or (isinstance(x, str) and "\n" not in x and len(x) <= 4096):
        try:
            return Path(x).expanduser().resolve()
        except (OSError, RuntimeError):
            return None
    return None


def check_inputs(source: Source, translations: Mapping[str, Source]) -> None:
    """Refuse the same file given twice (as source and translation, or twice
    as a translation): a usage error naming the file."""
    src_key = _path_key(source)
    seen: set[Path] = set()
    for t in translations.values():
        key = _path_key(t)
        if key is None:
            continue
        if key == src_key:
            raise UsageError("is given as both the source and a translation", t.path if isinstance(t, Document) else t)
        if key in seen:
            raise UsageError("is given twice as a translation", t.path if isinstance(t, Document) else t)
        seen.add(key)


def check_language(doc: Document | list[Segment], role: str, what: str) -> None:
    """The source must be Chinese and a translation English: say so (an input
    error naming the file) when the roles look swapped, or suggest ``align
    split`` when the file holds both languages."""
    if not isinstance(doc, Document):
        return
    from .segment import detect_lang

    lang = detect_lang(doc.text)
    where = doc.path or what
    if (role == "source" and lang != "zh") or (role == "translation" and lang != "en"):
        from .ingest.split import looks_bilingual

        if looks_bilingual(doc.text):
            raise InputError("holds both Chinese and English: split it into its two files first with "
                             f"`align split {doc.path or 'FILE'} -o DIR`", where)
    if role == "source" and lang != "zh":
        if not any(c.isalpha() for c in doc.text):
            raise InputError("has no Chinese text to align (only digits, punctuation or symbols)", where)
        raise InputError("looks like English, not Chinese: the source must be the Chinese original "
                         "(are the source and the translation swapped?)", where)
    if role == "translation" and lang != "en":
        raise InputError("looks like Chinese, not English: a translation must be in English "
                         "(are the source and the translation swapped?)", where)


def translation_ids(translations: Sequence[Source]) -> list[str]:
    """Ids from file names (``x.clt.txt`` -> ``clt``, else the stem), Document
    translation ids, or t1, t2, ...; duplicates fall back to t1, t2, ..."""
    ids = []
    for k, t in enumerate(translations, 1):
        tid = None
        if isinstance(t, Document):
            tid = t.translation_id or (Path(t.path).name if t.path else None)
            if tid and not t.translation_id:
                tid = _id_from_name(tid)
        elif isinstance(t, (str, os.PathLike)):
            tid = _id_from_name(Path(t).name)
        ids.append(tid or f"t{k}")
    if len(set(ids)) != len(ids):
        ids = [f"t{k}" for k in range(1, len(ids) + 1)]
    return ids


def _id_from_name(name: str) -> str:
    parts = name.split(".")
    if len(parts) >= 3:  # guobanfa-2016-98.clt.txt
        return parts[-2]
    return parts[0]


def align(source: Source, translations: Sequence[Source] | Mapping[str, Source] | Source, *,
          level: str = "sentence", encoder="use", presegmented: bool = False,
          progress: Callable[..., None] | None = None, **params) -> MultiAlignment:
    """Align a Chinese source with one or more translations.

    ``source`` and each translation: a path, a Document or a list of Segments
    (used as they are). ``translations``: a list (ids from file names, else
    t1, t2...), a dict id -> translation, or a single translation.
    ``presegmented``: one segment per non-empty line, nothing re-split.
    Extra keyword arguments override aligner parameters (see AlignParams).
    """
    from .aligner import align_multi

    if level not in ("sentence", "clause"):
        raise UsageError(f"unknown level {level!r} (choose sentence or clause)")
    if isinstance(translations, Mapping):
        items = dict(translations)
    else:
        if isinstance(translations, (str, os.PathLike, Document)) or (
                isinstance(translations, Sequence) and translations and isinstance(translations[0], Segment)):
            translations = [translations]  # a single translation
        translations = list(translations)
        if not translations:
            raise UsageError("no translation given")
        items = dict(zip(translation_ids(translations), translations))
    check_inputs(source, items)
    src_doc = _document(source, "source")
    check_language(src_doc, "source", "source")
    tgt_docs = {tid: _document(t, f"translation {tid}") for tid, t in items.items()}
    for tid, doc in tgt_docs.items():
        check_language(doc, "translation", f"translation {tid}")
    src = _segments(src_doc, "source", level, presegmented)
    tgts = {tid: _segments(doc, f"translation {tid}", level, presegmented) for tid, doc in tgt_docs.items()}
    multi = align_multi(src, tgts, encoder=encoder, progress=progress, level=level, **params)
    multi.signature["presegmented"] = presegmented
    return multi
