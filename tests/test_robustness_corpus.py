"""`align corpus` never loses or damages a user's file (issue 18).

- A corpus manifest cannot make the run write outside ``-o``: document and
  translation ids are checked when the manifest is read (an input error,
  exit 3, naming the manifest and the line of the entry), and every output
  path is checked to lie in the output folder before it is written.
- The workers die with the run: SIGKILL to the parent of ``--workers 2``
  leaves no worker behind (they used to keep writing, then hang); SIGTERM or
  SIGINT to the parent alone stops it within seconds (it used to wait for
  the jobs under way to finish), with no temporary or half-written file and
  no summary.
- ``--scheduler`` with something that is not a Dask address is a usage
  error (exit 2), not an internal one.

The command-line cases run the ``align`` console script in a subprocess on
small corpora built here, with the lexical encoder; each started process is
reaped, also when a test fails.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from builders import align_command, ctrl_c_as_at_a_terminal, run_align

from align.corpus import CorpusJob, JobOptions, check_scheduler, process_job
from align.errors import InputError, UsageError
from align.ingest import load_manifest
from align.ingest.manifest import dump_yaml

REPO = Path(__file__).resolve().parents[1]
ZH = REPO / "data" / "zh" / "guobanfa-2016-98.txt"
EN = REPO / "data" / "en" / "guobanfa-2016-98.clt.txt"

EXIT_USAGE, EXIT_INPUT = 2, 3


# --------------------------------------------------------------------- building corpora

def _file_entry(rel: str, lang: str, doc_id: str, tid: str | None, text: str) -> dict:
    return {
        "path": rel, "lang": lang, "doc_id": doc_id, "translation_id": tid,
        "kind": "original" if lang == "zh" else "translation", "original_in_corpus": lang == "zh" or tid is not None,
        "title": doc_id, "title_origin": "assigned", "reference_number": None, "date": None, "source_url": None,
        "translator": None, "description": "built by the test", "seed": "none.txt", "seed_sha256": "0" * 64,
        "seed_lines": "1-1", "paragraphs": text.count("\n\n") + 1, "lines": text.count("\n"), "chars": len(text),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }


def build_corpus(root: Path, doc_ids=("doc-a", "doc-b"), tids=("clt",), english_only=(), repeat: int = 1,
                 lines: int | None = 12) -> dict:
    """A corpus in ``root``: per doc id a Chinese original (the first ``lines``
    lines of the 98号 document, ``repeat`` times) and one translation per id
    in ``tids``, plus English-only documents; returns the manifest (a dict,
    written to ``root/MANIFEST.yaml``) for tests to change and write again."""
    zh_lines = ZH.read_text(encoding="utf-8").splitlines()
    en_lines = EN.read_text(encoding="utf-8").splitlines()
    if lines is not None:
        zh_lines, en_lines = zh_lines[:lines], en_lines[:lines]
    zh = "\n".join(zh_lines * repeat) + "\n"
    en = "\n".join(en_lines * repeat) + "\n"
    (root / "zh").mkdir(parents=True, exist_ok=True)
    (root / "en").mkdir(exist_ok=True)
    files, pairs, unpaired = [], [], []
    for n, doc in enumerate(doc_ids):
        src = f"zh/src-{n}.txt"
        (root / src).write_text(zh, encoding="utf-8")
        files.append(_file_entry(src, "zh", doc, None, zh))
        translations = {}
        for k, tid in enumerate(tids):
            rel = f"en/tr-{n}-{k}.txt"
            (root / rel).write_text(en, encoding="utf-8")
            files.append(_file_entry(rel, "en", doc, tid, en))
            translations[tid] = rel
        pairs.append({"doc_id": doc, "source": src, "translations": translations})
    for n, doc in enumerate(english_only):
        rel = f"en/only-{n}.txt"
        (root / rel).write_text(en, encoding="utf-8")
        files.append(_file_entry(rel, "en", doc, None, en))
        unpaired.append({"doc_id": doc, "path": rel, "reason": "English only"})
    manifest = {"corpus": "test corpus", "format": "UTF-8", "rules": {}, "files": files, "pairs": pairs,
                "unpaired": unpaired}
    write_manifest(root, manifest)
    return manifest


def write_manifest(root: Path, manifest: dict) -> str:
    text = dump_yaml(manifest)
    (root / "MANIFEST.yaml").write_text(text, encoding="utf-8")
    return text


# --------------------------------------------------------------------- running the CLI

ALIGN = align_command()  # tests/builders.py




def run(args, env, cwd=None, timeout=600) -> subprocess.CompletedProcess:
    return run_align(args, env, cwd=cwd, timeout=timeout)


def error_line(res: subprocess.CompletedProcess, code: int) -> str:
    assert "Traceback" not in res.stderr, res.stderr
    assert res.returncode == code, (res.returncode, res.stderr)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("align: error: "), res.stderr
    return lines[0]


def _snapshot(root: Path, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    """Every file under ``root`` (but under ``skip``) with a hash of its bytes."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and not any(p.is_relative_to(s) for s in skip):
            out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


# --------------------------------------------------------------------- 1. nothing outside -o

BAD_IDS = {
    "parent": "../../escaped",
    "absolute": "/tmp/align-escaped-absolute",
    "separator": "sub/dir",
    "backslash": "sub\\dir",
    "dot-dot-inside": "a..b",
    "leading-dot-dot": "..hidden",
    "hidden": ".hidden",
    "dot": ".",
    "nul": "bad\0id",
    "empty": "",
    "space": "two words",
    "too-long": "x" * 101,
}
PLACES = ["pair-doc-id", "translation-id", "file-doc-id", "file-translation-id", "english-only-doc-id"]


def _put_bad_id(manifest: dict, place: str, bad: str) -> None:
    """Write ``bad`` into one place of the manifest, consistently (so that only the id is wrong)."""
    if place == "pair-doc-id":
        manifest["pairs"][0]["doc_id"] = bad
    elif place == "translation-id":
        pair = manifest["pairs"][0]
        pair["translations"] = {bad: path for path in pair["translations"].values()}
    elif place == "file-doc-id":
        manifest["files"][0]["doc_id"] = bad
    elif place == "file-translation-id":
        manifest["files"][1]["translation_id"] = bad
    elif place == "english-only-doc-id":
        entry = next(f for f in manifest["files"] if f["translation_id"] is None and f["lang"] == "en")
        entry["doc_id"] = bad
    else:  # pragma: no cover
        raise AssertionError(place)


def _line_of(text: str, place: str, bad: str) -> int:
    """Where the test expects the error: the line that holds the bad id."""
    dumped = dump_yaml({"k": bad}).strip()[len("k:"):].strip() if bad else "''"
    key = {"pair-doc-id": "- doc_id: ", "file-doc-id": "doc_id: ", "english-only-doc-id": "doc_id: ",
           "file-translation-id": "translation_id: ", "translation-id": "    "}[place]
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln == "pairs:") if place in ("pair-doc-id", "translation-id") else 0
    for i in range(start, len(lines)):
        ln = lines[i]
        if place == "translation-id":
            if ln.startswith(f"    {dumped}:") or (not bad and ln == "    ? ''"):
                return i + 1
        elif ln.lstrip("- ").startswith(key.strip("- ")) and ln.rstrip().endswith(f" {dumped}"):
            return i + 1
    raise AssertionError(f"{dumped} not found for {place}")


@pytest.mark.parametrize("bad", list(BAD_IDS.values()), ids=list(BAD_IDS))
@pytest.mark.parametrize("place", PLACES)
def test_unsafe_ids_are_refused_when_the_manifest_is_read(tmp_path, place, bad):
    data = tmp_path / "data"
    manifest = build_corpus(data, english_only=("only-1",))
    _put_bad_id(manifest, place, bad)
    text = write_manifest(data, manifest)
    with pytest.raises(InputError) as exc:
        load_manifest(data)
    message = str(exc.value)
    line = _line_of(text, place, bad)
    assert message.startswith(f"{data / 'MANIFEST.yaml'}:{line}: "), (message, line)
    assert repr(bad) in message and ("safe id" in message or "empty" in message or "longer" in message)
    assert "\n" not in message


@pytest.mark.parametrize("good", ["doc-1", "v1.2_final", "A", "9", "国办发-2016-98", "a.b-c_d"])
def test_safe_ids_are_accepted(tmp_path, good):
    data = tmp_path / "data"
    manifest = build_corpus(data)
    _put_bad_id(manifest, "translation-id", good)
    manifest["pairs"][1]["doc_id"] = good
    for f in manifest["files"]:
        if f["doc_id"] == "doc-b":
            f["doc_id"] = good
    write_manifest(data, manifest)
    m = load_manifest(data)
    assert m.pairs[1].doc_id == good and good in m.pairs[0].translations


def test_two_pairs_with_one_doc_id_are_refused(tmp_path):
    data = tmp_path / "data"
    manifest = build_corpus(data)
    manifest["pairs"][1]["doc_id"] = "doc-a"
    text = write_manifest(data, manifest)
    lines = [i + 1 for i, ln in enumerate(text.splitlines()) if ln == "- doc_id: doc-a"]
    with pytest.raises(InputError, match="overwrite each other") as exc:
        load_manifest(data)
    assert str(exc.value).startswith(f"{data / 'MANIFEST.yaml'}:{lines[-1]}: ")
    assert f"line {lines[0]}" in str(exc.value)


CLI_CASES = {
    "pair-parent": ("pair-doc-id", "../../escaped"),
    "pair-absolute": ("pair-doc-id", "ABSOLUTE"),
    "translation-parent": ("translation-id", "../x"),
    "translation-separator": ("translation-id", "a/b"),
    "english-only-leading-dot-dot": ("english-only-doc-id", "../only"),
}


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_cli_corpus_with_an_escaping_id_writes_nothing(tmp_path, env, case):
    """What issue 18 found: such ids wrote beside (or far from) the output
    folder, over whatever was there. Now: exit 3, one line naming the manifest
    and the line, and not a byte written anywhere."""
    place, bad = CLI_CASES[case]
    root = tmp_path / "work"
    data, out = root / "data", root / "deep" / "out"
    manifest = build_corpus(data, english_only=("only-1",))
    if bad == "ABSOLUTE":
        bad = str(root / "victim")
    _put_bad_id(manifest, place, bad)
    text = write_manifest(data, manifest)
    # what the escaping names would have overwritten
    for name in ("escaped.tsv", "escaped.clt.tmx", "victim.tsv", "deep/only.flags.json", "deep/x.tmx"):
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("the user's file\n", encoding="utf-8")
    before = _snapshot(tmp_path, skip=(tmp_path / "cache",))
    res = run(["corpus", data, "-o", out, "--encoder", "lexical", "--workers", "1", "--no-report"], env)
    line = error_line(res, EXIT_INPUT)
    assert f"MANIFEST.yaml:{_line_of(text, place, bad)}: " in line, line
    assert _snapshot(tmp_path, skip=(tmp_path / "cache", out)) == before
    assert not out.exists() or not any(out.iterdir())


def _job(tmp_path: Path, doc_id: str, tid: str = "clt") -> CorpusJob:
    data = tmp_path / "data"
    build_corpus(data, doc_ids=("doc-a",))
    return CorpusJob(doc_id, str(data / "zh" / "src-0.txt"), {tid: str(data / "en" / "tr-0-0.txt")})


@pytest.mark.parametrize("doc_id, tid", [("../escaped", "clt"), ("/tmp/abs-escaped", "clt"), ("ok", "../../x"),
                                         ("ok", "a/b"), ("ok", "x\0y")],
                         ids=["doc-parent", "doc-absolute", "tid-parent", "tid-separator", "tid-nul"])
def test_every_output_path_is_checked_before_writing(tmp_path, doc_id, tid):
    """Jobs made without the manifest (the library API) get the same guard:
    the job fails with an input error, and nothing is written at all."""
    job = _job(tmp_path, doc_id, tid)
    out = tmp_path / "sub" / "out"
    out.mkdir(parents=True)
    before = _snapshot(tmp_path)
    result = process_job(job, str(out), JobOptions(encoder="lexical", report=False))
    assert result.error_code == EXIT_INPUT and "outside the output folder" in result.error, result.error
    assert result.outputs == []
    assert _snapshot(tmp_path) == before


def test_an_output_that_is_a_link_out_of_the_folder_is_not_followed(tmp_path):
    job = _job(tmp_path, "doc-a")
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.tsv"
    victim.write_text("the user's file\n", encoding="utf-8")
    (out / "doc-a.tsv").symlink_to(victim)
    result = process_job(job, str(out), JobOptions(encoder="lexical", report=False))
    assert result.error_code == EXIT_INPUT and "outside the output folder" in result.error
    assert victim.read_text(encoding="utf-8") == "the user's file\n"
    assert (out / "doc-a.tsv").is_symlink()


def test_cli_corpus_with_unicode_and_dotted_ids_works(tmp_path, env):
    data, out = tmp_path / "data", tmp_path / "out"
    build_corpus(data, doc_ids=("国办发-2016", "v1.2_final"), tids=("clt", "blog.v2"), english_only=("only_1",))
    res = run(["corpus", data, "-o", out, "--encoder", "lexical", "--workers", "1", "--no-report", "--json"], env)
    assert res.returncode == 0, res.stderr
    names = {p.name for p in out.iterdir()}
    assert {"国办发-2016.tsv", "国办发-2016.clt.tmx", "v1.2_final.blog.v2.tmx", "only_1.flags.json",
            "summary.json"} <= names
    assert all(p.parent == out for p in out.rglob("*"))


# --------------------------------------------------------------------- 3. --scheduler

@pytest.mark.parametrize("address", ["not a url", "tcp://", "localhost", "tcp://host", "tcp://host:99999",
                                     "http://host:8786", "tcp://ho st:8786", "", "inproc://"])
def test_a_scheduler_that_is_not_an_address_is_a_usage_error(address):
    with pytest.raises(UsageError, match="--scheduler"):
        check_scheduler(address)


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "127.0.0.1:8786", "sched.example.org:8786",
                                     "tls://sched.example.org:8786", "tcp://[::1]:8786", "ws://h:1",
                                     "inproc://10.0.0.1/1234/1", " tcp://localhost:8786 "])
def test_scheduler_addresses_dask_takes(address):
    assert check_scheduler(address) == address.strip()


def test_cli_corpus_scheduler_not_a_url(tmp_path, env):
    data = tmp_path / "data"
    build_corpus(data)
    res = run(["corpus", data, "-o", tmp_path / "out", "--encoder", "lexical", "--scheduler", "not a url"], env)
    line = error_line(res, EXIT_USAGE)
    assert "--scheduler" in line and "'not a url'" in line, line
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------- 2. workers die with the run

@contextlib.contextmanager
def _reaped(proc: subprocess.Popen, children: list):
    """Whatever happens in the block, leave no process running: the parent
    and every worker recorded in ``children`` (psutil processes)."""
    import psutil

    try:
        yield proc
    finally:
        for p in [*children]:
            with contextlib.suppress(psutil.Error):
                p.kill()
        if proc.poll() is None:
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired, ValueError):
            proc.communicate(timeout=30)


def _alive(procs) -> list:
    """The processes still running (a zombie waiting for its reaper has ended)."""
    import psutil

    out = []
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
    return out


def _busy_workers(proc: subprocess.Popen, n: int, cpu_seconds: float = 2.5, timeout: float = 120) -> list:
    """Wait until ``proc`` has at least ``n`` worker processes that each have
    used ``cpu_seconds`` of CPU (past start-up: inside a job); all its
    descendants then."""
    import psutil

    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the run ended before it could be stopped (rc={proc.returncode}): "
                        f"{proc.stderr.read()[-2000:] if proc.stderr else ''}")
        with contextlib.suppress(psutil.Error):
            kids = parent.children(recursive=True)
            busy = [k for k in kids if sum(k.cpu_times()[:2]) >= cpu_seconds]
            if len(busy) >= n:
                return kids
        time.sleep(0.2)
    pytest.fail("the workers did not get to their jobs in time")


def _long_corpus(tmp_path: Path) -> Path:
    """Three pairs whose jobs each take many seconds with the lexical encoder
    (longer than the stop bounds below, so that waiting for them would fail)."""
    data = tmp_path / "data"
    build_corpus(data, doc_ids=("long-a", "long-b", "long-c"), repeat=100, lines=None)
    return data


def _start(data: Path, out: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen([*ALIGN, "corpus", str(data), "-o", str(out), "--encoder", "lexical", "--workers", "2",
                             "--no-report"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=ctrl_c_as_at_a_terminal)


def _assert_no_partial_files(out: Path) -> None:
    """What is in the output folder is whole: no temporary file, no summary
    (the run did not finish), every JSON and JSONL file parses."""
    files = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert not [p for p in files if p.name.endswith(".tmp") or p.name.startswith(".")], files
    assert not (out / "summary.json").exists()
    for p in files:
        text = p.read_text(encoding="utf-8")
        assert text.endswith("\n"), p
        if p.suffix == ".json":
            json.loads(text)
        elif p.suffix == ".jsonl":
            for ln in text.splitlines():
                json.loads(ln)


@pytest.mark.slow
def test_workers_die_when_the_parent_is_killed(tmp_path, env):
    """SIGKILL cannot be caught by the parent: its workers notice that it is
    gone and stop on their own (they used to finish their jobs and then hang,
    holding their memory, for ever)."""
    data, out = _long_corpus(tmp_path), tmp_path / "out"
    proc = _start(data, out, env)
    children: list = []
    with _reaped(proc, children):
        children.extend(_busy_workers(proc, 2))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        deadline = time.monotonic() + 15
        while _alive(children) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = _alive(children)
        assert not left, f"worker processes left running after the parent was killed: {left}"
    assert proc.returncode == -signal.SIGKILL
    _assert_no_partial_files(out)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_to_the_parent_stops_the_run_within_seconds(tmp_path, env, sig):
    """The jobs under way are stopped, not waited for (which took over a
    minute with the neural encoder). The target is under 5 s; the bound here
    is generous for a loaded machine."""
    data, out = _long_corpus(tmp_path), tmp_path / "out"
    proc = _start(data, out, env)
    children: list = []
    with _reaped(proc, children):
        children.extend(_busy_workers(proc, 2))
        sent = time.monotonic()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
        took = time.monotonic() - sent
        assert took < 10, f"took {took:.1f}s to stop"
        deadline = time.monotonic() + 10
        while _alive(children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(children), "worker processes left running"
    assert proc.returncode == (130 if sig == signal.SIGINT else 128 + sig), (proc.returncode, err)
    assert "Traceback" not in err, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and re.match(r"align: error: (interrupted|terminated)", lines[0]), err
    _assert_no_partial_files(out)
