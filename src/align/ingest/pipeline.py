"""ingest(): raw seeds -> clean corpus files, translator notes, manifest.

Everything is computed in memory first and written at the end, each file
atomically, the manifest last: a bad seed leaves ``data/`` untouched, and an
interrupted run never leaves a manifest that names files it did not write.
Output depends only on the seeds' content and names (no dates, no absolute
paths), so running it again reproduces ``data/`` byte for byte.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import InputError, UsageError
from ..textio import write_text
from .manifest import FORMAT, MANIFEST_NAME, Manifest, ManifestModel, dump_yaml, manifest_from_model
from .rules import RULES, Cleaned, Line, clean_web_copy, closing_date, join_broken_title, parse_date, \
    reference_line, render, split_original
from .seeds import Seed, SeedSpec, load_seeds

CORPUS = ("Policy documents on China's personal creditworthiness (social credit) system: the Chinese original "
          "of 国办发〔2016〕98号 with two competing English translations, and three English-only documents")


@dataclass
class _Output:
    rel_path: str
    text: str
    entry: dict
    notes: tuple[str, str] | None = None  # (rel_path, yaml text)


def _title(paragraphs: list[Line], metadata: dict, spec: SeedSpec) -> tuple[str, str]:
    if metadata.get("title"):
        return metadata["title"], "metadata"
    if paragraphs:
        first = paragraphs[0].text
        if len(first) <= 250 and not first.endswith((".", ";", ":", "。", "；", "：")):
            return first, "text"
    return spec.title, "assigned"


def _removals(cleaned: Cleaned) -> list[dict]:
    out = []
    for rule in RULES:
        count = cleaned.counts.get(rule, 0)
        lines = cleaned.removed.get(rule, [])
        if count or lines:
            out.append({"rule": rule, "count": count,
                        "lines": [{"line": ln.no, "text": ln.text} for ln in lines]})
    return out


def _entry(*, spec: SeedSpec, seed: Seed, rel_path: str, lang: str, translation_id: str | None, kind: str,
           paragraphs: list[Line], text: str, cleaned: Cleaned, metadata: dict, notes: str | None,
           original_in_corpus: bool, description: str, translator: str | None) -> dict:
    title, title_origin = _title(paragraphs, metadata, spec)
    date = parse_date(metadata.get("promulgation_date")) or closing_date(paragraphs)
    return {
        "path": rel_path,
        "lang": lang,
        "doc_id": spec.doc_id,
        "translation_id": translation_id,
        "kind": kind,
        "original_in_corpus": original_in_corpus,
        "title": title,
        "title_origin": title_origin,
        "reference_number": metadata.get("reference_number") or reference_line(paragraphs),
        "date": date,
        "source_url": metadata.get("source_url"),
        "translator": translator,
        "description": description,
        "seed": seed.path.name,
        "seed_sha256": seed.sha256,
        "seed_lines": f"{paragraphs[0].no}-{paragraphs[-1].no}",
        "paragraphs": len(paragraphs),
        "lines": text.count("\n"),
        "chars": len(text),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "metadata": dict(metadata),
        "post_title": cleaned.post_title,
        "notes": notes,
        "removed": _removals(cleaned),
    }


def _notes_yaml(rel_path: str, seed: Seed, cleaned: Cleaned) -> str:
    return dump_yaml({
        "file": rel_path,
        "seed": seed.path.name,
        "notes": [{"author": n.author, "post_author": n.post_author, "date": n.date, "seed_lines": n.seed_lines,
                   "text": n.text} for n in cleaned.notes],
    })


def _process(seed: Seed, doc_has_original: set[str]) -> list[_Output]:
    spec = seed.spec
    cleaned = clean_web_copy(seed.text)
    paragraphs = cleaned.lines
    outputs: list[_Output] = []
    if spec.original_path:
        paragraphs, original = split_original(paragraphs)
        if not original:
            raise InputError("expected the Chinese original after the translation, found none", seed.path)
        zh_cleaned = Cleaned(lines=[])
        original = join_broken_title(original, zh_cleaned)
        zh_text = render(original)
        outputs.append(_Output(spec.original_path, zh_text, _entry(
            spec=spec, seed=seed, rel_path=spec.original_path, lang="zh", translation_id=None, kind="original",
            paragraphs=original, text=zh_text, cleaned=zh_cleaned, metadata={}, notes=None,
            original_in_corpus=True, translator=None,
            description=f"Chinese original of {spec.doc_id}, taken from the end of the seed that carries the "
                        f"'{spec.translation_id}' translation")))
    if not paragraphs:
        raise InputError("no text left after removing the web page's boilerplate", seed.path)
    notes_rel = None
    notes_yaml = None
    if cleaned.notes:
        notes_rel = str(PurePosixPath("notes") / f"{PurePosixPath(spec.path).stem}.notes.yaml")
        notes_yaml = _notes_yaml(spec.path, seed, cleaned)
    text = render(paragraphs)
    outputs.append(_Output(spec.path, text, _entry(
        spec=spec, seed=seed, rel_path=spec.path, lang="en", translation_id=spec.translation_id,
        kind="translation", paragraphs=paragraphs, text=text, cleaned=cleaned, metadata=cleaned.metadata,
        notes=notes_rel, original_in_corpus=spec.doc_id in doc_has_original, description=spec.description,
        translator=spec.translator), (notes_rel, notes_yaml) if notes_rel else None))
    return outputs


def build_manifest(outputs: list[_Output]) -> dict:
    files = sorted((o.entry for o in outputs), key=lambda e: (e["lang"] != "zh", e["path"]))
    originals = {e["doc_id"]: e["path"] for e in files if e["kind"] == "original"}
    pairs = []
    for doc_id, source in originals.items():
        translations = {e["translation_id"]: e["path"] for e in files
                        if e["doc_id"] == doc_id and e["kind"] == "translation"}
        pairs.append({"doc_id": doc_id, "source": source, "translations": dict(sorted(translations.items()))})
    unpaired = [{"doc_id": e["doc_id"], "path": e["path"],
                 "reason": "English only: the Chinese original is not in the corpus"}
                for e in files if e["doc_id"] not in originals]
    return {"corpus": CORPUS, "format": FORMAT, "rules": dict(RULES), "files": files, "pairs": pairs,
            "unpaired": unpaired}


def ingest(seeds_dir: str | Path, data_dir: str | Path, *, progress=None) -> Manifest:
    """Turn the raw seeds in ``seeds_dir`` into the clean corpus in ``data_dir``.

    Writes ``zh/``, ``en/``, ``notes/`` and ``MANIFEST.yaml`` under
    ``data_dir`` and returns the manifest. ``progress(n=1, total=None)`` is
    called once per seed read and once per file written. Raises InputError
    for a missing seeds directory, an unreadable or unidentifiable seed, two
    seeds of the same document, or a missing document.
    """
    seeds_dir, data_dir = Path(seeds_dir), Path(data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        raise UsageError("output is not a directory", data_dir)
    seeds = load_seeds(seeds_dir, progress=progress)
    with_original = {s.spec.doc_id for s in seeds if s.spec.original_path}
    outputs = [o for seed in seeds for o in _process(seed, with_original)]
    manifest = build_manifest(outputs)
    model = ManifestModel.model_validate(manifest)  # the schema load_manifest checks
    target = data_dir
    try:
        for o in outputs:
            target = data_dir / o.rel_path
            write_text(target, o.text)
            if o.notes:
                target = data_dir / o.notes[0]
                write_text(target, o.notes[1])
            if progress:
                progress(1)
        target = data_dir / MANIFEST_NAME
        write_text(target, dump_yaml(manifest))
    except OSError as exc:
        raise UsageError(f"cannot write the corpus here ({exc.strerror or exc})", target) from None
    return manifest_from_model(model, data_dir)
