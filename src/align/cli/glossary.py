"""CLI commands: ``align glossary check|mine|import|export``."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from ..errors import EXIT_FLAGS, UsageError
from . import _common, app

glossary_app = typer.Typer(
    name="glossary",
    help="Check term renderings against a glossary; bootstrap, import and export glossaries.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(glossary_app, name="glossary")

_KIND_ORDER = ("inconsistent", "collision", "off-glossary", "missing", "divergent")
_KIND_STYLE = {"inconsistent": "yellow", "collision": "magenta", "off-glossary": "red", "missing": "cyan",
               "divergent": "blue"}


def _rendering_table(report):
    from rich.table import Table

    table = Table(title="Renderings per term and translation", show_lines=True)
    table.add_column("term", no_wrap=True)
    for tid in report.translations:
        table.add_column(tid, overflow="fold")
    mark = {"preferred": "", "accepted": "", "discouraged": " [red](discouraged)[/]", "unlisted": " [magenta](unlisted)[/]"}
    for term, per in report.table.items():
        cells = []
        for tid in report.translations:
            parts = []
            for r, n in per.get(tid, {}).items():
                if r is None:
                    parts.append(f"[cyan](none)[/] x{n}")
                else:
                    st = report.status.get(term, {}).get(r, "")
                    parts.append(f"{_esc(r)} x{n}{mark.get(st, '')}")
            cells.append("\n".join(parts))
        table.add_row(term, *cells)
    return table


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _highlight(text: str, start: int | None, end: int | None, width: int = 90) -> str:
    """The clause with [start, end) in bold, cut to about ``width`` characters around it."""
    if start is None or end is None:
        short = text if len(text) <= width else text[: width - 1] + "…"
        return _esc(short)
    a = max(0, start - width // 2)
    b = min(len(text), end + width // 2)
    pre = ("…" if a > 0 else "") + _esc(text[a:start])
    post = _esc(text[end:b]) + ("…" if b < len(text) else "")
    if not _common.out.is_terminal:  # plain text (piped, README): mark the words visibly
        return f"{pre}«{_esc(text[start:end])}»{post}"
    return f"{pre}[bold reverse]{_esc(text[start:end])}[/]{post}"


def _number(i) -> str:
    """A 0-based segment index as people read it (from 1, like the report)."""
    return str(i + 1) if isinstance(i, int) else "?"


def _numbers(idx) -> str:
    """``[4, 5]``: 0-based segment indices counted from 1."""
    return "[" + ", ".join(_number(i) for i in idx or []) + "]"


def _print_evidence(ev: dict, tid: str | None = None, limit_chars: int = 90) -> None:
    out = _common.out
    if "context" in ev:  # English-only evidence
        text = _highlight(ev["context"], *ev.get("context_span", [None, None]), width=limit_chars)
        out.print(f"      {ev.get('document')} @{ev.get('start')}: {text}", highlight=False)
        return
    src = _highlight(ev.get("source_text", ""), *ev.get("source_span", [None, None]), width=limit_chars // 2)
    out.print(f"      src #{_number(ev.get('source_segment'))}: {src}", highlight=False)
    if "translations" in ev:
        for t, e in ev["translations"].items():
            span = e.get("target_span") or [None, None]
            out.print(f"      {t} {_numbers(e.get('target_segments'))}: [{_esc(repr(e.get('rendering')))}] "
                      f"{_highlight(e.get('target_text', ''), *span, width=limit_chars)}", highlight=False)
        return
    span = ev.get("target_span") or [None, None]
    who = ev.get("translation") or tid or ""
    tgt = ev.get("target_text") or ""
    text = _highlight(tgt, *span, width=limit_chars) if tgt else "[cyan](no aligned translation)[/]"
    out.print(f"      {who} {_numbers(ev.get('target_segments'))}: {text}", highlight=False)


def _print_flags(flags, *, max_evidence: int) -> None:
    out = _common.out
    if not flags:
        out.print("No glossary flags.")
        return
    by_kind: dict[str, list] = {}
    for f in flags:
        by_kind.setdefault(f.kind, []).append(f)
    for kind in sorted(by_kind, key=lambda k: _KIND_ORDER.index(k) if k in _KIND_ORDER else 99):
        out.print(f"\n[bold {_KIND_STYLE.get(kind, '')}]{kind}[/] ({len(by_kind[kind])})")
        for f in by_kind[kind]:
            scope = "[document] " if f.details.get("scope") == "document" else ""
            out.print(f"  - {scope}{_esc(f.message)}", highlight=False)
            evidence = f.details.get("evidence", [])
            if kind == "inconsistent":  # show the deviating renderings first
                main = f.details.get("main")
                evidence = [e for e in evidence if e.get("rendering") != main] or evidence
            for ev in evidence[:max_evidence]:
                _print_evidence(ev, f.translation)
            if len(evidence) > max_evidence:
                out.print(f"      … {len(evidence) - max_evidence} more (see --json)", highlight=False)


def _short_name(path: Path, taken: dict) -> str:
    """A short column name: the translation id of ``doc.tid.txt``, else the
    first two parts of the file name (``anhui-2018``)."""
    parts = path.name.removesuffix(".txt").split(".")
    name = parts[-1] if len(parts) >= 2 else "-".join(parts[0].split("-")[:2])
    base, n = name, 2
    while name in taken:
        name = f"{base}-{n}"
        n += 1
    return name


def _english_only(files: list[Path], glossary, reference: Optional[str], as_json: bool, strict: bool,
                  max_evidence: int) -> None:
    from ..errors import InputError
    from ..glossary import check_english
    from ..segment import detect_lang
    from ..textio import read_text

    docs: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for p in files:
        name = _short_name(p, docs)
        docs[name] = read_text(p)
        if detect_lang(docs[name]) != "en":
            raise InputError("looks like Chinese, not English: --english-only compares English texts "
                             "(to check a translation against its original, give SRC TGT without --english-only)",
                             p)
        for a in (name, str(p), p.name, p.name.removesuffix(".txt")):
            aliases.setdefault(a, name)
    if reference is not None:
        if reference not in aliases:
            raise UsageError(f"--reference {reference!r} is not one of the files given "
                             f"({', '.join(docs)})")
        reference = aliases[reference]
    report = check_english(docs, glossary, reference=reference)
    if as_json:
        _common.print_json(report.to_json())
    else:
        from rich.table import Table

        table = Table(title="English renderings per glossary entry and document (English-only check)",
                      show_lines=True)
        table.add_column("term", no_wrap=True)
        for d in report.documents:
            table.add_column(d, overflow="fold")
        for term, per in report.table.items():
            entry = glossary.entry(term)
            row = []
            for d in report.documents:
                parts = []
                for r, n in per.get(d, {}).items():
                    st = entry.status_of(r)
                    parts.append(f"{_esc(r)} x{n}" + (" [red](discouraged)[/]" if st == "discouraged" else ""))
                row.append("\n".join(parts))
            table.add_row(term, *row)
        _common.out.print(table)
        _print_flags(report.flags, max_evidence=max_evidence)
    if strict and report.flags:
        raise typer.Exit(EXIT_FLAGS)


@glossary_app.command("check")
def check(
    files: Optional[List[Path]] = typer.Argument(None, help="SRC TGT [TGT ...]: the Chinese original and its "
                                                 "translations (with --english-only: English files only; "
                                                 "optional with --from)."),
    glossary_path: Path = typer.Option(Path("glossary.yaml"), "--glossary", "-g", help="Glossary YAML."),
    as_json: bool = typer.Option(False, "--json", help="Print occurrences and flags as JSON."),
    strict: bool = typer.Option(False, "--strict", help="Exit with status 1 when any flag is found."),
    saved: Optional[Path] = _common.from_option(),
    level: str = _common.level_option(),
    encoder: str = _common.encoder_option(),
    presegmented: bool = _common.presegmented_option(),
    like: Optional[Path] = _common.like_option(),
    english_only: bool = typer.Option(False, "--english-only",
                                      help="The files are English texts with no original: count the glossary's "
                                           "renderings in each and compare them."),
    reference: Optional[str] = typer.Option(None, "--reference",
                                            help="--english-only: the file the others are compared with."),
    max_evidence: int = typer.Option(3, "--evidence", help="Evidence lines shown per flag."),
    strict_encoding: bool = _common.strict_encoding_option(),
) -> None:
    """Find every glossary term in the source, how each translation renders it, and flag
    inconsistent, colliding, off-glossary, missing and divergent renderings."""
    from .. import pipeline
    from ..glossary import load_glossary

    files = list(files or [])
    if english_only:
        return _english_only(files, load_glossary(glossary_path), reference, as_json, strict, max_evidence)
    if saved is None and not files:
        raise UsageError("give the Chinese original and at least one translation (or --from A.jsonl, "
                         "or --english-only)")
    settings = _common.settings(level, encoder, presegmented, like)
    with _common.progress("aligning", total=100) as advance:
        analysis = pipeline.run(files[0] if files else None, files[1:], saved=saved, settings=settings,
                                glossary=glossary_path, progress=advance)
    report = analysis.glossary_report
    if as_json:
        _common.print_json(report.to_json())
    else:
        _common.out.print(_rendering_table(report))
        _print_flags(report.flags, max_evidence=max_evidence)
    if strict and report.flags:
        raise typer.Exit(EXIT_FLAGS)


@glossary_app.command("mine")
def mine(
    files: Optional[List[Path]] = typer.Argument(None, help="SRC TGT [TGT ...] (optional with --from)"),
    output: Path = typer.Option(Path("glossary.draft.yaml"), "--output", "-o", help="Draft glossary to write."),
    glossary_path: Optional[Path] = typer.Option(None, "--glossary", "-g",
                                                 help="A glossary to extend: its terms are marked as known and "
                                                      "kept (none is read unless given)."),
    top: int = typer.Option(100, "--top", min=1, help="How many new terms the draft gets (best first)."),
    min_count: int = typer.Option(3, "--min-count", min=1, help="Least occurrences of a candidate term."),
    rare: bool = typer.Option(True, "--rare/--no-rare",
                              help="Also propose strings seen fewer than --min-count times that the translations "
                                   "attest (the same words in two translations, a dictionary gloss)."),
    saved: Optional[Path] = _common.from_option(),
    level: str = _common.level_option(),
    encoder: str = _common.encoder_option(),
    presegmented: bool = _common.presegmented_option(),
    like: Optional[Path] = _common.like_option(),
    as_json: bool = typer.Option(False, "--json", help="Print the mined terms as JSON."),
    strict_encoding: bool = _common.strict_encoding_option(),
) -> None:
    """Draft a glossary for a new domain: the source's terms (multi-word ones included) ranked by
    termhood, each translation's renderings of them with counts, two evidence clauses each;
    writes a glossary.yaml draft."""
    from .. import pipeline
    from ..glossary import load_glossary, mine_glossary
    from ..glossary.mine import draft_glossary
    from ..textio import write_text

    files = list(files or [])
    if saved is None and len(files) < 2:
        raise UsageError("give the Chinese original and at least one translation (or --from A.jsonl)")
    _common.output_path(output, {"source": files[:1], "translation": files[1:], "glossary": glossary_path,
                                 "saved alignment": saved})
    base = load_glossary(glossary_path) if glossary_path else None
    settings = _common.settings(level, encoder, presegmented, like)
    with _common.progress("aligning", total=100) as advance:
        multi = pipeline.run(files[0] if files else None, files[1:], saved=saved, settings=settings,
                             progress=advance).multi
    with _common.progress("mining terms") as advance:
        mined = mine_glossary(multi, base, min_count=min_count, top=top, progress=advance, rare=rare)
    draft = draft_glossary(mined, base, name=f"draft mined from {(files[0] if files else saved).name}")
    if not len(draft):
        _common.err.print(f"no term occurs {min_count} times or more with a rendering; nothing written "
                          "(try a lower --min-count)", highlight=False)
        if as_json:
            _common.print_json([])
        return
    write_text(output, draft.dump_yaml())
    if as_json:
        _common.print_json([{"term": m.term, "count": m.count, "in_glossary": m.in_glossary,
                             "score": round(m.score, 3), "renderings": m.renderings, "missing": m.missing,
                             "agree": m.agree, "attested": m.attested.reason if m.attested else None,
                             "evidence": [ev.model_dump() for ev in m.evidence]} for m in mined])
        return
    from rich.table import Table

    table = Table(title=f"Mined terms ({len(mined)}, best first)", show_lines=False)
    table.add_column("term", no_wrap=True)
    table.add_column("n", justify="right")
    for tid in multi.translation_ids:
        table.add_column(tid, overflow="fold")
    for m in mined:
        if not m.renderings:
            continue
        mark = (" *" if m.in_glossary else "") + ("" if m.agree else " ≠")
        table.add_row(m.term + mark, str(m.count),
                      *[", ".join(f"{_esc(r)} x{n}" for r, n in list(m.renderings.get(t, {}).items())[:3])
                        for t in multi.translation_ids])
    _common.out.print(table)
    _common.err.print(f"wrote {output} ({len(draft)} entries; * = already in the glossary, "
                      "≠ = the translations disagree)", highlight=False)


@glossary_app.command("import")
def import_(
    source: Path = typer.Argument(..., help="A CSV (term,preferred,accepted,discouraged,aliases,note) or TBX file."),
    output: Path = typer.Option(Path("glossary.yaml"), "--output", "-o", help="Glossary YAML to write."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="csv or tbx (default: from the file name)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing output file."),
    strict_encoding: bool = _common.strict_encoding_option(),
) -> None:
    """Convert a CAT-tool term base (CSV or TBX) into a glossary YAML."""
    from ..glossary.io import read_termbase
    from ..textio import write_text

    _common.output_path(output, {"term base": source})
    if output.exists() and not force:
        raise UsageError(f"{output} exists; pass --force to overwrite it")
    glossary = read_termbase(source, fmt)
    write_text(output, glossary.dump_yaml())
    _common.err.print(f"wrote {output} ({len(glossary)} entries)", highlight=False)


@glossary_app.command("export")
def export(
    output: Path = typer.Argument(..., help="The CSV or TBX file to write."),
    glossary_path: Path = typer.Option(Path("glossary.yaml"), "--glossary", "-g", help="Glossary YAML."),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", help="csv or tbx (default: from the file name)."),
    strict_encoding: bool = _common.strict_encoding_option(),
) -> None:
    """Write the glossary as CSV or TBX for CAT tools."""
    from ..glossary import load_glossary
    from ..glossary.io import write_termbase

    _common.output_path(output, {"glossary": glossary_path})
    glossary = load_glossary(glossary_path)
    write_termbase(glossary, output, fmt)
    _common.err.print(f"wrote {output} ({len(glossary)} entries)", highlight=False)
