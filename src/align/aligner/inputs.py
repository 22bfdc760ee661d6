"""What the aligner is given: vectors of both sides and per-segment facts.

Plain arrays: the model is an input, not a global. A "view" is a pair of
L2-normalised source/target matrices of one kind (neural embeddings,
dictionary vectors, first- and last-clause vectors); a side's facts are its
segments' lengths, heading marks and punctuation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class View:
    """Source and target vectors of one kind (rows L2-normalised)."""

    src: np.ndarray
    tgt: np.ndarray


@dataclass(frozen=True)
class Side:
    """Per-segment facts of one side."""

    length: np.ndarray  # characters
    head: np.ndarray  # bool: a heading
    quote: np.ndarray  # bool: contains quotation marks
    weak_end: np.ndarray  # bool: ends without sentence-final punctuation
    qbal: np.ndarray | None = None  # opening minus closing quotation marks
    q_end: np.ndarray | None = None  # bool: ends with a closing quotation mark
    marked: np.ndarray | None = None  # bool: starts with a structural marker (第二条, Article 2, 一、, (1))

    @classmethod
    def plain(cls, length, head=None) -> "Side":
        """Lengths (and heading marks) alone: no punctuation is known."""
        length = np.asarray(length, dtype=np.float64)
        z = np.zeros(len(length), dtype=bool)
        return cls(length, z if head is None else np.asarray(head, dtype=bool), z.copy(), z.copy())


@dataclass(frozen=True)
class Inputs:
    """Everything the search scores beads from."""

    neural: View
    lexical: View | None
    src: Side
    tgt: Side
    heads: View | None = None  # first-clause vectors of each segment (embed.encode_clauses)
    tails: View | None = None  # last-clause vectors of each segment

    @property
    def n(self) -> int:
        return len(self.src.length)

    @property
    def m(self) -> int:
        return len(self.tgt.length)


def text_length(text: str) -> int:
    """A segment's length for the length model: its non-space characters (at least 1)."""
    return sum(1 for c in text if not c.isspace()) or 1


_QUOTES = set("“”「」『』\"‘’'《》")
_STRONG_END = set("。！？!?….；;")
_CLOSERS = set("”」』\"’')）)]】")
_CLOSE_QUOTES = set("”」』’'\"")
_OPEN_Q = re.compile(r"[“「『‘]|(?:(?<=^)|(?<=[\s(\[—–-]))['\"](?=[\w“‘\"'.…])")
_CLOSE_Q = re.compile(r"[”」』’]|(?<=[.,!?…—–-])'(?=$|[\s)\]—–-])|(?<=[\w.,!?…—–-])\"(?=$|[\s)\]—–-])")


def quote_balance(text: str) -> int:
    """Opening minus closing quotation marks (straight quotes judged by their neighbours;
    an apostrophe inside a word counts as neither)."""
    t = text.strip()
    return len(_OPEN_Q.findall(t)) - len(_CLOSE_Q.findall(t))


def _weak_end(text: str) -> bool:
    """Ends without sentence-final punctuation (closing quotes and brackets aside)."""
    t = text.rstrip()
    while t and t[-1] in _CLOSERS:
        t = t[:-1]
    return bool(t) and t[-1] not in _STRONG_END


def side_facts(texts: Sequence[str], lengths: Sequence[float] | None = None,
               heads: Sequence[bool] | None = None, marked: Sequence[bool] | None = None) -> Side:
    """Per-segment facts the bead features use (see features.py)."""
    length = np.asarray(lengths if lengths is not None else [text_length(t) for t in texts], dtype=np.float64)
    quote = np.array([any(c in _QUOTES for c in t) for t in texts], dtype=bool)
    weak_end = np.array([_weak_end(t) for t in texts], dtype=bool)
    head = np.zeros(len(texts), dtype=bool) if heads is None else np.asarray(heads, dtype=bool)
    q_end = np.array([t.rstrip()[-1:] in _CLOSE_QUOTES for t in texts], dtype=bool)
    return Side(length, head, quote, weak_end, np.array([quote_balance(t) for t in texts], dtype=np.float64), q_end,
                None if marked is None else np.asarray(marked, dtype=bool))


def _side(texts, lengths, heads, marked=None) -> Side:
    """Per-segment facts of one side: from the texts when there are any, else
    lengths (and heading marks) alone."""
    if texts is not None:
        return side_facts(texts, lengths, heads, marked)
    side = Side.plain(lengths, heads)
    return side if marked is None else replace(side, marked=np.asarray(marked, dtype=bool))


def make_inputs(src_vecs, tgt_vecs, src_len, tgt_len, *, src_lex=None, tgt_lex=None, src_texts=None,
                tgt_texts=None, src_head=None, tgt_head=None, len_weight: float = 0.0,
                src_edges=None, tgt_edges=None, src_marked=None, tgt_marked=None) -> Inputs:
    """Inputs from vectors, lengths and (optionally) texts, heading marks,
    dictionary vectors, (first-clause, last-clause) vectors and structural
    marker marks of each side."""
    src_vecs = np.asarray(src_vecs, dtype=np.float32)
    tgt_vecs = np.asarray(tgt_vecs, dtype=np.float32)
    if len_weight:
        # a bead's vector is the sum of its segments' vectors weighted by length**len_weight,
        # closer to what encoding the concatenated text gives
        src_vecs = src_vecs * (np.asarray(src_len, dtype=np.float32)[:, None] ** len_weight)
        tgt_vecs = tgt_vecs * (np.asarray(tgt_len, dtype=np.float32)[:, None] ** len_weight)
    lex = None
    if src_lex is not None and tgt_lex is not None:
        lex = View(np.asarray(src_lex, np.float32), np.asarray(tgt_lex, np.float32))
    heads = tails = None
    if src_edges is not None and tgt_edges is not None:
        heads = View(np.asarray(src_edges[0], np.float32), np.asarray(tgt_edges[0], np.float32))
        tails = View(np.asarray(src_edges[1], np.float32), np.asarray(tgt_edges[1], np.float32))
    return Inputs(neural=View(src_vecs, tgt_vecs), lexical=lex,
                  src=_side(src_texts, src_len, src_head, src_marked),
                  tgt=_side(tgt_texts, tgt_len, tgt_head, tgt_marked),
                  heads=heads, tails=tails)
