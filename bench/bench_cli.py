"""The command line as users run it: start-up, first run, mac-dev chapter by chapter.

    .venv/bin/python bench/bench_cli.py                   # startup, first, macdev
    .venv/bin/python bench/bench_cli.py startup --repeat 9
    .venv/bin/python bench/bench_cli.py macdev --src /path/to/other/checkout/src
    .venv/bin/python bench/bench_cli.py first --hide Stemmer   # as on a machine without PyStemmer

- ``startup``: a warm 3-sentence ``align pair --encoder use`` (its vectors
  in the cache) against ``python -c "import numpy"``, alternating, ``--repeat``
  times each, medians and their ratio; ``align --help`` likewise.
- ``first``: the same 3-sentence pair with an empty cache folder: the
  CC-CEDICT index, jieba's tag index and the pinyin index are built, the
  USE model loaded (and its cache written).
- ``macdev``: mac-dev as six ``align pair --presegmented`` calls (one per
  chapter, as a user aligns a book chapter by chapter) with a cold cache,
  then the same six calls in one process (``align.cli.main`` six times, a
  cold cache again): the difference is what running as separate commands
  costs (start-up, imports, loading the model and the dictionary sections
  six times).

Every command runs in a subprocess with ``PYTHONPATH`` set to ``--src``
(default: this checkout's ``src``), so two checkouts can be timed in turn on
the same machine. ``--hide NAME`` makes ``import NAME`` fail in them (to time
code as it runs without an optional package, e.g. ``Stemmer``). The machine
is shared: the load average is printed with every figure, and figures should
be compared only within one run. Wall and CPU seconds (user + system, of the
command's process) are printed: on a machine that other work keeps busy, CPU
seconds compare two codes better than wall seconds.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from macdev import DEFAULT_MAC_DEV, ROOT  # noqa: E402

# the second sentence has a comma the clause rule asks the tagger about, so that a first run
# builds every index a real chapter needs (CC-CEDICT, jieba's tags, pinyin)
ZH = "个人诚信体系建设。\n我不肯去参加他们的会议，他就跟我在院子里比武。\n今天天气很好。\n"
EN = "Building a system of individual integrity.\nI would not go to their meeting, so he fought me in the yard.\nThe weather is fine today.\n"

# in-process: the same commands through align.cli.main, one after the other
_IN_PROCESS = """
import sys, time
from align.cli import main
for args in [a.split("\\t") for a in sys.argv[1:]]:
    try:
        main(args)
    except SystemExit as exc:
        if exc.code:
            raise
"""


def _load() -> str:
    return "load {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


class Runner:
    """Runs ``align`` and Python in subprocesses with the chosen code and cache folder."""

    def __init__(self, src: Path, hide: list[str], tmp: Path):
        self.src = src
        self.python = sys.executable
        path = [str(src)]
        if hide:
            shadow = tmp / "hidden"
            shadow.mkdir(exist_ok=True)
            for name in hide:
                (shadow / f"{name}.py").write_text(f"raise ImportError('{name} hidden by bench_cli.py')\n")
            path.insert(0, str(shadow))
        self.env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode cached
        subprocess.run([self.python, "-m", "compileall", "-q", str(src)], capture_output=True, env=self.env)
        self.cpu = 0.0

    def time(self, args: list[str], cache: Path, *, align: bool = True) -> float:
        """Wall seconds of one command; its CPU seconds (user + system) are
        added to ``self.cpu``."""
        cmd = [self.python, "-c", "import sys; sys.argv[0] = 'align'; from align.cli import main; main()", *args] \
            if align else [self.python, *args]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        res = subprocess.run(cmd, capture_output=True, text=True, env={**self.env, "ALIGN_CACHE_DIR": str(cache)})
        took = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu += (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if res.returncode != 0:
            raise SystemExit(f"{' '.join(map(str, args))} failed:\n{res.stderr}")
        return took

    def in_process(self, calls: list[list[str]], cache: Path) -> float:
        return self.time(["-c", _IN_PROCESS, *["\t".join(c) for c in calls]], cache, align=False)


def _median(xs: list[float]) -> str:
    return f"{statistics.median(xs):.3f} s (" + " ".join(f"{x:.2f}" for x in xs) + ")"


def startup(run: Runner, tmp: Path, repeat: int) -> None:
    zh, en = tmp / "s.zh.txt", tmp / "s.en.txt"
    zh.write_text(ZH, encoding="utf-8")
    en.write_text(EN, encoding="utf-8")
    cache = tmp / "warm-cache"
    pair = ["pair", str(zh), str(en), "--encoder", "use"]
    run.time(pair, cache)  # fills the cache: every later call is warm
    run.time(pair, cache)
    times: dict[str, list[float]] = {"pair": [], "numpy": [], "help": []}
    for _ in range(repeat):
        times["pair"].append(run.time(pair, cache))
        times["numpy"].append(run.time(["-c", "import numpy"], cache, align=False))
        times["help"].append(run.time(["--help"], cache))
    ratio = statistics.median(times["pair"]) / statistics.median(times["numpy"])
    print(f"warm 3-sentence `align pair --encoder use`: {_median(times['pair'])}")
    print(f"python -c 'import numpy':                   {_median(times['numpy'])}")
    print(f"  ratio {ratio:.2f} (target <= 4)  {_load()}")
    print(f"`align --help`:                             {_median(times['help'])}")


def first(run: Runner, tmp: Path, repeat: int) -> None:
    zh, en = tmp / "f.zh.txt", tmp / "f.en.txt"
    zh.write_text(ZH, encoding="utf-8")
    en.write_text(EN, encoding="utf-8")
    times, cpus = [], []
    for k in range(repeat):
        run.cpu = 0.0
        times.append(run.time(["pair", str(zh), str(en)], tmp / f"empty-{k}"))
        cpus.append(run.cpu)
    print(f"3-sentence `align pair`, empty cache folder (indexes, model): wall {_median(times)}, "
          f"CPU {_median(cpus)}  {_load()}")


def macdev(run: Runner, tmp: Path, mac_dev: Path) -> None:
    if not (mac_dev / "gold").is_dir():
        print(f"macdev: mac-dev not found at {mac_dev} (--mac-dev PATH); skipped")
        return
    chapters = sorted(p.name for p in (mac_dev / "gold").iterdir())
    calls = [["pair", str(mac_dev / "zh" / c), str(mac_dev / "en" / c), "--presegmented", "-o",
              str(tmp / f"{c}.beads")] for c in chapters]
    cache = tmp / "macdev-cli"
    run.cpu = 0.0
    each = [run.time(c, cache) for c in calls]
    total, cpu = sum(each), run.cpu
    print(f"mac-dev, {len(calls)} `align pair` calls, cold cache: wall {total:.1f} s (" +
          " ".join(f"{x:.1f}" for x in each) + f"), CPU {cpu:.1f} s  {_load()}")
    run.cpu = 0.0
    inproc = run.in_process(calls, tmp / "macdev-inproc")
    inproc_cpu = run.cpu
    print(f"mac-dev, the same calls in one process, cold cache: wall {inproc:.1f} s, CPU {inproc_cpu:.1f} s  {_load()}")
    print(f"  separate commands cost {total - inproc:.1f} s wall, {cpu - inproc_cpu:.1f} s CPU more "
          f"({100 * (cpu - inproc_cpu) / cpu:.0f}% of the CLI's CPU time)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", nargs="*", choices=["startup", "first", "macdev"], default=[])
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="the code to run (PYTHONPATH)")
    ap.add_argument("--hide", action="append", default=[], metavar="MODULE", help="make `import MODULE` fail")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--mac-dev", type=Path, default=DEFAULT_MAC_DEV)
    args = ap.parse_args()
    what = args.what or ["startup", "first", "macdev"]
    print(f"code: {args.src}" + (f", hidden: {', '.join(args.hide)}" if args.hide else "") + f"  {_load()}")
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp_name:
        tmp = Path(tmp_name)
        run = Runner(args.src.resolve(), args.hide, tmp)
        if "startup" in what:
            startup(run, tmp, args.repeat)
        if "first" in what:
            first(run, tmp, max(1, args.repeat // 3))
        if "macdev" in what:
            macdev(run, tmp, args.mac_dev)


if __name__ == "__main__":
    main()
