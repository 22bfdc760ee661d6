"""The Bertalign baseline of bench_ratio.py (bench/baselines/bertalign.py)
finds the beads its algorithm should on hand-built cases: the ratios it is
measured against are worth something only if it aligns."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).resolve().parent.parent / "bench" / "baselines" / "bertalign.py"


@pytest.fixture(scope="module")
def bertalign():
    spec = importlib.util.spec_from_file_location("bench_bertalign", _PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


class Letters:
    """A toy encoder: a text's vector is its letters' counts (normalised), so
    a joined text's vector is the sum of its parts' and unrelated texts are
    orthogonal."""

    name, dim = "letters", 26

    def __init__(self):
        self.seen: list[str] = []

    def encode(self, texts):
        self.seen.extend(texts)
        out = np.zeros((len(texts), 26), dtype=np.float32)
        for k, t in enumerate(texts):
            for ch in t:
                if "a" <= ch <= "z":
                    out[k, ord(ch) - 97] += 1
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


def test_one_to_two_and_two_to_one_beads(bertalign):
    src = ["aaaa", "bbbb cccc", "dddd", "eeee", "ffff", "gggg hhhh"]
    tgt = ["aaaa", "bbbb", "cccc", "dddd", "eeee ffff", "gggg", "hhhh"]
    beads = bertalign.align(src, tgt, Letters())
    assert beads == [([0], [0]), ([1], [1, 2]), ([2], [3]), ([3, 4], [4]), ([5], [5, 6])]


def test_an_untranslated_sentence_is_left_out_and_every_sentence_covered_once(bertalign):
    src = ["aaaa", "bbbb", "zzzz", "cccc", "dddd", "eeee"]
    tgt = ["aaaa", "bbbb", "cccc", "dddd", "eeee"]
    beads = bertalign.align(src, tgt, Letters())
    assert [s for s, _ in beads for s in s] == list(range(len(src)))
    assert [t for _, t in beads for t in t] == list(range(len(tgt)))
    assert ([2], []) in beads and ([3], [2]) in beads


def test_runs_of_up_to_four_sentences_are_encoded_as_joined_texts(bertalign):
    enc = Letters()
    timings = bertalign.Timings()
    bertalign.align(["aa", "bb", "cc"], ["aa", "bb", "cc", "dd"], enc, timings=timings)
    assert "aa bb cc" in enc.seen and "aa bb cc dd" in enc.seen  # joined with a space, as Bertalign does
    assert enc.seen.count("PAD") == 1 + 2 + 3 + 1 + 2 + 3  # runs that would start before the text
    assert timings.texts == 4 * (3 + 4)
    assert bertalign.align([], ["aa"], enc) == [([], [0])]


def test_the_command_writes_beads_align_reads(bertalign, tmp_path, monkeypatch):
    from align.evaluate import read_beads

    (tmp_path / "zh").write_text("aaaa\nbbbb cccc\n", encoding="utf-8")
    (tmp_path / "en").write_text("aaaa\nbbbb\ncccc\n", encoding="utf-8")
    monkeypatch.setattr(bertalign, "bertalign_encoder", lambda cache: Letters())
    assert bertalign.main([str(tmp_path / "zh"), str(tmp_path / "en"), "-o", str(tmp_path / "beads")]) == 0
    assert read_beads(tmp_path / "beads") == [((0,), (0,)), ((1,), (1, 2))]
