"""The clause pass alone (aligner/clauses.py ``align_clauses``): its CPU
time on the book (mac-dev x4) or on mac-dev's six chapters, less its
``ClauseSide.block`` preparation, and its clause beads written for a
before/after comparison.

    .venv/bin/python bench/bench_clauses.py book [--rounds 3] [--save FILE] [--cache-dir DIR]
    .venv/bin/python bench/bench_clauses.py macdev [--save FILE]

The sentence alignment and the clause vectors come first (warm cache in
``--cache-dir``, kept between runs); only ``align_clauses`` is timed. With
``--save``, every clause bead (src, tgt, score, confidence) is written as
one JSON line per alignment; two such files compare with ``cmp``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from macdev import DEFAULT_MAC_DEV, load_chapters, lines_to_segments  # noqa: E402


def _book(mac_dev: Path, copies: int):
    zh, en = [], []
    for k in range(copies):
        for zs, es, _ in load_chapters(mac_dev).values():
            tag = f" [{k}]" if k else ""
            zh += [s.text + tag for s in zs]
            en += [s.text + tag for s in es]
    return {"book": (lines_to_segments(zh, "zh"), lines_to_segments(en, "en"))}


def _pairs(args):
    if args.what == "book":
        return _book(args.mac_dev, 4)
    return {name: (zs, es) for name, (zs, es, _) in load_chapters(args.mac_dev).items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["book", "macdev"])
    ap.add_argument("--mac-dev", type=Path, default=DEFAULT_MAC_DEV)
    ap.add_argument("--cache-dir", type=Path, default=Path("/tmp/align-bench-clauses-cache"))
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--save", type=Path, default=None)
    args = ap.parse_args()
    from align.aligner import align_pair
    from align.aligner import clauses as clause_pass
    from align.aligner.clause_units import split_sentences
    from align.embed import get_encoder

    enc = get_encoder("use", cache=args.cache_dir)
    problems = []
    for name, (zh, en) in _pairs(args).items():
        su, tu = split_sentences(zh), split_sentences(en)
        al = align_pair(list(su.sentences), list(tu.sentences), encoder=enc, level="sentence")
        cp = clause_pass.clause_params(enc)
        lexical = clause_pass.wants_lexical(enc, cp)
        problems.append((name, al.beads, clause_pass.encode_side(su, enc, lexical=lexical),
                         clause_pass.encode_side(tu, enc, lexical=lexical), cp))

    block_cpu = 0.0
    plain_block = clause_pass.ClauseSide.block

    def timed_block(self, *a, **kw):
        nonlocal block_cpu
        t = time.process_time()
        try:
            return plain_block(self, *a, **kw)
        finally:
            block_cpu += time.process_time() - t

    clause_pass.ClauseSide.block = timed_block
    out = {}
    for r in range(args.rounds):
        block_cpu = 0.0
        t0, c0 = time.perf_counter(), time.process_time()
        for name, beads, src, tgt, cp in problems:
            out[name] = clause_pass.align_clauses(beads, src, tgt, params=cp, encoder=enc)
        cpu = time.process_time() - c0
        print(f"{args.what} round {r + 1}: align_clauses wall {time.perf_counter() - t0:.2f} s, CPU {cpu:.2f} s, "
              f"of which ClauseSide.block {block_cpu:.2f} s: the clause pass {cpu - block_cpu:.2f} s CPU; "
              f"{sum(len(ca.beads) for ca in out.values())} clause beads, load {os.getloadavg()[0]:.2f}")
    if args.save:
        with args.save.open("w", encoding="utf-8") as f:
            for name, ca in out.items():
                f.write(json.dumps({"name": name, "beads": [[list(b.src), list(b.tgt), b.score, b.confidence]
                                                            for b in ca.beads]}) + "\n")


if __name__ == "__main__":
    main()
