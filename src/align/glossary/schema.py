"""The glossary file: pydantic models, and YAML loading with line numbers.

A glossary is a YAML mapping with an ``entries`` list (a bare list of entries
is accepted too)::

    entries:
      - term: 诚信
        aliases: [诚信体系]          # other Chinese forms counted as this term
        preferred: integrity
        accepted: [creditworthiness, honesty]
        discouraged:
          - rendering: sincerity
            reason: a personal virtue, not the policy concept
        note: ...
        evidence:                   # optional: where the term occurs (written by `glossary mine`)
          - source: 加强个人«诚信»体系建设
            targets: {clt: "... the personal «creditworthiness» system", blog: "..."}

Validation errors are reported as ``InputError("line N: problem", path)``:
the YAML is composed into a node tree (which keeps ``start_mark``), pydantic
error locations are walked down that tree to the node they name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import InputError

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

Status = Literal["preferred", "accepted", "discouraged"]


class Discouraged(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rendering: str = Field(min_length=1)
    reason: str = ""

    @field_validator("rendering")
    @classmethod
    def _strip(cls, v: str) -> str:
        v = " ".join(v.split())
        if not v:
            raise ValueError("rendering must not be empty")
        return v


class Evidence(BaseModel):
    """One example of a term in use: a source clause and what each
    translation aligned to it (``«»`` mark the term and its rendering).
    ``glossary mine`` writes two per entry; the checker does not read them."""

    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1)
    targets: dict[str, str] = Field(default_factory=dict)


def _clean_list(values: list[str], what: str) -> list[str]:
    out: list[str] = []
    for v in values:
        v = " ".join(str(v).split())
        if not v:
            raise ValueError(f"{what} must not contain an empty string")
        if v not in out:
            out.append(v)
    return out


class Entry(BaseModel):
    """One source term and how it should be rendered."""

    model_config = ConfigDict(extra="forbid")

    term: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    preferred: str = Field(min_length=1)
    accepted: list[str] = Field(default_factory=list)
    discouraged: list[Discouraged] = Field(default_factory=list)
    note: str = ""
    evidence: list[Evidence] = Field(default_factory=list)

    @field_validator("term")
    @classmethod
    def _term(cls, v: str) -> str:
        v = v.strip()
        if not _HAN.search(v):
            raise ValueError(f"term {v!r} contains no Chinese characters")
        if any(c.isspace() for c in v):
            raise ValueError(f"term {v!r} must not contain spaces")
        return v

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, v: list[str]) -> list[str]:
        v = _clean_list(v, "aliases")
        for a in v:
            if not _HAN.search(a):
                raise ValueError(f"alias {a!r} contains no Chinese characters")
        return v

    @field_validator("preferred")
    @classmethod
    def _preferred(cls, v: str) -> str:
        v = " ".join(v.split())
        if not v:
            raise ValueError("preferred must not be empty")
        return v

    @field_validator("accepted")
    @classmethod
    def _accepted(cls, v: list[str]) -> list[str]:
        return _clean_list(v, "accepted")

    @field_validator("discouraged", mode="before")
    @classmethod
    def _discouraged(cls, v: Any) -> Any:
        if isinstance(v, list):
            return [{"rendering": x} if isinstance(x, str) else x for x in v]
        return v

    @model_validator(mode="after")
    def _no_overlap(self) -> "Entry":
        good = {self.preferred.lower(), *(a.lower() for a in self.accepted)}
        for d in self.discouraged:
            if d.rendering.lower() in good:
                raise ValueError(f"{d.rendering!r} is listed both as discouraged and as preferred/accepted")
        return self

    @property
    def forms(self) -> list[str]:
        """The Chinese strings that count as an occurrence of this term."""
        return [self.term, *(a for a in self.aliases if a != self.term)]

    def renderings(self) -> list[tuple[str, Status]]:
        """Every listed rendering with its status, preferred first."""
        out: list[tuple[str, Status]] = [(self.preferred, "preferred")]
        out += [(a, "accepted") for a in self.accepted if a != self.preferred]
        out += [(d.rendering, "discouraged") for d in self.discouraged]
        return out

    def status_of(self, rendering: str | None) -> str:
        if rendering is None:
            return "missing"
        for r, s in self.renderings():
            if r == rendering:
                return s
        return "unlisted"

    def reason_for(self, rendering: str) -> str:
        for d in self.discouraged:
            if d.rendering == rendering:
                return d.reason
        return ""


class GlossaryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = ""
    description: str = ""
    source_lang: str = "zh"
    target_lang: str = "en"
    entries: list[Entry] = Field(default_factory=list)


@dataclass
class Glossary:
    """A validated glossary. ``entries`` keep file order; ``lines`` maps a
    term to the line of its entry (for messages)."""

    entries: list[Entry]
    path: str | None = None
    name: str = ""
    description: str = ""
    lines: dict[str, int] = field(default_factory=dict)
    _by_term: dict[str, Entry] = field(default_factory=dict, repr=False)
    _matcher: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._by_term = {e.term: e for e in self.entries}

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    def __contains__(self, term: str) -> bool:
        return term in self._by_term

    def entry(self, term: str) -> Entry:
        return self._by_term[term]

    @property
    def terms(self) -> list[str]:
        return [e.term for e in self.entries]

    def to_data(self) -> dict:
        data: dict[str, Any] = {}
        if self.name:
            data["name"] = self.name
        if self.description:
            data["description"] = self.description
        data["entries"] = [entry_to_data(e) for e in self.entries]
        return data

    def dump_yaml(self) -> str:
        return dump_yaml(self.to_data())

    @classmethod
    def from_entries(cls, entries: Iterable[Entry | dict], *, name: str = "", path: str | None = None) -> "Glossary":
        es = [e if isinstance(e, Entry) else Entry.model_validate(e) for e in entries]
        _check_duplicates(es, path, {})
        return cls(entries=es, path=path, name=name)


def entry_to_data(e: Entry) -> dict:
    d: dict[str, Any] = {"term": e.term}
    if e.aliases:
        d["aliases"] = list(e.aliases)
    d["preferred"] = e.preferred
    if e.accepted:
        d["accepted"] = list(e.accepted)
    if e.discouraged:
        d["discouraged"] = [
            {"rendering": x.rendering, "reason": x.reason} if x.reason else x.rendering for x in e.discouraged
        ]
    if e.note:
        d["note"] = e.note
    if e.evidence:
        d["evidence"] = [ev.model_dump(exclude_defaults=True) for ev in e.evidence]
    return d


def dump_yaml(data: Any) -> str:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


# --- loading ---------------------------------------------------------------


def _node_at(node: Any, loc: tuple) -> Any:
    """Walk a composed YAML node down a pydantic error location; return the
    deepest node reached (the parent when a key is missing)."""
    import yaml

    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for k, v in node.value:
                if getattr(k, "value", None) == key:
                    nxt = v
                    break
            if nxt is None:
                return node
            node = nxt
        elif isinstance(node, yaml.SequenceNode):
            if isinstance(key, int) and 0 <= key < len(node.value):
                node = node.value[key]
            else:
                return node
        else:
            return node
    return node


def _describe(err: dict) -> str:
    loc = [x for x in err.get("loc", ()) if not (isinstance(x, str) and x in ("function-after", "function-before"))]
    parts = []
    for x in loc:
        if isinstance(x, int):
            parts.append(f"[{x}]")
        else:
            parts.append(("." if parts else "") + str(x))
    where = "".join(parts)
    msg = err.get("msg", "invalid")
    msg = msg.removeprefix("Value error, ")
    if err.get("type") == "missing":
        msg = "required field is missing"
    elif err.get("type") == "extra_forbidden":
        msg = "unknown field"
        key = loc[-1] if loc else None
        if isinstance(key, str):
            import difflib

            known = (set(Entry.model_fields) | set(Discouraged.model_fields) | set(GlossaryFile.model_fields)
                     | set(Evidence.model_fields))
            close = difflib.get_close_matches(key, sorted(known), n=1)
            if close:
                msg += f" (did you mean {close[0]!r}?)"
    return f"{where}: {msg}" if where else msg


def _check_duplicates(entries: list[Entry], path: str | None, lines: dict[int, int]) -> None:
    """No Chinese form may belong to two entries (``lines``: entry index -> line)."""
    seen: dict[str, str] = {}
    for i, e in enumerate(entries):
        for form in e.forms:
            if form in seen:
                line = lines.get(i)
                where = f"line {line}: " if line else ""
                other = seen[form]
                what = "term" if form == other else f"alias of {other!r}"
                raise InputError(f"{where}{form!r} is listed twice (already a {what})", path)
            seen[form] = e.term


def _check_duplicate_keys(root: Any, path: str | None) -> None:
    """A key given twice in one mapping is an error naming the key and both
    lines (YAML loaders silently keep the last value)."""
    import yaml

    stack = [root] if root is not None else []
    visited: set[int] = set()  # aliases share nodes, and may even loop
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    line = k.start_mark.line + 1
                    if k.value in seen:
                        raise InputError(f"line {line}: duplicate key {k.value!r} "
                                         f"(already on line {seen[k.value]})", path)
                    seen[k.value] = line
                stack.append(v)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def parse_glossary(text: str, path: str | None = "<glossary>") -> Glossary:
    """Parse and validate glossary YAML text; raise InputError with a line."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)  # libyaml when present
    try:
        root = loader.get_single_node()  # nodes keep their line marks
        _check_duplicate_keys(root, path)
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"{line}invalid YAML ({problem})", path) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML ({exc})", path) from None
    finally:
        loader.dispose()
    if data is None:
        raise InputError("glossary is empty", path)
    if isinstance(data, list):
        data = {"entries": data}
        root_for_loc = yaml.MappingNode("tag:yaml.org,2002:map", [(yaml.ScalarNode("tag:yaml.org,2002:str", "entries"), root)])
        root_for_loc.start_mark = root.start_mark
        root = root_for_loc
    if not isinstance(data, dict):
        raise InputError("line 1: a glossary must be a mapping with an 'entries' list", path)
    try:
        model = GlossaryFile.model_validate(data)
    except ValidationError as exc:
        # an unknown key first: a misspelt field also makes the real one "missing"
        err = sorted(exc.errors(), key=lambda e: e.get("type") != "extra_forbidden")[0]
        node = _node_at(root, tuple(err.get("loc", ())))
        line = node.start_mark.line + 1 if node is not None else 1
        more = f" (and {len(exc.errors()) - 1} more problems)" if len(exc.errors()) > 1 else ""
        raise InputError(f"line {line}: {_describe(err)}{more}", path) from None
    by_index: dict[int, int] = {}
    seq = _node_at(root, ("entries",))
    for i, e in enumerate(model.entries):
        by_index[i] = _node_at(seq, (i,)).start_mark.line + 1
    _check_duplicates(model.entries, path, by_index)
    lines: dict[str, int] = {}
    for i, e in enumerate(model.entries):
        lines.setdefault(e.term, by_index[i])
    if not model.entries:
        raise InputError("glossary has no entries", path)
    return Glossary(entries=model.entries, path=path, name=model.name, description=model.description, lines=lines)


def load_glossary(path: str | Path) -> Glossary:
    """Read and validate a glossary YAML file (errors name file and line)."""
    from ..textio import read_text

    return parse_glossary(read_text(path), str(path))
