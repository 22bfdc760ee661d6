"""Scale: time and peak memory of segment + align on a synthetic long pair.

    .venv/bin/python bench/bench_scale.py                      # 2,500 / 5,000 / 10,000 / 20,000, use + lexical
    .venv/bin/python bench/bench_scale.py --sizes 2500,5000 --encoders lexical
    .venv/bin/python bench/bench_scale.py --unique             # every segment a new text (real encoding cost)

The pair is built from real corpus segments: the hand-checked sentence
alignment of 国办发〔2016〕98号 with both translations (tests/data/gold) gives
parallel beads; beads are shuffled (fixed seed) and concatenated until the
Chinese side has N sentences, five beads to a paragraph, and written as
ordinary text files, so each run reads, segments and aligns them like a
user's files. Each size and encoder runs in its own subprocess with a cold
embedding cache in a temporary directory; the subprocess reports its own
peak RSS (``ru_maxrss``), the RSS after imports and model loading (baseline),
and wall times per stage.

Note: the corpus has a few hundred distinct sentences, so with the embedding
cache the neural encoder sees each distinct text once and the timing is
dominated by segmentation and the aligner's search, which is what must
scale linearly. ``--unique`` appends a running number to every sentence so
that the encoder has to encode every segment (slow on 2 cores: about
50 sentences/s with USE).

Prints a table and, between consecutive sizes, the growth exponent
``log(t2/t1) / log(n2/n1)`` (1.0 = linear, 2.0 = quadratic) of time and of
memory above the baseline.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "gold" / "sentence"


def _beads(path: Path) -> list[tuple[list[int], list[int]]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.fullmatch(r"\s*\[([\d,\s]*)\]\s*:\s*\[([\d,\s]*)\]\s*", line)
        if m:
            out.append(tuple([int(x) for x in g.split(",") if x.strip()] for g in m.groups()))
    return out


def bead_pool() -> list[tuple[list[str], list[str]]]:
    """Parallel (Chinese sentences, English sentences) beads from the gold alignments."""
    zh = GOLD.joinpath("zh.txt").read_text(encoding="utf-8").splitlines()
    pool = []
    for tid in ("clt", "blog"):
        en = GOLD.joinpath(f"{tid}.txt").read_text(encoding="utf-8").splitlines()
        for src, tgt in _beads(GOLD / f"{tid}.beads"):
            if src and tgt:
                pool.append(([zh[i] for i in src], [en[j] for j in tgt]))
    return pool


def synthetic_pair(n: int, directory: Path, *, unique: bool = False, seed: int = 0) -> tuple[Path, Path]:
    """Shuffled, concatenated gold beads until the Chinese side has ``n`` sentences."""
    pool = bead_pool()
    rng = random.Random(seed)
    zh_pars, en_pars, zh_par, en_par = [], [], [], []
    count = k = 0
    order: list[int] = []
    while count < n:
        if not order:
            order = list(range(len(pool)))
            rng.shuffle(order)
        src, tgt = pool[order.pop()]
        src, tgt = list(src), list(tgt)
        if unique:
            src[-1] = f"{src[-1]}（第{k}段）"
            tgt[-1] = f"{tgt[-1]} (part {k})"
        zh_par.extend(src)
        en_par.extend(tgt)
        count += len(src)
        k += 1
        if k % 5 == 0:
            zh_pars.append("".join(zh_par))
            en_pars.append(" ".join(en_par))
            zh_par, en_par = [], []
    if zh_par:
        zh_pars.append("".join(zh_par))
        en_pars.append(" ".join(en_par))
    zh_path, en_path = directory / f"synthetic-{n}.zh.txt", directory / f"synthetic-{n}.en.txt"
    zh_path.write_text("\n".join(zh_pars) + "\n", encoding="utf-8")
    en_path.write_text("\n".join(en_pars) + "\n", encoding="utf-8")
    return zh_path, en_path


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def child(zh: str, en: str, encoder_name: str, level: str) -> dict:
    """One measured run (in its own process): read, segment, encode, align."""
    sys.path.insert(0, str(ROOT / "src"))
    from align.aligner import align_pair
    from align.embed import get_encoder
    from align.segment import segment
    from align.textio import read_text

    enc = get_encoder(encoder_name)
    # load the model / dictionary before the clock starts (the baseline memory)
    enc.encode(["预热", "warm-up"])
    segment("预热。", "zh")
    base = _rss_mb()
    t0 = time.perf_counter()
    src = segment(read_text(zh), "zh", level)
    tgt = segment(read_text(en), "en", level)
    t1 = time.perf_counter()
    a = align_pair(src, tgt, encoder=enc)
    t2 = time.perf_counter()
    covered = [i for b in a.beads for i in b.src] == list(range(len(src))) and \
        [j for b in a.beads for j in b.tgt] == list(range(len(tgt)))
    encoded = getattr(enc, "encoded", None)
    return {"n_src": len(src), "n_tgt": len(tgt), "segment_s": t1 - t0, "align_s": t2 - t1, "total_s": t2 - t0,
            "peak_mb": _rss_mb(), "base_mb": base, "beads": len(a.beads), "covered": covered,
            "mean_confidence": a.mean_confidence, "texts_encoded": encoded}


def calibrated_pair(n: int, directory: Path, *, level: str, unique: bool) -> tuple[Path, Path]:
    """A synthetic pair whose Chinese side segments into about ``n`` segments
    (our segmenter cuts the gold sentences a little differently)."""
    sys.path.insert(0, str(ROOT / "src"))
    from align.segment import segment

    target = n
    for _ in range(4):
        zh, en = synthetic_pair(target, directory, unique=unique)
        got = len(segment(zh.read_text(encoding="utf-8"), "zh", level))
        if abs(got - n) <= 0.01 * n:
            break
        target = max(1, round(target * n / got))
    return zh, en


def measure(n: int, encoder: str, level: str, unique: bool, workdir: Path) -> dict:
    zh, en = calibrated_pair(n, workdir, level=level, unique=unique)
    env = dict(os.environ, ALIGN_CACHE_DIR=str(workdir / f"cache-{encoder}-{n}"), HF_HUB_OFFLINE="1")
    proc = subprocess.run([sys.executable, __file__, "--child", str(zh), str(en), encoder, level],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"run n={n} encoder={encoder} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _exponent(a: float, b: float, na: int, nb: int) -> str:
    if a <= 0 or b <= 0:
        return "  -  "
    return f"{math.log(b / a) / math.log(nb / na):5.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="2500,5000,10000,20000")
    ap.add_argument("--encoders", default="use,lexical")
    ap.add_argument("--level", default="sentence", choices=["sentence", "clause"])
    ap.add_argument("--unique", action="store_true", help="make every sentence a distinct text")
    ap.add_argument("--json", action="store_true", help="also print the raw results as JSON")
    ap.add_argument("--child", nargs=4, metavar=("ZH", "EN", "ENCODER", "LEVEL"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    encoders = args.encoders.split(",")
    results = []
    with tempfile.TemporaryDirectory(prefix="align-bench-scale-") as tmp:
        for encoder in encoders:
            for n in sizes:
                r = measure(n, encoder, args.level, args.unique, Path(tmp))
                r.update(encoder=encoder, size=n)
                results.append(r)
                print(f"  {encoder:8} {n:>6}: {r['total_s']:.1f}s, peak {r['peak_mb']:.0f} MB", file=sys.stderr,
                      flush=True)
    print(f"segment + align, {args.level} level, synthetic pair from shuffled gold beads"
          f"{' (every sentence unique)' if args.unique else ''}; cold cache; each run in its own process")
    head = (f"{'encoder':8} {'size':>6} {'src':>6} {'tgt':>6} {'segment s':>9} {'align s':>8} {'total s':>8} "
            f"{'s/1k seg':>8} {'peak MB':>8} {'base MB':>8} {'+MB':>7} {'encoded':>8} {'conf':>5} "
            f"{'cover':>5} {'t-exp':>5} {'m-exp':>5}")
    print(head)
    print("-" * len(head))
    for encoder in encoders:
        prev = None
        for r in (x for x in results if x["encoder"] == encoder):
            extra = r["peak_mb"] - r["base_mb"]
            t_exp = m_exp = "     "
            if prev is not None:
                t_exp = _exponent(prev["total_s"], r["total_s"], prev["n_src"], r["n_src"])
                m_exp = _exponent(prev["peak_mb"] - prev["base_mb"], extra, prev["n_src"], r["n_src"])
            enc = "-" if r["texts_encoded"] is None else str(r["texts_encoded"])
            print(f"{encoder:8} {r['size']:>6} {r['n_src']:>6} {r['n_tgt']:>6} {r['segment_s']:>9.2f} "
                  f"{r['align_s']:>8.2f} {r['total_s']:>8.2f} {1000 * r['total_s'] / r['n_src']:>8.3f} "
                  f"{r['peak_mb']:>8.0f} {r['base_mb']:>8.0f} {extra:>7.0f} {enc:>8} "
                  f"{r['mean_confidence']:>5.2f} {'yes' if r['covered'] else 'NO':>5} {t_exp} {m_exp}")
            prev = r
    print("t-exp / m-exp: growth exponent of time / of memory above the baseline against the previous size "
          "(1 = linear, 2 = quadratic)")
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
