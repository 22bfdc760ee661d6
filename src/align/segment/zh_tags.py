"""jieba's part-of-speech tagger (``jieba.posseg.lcut``, HMM on) without
loading jieba's dictionary whole.

Importing ``jieba.posseg`` reads all 349,000 lines of ``dict.txt`` for the
word tags, and its first cut unmarshals jieba's 580,000-entry prefix
dictionary: 1.3 s of every process that tags a piece the predicate memo
lacks (every cold chapter). Here the same two tables (word -> frequency,
prefixes at 0; word -> tag) live in one index file in the cache folder,
cut into sections by first character; a piece unmarshals only the sections
of its characters. The cut itself is jieba's: ``jieba.Tokenizer``'s
``get_DAG`` and ``calc`` over these tables, posseg's ``__cut_internal`` and
``__cut_DAG`` restated below line for line (they are private methods of a
class whose module cannot be imported without the cost), and posseg's own
``viterbi`` and HMM tables, read from jieba's files. ``tests/test_zh_tags.py``
compares the words and tags with ``jieba.posseg`` on the corpus and mac-dev.

The index is built from the installed jieba the first time (about a
second) and named for its files, so another jieba version gets its own.
"""
from __future__ import annotations

import importlib.util
import re
import threading
from pathlib import Path

from ..sections import IndexFile, SectionedIndex, load, package_root, stamped_name

# posseg's patterns (jieba 0.42)
_RE_HAN_DETAIL = re.compile("([\u4E00-\u9FD5]+)")
_RE_SKIP_DETAIL = re.compile(r"([\.0-9]+|[a-zA-Z0-9]+)")
_RE_HAN_INTERNAL = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._]+)")
_RE_SKIP_INTERNAL = re.compile(r"(\r\n|\s)")
_RE_ENG = re.compile("[a-zA-Z0-9]+")
_RE_NUM = re.compile(r"[\.0-9]+")

_LOCK = threading.Lock()
_STATE: dict = {}


_STAMPED = ("__init__.py", "dict.txt", "posseg/__init__.py", "posseg/viterbi.py", "posseg/char_state_tab.py",
            "posseg/prob_start.py", "posseg/prob_trans.py", "posseg/prob_emit.py")


class TagIndex(SectionedIndex, magic=b"ALIGNJBX", version=2, what="jieba tag index"):
    """jieba's prefix dictionary and word tags as one block of bytes
    (:mod:`align.sections`): per first character the marshalled dict ``word
    -> (frequency, tag)`` (a prefix that is no word: frequency 0, tag None),
    unmarshalled when a piece needs it; its metadata is jieba's total.

    ``FREQ`` is the mapping ``jieba.Tokenizer`` reads (``in``, ``[]``,
    ``get``), ``tag`` what posseg's ``word_tag_tab.get`` answers."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.total = self.meta
        self.FREQ = _Freq(self)

    @classmethod
    def build(cls, dict_file: Path) -> bytes:
        """The index of jieba's ``dict.txt``: frequencies and prefixes as
        ``Tokenizer.gen_pfdict`` makes them, tags as ``POSTokenizer.load_word_tag``."""
        sections: dict[str, dict[str, list]] = {}  # first character -> word -> [frequency, tag]
        total = 0
        with open(dict_file, "rb") as fh:
            lines = fh.read().split(b"\n")
        if lines and not lines[-1]:
            lines.pop()  # the newline that ends the file
        for lineno, raw in enumerate(lines, 1):
            line = raw.strip().decode("utf-8")
            parts = line.split(" ")
            try:
                word, count = parts[0], int(parts[1])
                first = word[0]
            except (IndexError, ValueError):
                raise ValueError(f"{dict_file}: line {lineno}: not a jieba dictionary entry") from None
            section = sections.get(first)
            if section is None:
                section = sections[first] = {}
            entry = section.get(word)
            if entry is None:
                section[word] = [count, parts[2] if len(parts) == 3 else None]
            else:
                entry[0] = count
                if len(parts) == 3:
                    entry[1] = parts[2]
            total += count
            for end in range(1, len(word)):
                if word[:end] not in section:
                    section[word[:end]] = [0, None]
        sections = {ch: {w: tuple(e) for w, e in words.items()} for ch, words in sections.items()}
        return cls.pack_sections(sections, meta=total)

    def tag(self, word: str, default: str = "x") -> str:
        got = self.section(word[0]).get(word) if word else None
        return default if got is None or got[1] is None else got[1]


class _Freq:
    """``word -> frequency`` (prefixes 0) over a :class:`TagIndex`'s sections."""

    def __init__(self, index: TagIndex):
        self._index = index

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and bool(word) and word in self._index.section(word[0])

    def __getitem__(self, word: str) -> int:
        return self._index.section(word[0])[word][0] if word else {}[word]

    def get(self, word: str, default=None):
        got = self._index.section(word[0]).get(word) if word else None
        return default if got is None else got[0]


def index_file() -> IndexFile:
    """The index's file and build (:data:`align.sections.GROUPS` names this)."""
    root = package_root("jieba")
    return IndexFile(TagIndex, stamped_name(f"jieba-tags{TagIndex.FORMAT}", root, _STAMPED),
                     lambda: TagIndex.build(root / "dict.txt"), "jieba's dictionary is read again on every run")


def _load_index() -> TagIndex:
    """The index from the cache folder, built (and kept there) when missing or damaged."""
    return load(f"{__name__}:index_file")


def _posseg_part(name: str):
    """One of jieba/posseg's own modules (``viterbi``, the HMM tables), loaded
    from its file without running ``jieba/posseg/__init__.py``."""
    path = package_root("jieba") / "posseg" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"align.segment._jieba_posseg_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class PosTagger:
    """``jieba.posseg.lcut(piece)`` as (word, tag) pairs, from a :class:`TagIndex`."""

    def __init__(self, index: TagIndex):
        import jieba

        self.index = index
        self._tok = jieba.Tokenizer()
        self._tok.FREQ, self._tok.total, self._tok.initialized = index.FREQ, index.total, True
        self._viterbi = _posseg_part("viterbi").viterbi
        self._hmm = (_posseg_part("char_state_tab").P, _posseg_part("prob_start").P,
                     _posseg_part("prob_trans").P, _posseg_part("prob_emit").P)

    def lcut(self, sentence: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for blk in _RE_HAN_INTERNAL.split(sentence):
            if _RE_HAN_INTERNAL.match(blk):
                self._cut_dag(blk, out)
                continue
            for x in _RE_SKIP_INTERNAL.split(blk):
                if _RE_SKIP_INTERNAL.match(x):
                    out.append((x, "x"))
                    continue
                for xx in x:
                    if _RE_NUM.match(xx):
                        out.append((xx, "m"))
                    elif _RE_ENG.match(x):
                        out.append((xx, "eng"))
                    else:
                        out.append((xx, "x"))
        return out

    def _cut_dag(self, sentence: str, out: list[tuple[str, str]]) -> None:
        dag = self._tok.get_DAG(sentence)
        route: dict = {}
        self._tok.calc(sentence, dag, route)
        tag = self.index.tag
        x, buf, n = 0, "", len(sentence)
        while x < n:
            y = route[x][1] + 1
            word = sentence[x:y]
            if y - x == 1:
                buf += word
            else:
                if buf:
                    self._flush(buf, out)
                    buf = ""
                out.append((word, tag(word)))
            x = y
        if buf:
            self._flush(buf, out)

    def _flush(self, buf: str, out: list[tuple[str, str]]) -> None:
        tag = self.index.tag
        if len(buf) == 1:
            out.append((buf, tag(buf)))
        elif not self.index.FREQ.get(buf):
            self._cut_detail(buf, out)
        else:
            out.extend((ch, tag(ch)) for ch in buf)

    def _cut_detail(self, sentence: str, out: list[tuple[str, str]]) -> None:
        for blk in _RE_HAN_DETAIL.split(sentence):
            if _RE_HAN_DETAIL.match(blk):
                self._cut_hmm(blk, out)
                continue
            for x in _RE_SKIP_DETAIL.split(blk):
                if not x:
                    continue
                if _RE_NUM.match(x):
                    out.append((x, "m"))
                elif _RE_ENG.match(x):
                    out.append((x, "eng"))
                else:
                    out.append((x, "x"))

    def _cut_hmm(self, sentence: str, out: list[tuple[str, str]]) -> None:
        _, pos_list = self._viterbi(sentence, *self._hmm)
        begin, nexti = 0, 0
        for i, char in enumerate(sentence):
            pos = pos_list[i][0]
            if pos == "B":
                begin = i
            elif pos == "E":
                out.append((sentence[begin:i + 1], pos_list[i][1]))
                nexti = i + 1
            elif pos == "S":
                out.append((char, pos_list[i][1]))
                nexti = i + 1
        if nexti < len(sentence):
            out.append((sentence[nexti:], pos_list[nexti][1]))


def release() -> None:
    """Drop the tagger's unmarshalled sections (a book's text unmarshals most
    of jieba's dictionary, about 90 MB); the index itself stays loaded, so
    nothing is read or built again."""
    with _LOCK:
        if "tagger" in _STATE:
            _STATE["tagger"].index.forget()


def tagger() -> PosTagger:
    """The process's tagger (its index read, or built, on first use)."""
    with _LOCK:
        if "tagger" not in _STATE:
            _STATE["tagger"] = PosTagger(_load_index())
    return _STATE["tagger"]
