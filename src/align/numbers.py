"""Numbers, dates and document numbers in Chinese and English text, reduced to
values that can be compared across the two languages.

``2016年12月23日``, ``December 23, 2016``, ``23 December 2016`` and
``2016-12-23`` all become the date ``(2016, 12, 23)``; ``国办发〔2016〕98号``,
``No. 98 (2016)``, ``(2016) No. 98`` and ``GBF No. (2016)98`` all become the
document number ``(2016, 98)``; ``十八届`` and ``18th`` both become 18.

Chinese numerals are everywhere in ordinary words (统一, 一些, 进一步), so a
Chinese numeral counts only in a numeric context (届, 中全会, 岁, 年, 个, 项, ...).
Enumeration markers (（一）, (1), 一、, 一是, 1.) are structure, not content, and
are skipped; so are URLs.

Each mention is *strong* (digits, dates, document numbers, Chinese numerals in
an unambiguous context) or *weak* (English number words such as "six" or
"sixth", Chinese numerals before a counter). A weak mention may satisfy a
strong one on the other side, but an unmatched weak mention is never reported:
"one of the", "first" and 一批 are too often not numbers at all.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

__all__ = [
    "Mention", "extract_numbers", "extract_zh", "extract_en", "compare_mentions",
    "chinese_to_int", "format_value",
]


@dataclass(frozen=True)
class Mention:
    """A number found in a text.

    ``kind`` is ``number``, ``date`` or ``docno``. ``value`` is a tuple:
    ``(n,)`` for a number, ``(year, month, day)`` with ``None`` for unknown
    parts for a date, ``(year, number)`` for a document number.
    ``start``/``end`` are offsets into the text that was scanned.
    """

    kind: str
    value: tuple
    text: str
    start: int
    end: int
    strong: bool = True

    @property
    def key(self) -> tuple:
        return (self.kind, self.value)

    def describe(self) -> str:
        return format_value(self.kind, self.value)


def format_value(kind: str, value: tuple) -> str:
    """A short human-readable form: ``18``, ``2016-12-23``, ``2016-06-?``, ``〔2016〕98``."""
    if kind == "date":
        y, m, d = value
        return "-".join("?" if v is None else (f"{v:02d}" if i else str(v)) for i, v in enumerate((y, m, d)))
    if kind == "docno":
        return f"〔{value[0]}〕{value[1]}"
    n = value[0]
    return str(int(n)) if float(n).is_integer() else str(n)


# --------------------------------------------------------------------------- Chinese numerals

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
CN_NUM = "〇零○一二两三四五六七八九十百千"  # characters of a Chinese numeral (no 万/亿)
_FULLWIDTH = str.maketrans("０１２３４５６７８９％．", "0123456789%.")


def chinese_to_int(s: str) -> int:
    """Convert a Chinese numeral (``十八``, ``二〇一六``, ``一百零五``, ``三万``) to an int.

    A run of bare digits with no unit (``二〇一六``) is read digit by digit,
    as years are written. Raises ValueError on anything else.
    """
    if not s:
        raise ValueError("empty numeral")
    if all(c in _CN_DIGITS for c in s):
        if len(s) == 1:
            return _CN_DIGITS[s]
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    total, section, digit = 0, 0, None
    for c in s:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[c]
            digit = None
        elif c in _CN_BIG:
            section += digit or 0
            total += (section or 1) * _CN_BIG[c]
            section, digit = 0, None
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    return total + section + (digit or 0)


def _num(s: str) -> int | None:
    """A number written in Arabic digits (ASCII, with thousands commas) or Chinese numerals."""
    s = s.replace(",", "").strip()
    if not s:
        return None
    if s[0].isdigit():
        try:
            v = float(s)
        except ValueError:
            return None
        return int(v) if v.is_integer() else v
    try:
        return chinese_to_int(s)
    except ValueError:
        return None


# --------------------------------------------------------------------------- scanning machinery

Handler = Callable[[re.Match], "list[tuple[str, tuple, bool]] | None"]


def _scan(text: str, rules: Iterable[tuple[re.Pattern, Handler]]) -> list[Mention]:
    """Apply rules in priority order; a match claims its span so that later
    rules do not see it again. A handler returns the mentions of its match
    (possibly none, to swallow markers and URLs), or None to decline."""
    text = text.translate(_FULLWIDTH)  # one char for one char: offsets unchanged
    claimed = [False] * (len(text) + 1)
    found: list[Mention] = []
    for pattern, handler in rules:
        for m in pattern.finditer(text):
            s, e = m.span()
            if s == e or any(claimed[s:e]):
                continue
            result = handler(m)
            if result is None:
                continue
            for i in range(s, e):
                claimed[i] = True
            for kind, value, strong in result:
                found.append(Mention(kind, value, m.group(0), s, e, strong))
    found.sort(key=lambda x: (x.start, x.end))
    return found


def _ignore(m: re.Match) -> list:
    return []


def _number(group: int | str = 0, *, strong: bool = True, scale: Callable[[re.Match], float] | None = None) -> Handler:
    def handle(m: re.Match):
        v = _num(m.group(group))
        if v is None:
            return None
        if scale is not None:
            v = v * scale(m)
            v = int(v) if float(v).is_integer() else v
        return [("number", (v,), strong)]
    return handle


def _date(y: int | str | None, mo: int | str | None, d: int | str | None, *, month_name: bool = False) -> Handler:
    def handle(m: re.Match):
        year = _num(m.group(y)) if y is not None and m.group(y) else None
        if month_name:
            month = _MONTHS.get(m.group(mo).lower().rstrip(".")[:3])
        else:
            month = _num(m.group(mo)) if mo is not None and m.group(mo) else None
        day = _num(m.group(d)) if d is not None and m.group(d) else None
        if month is not None and not 1 <= month <= 12:
            return None
        if day is not None and not 1 <= day <= 31:
            return None
        return [("date", (year, month, day), True)]
    return handle


def _docno(y: int, n: int) -> Handler:
    def handle(m: re.Match):
        return [("docno", (int(m.group(y)), int(m.group(n))), True)]
    return handle


_URL = re.compile(r"(?:https?://|www\.)[^\s，。；、）)\]]+", re.I)

# --------------------------------------------------------------------------- Chinese rules

_NUMC = f"[{CN_NUM}]"
_YEAR_ZH = r"(\d{4}|[〇零○一二三四五六七八九]{4})"
_MON_ZH = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
_DAY_ZH = r"(\d{1,2}|[一二三四五六七八九十]{1,4})"
_WEAK_COUNTERS = "个项种次年批名类级条家位所件步点方面阶段周年倍"


def _zh_ordinal_context(m: re.Match):
    v = _num(m.group(1))
    if v is None:
        return None
    return [("number", (v,), v >= 10)]  # 十八大 is the 18th Congress; 三大任务 is just "three major tasks"


_ZH_RULES: list[tuple[re.Pattern, Handler]] = [
    (_URL, _ignore),
    # document numbers: 国办发〔2016〕98号, [2016]98号
    (re.compile(r"[〔\[【（(]\s*(\d{4})\s*[〕\]】）)]\s*第?\s*(\d+)\s*号"), _docno(1, 2)),
    # enumeration markers: （一） (1) ① 一、 1、 1. 一是 第一，
    (re.compile(rf"[（(]\s*(?:{_NUMC}{{1,3}}|\d{{1,2}})\s*[）)]"), _ignore),
    (re.compile(r"[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf\u2474-\u2487]"), _ignore),
    (re.compile(rf"(?:^|(?<=[\n。；;：:！？]))\s*(?:{_NUMC}{{1,3}}|\d{{1,2}})\s*[、.．](?!\d)", re.M), _ignore),
    (re.compile(rf"(?:^|(?<=[\n。；;：:，,！？]))\s*{_NUMC}{{1,3}}是", re.M), _ignore),
    (re.compile(rf"(?:^|(?<=[\n。；;：:！？]))\s*(?:第{_NUMC}{{1,3}}|首先|其次)\s*[，,]", re.M), _ignore),
    # dates
    (re.compile(rf"{_YEAR_ZH}\s*年\s*{_MON_ZH}\s*月(?:\s*{_DAY_ZH}\s*[日号])?"), _date(1, 2, 3)),
    (re.compile(rf"(?<![\d{CN_NUM}]){_MON_ZH}\s*月(?:\s*{_DAY_ZH}\s*[日号])?"), _date(None, 1, 2)),
    (re.compile(rf"{_YEAR_ZH}\s*年"), _number(1)),
    # percentages and large units
    (re.compile(rf"百分之({_NUMC}+|\d+(?:\.\d+)?)"), _number(1)),
    (re.compile(r"(\d+(?:\.\d+)?)\s*%"), _number(1)),
    (re.compile(rf"(\d+(?:\.\d+)?|{_NUMC}+)\s*([万亿])"),
     _number(1, scale=lambda m: _CN_BIG[m.group(2)])),
    # Chinese numerals in a numeric context
    (re.compile(rf"({_NUMC}+)(?=届|中全会|中[、，,和及与]|岁|周岁)"), _number(1)),
    # 十三五 (规划): the 13th Five-Year Plan
    (re.compile(r"“?(十[一二三四五六七八九])五”?(?=规划|时期|期间|计划|以来|$)"), _number(1)),
    (re.compile(rf"第({_NUMC}+)(?=[条章款节])"), _number(1)),
    (re.compile(rf"({_NUMC}+)大(?=[和及与、，,精报以]|$)"), _zh_ordinal_context),
    (re.compile(rf"第({_NUMC}+)"), _number(1, strong=False)),
    (re.compile(rf"({_NUMC}+)(?=[{_WEAK_COUNTERS}])"), _number(1, strong=False)),
    # Arabic digits
    (re.compile(r"\d+(?:\.\d+)?"), _number(0)),
]

# --------------------------------------------------------------------------- English rules

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTH_EN = (r"(January|February|March|April|May|June|July|August|September|October|November|December"
             r"|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)")
_MONTH_EN_NOT_MAY = _MONTH_EN.replace("|May|", "|")
_ORD = r"(?:st|nd|rd|th)?"
_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
               "ninety": 90, "hundred": 100})
_ORDINALS = {w: i for i, w in enumerate(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split())}
_ORDINALS.update({"thirtieth": 30, "fortieth": 40, "fiftieth": 50, "hundredth": 100})
_SCALE_EN = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def _word(m: re.Match):
    w = m.group(0).lower()
    v = _WORDS.get(w, _ORDINALS.get(w))
    return None if v is None else [("number", (v,), False)]


_EN_NUM = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_EN_RULES: list[tuple[re.Pattern, Handler]] = [
    (_URL, _ignore),
    # document numbers: No. 98 (2016); (2016) No. 98; GBF No. (2016)98; 〔2016〕98号
    (re.compile(r"No\.?\s*(\d+)\s*[(\[〔（]\s*(\d{4})\s*[)\]〕）]"), _docno(2, 1)),
    (re.compile(r"No\.?\s*[(\[〔（]\s*(\d{4})\s*[)\]〕）]\s*(?:No\.?\s*)?(\d+)"), _docno(1, 2)),
    (re.compile(r"[(\[〔（]\s*(\d{4})\s*[)\]〕）]\s*(?:No\.?|Number|#)?\s*(\d+)\s*号?"), _docno(1, 2)),
    # enumeration markers: (1) (a) (iv) and 1. / I. / A) / I, at the start of a line or sentence
    (re.compile(r"[（(]\s*(?:\d{1,2}|[ivxlc]{1,5}|[a-z])\s*[）)]", re.I), _ignore),
    (re.compile(r"(?:^|(?<=[\n.;:!?]\s)|(?<=[\n;:]))\s*(?:(?:\d{1,2}|[IVXLC]{1,5}|[A-Z])\s*[.、)]|[IVXLC]{1,5},)(?=\s|$)",
                re.M), _ignore),
    # dates
    (re.compile(rf"{_MONTH_EN}\s+(\d{{1,2}}){_ORD},?\s+(\d{{4}})"), _date(3, 1, 2, month_name=True)),
    (re.compile(rf"(\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH_EN},?\s+(\d{{4}})"), _date(3, 2, 1, month_name=True)),
    (re.compile(r"(?<![\d-])(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?![\d-])"), _date(1, 2, 3)),
    (re.compile(r"(?<![\d-])(\d{4})[-/](\d{1,2})(?![\d-])"), _date(1, 2, None)),
    (re.compile(rf"{_MONTH_EN},?\s+(?:of\s+)?(\d{{4}})"), _date(2, 1, None, month_name=True)),
    (re.compile(rf"{_MONTH_EN}\s+(\d{{1,2}}){_ORD}\b"), _date(None, 1, 2, month_name=True)),
    (re.compile(rf"(\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH_EN}"), _date(None, 2, 1, month_name=True)),
    (re.compile(rf"\b{_MONTH_EN_NOT_MAY}(?![\w])"), _date(None, 1, None, month_name=True)),
    # percentages and scale words
    (re.compile(rf"{_EN_NUM}\s*(?:%|percent\b|per cent\b)"), _number(1)),
    (re.compile(rf"{_EN_NUM}\s+(thousand|million|billion)\b", re.I),
     _number(1, scale=lambda m: _SCALE_EN[m.group(2).lower()])),
    # digits, with an ordinal suffix or a typo in it (18th, 3rd, 6rh)
    (re.compile(rf"(?<![\w.]){_EN_NUM}(?:[a-z]{{1,2}}\b)?"), _number(1)),
    # number words: weak
    (re.compile(r"\b(?:" + "|".join(sorted(set(_WORDS) | set(_ORDINALS), key=len, reverse=True)) + r")\b", re.I),
     _word),
]


def extract_zh(text: str) -> list[Mention]:
    """Numbers, dates and document numbers in Chinese text."""
    return _scan(text, _ZH_RULES)


def extract_en(text: str) -> list[Mention]:
    """Numbers, dates and document numbers in English text."""
    return _scan(text, _EN_RULES)


def extract_numbers(text: str, lang: str) -> list[Mention]:
    """Dispatch on ``lang`` (``zh`` or ``en``)."""
    if lang == "zh":
        return extract_zh(text)
    if lang == "en":
        return extract_en(text)
    raise ValueError(f"unknown language {lang!r}")


# --------------------------------------------------------------------------- comparison

def _dates_compatible(a: tuple, b: tuple) -> bool:
    return all(x is None or y is None or x == y for x, y in zip(a, b))


def _distinct(mentions: Iterable[Mention]) -> list[Mention]:
    """One mention per value, the strong one if any: a value said twice in
    one language is often said once in the other (十八大和十八届 is "the 18th
    Party Congress and its plenums"), so values are compared as sets."""
    best: dict[tuple, Mention] = {}
    for m in mentions:
        if m.key not in best or (m.strong and not best[m.key].strong):
            best[m.key] = m
    return sorted(best.values(), key=lambda m: (m.start, m.end))


def compare_mentions(source: list[Mention], target: list[Mention]) -> tuple[list[Mention], list[Mention]]:
    """Match the mentions of a source text with those of its translation.

    Returns ``(missing, extra)``: strong source mentions with no counterpart
    in the target, and strong target mentions with no counterpart in the
    source. Values are compared as sets (see ``_distinct``), in passes: equal values; then dates
    that agree on every part both sides give (``6月`` and ``June 2017``); then
    a bare number that is the serial of a document number; then a bare year
    that agrees with the year of a date. A bare year left over that repeats
    the year of a date or document number on the other side is not reported.
    """
    src = _distinct(source)
    tgt = _distinct(target)
    used_s = [False] * len(src)
    used_t = [False] * len(tgt)

    def run(compatible: Callable[[Mention, Mention], bool]) -> None:
        # strong source mentions first, so a weak one cannot steal their partner
        order = sorted(range(len(src)), key=lambda i: (not src[i].strong, i))
        for i in order:
            if used_s[i]:
                continue
            cands = [j for j in range(len(tgt)) if not used_t[j] and compatible(src[i], tgt[j])]
            if cands:
                j = min(cands, key=lambda j: (not tgt[j].strong, j))
                used_s[i] = used_t[j] = True

    def year_of(m: Mention) -> int | None:
        return m.value[0] if m.kind in ("date", "docno") else None

    run(lambda a, b: a.key == b.key)
    run(lambda a, b: a.kind == b.kind == "date" and _dates_compatible(a.value, b.value))
    # "Document No. 98 of 2016" against 〔2016〕98号: the serial number stands for the document number ...
    run(lambda a, b: (a.kind == "number" and b.kind == "docno" and a.value[0] == b.value[1])
        or (b.kind == "number" and a.kind == "docno" and b.value[0] == a.value[1]))
    run(lambda a, b: (a.kind == "number" and b.kind == "date" and a.value[0] == year_of(b))
        or (b.kind == "number" and a.kind == "date" and b.value[0] == year_of(a)))
    # ... and a bare year that repeats the year of a date or document number on the other side is no news
    years_s = {year_of(m) for m in src} - {None}
    years_t = {year_of(m) for m in tgt} - {None}
    missing = [m for m, u in zip(src, used_s)
               if not u and m.strong and not (m.kind == "number" and m.value[0] in years_t)]
    extra = [m for m, u in zip(tgt, used_t)
             if not u and m.strong and not (m.kind == "number" and m.value[0] in years_s)]
    return missing, extra
