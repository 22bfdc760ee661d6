"""data/MANIFEST.yaml: what each corpus file is, where it came from, and what
the ingest removed from it. Validated with pydantic on load; handed to callers
as plain dataclasses with resolved paths.

Document and translation ids become output file names (``align corpus``
writes ``<doc_id>.<translation_id>.tmx``), so they must be safe ids
(:func:`id_problem`): letters, digits, ``.``, ``_`` and ``-``, starting with
a letter or digit, with no ``..``; no path separator, no NUL, nothing that
could name a file outside the output folder.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InputError
from ..model import Document
from ..textio import read_text

MANIFEST_NAME = "MANIFEST.yaml"
#: a document or translation id: a letter or digit, then letters, digits, '.', '_', '-' (Unicode letters count)
SAFE_ID = re.compile(r"[^\W_][\w.-]*")
MAX_ID_LENGTH = 100
FORMAT = ("UTF-8, LF line endings, Unicode NFC; one paragraph per line, paragraphs (headings included) "
          "separated by one blank line; final newline")


# --------------------------------------------------------------------------
# Schema (pydantic): what the YAML must look like


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RemovedLineModel(_Strict):
    line: int
    text: str


class RemovalModel(_Strict):
    rule: str
    count: int
    lines: list[RemovedLineModel] = Field(default_factory=list)


class FileModel(_Strict):
    path: str
    lang: Literal["zh", "en"]
    doc_id: str
    translation_id: Optional[str]
    kind: Literal["original", "translation"]
    original_in_corpus: bool
    title: str
    title_origin: Literal["text", "metadata", "assigned"]
    reference_number: Optional[str]
    date: Optional[str]
    source_url: Optional[str]
    translator: Optional[str]
    description: str
    seed: str
    seed_sha256: str
    seed_lines: str
    paragraphs: int
    lines: int
    chars: int
    sha256: str
    metadata: dict[str, Optional[str]] = Field(default_factory=dict)
    post_title: Optional[str] = None
    notes: Optional[str] = None
    removed: list[RemovalModel] = Field(default_factory=list)


class PairModel(_Strict):
    doc_id: str
    source: str
    translations: dict[str, str]


class UnpairedModel(_Strict):
    doc_id: str
    path: str
    reason: str


class ManifestModel(_Strict):
    corpus: str
    format: str
    rules: dict[str, str]
    files: list[FileModel]
    pairs: list[PairModel]
    unpaired: list[UnpairedModel] = Field(default_factory=list)


# --------------------------------------------------------------------------
# What callers get


@dataclass(frozen=True)
class Removal:
    rule: str
    count: int
    lines: tuple[tuple[int, str], ...] = ()  # (seed line number, text)


@dataclass(frozen=True)
class CorpusFile:
    """One clean corpus file. ``path`` is absolute; ``rel_path`` is relative
    to the data directory (as written in the manifest)."""

    path: Path
    rel_path: str
    lang: Literal["zh", "en"]
    doc_id: str
    translation_id: str | None
    kind: str
    title: str
    reference_number: str | None
    date: str | None
    source_url: str | None
    seed: str
    seed_sha256: str
    notes: Path | None
    removed: tuple[Removal, ...]
    paragraphs: int
    chars: int
    sha256: str
    translator: str | None = None
    original_in_corpus: bool = False

    def read(self) -> str:
        return read_text(self.path)

    def document(self) -> Document:
        return Document(text=self.read(), lang=self.lang, doc_id=self.doc_id, translation_id=self.translation_id,
                        path=str(self.path), title=self.title)

    def removed_count(self, rule: str) -> int:
        return sum(r.count for r in self.removed if r.rule == rule)


@dataclass(frozen=True)
class Pair:
    """A Chinese original and its translations (by translation id)."""

    doc_id: str
    source: Path
    translations: dict[str, Path]


@dataclass
class Manifest:
    data_dir: Path
    files: list[CorpusFile]
    pairs: list[Pair]
    unpaired: list[tuple[str, Path, str]] = field(default_factory=list)  # (doc_id, path, reason)
    rules: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.data_dir / MANIFEST_NAME

    def file(self, doc_id: str, translation_id: str | None = None, lang: str | None = None) -> CorpusFile:
        """The file of ``doc_id``: the original when ``translation_id`` is None
        and the document has one, else the translation."""
        for f in self.files:
            if f.doc_id == doc_id and f.translation_id == translation_id and (lang is None or f.lang == lang):
                return f
        raise KeyError(f"no corpus file for doc_id={doc_id!r} translation_id={translation_id!r}")

    def document(self, doc_id: str, translation_id: str | None = None) -> Document:
        return self.file(doc_id, translation_id).document()

    def pair(self, doc_id: str) -> Pair:
        for p in self.pairs:
            if p.doc_id == doc_id:
                return p
        raise KeyError(f"no pair for doc_id={doc_id!r}")


# --------------------------------------------------------------------------
# YAML I/O


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data) -> str:
    """Deterministic YAML: keys in insertion order, Unicode as is, block style
    for multi-line strings."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096,
                     default_flow_style=False)


def manifest_from_model(model: ManifestModel, data_dir: Path) -> Manifest:
    data_dir = Path(data_dir).resolve()
    files = [
        CorpusFile(
            path=data_dir / f.path, rel_path=f.path, lang=f.lang, doc_id=f.doc_id, translation_id=f.translation_id,
            kind=f.kind, title=f.title, reference_number=f.reference_number, date=f.date, source_url=f.source_url,
            seed=f.seed, seed_sha256=f.seed_sha256, notes=data_dir / f.notes if f.notes else None,
            removed=tuple(Removal(r.rule, r.count, tuple((ln.line, ln.text) for ln in r.lines)) for r in f.removed),
            paragraphs=f.paragraphs, chars=f.chars, sha256=f.sha256, translator=f.translator,
            original_in_corpus=f.original_in_corpus,
        )
        for f in model.files
    ]
    pairs = [Pair(p.doc_id, data_dir / p.source, {k: data_dir / v for k, v in p.translations.items()})
             for p in model.pairs]
    unpaired = [(u.doc_id, data_dir / u.path, u.reason) for u in model.unpaired]
    return Manifest(data_dir=data_dir, files=files, pairs=pairs, unpaired=unpaired, rules=dict(model.rules))


def id_problem(value: str) -> str | None:
    """Why ``value`` cannot be a document or translation id, or None when it can."""
    if not value:
        return "is empty"
    if len(value) > MAX_ID_LENGTH:
        return f"is longer than {MAX_ID_LENGTH} characters"
    if ".." in value or not SAFE_ID.fullmatch(value):
        return ("is not a safe id (ids become output file names: use letters, digits, '.', '_' and '-', "
                "starting with a letter or digit, without '..')")
    return None


def _ids(model: ManifestModel):
    """(location in the YAML, what it is, id) of every document and translation id."""
    for i, f in enumerate(model.files):
        yield ("files", i, "doc_id"), f"files[{i}].doc_id", f.doc_id
        if f.translation_id is not None:
            yield ("files", i, "translation_id"), f"files[{i}].translation_id", f.translation_id
    for i, p in enumerate(model.pairs):
        yield ("pairs", i, "doc_id"), f"pairs[{i}].doc_id", p.doc_id
        for tid in p.translations:
            yield ("pairs", i, "translations", tid), f"pairs[{i}].translations: the translation id", tid
    for i, u in enumerate(model.unpaired):
        yield ("unpaired", i, "doc_id"), f"unpaired[{i}].doc_id", u.doc_id


def _line(text: str, loc: tuple) -> int | None:
    """The line (1-based) of the YAML entry at ``loc`` (mapping keys and list
    indices from the top; for a key, the line of the key), or None where
    ``loc`` leads nowhere."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    mark = None
    for step in loc:
        if isinstance(node, yaml.MappingNode):
            key, node = next(((k, v) for k, v in node.value if k.value == str(step)), (None, None))
            mark = key.start_mark if key is not None else None
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            mark = node.start_mark
        else:
            node = None
        if node is None:
            return None
    return mark.line + 1 if mark is not None else None


def _where(path: Path, text: str, loc: tuple) -> str:
    """``path:line`` of the entry at ``loc`` (just ``path`` when the line is unknown)."""
    line = _line(text, loc)
    return f"{path}:{line}" if line else str(path)


def load_manifest(data_dir: str | Path) -> Manifest:
    """Read and validate ``data_dir/MANIFEST.yaml``; every path it names must exist.

    Raises InputError (one line, naming the file and, where it can, the line)
    when the manifest is missing, is not YAML, does not match the schema,
    has an id that is not safe in a file name (see :func:`id_problem`), or
    names a missing file.
    """
    data_dir = Path(data_dir)
    path = data_dir / MANIFEST_NAME
    if not data_dir.is_dir():
        raise InputError("data directory not found (run `align ingest` first)", data_dir)
    if not path.exists():
        raise InputError("no manifest here (run `align ingest` first)", path)
    text = read_text(path)
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML ({str(exc).splitlines()[0]})", path) from None
    try:
        model = ManifestModel.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"invalid manifest: {where}: {first['msg']} ({exc.error_count()} error(s))",
                         _where(path, text, tuple(first["loc"]))) from None
    for loc, what, value in _ids(model):
        problem = id_problem(value)
        if problem:
            raise InputError(f"{what} {value!r} {problem}", _where(path, text, loc))
    seen: dict[str, int] = {}
    for i, p in enumerate(model.pairs):
        if p.doc_id in seen:
            first = _line(text, ("pairs", seen[p.doc_id], "doc_id"))
            raise InputError(f"pairs[{i}].doc_id {p.doc_id!r} is the id of another pair too"
                             f"{f' (line {first})' if first else ''}: their outputs would overwrite each other",
                             _where(path, text, ("pairs", i, "doc_id")))
        seen[p.doc_id] = i
    manifest = manifest_from_model(model, data_dir)
    for f in manifest.files:
        for p in (f.path, f.notes):
            if p is not None and not p.is_file():
                raise InputError(f"manifest names a missing file: {p.relative_to(manifest.data_dir)}", path)
    return manifest


def load_notes(path: str | Path) -> list[dict]:
    """The translator notes of a notes file: dicts with author, date, text, ..."""
    raw = yaml.safe_load(read_text(path))
    if not isinstance(raw, dict) or not isinstance(raw.get("notes"), list):
        raise InputError("not a notes file (expected a mapping with a 'notes' list)", path)
    return raw["notes"]
