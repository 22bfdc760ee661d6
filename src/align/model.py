"""Plain data types passed between the stages of the pipeline.

raw files --ingest--> Document --segment--> [Segment] --embed--> vectors
--align--> Alignment / MultiAlignment --check--> [Flag] --report/export--> files

Alignment is hierarchical: sentence beads first, then, inside each sentence
bead, clause beads (``Alignment.clauses``, a ClauseAlignment).

Nothing here does I/O or imports a heavy library; every stage takes and
returns these types so that it can be tested with hand-made values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Lang = Literal["zh", "en"]
Level = Literal["sentence", "clause"]


@dataclass(frozen=True)
class Document:
    """A cleaned text in one language.

    ``doc_id`` names the document (``guobanfa-2016-98``); ``translation_id``
    names one translation of it (``chinalawtranslate``) and is ``None`` for an
    original.
    """

    text: str
    lang: Lang
    doc_id: str = ""
    translation_id: str | None = None
    path: str | None = None
    title: str = ""


@dataclass(frozen=True)
class Segment:
    """One sentence or clause, with character offsets into the cleaned text.

    ``text == document.text[start:end]`` always holds. ``marker`` is a
    structural marker found at the start of the segment (``一、``, ``（一）``,
    ``1.``, ``(1)``, ``第一条``, ``I.``); ``marker_kind`` classifies it
    (``chapter``, ``section``, ``item``, ``subitem``, ``article``).
    ``is_heading`` is true for a heading line, which is always a segment of
    its own.
    """

    index: int
    text: str
    start: int
    end: int
    level: Level = "sentence"
    lang: Lang = "zh"
    marker: str | None = None
    marker_kind: str | None = None
    is_heading: bool = False
    paragraph: int = 0


@dataclass(frozen=True)
class Bead:
    """A many-to-many link: source segment indices with target segment indices.

    Either side may be empty (an omission ``[3]:[]`` or an addition
    ``[]:[5]``). Indices are 0-based positions in the segment lists.
    ``score`` is the aligner's raw bead score (higher is better);
    ``confidence`` is calibrated to [0, 1].
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float = 0.0
    confidence: float = 0.0

    @property
    def kind(self) -> str:
        return f"{len(self.src)}:{len(self.tgt)}"


@dataclass(frozen=True)
class ClauseAlignment:
    """The clause beads inside one Alignment's sentence beads.

    ``source`` and ``target`` are the clause segments (``level="clause"``),
    numbered as ``align segment --level clause`` numbers them; each clause
    lies inside one sentence segment: ``source_sentence[i]`` is the index of
    the sentence segment holding source clause ``i`` (``target_sentence``
    likewise). ``beads`` index these clause lists, are in order, cover every
    clause exactly once, and each lies inside one sentence bead (1:0 and 0:1
    where a clause has no counterpart).
    """

    source: tuple[Segment, ...]
    target: tuple[Segment, ...]
    source_sentence: tuple[int, ...]
    target_sentence: tuple[int, ...]
    beads: tuple[Bead, ...]


@dataclass
class Alignment:
    """One source aligned with one translation.

    ``clauses`` holds the clause beads inside the sentence beads, or None
    where they were not computed (an alignment read from an older file).
    """

    source: list[Segment]
    target: list[Segment]
    beads: list[Bead]
    translation_id: str = "target"
    signature: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    clauses: ClauseAlignment | None = None

    @property
    def mean_confidence(self) -> float:
        scored = [b.confidence for b in self.beads if b.src and b.tgt]
        return sum(scored) / len(scored) if scored else 0.0


@dataclass(frozen=True)
class Group:
    """One row of an N-way alignment: a run of source segments and, for each
    translation, the target segments aligned to it (possibly none)."""

    src: tuple[int, ...]
    targets: dict[str, tuple[int, ...]]
    confidence: dict[str, float]


@dataclass
class MultiAlignment:
    """One source with any number of translations, grouped by source segments
    so that all translations of a source clause sit together."""

    source: list[Segment]
    alignments: dict[str, Alignment]
    groups: list[Group]
    signature: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def translation_ids(self) -> list[str]:
        return list(self.alignments)


@dataclass(frozen=True)
class TermHit:
    """A glossary term found in a source segment, and how one translation
    rendered it in the aligned target text (``rendering`` is None when no
    rendering was found)."""

    term: str
    translation: str
    source_segment: int
    source_start: int
    source_end: int
    source_text: str
    target_segments: tuple[int, ...]
    target_text: str
    rendering: str | None
    target_start: int | None = None
    target_end: int | None = None
    matched: str | None = None
    confidence: float = 1.0


@dataclass(frozen=True)
class Verdict:
    """What one translation is, as a whole, to its source.

    ``kind`` is ``clean`` (a translation of the whole source), ``partial``
    (a translation of part of it: ``evidence["missing"]`` names the source
    ranges with no translation) or ``different`` (a different version of
    the text, or a different text). ``message`` says why in one line;
    ``evidence`` holds the figures every signal measured (JSON-ready), and
    ``evidence["findings"]`` the signals that spoke (see :mod:`align.verdict`).
    """

    translation: str
    kind: Literal["clean", "partial", "different"]
    message: str
    evidence: dict = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return self.kind == "clean"

    def warning(self) -> str:
        """The warning line of a verdict that is not clean (``clt: different version? ...``)."""
        return f"{self.translation}: {self.message}"

    def as_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "evidence": self.evidence}


@dataclass(frozen=True)
class Flag:
    """Something an editor should look at.

    ``kind`` is one of ``omission``, ``addition``, ``duplicate``,
    ``untranslated``, ``number``, ``length``, ``low-confidence`` or a glossary
    kind (``inconsistent``, ``collision``, ``off-glossary``, ``missing``,
    ``divergent``). ``src``/``tgt`` are the 0-based indices of the segments to
    look at (the message counts them from 1, as people do).
    ``details["scope"]`` is ``"document"`` for a finding about the whole
    document (no ``src``/``tgt``; its rows in ``details["groups"]``), else
    ``"row"`` (``details["group"]``: the row). ``severity``: ``error`` a likely
    mistake to fix, ``warning`` worth a look, ``info`` an observation.
    """

    kind: str
    message: str
    translation: str | None = None
    src: tuple[int, ...] = ()
    tgt: tuple[int, ...] = ()
    term: str | None = None
    severity: Literal["info", "warning", "error"] = "warning"
    details: dict = field(default_factory=dict)
