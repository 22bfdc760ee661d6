"""Where the flags point on 国办发〔2016〕98号 with the bundled glossary (issue
13.3): how many rows carry a flag of their own, how many flags there are by
kind, severity and scope, how often one flag is shown in several rows, and
whether the three real local problems of the document are flagged:

- blog's "19th" for 十八届 (at sentence level the row of source segment 7,
  1-based; ``src`` 6): a number flag;
- clt's omitted clause 组织签署入职信用承诺书和开展信用知识培训活动,培育企业信用文化
  (sentence level: the row of source segments 40-41, ``src`` 39, 40): an
  omission or length flag;
- 金融信用信息基础数据库 named without "credit" (in whichever translation
  does so): a flag of that translation in that row.

    PYTHONPATH=src .venv/bin/python bench/bench_flags.py [--encoder use] [--level sentence] [--list]

It reads only the flags' public fields (``details["scope"]`` absent = a row
flag), so the same script measures older code: point PYTHONPATH at another
checkout. The goal: at most 25 of the 100 rows flagged, the three problems
flagged.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = "guobanfa-2016-98"
GOAL_ROWS = 25
#: the database's English name without "credit" between "financial" and "database"
_DB_WITHOUT_CREDIT = re.compile(r"\bfinancial\b(?:(?!\bcredit)[^.;:])*?\bdatabases?\b", re.IGNORECASE)


def rows_of(multi, flag) -> list[int]:
    """The rows a flag is shown in: its ``group``, else the rows of its
    source segments, else of its target segments (as the report places them)."""
    group = (flag.details or {}).get("group")
    if isinstance(group, int) and not isinstance(group, bool) and 0 <= group < len(multi.groups):
        return [group]
    by_src = {s: gi for gi, g in enumerate(multi.groups) for s in g.src}
    rows = {by_src[s] for s in flag.src if s in by_src}
    if not rows and flag.translation:
        by_tgt = {t: gi for gi, g in enumerate(multi.groups) for t in g.targets.get(flag.translation, ())}
        rows = {by_tgt[t] for t in flag.tgt if t in by_tgt}
    return sorted(rows)


def is_document(flag) -> bool:
    return (flag.details or {}).get("scope") == "document"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    ap.add_argument("--glossary", type=Path, default=ROOT / "glossary.yaml")
    ap.add_argument("--encoder", default="use")
    ap.add_argument("--level", default="sentence")
    ap.add_argument("--list", action="store_true", help="print every flag")
    args = ap.parse_args()
    from align.pipeline import Settings, analyse

    zh = args.data / "zh" / f"{DOC}.txt"
    translations = [args.data / "en" / f"{DOC}.{tid}.txt" for tid in ("clt", "blog")]
    t = time.perf_counter()
    analysis = analyse(zh, translations, settings=Settings(level=args.level, encoder=args.encoder),
                       glossary=args.glossary)
    seconds = time.perf_counter() - t
    multi = analysis.multi
    flags = analysis.all_flags
    local = [f for f in flags if not is_document(f)]
    document = [f for f in flags if is_document(f)]
    placed = {id(f): rows_of(multi, f) for f in local}
    source_rows = [gi for gi, g in enumerate(multi.groups) if g.src]
    flagged = sorted({r for rs in placed.values() for r in rs if multi.groups[r].src})
    shown = sum(len(rs) for rs in placed.values())
    print(f"== {DOC}, {args.level} level, {args.encoder} encoder, {args.glossary.name} ({seconds:.1f}s)")
    print(f"   rows flagged: {len(flagged)} of {len(source_rows)} source rows (goal <= {GOAL_ROWS}): "
          + ", ".join(str(r + 1) for r in flagged))
    print(f"   flags: {len(flags)} ({len(local)} row, {len(document)} document); shown {shown} times in rows, "
          f"{shown - len([f for f in local if placed[id(f)]])} of them repeats")
    print("   by kind (row / document):")
    kinds = Counter((f.kind, "document" if is_document(f) else "row") for f in flags)
    for kind in sorted({k for k, _ in kinds}):
        print(f"     {kind:14} {kinds.get((kind, 'row'), 0):3} / {kinds.get((kind, 'document'), 0):3}")
    print("   by severity (row / document):")
    sev = Counter((f.severity, "document" if is_document(f) else "row") for f in flags)
    for s in ("error", "warning", "info"):
        print(f"     {s:14} {sev.get((s, 'row'), 0):3} / {sev.get((s, 'document'), 0):3}")
    for f in document:
        occ = (f.details or {}).get("occurrences")
        n = len(occ) if occ is not None else "?"
        print(f"   document [{f.severity}] {f.kind}: {f.message} ({n} occurrence{'' if n == 1 else 's'})")

    def flagged_in(row: int, tid: str, kinds: tuple[str, ...] | None = None, text: str | None = None) -> list:
        return [f for f in local if row in placed[id(f)] and f.translation == tid
                and (kinds is None or f.kind in kinds) and (text is None or text in f.message)]

    def row_with(text: str) -> int:
        return next(gi for gi, g in enumerate(multi.groups) if any(text in multi.source[s].text for s in g.src))

    # found by their source text, so that the clause level finds them too
    problems = [("blog 19th for 十八届", row_with("十八届"), "blog", ("number",), "19"),
                ("clt omits 组织签署入职信用承诺书…", row_with("组织签署入职信用承诺书"), "clt", ("omission", "length"), None)]
    for gi, g in enumerate(multi.groups):
        if any("金融信用信息基础数据库" in multi.source[s].text for s in g.src):
            for tid in multi.alignments:
                text = " ".join(multi.alignments[tid].target[j].text for j in g.targets.get(tid, ()))
                if _DB_WITHOUT_CREDIT.search(text):
                    problems.append((f"{tid} 金融信用信息基础数据库 without 'credit' (row {gi + 1})", gi, tid,
                                     ("missing",), "信用信息"))
    print("   the real local problems:")
    for name, row, tid, kinds_, text in problems:
        got = flagged_in(row, tid, kinds_, text)
        others = [f for f in flagged_in(row, tid) if f not in got]
        print(f"     {'FLAGGED' if got else 'MISSED '} {name}, row {row + 1}: "
              + ("; ".join(f"{f.kind} [{f.severity}] {f.message}" for f in got) or "-")
              + (" (also: " + "; ".join(f"{f.kind} [{f.severity}]" for f in others) + ")" if others else ""))
    if args.list:
        for f in sorted(local, key=lambda f: placed[id(f)][:1]):
            print(f"   - rows {[r + 1 for r in placed[id(f)]]} {f.translation} {f.kind} [{f.severity}] {f.message}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
