"""``align corpus`` throughput: documents per minute, cold and warm, by ``--workers``.

    .venv/bin/python bench/bench_corpus.py [--data data] [--workers 1 2] [--rounds 2] [--report]

Runs ``align corpus DATA -o OUT --workers W --no-report`` (``--report``:
with the HTML reports) as a command, as users run it: for each worker
count a cold run (an empty cache folder: the dictionary index is built, the
USE model loaded and its cache written, every text encoded) and then a warm
one (the same cache folder again), the worker counts interleaved round by
round so that a changing load hits them alike. Prints wall and CPU seconds
(the command and its workers), documents per minute and the load average.
The bundled corpus (``data/``) is one Chinese original with two
translations and three English-only documents: four jobs.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def run_corpus(src: Path, data: Path, out: Path, cache: Path, workers: int, report: bool) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its workers) of one run."""
    env = {**os.environ, "PYTHONPATH": str(src), "ALIGN_CACHE_DIR": str(cache)}
    cmd = [sys.executable, "-c", "import sys; sys.argv[0] = 'align'; from align.cli import main; main()",
           "corpus", str(data), "-o", str(out), "--workers", str(workers)]
    if not report:
        cmd.append("--no-report")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode not in (0, 1):  # 1: flags found
        raise SystemExit(f"align corpus failed ({res.returncode}):\n{res.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT / "data")
    ap.add_argument("--src", type=Path, default=ROOT / "src")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--report", action="store_true", help="write the HTML reports too")
    args = ap.parse_args()
    sys.path.insert(0, str(args.src))
    from align.corpus import corpus_jobs

    jobs = len(corpus_jobs(args.data))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"align corpus {args.data} ({jobs} jobs), usable cores {cores}, "
          f"{'with' if args.report else 'without'} reports  {_load()}")
    with tempfile.TemporaryDirectory(prefix="bench-corpus-") as name:
        tmp = Path(name)
        for r in range(args.rounds):
            caches = {w: tmp / f"cache-{r}-{w}" for w in args.workers}
            for state in ("cold", "warm"):
                for w in args.workers:
                    wall, cpu = run_corpus(args.src.resolve(), args.data, tmp / f"out-{r}-{w}-{state}", caches[w],
                                              w, args.report)
                    print(f"  round {r + 1} --workers {w} {state}: wall {wall:6.1f} s  CPU {cpu:6.1f} s  "
                          f"{60 * jobs / wall:6.1f} documents/minute  {_load()}")


if __name__ == "__main__":
    main()
