"""The document verdict (align.verdict) and its evidence on genuine pairs and
on pairs built to be partial or different, so that the figures can be tracked.

    .venv/bin/python bench/bench_verdict.py [--encoder use] [--mac-dev ../shared/bench/mac-dev] [--json FILE]

Genuine pairs (each must be clean): 98号 with clt and with blog, the six
mac-dev chapters (presegmented; skipped where mac-dev is absent). Built
pairs: 98号 with the first half of clt, its second half, and clt with its
middle third cut out (partial); 98号 with the Anhui and Hainan plans and the
NDRC notice (other texts built on or about it: different); mac-dev chapters
with another chapter's English (different); the hand-made park law
(tests/data/verdict) with its English, its articles shuffled, shuffled and
renumbered in their new order, and the English of a revision with three new
articles (different, except the shuffled-and-renumbered one, which the
verdict misses: see bench/README.md).

The last lines give the length norm: English characters per Chinese
character of the genuine pairs, their geometric mean and the standard
deviation of the log ratio (align.verdict.NORM_RATIO and NORM_LOG_SD).
"""
from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from macdev import DEFAULT_MAC_DEV, ROOT  # noqa: E402

ZH = ROOT / "data" / "zh" / "guobanfa-2016-98.txt"
EN = ROOT / "data" / "en"
PARK = ROOT / "tests" / "data" / "verdict"


def _write(folder: Path, name: str, lines: list[str]) -> Path:
    path = folder / name
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path


def park_variants(folder: Path) -> dict[str, Path]:
    """The park law's English: as it is, shuffled, shuffled and renumbered, revised."""
    paras = (PARK / "park.en.txt").read_text(encoding="utf-8").split("\n\n")
    arts = [i for i, p in enumerate(paras) if p.startswith("Article ")]
    bodies = [re.sub(r"^Article \d+ ", "", paras[i]) for i in arts]
    order = [2, 0, 3, 9, 4, 8, 1, 5, 7, 6]
    shuffled, renumbered, revised = list(paras), list(paras), []
    for k, i in enumerate(arts):
        shuffled[i] = f"Article {order[k] + 1} {bodies[order[k]]}"
        renumbered[i] = f"Article {k + 1} {bodies[order[k]]}"
    new = ["Park management units shall formulate emergency plans and organize drills regularly.",
           "Parks shall provide barrier-free facilities for the elderly and persons with disabilities.",
           "Commercial activities in parks shall be carried out at locations designated by the park management unit."]
    n = 0
    for p in paras:
        if not p.startswith("Article "):
            revised.append(p)
            continue
        n += 1
        revised.append(f"Article {n} {re.sub(r'^Article [0-9]+ ', '', p)}")
        if n == 4:
            for text in new:
                n += 1
                revised.append(f"Article {n} {text}")
    return {"park": PARK / "park.en.txt",
            "park-shuffled": _write(folder, "park-shuffled.en.txt", ["\n\n".join(shuffled)]),
            "park-renumbered": _write(folder, "park-renumbered.en.txt", ["\n\n".join(renumbered)]),
            "park-revised": _write(folder, "park-revised.en.txt", ["\n\n".join(revised)])}


def cases(folder: Path, mac_dev: Path) -> list[tuple[str, str, Path, Path, bool]]:
    """(name, expected kind, source, translation, presegmented)."""
    clt = (EN / "guobanfa-2016-98.clt.txt").read_text(encoding="utf-8").splitlines()
    n = len(clt)
    out = [("98 clt", "clean", ZH, EN / "guobanfa-2016-98.clt.txt", False),
           ("98 blog", "clean", ZH, EN / "guobanfa-2016-98.blog.txt", False)]
    chapters = sorted(p.name for p in (mac_dev / "zh").iterdir()) if (mac_dev / "zh").is_dir() else []
    out += [(f"mac-dev {c}", "clean", mac_dev / "zh" / c, mac_dev / "en" / c, True) for c in chapters]
    out += [("98 clt first half", "partial", ZH, _write(folder, "half.en.txt", clt[:n // 2]), False),
            ("98 clt second half", "partial", ZH, _write(folder, "tail.en.txt", clt[n // 2:]), False),
            ("98 clt middle third cut", "partial", ZH,
             _write(folder, "hole.en.txt", clt[:n // 3] + clt[2 * n // 3:]), False),
            ("98 x Anhui plan", "different", ZH, EN / "anhui-2018-personal-creditworthiness.txt", False),
            ("98 x Hainan plan", "different", ZH, EN / "hainan-personal-creditworthiness.txt", False),
            ("98 x NDRC notice", "different", ZH, EN / "ndrc-2015-division-of-labour.txt", False)]
    for a, b in (("001", "002"), ("003", "005"), ("006", "004")):
        if a in chapters and b in chapters:
            out.append((f"mac-dev {a} x {b} en", "different", mac_dev / "zh" / a, mac_dev / "en" / b, True))
    park = park_variants(folder)
    out += [("park law", "clean", PARK / "park.zh.txt", park["park"], False),
            ("park law shuffled", "different", PARK / "park.zh.txt", park["park-shuffled"], False),
            ("park law shuffled+renumbered", "different", PARK / "park.zh.txt", park["park-renumbered"], False),
            ("park law revised (+3 articles)", "different", PARK / "park.zh.txt", park["park-revised"], False)]
    return out


def summary(e: dict) -> str:
    """The evidence in one line."""
    s = e["structure"]
    marks = " ".join(f"{k} {v['source']}/{v['target']}" for k, v in s["markers"].items()) or "none"
    miss = ", ".join(f"{m['start']}-{m['end']} ({100 * m['share']:.0f}%, {m['found_by']})" for m in e["missing"])
    return (f"segments {e['segments']['source']}/{e['segments']['target']}  "
            f"length {e['length']['ratio']:.2f}" + (f" (covered {e['length']['covered_ratio']:.2f})"
                                                    if e['length']['covered_ratio'] else "")
            + f"  low-conf {100 * e['confidence']['low_share']:.0f}% of {e['confidence']['rows']}"
            f"  mean {e['confidence']['mean']:.2f}  unaligned {100 * e['unaligned']['share']:.0f}%"
            f"  large beads {e['large_beads']['count']} ({e['large_beads']['largest'] or '-'})"
            f"  markers {marks}  rows agree {s['agree']}/{s['compared_rows']}"
            f"  outline -{s['outline']['source_only']}/+{s['outline']['target_only']}"
            f"  dates added {e['dates']['added_rows']}/{e['dates']['rows']}"
            + (f"  missing {miss}" if miss else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--encoder", default="use")
    ap.add_argument("--mac-dev", type=Path, default=DEFAULT_MAC_DEV)
    ap.add_argument("--json", type=Path, default=None, help="also write every verdict and its evidence here")
    args = ap.parse_args()
    from align import pipeline

    t0 = time.perf_counter()
    ratios: dict[str, float] = {}
    saved = {}
    wrong = 0
    with tempfile.TemporaryDirectory(prefix="align-verdict-") as tmp:
        for name, expected, src, tgt, pre in cases(Path(tmp), args.mac_dev):
            t = time.perf_counter()
            settings = pipeline.Settings(encoder=args.encoder, presegmented=pre)
            analysis = pipeline.run(str(src), [str(tgt)], settings=settings)
            (verdict,) = analysis.verdicts.values()
            ok = verdict.kind == expected
            wrong += not ok
            print(f"{'ok ' if ok else 'NO '} {name:30} {verdict.kind:9} (expected {expected}) "
                  f"{time.perf_counter() - t:5.1f}s")
            print(f"     {verdict.message}")
            print(f"     {summary(verdict.evidence)}")
            saved[name] = {"expected": expected, **verdict.as_dict()}
            if expected == "clean" and not name.startswith("park"):
                ratios[name] = verdict.evidence["length"]["ratio"]
    logs = [math.log(r) for r in ratios.values()]
    if len(logs) >= 2:
        print("\nlength norm from the genuine pairs: " + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
        print(f"geometric mean {math.exp(statistics.mean(logs)):.2f}, sd of the log ratio "
              f"{statistics.stdev(logs):.3f} (align.verdict: NORM_RATIO, NORM_LOG_SD)")
    print(f"\n{len(saved) - wrong} of {len(saved)} as expected, {time.perf_counter() - t0:.1f}s "
          f"(encoder {args.encoder})")
    if args.json:
        args.json.write_text(json.dumps(saved, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
