"""CLI commands: check, export, corpus (registered on the app when imported)."""
from __future__ import annotations

from . import app  # noqa: F401
