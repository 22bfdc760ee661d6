"""Glossary mining on 国办发〔2016〕98号: does the draft hold the domain's terms?

    PYTHONPATH=src .venv/bin/python bench/bench_mining.py [--encoder use|lexical] [--first 40]
        [--min-count 3] [--show]

Aligns data/zh/guobanfa-2016-98.txt with its two translations (clt, blog),
mines a draft glossary *without* reading glossary.yaml (as ``align glossary
mine`` does), and measures the draft's first ``--first`` entries:

- **recall**: how many of the bundled glossary.yaml's entries are there with a
  right rendering -- a draft entry whose term is the entry's term or one of
  its aliases, with a preferred or accepted rendering that is one of the
  entry's preferred or accepted renderings (same words, any inflection:
  ``content_key``). Also given over the entries that occur at least
  ``--min-count`` times in the text (the others cannot be mined from it);
- **precision**: the share of those entries a person would keep: the term is
  a term or alias of glossary.yaml or is listed in bench/mining-98-terms.tsv
  (domain terms of 98号, with the English, written by reading the document);
- **诚信**: whether the draft's entry has both translators' renderings,
  clt's *creditworthiness* and blog's *sincerity*, with their counts.

Then the same on the law of another domain in tests/data/mining (npc-law,
two translations): which of its key terms are among the draft's first 60
entries with their official English (``LAW_TERMS``).

``--mac-dev`` (the literary chapters of the hand-aligned dev set, read from
../shared, never copied): each chapter is aligned as ``align`` aligns it
(presegmented; one translation) and mined, and its
first ``--names`` entries are judged by what the translator did: an entry
whose preferred rendering is capitalised inside sentences is a *name* (陈清扬
*Chen Qingyang*, 韦小宝 *Wei Xiaobao*); the entries are printed so that the
rest (things: 片厂 *film studio*) can be read too.

``--no-rare`` leaves out the strings seen fewer than ``--min-count`` times
(what the miner did before it proposed attested rare strings).

Prints wall time of the mining and of the alignment, peak memory and the load average.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
ZH = ROOT / "data" / "zh" / "guobanfa-2016-98.txt"
ENS = [ROOT / "data" / "en" / "guobanfa-2016-98.clt.txt", ROOT / "data" / "en" / "guobanfa-2016-98.blog.txt"]
KEEP = Path(__file__).resolve().parent / "mining-98-terms.tsv"
LAW = ROOT / "tests" / "data" / "mining"
LAW_TERMS = {  # the law's key terms and their official English
    "全国人民代表大会": "National People's Congress",
    "全国人民代表大会常务委员会": "Standing Committee of the National People's Congress",
    "中华人民共和国": "People's Republic of China",
    "人民法院": "people's courts",
    "最高人民法院": "Supreme People's Court",
    "人民检察院": "people's procuratorates",
    "自治区": "autonomous regions",
    "组织法": "organic law",
}


def acceptable() -> set[str]:
    out = set()
    for line in KEEP.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            out.add(line.split("\t")[0].strip())
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encoder", default="use")
    ap.add_argument("--first", type=int, default=40)
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--level", default="sentence", help="sentence or clause (the alignment units)")
    ap.add_argument("--show", action="store_true", help="print the first entries")
    ap.add_argument("--no-rare", action="store_true", help="leave out strings seen fewer than --min-count times")
    ap.add_argument("--mac-dev", type=Path, nargs="?", const=ROOT.parent / "shared" / "bench" / "mac-dev",
                    help="also mine each mac-dev chapter (default ../shared/bench/mac-dev)")
    ap.add_argument("--names", type=int, default=15, help="entries judged per mac-dev chapter")
    args = ap.parse_args(argv)

    from align import pipeline
    from align.glossary import load_glossary, mine_glossary
    from align.glossary.mine import draft_glossary
    from align.glossary.render import content_key

    t0 = time.perf_counter()
    multi = pipeline.run(ZH, ENS, settings=pipeline.Settings(encoder=args.encoder, level=args.level)).multi
    t1 = time.perf_counter()
    mined = mine_glossary(multi, None, min_count=args.min_count, top=args.first, rare=not args.no_rare)
    draft = draft_glossary(mined)
    t2 = time.perf_counter()
    first = draft.entries[: args.first]
    gold = load_glossary(ROOT / "glossary.yaml")
    text = ZH.read_text(encoding="utf-8")

    def right(entry, draft_entry) -> bool:
        want = {content_key(r) for r, st in entry.renderings() if st != "discouraged"}
        have = {content_key(draft_entry.preferred), *(content_key(a) for a in draft_entry.accepted)}
        return bool(want & have)

    found, missed = [], []
    for e in gold.entries:
        hit = next((d for d in first if d.term in e.forms and right(e, d)), None)
        (found if hit else missed).append(e)
    occurring = [e for e in gold.entries if text.count(e.term) >= args.min_count]
    found_occ = [e for e in found if e in occurring]
    keep = acceptable() | {f for e in gold.entries for f in e.forms}
    kept = [d for d in first if d.term in keep]
    cx = next((m for m in mined if m.term == "诚信"), None)
    clt = cx.renderings.get("clt", {}).get("creditworthiness") if cx else None
    blog = cx.renderings.get("blog", {}).get("sincerity") if cx else None
    d_cx = next((d for d in draft.entries if d.term == "诚信"), None)
    both = bool(d_cx and clt and blog and {"creditworthiness", "sincerity"} <= {d_cx.preferred, *d_cx.accepted})

    if args.show:
        for k, d in enumerate(first, 1):
            mark = "+" if d.term in keep else "-"
            print(f"{k:3d} {mark} {d.term}: {d.preferred}" + (f" | {', '.join(d.accepted)}" if d.accepted else ""))
        print()
    print(f"encoder {args.encoder}, {args.level} level, min count {args.min_count}, first {len(first)} entries of {len(draft)}")
    print(f"recall    {len(found)}/{len(gold)} glossary.yaml entries with a right rendering "
          f"({len(found_occ)}/{len(occurring)} of those occurring >= {args.min_count} times)")
    print(f"precision {len(kept)}/{len(first)} = {len(kept) / max(1, len(first)):.2f} (terms a person would keep)")
    print(f"诚信      clt creditworthiness x{clt}, blog sincerity x{blog}: {'both in the entry' if both else 'NOT both'}")
    print("missed    " + ", ".join(f"{e.term}({text.count(e.term)})" for e in missed))
    import os
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the law's alignment
    t3 = time.perf_counter()
    law = pipeline.run(LAW / "npc-law.zh.txt", [LAW / "npc-law.a.txt", LAW / "npc-law.b.txt"],
                       settings=pipeline.Settings(encoder=args.encoder, level=args.level)).multi
    law_first = draft_glossary(mine_glossary(law, None, min_count=args.min_count, top=60,
                                             rare=not args.no_rare)).entries[:60]
    t4 = time.perf_counter()
    got = {d.term: {content_key(d.preferred), *(content_key(a) for a in d.accepted)} for d in law_first}
    law_found = [t for t, en in LAW_TERMS.items() if content_key(en) in got.get(t, set())]
    print(f"law       {len(law_found)}/{len(LAW_TERMS)} key terms with their official English in the first "
          f"{len(law_first)} entries; missed: {', '.join(t for t in LAW_TERMS if t not in law_found) or '-'} "
          f"({t4 - t3:.1f} s)")
    if args.mac_dev:
        literary(args.mac_dev, args.names, args.min_count, not args.no_rare, args.encoder)
    print(f"time      mining {t2 - t1:.1f} s, alignment {t1 - t0:.1f} s; peak RSS {peak:.0f} MiB; "
          f"load {os.getloadavg()[0]:.1f}")
    return 0


def literary(mac_dev: Path, first: int, min_count: int, rare: bool, encoder: str) -> None:
    """Align each mac-dev chapter as ``align`` does (presegmented, sentences
    then clauses), mine it; print its first entries and how many are names
    (a rendering capitalised inside sentences)."""
    from align import pipeline
    from align.glossary import mine_glossary
    from align.glossary.mine import draft_glossary

    if not (mac_dev / "zh").is_dir():
        raise SystemExit(f"mac-dev not found at {mac_dev} (use --mac-dev PATH)")
    names_total = judged = 0
    for zh in sorted((mac_dev / "zh").iterdir()):
        multi = pipeline.run(zh, [mac_dev / "en" / zh.name],
                             settings=pipeline.Settings(encoder=encoder, presegmented=True)).multi
        entries = draft_glossary(mine_glossary(multi, None, min_count=min_count, top=first, rare=rare)).entries
        names = [e for e in entries[:first] if e.preferred[:1].isupper()]
        names_total += len(names)
        judged += len(entries[:first])
        print(f"mac-dev {zh.name}: {len(names)}/{len(entries[:first])} names: "
              + ", ".join(f"{'*' if e in names else ''}{e.term} {e.preferred}" for e in entries[:first]))
    print(f"mac-dev   {names_total}/{judged} of the chapters' first entries are names")


if __name__ == "__main__":
    raise SystemExit(main())
