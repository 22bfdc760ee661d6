"""Glossary checker: find, explain and fix inconsistent term renderings.

``load_glossary(path)`` reads and validates a glossary YAML file;
``check_glossary(multi, glossary)`` finds every glossary term in the source
of a :class:`~align.model.MultiAlignment`, how each translation rendered it,
and flags inconsistent, colliding, off-glossary, missing and divergent
renderings; ``mine_glossary`` bootstraps a draft glossary from an aligned
corpus; ``check_english`` counts the glossary's English renderings in
English-only documents (provincial plans with no Chinese original at hand).
"""
from __future__ import annotations

from .check import GlossaryReport, check_glossary
from .english import EnglishReport, check_english
from .mine import MinedTerm, mine_glossary
from .schema import Discouraged, Entry, Glossary, load_glossary, parse_glossary

__all__ = [
    "Discouraged", "Entry", "Glossary", "GlossaryReport", "EnglishReport", "MinedTerm",
    "check_english", "check_glossary", "load_glossary", "mine_glossary", "parse_glossary",
]
