"""Speed and memory: the 98号 document end to end, a book-sized input, a
20,000-segment pair.

    .venv/bin/python bench/bench_speed.py doc      # 98号 + both translations, warm (run twice)
    .venv/bin/python bench/bench_speed.py book     # mac-dev x4 (~5,900 zh / 7,800 en lines), cold cache,
                                                   # sentences and the clauses inside them (as `align pair`)
    .venv/bin/python bench/bench_speed.py book --no-clauses   # the same, sentences only (align_pair)
    .venv/bin/python bench/bench_speed.py big      # ~20,500 zh / 27,300 en segments: peak memory

Each prints wall time, peak RSS, texts encoded and the load average (the
machine is shared: timings are noisy; run a few times and keep the best).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from macdev import DEFAULT_MAC_DEV, ROOT, load_chapters, lines_to_segments  # noqa: E402


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(what: str, t0: float, enc=None, extra: str = "") -> None:
    encoded = getattr(enc, "encoded", None)
    print(f"{what}: wall {time.perf_counter() - t0:.2f} s  peak RSS {peak_mib():.0f} MiB  "
          f"texts encoded {encoded}  load {os.getloadavg()[0]:.2f}  {extra}")


def doc(args) -> None:
    import align

    t0 = time.perf_counter()
    multi = align.align(ROOT / "data" / "zh" / "guobanfa-2016-98.txt",
                        [ROOT / "data" / "en" / "guobanfa-2016-98.clt.txt",
                         ROOT / "data" / "en" / "guobanfa-2016-98.blog.txt"])
    report("98号 with clt and blog, end to end (segment, encode, align, group)", t0,
           extra=f"{len(multi.source)} source segments, {len(multi.groups)} groups, "
                 + ", ".join(f"{t}: mean conf {a.mean_confidence:.2f}" for t, a in multi.alignments.items()))


def _book(copies: int, unique: bool):
    chapters = load_chapters(args_mac_dev)
    zh, en, gold = [], [], []
    for k in range(copies):
        for zs, es, g in chapters.values():
            oz, oe = len(zh), len(en)
            tag = f" [{k}]" if unique and k else ""
            zh += [s.text + tag for s in zs]
            en += [s.text + tag for s in es]
            gold += [(tuple(i + oz for i in s), tuple(j + oe for j in t)) for s, t in g]
    return lines_to_segments(zh, "zh"), lines_to_segments(en, "en"), gold


def book(args) -> None:
    from align.aligner import align_pair
    from align.embed import get_encoder
    from align.evaluate import score

    zh, en, gold = _book(args.copies, unique=True)
    with tempfile.TemporaryDirectory() as tmp:
        enc = get_encoder("use", cache=Path(tmp))
        t0 = time.perf_counter()
        if args.no_clauses:
            al = align_pair(zh, en, encoder=enc, **args.params)
        else:
            from align.aligner import align_multi

            al = align_multi(zh, {"en": en}, encoder=enc, **args.params).alignments["en"]
        s = score(gold, [(b.src, b.tgt) for b in al.beads])
        extra = f", {len(al.clauses.beads)} clause beads" if al.clauses is not None else ""
        report(f"book {len(zh)} zh / {len(en)} en, cold cache, every line distinct", t0, enc,
               f"strict F1 {s.f1_strict:.4f} lax {s.f1_lax:.4f}{extra}")


def big(args) -> None:
    from align.aligner import align_pair
    from align.embed import get_encoder
    from align.evaluate import score

    zh, en, gold = _book(args.copies, unique=False)
    enc = get_encoder("use")
    t0 = time.perf_counter()
    al = align_pair(zh, en, encoder=enc, **args.params)
    s = score(gold, [(b.src, b.tgt) for b in al.beads])
    report(f"big {len(zh)} zh / {len(en)} en (repeated chapters: each distinct text encoded once)", t0, enc,
           f"strict F1 {s.f1_strict:.4f} lax {s.f1_lax:.4f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["doc", "book", "big"])
    ap.add_argument("--mac-dev", type=Path, default=DEFAULT_MAC_DEV)
    ap.add_argument("--copies", type=int, default=None)
    ap.add_argument("--no-clauses", action="store_true",
                    help="book: align_pair, sentences only (by default align_multi: the clauses inside each "
                         "sentence bead too, as the pipeline and `align pair` do)")
    ap.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE", help="aligner parameters (book, big)")
    args = ap.parse_args()
    args.params = {k: (v.lower() == "true" if v.lower() in ("true", "false") else float(v))
                   for k, v in (x.split("=", 1) for x in args.set)}
    args_mac_dev = args.mac_dev
    if args.copies is None:
        args.copies = {"doc": 1, "book": 4, "big": 14}[args.what]
    {"doc": doc, "book": book, "big": big}[args.what](args)
