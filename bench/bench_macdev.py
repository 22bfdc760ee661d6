"""Strict/lax F1 on mac-dev per chapter and micro-averaged, wall time, peak memory.

    .venv/bin/python bench/bench_macdev.py [--mac-dev ../shared/bench/mac-dev]
        [--encoder use] [--cold] [--cache-dir DIR] [--set w_lex=0.2 ...]
        [--write DIR] [--save-beads DIR]

--cold uses a fresh, empty embedding cache (what a first run costs).
--save-beads writes each chapter's beads with their scores and confidences
as DIR/<chapter>.json; bench/same_beads.py compares two such folders.
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

from macdev import DEFAULT_MAC_DEV, load_chapters, save_beads  # noqa: E402


def parse_sets(items: list[str]) -> dict:
    out = {}
    for item in items:
        k, v = item.split("=", 1)
        try:
            out[k] = int(v)
        except ValueError:
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = {"true": True, "false": False}.get(v.lower(), v)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mac-dev", type=Path, default=DEFAULT_MAC_DEV)
    ap.add_argument("--encoder", default="use")
    ap.add_argument("--cold", action="store_true", help="start from an empty embedding cache")
    ap.add_argument("--cache-dir", type=Path, default=None)
    ap.add_argument("--set", nargs="*", default=[], help="aligner parameters, name=value")
    ap.add_argument("--write", type=Path, default=None, help="write predicted bead files to this folder")
    ap.add_argument("--save-beads", type=Path, default=None,
                    help="write beads with scores and confidences as JSON to this folder (see same_beads.py)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    tmp = None
    if args.cold:
        tmp = tempfile.TemporaryDirectory(prefix="align-bench-")
        cache_dir: Path | None = Path(tmp.name)
    else:
        cache_dir = args.cache_dir
    from align.aligner import align_pair
    from align.embed import get_encoder
    from align.evaluate import format_beads, score, score_many

    enc = get_encoder(args.encoder, cache=cache_dir if cache_dir else True)
    chapters = load_chapters(args.mac_dev)
    params = parse_sets(args.set)
    pairs = []
    print(f"{'chapter':8} {'zh':>5} {'en':>5} {'strict':>7} {'lax':>7} {'time':>6}")
    for name, (zh, en, gold) in chapters.items():
        t = time.perf_counter()
        al = align_pair(zh, en, encoder=enc, **params)
        pred = [(b.src, b.tgt) for b in al.beads]
        s = score(gold, pred)
        pairs.append((gold, pred))
        if args.write:
            args.write.mkdir(parents=True, exist_ok=True)
            (args.write / name).write_text(format_beads(al.beads), encoding="utf-8")
        if args.save_beads:
            save_beads(args.save_beads, name, al)
        print(f"{name:8} {len(zh):5d} {len(en):5d} {s.f1_strict:7.4f} {s.f1_lax:7.4f} {time.perf_counter() - t:6.2f}")
    total = score_many(pairs)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'ALL':8} {'':5} {'':5} {total.f1_strict:7.4f} {total.f1_lax:7.4f} {wall:6.2f}")
    print(f"strict P/R/F1 {total.precision_strict:.4f}/{total.recall_strict:.4f}/{total.f1_strict:.4f}  "
          f"lax P/R/F1 {total.precision_lax:.4f}/{total.recall_lax:.4f}/{total.f1_lax:.4f}")
    encoded = getattr(enc, "encoded", None)
    print(f"wall {wall:.2f} s  peak RSS {peak:.0f} MiB  texts encoded {encoded}  "
          f"cache {'cold' if args.cold else 'warm/default'}  load {os.getloadavg()[0]:.2f}")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
