"""`make bench`: the aligner benches in sequence (each in its own process, so
that peak memory and start-up are per bench). mac-dev is read from
../shared/bench/mac-dev (skipped where it is absent)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from macdev import DEFAULT_MAC_DEV  # noqa: E402

RUNS = [
    (["bench_gold.py"], False),
    (["bench_speed.py", "doc"], False),
    (["bench_macdev.py", "--cold"], True),
    (["bench_macdev.py"], True),
    (["bench_speed.py", "book"], True),
    (["bench_ratio.py"], True),  # against Bertalign's algorithm: about 12 minutes on the 2-core machine
    (["bench_corpus.py"], False),
]

for args, needs_mac_dev in RUNS:
    if needs_mac_dev and not (DEFAULT_MAC_DEV / "gold").is_dir():
        print(f"== {' '.join(args)}: skipped, mac-dev not found at {DEFAULT_MAC_DEV}")
        continue
    print(f"== {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, str(HERE / args[0]), *args[1:]], check=False)
