"""Glossary checker: time with 20 vs 5,000 entries on the 98号 corpus.

    .venv/bin/python bench/glossary_scale.py [--encoder use] [--repeat 3]

The alignment is computed once; each timing is a full ``check_glossary`` with
a freshly loaded glossary (Aho-Corasick automaton, jieba user words and the
rendering index are built inside the timing). Big glossaries are the shipped
glossary plus synthetic entries:

- ``absent``: Chinese words from jieba's dictionary that do not occur in the
  source, with two-word English renderings drawn from the translations'
  own vocabulary (so the rendering index has heads that do occur in spans);
- ``present``: the same, but words that DO occur in the source (more
  occurrences to explain: this measures work per occurrence, not per entry).

Prints one line per configuration: entries, occurrences, seconds (median)
for a first check (indexes built) and a second one, RSS.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def jieba_words() -> list[str]:
    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            w = line.split(" ", 1)[0]
            if 2 <= len(w) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in w):
                out.append(w)
    return out


def synthetic(base, n: int, source: str, vocab: list[str], present: bool, seed: int = 0):
    from align.glossary import Glossary
    from align.glossary.schema import Entry

    rng = random.Random(seed)
    known = {f for e in base.entries for f in e.forms}
    words = [w for w in jieba_words() if w not in known and ((w in source) == present)]
    rng.shuffle(words)
    entries = list(base.entries)
    for w in words[: max(0, n - len(entries))]:
        a, b, c = rng.sample(vocab, 3)
        entries.append(Entry(term=w, preferred=f"{a} {b}", accepted=[f"{b} {c}"], discouraged=[c]))
    return Glossary.from_entries(entries[:n], name=f"synthetic-{n}")


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--encoder", default="use")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from align.glossary import check_glossary, load_glossary
    from align.glossary.pipeline import align_files

    zh = ROOT / "data/zh/guobanfa-2016-98.txt"
    ens = [ROOT / "data/en/guobanfa-2016-98.clt.txt", ROOT / "data/en/guobanfa-2016-98.blog.txt"]
    t = time.perf_counter()
    multi = align_files(zh, ens, encoder=args.encoder)
    print(f"alignment ({args.encoder}): {time.perf_counter() - t:.2f} s, {len(multi.groups)} groups")
    shipped = load_glossary(ROOT / "glossary.yaml")
    source = "\n".join(s.text for s in multi.source)
    vocab = sorted({w.lower() for a in multi.alignments.values() for s in a.target
                    for w in re.findall(r"[A-Za-z]{4,}", s.text)})
    check_glossary(multi, shipped)  # warm: jieba dictionary, CC-CEDICT, stemmer caches

    from align.glossary import Glossary

    configs = [("shipped[:20]", lambda: Glossary.from_entries(shipped.entries[:20]))]
    configs.append((f"shipped ({len(shipped)})", lambda: Glossary.from_entries(shipped.entries)))
    for n in (1000, 5000):
        configs.append((f"{n} absent", lambda n=n: synthetic(shipped, n, source, vocab, present=False)))
    configs.append(("5000 present", lambda: synthetic(shipped, 5000, source, vocab, present=True)))
    print("first = a fresh glossary (its automaton, jieba words and rendering index built inside the timing); "
          "again = the same glossary checked again")
    for name, make in configs:
        first, again, occ = [], [], 0
        for _ in range(args.repeat):
            g = make()
            t = time.perf_counter()
            rep = check_glossary(multi, g)
            first.append(time.perf_counter() - t)
            t = time.perf_counter()
            check_glossary(multi, g)
            again.append(time.perf_counter() - t)
            occ = len(rep.occurrences)
        print(f"{name:>16}: {len(g):5d} entries, {occ:5d} occurrences x translations, "
              f"first {statistics.median(first):5.2f} s, again {statistics.median(again):5.2f} s "
              f"(medians of {args.repeat}), RSS {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
