"""Term bases in and out: CSV and TBX (via translate-toolkit's tbx storage).

CSV (UTF-8, header row), one entry per row; list cells separate values with
``|``::

    term,aliases,preferred,accepted,discouraged,discouraged_reasons,note
    诚信,个人诚信|诚信体系,integrity,creditworthiness|honesty,sincerity|credit,"a private virtue|collides with 信用",...

The ``evidence`` column (what ``glossary mine`` writes: source clauses with
each translation's aligned text) holds the entry's evidence as a JSON list of
``{"source": ..., "targets": {translation: text}}``; it is empty for an
entry without evidence.

Export then import gives the same glossary. On import the header may also
use the plain two-column shape CAT tools export (``source,target`` or
``zh,en``...): several rows with one source term make one entry, the first
target preferred and the others accepted.

TBX: one ``termEntry`` per (term, rendering), with a note holding
``status: preferred|accepted|discouraged``, ``reason:``, ``note:`` lines
(and on the preferred rendering's entry one ``evidence:`` line per evidence
clause, JSON as in the CSV column); aliases are entries with ``alias-of: <term>``. A TBX without these notes
(from another tool) is read like the two-column CSV.
"""
from __future__ import annotations

import csv
import io
import json
from collections import OrderedDict
from pathlib import Path

from pydantic import ValidationError

from ..errors import InputError, UsageError
from .schema import Entry, Evidence, Glossary, _describe

FIELDS = ["term", "aliases", "preferred", "accepted", "discouraged", "discouraged_reasons", "note", "evidence"]
_SEP = "|"

_TERM_KEYS = ("term", "source", "zh", "zh-cn", "zh_cn", "chinese", "source term", "src")
_PREF_KEYS = ("preferred", "target", "en", "en-us", "en_us", "en-gb", "english", "target term", "tgt")


def _split(cell: str | None) -> list[str]:
    if not cell:
        return []
    return [x.strip() for x in cell.split(_SEP) if x.strip()]


def _fmt(path, fmt: str | None) -> str:
    if fmt:
        fmt = fmt.lower()
    else:
        suffix = Path(path).suffix.lower().lstrip(".")
        fmt = {"tsv": "csv", "txt": "csv", "xml": "tbx"}.get(suffix, suffix)
    if fmt not in ("csv", "tbx"):
        raise UsageError(f"unknown term base format {fmt!r}; expected csv or tbx")
    return fmt


# --- CSV ------------------------------------------------------------------


def glossary_to_csv(glossary: Glossary) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=FIELDS, lineterminator="\n")
    w.writeheader()
    for e in glossary.entries:
        w.writerow({
            "term": e.term,
            "aliases": _SEP.join(e.aliases),
            "preferred": e.preferred,
            "accepted": _SEP.join(e.accepted),
            "discouraged": _SEP.join(d.rendering for d in e.discouraged),
            "discouraged_reasons": _SEP.join(d.reason for d in e.discouraged) if any(d.reason for d in e.discouraged) else "",
            "note": e.note,
            "evidence": _evidence_cell(e.evidence),
        })
    return buf.getvalue()


def _evidence_cell(evidence: list[Evidence]) -> str:
    if not evidence:
        return ""
    return json.dumps([ev.model_dump() for ev in evidence], ensure_ascii=False)


def _read_evidence(cell: str, where: str, path: str) -> list[dict]:
    """The evidence column or note line: a JSON list (CSV) or object (TBX)."""
    if not cell:
        return []
    try:
        data = json.loads(cell)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}evidence: not JSON ({exc.msg} at character {exc.pos})", path) from None
    return data if isinstance(data, list) else [data]


def glossary_from_csv(text: str, path: str = "<csv>") -> Glossary:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("term base is empty", path) from None
    keys = [h.strip().lower() for h in header]
    col = {k: i for i, k in enumerate(keys)}
    term_i = next((col[k] for k in _TERM_KEYS if k in col), None)
    pref_i = next((col[k] for k in _PREF_KEYS if k in col), None)
    if term_i is None or pref_i is None:
        raise InputError(
            "line 1: header needs a term column (term/source/zh) and a rendering column (preferred/target/en); "
            f"got {', '.join(header)}", path)
    entries: "OrderedDict[str, dict]" = OrderedDict()
    lines: dict[str, int] = {}

    def cell(row, name):
        i = col.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    for row in reader:
        lineno = reader.line_num
        if not any(c.strip() for c in row):
            continue
        term = row[term_i].strip() if term_i < len(row) else ""
        pref = row[pref_i].strip() if pref_i < len(row) else ""
        if not term:
            raise InputError(f"line {lineno}: empty term", path)
        if not pref:
            raise InputError(f"line {lineno}: no rendering for {term!r}", path)
        disc = _split(cell(row, "discouraged"))
        reasons = _split(cell(row, "discouraged_reasons"))
        if reasons and len(reasons) != len(disc):
            raise InputError(f"line {lineno}: {len(disc)} discouraged renderings but {len(reasons)} reasons", path)
        if term in entries:  # two-column term bases: more renderings of the same term
            d = entries[term]
            for r in [pref, *_split(cell(row, "accepted"))]:
                if r != d["preferred"] and r not in d["accepted"]:
                    d["accepted"].append(r)
            continue
        entries[term] = {
            "term": term, "aliases": _split(cell(row, "aliases")), "preferred": pref,
            "accepted": _split(cell(row, "accepted")),
            "discouraged": [{"rendering": r, "reason": reasons[i] if reasons else ""} for i, r in enumerate(disc)],
            "note": cell(row, "note"),
            "evidence": _read_evidence(cell(row, "evidence"), f"line {lineno}: ", path),
        }
        lines[term] = lineno
    return _build(entries, lines, path)


def _build(entries: "OrderedDict[str, dict]", lines: dict[str, int], path: str) -> Glossary:
    out = []
    for term, data in entries.items():
        try:
            out.append(Entry.model_validate(data))
        except ValidationError as exc:
            where = f"line {lines[term]}: " if term in lines else ""
            raise InputError(f"{where}{term}: {_describe(exc.errors()[0])}", path) from None
    if not out:
        raise InputError("term base has no entries", path)
    g = Glossary.from_entries(out, path=path)
    g.lines = dict(lines)
    return g


# --- TBX ------------------------------------------------------------------


def glossary_to_tbx(glossary: Glossary) -> bytes:
    from translate.storage import tbx

    store = tbx.tbxfile(sourcelanguage="zh", targetlanguage="en")
    for e in glossary.entries:
        for r, st in e.renderings():
            u = store.addsourceunit(e.term)
            u.target = r
            note = [f"status: {st}"]
            reason = e.reason_for(r) if st == "discouraged" else ""
            if reason:
                note.append(f"reason: {reason}")
            if st == "preferred" and e.note:
                note.append(f"note: {' '.join(e.note.split())}")
            if st == "preferred":
                note += [f"evidence: {json.dumps(ev.model_dump(), ensure_ascii=False)}" for ev in e.evidence]
            u.addnote("\n".join(note))
        for a in e.aliases:
            u = store.addsourceunit(a)
            u.target = e.preferred
            u.addnote(f"alias-of: {e.term}")
    return bytes(store)


def _parse_note(text: str) -> dict[str, str]:
    """The note's ``key: value`` lines; ``evidence`` lines are gathered in a
    JSON list."""
    out: dict[str, str] = {}
    evidence: list[str] = []
    for line in (text or "").splitlines():
        k, sep, v = line.partition(":")
        if sep and k.strip() == "evidence":
            evidence.append(v.strip())
        elif sep and k.strip() in ("status", "reason", "note", "alias-of"):
            out[k.strip()] = v.strip()
    if evidence:
        out["evidence"] = "[" + ", ".join(evidence) + "]"
    return out


def glossary_from_tbx(data: bytes, path: str = "<tbx>") -> Glossary:
    from translate.storage import tbx

    try:
        store = tbx.tbxfile.parsestring(data)
    except Exception as exc:  # lxml errors, bad structure
        raise InputError(f"cannot read TBX ({type(exc).__name__}: {exc})", path) from None
    entries: "OrderedDict[str, dict]" = OrderedDict()
    aliases: list[tuple[str, str]] = []
    for u in store.units:
        term = (u.source or "").strip()
        target = (u.target or "").strip()
        if not term or not target:
            continue
        meta = _parse_note(u.getnotes())
        if "alias-of" in meta:
            aliases.append((meta["alias-of"], term))
            continue
        d = entries.setdefault(term, {"term": term, "aliases": [], "preferred": None, "accepted": [],
                                      "discouraged": [], "note": "", "evidence": []})
        st = meta.get("status")
        if st == "discouraged":
            d["discouraged"].append({"rendering": target, "reason": meta.get("reason", "")})
        elif st == "preferred" or (st is None and d["preferred"] is None):
            if d["preferred"] is not None and d["preferred"] != target:
                d["accepted"].insert(0, d["preferred"])
            d["preferred"] = target
            if meta.get("note"):
                d["note"] = meta["note"]
            if meta.get("evidence"):
                d["evidence"] = _read_evidence(meta["evidence"], f"{term}: ", path)
        elif target != d["preferred"] and target not in d["accepted"]:
            d["accepted"].append(target)
    for term, alias in aliases:
        if term in entries:
            entries[term]["aliases"].append(alias)
    for term, d in entries.items():
        if d["preferred"] is None:
            if d["accepted"]:
                d["preferred"] = d["accepted"].pop(0)
            else:
                raise InputError(f"{term!r} has only discouraged renderings", path)
    return _build(entries, {}, path)


# --- files ------------------------------------------------------------------


def read_termbase(path: str | Path, fmt: str | None = None) -> Glossary:
    from ..textio import read_text

    p = Path(path)
    kind = _fmt(p, fmt)
    if kind == "csv":
        return glossary_from_csv(read_text(p), str(p))
    if not p.exists():
        raise InputError("no such file", p)
    return glossary_from_tbx(p.read_bytes(), str(p))


def write_termbase(glossary: Glossary, path: str | Path, fmt: str | None = None) -> Path:
    from ..textio import write_bytes, write_text

    kind = _fmt(path, fmt)
    if kind == "csv":
        return write_text(path, glossary_to_csv(glossary))
    return write_bytes(path, glossary_to_tbx(glossary))
