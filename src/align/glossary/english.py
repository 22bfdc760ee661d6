"""English-only documents: which of the glossary's renderings do they use?

The Anhui and Hainan plans reuse the central document's wording, but the
corpus has only their English. Without a source text we cannot say which
Chinese term a word renders, so this check is about the English side only:

- every listed rendering (preferred, accepted, discouraged) of every entry is
  counted in each document -- longest rendering first, each word counted once,
  a rendering listed under several entries attributed to the entry where it
  is preferred or accepted (``credit`` -> 信用, not 征信);
- flags (each about a whole document, ``details["scope"] == "document"``):
  ``off-glossary`` (a discouraged rendering is used), ``inconsistent``
  (a document uses several renderings of one entry) and ``divergent`` (a
  document's main rendering of an entry differs from the reference
  document's, e.g. the central translation).

Each document is tokenised and indexed once (stem -> positions); a rendering
is looked up in that index, so the cost grows with the number of renderings
and of their matches, not with renderings x text length.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from pathlib import Path

from ..errors import UsageError
from ..model import Flag
from ..textio import read_text
from .render import compact_key, rendering_key, reversible, stem, tokenize
from .schema import Glossary

_RANK = {"preferred": 0, "accepted": 1, "discouraged": 2}


@dataclass
class EnglishReport:
    documents: list[str]
    table: dict[str, dict[str, dict[str, int]]]  # term -> document -> rendering -> count
    occurrences: list[dict]
    flags: list[Flag]
    reference: str | None = None
    signature: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "documents": self.documents,
            "reference": self.reference,
            "table": self.table,
            "flags": [
                {"kind": f.kind, "term": f.term, "translation": f.translation,
                 "renderings": f.details.get("renderings", {}), "evidence": f.details.get("evidence", [])}
                for f in self.flags
            ],
        }


def _attribution(glossary: Glossary) -> dict[tuple, tuple[str, str, str]]:
    """rendering key -> (term, rendering, status), best status wins."""
    best: dict[tuple, tuple[int, int, str, str, str]] = {}
    for n, e in enumerate(glossary.entries):
        for r, st in e.renderings():
            k = rendering_key(r)
            if not k:
                continue
            cand = (_RANK[st], n, e.term, r, st)
            if k not in best or cand[:2] < best[k][:2]:
                best[k] = cand
    return {k: v[2:] for k, v in best.items()}


def _instances(tokens, index, compact2, key, rendering):
    """Token-index lists where ``key`` occurs (ordered with one-word gaps,
    reversed for two words, closed/open compounds)."""
    out = []
    n = len(tokens)

    def follow(i, rest):
        pos = [i]
        for s in rest:
            j = pos[-1]
            nxt = next((k for k in range(j + 1, min(n, j + 3)) if tokens[k].stem == s), None)
            if nxt is None:
                return None
            pos.append(nxt)
        return pos

    for i in index.get(key[0], ()):
        p = follow(i, key[1:])
        if p:
            out.append(p)
    if len(key) == 2 and reversible(rendering):
        for i in index.get(key[1], ()):
            p = follow(i, key[:1])
            if p:
                out.append(p)
    if len(key) == 2:
        for i in index.get(compact_key(rendering), ()):
            out.append([i])
    if len(key) == 1:
        for i in compact2.get(key[0], ()):
            out.append([i, i + 1])
    return out


def check_english(
    documents: "dict[str, str | Path] | list", glossary: "Glossary | str | Path", *,
    reference: str | None = None, context: int = 60,
) -> EnglishReport:
    """Count the glossary's English renderings in English-only documents.

    ``documents`` maps a name to its text (or to a ``Path``), or is a list of
    paths; ``reference`` names the document the others are compared with
    (``divergent``). ``glossary`` may be a path.
    """
    if not isinstance(glossary, Glossary):
        from .schema import load_glossary

        glossary = load_glossary(glossary)
    if not isinstance(documents, dict):  # a list of paths: named by file name
        documents = {Path(p).name.removesuffix(".txt"): p for p in documents}
    documents = {name: (read_text(v) if isinstance(v, Path) else v) for name, v in documents.items()}
    if reference is not None and reference not in documents:
        raise UsageError(f"reference {reference!r} is not one of the documents ({', '.join(documents)})")
    attribution = _attribution(glossary)
    by_len = sorted(attribution.items(), key=lambda kv: -len(kv[0]))
    table: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    occurrences: list[dict] = []
    evidence: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for name, text in documents.items():
        tokens = tokenize(text)
        index: dict[str, list[int]] = defaultdict(list)
        for i, t in enumerate(tokens):
            index[t.stem].append(i)
        compact2: dict[str, list[int]] = defaultdict(list)
        for i in range(len(tokens) - 1):
            if len(tokens[i].word) >= 3 and len(tokens[i + 1].word) >= 3:
                compact2[stem(tokens[i].word + tokens[i + 1].word)].append(i)
        claimed: set[int] = set()
        found = []
        for key, (term, rendering, st) in by_len:
            for pos in _instances(tokens, index, compact2, key, rendering):
                found.append((-len(pos), min(pos), pos, term, rendering, st))
        found.sort(key=lambda f: (f[0], f[1]))
        for _, _, pos, term, rendering, st in found:
            if claimed.intersection(pos):
                continue
            claimed.update(pos)
            a, b = tokens[min(pos)].start, tokens[max(pos)].end
            left = text[max(0, a - context): a].replace("\n", " ")
            right = text[b: b + context].replace("\n", " ")
            occ = {"document": name, "term": term, "rendering": rendering, "status": st, "start": a, "end": b,
                   "matched": text[a:b], "context": left + text[a:b].replace("\n", " ") + right,
                   "context_span": [len(left), len(left) + b - a]}
            occurrences.append(occ)
            table[term][name][rendering] += 1
            evidence[(term, name, rendering)].append(occ)
    occurrences.sort(key=lambda o: (list(documents).index(o["document"]), o["start"]))
    order = {e.term: i for i, e in enumerate(glossary.entries)}
    out_table = {
        term: {d: dict(table[term][d].most_common()) for d in documents if table[term].get(d)}
        for term in sorted(table, key=lambda t: order.get(t, 0))
    }
    flags: list[Flag] = []
    for term, per_doc in out_table.items():
        entry = glossary.entry(term)
        for d, counts in per_doc.items():
            for r, n in counts.items():
                if entry.status_of(r) == "discouraged":
                    why = entry.reason_for(r)
                    flags.append(Flag(
                        kind="off-glossary", translation=d, term=term, severity="warning",
                        message=f"{d} uses discouraged {r!r} x{n} for {term} (preferred {entry.preferred!r})"
                        + (f": {why}" if why else ""),
                        details={"rendering": r, "status": "discouraged", "renderings": {r: n},
                                 "evidence": evidence[(term, d, r)][:20], "english_only": True,
                                 "scope": "document"},
                    ))
            if len(counts) > 1:
                flags.append(Flag(
                    kind="inconsistent", translation=d, term=term, severity="info",
                    message=f"{d} uses {len(counts)} renderings of {term}: "
                    + ", ".join(f"{r!r} x{n}" for r, n in counts.items()),
                    details={"renderings": counts, "english_only": True, "scope": "document",
                             "evidence": [o for r in counts for o in evidence[(term, d, r)][:5]]},
                ))
        if reference is not None and reference in per_doc:
            ref_main = next(iter(per_doc[reference]))
            for d, counts in per_doc.items():
                if d == reference:
                    continue
                ranked = list(counts.values())
                main = next(iter(counts))
                if len(ranked) > 1 and ranked[0] == ranked[1]:
                    continue  # no main rendering to compare
                if main != ref_main:
                    flags.append(Flag(
                        kind="divergent", translation=d, term=term, severity="info",
                        message=f"{d} mostly uses {main!r} for {term}; the reference {reference} uses {ref_main!r}",
                        details={"renderings": {reference: per_doc[reference], d: counts}, "english_only": True,
                                 "scope": "document",
                                 "evidence": evidence[(term, d, main)][:5] + evidence[(term, reference, ref_main)][:5]},
                    ))
    return EnglishReport(
        documents=list(documents), table=out_table, occurrences=occurrences, flags=flags, reference=reference,
        signature={"glossary": glossary.path or glossary.name, "entries": len(glossary), "english_only": True},
    )
