"""Our speed as a ratio to Bertalign's algorithm with the same USE encoder, in one run.

    .venv/bin/python bench/bench_ratio.py                # macdev and book
    .venv/bin/python bench/bench_ratio.py macdev --rounds 2
    .venv/bin/python bench/bench_ratio.py book --copies 4

The baseline is ``bench/baselines/bertalign.py`` (Bertalign's published
algorithm and defaults, our USE encoder through align's embedding cache).
Both run as commands, with an empty cache folder of their own (cold: the
USE model cache and the embedding cache start empty), in subprocesses with
``PYTHONPATH`` set to ``--src``:

- ``macdev``: the six mac-dev chapters as six ``align pair --presegmented
  -o`` calls and six ``bertalign.py SRC TGT -o`` calls, interleaved chapter
  by chapter (a load that changes during the run hits both alike); then
  the same six calls of each in one process (``align.cli.main`` and the
  baseline's ``main`` six times, cold again): the difference is what
  separate commands cost. Strict/lax F1 of both against the gold beads.
- ``book``: mac-dev ``--copies`` times (default 4: 5,852 zh / 7,804 en
  lines; each copy's lines tagged `` [k]`` so that every line is a
  distinct text and nothing comes from the cache) written as two files, one
  cold call of each; wall, CPU seconds, peak RSS and F1.

``--installed``: each cache folder first gets a 3-sentence pair of its
own (then its embeddings are deleted), so that what a first run ever
leaves behind is there (the USE model cache, align's dictionary index and
memos) and only the texts are new: a user's second document rather than
the first run on a machine.

Every figure line carries the load average; ratios are baseline / ours on
wall and on CPU seconds (CPU seconds are steadier on a shared machine).
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from macdev import DEFAULT_MAC_DEV, ROOT, load_chapters  # noqa: E402

BASELINE = ROOT / "bench" / "baselines" / "bertalign.py"

# run a command's main in this interpreter and report its peak RSS on stderr
_WRAP = """
import atexit, resource, runpy, sys
atexit.register(lambda: print("PEAK_KIB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr))
what, sys.argv = sys.argv[1], sys.argv[1:]
if what == "align":
    from align.cli import main
    main()
else:
    runpy.run_path(what, run_name="__main__")
"""

# several calls in one process: "align" calls through align.cli.main, else the baseline's main
_IN_PROCESS = """
import sys
from align.cli import main as align_main
sys.path.insert(0, sys.argv[2])
from bertalign import main as baseline_main
for call in sys.argv[3:]:
    args = call.split("\\t")
    if sys.argv[1] == "align":
        try:
            align_main(args)
        except SystemExit as exc:
            if exc.code:
                raise
    else:
        baseline_main(args)
"""


# the second sentence has a comma the clause rule asks the tagger about, so that a first run
# builds every index a real chapter needs (CC-CEDICT, jieba's tags, pinyin)
ZH = "个人诚信体系建设。\n我不肯去参加他们的会议，他就跟我在院子里比武。\n今天天气很好。\n"
EN = "Building a system of individual integrity.\nI would not go to their meeting, so he fought me in the yard.\nThe weather is fine today.\n"


def _load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


@dataclass(frozen=True)
class Run:
    """One subprocess: wall and CPU seconds (user + system), peak RSS."""

    wall: float
    cpu: float
    peak_mib: float


class Runner:
    def __init__(self, src: Path):
        self.env = {**os.environ, "PYTHONPATH": str(src)}
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(src), str(BASELINE.parent)],
                       capture_output=True, env=self.env)

    def run(self, argv: list[str], cache: Path) -> Run:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        res = subprocess.run([sys.executable, *argv], capture_output=True, text=True,
                             env={**self.env, "ALIGN_CACHE_DIR": str(cache)})
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if res.returncode != 0:
            raise SystemExit(f"{' '.join(argv[:4])} ... failed:\n{res.stderr[-3000:]}")
        peaks = [int(line.split()[1]) for line in res.stderr.splitlines() if line.startswith("PEAK_KIB ")]
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return Run(wall, cpu, peaks[-1] / 1024 if peaks else float("nan"))

    def ours(self, args: list[str], cache: Path) -> Run:
        return self.run(["-c", _WRAP, "align", *args], cache)

    def baseline(self, args: list[str], cache: Path) -> Run:
        return self.run(["-c", _WRAP, str(BASELINE), *args, "--cache", str(cache)], cache)

    def prepare(self, tmp: Path, caches: list[Path], baseline_caches: list[Path]) -> None:
        """What a first run leaves in each cache folder, with no embeddings (see --installed)."""
        zh, en = tmp / "warm-up.zh", tmp / "warm-up.en"
        zh.write_text(ZH, encoding="utf-8")
        en.write_text(EN, encoding="utf-8")
        for cache in caches:
            self.ours(["pair", str(zh), str(en), "--presegmented", "-o", str(tmp / "warm-up.beads")], cache)
        for cache in baseline_caches:
            self.baseline([str(zh), str(en), "-o", str(tmp / "warm-up.beads")], cache)
        for cache in caches + baseline_caches:
            for f in cache.glob("embeddings.sqlite*"):
                f.unlink()

    def in_process(self, who: str, calls: list[list[str]], cache: Path) -> Run:
        if who != "align":
            calls = [c + ["--cache", str(cache)] for c in calls]
        return self.run(["-c", _IN_PROCESS, who, str(BASELINE.parent), *["\t".join(c) for c in calls]], cache)


def _f1(gold_pred: list[tuple[list, Path]]) -> str:
    from align.evaluate import read_beads, score_many

    s = score_many([(gold, read_beads(pred)) for gold, pred in gold_pred])
    return f"strict F1 {s.f1_strict:.4f} lax {s.f1_lax:.4f}"


def _ratio(base: Run, ours: Run) -> str:
    return f"ratio {base.wall / ours.wall:.2f}x wall, {base.cpu / ours.cpu:.2f}x CPU"


def macdev(run: Runner, tmp: Path, mac_dev: Path, rounds: int, installed: bool) -> None:
    chapters = load_chapters(mac_dev)
    cold = "cold embeddings, model cache and dictionary index present" if installed else "cold cache"
    for r in range(rounds):
        out = tmp / f"macdev-{r}"
        out.mkdir()
        ours_cache, base_cache = out / "cache-ours", out / "cache-baseline"
        if installed:
            run.prepare(out, [ours_cache, out / "cache-ours-inproc"], [base_cache, out / "cache-baseline-inproc"])
        ours, base = [], []
        for name in chapters:
            zh, en = str(mac_dev / "zh" / name), str(mac_dev / "en" / name)
            ours.append(run.ours(["pair", zh, en, "--presegmented", "-o", str(out / f"{name}.ours")], ours_cache))
            base.append(run.baseline([zh, en, "-o", str(out / f"{name}.base")], base_cache))
        o = Run(sum(x.wall for x in ours), sum(x.cpu for x in ours), max(x.peak_mib for x in ours))
        b = Run(sum(x.wall for x in base), sum(x.cpu for x in base), max(x.peak_mib for x in base))
        gold = [g for _, _, g in chapters.values()]
        print(f"[round {r + 1}] mac-dev, {len(chapters)} CLI calls each, {cold}, interleaved  {_load()}")
        for label, total, each, suffix in (("align pair:", o, ours, "ours"), ("bertalign: ", b, base, "base")):
            f1 = _f1(list(zip(gold, [out / f"{n}.{suffix}" for n in chapters])))
            print(f"  {label} wall {total.wall:6.1f} s  CPU {total.cpu:6.1f} s  peak {total.peak_mib:4.0f} MiB  ("
                  + " ".join(f"{x.wall:.1f}" for x in each) + f")  {f1}")
        print(f"  {_ratio(b, o)}  (target >= 3x)")
        calls_ours = [["pair", str(mac_dev / "zh" / n), str(mac_dev / "en" / n), "--presegmented", "-o",
                       str(out / f"{n}.ours-inproc")] for n in chapters]
        calls_base = [[str(mac_dev / "zh" / n), str(mac_dev / "en" / n), "-o", str(out / f"{n}.base-inproc")]
                      for n in chapters]
        oi = run.in_process("align", calls_ours, out / "cache-ours-inproc")
        bi = run.in_process("baseline", calls_base, out / "cache-baseline-inproc")
        print(f"  the same {len(chapters)} calls in one process, cold: align {oi.wall:.1f} s wall / {oi.cpu:.1f} s CPU, "
              f"bertalign {bi.wall:.1f} s / {bi.cpu:.1f} s; {_ratio(bi, oi)}  {_load()}")
        print(f"  CLI minus in-process: align {o.wall - oi.wall:+.1f} s wall / {o.cpu - oi.cpu:+.1f} s CPU, "
              f"bertalign {b.wall - bi.wall:+.1f} s / {b.cpu - bi.cpu:+.1f} s")


def book(run: Runner, tmp: Path, mac_dev: Path, copies: int, installed: bool) -> None:
    chapters = load_chapters(mac_dev)
    zh, en, gold = [], [], []
    for k in range(copies):
        for zs, es, g in chapters.values():
            oz, oe = len(zh), len(en)
            tag = f" [{k}]" if k else ""
            zh += [s.text + tag for s in zs]
            en += [s.text + tag for s in es]
            gold += [(tuple(i + oz for i in s), tuple(j + oe for j in t)) for s, t in g]
    out = tmp / "book"
    out.mkdir()
    zf, ef = out / "book.zh", out / "book.en"
    zf.write_text("\n".join(zh) + "\n", encoding="utf-8")
    ef.write_text("\n".join(en) + "\n", encoding="utf-8")
    if installed:
        run.prepare(out, [out / "cache-ours"], [out / "cache-baseline"])
    cold = "cold embeddings, model cache and dictionary index present" if installed else "cold cache"
    print(f"book: mac-dev x{copies}, {len(zh)} zh / {len(en)} en lines, every line distinct, one call each, {cold}  "
          f"{_load()}")
    o = run.ours(["pair", str(zf), str(ef), "--presegmented", "-o", str(out / "ours")], out / "cache-ours")
    print(f"  align pair:  wall {o.wall:6.1f} s  CPU {o.cpu:6.1f} s  peak {o.peak_mib:4.0f} MiB (target < 500)  "
          f"{_f1([(gold, out / 'ours')])}  {_load()}")
    b = run.baseline([str(zf), str(ef), "-o", str(out / "base")], out / "cache-baseline")
    print(f"  bertalign:   wall {b.wall:6.1f} s  CPU {b.cpu:6.1f} s  peak {b.peak_mib:4.0f} MiB  "
          f"{_f1([(gold, out / 'base')])}  {_load()}")
    print(f"  {_ratio(b, o)}  (target >= 5x)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", nargs="*", choices=["macdev", "book"], default=[])
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="the code to run (PYTHONPATH)")
    ap.add_argument("--mac-dev", type=Path, default=DEFAULT_MAC_DEV)
    ap.add_argument("--rounds", type=int, default=1, help="mac-dev rounds")
    ap.add_argument("--copies", type=int, default=4, help="mac-dev copies in the book")
    ap.add_argument("--installed", action="store_true",
                    help="cache folders as a first run leaves them, less the embeddings")
    args = ap.parse_args()
    what = args.what or ["macdev", "book"]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"code: {args.src}  usable cores {cores}  ALIGN_THREADS={os.environ.get('ALIGN_THREADS', '(unset)')}  "
          f"{_load()}")
    run = Runner(args.src.resolve())
    with tempfile.TemporaryDirectory(prefix="bench-ratio-") as name:
        tmp = Path(name)
        if "macdev" in what:
            macdev(run, tmp, args.mac_dev, args.rounds, args.installed)
        if "book" in what:
            book(run, tmp, args.mac_dev, args.copies, args.installed)


if __name__ == "__main__":
    main()
