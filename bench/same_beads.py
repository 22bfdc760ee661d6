"""Do two runs give the same beads? Compares two folders written with
``--save-beads`` (bench_macdev.py, bench_gold.py), subfolders included.

    .venv/bin/python bench/same_beads.py BEFORE AFTER [--tol 1e-9] [--indices-only]

For every file: the same beads in the same order (source and target
indices), scores and confidences equal within ``--tol``, and the same
signature (encoder, level, parameters). With ``--indices-only``, only the
beads' indices (and their order) are compared: for a change that may move
confidences and the signature but no bead (a new calibration). Prints one
line per file that differs and a summary; exits 1 when anything differs (a
file missing on one side included).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def differences(before: dict, after: dict, tol: float, indices_only: bool = False) -> list[str]:
    """What differs between two saved alignments, in words (empty: the same);
    ``indices_only``: the beads' indices alone."""
    out = []
    a, b = before["beads"], after["beads"]
    if len(a) != len(b):
        out.append(f"{len(a)} beads before, {len(b)} after")
    for k, (x, y) in enumerate(zip(a, b)):
        if (x["src"], x["tgt"]) != (y["src"], y["tgt"]):
            out.append(f"bead {k}: {x['src']}:{x['tgt']} before, {y['src']}:{y['tgt']} after")
            break  # the rest is shifted
        for key in () if indices_only else ("score", "confidence"):
            if abs(x[key] - y[key]) > tol:
                out.append(f"bead {k} {x['src']}:{x['tgt']}: {key} {x[key]} before, {y[key]} after")
    if not indices_only and before["signature"] != after["signature"]:
        out.append("signatures differ")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--tol", type=float, default=1e-9, help="largest allowed score/confidence difference")
    ap.add_argument("--indices-only", action="store_true",
                    help="compare the beads' indices only (not scores, confidences, signatures)")
    args = ap.parse_args()
    names = {p.relative_to(args.before) for p in args.before.rglob("*.json")}
    names_after = {p.relative_to(args.after) for p in args.after.rglob("*.json")}
    bad = 0
    beads = 0
    for name in sorted(names | names_after):
        if name not in names or name not in names_after:
            print(f"{name}: only in {args.before if name in names else args.after}")
            bad += 1
            continue
        before = json.loads((args.before / name).read_text(encoding="utf-8"))
        after = json.loads((args.after / name).read_text(encoding="utf-8"))
        beads += len(before["beads"])
        diff = differences(before, after, args.tol, args.indices_only)
        for line in diff:
            print(f"{name}: {line}")
        bad += bool(diff)
    if not names:
        print(f"no saved beads in {args.before}")
        return 1
    print(f"{len(names | names_after)} files, {beads} beads: "
          + ("the same" if not bad else f"{bad} files differ")
          + (" (bead indices only)" if args.indices_only else f" (tolerance {args.tol:g})"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
