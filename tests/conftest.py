"""Shared fixtures: where the repository, the committed corpus and the raw seeds are."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def data_dir(repo_root: Path) -> Path:
    """The committed clean corpus (data/, produced by `align ingest`)."""
    path = repo_root / "data"
    if not (path / "MANIFEST.yaml").is_file():
        pytest.fail("data/MANIFEST.yaml is missing: run `align ingest` and commit data/")
    return path


@pytest.fixture(scope="session")
def seeds_dir(repo_root: Path) -> Path:
    """The raw seeds: $ALIGN_SEEDS_DIR or ../shared/seeds; tests that need them
    are skipped where they are absent (a clone without the shared folder)."""
    path = Path(os.environ.get("ALIGN_SEEDS_DIR") or repo_root.parent / "shared" / "seeds")
    if not path.is_dir():
        pytest.skip(f"raw seeds not found at {path} (set ALIGN_SEEDS_DIR)")
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict:
    """The environment for running ``align`` in a subprocess (tests/builders.cli_env)."""
    from builders import cli_env

    return cli_env(tmp_path / "cache")
