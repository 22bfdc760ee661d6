"""Small builders for hand-made test data (imported by the test modules)."""
from __future__ import annotations

from align.model import Segment


def segments(texts, lang):
    """Segments of ``texts`` as if joined by newlines into one document."""
    out, pos = [], 0
    for i, t in enumerate(texts):
        out.append(Segment(index=i, text=t, start=pos, end=pos + len(t), lang=lang))
        pos += len(t) + 1
    return out


def align_command() -> list[str]:
    """The installed ``align`` console script beside this Python, else the
    same entry point through ``python -c`` (what a user runs, in a subprocess)."""
    import os
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("align")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-c", "import sys; from align.cli import main; sys.argv[0] = 'align'; main()"]
