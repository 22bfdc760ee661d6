"""The number flags on 国办发〔2016〕98号 against both translations (clt, blog),
by translation and severity and by the kind of value, with every flag listed,
so that false alarms can be counted and tracked (issue 13).

    PYTHONPATH=src .venv/bin/python bench/bench_numbers.py [--encoder lexical] [--level sentence clause]

It reads only the flags' public fields, so the same script measures older code
(point PYTHONPATH at another checkout).
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = "guobanfa-2016-98"


def _kinds(flag) -> str:
    """The kinds of value a number flag is about (date, docno, number, percent, ...)."""
    d = flag.details or {}
    found = sorted({x.get("kind", "?") for key in ("missing", "extra", "source", "target") for x in d.get(key, [])})
    return "+".join(found) or "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    ap.add_argument("--encoder", default="lexical")
    ap.add_argument("--level", nargs="*", default=["sentence", "clause"])
    args = ap.parse_args()
    from align.pipeline import Settings, analyse

    zh = args.data / "zh" / f"{DOC}.txt"
    translations = [args.data / "en" / f"{DOC}.{tid}.txt" for tid in ("clt", "blog")]
    for level in args.level:
        t = time.perf_counter()
        result = analyse(zh, translations, settings=Settings(level=level, encoder=args.encoder))
        numbers = [f for f in result.flags if f.kind == "number"]
        others = Counter(f.kind for f in result.flags if f.kind != "number")
        print(f"== {DOC}, {level} level, {args.encoder} encoder: {len(numbers)} number flag(s) "
              f"({time.perf_counter() - t:.1f}s); other flags: "
              + (", ".join(f"{k} {n}" for k, n in sorted(others.items())) or "none"))
        by_severity = Counter((f.translation, f.severity) for f in numbers)
        for tid in ("clt", "blog"):
            print(f"   {tid:5} " + "  ".join(f"{sev} {by_severity.get((tid, sev), 0)}"
                                           for sev in ("error", "warning", "info")))
        by_kind = Counter((_kinds(f), f.severity) for f in numbers)
        for (kind, sev), n in sorted(by_kind.items()):
            print(f"   {kind:16} {sev:8} {n}")
        for f in numbers:
            print(f"   - {f.translation} src {list(f.src)} tgt {list(f.tgt)} [{f.severity}] {f.message}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
