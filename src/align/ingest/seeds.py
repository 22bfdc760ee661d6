"""The five raw documents the corpus is built from, recognised by content.

A seed is identified by marker strings that occur in its text (after
whitespace normalisation), never by its file name, so a renamed seed still
works. Each spec's markers were checked against all five seeds: every seed
matches exactly one spec.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..textio import read_text
from .rules import normalise_line


@dataclass(frozen=True)
class SeedSpec:
    key: str
    doc_id: str
    translation_id: str | None
    path: str  # relative to the data directory
    markers: tuple[str, ...]
    title: str  # used only when the seed has no title line
    description: str
    translator: str | None = None
    original_path: str | None = None  # the seed also carries the Chinese original


SPECS: tuple[SeedSpec, ...] = (
    SeedSpec(
        key="clt",
        doc_id="guobanfa-2016-98",
        translation_id="clt",
        path="en/guobanfa-2016-98.clt.txt",
        markers=("SGO release No. 98 (2016)", "Guiding Thought."),
        title="Guiding Opinion by the General Office of the State Council on Strengthening the Establishment "
        "of the Personal Creditworthiness System",
        description="China Law Translate's translation of 国办发〔2016〕98号",
        translator="China Law Translate",
    ),
    SeedSpec(
        key="blog",
        doc_id="guobanfa-2016-98",
        translation_id="blog",
        path="en/guobanfa-2016-98.blog.txt",
        markers=("Personal Sincerity System", "国办发〔2016〕98号", "个人诚信体系建设的指导意见"),
        title="Guiding Opinions concerning Strengthening the Construction of a Personal Sincerity System",
        description="a WordPress blog's translation of 国办发〔2016〕98号, followed by the Chinese original",
        original_path="zh/guobanfa-2016-98.txt",
    ),
    SeedSpec(
        key="anhui",
        doc_id="anhui-2018-personal-creditworthiness",
        translation_id=None,
        path="en/anhui-2018-personal-creditworthiness.txt",
        markers=("Anhui Provincial Implementation Plan", "Personal Creditworthiness System"),
        title="Anhui Provincial Implementation Plan for Strengthening the Establishment of the Personal "
        "Creditworthiness System",
        description="English translation of Anhui's implementation plan (2018); Chinese original not in the corpus",
    ),
    SeedSpec(
        key="hainan",
        doc_id="hainan-personal-creditworthiness",
        translation_id=None,
        path="en/hainan-personal-creditworthiness.txt",
        markers=("Hainan Provincial Implementation Plan", "Personal Creditworthiness System"),
        title="Hainan Provincial Implementation Plan for Strengthening the Establishment of the Personal "
        "Creditworthiness System",
        description="English translation of Hainan's implementation plan; Chinese original not in the corpus",
    ),
    SeedSpec(
        key="ndrc",
        doc_id="ndrc-2015-division-of-labour",
        translation_id=None,
        path="en/ndrc-2015-division-of-labour.txt",
        markers=("Social Credit System Construction Plan Outline (2014-2020)", "division of labor"),
        title="Division of Labour on the Tasks of the Social Credit System Construction Plan Outline (2014-2020)",
        description="English translation of the NDRC notice (2015) dividing the tasks of the Social Credit "
        "System Construction Plan Outline among departments; Chinese original not in the corpus",
    ),
)


@dataclass(frozen=True)
class Seed:
    spec: SeedSpec
    path: Path
    text: str
    sha256: str


def _normalised(text: str) -> str:
    return "\n".join(normalise_line(line) for line in text.split("\n"))


def identify(text: str) -> list[SeedSpec]:
    """The specs whose markers all occur in ``text``."""
    norm = _normalised(text)
    return [spec for spec in SPECS if all(marker in norm for marker in spec.markers)]


def seed_files(seeds_dir: Path) -> list[Path]:
    """The candidate seed files: regular, non-hidden files, sorted by name."""
    if not seeds_dir.exists():
        raise InputError("seeds directory not found (give the folder of raw seed files as SEEDS_DIR)", seeds_dir)
    if not seeds_dir.is_dir():
        raise InputError("is not a directory (expected the seeds directory)", seeds_dir)
    files = sorted(p for p in seeds_dir.iterdir() if not p.name.startswith(".") and not p.is_dir())
    if not files:
        raise InputError("seeds directory is empty", seeds_dir)
    return files


def load_seeds(seeds_dir: Path, progress=None) -> list[Seed]:
    """Read and identify every seed; one seed per spec, in SPECS order."""
    found: dict[str, Seed] = {}
    for path in seed_files(seeds_dir):
        text = read_text(path)
        matches = identify(text)
        if not matches:
            known = "; ".join(f"{s.key}: {s.markers[0]!r}" for s in SPECS)
            raise InputError(f"cannot identify this seed: it contains the markers of none of the known "
                             f"documents ({known})", path)
        if len(matches) > 1:
            raise InputError("ambiguous seed: matches " + ", ".join(s.key for s in matches), path)
        spec = matches[0]
        if spec.key in found:
            raise InputError(f"two seeds hold the same document ({spec.key}): {found[spec.key].path.name} "
                             f"and {path.name}", path)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        found[spec.key] = Seed(spec, path, text, sha)
        if progress:
            progress(1)
    missing = [s.key for s in SPECS if s.key not in found]
    if missing:
        raise InputError("no seed found for " + ", ".join(f"{k} ({_spec(k).description})" for k in missing),
                         seeds_dir)
    return [found[s.key] for s in SPECS]


def _spec(key: str) -> SeedSpec:
    return next(s for s in SPECS if s.key == key)
