"""pypinyin's ``"".join(lazy_pinyin(word))`` (default settings: no tones, ``v``
for ü, characters without a reading kept) without importing pypinyin.

Importing pypinyin loads its phrase and character dictionaries (0.3-0.45 s),
and every new chapter brings words the pinyin memo lacks, so every cold call
paid it. Here what ``lazy_pinyin`` reads is kept in one index file in the
cache folder, cut into sections by first character: per phrase of
``PHRASES_DICT`` its syllables (first reading) in the NORMAL style, per
character its first reading in ``PINYIN_DICT`` in the NORMAL style, and which
strings are prefixes of a phrase (the segmenter's prefix set). The lookup
restates what ``lazy_pinyin`` does with them: ``simpleseg`` splits Chinese
from other characters (by pypinyin's own ``RE_HANS``, kept in the index),
``mmseg`` cuts a Chinese run by forward maximum matching on the phrases
(``no_non_phrases``), a phrase takes its phrase reading, other characters
their own. The style conversion is pypinyin's, run when the index is built;
``tests/test_lexical_pinyin.py`` compares the result with ``lazy_pinyin`` on
every CC-CEDICT headword and every character the lexical view asks about.

The index is built the first time (importing pypinyin, about half a second)
and named for pypinyin's files, so another version gets its own.
"""
from __future__ import annotations

import re
import threading

from ..sections import IndexFile, SectionedIndex, load, package_root, stamped_name

_STAMPED = ("__init__.py", "core.py", "converter.py", "constants.py", "phrases_dict.json", "pinyin_dict.json",
            "seg/mmseg.py", "seg/simpleseg.py", "style/__init__.py", "style/tone.py", "style/_tone_convert.py")

_LOCK = threading.Lock()
_STATE: dict = {}


class PinyinIndex(SectionedIndex, magic=b"ALIGNPYX", version=2, what="pinyin index"):
    """Per first character (:mod:`align.sections`) the marshalled dict
    ``string -> (prefix, phrase, single)``: whether the string is a prefix of
    a phrase (or one), the phrase's NORMAL-style reading (None if no phrase),
    and for one character its own reading (None for a longer string). The
    section under the key ``""`` holds ``RE_HANS``'s pattern and flags."""

    def __init__(self, data: bytes):
        super().__init__(data)
        hans = self.section("")
        if not isinstance(hans, tuple):
            raise ValueError(f"not a {self.WHAT}: no RE_HANS")
        self.hans = re.compile(*hans)

    @classmethod
    def build(cls) -> bytes:
        """The index of the installed pypinyin's tables (imports pypinyin)."""
        from pypinyin import Style
        from pypinyin.constants import PHRASES_DICT, PINYIN_DICT, RE_HANS
        from pypinyin.converter import UltimateConverter

        converter = UltimateConverter()  # what lazy_pinyin() uses with its default arguments
        styled: dict[tuple[str, str], str] = {}

        def style(han: str, pinyin: str) -> str:
            key = (han, pinyin)
            got = styled.get(key)
            if got is None:
                got = styled[key] = converter.convert_style(han, orig_pinyin=pinyin, style=Style.NORMAL, strict=True)
            return got

        entries: dict[str, list] = {}
        for phrase, readings in PHRASES_DICT.items():
            if not phrase:
                continue
            for end in range(1, len(phrase)):
                entries.setdefault(phrase[:end], [True, None, None])
            entry = entries.setdefault(phrase, [True, None, None])
            entry[1] = "".join(style(phrase[k], item[0]) for k, item in enumerate(readings))
        for code, readings in PINYIN_DICT.items():
            ch = chr(code)
            entries.setdefault(ch, [False, None, None])[2] = style(ch, readings.split(",")[0])
        sections: dict[str, dict[str, tuple]] = {}
        for key, entry in entries.items():
            sections.setdefault(key[0], {})[key] = tuple(entry)
        return cls.pack_sections({**sections, "": (RE_HANS.pattern, RE_HANS.flags)})

    def entry(self, key: str) -> tuple | None:
        return self.section(key[0]).get(key)

    def joined(self, text: str) -> str:
        """``"".join(lazy_pinyin(text))``."""
        out: list[str] = []
        for part in self._simple_seg(text):
            if not self.hans.match(part):
                out.append(part)  # no reading: kept as it is
                continue
            for word in self._mmseg(part):
                entry = self.entry(word)
                if entry is not None and entry[1] is not None:
                    out.append(entry[1])
                    continue
                for ch in word:
                    single = self.entry(ch)
                    # a character with no reading goes through the style as itself
                    out.append(single[2] if single is not None and single[2] is not None else self._styled_self(ch))
        return "".join(out)

    def _styled_self(self, ch: str) -> str:
        """What pypinyin's NORMAL style makes of a Chinese character without a
        reading (in practice the character itself: asked of pypinyin)."""
        cache = _STATE.setdefault("styled_self", {})
        if ch not in cache:
            from pypinyin import Style
            from pypinyin.converter import UltimateConverter

            cache[ch] = UltimateConverter().convert_style(ch, orig_pinyin=ch, style=Style.NORMAL, strict=True)
        return cache[ch]

    def _simple_seg(self, chars: str) -> list[str]:
        """pypinyin.seg.simpleseg._seg: runs of Chinese and of other characters."""
        parts: list[str] = []
        run, chinese = "", None
        for c in chars:
            is_han = bool(self.hans.match(c))
            if chinese is None or is_han == chinese:
                run += c
            else:
                parts.append(run)
                run = c
            chinese = is_han
        parts.append(run)
        return parts

    def _mmseg(self, text: str):
        """pypinyin.seg.mmseg.Seg.cut with ``no_non_phrases=True``."""
        remain = text
        while remain:
            last_valid_word, last_valid_index = "", 0
            for index in range(len(remain)):
                word = remain[:index + 1]
                entry = self.entry(word)
                if entry is not None and entry[0]:
                    if entry[1] is not None:
                        last_valid_word, last_valid_index = word, index + 1
                else:
                    if last_valid_word:
                        yield last_valid_word
                        remain = remain[last_valid_index:]
                    else:
                        yield remain[0]
                        remain = remain[1:]
                    break
            else:
                if last_valid_word:
                    yield last_valid_word
                    remain = remain[last_valid_index:]
                else:
                    entry = self.entry(remain)
                    if entry is None or entry[1] is None:
                        yield from remain
                    else:
                        yield remain
                    break


def index_file() -> IndexFile:
    """The index's file and build (:data:`align.sections.GROUPS` names this)."""
    name = stamped_name(f"pinyin-index{PinyinIndex.FORMAT}", package_root("pypinyin"), _STAMPED)
    return IndexFile(PinyinIndex, name, PinyinIndex.build, "pypinyin is imported again on every run")


def _load_index() -> PinyinIndex:
    return load(f"{__name__}:index_file")


def index() -> PinyinIndex:
    with _LOCK:
        if "index" not in _STATE:
            _STATE["index"] = _load_index()
    return _STATE["index"]


def joined_pinyin(text: str) -> str:
    """``"".join(pypinyin.lazy_pinyin(text))``, from the index."""
    return index().joined(text)
