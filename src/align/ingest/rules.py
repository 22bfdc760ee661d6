"""The rules that turn a raw web copy into clean text.

Every rule has a name and a description (written into the manifest) and
records what it removed, with the seed line numbers, so the clean corpus can
be traced back to its seed. Rules work on lines: a web copy has one paragraph
per line. Nothing here does I/O.

Order of the passes (``clean_web_copy``):

1. ``normalise-whitespace``: NFC; NBSP and other Unicode spaces become a
   space, zero-width characters and tabs go, runs of spaces collapse, lines
   are stripped. Punctuation is never touched (the Chinese text of the seeds
   keeps its half-width commas and parentheses, the translations their typos).
2. line rules (``LINE_RULES``): skip links, "Posted on", rating widgets,
   comment forms, login prompts, "Advertisements", "Translate", ...
3. ``metadata-header``: ``Title:``, ``Reference number:``, ``Source:``, ...
   lines at the head of the page go into the manifest.
4. ``comment-thread``: "N Comments" and the numbered comments after it; a
   comment is a translator note (kept in ``data/notes/``) unless it is a
   ``pingback`` (an excerpt of another blog, "[…] … […]"), which is dropped.
5. ``post-title``: the blog post's display title, dropped when the page
   repeats the document's full title given in its ``Title:`` header.
6. ``join-split-attribution``: a line that is only the responsibility note of
   the item before it ("(responsibility of the People's Bank of China)") is
   joined to that item.
7. for a seed that carries the Chinese original after the translation:
   ``split_original`` cuts the trailing Chinese block off, and
   ``join-broken-title`` joins a Chinese title broken over several lines.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# --------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class Line:
    """A line of a seed with its 1-based line number in the seed file."""

    no: int
    text: str


@dataclass(frozen=True)
class Note:
    """A translator's comment, kept apart from the text."""

    author: str
    date: str | None
    text: str
    post_author: bool
    seed_lines: str


@dataclass
class Cleaned:
    """The result of cleaning one web copy."""

    lines: list[Line]
    metadata: dict[str, str | None] = field(default_factory=dict)
    removed: dict[str, list[Line]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    post_title: str | None = None

    def record(self, rule: str, line: Line | None = None, n: int = 1) -> None:
        self.counts[rule] = self.counts.get(rule, 0) + n
        if line is not None:
            self.removed.setdefault(rule, []).append(line)


# --------------------------------------------------------------------------
# Rule table

RULES: dict[str, str] = {
    "normalise-whitespace": "NFC; NBSP/Unicode spaces to a space; zero-width characters and tabs removed; "
    "runs of spaces collapsed; lines stripped; runs of blank lines collapsed (count = lines changed)",
    "skip-link": 'accessibility skip link: Press "Enter" to skip to content',
    "posted-on": 'WordPress post date line: "Posted on ... Updated on ..."',
    "rating-widget": 'rating widget: "Click to rate this post!" and "[Total: N Average: X]"',
    "comment-form": '"Be First to Comment", "Leave a Reply", "Your email address will not be published..."',
    "login-prompt": 'WordPress.com comment login: "Fill in your details below...", "You are commenting using '
    'your ... account. Log Out / Change )", "Connecting to %s", the service logo captions',
    "advertisements": '"Advertisements" banner caption',
    "translate-widget": '"Translate" widget caption',
    "notes-pointer": '"Translators Notes in Comments" pointer (the notes themselves go to data/notes/)',
    "metadata-header": "Title:/Promulgating Entities:/Reference number:/Promulgation Date:/Expiration date:/"
    "Source of text:/Source: header lines (their values go into the manifest)",
    "comment-thread": '"N Comments" heading and comment headers (author, date)',
    "translator-note": "a comment's text; moved to the notes file",
    "pingback": "a pingback from another blog (excerpt between [...] marks); dropped",
    "post-title": "the blog post's display title, dropped because the page repeats the document's full title",
    "join-split-attribution": "a line holding only the responsibility note of the item before it is joined "
    "to that item (lines listed are the ones joined)",
    "join-broken-title": "a Chinese title broken over several lines is joined into one line (lines listed are "
    "the continuation lines)",
}

_LINE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("skip-link", r'^Press "?Enter"? to skip to content$'),
        ("posted-on", r"^Posted on\b.*\bUpdated on\b.*$|^Posted on(\s.*)?$"),
        ("rating-widget", r"^Click to rate this post!?$"),
        ("rating-widget", r"^\[Total: \d+ Average: \d+(\.\d+)?\]$"),
        ("comment-form", r"^Be (the )?First to Comment$"),
        ("comment-form", r"^Leave a (Reply|Comment)( to .*?)?( Cancel reply)?$"),
        ("comment-form", r"^Your email address will not be published\..*$"),
        ("comment-form", r"^Cancel reply$"),
        ("login-prompt", r"^Fill in your details below or click an icon to log in:?$"),
        ("login-prompt", r"^You are commenting using your .{1,40} account\.( Log Out / Change \)?)?$"),
        ("login-prompt", r"^\(?\s*Log Out / Change \)?$"),
        ("login-prompt", r"^Connecting to %s$"),
        ("login-prompt", r"^(WordPress\.com Logo|Twitter picture|Facebook photo|Google\+ photo|Gravatar Logo)$"),
        ("advertisements", r"^Advertisements?$"),
        ("translate-widget", r"^Translate$"),
        ("notes-pointer", r"^Translators?'? Notes in Comments$"),
    )
)

_METADATA_KEYS = {
    "title": "title",
    "promulgating entities": "promulgating_entities",
    "reference number": "reference_number",
    "promulgation date": "promulgation_date",
    "expiration date": "expiration_date",
    "source of text": "source_url",
    "source": "source_url",
}
_METADATA_RE = re.compile(
    r"^(Title|Promulgating Entities|Reference number|Promulgation Date|Expiration date|Source of text|Source)"
    r"\s*:\s*(.*)$",
    re.IGNORECASE,
)
# The header sits above the body: stop looking at the first long paragraph.
_HEAD_PARAGRAPH_LIMIT = 300

_COMMENT_COUNT_RE = re.compile(r"^(\d+|One|Two|Three) (Comments?|Responses?|Replies|Thoughts? on .*)$", re.I)
_COMMENT_HEADER_RE = re.compile(r"^(\d+)\.\s+(.+?)\s+(\d{4})/(\d{1,2})/(\d{1,2})(\s+(at\s+)?\d{1,2}:\d{2}.*)?$")
_COMMENT_END = {"comment-form", "login-prompt", "translate-widget", "advertisements"}
_PINGBACK_RE = re.compile(r"^\[(…|\.\.\.)\].*\[(…|\.\.\.)\]$", re.S)

_ENUM_START_RE = re.compile(r"^[(（]\s*(\d+|[一二三四五六七八九十百]+|[a-zA-Z]|[ivxIVX]+)\s*[)）]")
_ATTRIBUTION_RE = re.compile(r"responsib|take[s]? the lead|taking the lead|leading the way|in charge|participat"
                             r"|负责|牵头|参加", re.I)

_SPACE_RE = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f]+")
_ZERO_WIDTH_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_EDGE_SPACE = " \u3000"


def normalise_line(text: str) -> str:
    """NFC, one space for any run of spaces, no zero-width characters, stripped.

    The ideographic space U+3000 is kept inside a line (Chinese layout) but
    stripped at its ends.
    """
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH_RE.sub("", text)
    text = _SPACE_RE.sub(" ", text)
    return text.strip(_EDGE_SPACE)


def is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def cjk_ratio(text: str) -> float:
    """Share of CJK ideographs among the letters (ideographs + Latin letters)."""
    cjk = sum(1 for c in text if is_cjk(c))
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return cjk / (cjk + latin) if cjk + latin else 0.0


# --------------------------------------------------------------------------
# Passes


def _normalise(raw: str, out: Cleaned) -> list[Line]:
    lines = []
    for no, text in enumerate(raw.split("\n"), start=1):
        clean = normalise_line(text)
        if clean != text:
            out.record("normalise-whitespace")
        lines.append(Line(no, clean))
    return lines


def _line_rule(text: str) -> str | None:
    for name, pattern in _LINE_RULES:
        if pattern.match(text):
            return name
    return None


def _metadata(lines: list[Line], out: Cleaned) -> list[Line]:
    kept: list[Line] = []
    in_head = True
    for line in lines:
        if in_head and len(line.text) > _HEAD_PARAGRAPH_LIMIT:
            in_head = False
        m = _METADATA_RE.match(line.text) if in_head else None
        if m:
            key = _METADATA_KEYS[m.group(1).lower()]
            value = m.group(2).strip() or None
            out.metadata.setdefault(key, value)
            out.record("metadata-header", line)
        else:
            kept.append(line)
    return kept


def _dedupe_author(name: str) -> str:
    """Comment headers repeat the author ("X X": avatar caption, then name)."""
    words = name.split()
    half = len(words) // 2
    if len(words) % 2 == 0 and half and words[:half] == words[half:]:
        return " ".join(words[:half])
    return name


def _comment_thread(lines: list[Line], out: Cleaned) -> list[Line]:
    """Remove "N Comments" and the comments after it; keep notes apart."""
    kept: list[Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not _COMMENT_COUNT_RE.match(line.text):
            kept.append(line)
            i += 1
            continue
        out.record("comment-thread", line, n=0)
        i += 1
        current: tuple[Line, list[Line]] | None = None
        comments: list[tuple[Line, list[Line]]] = []
        while i < len(lines):
            text = lines[i].text
            if _line_rule(text) in _COMMENT_END:
                break
            if _COMMENT_HEADER_RE.match(text):
                current = (lines[i], [])
                comments.append(current)
            elif text and current is not None:
                current[1].append(lines[i])
            elif text:  # text before any comment header: not a thread we know
                kept.append(lines[i])
            i += 1
        for header, body in comments:
            out.record("comment-thread", header)
            _keep_comment(header, body, out)
    return kept


def _keep_comment(header: Line, body: list[Line], out: Cleaned) -> None:
    m = _COMMENT_HEADER_RE.match(header.text)
    assert m is not None
    who = m.group(2).strip()
    post_author = False
    pa = re.search(r"\s*Post author\s*\|?\s*$", who)
    if pa:
        post_author = True
        who = who[: pa.start()]
    who = _dedupe_author(who.rstrip(" |"))
    date = f"{int(m.group(3)):04d}-{int(m.group(4)):02d}-{int(m.group(5)):02d}"
    text = "\n".join(line.text for line in body)
    first = body[0].no if body else header.no
    last = body[-1].no if body else header.no
    if _PINGBACK_RE.match(text):
        for line in body:
            out.record("pingback", line, n=0)
        out.record("pingback")
        return
    for line in body:
        out.record("translator-note", line, n=0)
    out.record("translator-note")
    out.notes.append(Note(author=who, date=date, text=text, post_author=post_author,
                          seed_lines=f"{header.no}-{last}" if last != header.no else str(first)))


def _apply_line_rules(lines: list[Line], out: Cleaned) -> list[Line]:
    kept = []
    for line in lines:
        rule = _line_rule(line.text) if line.text else None
        if rule:
            out.record(rule, line)
        else:
            kept.append(line)
    return kept


def _post_title(paragraphs: list[Line], out: Cleaned) -> list[Line]:
    title = out.metadata.get("title")
    if not title or not paragraphs:
        return paragraphs
    first = paragraphs[0]
    if first.text != title and any(p.text == title for p in paragraphs[1:6]):
        out.post_title = first.text
        out.record("post-title", first)
        return paragraphs[1:]
    return paragraphs


def _is_attribution(text: str) -> bool:
    """A line that is only the responsibility note of the item before it."""
    if not text.startswith(("(", "（")) or _ENUM_START_RE.match(text):
        return False
    closed = text.endswith((")", "）"))
    unclosed = ")" not in text and "）" not in text  # the seeds drop some closing parentheses
    return (closed or unclosed) and bool(_ATTRIBUTION_RE.search(text))


def _join_split_attribution(paragraphs: list[Line], out: Cleaned) -> list[Line]:
    joined: list[Line] = []
    for p in paragraphs:
        if joined and _is_attribution(p.text) and not joined[-1].text.endswith((":", "：")):
            prev = joined[-1]
            joined[-1] = Line(prev.no, f"{prev.text} {p.text}")
            out.record("join-split-attribution", p)
        else:
            joined.append(p)
    return joined


_DOC_NUMBER_RE = re.compile(r"^[\u4e00-\u9fff]{1,8}[〔\[［(（]\d{4}[〕\]］)）]\d+号$")
_ZH_SENTENCE_END = tuple("。！？；：，,;:!?…”」』）)")


def join_broken_title(paragraphs: list[Line], out: Cleaned) -> list[Line]:
    """Join the Chinese title lines above the document number (国办发〔2016〕98号).

    Lines before the number that carry no sentence punctuation are one title
    broken by the web page's layout; they join without a space.
    """
    for k, p in enumerate(paragraphs[:6]):
        if _DOC_NUMBER_RE.match(p.text):
            head = paragraphs[:k]
            if len(head) > 1 and all(not h.text.endswith(_ZH_SENTENCE_END) and cjk_ratio(h.text) > 0.9
                                     for h in head):
                for h in head[1:]:
                    out.record("join-broken-title", h)
                return [Line(head[0].no, "".join(h.text for h in head))] + paragraphs[k:]
            break
    return paragraphs


def split_original(paragraphs: list[Line]) -> tuple[list[Line], list[Line]]:
    """Split off the trailing block of Chinese paragraphs (the original that a
    blog posts after its translation). Returns (translation, original)."""
    k = len(paragraphs)
    while k > 0 and cjk_ratio(paragraphs[k - 1].text) >= 0.8:
        k -= 1
    return paragraphs[:k], paragraphs[k:]


def clean_web_copy(raw: str) -> Cleaned:
    """Apply passes 1-6 of the module docstring to a raw web copy."""
    out = Cleaned(lines=[])
    lines = _normalise(raw, out)
    lines = _metadata(lines, out)
    lines = _comment_thread(lines, out)
    lines = _apply_line_rules(lines, out)
    paragraphs = [line for line in lines if line.text]
    paragraphs = _post_title(paragraphs, out)
    paragraphs = _join_split_attribution(paragraphs, out)
    out.lines = paragraphs
    return out


def render(paragraphs: list[Line]) -> str:
    """The corpus file format: one paragraph per line, a blank line between
    paragraphs, a final newline."""
    return "\n\n".join(p.text for p in paragraphs) + "\n"


# --------------------------------------------------------------------------
# Facts read from the clean text

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"), ("y", "m", "d")),
    (re.compile(r"^([A-Za-z]+) (\d{1,2}), (\d{4})$"), ("M", "d", "y")),
    (re.compile(r"^(\d{1,2}) ([A-Za-z]+),? (\d{4})$"), ("d", "M", "y")),
)


def parse_date(text: str | None) -> str | None:
    """ISO date for a line that is only a date (2016-12-23, 2016年12月23日,
    December 23, 2016, 23 December 2016); None otherwise."""
    if not text:
        return None
    for pattern, order in _DATE_PATTERNS:
        m = pattern.match(text.strip())
        if not m:
            continue
        parts = dict(zip(order, m.groups()))
        month = int(parts["m"]) if "m" in parts else _MONTHS.get(parts["M"].lower())
        if not month:
            return None
        return f"{int(parts['y']):04d}-{month:02d}-{int(parts['d']):02d}"
    return None


def closing_date(paragraphs: list[Line]) -> str | None:
    """The signature date at the end of a document."""
    for p in reversed(paragraphs[-3:]):
        date = parse_date(p.text)
        if date:
            return date
    return None


_YEAR_RE = re.compile(r"\b(19|20)\d{2}\b")
_NO_RE = re.compile(r"\bNo\b")


def _is_reference(text: str) -> bool:
    """"GBF No. (2016)98", "SGO release No. 98 (2016)": short, a year, "No"."""
    return (len(text) <= 40 and bool(_YEAR_RE.search(text)) and bool(_NO_RE.search(text))
            and not text.endswith((".", ":", ";")))


def reference_line(paragraphs: list[Line]) -> str | None:
    """A document-number line near the top ("GBF No. (2016)98", "国办发〔2016〕98号")."""
    for p in paragraphs[:6]:
        if _DOC_NUMBER_RE.match(p.text) or _is_reference(p.text):
            return p.text
    return None
