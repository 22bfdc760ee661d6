"""Numbers, dates and document numbers in Chinese and English text, reduced to
values that can be compared across the two languages.

What is read
------------
``2016年12月23日``, ``December 23, 2016``, ``23 December 2016`` and
``2016-12-23`` all become the date ``(2016, 12, 23)``; ``国办发〔2016〕98号``,
``No. 98 (2016)``, ``(2016) No. 98`` and ``GBF No. (2016)98`` all become the
document number ``(2016, 98)``; ``十八届``, ``18th`` and ``eighteenth`` all
become 18; ``二十世纪`` and ``20th century`` 20; ``十米至三百米`` and ``10-300
metres`` (or ``10 to 300 metres``) 10 and 300; ``十五日`` and ``15 days`` 15;
``百分之五``, ``5%`` and ``five percent`` the percentage 5; ``三分之一`` and
``one third`` the fraction 1/3; ``一亿二千万`` and ``120 million`` 120000000.

Chinese numerals (with 两, 〇/零, 百/千/万/亿 compounds and 点 decimals) are
read in every position, but they are everywhere in ordinary words (统一, 一些,
进一步), so where they stand decides what they are worth (see *strength*).
English number words are read as compounds (``twenty-five``, ``one hundred and
five``, ``twenty-first``). A month name is a date only inside a date
(``March 3``, ``3 March 2016``, ``March 2016``); on its own (``in March``) it
is only weak, and "March of the Volunteers" can never stand against anything;
``may`` and ``to march`` are not months.

Enumeration markers are structure, not quantities: ``（一）``, ``(1)``, ``①``,
``一、``, ``1.``, ``一是``, ``第一，``, ``第三章``, ``第五条``, ``First,``,
``Chapter III``, ``Article 5``, ``III.``, ``(iv)`` are read as the mention kind
``enum``. Roman numerals are read only there: after Chapter, Part, Section,
Article, Book, Title, Volume (...), or as a heading marker at the start of a
line (``III.``); never the pronoun "I", nor a word such as "MIX". URLs are
skipped.

Strength
--------
Each mention is *strong* (digits, dates, document numbers, percentages,
Chinese numerals before a unit or in a context such as 届, 中全会, 世纪,
English compounds and words from eleven up), *weak* (English one to ten,
first to tenth, a bare month name; Chinese numerals before a counter such as
个, 项, 年, or after 第) or *bare* (a Chinese numeral in no numeric context at
all). A weak or bare mention may satisfy a strong one on the other side, but an
unmatched weak or bare mention is never reported.

What is compared, and how severe a difference is
------------------------------------------------
:func:`compare_numbers` compares the quantities, dates, years, percentages,
money amounts and document numbers of a source text and its translation; the
enumeration markers are compared apart, as structure. Values are compared as
sets: a value said twice on one side and once on the other is no news. What
is left over gets a severity (the rule the number check in
:mod:`align.compare` applies):

* ``error`` — a real disagreement: a value left over on one side stands
  against a value of the same sort left over on the other (98 vs 99,
  December 23 vs 24, 二十世纪 vs "19th century", 百分之五 vs 50%), or against a
  second mention of a value already matched (十八大和十八届 vs "the 18th Party
  Congress ... the 19th Party Congress"). Years stand only against years
  and dates; a bare numeral, a month name alone and "one"/"first"/一 stand
  against nothing: they are too often not numbers.
* ``warning`` — a value on one side only: the other side gives no value of
  that sort that could be read. It may say it in words that are not read ("a
  fortnight", "this year"), or leave it out, or the translator added it.
* ``info`` — only the enumeration markers differ (第三章 vs "Chapter IV"):
  structure, never a numbers-disagree error.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable

__all__ = [
    "Mention", "Reading", "NumberComparison", "extract_numbers", "extract_zh", "extract_en",
    "compare_numbers", "compare_mentions", "chinese_to_int", "roman_to_int", "english_numbers",
    "EnglishNumber", "format_value", "QUANTITY_KINDS",
]

#: The kinds of mention that carry content (``enum`` is structure).
QUANTITY_KINDS = ("number", "percent", "fraction", "date", "docno")


@dataclass(frozen=True)
class Mention:
    """A number found in a text.

    ``kind`` is ``number``, ``percent``, ``fraction``, ``date``, ``docno`` or
    ``enum`` (an enumeration marker or a chapter/article reference: structure).
    ``value`` is a tuple: ``(n,)`` for a number, a percentage or a marker,
    ``(numerator, denominator)`` in lowest terms for a fraction,
    ``(year, month, day)`` with ``None`` for unknown parts for a date,
    ``(year, number)`` for a document number. ``start``/``end`` are offsets
    into the text that was scanned. ``strong``: reported when nothing on the
    other side matches it; ``bare``: a numeral read in no numeric context,
    which can satisfy a mention on the other side but never stands against
    one (see the module docstring).
    """

    kind: str
    value: tuple
    text: str
    start: int
    end: int
    strong: bool = True
    bare: bool = False

    @property
    def key(self) -> tuple:
        return (self.kind, self.value)

    def describe(self) -> str:
        return format_value(self.kind, self.value)


@dataclass(frozen=True)
class Reading:
    """What a scanning rule read in its match, before it has a position."""

    kind: str
    value: tuple
    strong: bool = True
    bare: bool = False


@dataclass(frozen=True)
class NumberComparison:
    """The outcome of :func:`compare_numbers`.

    ``missing``: strong source mentions nothing in the target matches;
    ``extra``: strong target mentions nothing in the source matches;
    ``disagree``: some of them stand against a value of the same sort on the
    other side (a real disagreement, not a value one side leaves out);
    ``against_source``/``against_target``: the other mentions those stand
    against, where they are not in ``missing``/``extra`` themselves (a weak
    "ten" against 十五日, the second 18 of 十八大和十八届 against "19th"), to
    show beside them.
    ``markers_source``/``markers_target``: enumeration markers left over on
    both sides (both empty unless both sides have one left).
    """

    missing: tuple[Mention, ...] = ()
    extra: tuple[Mention, ...] = ()
    disagree: bool = False
    against_source: tuple[Mention, ...] = ()
    against_target: tuple[Mention, ...] = ()
    markers_source: tuple[Mention, ...] = ()
    markers_target: tuple[Mention, ...] = ()

    @property
    def severity(self) -> str | None:
        """``error``, ``warning``, ``info`` (markers only) or None (nothing to report)."""
        if self.missing or self.extra:
            return "error" if self.disagree else "warning"
        if self.markers_source:
            return "info"
        return None


def format_value(kind: str, value: tuple) -> str:
    """A short human-readable form: ``18``, ``5%``, ``1/3``, ``2016-12-23``, ``2016-06-?``, ``〔2016〕98``."""
    if kind == "date":
        y, m, d = value
        return "-".join("?" if v is None else (f"{v:02d}" if i else str(v)) for i, v in enumerate((y, m, d)))
    if kind == "docno":
        return f"〔{value[0]}〕{value[1]}"
    if kind == "fraction":
        return f"{value[0]}/{value[1]}"
    n = value[0]
    text = str(int(n)) if float(n).is_integer() else str(n)
    return text + "%" if kind == "percent" else text


def _clean(v: float) -> int | float:
    """An int when the value is whole (3.0 -> 3), so that equal values have equal keys."""
    v = round(v, 9)
    return int(v) if float(v).is_integer() else v


# --------------------------------------------------------------------------- Chinese numerals

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
CN_NUM = "〇零○一二两三四五六七八九十百千"  # characters of a Chinese numeral (no 万/亿)
_CN_DIG = "〇零○一二两三四五六七八九"
_FULLWIDTH = str.maketrans("０１２３４５６７８９％．～－", "0123456789%.~-")


def chinese_to_int(s: str) -> int:
    """Convert a Chinese numeral (``十八``, ``二〇一六``, ``一百零五``, ``三万``,
    ``一亿二千万``, ``一万亿``) to an int.

    A run of bare digits with no unit (``二〇一六``) is read digit by digit,
    as years are written. Raises ValueError on anything else.
    """
    if not s:
        raise ValueError("empty numeral")
    if all(c in _CN_DIGITS for c in s):
        if len(s) == 1:
            return _CN_DIGITS[s]
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    yi = 0      # everything before the last 亿, already multiplied out
    wan = 0     # everything since the last 亿 and before the last 万, multiplied out
    section = 0  # below 万
    digit: int | None = None
    for c in s:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[c]
            digit = None
        elif c == "万":
            if section == 0 and digit is None and wan == 0 and yi == 0:
                raise ValueError(f"not a Chinese numeral: {s!r}")
            wan = (wan + section + (digit or 0)) * _CN_BIG["万"]
            section, digit = 0, None
        elif c == "亿":
            if section == 0 and digit is None and wan == 0 and yi == 0:
                raise ValueError(f"not a Chinese numeral: {s!r}")
            yi = (yi + wan + section + (digit or 0)) * _CN_BIG["亿"]
            wan, section, digit = 0, 0, None
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    return yi + wan + section + (digit or 0)


def _zh_number(s: str) -> int | float:
    """A Chinese numeral, possibly with a 点 decimal part and a 万/亿 after it
    (``三点五``, ``一点二亿``). Raises ValueError."""
    if "点" not in s:
        return chinese_to_int(s)
    whole, _, rest = s.partition("点")
    scale = 1
    if rest and rest[-1] in _CN_BIG:
        scale, rest = _CN_BIG[rest[-1]], rest[:-1]
    if not rest or not all(c in _CN_DIGITS for c in rest):
        raise ValueError(f"not a Chinese decimal: {s!r}")
    v = float(f"{chinese_to_int(whole)}.{''.join(str(_CN_DIGITS[c]) for c in rest)}")
    return _clean(v * scale)


def _num(s: str) -> int | float | None:
    """A number written in Arabic digits (ASCII, with thousands commas) or Chinese numerals."""
    s = s.replace(",", "").strip()
    if not s:
        return None
    if s[0].isdigit():
        try:
            return _clean(float(s))
        except ValueError:
            return None
    try:
        return _zh_number(s)
    except ValueError:
        return None


# --------------------------------------------------------------------------- Roman numerals and English words

_ROMAN_VALID = re.compile(r"M{0,4}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_to_int(s: str) -> int:
    """``XIV`` -> 14 (upper or lower case); ValueError for anything that is not a well-formed Roman numeral."""
    t = s.upper()
    if not t or not _ROMAN_VALID.fullmatch(t):
        raise ValueError(f"not a Roman numeral: {s!r}")
    total = 0
    for c, nxt in zip(t, t[1:] + " "):
        v = _ROMAN_VALUES[c]
        total += -v if nxt != " " and _ROMAN_VALUES[nxt] > v else v
    return total


_EN_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
            "ninety": 90}
_EN_ORD_UNITS = {w: i for i, w in enumerate(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth".split())}
_EN_ORD_TENS = {w[:-1] + "ieth": v for w, v in _EN_TENS.items()}
_EN_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
              "trillion": 1_000_000_000_000}
_EN_ORD_SCALES = {w + "th": v for w, v in _EN_SCALES.items()}
_EN_CARDINALS = {**_EN_UNITS, **_EN_TENS, **_EN_SCALES}
_EN_ORDINALS = {**_EN_ORD_UNITS, **_EN_ORD_TENS, **_EN_ORD_SCALES}
_EN_ALL_WORDS = {**_EN_CARDINALS, **_EN_ORDINALS}


@dataclass(frozen=True)
class EnglishNumber:
    """A number read from English words: its value, whether it is an
    ordinal (``twenty-first``), and how many number words it took."""

    value: int
    ordinal: bool
    words: int

    @property
    def strong(self) -> bool:
        """A compound (``twenty-five``, ``one hundred``) or a single word from eleven up;
        one to ten, first to tenth and a lone ``hundred``/``thousand`` are weak."""
        return self.words >= 2 or (11 <= self.value < 100)


def english_numbers(text: str) -> list[EnglishNumber]:
    """The numbers written in English words in ``text``, compounds read whole:
    ``twenty-five`` -> 25, ``one hundred and five`` -> 105, ``two thousand three
    hundred`` -> 2300, ``twenty-first`` -> 21 (ordinal). Words that cannot
    continue a number start a new one (``two three`` is 2 and 3)."""
    out: list[EnglishNumber] = []
    total, current, words, last = 0, 0, 0, ""   # last: "", unit, teen, ten, hundred, scale, and
    top_scale = math.inf

    def flush(ordinal: bool = False) -> None:
        nonlocal total, current, words, last, top_scale
        if words:
            out.append(EnglishNumber(total + current, ordinal, words))
        total, current, words, last, top_scale = 0, 0, 0, "", math.inf

    for tok in re.findall(r"[a-z]+", text.lower()):
        if tok == "and":
            if last in ("hundred", "scale"):
                last = "and"
            else:
                flush()
            continue
        ordinal = tok in _EN_ORDINALS
        v = _EN_ALL_WORDS.get(tok)
        if v is None:
            flush()
            continue
        if tok in ("hundred", "hundredth"):
            if current >= 100 or last == "hundred":
                flush()
            current = (current or 1) * 100
            last = "hundred"
        elif tok in _EN_SCALES or tok in _EN_ORD_SCALES:  # thousand, million, ...
            if v >= top_scale:
                flush()
            total += (current or 1) * v
            current, last, top_scale = 0, "scale", v
        elif v >= 20 and v % 10 == 0:  # twenty ... ninety
            if last in ("unit", "teen", "ten"):
                flush()
            current += v
            last = "ten"
        else:  # zero ... nineteen
            kind = "unit" if v < 10 else "teen"
            if last in ("unit", "teen") or (last == "ten" and kind == "teen"):
                flush()
            current += v
            last = kind
        words += 1
        if ordinal:
            flush(ordinal=True)
    flush()
    return out


# --------------------------------------------------------------------------- scanning machinery

Handler = Callable[[re.Match], "list[Reading] | None"]

#: the characters other than A-Z that a pattern ignoring case takes for an ASCII letter (İ ı ſ and the Kelvin sign)
_ASCII_CASE_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def fold_for_needs(text: str) -> str:
    """``text`` in lower case, with every character that a pattern ignoring
    case takes for an ASCII letter written as that letter: what the words a
    rule needs are looked for in."""
    return text.translate(_ASCII_CASE_FOLD).lower()


@dataclass(frozen=True)
class Rule:
    """A scanning rule: its pattern, what its handler reads in a match, and
    ``needs``, the lower-case strings of which every match holds one (empty:
    no such string is known). A text holding none of them is not scanned."""

    pattern: re.Pattern
    handler: Handler
    needs: tuple[str, ...] = ()

    def may_match(self, folded: str) -> bool:
        """Whether a match is possible in the text ``folded`` is the :func:`fold_for_needs` of."""
        return not self.needs or any(word in folded for word in self.needs)


def _scan(text: str, rules: Iterable[Rule], *, prefilter: bool = True) -> list[Mention]:
    """Apply rules in priority order; a match claims its span so that later
    rules do not see it again. A handler returns the readings of its match
    (possibly none, to swallow URLs), or None to decline. With ``prefilter``
    a rule whose needs the text lacks is skipped (it could match nothing)."""
    text = text.translate(_FULLWIDTH)  # one char for one char: offsets unchanged
    folded = fold_for_needs(text)
    claimed = [False] * (len(text) + 1)
    found: list[Mention] = []
    for rule in rules:
        if prefilter and not rule.may_match(folded):
            continue
        for m in rule.pattern.finditer(text):
            s, e = m.span()
            if s == e or any(claimed[s:e]):
                continue
            result = rule.handler(m)
            if result is None:
                continue
            for i in range(s, e):
                claimed[i] = True
            for r in result:
                found.append(Mention(r.kind, r.value, m.group(0), s, e, r.strong and not r.bare, r.bare))
    found.sort(key=lambda x: (x.start, x.end))
    return found


def _ignore(m: re.Match) -> list[Reading]:
    return []


def _number(group: int | str = 0, *, kind: str = "number", strong: bool = True, one_is_weak: bool = False,
            scale: Callable[[re.Match], float] | None = None) -> Handler:
    """A number in ``group``; weak when ``strong`` is false, or when it is 1
    and ``one_is_weak`` (一日, 一人: "a day", "one person")."""
    def handle(m: re.Match):
        v = _num(m.group(group))
        if v is None:
            return None
        if scale is not None:
            v = _clean(v * scale(m))
        return [Reading(kind, (v,), strong and not (one_is_weak and v == 1))]
    return handle


def _numbers(*groups: int, strong: bool = True, one_is_weak: bool = False) -> Handler:
    """Several numbers (a range: 十米至三百米), all or none."""
    def handle(m: re.Match):
        vals = [_num(m.group(g)) for g in groups if m.group(g)]
        if not vals or any(v is None for v in vals):
            return None
        return [Reading("number", (v,), strong and not (one_is_weak and v == 1)) for v in vals]
    return handle


def _date(y: int | str | None, mo: int | str | None, d: int | str | None, *, month_name: bool = False,
          strong: bool = True) -> Handler:
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
        return [Reading("date", (year, month, day), strong)]
    return handle


def _docno(y: int, n: int) -> Handler:
    def handle(m: re.Match):
        return [Reading("docno", (int(m.group(y)), int(m.group(n))))]
    return handle


def _fraction(num: int | str, den: int | str, *, strong: bool = True) -> Handler:
    def handle(m: re.Match):
        n, d = _num_or_word(m.group(num)), _num_or_word(m.group(den))
        if n is None or d is None or d < 2 or not float(n).is_integer() or not float(d).is_integer():
            return None
        g = math.gcd(int(n), int(d))
        return [Reading("fraction", (int(n) // g, int(d) // g), strong)]
    return handle


def _num_or_word(s: str) -> int | float | None:
    """Digits, a Chinese numeral or English number words (the last number they say)."""
    v = _num(s)
    if v is not None:
        return v
    words = english_numbers(s)
    return words[-1].value if words else None


_URL = re.compile(r"(?:https?://|www\.)[^\s，。；、）)\]]+", re.I)
_URL_NEEDS = ("http://", "https://", "www.")


def _shortest_words(words: Iterable[str]) -> tuple[str, ...]:
    """The words that hold no other of ``words``: a text holding one of
    ``words`` holds one of these (``seventeenth`` holds ``seven``)."""
    words = set(words)
    return tuple(sorted(w for w in words if not any(o != w and o in w for o in words)))

# --------------------------------------------------------------------------- Chinese rules

_NUMC = f"[{CN_NUM}]"
#: a Chinese numeral, possibly with 万/亿 and a 点 decimal part (not starting with 万/亿)
_ZH_NUMERAL = rf"[{CN_NUM}][{CN_NUM}万亿]*(?:点[{_CN_DIG}]+[万亿]?)?"
_ZH_OR_DIGITS = rf"(?:\d+(?:\.\d+)?|{_ZH_NUMERAL})"
_YEAR_ZH = r"(\d{4}|[〇零○一二三四五六七八九]{4})"
_MON_ZH = r"(\d{1,2}|[一二三四五六七八九十]{1,3})"
_DAY_ZH = r"(\d{1,2}|[一二三四五六七八九十]{1,4})"
#: counters after which a Chinese numeral is only weak (三项, 一批, 五年)
_WEAK_COUNTERS = "个项种次年批名类级条家位所件步方面阶段周倍轮期"
#: units after which a Chinese numeral other than 一 is strong (十米, 十五日, 三万元; 一日 is "a day")
_ZH_UNITS = ("平方公里|平方千米|平方米|立方米|公里|千米|厘米|毫米|米|公顷|亩|吨|公斤|千克|克|万元|亿元|美元|元|"
             "人次|人|户|小时|分钟|秒|个工作日|工作日|个月|日|天|周岁|岁|世纪")
_ZH_RANGE_MARKS = ("至", "到", "~", "—", "–", "－", "-")
_ZH_RANGE = r"\s*(?:" + "|".join(map(re.escape, _ZH_RANGE_MARKS)) + r")\s*"
_ZH_SENTENCE_START = r"(?:^|(?<=[\n。；;：:！？]))"
_ZH_STRUCTURE = r"(?:章|节|条|款|项|编|部分|目)"
_ZH_UNIT_NEEDS = _shortest_words(_ZH_UNITS.split("|"))
_ZH_COUNTER_NEEDS = (*_WEAK_COUNTERS, "点")


def _zh_enum(m: re.Match) -> list[Reading] | None:
    """All the numbers of an enumeration marker or reference (第三条至第五条: 3, 5)."""
    vals = [_num(t) for t in re.findall(rf"\d+|{_ZH_NUMERAL}", m.group(0))]
    if not vals or any(v is None for v in vals):
        return None
    return [Reading("enum", (v,), True) for v in vals]


def _circled(m: re.Match) -> list[Reading]:
    return [Reading("enum", (_clean(unicodedata.numeric(m.group(0))),), True)]


def _zh_ordinal_context(m: re.Match):
    v = _num(m.group(1))
    if v is None:
        return None
    return [Reading("number", (v,), v >= 10)]  # 十八大 is the 18th Congress; 三大任务 is just "three major tasks"


def _zh_bare(m: re.Match):
    """A Chinese numeral in no numeric context: bare (satisfies, never stands
    against); a lone 一 is left alone (一些, 统一, 进一步 ...)."""
    if m.group(0) == "一":
        return None
    v = _num(m.group(0))
    return None if v is None else [Reading("number", (v,), False, bare=True)]


_ZH_RULES: list[Rule] = [
    Rule(_URL, _ignore, _URL_NEEDS),
    # document numbers: 国办发〔2016〕98号, [2016]98号
    Rule(re.compile(r"[〔\[【（(]\s*(\d{4})\s*[〕\]】）)]\s*第?\s*(\d+)\s*号"), _docno(1, 2), ("号",)),
    # enumeration markers and structural references: （一） (1) ① 一、 1、 1. 一是 第一， 首先 第三章 第五条
    Rule(re.compile(rf"[（(]\s*(?:{_NUMC}{{1,3}}|\d{{1,2}})\s*[）)]"), _zh_enum),
    Rule(re.compile(r"[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf\u2474-\u2487]"), _circled),
    Rule(re.compile(rf"{_ZH_SENTENCE_START}\s*(?:{_NUMC}{{1,3}}|\d{{1,2}})\s*[、.．](?!\d)", re.M), _zh_enum),
    Rule(re.compile(rf"(?:^|(?<=[\n。；;：:，,！？]))\s*{_NUMC}{{1,3}}是", re.M), _zh_enum, ("是",)),
    Rule(re.compile(rf"{_ZH_SENTENCE_START}\s*第{_NUMC}{{1,3}}(?=\s*[，,、：:]|\s+\S|\s*$)", re.M), _zh_enum, ("第",)),
    Rule(re.compile(rf"{_ZH_SENTENCE_START}\s*首先(?=\s*[，,])", re.M), lambda m: [Reading("enum", (1,))], ("首先",)),
    Rule(re.compile(rf"{_ZH_SENTENCE_START}\s*其次(?=\s*[，,])", re.M), lambda m: [Reading("enum", (2,))], ("其次",)),
    Rule(re.compile(rf"第\s*(?:{_NUMC}+|\d+)(?:\s*(?:[、，,和及与或至到—-]|以及)\s*第?\s*(?:{_NUMC}+|\d+))*\s*{_ZH_STRUCTURE}"),
     _zh_enum, ("第",)),
    # dates
    Rule(re.compile(rf"{_YEAR_ZH}\s*年\s*{_MON_ZH}\s*月(?:\s*{_DAY_ZH}\s*[日号])?"), _date(1, 2, 3), ("月",)),
    Rule(re.compile(rf"(?<![\d{CN_NUM}]){_MON_ZH}\s*月(?:\s*{_DAY_ZH}\s*[日号])?"), _date(None, 1, 2), ("月",)),
    Rule(re.compile(rf"{_YEAR_ZH}\s*年(?!代)"), _number(1), ("年",)),
    # centuries: 二十世纪, 21世纪
    Rule(re.compile(rf"({_ZH_OR_DIGITS})\s*世纪"), _number(1), ("世纪",)),
    # percentages and fractions: 百分之五, 5%, 五个百分点, 三分之一, 一半
    Rule(re.compile(rf"百分之({_ZH_OR_DIGITS})"), _number(1, kind="percent"), ("百分之",)),
    Rule(re.compile(r"(\d+(?:\.\d+)?)\s*%"), _number(1, kind="percent"), ("%",)),
    Rule(re.compile(rf"({_ZH_OR_DIGITS})\s*个?百分点"), _number(1, kind="percent"), ("百分点",)),
    Rule(re.compile(rf"({_ZH_OR_DIGITS})\s*分之\s*({_ZH_OR_DIGITS})"), _fraction(2, 1), ("分之",)),
    Rule(re.compile(r"一半"), lambda m: [Reading("fraction", (1, 2), False)], ("一半",)),
    # large units written with digits: 1万, 1.2亿, 3万亿
    Rule(re.compile(r"(\d+(?:\.\d+)?)\s*(万亿|亿|万)"),
     _number(1, scale=lambda m: math.prod(_CN_BIG[c] for c in m.group(2))), ("万", "亿")),
    # ranges and quantities with a unit: 十米至三百米, 十五日, 三万元; ranges of counters: 三至五年
    Rule(re.compile(rf"({_ZH_OR_DIGITS}){_ZH_RANGE}({_ZH_OR_DIGITS})\s*(?={_ZH_UNITS})"), _numbers(1, 2, one_is_weak=True), _ZH_RANGE_MARKS),
    Rule(re.compile(rf"({_ZH_OR_DIGITS}){_ZH_RANGE}({_ZH_OR_DIGITS})\s*(?=[{_WEAK_COUNTERS}]|点(?![{_CN_DIG}]))"),
     _numbers(1, 2, strong=False), _ZH_RANGE_MARKS),
    Rule(re.compile(rf"({_ZH_NUMERAL})\s*(?={_ZH_UNITS})"), _number(1, one_is_weak=True), _ZH_UNIT_NEEDS),
    # Chinese numerals in a numeric context
    Rule(re.compile(rf"({_ZH_NUMERAL})(?:届|中全会|中(?=[、，,和及与])|周岁)"), _number(1), ("届", "中", "周岁")),
    # 十三五 (规划): the 13th Five-Year Plan
    Rule(re.compile(r"“?(十[一二三四五六七八九])五”?(?=规划|时期|期间|计划|以来|$)"), _number(1), ("五",)),
    Rule(re.compile(rf"({_ZH_NUMERAL})大(?=[和及与、，,精报以]|$)"), _zh_ordinal_context, ("大",)),
    Rule(re.compile(rf"第({_ZH_NUMERAL})"), _number(1, strong=False), ("第",)),
    Rule(re.compile(rf"({_ZH_NUMERAL})(?=[{_WEAK_COUNTERS}]|点(?![{_CN_DIG}]))"), _number(1, strong=False),
         _ZH_COUNTER_NEEDS),
    # Arabic digits
    Rule(re.compile(r"\d+(?:\.\d+)?"), _number(0)),
    # any other Chinese numeral: bare
    Rule(re.compile(_ZH_NUMERAL), _zh_bare, tuple(CN_NUM)),
]

# --------------------------------------------------------------------------- English rules

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTH_EN = (r"(January|February|March|April|May|June|July|August|September|October|November|December"
             r"|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)")
_MONTH_BARE = r"(January|February|March|April|June|July|August|September|October|November|December)"
_ORD = r"(?:st|nd|rd|th)?"
_EN_NUM = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_WORD = "(?:" + "|".join(sorted(_EN_ALL_WORDS, key=len, reverse=True)) + ")"
_CARDINAL = "(?:" + "|".join(sorted(_EN_CARDINALS, key=len, reverse=True)) + ")"
#: a run of English number words (twenty-five, one hundred and five, twenty-first)
_EN_WORDS = rf"\b{_WORD}(?:(?:[\s-]+|\s+and\s+){_WORD})*\b"
_EN_CARDINAL_WORDS = rf"\b{_CARDINAL}(?:(?:[\s-]+|\s+and\s+){_CARDINAL})*\b"
_ROMAN = r"[IVXLCDM]+"
_ROMAN_SMALL = r"[IVXL]+"  # a heading marker on its own: no C, D, M (MIX, DC, CD are words)
_EN_LINE_START = r"(?:^|(?<=\n))[ \t]*"
_EN_SENTENCE_START = r"(?:^|(?<=\n)|(?<=[.;:!?]\s))[ \t]*"
_STRUCTURE_WORDS = ("Chapter", "Part", "Section", "Article", "Book", "Title", "Volume", "Item", "Paragraph", "Clause",
                    "Annex", "Appendix", "Schedule")
_STRUCTURE_EN = "(?:" + "|".join(f"{w}|{w.lower()}|{w.upper()}" for w in _STRUCTURE_WORDS) + ")s?"
_ENUM_TOKEN = rf"(?:\d{{1,3}}\b|{_ROMAN}\b|(?i:{_CARDINAL})\b)"
_MONTH_NEEDS = tuple(_MONTHS)
_ORDINAL_MARKERS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth")


def _en_token(tok: str) -> int | None:
    """An enumeration token: digits, a Roman numeral (upper case) or a number word."""
    if tok.isdigit():
        return int(tok)
    if tok.isupper():
        try:
            return roman_to_int(tok)
        except ValueError:
            pass
    words = english_numbers(tok)
    return words[0].value if len(words) == 1 else None


def _en_structure(m: re.Match) -> list[Reading] | None:
    """Chapter III, Articles 3 and 4, Part Two: enumeration (structure), Roman numerals read here."""
    body = m.group(0)
    keyword = re.match(r"\w+", body).group(0)
    vals = []
    for tok in re.findall(rf"\d+|{_ROMAN}\b|[A-Za-z]+", body[len(keyword):]):
        if tok.lower() in ("and", "or", "to", "through"):
            continue
        if not tok.isdigit() and not keyword[0].isupper():
            return None  # "in part I think", "book two seats": Roman numerals and words want a capitalised keyword
        v = _en_token(tok)
        if v is None:
            return None
        vals.append(v)
    return [Reading("enum", (v,)) for v in vals] or None


def _en_marker(m: re.Match) -> list[Reading] | None:
    """1. / III. / A) / (iv) / (b) at the start of a line or sentence: enumeration."""
    tok = m.group("tok")
    if tok.isdigit():
        return [Reading("enum", (int(tok),))]
    if len(tok) == 1 and tok.isalpha() and tok.lower() not in "ivx":
        return [Reading("enum", (ord(tok.lower()) - ord("a") + 1,))]
    try:
        return [Reading("enum", (roman_to_int(tok),))]
    except ValueError:
        return None


def _en_ordinal_marker(m: re.Match) -> list[Reading] | None:
    words = english_numbers(m.group(1).removesuffix("ly"))
    return [Reading("enum", (words[0].value,))] if len(words) == 1 else None


def _en_words(m: re.Match) -> list[Reading]:
    return [Reading("number", (n.value,), n.strong) for n in english_numbers(m.group(0))]


_EN_DENOMINATOR = (r"(half|halves|thirds?|quarters?|fourths?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?"
                   r"|hundredths?|thousandths?)")
_DENOMINATORS = {"half": 2, "halve": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6,
                 "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "hundredth": 100, "thousandth": 1000}


def _en_fraction(strong: bool) -> Handler:
    def handle(m: re.Match):
        numer = m.group(1).lower()
        n = 1 if numer in ("a", "an", "one") else _num_or_word(numer)
        word = m.group(2).lower()
        d = _DENOMINATORS.get(word.removesuffix("s"), _DENOMINATORS.get(word))
        if n is None or d is None or not float(n).is_integer() or n >= d:
            return None  # "twenty-fifth" is an ordinal, not 20/5
        g = math.gcd(int(n), d)
        return [Reading("fraction", (int(n) // g, d // g), strong)]
    return handle


_EN_RULES: list[Rule] = [
    Rule(_URL, _ignore, _URL_NEEDS),
    # document numbers: No. 98 (2016); (2016) No. 98; GBF No. (2016)98; 〔2016〕98号
    Rule(re.compile(r"No\.?\s*(\d+)\s*[(\[〔（]\s*(\d{4})\s*[)\]〕）]"), _docno(2, 1), ("no",)),
    Rule(re.compile(r"No\.?\s*[(\[〔（]\s*(\d{4})\s*[)\]〕）]\s*(?:No\.?\s*)?(\d+)"), _docno(1, 2), ("no",)),
    Rule(re.compile(r"[(\[〔（]\s*(\d{4})\s*[)\]〕）]\s*(?:No\.?|Number|#)?\s*(\d+)\s*号?"), _docno(1, 2)),
    # enumeration: Chapter III, Articles 3 and 4, (1), (a), (iv), 1. / III. / A) at a line or sentence start,
    # "I." only at a line start (after a sentence it is the pronoun), First, / Secondly,
    Rule(re.compile(rf"\b{_STRUCTURE_EN}\s+{_ENUM_TOKEN}(?:\s*(?:,|and|or|to|through|-|–)\s*{_ENUM_TOKEN})*"),
     _en_structure, tuple(w.lower() for w in _STRUCTURE_WORDS)),
    Rule(re.compile(r"[（(]\s*(?P<tok>\d{1,2}|[ivxlc]{1,5}|[IVXLC]{1,5}|[a-zA-Z])\s*[）)]"), _en_marker, ("(", "（")),
    Rule(re.compile(rf"{_EN_LINE_START}(?P<tok>{_ROMAN_SMALL})\s*[.、),](?=\s+[A-Z“\"'‘(\u4e00-\u9fff])", re.M), _en_marker),
    Rule(re.compile(rf"{_EN_SENTENCE_START}(?P<tok>\d{{1,2}}|(?!I\b){_ROMAN_SMALL}|[A-HJ-Z])\s*[.、)](?=\s+\S)", re.M),
     _en_marker),
    Rule(re.compile(rf"{_EN_SENTENCE_START}((?:{'|'.join(_ORDINAL_MARKERS)})(?:ly)?)\s*[,:]", re.M), _en_ordinal_marker,
         tuple(w.lower() for w in _ORDINAL_MARKERS)),
    # dates: a month name is a date with a day or a year beside it
    Rule(re.compile(rf"{_MONTH_EN}\s+(\d{{1,2}}){_ORD},?\s+(\d{{4}})"), _date(3, 1, 2, month_name=True), _MONTH_NEEDS),
    Rule(re.compile(rf"(\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH_EN},?\s+(\d{{4}})"), _date(3, 2, 1, month_name=True), _MONTH_NEEDS),
    Rule(re.compile(r"(?<![\d-])(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?![\d-])"), _date(1, 2, 3)),
    Rule(re.compile(r"(?<![\d-])(\d{4})[-/](\d{1,2})(?![\d-])"), _date(1, 2, None)),
    Rule(re.compile(rf"{_MONTH_EN},?\s+(?:of\s+)?(\d{{4}})"), _date(2, 1, None, month_name=True), _MONTH_NEEDS),
    Rule(re.compile(rf"{_MONTH_EN}\s+(\d{{1,2}}){_ORD}\b(?![.,]\d)"), _date(None, 1, 2, month_name=True), _MONTH_NEEDS),
    Rule(re.compile(rf"(\d{{1,2}}){_ORD}\s+(?:of\s+)?{_MONTH_EN}"), _date(None, 2, 1, month_name=True), _MONTH_NEEDS),
    # a month name alone is only weak (in June; never "March of the Volunteers" against 3月); "May" only after
    # a preposition (it is a verb too)
    Rule(re.compile(rf"\b{_MONTH_BARE}\b"), _date(None, 1, None, month_name=True, strong=False), _MONTH_NEEDS),
    Rule(re.compile(r"\b(?:in|of|by|since|until|till|before|after|from|to|during|through|early|mid|late)\s+(May)\b"),
     _date(None, 1, None, month_name=True, strong=False), ("may",)),
    # percentages, fractions and scale words
    Rule(re.compile(rf"(?:{_EN_NUM}|({_EN_CARDINAL_WORDS}))\s*(?:%|percent\b|per cent\b|percentage points?\b)", re.I),
     lambda m: _en_percent_any(m), ("%", "percent", "per cent")),
    Rule(re.compile(r"(?<![\d/.])(\d{1,3})\s*/\s*(\d{1,3})(?![\d/])"), _fraction(1, 2), ("/",)),
    Rule(re.compile(rf"\b({_CARDINAL}(?:[\s-]+{_CARDINAL})*)[\s-]+{_EN_DENOMINATOR}\b", re.I), _en_fraction(True), tuple(_DENOMINATORS)),
    Rule(re.compile(r"\b(an?)\s+(half|third|quarter)\b", re.I), _en_fraction(False), ("half", "third", "quarter")),
    Rule(re.compile(r"\bhalf\b", re.I), lambda m: [Reading("fraction", (1, 2), False)], ("half",)),
    Rule(re.compile(rf"{_EN_NUM}\s+(thousand|million|billion|trillion)\b", re.I),
     _number(1, scale=lambda m: _EN_SCALES[m.group(2).lower()]), ("thousand", "million", "billion", "trillion")),
    # digits, with an ordinal suffix or a typo in it (18th, 3rd, 6rh); 10-300 is two numbers
    Rule(re.compile(rf"(?<![\w.]){_EN_NUM}(?:[a-z]{{1,2}}\b)?"), _number(1)),
    # number words: compounds and words from eleven up are strong, one to ten weak
    Rule(re.compile(_EN_WORDS, re.I), _en_words, _shortest_words(_EN_ALL_WORDS)),
]


def _en_percent_any(m: re.Match) -> list[Reading] | None:
    v = _num(m.group(1)) if m.group(1) else _num_or_word(m.group(2))
    return None if v is None else [Reading("percent", (v,))]


def extract_zh(text: str) -> list[Mention]:
    """Numbers, dates, document numbers and enumeration markers in Chinese text."""
    return _scan(text, _ZH_RULES)


def extract_en(text: str) -> list[Mention]:
    """Numbers, dates, document numbers and enumeration markers in English text."""
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
    """One mention per value, the strong one if any (else a weak one before a
    bare one): a value said twice in one language is often said once in the
    other (十八大和十八届 is "the 18th Party Congress and its plenums"), so
    values are compared as sets."""
    best: dict[tuple, Mention] = {}
    rank = lambda m: (m.strong, not m.bare)  # noqa: E731
    for m in mentions:
        if m.key not in best or rank(m) > rank(best[m.key]):
            best[m.key] = m
    return sorted(best.values(), key=lambda m: (m.start, m.end))


def _spares(mentions: Iterable[Mention], distinct: list[Mention]) -> list[Mention]:
    """Second and later strong mentions of a value (the ones ``_distinct`` set aside)."""
    kept = {id(m) for m in distinct}
    return [m for m in mentions if m.strong and id(m) not in kept]


def _is_year(m: Mention) -> bool:
    v = m.value[0]
    return m.kind == "number" and float(v).is_integer() and 1000 <= v <= 2999


def _year_of(m: Mention) -> int | None:
    return m.value[0] if m.kind in ("date", "docno") else None


def _sort_of(m: Mention) -> str:
    """What a value is, for deciding whether two leftovers stand against each other."""
    if m.kind in ("date", "docno"):
        return m.kind
    if _is_year(m):
        return "year"
    return "quantity"  # numbers, percentages, fractions


_AGAINST = {("date", "date"), ("date", "year"), ("year", "date"), ("year", "year"), ("docno", "docno"),
            ("docno", "quantity"), ("quantity", "docno"), ("quantity", "quantity")}


def _stands_against(a: Mention, b: Mention) -> bool:
    """Whether leftover ``a`` on one side and ``b`` on the other are two
    values for the same thing (98 vs 99), not a value one side leaves out."""
    if b.bare or (not b.strong and (b.kind == "date" or (b.kind == "number" and b.value[0] == 1))):
        return False  # 一, "one", "first", a month name alone: too often not numbers (or dates) at all
    return (_sort_of(a), _sort_of(b)) in _AGAINST


def _fraction_is_percent(f: Mention, p: Mention) -> bool:
    return f.kind == "fraction" and p.kind == "percent" and abs(100 * f.value[0] / f.value[1] - p.value[0]) < 0.5


def compare_numbers(source: list[Mention], target: list[Mention]) -> NumberComparison:
    """Match the mentions of a source text with those of its translation.

    Quantities, dates and document numbers are matched as sets (see
    ``_distinct``), in passes: equal values; then dates that agree on every
    part both sides give (``6月`` and ``June 2017``); then a bare number that
    is the serial of a document number; then a bare year that agrees with the
    year of a date; then a number against a percentage or a fraction against
    a percentage of the same value. A bare year left over that repeats the
    year of a date or document number on the other side is not reported.
    What is left gets a severity (see the module docstring). Enumeration
    markers are matched apart and only reported when both sides have one left.
    """
    src_q = [m for m in source if m.kind in QUANTITY_KINDS]
    tgt_q = [m for m in target if m.kind in QUANTITY_KINDS]
    src = _distinct(src_q)
    tgt = _distinct(tgt_q)
    used_s = [False] * len(src)
    used_t = [False] * len(tgt)

    def run(compatible: Callable[[Mention, Mention], bool]) -> None:
        # strong source mentions first, so a weak one cannot steal their partner
        order = sorted(range(len(src)), key=lambda i: (not src[i].strong, src[i].bare, i))
        for i in order:
            if used_s[i]:
                continue
            cands = [j for j in range(len(tgt)) if not used_t[j] and compatible(src[i], tgt[j])]
            if cands:
                j = min(cands, key=lambda j: (not tgt[j].strong, tgt[j].bare, j))
                used_s[i] = used_t[j] = True

    run(lambda a, b: a.key == b.key)
    run(lambda a, b: a.kind == b.kind == "date" and _dates_compatible(a.value, b.value))
    # "Document No. 98 of 2016" against 〔2016〕98号: the serial number stands for the document number ...
    run(lambda a, b: (a.kind == "number" and b.kind == "docno" and a.value[0] == b.value[1])
        or (b.kind == "number" and a.kind == "docno" and b.value[0] == a.value[1]))
    run(lambda a, b: (a.kind == "number" and b.kind == "date" and a.value[0] == _year_of(b))
        or (b.kind == "number" and a.kind == "date" and b.value[0] == _year_of(a)))
    # 5个百分点 / "5 points"; 四分之一 / 25%
    run(lambda a, b: {a.kind, b.kind} == {"number", "percent"} and a.value == b.value)
    run(lambda a, b: _fraction_is_percent(a, b) or _fraction_is_percent(b, a))
    # ... and a bare year that repeats the year of a date or document number on the other side is no news
    years_s = {_year_of(m) for m in src} - {None}
    years_t = {_year_of(m) for m in tgt} - {None}
    missing = [m for m, u in zip(src, used_s)
               if not u and m.strong and not (m.kind == "number" and m.value[0] in years_t)]
    extra = [m for m, u in zip(tgt, used_t)
             if not u and m.strong and not (m.kind == "number" and m.value[0] in years_s)]
    # what each leftover might stand against on the other side: the other side's leftovers and its
    # second mentions of a value (十八大和十八届 against "18th ... 19th")
    against_s = [m for m, u in zip(src, used_s) if not u] + _spares(src_q, src)
    against_t = [m for m, u in zip(tgt, used_t) if not u] + _spares(tgt_q, tgt)
    opposed_t = [b for b in against_t if any(_stands_against(a, b) for a in missing)]
    opposed_s = [a for a in against_s if any(_stands_against(b, a) for b in extra)]
    disagree = bool(opposed_t or opposed_s)

    markers_s = _distinct(m for m in source if m.kind == "enum")
    markers_t = _distinct(m for m in target if m.kind == "enum")
    values_t = {m.value for m in markers_t}
    values_s = {m.value for m in markers_s}
    left_s = tuple(m for m in markers_s if m.value not in values_t)
    left_t = tuple(m for m in markers_t if m.value not in values_s)
    if not (left_s and left_t):
        left_s = left_t = ()
    return NumberComparison(tuple(missing), tuple(extra), disagree,
                            tuple(m for m in opposed_s if m not in missing),
                            tuple(m for m in opposed_t if m not in extra), left_s, left_t)


def compare_mentions(source: list[Mention], target: list[Mention]) -> tuple[list[Mention], list[Mention]]:
    """``(missing, extra)`` of :func:`compare_numbers`, as lists (the short form the tests and scripts use)."""
    c = compare_numbers(source, target)
    return list(c.missing), list(c.extra)
