"""Batch over a corpus: align, check, export (and report) every document pair
declared in the corpus manifest, in parallel over pairs.

By default the pairs run in a local process pool (one worker per pair, at
most one per core; a corpus of one pair runs in this process); with
``scheduler="tcp://HOST:PORT"`` the same jobs run on a Dask distributed
cluster (the workers must be able to import ``align`` and read ``data_dir``
and write ``out_dir`` at the same paths: a shared file system). English-only
documents (no Chinese original in the corpus) get the checks that need no
source (untranslated Chinese) and are listed in the summary.

Outputs in ``out_dir``, per pair ``<doc>``: ``<doc>.tsv``, ``<doc>.jsonl``,
``<doc>.<translation>.tmx``, ``<doc>.html`` (when the report module is
present), and for every document ``<doc>.flags.json``; plus
``summary.json`` for the corpus. Every file is written atomically, and
``summary.json`` holds no timings, so two runs give identical files.

Nothing is written outside ``out_dir``: the manifest's ids must be safe in
file names (``align.ingest.manifest.id_problem``), and every output path is
checked to lie in ``out_dir`` before it is written.

The pool's workers do not outlive the run: stopping it (Ctrl-C, SIGTERM to
this process, an error) stops the jobs under way within seconds, their
``finally`` blocks removing temporary files; a worker whose parent is gone
(killed with SIGKILL) stops the same way on its own (see
:func:`_watch_parent`).
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import sys
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from .errors import AlignError, InputError, UsageError, show_warnings

__all__ = ["CorpusJob", "DocResult", "CorpusSummary", "corpus_jobs", "run_corpus", "process_job", "check_scheduler",
           "SUMMARY_NAME"]

SUMMARY_NAME = "summary.json"
#: how long to wait for a Dask scheduler to answer
DASK_CONNECT_TIMEOUT = "20s"


@dataclass(frozen=True)
class CorpusJob:
    """One unit of work: a Chinese original with its translations, or (with
    ``source=None``) one English text with no original in the corpus."""

    doc_id: str
    source: str | None
    translations: dict[str, str]


@dataclass(frozen=True)
class JobOptions:
    encoder: str = "use"
    level: str = "sentence"
    glossary: str | None = None
    report: bool = True


@dataclass
class DocResult:
    """What one job produced: flags (as dicts), their counts per translation
    and kind, the files written, or the one-line error that stopped it."""

    doc_id: str
    source: str | None
    translations: dict[str, str]
    flags: list[dict] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    groups: int = 0
    mean_confidence: dict[str, float] = field(default_factory=dict)
    #: per translation, its verdict (align.verdict: kind, message, evidence)
    verdicts: dict[str, dict] = field(default_factory=dict)
    error: str | None = None
    error_code: int = 0
    seconds: float = 0.0

    @property
    def english_only(self) -> bool:
        return self.source is None

    def to_dict(self, *, timings: bool = False) -> dict:
        d = asdict(self)
        d["english_only"] = self.english_only
        if not timings:
            d.pop("seconds")
        return d


@dataclass
class CorpusSummary:
    data_dir: str
    out_dir: str
    documents: list[DocResult]
    workers: int
    scheduler: str | None
    options: dict
    seconds: float = 0.0

    @property
    def failed(self) -> list[DocResult]:
        return [d for d in self.documents if d.error]

    @property
    def exit_code(self) -> int:
        """0 when every job ran; otherwise the exit code of the first failure's class."""
        return next((d.error_code for d in self.documents if d.error), 0)

    def counts(self) -> dict[str, int]:
        """Flags per kind over the whole corpus."""
        total: dict[str, int] = {}
        for d in self.documents:
            for per in d.counts.values():
                for kind, n in per.items():
                    total[kind] = total.get(kind, 0) + n
        return dict(sorted(total.items()))

    def rows(self) -> list[dict]:
        """One row per file that got flags or was checked: which file had which flags."""
        out = []
        for d in self.documents:
            files = d.translations if d.translations else {}
            for tid, path in files.items():
                out.append({"doc_id": d.doc_id, "translation": tid, "file": path,
                            "counts": d.counts.get(tid, {}), "total": sum(d.counts.get(tid, {}).values()),
                            "mean_confidence": d.mean_confidence.get(tid),
                            "verdict": (d.verdicts.get(tid) or {}).get("kind"), "error": d.error,
                            "english_only": d.english_only})
            if d.counts.get(""):  # flags about how the translations differ from each other
                out.append({"doc_id": d.doc_id, "translation": "(all)", "file": d.source or "",
                            "counts": d.counts[""], "total": sum(d.counts[""].values()),
                            "mean_confidence": None, "verdict": None, "error": None, "english_only": False})
        return out

    def to_dict(self, *, timings: bool = False) -> dict:
        d = {
            "data_dir": self.data_dir,
            "options": self.options,
            "documents": [doc.to_dict(timings=timings) for doc in self.documents],
            "files": self.rows(),
            "counts": self.counts(),
            "failed": [doc.doc_id for doc in self.failed],
        }
        if timings:
            d.update(seconds=round(self.seconds, 3), workers=self.workers, scheduler=self.scheduler)
        return d


# --------------------------------------------------------------------------- the manifest

#: translation id given to an English-only document (it has no original to be a translation of)
ENGLISH_ONLY_ID = "en"


def corpus_jobs(data_dir: str | os.PathLike) -> list[CorpusJob]:
    """The jobs of a corpus (``align.ingest.load_manifest``): one per manifest
    pair, in manifest order, then one per English file that belongs to no
    pair, sorted by path. Paths are absolute."""
    from .ingest import load_manifest

    data = Path(data_dir)
    if not data.is_dir():
        raise InputError("no such corpus directory" if not data.exists() else "not a directory", data)
    manifest = load_manifest(data)
    jobs: list[CorpusJob] = []
    paired: set[str] = set()
    for pair in manifest.pairs:
        translations = {str(tid): str(Path(p).resolve()) for tid, p in pair.translations.items()}
        src = str(Path(pair.source).resolve())
        jobs.append(CorpusJob(pair.doc_id, src, translations))
        paired.update([src, *translations.values()])
    singles = [CorpusJob(f.doc_id, None, {ENGLISH_ONLY_ID: str(Path(f.path).resolve())})
               for f in manifest.files if f.lang == "en" and str(Path(f.path).resolve()) not in paired]
    jobs.extend(sorted(singles, key=lambda j: j.translations[ENGLISH_ONLY_ID]))
    if not jobs:
        raise InputError("the corpus manifest declares no documents", data)
    return jobs


def _relative(path: str | None, base: Path) -> str | None:
    """``path`` relative to the data directory, for summaries that do not depend on where the corpus lives."""
    if path is None:
        return None
    try:
        return Path(path).resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- one job

def _output(out: Path, name: str) -> Path:
    """``out/name``, for a name built from the manifest's ids; an InputError
    when it would not be a file directly in ``out`` (a path separator, ``..``,
    an absolute path, a link that leads elsewhere), whatever the ids were."""
    base = out.resolve()
    target = base / name
    if "\0" in name or name in ("", ".", "..") or target.parent != base or not target.resolve().is_relative_to(base):
        raise InputError(f"output name {name!r} (from the manifest's ids) would be written outside the output folder",
                         base)
    return target


def _write_json(path: Path, data: Any) -> str:
    from .textio import write_text

    write_text(path, json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n")
    return str(path)


def _english_only(job: CorpusJob, out: Path, options: JobOptions, result: DocResult) -> None:
    from .compare import check_english_only, flag_counts, flag_to_dict
    from .segment import segment
    from .textio import read_text

    target = _output(out, f"{job.doc_id}.flags.json")
    flags = []
    for tid, path in job.translations.items():
        segments = segment(read_text(path), "en", options.level)
        flags.extend(check_english_only(segments, translation=tid))
    result.flags = [flag_to_dict(f) for f in flags]
    result.counts = flag_counts(flags)
    for tid in job.translations:
        result.counts.setdefault(tid, {})
    result.outputs.append(_write_json(target, result.flags))


def _pair(job: CorpusJob, out: Path, options: JobOptions, result: DocResult) -> None:
    from . import pipeline
    from .compare import flag_counts, flag_to_dict
    from .export import export
    from .model import Document
    from .textio import read_text

    # every output name first: a bad one stops the job before any work or any write
    names = {"tsv": _output(out, f"{job.doc_id}.tsv"), "jsonl": _output(out, f"{job.doc_id}.jsonl"),
             "html": _output(out, f"{job.doc_id}.html"), "flags": _output(out, f"{job.doc_id}.flags.json")}
    for tid in job.translations:
        _output(out, f"{job.doc_id}.{tid}.tmx")
    source = Document(read_text(job.source), "zh", job.doc_id, None, job.source)
    translations = [Document(read_text(p), "en", job.doc_id, tid, p) for tid, p in job.translations.items()]
    analysis = pipeline.analyse(source, translations,
                                settings=pipeline.Settings(level=options.level, encoder=options.encoder),
                                glossary=options.glossary)
    multi, flags = analysis.multi, analysis.flags
    result.groups = len(multi.groups)
    result.mean_confidence = {tid: round(al.mean_confidence, 4) for tid, al in multi.alignments.items()}
    result.verdicts = {tid: v.as_dict() for tid, v in analysis.verdicts.items()}
    result.flags = [flag_to_dict(f) for f in flags]
    result.counts = flag_counts(flags)
    for tid in multi.alignments:
        result.counts.setdefault(tid, {})
    written = [export(multi, names["tsv"], "tsv"), export(multi, names["jsonl"], "jsonl", flags=analysis.all_flags)]
    for tid in multi.alignments:
        written.append(export(multi, _output(out, f"{job.doc_id}.{tid}.tmx"), "tmx", translation=tid))
    if options.report:
        written.append(pipeline.write_report(analysis, names["html"]))
    result.outputs.extend(str(p) for p in written)
    result.outputs.append(_write_json(names["flags"], result.flags))


def process_job(job: CorpusJob, out_dir: str, options: JobOptions = JobOptions()) -> DocResult:
    """Run one job and return its result; errors are caught and reported in
    the result (one line), so that one bad file does not stop the corpus."""
    started = time.perf_counter()
    result = DocResult(job.doc_id, job.source, dict(job.translations))
    out = Path(out_dir)
    try:
        if job.source is None:
            _english_only(job, out, options, result)
        else:
            _pair(job, out, options, result)
    except AlignError as exc:
        result.error, result.error_code = str(exc), exc.exit_code
    except Exception as exc:  # a bug: keep the corpus going, say where
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {Path(tb[-1].filename).name}:{tb[-1].lineno}" if tb else ""
        result.error, result.error_code = f"internal error: {type(exc).__name__}: {exc}{where}", 4
    result.outputs = [Path(p).name for p in result.outputs]  # relative to out_dir
    result.seconds = time.perf_counter() - started
    return result


# --------------------------------------------------------------------------- running them

Progress = Callable[..., None]


#: how often a worker looks whether the process that started it is still there
PARENT_POLL_SECONDS = 0.5
#: how long a stopped worker has to unwind its job (remove temporary files,
#: roll back the cache) before it is killed
STOP_GRACE_SECONDS = 3.0


class WorkerStopped(BaseException):
    """Raised in a worker's job when the run is stopped (SIGTERM from the
    parent, or the parent gone): the job unwinds, so that every ``finally``
    runs (temporary files removed, cache transaction rolled back). A
    BaseException, so that the job's ``except Exception`` does not take it
    for a failed document."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signum)


#: set while a worker runs a job
_BUSY = threading.Event()


def _stop_worker(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    if _BUSY.is_set():
        raise WorkerStopped(signum)
    os._exit(128 + signum)  # between jobs: nothing to clean up


def _watch_parent(parent_pid: int) -> None:
    """In a worker: once the parent is gone (its pid is no longer this
    process's parent: killed with SIGKILL, say), stop the job as SIGTERM
    from the parent would, and exit whatever happens after the grace time."""
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_SECONDS)
    with contextlib.suppress(OSError):
        os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(STOP_GRACE_SECONDS)
    os._exit(128 + signal.SIGTERM)


def _worker_init(parent_pid: int) -> None:
    """Start of each pool worker (a spawned process)."""
    signal.signal(signal.SIGTERM, _stop_worker)
    # Ctrl-C goes to the whole process group: the parent decides, and stops the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="align-watch-parent", daemon=True).start()
    show_warnings()


def _worker_job(job: CorpusJob, out_dir: str, options: JobOptions) -> DocResult:
    """process_job in a pool worker: a stop ends the worker once the job has unwound."""
    _BUSY.set()
    try:
        return process_job(job, out_dir, options)
    except WorkerStopped as exc:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        os._exit(128 + exc.signum)  # the parent wants no result: it is stopping or gone
    finally:
        _BUSY.clear()


def _stop_workers(pool, grace: float = STOP_GRACE_SECONDS) -> None:
    """Stop the pool now: drop the jobs not started, SIGTERM the workers (their
    jobs unwind, see WorkerStopped), and SIGKILL those still there after
    ``grace`` seconds."""
    from multiprocessing.connection import wait

    # the executor's processes (pid -> Process): no public accessor before Python 3.14
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    waiting = {}
    for p in procs:
        with contextlib.suppress(OSError, ValueError):  # gone already; ValueError: closed
            p.terminate()
            # a process's sentinel is ready once it has exited, whoever reaps it
            waiting[p.sentinel] = p
    deadline = time.monotonic() + grace
    while waiting and time.monotonic() < deadline:
        for s in wait(list(waiting), timeout=max(0.0, deadline - time.monotonic())):
            waiting.pop(s, None)
    for p in waiting.values():
        with contextlib.suppress(OSError, ValueError):
            p.kill()
    _forget_manager(pool, grace)


def _forget_manager(pool, timeout: float) -> None:
    """Let the executor's manager thread finish, then take it off the list that
    ``concurrent.futures`` wakes at interpreter exit: on Python 3.11 that wake-up
    writes to the pipe the finished thread closed, and prints a traceback
    (EBADF) after the run has stopped cleanly. Fixed in 3.12; a no-op there."""
    from concurrent.futures import process as futures_process

    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is None:
        return
    manager.join(timeout)
    if not manager.is_alive():
        getattr(futures_process, "_threads_wakeups", {}).pop(manager, None)


def _run_pool(jobs: list[CorpusJob], out_dir: str, options: JobOptions, workers: int,
              progress: Progress) -> list[DocResult]:
    if workers <= 1:
        results = []
        for job in jobs:
            results.append(process_job(job, out_dir, options))
            progress(1, description=job.doc_id)
        return results
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # spawn: workers start clean (no inherited threads or loaded models)
    ctx = multiprocessing.get_context("spawn")
    by_index: dict[int, DocResult] = {}
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                               initargs=(os.getpid(),))
    try:
        futures = {pool.submit(_worker_job, job, out_dir, options): i for i, job in enumerate(jobs)}
        for fut in as_completed(futures):
            i = futures[fut]
            by_index[i] = fut.result()
            progress(1, description=jobs[i].doc_id)
    except BaseException:
        # Ctrl-C, SIGTERM or a crashed worker: stop the jobs under way (each
        # file is written atomically, and the jobs unwind: what is on disk is
        # whole) and drop those not started
        _stop_workers(pool)
        raise
    pool.shutdown(wait=True)
    return [by_index[i] for i in range(len(jobs))]


#: Dask's comm schemes (``distributed.comm.registry``)
_DASK_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx", "inproc")
_HOST_PORT = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})")


def check_scheduler(address: str) -> str:
    """``address`` when it is a Dask scheduler address (``tcp://HOST:PORT``,
    ``HOST:PORT``, another of Dask's schemes such as ``tls://``, or a local
    cluster's ``inproc://...``); a UsageError otherwise, before any
    connection is tried."""
    value = address.strip()
    scheme, sep, rest = value.partition("://")
    if not sep:
        scheme, rest = "tcp", value
    ok = False
    if scheme == "inproc":
        ok = bool(rest) and not any(c.isspace() for c in rest)
    elif scheme in _DASK_SCHEMES:
        m = _HOST_PORT.fullmatch(rest)
        ok = m is not None and 0 < int(m.group(1)) < 65536
    if not ok:
        raise UsageError(f"--scheduler must be a Dask scheduler address such as tcp://HOST:PORT or HOST:PORT, "
                         f"got {address!r}")
    return value


def _run_dask(jobs: list[CorpusJob], out_dir: str, options: JobOptions, scheduler: str,
              progress: Progress) -> list[DocResult]:
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise UsageError("--scheduler needs dask.distributed: pip install 'align[dask]'") from None
    try:
        client = Client(scheduler, timeout=DASK_CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:  # ValueError: an address Dask cannot parse
        raise UsageError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
    try:
        futures = client.map(process_job, jobs, out_dir=out_dir, options=options, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        by_index: dict[int, DocResult] = {}
        for fut in as_completed(futures):
            i = index[fut.key]
            by_index[i] = fut.result()
            progress(1, description=jobs[i].doc_id)
        return [by_index[i] for i in range(len(jobs))]
    finally:
        client.close()


def run_corpus(data_dir: str | os.PathLike, out_dir: str | os.PathLike, *, workers: int | None = None,
               scheduler: str | None = None, progress: Progress | None = None, encoder: str = "use",
               level: str = "sentence", glossary: str | os.PathLike | None = None,
               report: bool = True) -> CorpusSummary:
    """Align, check and export every document of the corpus in ``data_dir``
    into ``out_dir``; see the module docstring for the files written.

    ``workers``: processes of the local pool (default: one per document
    pair, at most the usable cores; 1 runs in this process). ``scheduler``: a Dask
    scheduler address (``tcp://HOST:PORT``) to run the jobs on instead.
    ``progress(n, total=..., description=...)`` is called as jobs finish.
    """
    started = time.perf_counter()
    if scheduler is not None:
        scheduler = check_scheduler(scheduler)
    jobs = corpus_jobs(data_dir)
    if glossary is not None:
        gp = Path(glossary)
        if not gp.is_file():
            raise InputError("no such glossary file", gp)
        glossary = str(gp.resolve())
    if workers is not None and workers < 1:
        raise UsageError(f"--workers must be at least 1, got {workers}")
    options = JobOptions(encoder=encoder, level=level, glossary=glossary, report=report)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UsageError("output path exists and is not a directory", out)
    out.mkdir(parents=True, exist_ok=True)
    progress = progress or (lambda n=1, **kw: None)
    progress(0, total=len(jobs), description="corpus")
    if scheduler:
        n_workers = 0
        results = _run_dask(jobs, str(out.resolve()), options, scheduler, progress)
    else:
        try:
            cores = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cores = os.cpu_count() or 1
        # English-only jobs take milliseconds: size the pool by the pairs. One
        # pair runs in this process (starting a worker costs more than it saves).
        pairs = sum(1 for j in jobs if j.source is not None)
        n_workers = workers or max(1, min(pairs, cores))
        results = _run_pool(jobs, str(out.resolve()), options, n_workers, progress)
    base = Path(data_dir)
    for r in results:
        r.source = _relative(r.source, base)
        r.translations = {tid: _relative(p, base) for tid, p in r.translations.items()}
    summary = CorpusSummary(str(data_dir), str(out_dir), results, n_workers, scheduler,
                            {"encoder": encoder, "level": level,
                             "glossary": Path(glossary).name if glossary else None},
                            time.perf_counter() - started)
    _write_json(out / SUMMARY_NAME, summary.to_dict())
    return summary
