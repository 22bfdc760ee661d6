"""Per-translation figures for the report's summary and the demo's printout."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..model import Flag, MultiAlignment

# Below this calibrated confidence a cell is drawn as doubtful and counted as
# a low-confidence row (the page's slider starts here too).
LOW_CONFIDENCE = 0.35  # the default of align.compare.CheckSettings.low_confidence


@dataclass
class TranslationSummary:
    """How much of the source one translation covers, and how well."""

    translation: str
    source_segments: int
    target_segments: int
    source_covered: int
    target_aligned: int
    mean_confidence: float
    low_confidence_rows: int
    flag_counts: dict[str, int] = field(default_factory=dict)

    @property
    def source_coverage(self) -> float:
        """Share of source segments that have at least one target segment."""
        return self.source_covered / self.source_segments if self.source_segments else 0.0

    @property
    def target_coverage(self) -> float:
        """Share of target segments aligned to some source segment."""
        return self.target_aligned / self.target_segments if self.target_segments else 0.0

    @property
    def flags_total(self) -> int:
        return sum(self.flag_counts.values())

    def as_dict(self) -> dict:
        return {
            "translation": self.translation,
            "source_segments": self.source_segments,
            "target_segments": self.target_segments,
            "source_coverage": round(self.source_coverage, 4),
            "target_coverage": round(self.target_coverage, 4),
            "mean_confidence": round(self.mean_confidence, 4),
            "low_confidence_rows": self.low_confidence_rows,
            "flags": dict(self.flag_counts),
        }


def summarize(multi: MultiAlignment, flags: list[Flag], *, low: float = LOW_CONFIDENCE) -> list[TranslationSummary]:
    """One summary per translation, in the alignment's translation order."""
    n_src = len(multi.source)
    result = []
    for tid in multi.translation_ids:
        n_tgt = len(multi.alignments[tid].target)
        covered: set[int] = set()
        aligned: set[int] = set()
        confs: list[float] = []
        low_rows = 0
        for g in multi.groups:
            tgt = g.targets.get(tid, ())
            if g.src and tgt:
                covered.update(g.src)
                aligned.update(tgt)
                c = g.confidence.get(tid)
                if c is not None:
                    confs.append(c)
                    if c < low:
                        low_rows += 1
        alignment = multi.alignments[tid]
        mean = alignment.mean_confidence if alignment.beads else (sum(confs) / len(confs) if confs else 0.0)
        counts = Counter(f.kind for f in flags if f.translation == tid)
        result.append(TranslationSummary(
            translation=tid, source_segments=n_src, target_segments=n_tgt,
            source_covered=len(covered), target_aligned=len(aligned), mean_confidence=mean,
            low_confidence_rows=low_rows, flag_counts=dict(sorted(counts.items())),
        ))
    return result
