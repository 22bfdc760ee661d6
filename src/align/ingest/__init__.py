"""Corpus ingest: raw web copies -> clean corpus + translator notes + manifest.

Public API::

    ingest(seeds_dir, data_dir, *, progress=None) -> Manifest
    load_manifest(data_dir) -> Manifest       # .files, .pairs, .unpaired, paths resolved
    default_seeds_dir() / default_data_dir()  # ../shared/seeds and data/ of the repository
    clean_web_copy(raw_text) -> Cleaned       # the boilerplate cleaner alone
    load_notes(path) -> list[dict]
    split_bilingual(text) -> BilingualSplit   # one bilingual file -> .zh, .en, .layout, .dropped
    looks_bilingual(text) -> bool

Corpus files (relative to the data directory)::

    zh/guobanfa-2016-98.txt                    Chinese original (from the end of the blog seed)
    en/guobanfa-2016-98.clt.txt                China Law Translate's translation
    en/guobanfa-2016-98.blog.txt               the competing WordPress-blog translation
    en/anhui-2018-personal-creditworthiness.txt
    en/hainan-personal-creditworthiness.txt
    en/ndrc-2015-division-of-labour.txt
    notes/<file-stem>.notes.yaml               translator comments
    MANIFEST.yaml
"""
from __future__ import annotations

import os
from pathlib import Path

from .manifest import MANIFEST_NAME, CorpusFile, Manifest, Pair, Removal, load_manifest, load_notes
from .pipeline import ingest
from .rules import RULES, Cleaned, clean_web_copy
from .seeds import SPECS, SeedSpec, identify
from .split import BilingualSplit, looks_bilingual, split_bilingual

__all__ = [
    "ingest", "load_manifest", "load_notes", "clean_web_copy", "identify", "default_seeds_dir", "default_data_dir",
    "repo_root", "Manifest", "CorpusFile", "Pair", "Removal", "Cleaned", "SeedSpec", "SPECS", "RULES",
    "MANIFEST_NAME", "split_bilingual", "looks_bilingual", "BilingualSplit",
]


def repo_root() -> Path:
    """The project checkout: the nearest ancestor of this package, or else of
    the working directory, that holds ``pyproject.toml``."""
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for parent in (start, *start.parents):
            if (parent / "pyproject.toml").is_file() and (parent / "src" / "align").is_dir():
                return parent
    return Path.cwd().resolve()


def default_seeds_dir() -> Path:
    """``$ALIGN_SEEDS_DIR`` if set, else ``../shared/seeds`` relative to the
    repository root."""
    env = os.environ.get("ALIGN_SEEDS_DIR")
    if env:
        return Path(env)
    return repo_root().parent / "shared" / "seeds"


def default_data_dir() -> Path:
    return repo_root() / "data"
