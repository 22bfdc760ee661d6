"""Shared helpers of the bench scripts: read mac-dev (never copied into the project)."""
from __future__ import annotations

import json
from pathlib import Path

from align.evaluate import read_beads
from align.model import Alignment, Segment

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MAC_DEV = ROOT.parent / "shared" / "bench" / "mac-dev"


def lines_to_segments(lines: list[str], lang: str) -> list[Segment]:
    segs, pos = [], 0
    for i, line in enumerate(lines):
        segs.append(Segment(index=i, text=line, start=pos, end=pos + len(line), lang=lang))
        pos += len(line) + 1
    return segs


def load_chapters(mac_dev: Path) -> dict[str, tuple[list[Segment], list[Segment], list]]:
    if not (mac_dev / "gold").is_dir():
        raise SystemExit(f"mac-dev not found at {mac_dev} (use --mac-dev PATH)")
    out = {}
    for g in sorted((mac_dev / "gold").iterdir()):
        zh = (mac_dev / "zh" / g.name).read_text(encoding="utf-8").splitlines()
        en = (mac_dev / "en" / g.name).read_text(encoding="utf-8").splitlines()
        out[g.name] = (lines_to_segments(zh, "zh"), lines_to_segments(en, "en"), read_beads(g))
    return out


def save_beads(folder: Path, name: str, alignment: Alignment) -> Path:
    """Write one alignment's beads (indices, score, confidence) and signature
    as ``folder/name.json``, for ``same_beads.py`` to compare two runs."""
    folder.mkdir(parents=True, exist_ok=True)
    data = {"beads": [{"src": list(b.src), "tgt": list(b.tgt), "score": b.score, "confidence": b.confidence}
                      for b in alignment.beads],
            "signature": alignment.signature}
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return path
