"""Clause omission flags: false alarms on the real texts, recall on omissions made by hand.

False alarms: the clause omission flags (``compare.check_clause_omissions``)
on 国办发〔2016〕98号 (clt, blog; ``data/``) and on mac-dev's six chapters
(one segment per line, read from ``--mac-dev`` at run time), listed.

Recall: in each translation, ``--per-text`` source clauses that the aligner
pairs 1:1 with an English clause (clause bead and sentence bead confident,
the source clause at least 6 characters, its sentence of two clauses or
more, at most one per sentence bead), spread evenly over the text, have
their English clause deleted from the translation; the text is aligned
again and each deleted clause counts as caught when a clause omission flag
names its source clause.

Each count is given for three rules (see ``rules``) on the same alignments: ``before``
(1:0 clause beads and the length condition only), ``second`` (with the
dictionary's second opinion on them) and ``after`` (the default settings:
also clauses merged into a neighbour's clause bead that the dictionary
does not find in the row's English).

    PYTHONPATH=src .venv/bin/python bench/bench_clause_omissions.py [--mac-dev DIR] [--per-text 5] [--list]
        [--set clause_omission_unfound_chance=0.05 ...]
"""
from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from macdev import DEFAULT_MAC_DEV, ROOT  # noqa: E402

from align import pipeline  # noqa: E402
from align.compare import CheckSettings, check_clause_omissions  # noqa: E402
from align.model import Document, MultiAlignment  # noqa: E402



def rules(after: CheckSettings) -> dict[str, CheckSettings]:
    """``before``: 1:0 clause beads and the length condition only; ``second``:
    with the dictionary's second opinion on them; ``after``: also clauses
    merged into a neighbour's clause bead."""
    return {"before": dataclasses.replace(after, clause_omission_found_share=2.0, clause_omission_unfound_chance=0.0),
            "second": dataclasses.replace(after, clause_omission_unfound_chance=0.0),
            "after": after}


def parse_sets(items: list[str]) -> dict:
    """``name=value`` pairs of CheckSettings fields, as numbers."""
    out = {}
    for item in items:
        name, value = item.split("=", 1)
        out[name] = float(value) if "." in value or "e" in value else int(value)
    return out
DOC98 = "guobanfa-2016-98"
MIN_CLAUSE_CHARS = 6
MIN_CONFIDENCE = 0.8


@dataclasses.dataclass(frozen=True)
class Text:
    """One source with one translation, and how it is segmented."""

    name: str
    tid: str
    zh: str
    en: str
    presegmented: bool


@dataclasses.dataclass(frozen=True)
class Deletion:
    """The English clause ``tgt_clause`` (text ``english``) of source clause ``src_clause`` deleted."""

    src_clause: int
    tgt_clause: int
    chinese: str
    english: str


def texts(mac_dev: Path, data: Path) -> list[Text]:
    zh98 = (data / "zh" / f"{DOC98}.txt").read_text(encoding="utf-8")
    out = [Text(f"98号 {tid}", tid, zh98, (data / "en" / f"{DOC98}.{tid}.txt").read_text(encoding="utf-8"), False)
           for tid in ("clt", "blog")]
    if not (mac_dev / "zh").is_dir():
        raise SystemExit(f"mac-dev not found at {mac_dev} (use --mac-dev PATH)")
    for f in sorted((mac_dev / "zh").iterdir()):
        out.append(Text(f"mac-dev {f.name}", "en", f.read_text(encoding="utf-8"),
                        (mac_dev / "en" / f.name).read_text(encoding="utf-8"), True))
    return out


def align(text: Text, en: str) -> MultiAlignment:
    return pipeline.align(Document(text.zh, "zh"), {text.tid: Document(en, "en")}, presegmented=text.presegmented)


def _chars(s: str) -> int:
    return sum(1 for c in s if c.isalnum())


def candidates(multi: MultiAlignment, tid: str) -> list[Deletion]:
    """Source clauses paired 1:1 and confidently with an English clause, one per sentence bead."""
    al = multi.alignments[tid]
    ca = al.clauses
    bead_of = {i: b for b in al.beads for i in b.src}
    per_sentence = {}
    for s in ca.source_sentence:
        per_sentence[s] = per_sentence.get(s, 0) + 1
    tgt_per_sentence = {}
    for s in ca.target_sentence:
        tgt_per_sentence[s] = tgt_per_sentence.get(s, 0) + 1
    out, used = [], set()
    for cb in ca.beads:
        if len(cb.src) != 1 or len(cb.tgt) != 1 or cb.confidence < MIN_CONFIDENCE:
            continue
        (c,), (t,) = cb.src, cb.tgt
        sb = bead_of[ca.source_sentence[c]]
        if (id(sb) in used or sb.confidence < MIN_CONFIDENCE or per_sentence[ca.source_sentence[c]] < 2
                or tgt_per_sentence[ca.target_sentence[t]] < 2 or _chars(ca.source[c].text) < MIN_CLAUSE_CHARS
                or ca.source[c].is_heading):
            continue
        used.add(id(sb))
        out.append(Deletion(c, t, ca.source[c].text, ca.target[t].text))
    return out


def spread(items: list, k: int) -> list:
    """``k`` items evenly spaced over the list (all of them when there are fewer)."""
    if len(items) <= k:
        return list(items)
    return [items[int((i + 0.5) * len(items) / k)] for i in range(k)]


def delete(en: str, multi: MultiAlignment, tid: str, deletions: list[Deletion]) -> str:
    """The translation without the English clauses of ``deletions``; where the
    deleted clause ended its sentence, the clause before it takes its final stop."""
    target = multi.alignments[tid].clauses.target
    out = en
    for d in sorted(deletions, key=lambda d: -target[d.tgt_clause].start):
        seg = target[d.tgt_clause]
        assert out[seg.start:seg.end] == seg.text, (seg.start, seg.text)
        before, after = out[:seg.start].rstrip(" "), out[seg.end:]
        stop = re.search(r"[.!?…][\"'”’)]*\s*$", seg.text)
        if stop and re.search(r"[,;:—–-]\s*$", before):
            before = re.sub(r"[,;:—–-]\s*$", stop.group().strip(), before)
        if not before or before.endswith("\n"):
            after = after.lstrip(" ")
        elif after and not after.startswith((" ", "\n")):
            after = " " + after
        out = before + after
    return out


def flagged(multi: MultiAlignment, tid: str, settings: CheckSettings) -> list:
    return [f for f in check_clause_omissions(multi, settings) if f.translation == tid]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mac-dev", type=Path, default=DEFAULT_MAC_DEV)
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    ap.add_argument("--per-text", type=int, default=5, help="clauses deleted per translation")
    ap.add_argument("--list", action="store_true", help="list every flag and every deletion")
    ap.add_argument("--set", nargs="*", default=[], help="CheckSettings fields of the after rule, name=value")
    args = ap.parse_args()
    rule_set = rules(dataclasses.replace(CheckSettings(), **parse_sets(args.set)))
    t0 = time.perf_counter()
    alarms = {r: 0 for r in rule_set}
    caught = {r: 0 for r in rule_set}
    spent = {r: 0.0 for r in rule_set}
    total = 0
    for text in texts(args.mac_dev, args.data):
        multi = align(text, text.en)
        for rule, settings in rule_set.items():
            t1 = time.perf_counter()
            flags = flagged(multi, text.tid, settings)
            spent[rule] += time.perf_counter() - t1
            alarms[rule] += len(flags)
            for f in flags:
                print(f"  {rule:6} {text.name}: {f.message}  dictionary {f.details['dictionary']}")
        chosen = spread(candidates(multi, text.tid), args.per_text)
        if not chosen:
            continue
        cut = align(text, delete(text.en, multi, text.tid, chosen))
        total += len(chosen)
        for rule, settings in rule_set.items():
            hit = {c for f in flagged(cut, text.tid, settings) for c in f.details["clauses"]}
            n = sum(d.src_clause in hit for d in chosen)
            caught[rule] += n
            if args.list or n < len(chosen):
                for d in chosen:
                    mark = "caught" if d.src_clause in hit else "MISSED"
                    print(f"  {rule:6} {text.name} deleted clause {d.src_clause + 1} {mark}: "
                          f"{d.chinese} / {d.english.strip()}")
        print(f"{text.name}: deleted {len(chosen)}; caught (running totals) "
              + ", ".join(f"{r} {caught[r]}" for r in rule_set) + f"; {time.perf_counter() - t0:.0f} s", flush=True)
    print("\nseconds in the check on the unmodified texts: " + ", ".join(f"{r} {spent[r]:.2f}" for r in rule_set))
    print("flags on the unmodified texts: " + ", ".join(f"{r} {alarms[r]}" for r in rule_set))
    print(f"deleted clauses flagged (of {total}): " + ", ".join(f"{r} {caught[r]}" for r in rule_set))


if __name__ == "__main__":
    main()
