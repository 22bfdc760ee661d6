"""A review project of 98号 (both translations, lexical encoder) made once
per test session and copied for each test (imported by the review tests)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from align.pipeline import Settings

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "data/zh/guobanfa-2016-98.txt"
TRANSLATIONS = [REPO / "data/en/guobanfa-2016-98.clt.txt", REPO / "data/en/guobanfa-2016-98.blog.txt"]
LOCAL = "http://127.0.0.1:8765"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    from align.review.service import create_project

    path = tmp_path_factory.mktemp("review") / "template.sqlite"
    create_project(path, SOURCE, TRANSLATIONS, settings=Settings(encoder="lexical")).close()
    return path


@pytest.fixture
def project(template_db, tmp_path) -> Path:
    """A fresh copy of the template project."""
    path = tmp_path / "project.sqlite"
    shutil.copy(template_db, path)
    return path
