"""Chinese sentence and clause boundaries.

Sentence ends: 。！？ and their half-width forms (! ? and a ``.`` right
after a Chinese character), ``…``/``……``. Closing quotes and brackets
(”’」』）》) that follow the end mark stay with the sentence. Nothing inside
《》“”（）「」 is ever cut, except that a sentence ending inside a quotation
ends after the closing quote (“……做到。”然后 -> cut after ”).

Clause level adds ；(always), ：(unless a quotation follows it) and ，
where the comma separates clauses. The comma heuristic (see
:func:`_comma_cuts`): the comma is a clause boundary when the text since
the last boundary and the piece after the comma each have at least
``min_clause_chars_zh`` characters and the piece after it has a predicate
(jieba tags a verb that is not just a modifier before 的). So enumerations
of short items (“食品药品、安全生产” — 、 is never a boundary — or
“金融机构,征信机构”) and short parallel phrases (“褒扬诚信,惩戒失信”)
stay together. Half-width , ; : count as their full-width forms unless they
sit between digits (3,000, 10:30).
"""
from __future__ import annotations

import re
from functools import lru_cache

from ._spans import QUOTE_CLOSERS, Depth, cuts_to_spans

CLOSERS = set("”’」』）》)】〕〉\"'")
_STOP_RE = re.compile(r"[。！？!?｡…⋯．.]+")
_CLAUSE_RE = re.compile(r"[；;：:，,]")
_QUOTE_OPENERS = set("“「『《\"‘")
SOFT = "，,、；;：:"  # preferred places for cutting an over-long run


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2FFFF or 0xF900 <= o <= 0xFAFF


def _is_stop_run(text: str, i: int, j: int, a: int, b: int) -> bool:
    run = text[i:j]
    if set(run) <= {".", "．"}:
        # a half-width full stop counts only after a Chinese character (not
        # in 3.5, www.gov.cn or "1.") and when no ASCII letter/digit follows
        if len(run) >= 3:  # "..." ellipsis
            return True
        prev = text[i - 1] if i > a else ""
        nxt = text[j] if j < b else ""
        return bool(prev) and (is_cjk(prev) or prev in CLOSERS) and not (nxt.isascii() and nxt.isalnum())
    if run.isascii():  # "!"/"?" not inside a URL or an ASCII token
        nxt = text[j] if j < b else ""
        return not (nxt.isascii() and nxt.isalnum())
    return True


def sentence_cuts(text: str, a: int, b: int, depth: Depth) -> list[int]:
    """Offsets (within ``(a, b)``) after which a new sentence starts."""
    cuts: list[int] = []
    for m in _STOP_RE.finditer(text, a, b):
        i, j = m.span()
        if not _is_stop_run(text, i, j, a, b):
            continue
        k = j
        closed_quote = False
        while k < b and text[k] in CLOSERS:
            closed_quote = closed_quote or text[k] in QUOTE_CLOSERS
            k += 1
        if k >= b:
            continue
        if depth.inside(i):
            # inside brackets: only a quotation that closes right here ends the sentence
            if not (k > j and closed_quote and not depth.inside(k - 1)):
                continue
        cuts.append(k)
    return cuts


def _digits_around(text: str, i: int, a: int, b: int) -> bool:
    return i > a and i + 1 < b and text[i - 1].isdigit() and text[i + 1].isdigit()


def clause_cuts(text: str, a: int, b: int, depth: Depth, min_chars: int) -> list[int]:
    """Offsets (within one sentence ``(a, b)``) where a new clause starts."""
    hard: list[int] = []
    commas: list[int] = []
    for m in _CLAUSE_RE.finditer(text, a, b):
        i = m.start()
        c = text[i]
        if depth.inside(i) or _digits_around(text, i, a, b):
            continue
        if c in "；;":
            hard.append(i + 1)
        elif c in "：:":
            n = i + 1
            while n < b and text[n].isspace():
                n += 1
            if n >= b or text[n] in _QUOTE_OPENERS or text.startswith("//", n):
                continue
            hard.append(i + 1)
        else:
            commas.append(i + 1)
    cuts = list(hard)
    for s, e in cuts_to_spans(a, b, hard):
        inner = [c for c in commas if s < c < e]
        cuts.extend(_comma_cuts(text, s, e, inner, min_chars))
    return sorted(cuts)


def _content_len(s: str) -> int:
    return sum(1 for ch in s if ch.isalnum())


def _comma_cuts(text: str, a: int, b: int, commas: list[int], min_chars: int) -> list[int]:
    """Which commas in ``text[a:b]`` separate clauses (see module docstring)."""
    cuts: list[int] = []
    if not commas:
        return cuts
    acc = _content_len(text[a:commas[0]])
    for n, c in enumerate(commas):
        nxt = commas[n + 1] if n + 1 < len(commas) else b
        right = text[c:nxt]
        rlen = _content_len(right)
        if acc >= min_chars and rlen >= min_chars and has_predicate(right.strip(SOFT + " \u3000")):
            cuts.append(c)
            acc = rlen
        else:
            acc += rlen
    return cuts


def _jieba():
    """Import jieba lazily (it loads a dictionary) and keep it quiet."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


_PREDICATE_FLAGS = {"v", "vd", "vi", "vg", "vq", "vf", "vx", "vl"}
# Openers that start a clause whatever jieba says (jieba tags 建立健全 as a name).
_CLAUSE_OPENERS = ("并", "同时", "从而", "进而", "以便", "确保", "但", "而且", "否则", "因此", "建立健全")


# jieba's tagger misses many verbs of policy language (弘扬 -> nr, 营造 -> vn),
# so a piece that starts with one of these, after an optional adverb, is a
# clause whatever the tags say.
_POLICY_VERBS = tuple(
    """
    弘扬 营造 推进 推动 加强 建立 健全 完善 加快 提高 增强 促进 规范 鼓励 支持 引导 推广 落实
    实施 开展 形成 确保 保障 发挥 强化 深化 培育 创新 探索 依托 制定 明确 加大 拓宽 丰富 实现
    保护 维护 防止 畅通 推出 组织 运用 结合 集中 宣传 普及 纳入 贯彻 坚持 构建 提升 优化 采取
    列为 给予 提供 褒扬 惩戒 部署 统筹 细化 督促 指导 检查 健全 扩大 做好 加大 推行 开设 建设
    """.split()
)
_ADVERBS = tuple(
    """
    大力 积极 进一步 切实 全面 深入 不断 逐步 依法依规 依法 依规 及时 充分 广泛 严格 有效 着力
    认真 稳步 尽快 尽力 率先 共同 统一 分别 主动 有序 有力 加快
    """.split()
)


def _starts_with_policy_verb(piece: str) -> bool:
    for adverb in _ADVERBS:
        if piece.startswith(adverb):
            piece = piece[len(adverb):]
            break
    return piece.startswith(_POLICY_VERBS)


@lru_cache(maxsize=4096)
def has_predicate(piece: str) -> bool:
    """True when ``piece`` has a verb used as a predicate: it starts with a
    clause opener (并, 从而, ...) or a policy verb (after an optional
    adverb), or jieba tags a verb in it that is not just a modifier before
    的 (推荐的会员)."""
    if not piece:
        return False
    if piece.startswith(_CLAUSE_OPENERS) or _starts_with_policy_verb(piece):
        return True
    return bool(_predicates().lookup(piece[:120]))


def _tagged_predicate(piece: str) -> bool:
    """Whether jieba's tagger finds a verb in ``piece`` that is not just a modifier before 的
    (``jieba.posseg``'s tags, from :mod:`.zh_tags`' index: importing posseg costs 1.3 s)."""
    from .zh_tags import tagger

    toks = tagger().lcut(piece)
    for n, (word, flag) in enumerate(toks):
        if flag in _PREDICATE_FLAGS:
            nxt = toks[n + 1][0] if n + 1 < len(toks) else ""
            if nxt != "的":
                return True
    return False


_PREDICATES = None


def _predicates():
    """What jieba's tagger answered for each piece a run asked before, kept in
    the cache folder as the lexical view keeps pypinyin's answers (loading
    the tagger's sections costs a little; a text segmented before needs none)."""
    global _PREDICATES
    if _PREDICATES is None:
        from ..embed.lexical import _Memo

        _PREDICATES = _Memo("zh-predicates", "jieba", ("__init__.py", "dict.txt", "posseg/__init__.py",
                                                       "posseg/char_state_tab.py"), _tagged_predicate)
    return _PREDICATES


def save_predicates() -> None:
    """Keep this run's new answers of the tagger (see _predicates), and let
    the tagger's dictionary go until a new piece needs it."""
    from .zh_tags import release

    if _PREDICATES is not None:
        _PREDICATES.save()
    release()


def word_cut(text: str, lo: int, limit: int, window: int = 32) -> int | None:
    """The last jieba word boundary in ``(max(lo, limit - window), limit]``."""
    start = max(lo, limit - window)
    if limit - start < 2:
        return None
    jieba = _jieba()
    pos = start
    best = None
    for tok in jieba.lcut(text[start:limit + 4]):
        pos += len(tok)
        if start + 1 < pos <= limit:
            best = pos
        if pos > limit:
            break
    return best
